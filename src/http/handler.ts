/**
 * The Web-standard HTTP handler of a service: `fetch(request) → Response`. It routes the request
 * by path and turns the endpoint's plain answer into a `Response`.
 *
 * @module
 */

import { answerEndpointRequest } from "./endpoint_request.ts";
import type { PlainReply, RpcEndpoint } from "./rpc_endpoint.ts";
import type { Site } from "./site.ts";

/**
 * Answers one HTTP request for a service.
 *
 * @param endpoint The service's JSON-RPC endpoint (its path, body limit and answers).
 * @param site What answers the other paths (health, routes, static folders); without it they are 404.
 * @param request The incoming request.
 * @returns The response: the endpoint's answer on its path, the site's elsewhere (404 without one).
 * @example
 * ```ts
 * import { handleHttpRequest } from "./handler.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const request = new Request("http://localhost/api", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"jsonrpc":"2.0","method":"ping","id":1}',
 * });
 * await handleHttpRequest(service.rpcEndpoint(), undefined, request);
 * ```
 */
export function handleHttpRequest(endpoint: RpcEndpoint, site: Site | undefined, request: Request): Promise<Response> {
  const path = pathOf(request.url);
  if (path !== endpoint.path) return site === undefined ? Promise.resolve(new Response("Not Found", { status: 404 })) : site.answer(request, path);
  const answer = answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline);
  return answer instanceof Response ? Promise.resolve(answer) : answer;
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
 * The path of a URL (an absolute one, or a request target such as `/api?x=1`), without building a
 * `URL` object for every request.
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
