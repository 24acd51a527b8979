/**
 * The JSON-RPC endpoint of a service, answering in two steps: from method and headers alone (405,
 * 415, a plugin's answer), then from the body's text. `fetch` drives it from a Web `Request`; an
 * adapter may drive it from its runtime's own request (Node's does) and gets the same answers.
 *
 * @module
 */

// The codes as constants (bundles inline them): the same names as ErrorCode's members.
import * as ErrorCode from "../protocol/error_codes.ts";
import type { HeaderReader, RequestContext } from "../core/context.ts";
import { type DispatchTarget, dispatchText, refuse } from "../core/dispatch.ts";
import { DeadlineWatch } from "./deadline_watch.ts";
import type { EndpointUpgrade } from "./upgrade.ts";
import { BodyEncodingError, BodyTimeoutError, BodyTooLargeError } from "./read_body.ts";

/**
 * An answer before any runtime's response object is made of it (what the endpoint gives adapters
 * and a plugin's `intercept` returns).
 *
 * @example
 * ```ts
 * import type { PlainReply } from "./rpc_endpoint.ts";
 * const tooMany: PlainReply = { status: 429, headers: { "retry-after": "1" }, body: "Too Many Requests" };
 * ```
 */
export interface PlainReply {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or `null` for none; a stream's events are sent as they come. */
  readonly body: string | ReadableStream<Uint8Array> | null;
}

/**
 * A request's context that can take a call's stream (see `RequestContext.stream`), made by the
 * `streams()` plugin for each request; `reply` is set once it took one: the answer to send instead.
 *
 * @internal The contract between the streams plugin and the HTTP layer; it may change in any release.
 */
export interface StreamingRequest extends RequestContext {
  /** The answer to send instead of the JSON one, once a stream was taken. */
  readonly reply: PlainReply | undefined;
}

/** What an endpoint is made of. */
export interface RpcEndpointParts {
  /** The path of the endpoint, such as `/api`. */
  readonly path: string;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** How long a body may take to arrive, in ms. Default: as long as it takes. */
  readonly bodyTimeout?: number | undefined;
  /** The plugins' hooks, read at each request (plugins may be added after the endpoint is made). */
  readonly hooks?: EndpointHooks | undefined;
}

/**
 * The plugins' hooks, composed by the Service; each `undefined` when no plugin has it, so a
 * service without plugins pays nothing.
 *
 * @internal The contract between the Service class and the HTTP layer; it may change in any release.
 */
export interface EndpointHooks {
  /** An answer from a request's method, path and headers alone, before anything else looks at it. */
  intercept: ((method: string, path: string, headers: HeaderReader) => PlainReply | undefined) | undefined;
  /** Headers to add to an answer. */
  headers: ((method: string, path: string, headers: HeaderReader) => Readonly<Record<string, string>> | undefined) | undefined;
}

/**
 * Adds headers to a set of headers: `vary` values are appended, the others replaced.
 *
 * @param into The headers to add to (changed).
 * @param more The headers to add.
 * @returns `into`.
 * @example
 * ```ts
 * import { mergeHeaders } from "./rpc_endpoint.ts";
 * mergeHeaders({ vary: "Accept" }, { vary: "Origin", "x-id": "1" }); // { vary: "Accept, Origin", "x-id": "1" }
 * ```
 */
export function mergeHeaders(into: Record<string, string>, more: Readonly<Record<string, string>>): Record<string, string> {
  for (const name in more) {
    const value = more[name] as string;
    into[name] = name === "vary" && into[name] !== undefined ? `${into[name]}, ${value}` : value;
  }
  return into;
}

const JSON_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/json", "x-content-type-options": "nosniff" };
const NOT_ALLOWED: PlainReply = { status: 405, headers: { allow: "POST", "content-type": "text/plain;charset=UTF-8" }, body: "Method Not Allowed: use POST" };
// After a body left unread, the connection cannot carry another request.
const CLOSE: Readonly<Record<string, string>> = { ...JSON_HEADERS, connection: "close" };
const NO_CONTENT: PlainReply = { status: 204, headers: {}, body: null };

