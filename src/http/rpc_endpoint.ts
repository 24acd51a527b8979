/**
 * The JSON-RPC endpoint of a service, over a request reduced to what it needs: the HTTP method,
 * the headers, an abort signal and a way to read the body. `fetch` builds it from a Web `Request`;
 * an adapter may build it straight from its runtime's own request (the Node adapter does, to skip
 * building a `Request` and a `Response` per call), and both get the very same answers.
 *
 * @module
 */

import { ErrorCode } from "../protocol/errors.ts";
import { errorResponse } from "../protocol/messages.ts";
import type { HeaderReader } from "../service/context.ts";
import { type DispatchTarget, dispatchText } from "../service/dispatch.ts";
import { type CorsPolicy, isPreflight } from "./cors.ts";
import { BodyEncodingError, BodyTooLargeError } from "./read_body.ts";

/** What the endpoint needs of an HTTP request. */
export interface RpcHttpRequest {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The request headers. */
  readonly headers: HeaderReader;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal | undefined;
  /**
   * Reads the whole body as UTF-8 text.
   *
   * @throws {BodyTooLargeError} When it is larger than `limit` bytes.
   * @throws {BodyEncodingError} When it is not UTF-8.
   */
  readBody(limit: number): Promise<string>;
}

/** An answer, before any runtime's response object is made of it. */
export interface PlainReply {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or `null` for none. */
  readonly body: string | null;
}

/** Anything that answers JSON-RPC over HTTP on a path: a {@linkcode Service}. */
export interface RpcEndpoint {
  /** The path of the endpoint, such as `/api`. */
  readonly path: string;
  /** Answers one request sent to that path. */
  answerRpc(request: RpcHttpRequest): Promise<PlainReply>;
}

const JSON_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/json", "x-content-type-options": "nosniff" };
const NOT_ALLOWED: PlainReply = { status: 405, headers: { allow: "POST", "content-type": "text/plain;charset=UTF-8" }, body: "Method Not Allowed: use POST" };
const NO_CONTENT: PlainReply = { status: 204, headers: {}, body: null };

/**
 * Answers one HTTP request sent to the JSON-RPC endpoint: 405 unless it is a POST, 415 unless it
 * is declared as JSON (or not declared), 413 when the body is over the limit, otherwise the
 * JSON-RPC answer (200), or 204 when only notifications came. With CORS on, a preflight from an
 * allowed origin is answered 204, and every answer to an allowed origin carries the CORS headers.
 *
 * @param target The service to dispatch to.
 * @param maxBodyBytes The largest body accepted.
 * @param request The request.
 * @param cors The CORS rules, when CORS is on.
 * @returns The answer.
 * @example
 * ```ts
 * import { answerRpcRequest } from "./rpc_endpoint.ts";
 * import { Service } from "../service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const reply = await answerRpcRequest(service, 1024, {
 *   method: "POST",
 *   headers: new Headers({ "content-type": "application/json" }),
 *   signal: undefined,
 *   readBody: () => Promise.resolve('{"jsonrpc":"2.0","method":"ping","id":1}'),
 * });
 * reply.body; // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export async function answerRpcRequest(
  target: DispatchTarget,
  maxBodyBytes: number,
  request: RpcHttpRequest,
  cors?: CorsPolicy,
): Promise<PlainReply> {
  // CORS costs nothing unless it is on and the request comes from a page (it has an Origin).
  if (cors !== undefined) {
    const origin = request.headers.get("origin");
    if (origin !== null) return answerCrossOrigin(target, maxBodyBytes, request, cors, origin);
  }
  if (request.method !== "POST") return NOT_ALLOWED;
  const contentType = request.headers.get("content-type");
  if (contentType !== null && !isJsonMediaType(contentType)) {
    return rpcErrorReply(415, ErrorCode.InvalidRequest, "Unsupported Content-Type: send application/json");
  }
  let text: string;
  try {
    text = await request.readBody(maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return rpcErrorReply(413, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`);
    if (error instanceof BodyEncodingError) return rpcErrorReply(200, ErrorCode.ParseError, `Parse error: ${error.message}`);
    // The client went away while sending: nobody is left to read an answer.
    return { status: 400, headers: {}, body: null };
  }
  const answer = await dispatchText(target, text, request);
  return answer === undefined ? NO_CONTENT : { status: 200, headers: JSON_HEADERS, body: answer };
}

/**
 * Tells whether a `Content-Type` value names JSON: `application/json` or any `+json` type, with
 * any parameters (such as `charset=utf-8`).
 *
 * @param contentType The header's value.
 * @returns `true` for a JSON media type.
 * @example
 * ```ts
 * import { isJsonMediaType } from "./rpc_endpoint.ts";
 * isJsonMediaType("application/json; charset=utf-8"); // true
 * isJsonMediaType("text/plain"); // false
 * ```
 */
export function isJsonMediaType(contentType: string): boolean {
  const essence = (contentType.split(";", 1)[0] as string).trim().toLowerCase();
  return essence === "application/json" || (essence.startsWith("application/") && essence.endsWith("+json"));
}

async function answerCrossOrigin(
  target: DispatchTarget,
  maxBodyBytes: number,
  request: RpcHttpRequest,
  cors: CorsPolicy,
  origin: string,
): Promise<PlainReply> {
  if (isPreflight(request.method, request.headers)) return { status: 204, headers: cors.preflightHeaders(origin, "POST"), body: null };
  const reply = await answerRpcRequest(target, maxBodyBytes, request);
  const headers = cors.headersFor(origin);
  return { ...reply, headers: { ...reply.headers, ...(headers ?? { vary: "Origin" }) } };
}

function rpcErrorReply(status: number, code: number, message: string): PlainReply {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(errorResponse(null, { code, message })) };
}
