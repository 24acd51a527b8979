/**
 * What the service layer knows of the request that carried a message.
 *
 * @module
 */

import type { JsonRpcParams, JsonRpcResponse } from "../protocol/messages.ts";

/** Read access to request headers; the Web `Headers` class fits it. */
export interface HeaderReader {
  /** The value of a header (case-insensitive name), or `null` when absent. */
  get(name: string): string | null;
}

/** The small context a message is dispatched with. */
export interface RequestContext {
  /** The headers of the HTTP request, or of whatever carried the message. */
  readonly headers: HeaderReader;
  /** Aborted when the caller goes away. */
  readonly signal?: AbortSignal | undefined;
}

/** What a method sees of the service it belongs to. */
export interface ServiceRef {
  /** The service's name. */
  readonly name: string;
  /**
   * Answers a parsed JSON-RPC message (a request or a batch) in process, as `Service.handle` does.
   *
   * @param message The message.
   * @param ctx The headers and signal to answer it with. Default: no headers.
   * @returns The response, an array for a batch, or `undefined` when there is nothing to answer.
   */
  handle(message: unknown, ctx?: RequestContext): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>;
}

/**
 * What a method that asks for it (option `context: true`) receives as its last argument.
 */
export interface CallContext {
  /** The name of the method being called. */
  readonly method: string;
  /** The headers of the request that carried the call. */
  readonly headers: HeaderReader;
  /** The API token the request carried, if any (already checked for a private method). */
  readonly token: string | undefined;
  /** Aborted when the caller goes away. */
  readonly signal: AbortSignal | undefined;
  /** Whether the call is a notification (nobody waits for its result). */
  readonly isNotification: boolean;
  /** The service the method belongs to. */
  readonly service: ServiceRef;
  /**
   * Calls another method of the same service in process (no HTTP, no JSON round trip), with this
   * call's headers (so the same API token applies) and abort signal. Its params are checked as a
   * caller's would be.
   *
   * @param method The method's name.
   * @param params Its params, positional (an array) or named (an object).
   * @returns Its result.
   * @throws {RpcError} When it answers an error (`-32601` for an unknown method, `-32001` for a
   *   private one without a valid token, `-32602` for bad params…).
   */
  readonly call: (method: string, params?: JsonRpcParams) => Promise<unknown>;
}

/** What an API token validator is told about the call it guards. */
export interface TokenCheckContext {
  /** The private method being called. */
  readonly method: string;
  /** The request's headers. */
  readonly headers: HeaderReader;
}

/**
 * Decides whether a token may call private methods. It may be async (for example, to ask a
 * database); it should answer `false` rather than throw.
 */
export type ApiTokenValidator = (token: string, ctx: TokenCheckContext) => boolean | Promise<boolean>;

/**
 * Reads the API token of a request: the named header first (the Python original's `X-Api-Token`),
 * then an `Authorization: Bearer …` header.
 *
 * @param headers The request headers.
 * @param headerName The header that carries the token.
 * @returns The token, or `undefined` when the request carries none.
 * @example
 * ```ts
 * import { readApiToken } from "./context.ts";
 * readApiToken(new Headers({ authorization: "Bearer abc" }), "X-Api-Token"); // "abc"
 * ```
 */
export function readApiToken(headers: HeaderReader, headerName: string): string | undefined {
  const direct = headers.get(headerName);
  if (direct !== null && direct !== "") return direct;
  const authorization = headers.get("authorization");
  if (authorization === null) return undefined;
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}