/**
 * The JSON-RPC endpoint of a service (`endpointOf` gives it). An adapter calls
 * {@linkcode RpcEndpoint.answerHead}; when that gives no answer, it reads the body (at most
 * `maxBodyBytes`) and calls {@linkcode RpcEndpoint.answerBody}, or
 * {@linkcode RpcEndpoint.answerUnreadBody} when reading failed. All-sync calls are answered without
 * a promise. Plugins take part through {@linkcode EndpointHooks}.
 *
 * @internal The contract between the Service class and the adapters; it may change in any release.
 * @example
 * ```ts
 * import { endpointOf } from "./endpoint_of.ts";
 * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const endpoint = endpointOf(service) as RpcEndpoint;
 * const headers = new Headers({ "content-type": "application/json" });
 * endpoint.answerHead("POST", headers); // undefined: read the body
 * const reply = await endpoint.answerBody('{"jsonrpc":"2.0","method":"ping","id":1}', { headers });
 * reply.body; // '{"jsonrpc":"2.0","result":"pong","id":1}'
 * ```
 */
export class RpcEndpoint {
  /** The path of the endpoint, such as `/api`. */
  declare readonly path: string;
  /** The largest request body accepted, in bytes. */
  declare readonly maxBodyBytes: number;
  /** The deadline bodies are read by, unless they may take as long as they take. */
  declare readonly bodyDeadline: DeadlineWatch | undefined;
  /** WebSocket upgrades of this path, when a plugin serves them (see {@linkcode EndpointUpgrade}). */
  declare upgrade?: EndpointUpgrade | undefined;
  readonly #target: DispatchTarget;
  readonly #hooks: EndpointHooks | undefined;

  /**
   * Makes the endpoint of a service.
   *
   * @param target The service to dispatch to.
   * @param parts The path, the body limit and deadline, and the plugins' hooks.
   * @example
   * ```ts
   * import { RpcEndpoint } from "./rpc_endpoint.ts";
   * import { targetOf } from "../core/dispatch.ts";
   * import { Service } from "../core/service.ts";
   * const endpoint = new RpcEndpoint(targetOf(new Service({ name: "demo" })), { path: "/rpc", maxBodyBytes: 1024 });
   * ```
   */
  constructor(target: DispatchTarget, parts: RpcEndpointParts) {
    this.#target = target;
    this.path = parts.path;
    this.maxBodyBytes = parts.maxBodyBytes;
    const bodyTimeout = parts.bodyTimeout;
    this.bodyDeadline = bodyTimeout === undefined || bodyTimeout === Infinity ? undefined : new DeadlineWatch(bodyTimeout);
    this.#hooks = parts.hooks;
  }

  /**
   * The first step: a plugin's early answer (a CORS preflight), 405 unless POST, 415 unless the
   * content type is JSON or absent; else `undefined`, to read the body.
   *
   * @param method The HTTP method, upper case.
   * @param headers The request headers.
   * @returns The answer, or `undefined` to go on with the body.
   * @example
   * ```ts
   * import { endpointOf } from "./endpoint_of.ts";
   * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
   * const endpoint = endpointOf(new Service({ name: "demo" })) as RpcEndpoint;
   * endpoint.answerHead("GET", new Headers())?.status; // 405
   * ```
   */
  answerHead(method: string, headers: HeaderReader): PlainReply | undefined {
    const early = this.#hooks?.intercept?.(method, this.path, headers);
    if (early !== undefined) return this.#decorate(early, method, headers);
    let reply: PlainReply;
    if (method !== "POST") reply = NOT_ALLOWED;
    else {
      const contentType = headers.get("content-type");
      if (contentType === null || isJsonMediaType(contentType)) return undefined;
      reply = this.#refuse(415, ErrorCode.InvalidRequest, "Unsupported Content-Type: send application/json");
    }
    return this.#decorate(reply, method, headers);
  }

