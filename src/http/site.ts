/**
 * Everything a service answers besides its JSON-RPC path: the health check, extra routes and static
 * folders (in that order, before the 404), with CORS preflights and headers when CORS is on.
 *
 * @module
 */

import type { ServiceRef } from "../core/context.ts";
import { type CorsPolicy, isPreflight } from "../plugins/cors.ts";
import { answerHealth } from "../plugins/health.ts";
import type { Router } from "../plugins/routes/router.ts";
import type { StaticErrorReporter, StaticFolders } from "../plugins/static/static_files.ts";

/** What a site is made of. */
export interface SiteParts {
  /** The service: its name and version for the health check, and what route handlers see of it. */
  readonly service: ServiceRef & { readonly version: string };
  /** The health check's path, or `undefined` when it is off. */
  readonly healthPath: string | undefined;
  /** Whether the service is stopping (the health check answers 503 then). */
  readonly isStopping: () => boolean;
  /** The extra routes. */
  readonly router: Router;
  /** The static folders, if any. */
  readonly statics: StaticFolders | undefined;
  /** The CORS rules, when CORS is on. */
  readonly cors: CorsPolicy | undefined;
  /** Told about errors thrown by route handlers and failures of static folders. */
  readonly report: StaticErrorReporter;
}

const GET_HEAD = "GET, HEAD";

/**
 * The non-RPC side of a service.
 *
 * @example
 * ```ts
 * import { Router } from "../plugins/routes/router.ts";
 * import { Site } from "./site.ts";
 * import { Service } from "../core/service.ts";
 * const router = new Router();
 * router.add("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params["name"]}`));
 * const site = new Site({
 *   service: new Service({ name: "demo" }),
 *   healthPath: "/health",
 *   isStopping: () => false,
 *   router,
 *   statics: undefined,
 *   cors: undefined,
 *   report: () => {},
 * });
 * await (await site.answer(new Request("http://localhost/hello/you"), "/hello/you")).text(); // "hello you"
 * ```
 */
export class Site {
  readonly #parts: SiteParts;

  /** @param parts What the site is made of. */
  constructor(parts: SiteParts) {
    this.#parts = parts;
  }

  /**
   * Answers a request for a path other than the JSON-RPC one.
   *
   * @param request The request.
   * @param path Its path, as sent.
   * @returns The answer (404 when nothing serves the path).
   * @example
   * ```ts
   * import { Router } from "../plugins/routes/router.ts";
   * import { Site } from "./site.ts";
   * import { Service } from "../core/service.ts";
   * const parts = { service: new Service({ name: "s" }), healthPath: "/health", isStopping: () => false };
   * const site = new Site({ ...parts, router: new Router(), statics: undefined, cors: undefined, report: () => {} });
   * (await site.answer(new Request("http://localhost/health"), "/health")).status; // 200
   * ```
   */
  async answer(request: Request, path: string): Promise<Response> {
    const cors = this.#parts.cors;
    if (cors === undefined) return await this.#route(request, path);
    const origin = request.headers.get("origin");
    if (origin !== null && isPreflight(request.method, request.headers)) {
      const methods = this.#methodsAt(path);
      if (methods === undefined) return notFound();
      return new Response(null, { status: 204, headers: cors.preflightHeaders(origin, methods) });
    }
    const response = await this.#route(request, path);
    // The answer depends on the Origin, also when there is none: caches must keep them apart.
    return withHeaders(response, (origin === null ? undefined : cors.headersFor(origin)) ?? { vary: "Origin" });
  }

  async #route(request: Request, path: string): Promise<Response> {
    const { healthPath, router, statics } = this.#parts;
    const method = request.method;
    if (path === healthPath) {
      const { name, version } = this.#parts.service;
      return answerHealth(method, { status: this.#parts.isStopping() ? "stopping" : "ok", name, version });
    }
    const match = router.match(method, path);
    if (match !== undefined) {
      if ("allow" in match) return methodNotAllowed(match.allow);
      const where = `${method} ${match.pattern}`;
      let response: unknown;
      try {
        response = await match.handler(request, { params: match.params, service: this.#parts.service });
      } catch (error) {
        this.#parts.report(error, where);
        return internalError();
      }
      if (!(response instanceof Response)) {
        this.#parts.report(new TypeError(`The route ${where} returned ${typeof response}, not a Response`), where);
        return internalError();
      }
      return method === "HEAD" ? await withoutBody(response) : response;
    }
    return (await statics?.answer(request, path)) ?? notFound();
  }

  /** The methods a path accepts, for a preflight. */
  #methodsAt(path: string): string | undefined {
    const { healthPath, router, statics } = this.#parts;
    if (path === healthPath) return GET_HEAD;
    return router.allowedAt(path) ?? (statics?.covers(path) === true ? GET_HEAD : undefined);
  }
}

/** A response with headers added (`Vary` appended to, the others set). */
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

/** The answer to a HEAD: the GET's status and headers, without the body. */
async function withoutBody(response: Response): Promise<Response> {
  if (response.body === null) return response;
  await response.body.cancel().catch(() => {});
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

function methodNotAllowed(allow: string): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { allow, "content-type": "text/plain;charset=UTF-8" } });
}

function internalError(): Response {
  return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain;charset=UTF-8" } });
}
