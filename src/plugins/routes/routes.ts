/**
 * `routes()`: extra HTTP routes beside the JSON-RPC endpoint (the Python original's
 * `extra_handlers`), Web handlers whose `:name` segments arrive decoded in `ctx.params`.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { routes } from "./routes.ts";
 * const service = new Service({ name: "site" })
 *   .use(routes().route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}`)));
 * await (await service.fetch(new Request("http://localhost/hello/world"))).text(); // "hello world"
 * ```
 *
 * @module
 */

import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { internalServerError } from "../../http/handler.ts";
import { type RouteHandler, type RouteParams, Router } from "./router.ts";

/**
 * A set of routes and the plugin serving them, matched as the router module says (in order, `HEAD`
 * as `GET` without the body, 405 with `Allow`). A handler that throws or returns no `Response` is
 * reported to `onError` and answered with a plain 500.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { Routes } from "./routes.ts";
 * const site = new Routes()
 *   .route("GET", "/users/:id", (_request, ctx) => Response.json({ id: ctx.params.id }))
 *   .route("POST", "/users", () => new Response(null, { status: 201 }));
 * const service = new Service({ name: "users" }).use(site);
 * ```
 */
export class Routes implements Plugin {
  /** The plugin's name. */
  readonly name = "routes";
  readonly #router = new Router();
  #host: PluginHost | undefined;

  /**
   * Adds a route.
   *
   * @param method The HTTP method, such as `GET`.
   * @param path The path pattern, such as `/users/:id`.
   * @param handler Answers the request; `ctx.params` holds the segments, `ctx.service` the service.
   * @returns These routes.
   * @throws {TypeError} When the method or pattern is invalid, the pattern is the JSON-RPC path, or
   *   the same method and pattern are already routed.
   * @example
   * ```ts
   * import { routes } from "./routes.ts";
   * const site = routes().route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}`));
   * ```
   */
  route<Path extends string>(method: string, path: Path, handler: RouteHandler<RouteParams<Path>>): this {
    if (this.#host !== undefined && path === this.#host.path) throw new TypeError(`${path} is the JSON-RPC path: route another path`);
    this.#router.add(method, path, handler as RouteHandler);
    return this;
  }

  /**
   * Part of the plugin contract: checks that no route takes the JSON-RPC path.
   *
   * @param service The service.
   * @throws {TypeError} When a route's pattern is the JSON-RPC path.
   * @example
   * ```ts
   * import { Service } from "../../core/service.ts";
   * import { routes } from "./routes.ts";
   * new Service({ name: "s" }).use(routes()); // calls setup
   * ```
   */
  setup(service: PluginHost): void {
    if (this.#router.hasPattern(service.path)) throw new TypeError(`${service.path} is the JSON-RPC path: route another path`);
    this.#host = service;
  }

  /**
   * Part of the plugin contract: the methods routed at a path.
   *
   * @param path The path.
   * @returns Such as `"GET, HEAD"`, or `undefined`.
   * @example
   * ```ts
   * import { routes } from "./routes.ts";
   * routes().route("GET", "/a", () => new Response("a")).allows("/a"); // "GET, HEAD"
   * ```
   */
  allows(path: string): string | undefined {
    return this.#router.allowedAt(path);
  }

  /**
   * Part of the plugin contract: answers a request whose path a route matches.
   *
   * @param request The request.
   * @param path Its path, as sent.
   * @returns The route's answer, 405 for a path routed only for other methods, or `undefined`.
   * @example
   * ```ts
   * import { routes } from "./routes.ts";
   * const site = routes().route("GET", "/a", () => new Response("a"));
   * (await site.fetch(new Request("http://localhost/a"), "/a"))?.status; // 200
   * ```
   */
  async fetch(request: Request, path: string): Promise<Response | undefined> {
    const method = request.method;
    const match = this.#router.match(method, path);
    if (match === undefined) return undefined;
    if ("allow" in match) {
      return new Response("Method Not Allowed", { status: 405, headers: { allow: match.allow, "content-type": "text/plain;charset=UTF-8" } });
    }
    const where = `${method} ${match.pattern}`;
    let response: unknown;
    try {
      response = await match.handler(request, { params: match.params, service: this.#host as PluginHost });
    } catch (error) {
      this.#host?.report(error, where);
      return internalServerError();
    }
    if (!(response instanceof Response)) {
      this.#host?.report(new TypeError(`The route ${where} returned ${typeof response}, not a Response`), where);
      return internalServerError();
    }
    return method === "HEAD" ? await withoutBody(response) : response;
  }
}

/**
 * Makes an empty set of routes; add them with {@linkcode Routes.route}, then give it to `use()`.
 *
 * @returns The routes plugin.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { routes } from "./routes.ts";
 * const service = new Service({ name: "site" })
 *   .use(routes().route("GET", "/", () => new Response("welcome")));
 * ```
 */
export function routes(): Routes {
  return new Routes();
}

async function withoutBody(response: Response): Promise<Response> {
  if (response.body === null) return response;
  await response.body.cancel().catch(() => {});
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export type { RouteContext, RouteHandler, RouteParams } from "./router.ts";
