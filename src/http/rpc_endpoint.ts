/**
 * The JSON-RPC endpoint of a service, answering a request in two steps: first from its method and
 * headers alone (405, 415, a CORS preflight), then from its body's text. `fetch` drives it from a
 * Web `Request`; an adapter may drive it straight from its runtime's own request (the Node adapter
 * does, to skip building a `Request` and a `Response` per call), and both get the very same answers.
 *
 * @module
 */

import { ErrorCode } from "../protocol/errors.ts";
import { errorResponse } from "../protocol/messages.ts";
import type { HeaderReader, RequestContext } from "../core/context.ts";
import { type DispatchTarget, dispatchText } from "../core/dispatch.ts";
import { type CorsPolicy, isPreflight } from "../plugins/cors.ts";
import { DeadlineWatch } from "./deadline_watch.ts";
import { BodyEncodingError, BodyTimeoutError, BodyTooLargeError } from "./read_body.ts";

/**
 * What the endpoint needs of an HTTP request, for {@linkcode answerRpcRequest}.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 */
export interface RpcHttpRequest extends RequestContext {
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

/**
 * An answer, before any runtime's response object is made of it.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 */
export interface PlainReply {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or `null` for none. */
  readonly body: string | null;
}

/** What an endpoint is made of. */
export interface RpcEndpointParts {
  /** The path of the endpoint, such as `/api`. */
  readonly path: string;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The CORS rules, when CORS is on. */
  readonly cors?: CorsPolicy | undefined;
  /** How long a body may take to arrive, in ms. Default: as long as it takes. */
  readonly bodyTimeout?: number | undefined;
}

const JSON_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/json", "x-content-type-options": "nosniff" };
const NOT_ALLOWED: PlainReply = { status: 405, headers: { allow: "POST", "content-type": "text/plain;charset=UTF-8" }, body: "Method Not Allowed: use POST" };
// After a body left unread, the connection cannot carry another request.
const CLOSE: Readonly<Record<string, string>> = { ...JSON_HEADERS, connection: "close" };
const NO_CONTENT: PlainReply = { status: 204, headers: {}, body: null };

/**
 * The JSON-RPC endpoint of a service ({@linkcode Service.rpcEndpoint} gives it): its path, its body
 * limit, and the two steps of answering a request sent to that path. An adapter calls
 * {@linkcode RpcEndpoint.answerHead}; when that gives no answer, it reads the body (at most
 * `maxBodyBytes`) and calls {@linkcode RpcEndpoint.answerBody}, or
 * {@linkcode RpcEndpoint.answerUnreadBody} when reading failed. A call whose methods are all sync is
 * answered at once, without a promise.
 *
 * With CORS on, a preflight from an allowed origin is answered 204, and every answer to an allowed
 * origin carries the CORS headers.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const endpoint = service.rpcEndpoint();
 * const headers = new Headers({ "content-type": "application/json" });
 * endpoint.answerHead("POST", headers); // undefined: read the body
 * const reply = await endpoint.answerBody('{"jsonrpc":"2.0","method":"ping","id":1}', { headers });
 * reply.body; // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export class RpcEndpoint {
  /** The path of the endpoint, such as `/api`. */
  readonly path: string;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The deadline bodies are read by, unless they may take as long as they take. */
  readonly bodyDeadline: DeadlineWatch | undefined;
  readonly #target: DispatchTarget;
  readonly #cors: CorsPolicy | undefined;

  /**
   * Makes the endpoint of a service.
   *
   * @param target The service to dispatch to.
   * @param parts The path, the body limit and deadline, and the CORS rules.
   * @example
   * ```ts
   * import { RpcEndpoint } from "./rpc_endpoint.ts";
   * import { Service } from "../core/service.ts";
   * const endpoint = new RpcEndpoint(new Service({ name: "demo" }), { path: "/rpc", maxBodyBytes: 1024 });
   * ```
   */
  constructor(target: DispatchTarget, parts: RpcEndpointParts) {
    this.#target = target;
    this.path = parts.path;
    this.maxBodyBytes = parts.maxBodyBytes;
    const bodyTimeout = parts.bodyTimeout;
    this.bodyDeadline = bodyTimeout === undefined || bodyTimeout === Infinity ? undefined : new DeadlineWatch(bodyTimeout);
    this.#cors = parts.cors;
  }