  /**
   * The second step: the JSON-RPC answer to the body (200), or 204 when only notifications came.
   *
   * @param text The body, decoded.
   * @param request The request's headers (for the API token) and abort signal.
   * @param bytes The body's size in bytes, for plugins that count it (default: the text's length).
   * @returns The answer, at once when every call was sync, else a promise of it.
   * @example
   * ```ts
   * import { endpointOf } from "./endpoint_of.ts";
   * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
   * const endpoint = endpointOf(new Service({ name: "demo" }).publicMethod("ping", () => "pong")) as RpcEndpoint;
   * const reply = await endpoint.answerBody('{"jsonrpc":"2.0","method":"ping"}', { headers: new Headers() });
   * reply.status; // 204
   * ```
   */
  answerBody(text: string, request: RequestContext, bytes?: number): PlainReply | Promise<PlainReply> {
    const answer = dispatchText(this.#target, text, request, bytes);
    if (answer instanceof Promise) return answer.then((settled) => this.#reply(settled, request.headers));
    return this.#reply(answer, request.headers);
  }

  /**
   * The second step when the body could not be read: 413 (too large) or 408 (too slow), both
   * closing the connection; a parse error for invalid UTF-8; else (the client left) a bare 400.
   *
   * @param error What reading the body threw.
   * @param headers The request headers.
   * @returns The answer.
   * @example
   * ```ts
   * import { endpointOf } from "./endpoint_of.ts";
   * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
   * import { BodyTooLargeError } from "./read_body.ts";
   * const endpoint = endpointOf(new Service({ name: "demo" })) as RpcEndpoint;
   * endpoint.answerUnreadBody(new BodyTooLargeError(1024), new Headers()).status; // 413
   * ```
   */
  answerUnreadBody(error: unknown, headers: HeaderReader): PlainReply {
    let reply: PlainReply;
    if (error instanceof BodyTooLargeError) reply = this.#refuse(413, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`, CLOSE);
    else if (error instanceof BodyTimeoutError) reply = this.#refuse(408, ErrorCode.InvalidRequest, `Invalid Request: ${error.message}`, CLOSE);
    else if (error instanceof BodyEncodingError) reply = this.#refuse(200, ErrorCode.ParseError, `Parse error: ${error.message}`);
    else reply = { status: 400, headers: {}, body: null };
    return this.#decorate(reply, "POST", headers);
  }

  #refuse(status: number, code: number, message: string, headers = JSON_HEADERS): PlainReply {
    return { status, headers, body: JSON.stringify(refuse(this.#target, null, code, message)) };
  }

  #reply(answer: string | undefined, headers: HeaderReader): PlainReply {
    const reply = answer === undefined ? NO_CONTENT : { status: 200, headers: JSON_HEADERS, body: answer };
    return this.#decorate(reply, "POST", headers);
  }

  #decorate(reply: PlainReply, method: string, headers: HeaderReader): PlainReply {
    const decorate = this.#hooks?.headers;
    if (decorate === undefined) return reply;
    const more = decorate(method, this.path, headers);
    return more === undefined ? reply : { ...reply, headers: mergeHeaders({ ...reply.headers }, more) };
  }

}

/**
 * Whether a `Content-Type` names JSON: `application/json` or any `+json` type, with any parameters.
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
  const [type = "", ...parameters] = contentType.split(";");
  const essence = type.trim().toLowerCase();
  if (essence !== "application/json" && !(essence.startsWith("application/") && essence.endsWith("+json"))) return false;
  // The body is read as UTF-8: a declared charset that says otherwise is refused, not misread.
  for (const parameter of parameters) {
    const [name = "", value = ""] = parameter.split("=", 2);
    if (name.trim().toLowerCase() === "charset" && !/^"?utf-8"?$/i.test(value.trim())) return false;
  }
  return true;
}
