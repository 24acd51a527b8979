/**
 * JSON-RPC 2.0 message shapes and the builders for responses.
 *
 * @module
 */

/**
 * A request id: the specification allows a string, a number or `null`.
 *
 * @example
 * ```ts
 * import type { JsonRpcId } from "./messages.ts";
 * const ids: JsonRpcId[] = [1, "call-1", null, 0, ""]; // all echoed as they are
 * ```
 */
export type JsonRpcId = string | number | null;

/**
 * Parameters of a call: positional (an array) or named (an object).
 *
 * @example
 * ```ts
 * import type { JsonRpcParams } from "./messages.ts";
 * const positional: JsonRpcParams = [42, 23];
 * const named: JsonRpcParams = { minuend: 42, subtrahend: 23 };
 * ```
 */
export type JsonRpcParams = readonly unknown[] | Readonly<Record<string, unknown>>;

/**
 * A request or notification as it travels on the wire. A message without an `id` member is a
 * notification; a message whose `id` is `null` is a call.
 *
 * @example
 * ```ts
 * import type { JsonRpcRequest } from "./messages.ts";
 * const call: JsonRpcRequest = { jsonrpc: "2.0", method: "subtract", params: [42, 23], id: 1 };
 * const notification: JsonRpcRequest = { jsonrpc: "2.0", method: "update", params: [1, 2, 3] };
 * ```
 */
export interface JsonRpcRequest {
  /** Always `"2.0"`. */
  readonly jsonrpc: "2.0";
  /** The name of the method to invoke. */
  readonly method: string;
  /** Positional or named parameters; absent when the method takes none. */
  readonly params?: JsonRpcParams;
  /** Present on calls, absent on notifications. */
  readonly id?: JsonRpcId;
}

/**
 * The `error` member of a failed response.
 *
 * @example
 * ```ts
 * import type { JsonRpcErrorObject } from "./messages.ts";
 * const error: JsonRpcErrorObject = { code: -32601, message: "Method not found: foobar" };
 * ```
 */
export interface JsonRpcErrorObject {
  /** An integer that says what kind of error happened (see {@linkcode ErrorCode}). */
  readonly code: number;
  /** One short sentence describing the error. */
  readonly message: string;
  /** Extra information, when the server offers any. */
  readonly data?: unknown;
}

/**
 * A successful response: `result` is present, `error` is not.
 *
 * @example
 * ```ts
 * import type { JsonRpcSuccess } from "./messages.ts";
 * const answer: JsonRpcSuccess = { jsonrpc: "2.0", result: 19, id: 1 };
 * ```
 */
export interface JsonRpcSuccess {
  /** Always `"2.0"`. */
  readonly jsonrpc: "2.0";
  /** The method's return value (`null` when it returned nothing). */
  readonly result: unknown;
  /** The id of the request this answers. */
  readonly id: JsonRpcId;
}

/**
 * A failed response: `error` is present, `result` is not.
 *
 * @example
 * ```ts
 * import type { JsonRpcFailure } from "./messages.ts";
 * const answer: JsonRpcFailure = { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null };
 * ```
 */
export interface JsonRpcFailure {
  /** Always `"2.0"`. */
  readonly jsonrpc: "2.0";
  /** What went wrong. */
  readonly error: JsonRpcErrorObject;
  /** The id of the request this answers, or `null` when it could not be read. */
  readonly id: JsonRpcId;
}

/**
 * Any response object.
 *
 * @example
 * ```ts
 * import type { JsonRpcResponse } from "./messages.ts";
 * function outcome(response: JsonRpcResponse): unknown {
 *   return "error" in response ? `failed: ${response.error.message}` : response.result;
 * }
 * ```
 */
export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;

/**
 * Builds a success response; `undefined` becomes `null`, since a response must carry `result`.
 *
 * @param id The id of the request being answered.
 * @param result The method's return value.
 * @returns The response object, members in the specification's order.
 * @example
 * ```ts
 * import { successResponse } from "./messages.ts";
 * successResponse(1, 19); // { jsonrpc: "2.0", result: 19, id: 1 }
 * ```
 */
export function successResponse(id: JsonRpcId, result: unknown): JsonRpcSuccess {
  return { jsonrpc: "2.0", result: result === undefined ? null : result, id };
}

/**
 * Builds an error response.
 *
 * @param id The id of the request being answered (`null` when it could not be read).
 * @param error The error member.
 * @returns The response object.
 * @example
 * ```ts
 * import { errorResponse } from "./messages.ts";
 * errorResponse(null, { code: -32700, message: "Parse error" });
 * ```
 */
export function errorResponse(id: JsonRpcId, error: JsonRpcErrorObject): JsonRpcFailure {
  return { jsonrpc: "2.0", error, id };
}

/**
 * Tells whether a response is an error response.
 *
 * @param response A response object.
 * @returns `true` when it carries an `error` member.
 * @example
 * ```ts
 * import { isFailure } from "./messages.ts";
 * isFailure({ jsonrpc: "2.0", result: 1, id: 1 }); // false
 * ```
 */
export function isFailure(response: JsonRpcResponse): response is JsonRpcFailure {
  return "error" in response;
}