  /**
   * The first step: the answer to a request that needs no body (405 unless it is a POST, 415 unless
   * it is declared as JSON or not declared, 204 to a CORS preflight), or `undefined` when its body
   * is to be read.
   *
   * @param method The HTTP method, upper case.
   * @param headers The request headers.
   * @returns The answer, or `undefined` to go on with the body.
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * const endpoint = new Service({ name: "demo" }).rpcEndpoint();
   * endpoint.answerHead("GET", new Headers())?.status; // 405
   * ```
   */
  answerHead(method: string, headers: HeaderReader): PlainReply | undefined {
    // CORS costs nothing unless it is on and the request comes from a page (it has an Origin).
    const origin = this.#cors === undefined ? null : headers.get("origin");
    if (origin !== null && isPreflight(method, headers)) {
      return { status: 204, headers: (this.#cors as CorsPolicy).preflightHeaders(origin, "POST"), body: null };
    }
    let reply: PlainReply | undefined;
    if (method !== "POST") reply = NOT_ALLOWED;
    else {
      const contentType = headers.get("content-type");
      if (contentType === null || isJsonMediaType(contentType)) return undefined;
      reply = rpcErrorReply(415, ErrorCode.InvalidRequest, "Unsupported Content-Type: send application/json");
    }
    return origin === null ? reply : this.#withCors(reply, origin);
  }

  /**
   * The second step: the JSON-RPC answer to the body (200), or 204 when only notifications came.
   *
   * @param text The body, decoded.
   * @param request The request's headers (for the API token) and abort signal.
   * @returns The answer, at once when every call was sync, else a promise of it.
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * const endpoint = new Service({ name: "demo" }).publicMethod("ping", () => "pong").rpcEndpoint();
   * const reply = await endpoint.answerBody('{"jsonrpc":"2.0","method":"ping"}', { headers: new Headers() });
   * reply.status; // 204
   * ```
   */
  answerBody(text: string, request: RequestContext): PlainReply | Promise<PlainReply> {
    const answer = dispatchText(this.#target, text, request);
    if (answer instanceof Promise) return answer.then((settled) => this.#reply(settled, request.headers));
    return this.#reply(answer, request.headers);
  }

  /**
   * The second step when the body could not be read: 413 when it was over the limit, 408 when it
   * did not arrive in time (both close the connection: the rest of the body is not read), a parse
   * error when it was not UTF-8, else (the client went away while sending) a bare 400.
   *
   * @param error What reading the body threw.
   * @param headers The request headers.
   * @returns The answer.
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * import { BodyTooLargeError } from "./read_body.ts";
   * const endpoint = new Service({ name: "demo" }).rpcEndpoint();
   * endpoint.answerUnreadBody(new BodyTooLargeError(1024), new Headers()).status; // 413
   * ```
   */
  answerUnreadBody(error: unknown, headers: HeaderReader): PlainReply {
    let reply: PlainReply;
    if (error instanceof BodyTooLargeError) reply = rpcErrorReply(413, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`, CLOSE);
    else if (error instanceof BodyTimeoutError) reply = rpcErrorReply(408, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`, CLOSE);
    else if (error instanceof BodyEncodingError) reply = rpcErrorReply(200, ErrorCode.ParseError, `Parse error: ${error.message}`);
    // The client went away while sending: nobody is left to read an answer.
    else reply = { status: 400, headers: {}, body: null };
    return this.#withCorsOf(reply, headers);
  }

  #reply(answer: string | undefined, headers: HeaderReader): PlainReply {
    const reply = answer === undefined ? NO_CONTENT : { status: 200, headers: JSON_HEADERS, body: answer };
    return this.#withCorsOf(reply, headers);
  }

  #withCorsOf(reply: PlainReply, headers: HeaderReader): PlainReply {
    if (this.#cors === undefined) return reply;
    const origin = headers.get("origin");
    return origin === null ? reply : this.#withCors(reply, origin);
  }

  /** Every answer to a page carries CORS headers, or at least `Vary: Origin` for caches. */
  #withCors(reply: PlainReply, origin: string): PlainReply {
    const headers = (this.#cors as CorsPolicy).headersFor(origin);
    return { ...reply, headers: { ...reply.headers, ...(headers ?? { vary: "Origin" }) } };
  }
}

/**
 * Answers one HTTP request sent to the JSON-RPC endpoint, all steps in one: 405 unless it is a
 * POST, 415 unless it is declared as JSON (or not declared), 413 when the body is over the limit,
 * otherwise the JSON-RPC answer (200), or 204 when only notifications came.
 *
 * @param endpoint The endpoint.
 * @param request The request.
 * @returns The answer.
 * @example
 * ```ts
 * import { answerRpcRequest } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const reply = await answerRpcRequest(service.rpcEndpoint(), {
 *   method: "POST",
 *   headers: new Headers({ "content-type": "application/json" }),
 *   signal: undefined,
 *   readBody: () => Promise.resolve('{"jsonrpc":"2.0","method":"ping","id":1}'),
 * });
 * reply.body; // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export async function answerRpcRequest(endpoint: RpcEndpoint, request: RpcHttpRequest): Promise<PlainReply> {
  const early = endpoint.answerHead(request.method, request.headers);
  if (early !== undefined) return early;
  let text: string;
  try {
    text = await request.readBody(endpoint.maxBodyBytes);
  } catch (error) {
    return endpoint.answerUnreadBody(error, request.headers);
  }
  return await endpoint.answerBody(text, request);
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
  if (contentType === "application/json") return true; // what nearly every client sends
  const essence = (contentType.split(";", 1)[0] as string).trim().toLowerCase();
  return essence === "application/json" || (essence.startsWith("application/") && essence.endsWith("+json"));
}

function rpcErrorReply(status: number, code: number, message: string, headers = JSON_HEADERS): PlainReply {
  return { status, headers, body: JSON.stringify(errorResponse(null, { code, message })) };
}
