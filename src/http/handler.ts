/**
 * The Web-standard HTTP handler of a service: `fetch(request) → Response`. It routes the request
 * by path and turns the endpoint's plain answer into a `Response`.
 *
 * @module
 */

import type { BodyDeadline } from "./body_deadline.ts";
import { readBodyText } from "./read_body.ts";
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
 * import { Service } from "../service.ts";
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
  return answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline);
}

/**
 * Answers a request sent to the endpoint's path, as {@linkcode handleHttpRequest} does, with the
 * `Response` of each plain answer made by `respond`: an adapter may make it the way its runtime
 * sends fastest (the Deno adapter does), as long as it is the same response.
 *
 * @internal The contract between the HTTP layer and the adapters; it may change in any release.
 * @param endpoint The service's JSON-RPC endpoint.
 * @param request The incoming request, sent to the endpoint's path.
 * @param respond Makes the response of a plain answer, such as {@linkcode toResponse}.
 * @param deadline How long the body may take to arrive (the endpoint's `bodyDeadline`, say), or
 *   `undefined` for as long as it takes.
 * @returns The response.
 * @example
 * ```ts
 * import { answerEndpointRequest, toResponse } from "./handler.ts";
 * import { Service } from "../service.ts";
 * const endpoint = new Service({ name: "demo" }).publicMethod("ping", () => "pong").rpcEndpoint();
 * const request = new Request("http://localhost/api", { method: "POST", body: '{"jsonrpc":"2.0","method":"ping","id":1}' });
 * await answerEndpointRequest(endpoint, request, toResponse, endpoint.bodyDeadline);
 * ```
 */
export function answerEndpointRequest(
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  deadline: BodyDeadline | undefined,
): Promise<Response> {
  const early = endpoint.answerHead(request.method, request.headers);
  if (early !== undefined) return Promise.resolve(respond(early));
  return answerBody(endpoint, request, respond, deadline);
}

async function answerBody(
  endpoint: RpcEndpoint,
  request: Request,
  respond: (reply: PlainReply) => Response,
  deadline: BodyDeadline | undefined,
): Promise<Response> {
  let text: string;
  try {
    text = await readBodyText(request, endpoint.maxBodyBytes, deadline);
  } catch (error) {
    return respond(endpoint.answerUnreadBody(error, request.headers));
  }
  // The request is the context as it is: its `signal` is read only when a call asks for it (on Deno,
  // merely reading it switches the request to an older abort behaviour and prints a warning).
  const reply = endpoint.answerBody(text, request);
  // A sync answer is used as it is: awaiting it would cost a promise turn.
  return respond(reply instanceof Promise ? await reply : reply);
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
