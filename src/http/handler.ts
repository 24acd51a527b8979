/**
 * The Web-standard HTTP handler of a service: `fetch(request) → Response`. It routes the request
 * by path and turns the endpoint's plain answer into a `Response`.
 *
 * @module
 */

import type { DispatchTarget } from "../service/dispatch.ts";
import type { CorsPolicy } from "./cors.ts";
import { readBodyText } from "./read_body.ts";
import { answerRpcRequest, type PlainReply } from "./rpc_endpoint.ts";
import type { Site } from "./site.ts";

/** The HTTP settings of a service. */
export interface HttpOptions {
  /** The path of the JSON-RPC endpoint, such as `/api`. */
  readonly path: string;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** The CORS rules, when CORS is on. */
  readonly cors?: CorsPolicy | undefined;
  /** What answers the other paths (health, routes, static folders); without it they are 404. */
  readonly site?: Site | undefined;
}

/**
 * Answers one HTTP request for a service.
 *
 * @param target The service to dispatch to.
 * @param options The endpoint path and body limit.
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
 * await handleHttpRequest(service, { path: "/api", maxBodyBytes: 1 << 20 }, request);
 * ```
 */
export async function handleHttpRequest(
  target: DispatchTarget,
  options: HttpOptions,
  request: Request,
): Promise<Response> {
  const path = pathOf(request.url);
  if (path !== options.path) return options.site === undefined ? new Response("Not Found", { status: 404 }) : options.site.answer(request, path);
  const reply = await answerRpcRequest(target, options.maxBodyBytes, {
    method: request.method,
    headers: request.headers,
    // Read only when a call asks for it: on Deno, merely reading `request.signal` switches the
    // request to an older abort behaviour and prints a warning.
    get signal() {
      return request.signal;
    },
    readBody: (limit) => readBodyText(request, limit),
  }, options.cors);
  return toResponse(reply);
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
