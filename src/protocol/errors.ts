/**
 * Error codes and the error class that handlers throw and clients receive.
 *
 * @module
 */

import type { JsonRpcErrorObject } from "./messages.ts";
import * as codes from "./error_codes.ts";

/**
 * The error codes this library uses: the JSON-RPC 2.0 specification's five, then server errors in
 * its reserved range (-32000 to -32099).
 *
 * @example
 * ```ts
 * import { ErrorCode } from "./errors.ts";
 * ErrorCode.MethodNotFound; // -32601
 * ```
 */
export const ErrorCode = {
  /** The body is not valid JSON. */
  ParseError: codes.ParseError,
  /** The JSON is not a valid request object. */
  InvalidRequest: codes.InvalidRequest,
  /** No method of that name is registered (or it is reserved). */
  MethodNotFound: codes.MethodNotFound,
  /** The params do not fit the method. */
  InvalidParams: codes.InvalidParams,
  /** The method failed unexpectedly. */
  InternalError: codes.InternalError,
  /** A private method was called without a valid API token (the Python original's code). */
  AccessDenied: codes.AccessDenied,
  /** The call ran longer than its timeout; the handler's signal was aborted. */
  Timeout: codes.Timeout,
  /** The caller is known but lacks a scope the method asks for. */
  Forbidden: codes.Forbidden,
} as const;

/**
 * The names of {@linkcode ErrorCode}'s members.
 *
 * @example
 * ```ts
 * import { ErrorCode, type ErrorCodeName } from "./errors.ts";
 * const nameOf = (code: number): ErrorCodeName | undefined =>
 *   (Object.keys(ErrorCode) as ErrorCodeName[]).find((name) => ErrorCode[name] === code);
 * nameOf(-32601); // "MethodNotFound"
 * ```
 */
export type ErrorCodeName = keyof typeof ErrorCode;

/**
 * A JSON-RPC error. Throw it from a handler to answer with exactly this `code`, `message` and
 * `data`; the client throws it when a response carries an error. The type parameters are for
 * declared errors (see `declareErrors` and `isRpcError`): their literal code and their data's type.
 *
 * @typeParam Code The error's code (any integer by default).
 * @typeParam Data The type of its `data`.
 * @example
 * ```ts
 * import { RpcError } from "./errors.ts";
 * function divide(dividend: number, divisor: number): number {
 *   if (divisor === 0) throw new RpcError(1, "division by zero", { dividend });
 *   return dividend / divisor;
 * }
 * ```
 */
export class RpcError<Code extends number = number, Data = unknown> extends Error {
  /** The JSON-RPC error code, an integer. */
  declare readonly code: Code;
  /** Extra information sent to the caller, if any. */
  declare readonly data: Data;
  /**
   * Types only (no code): `error instanceof RpcError` narrows to `RpcError<number, unknown>`, as a
   * generic class would otherwise give `RpcError<any, any>`.
   */
  declare static [Symbol.hasInstance]: (value: unknown) => value is RpcError;

  /**
   * Makes a JSON-RPC error with a code, a message and optional data.
   *
   * @param code An integer error code; see {@linkcode ErrorCode} for the reserved ones.
   * @param message One short sentence for the caller.
   * @param data Optional extra information for the caller; it must be JSON-serialisable.
   * @throws {TypeError} When `code` is not an integer.
   * @example
   * ```ts
   * import { RpcError } from "./errors.ts";
   * const error = new RpcError(-32000, "Out of stock", { item: "apple" });
   * error.code; // -32000
   * error.data; // { item: "apple" }
   * ```
   */
  constructor(code: Code, message: string, data?: Data) {
    if (!Number.isInteger(code)) throw new TypeError(`RpcError code must be an integer, got ${String(code)}`);
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data as Data;
  }

  /**
   * The error member of a response, with `data` only when there is some.
   *
   * @returns The JSON-RPC error object.
   * @example
   * ```ts
   * import { RpcError } from "./errors.ts";
   * new RpcError(-32602, "Invalid params").toJSON(); // { code: -32602, message: "Invalid params" }
   * ```
   */
  toJSON(): JsonRpcErrorObject {
    return { code: this.code, message: this.message, ...(this.data !== undefined && { data: this.data }) };
  }
}

/**
 * The key under which the client marks an `RpcError` answered by another service (value: its URL).
 * If a handler lets one through with a protocol-level code (`-32768` to `-32000`), the service
 * answers `-32603` and reports it, since its own caller sent none of that; application codes pass.
 *
 * @example
 * ```ts
 * import { FROM_UPSTREAM, RpcError } from "./errors.ts";
 * const error = new RpcError(-32001, "Access denied");
 * (error as RpcError & { [FROM_UPSTREAM]?: string })[FROM_UPSTREAM] === undefined; // true: made here
 * ```
 */
export const FROM_UPSTREAM: unique symbol = Symbol.for("tsmicroservice.fromUpstream");
