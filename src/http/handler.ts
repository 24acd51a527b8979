/**
 * The Web-standard HTTP handler of a service, `fetch(request) → Response`: routes by path and turns
 * plain answers into `Response`s.
 *
 * @module
 */

import { answerEndpointRequest } from "./endpoint_request.ts";
import { normalisedRequest } from "./normal_path.ts";
import type { EndpointHooks, PlainReply, RpcEndpoint } from "./rpc_endpoint.ts";

/**
 * What answers paths other than the JSON-RPC one: the plugins' `fetch` hooks, in order.
 *
 * @internal The contract between the Service class and the HTTP layer; it may change in any release.
 */
export interface OtherPaths {
  /** The plugins' early answers and added headers. */
  readonly hooks: EndpointHooks;
  /** The plugins that answer other paths, in the order they were used. */
  fetchers: readonly PathAnswerer[];
  /** Told of a plugin that throws (answered with a plain 500). */
  readonly report: (error: unknown, where: string) => void;
}

/**
 * A plugin answering paths other than the JSON-RPC one (`undefined` to pass).
 *
 * @internal The contract between the Service class and the HTTP layer; it may change in any release.
 */
export interface PathAnswerer {
  /** The plugin's name, for the error report. */
  readonly name: string;
  /** Its answer, or `undefined`. */
  readonly fetch: (request: Request, path: string) => Response | undefined | Promise<Response | undefined>;
}

/**
 * Answers one HTTP request for a service.
 *
 * @param endpoint The service's JSON-RPC endpoint (its path, body limit and answers).
 * @param others What answers the other paths.
 * @param received The incoming request (its path is normalised first).
 * @returns The response: the endpoint's answer on its path, the plugins' elsewhere (404 when none answers).
 * @example
 * ```ts
 * import { handleHttpRequest } from "./handler.ts";
 * import { endpointOf } from "./endpoint_of.ts";
 * import type { RpcEndpoint } from "./rpc_endpoint.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const request = new Request("http://localhost/api", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"jsonrpc":"2.0","method":"ping","id":1}',
 * });
 * const others = { hooks: { intercept: undefined, headers: undefined }, fetchers: [], report: () => {} };
 * await handleHttpRequest(endpointOf(service) as RpcEndpoint, others, request);
 * ```
 */
export function handleHttpRequest(endpoint: RpcEndpoint, others: OtherPaths, received: Request): Promise<Response> {
  const { request, path } = normalisedRequest(received, pathOf(received.url));
  if (path !== endpoint.path) return answerOtherPath(others, request, path);
  const answer = answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline);
  return answer instanceof Response ? Promise.resolve(answer) : answer;
}

/**
 * Answers a path other than the JSON-RPC one: a plugin's early answer, else the first plugin
 * `fetch` that answers, else 404; plugin headers added. A plugin that throws gets a plain 500.
 *
 * @param others What answers the other paths.
 * @param request The request.
 * @param path Its path, as sent.
 * @returns The response.
 * @example
 * ```ts
 * import { answerOtherPath } from "./handler.ts";
 * const others = {
 *   hooks: { intercept: undefined, headers: undefined },
 *   fetchers: [{ name: "hello", fetch: (_request: Request, path: string) => path === "/hello" ? new Response("hi") : undefined }],
 *   report: () => {},
 * };
 * await (await answerOtherPath(others, new Request("http://localhost/hello"), "/hello")).text(); // "hi"
 * ```
 */
export async function answerOtherPath(others: OtherPaths, request: Request, path: string): Promise<Response> {
  const { hooks, fetchers } = others;
  if (fetchers.length === 0 && hooks.intercept === undefined && hooks.headers === undefined) return notFound();
  const early = hooks.intercept?.(request.method, path, request.headers);
  let response = early === undefined ? undefined : toResponse(early);
  for (let index = 0; response === undefined && index < fetchers.length; index++) {
    const answerer = fetchers[index] as PathAnswerer;
    try {
      response = await answerer.fetch(request, path);
    } catch (error) {
      // The path is the client's to choose: clipped before it reaches a log.
      others.report(error, `${answerer.name} (${request.method} ${path.slice(0, 200)})`);
      response = internalServerError();
    }
  }
  response ??= notFound();
  const more = hooks.headers?.(request.method, path, request.headers);
  return more === undefined ? response : withHeaders(response, more);
}

/**
 * The plain 500 every layer answers when the client must not hear what failed.
 *
 * @returns A new `500 Internal Server Error` response, with no details.
 * @example
 * ```ts
 * import { internalServerError } from "./handler.ts";
 * internalServerError().status; // 500
 * ```
 */
export function internalServerError(): Response {
  return toResponse(INTERNAL_ERROR_REPLY);
}

/**
 * The plain 500 as a plain answer, for adapters that write plain answers themselves.
 *
 * @example
 * ```ts
 * import { INTERNAL_ERROR_REPLY } from "./handler.ts";
 * INTERNAL_ERROR_REPLY.status; // 500
 * ```
 */
export const INTERNAL_ERROR_REPLY: PlainReply = {
  status: 500,
  headers: { "content-type": "text/plain;charset=UTF-8" },
  body: "Internal Server Error",
};

function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  let target = response;
  try {
    apply(target.headers, headers);
  } catch {
    // The headers of a fetched response are immutable: copy it.
    target = new Response(response.body, response);
    apply(target.headers, headers);
  }
  return target;
}

function apply(target: Headers, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name === "vary") target.append(name, value);
    else target.set(name, value);
  }
}

/**
 * Makes a Web `Response` of a plain answer.
 *
 * @param reply The answer.
 * @returns The response.
 * @example
 * ```ts
 * import { toResponse } from "./handler.ts";
 * toResponse({ status: 204, headers: {}, body: null }).status; // 204
 * ```
 */
export function toResponse(reply: PlainReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/**
 * The path of an absolute URL or a request target (`/api?x=1`), without building a `URL`.
 *
 * @param url The URL.
 * @returns Its path, such as `/api`.
 * @example
 * ```ts
 * import { pathOf } from "./handler.ts";
 * pathOf("http://localhost:8000/api?trace=1"); // "/api"
 * ```
 */
export function pathOf(url: string): string {
  const start = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const char = url.charCodeAt(i);
    if (char === 63 /* ? */ || char === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}
