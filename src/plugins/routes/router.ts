/**
 * Route matching for `routes()`: a method and a pattern such as `GET /users/:id`.
 *
 * A `:name` segment matches any one non-empty segment and is handed over decoded (a malformed `%`
 * escape matches nothing); other segments match exactly after decoding. No trailing-slash folding
 * or wildcards. Routes are tried in order; `HEAD` falls back to `GET`; a path routed only for
 * other methods is a 405.
 *
 * @module
 */

import type { ServiceRef } from "../../core/context.ts";

/** @internal */
type ParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}` ? Name
  : never;

/**
 * The params a path pattern gives its handler, such as `{ id: string }` for `/users/:id`.
 *
 * @typeParam Path The pattern.
 * @example
 * ```ts
 * import type { RouteParams } from "./router.ts";
 * const params: RouteParams<"/users/:id/posts/:post"> = { id: "7", post: "hello-world" };
 * ```
 */
export type RouteParams<Path extends string> = { readonly [K in ParamNames<Path>]: string };

/**
 * What a route's handler receives besides the request.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { routes } from "./routes.ts";
 * const service = new Service({ name: "users" })
 *   .publicMethod("get_user", (id: string) => ({ id }))
 *   .use(routes().route("GET", "/users/:id", async (_request, ctx) => {
 *     // ctx.params.id is the decoded segment; ctx.service calls the service's methods in process.
 *     const answer = await ctx.service.handle({ jsonrpc: "2.0", method: "get_user", params: [ctx.params.id], id: 1 });
 *     return Response.json(answer);
 *   }));
 * ```
 */
export interface RouteContext<Params = Readonly<Record<string, string>>> {
  /** The decoded values of the pattern's `:name` segments. */
  readonly params: Params;
  /** The service the route belongs to (its `name`, and `handle()` to call its methods in process). */
  readonly service: ServiceRef;
}

/**
 * A route's handler: a Web handler that also receives the route's params.
 *
 * @typeParam Params The params of its pattern.
 * @example
 * ```ts
 * import type { RouteHandler, RouteParams } from "./router.ts";
 * import { Service } from "../../core/service.ts";
 * import { routes } from "./routes.ts";
 * const showUser: RouteHandler<RouteParams<"/users/:id">> = (_request, ctx) => Response.json({ id: ctx.params.id });
 * const service = new Service({ name: "users" }).use(routes().route("GET", "/users/:id", showUser));
 * ```
 */
export type RouteHandler<Params = Readonly<Record<string, string>>> = (
  request: Request,
  ctx: RouteContext<Params>,
) => Response | Promise<Response>;

type Segment = { readonly literal: string } | { readonly param: string };

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly Segment[];
  readonly handler: RouteHandler;
}

/** The outcome of matching a request against the routes. */
export type RouteMatch =
  | { readonly handler: RouteHandler; readonly params: Readonly<Record<string, string>>; readonly pattern: string }
  | { readonly allow: string };

const PARAM_NAME = /^[A-Za-z_$][\w$]*$/;
// RFC 9110's, PATCH and QUERY: a typo such as "GTE" is refused.
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY"]);

/**
 * The routes of a service, in the order they were added.
 *
 * @example
 * ```ts
 * import { Router } from "./router.ts";
 * const router = new Router();
 * router.add("GET", "/users/:id", (_request, ctx) => new Response(ctx.params["id"]));
 * router.match("GET", "/users/42"); // { handler, params: { id: "42" }, pattern: "/users/:id" }
 * router.match("POST", "/users/42"); // { allow: "GET, HEAD" }
 * ```
 */
export class Router {
  readonly #routes: Route[] = [];

  /** How many routes there are. */
  get size(): number {
    return this.#routes.length;
  }

  /**
   * Tells whether a pattern is routed, for any method.
   *
   * @param pattern The pattern, such as `/users/:id`.
   * @returns `true` when some route has exactly that pattern.
   * @example
   * ```ts
   * import { Router } from "./router.ts";
   * const router = new Router();
   * router.add("GET", "/api", () => new Response("no"));
   * router.hasPattern("/api"); // true
   * ```
   */
  hasPattern(pattern: string): boolean {
    return this.#routes.some((route) => route.pattern === pattern);
  }

  /**
   * Adds a route.
   *
   * @param method The HTTP method, such as `GET` (case-insensitive).
   * @param pattern The path pattern, such as `/users/:id`.
   * @param handler The handler.
   * @throws {TypeError} When the method is not an HTTP token, the pattern does not start with `/`,
   *   has a bad or repeated param name, or the same method and pattern are already routed.
   * @example
   * ```ts
   * import { Router } from "./router.ts";
   * new Router().add("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params["name"]}`));
   * ```
   */
  add(method: string, pattern: string, handler: RouteHandler): void {
    if (typeof method !== "string" || !METHODS.has(method.toUpperCase())) {
      throw new TypeError(`Not an HTTP method: ${JSON.stringify(method)} (one of ${[...METHODS].join(", ")})`);
    }
    if (typeof pattern !== "string" || !pattern.startsWith("/") || /[?#]/.test(pattern)) {
      throw new TypeError(`A route's path must start with "/" and have no query or fragment, got ${JSON.stringify(pattern)}`);
    }
    if (typeof handler !== "function") throw new TypeError(`The handler of ${method} ${pattern} is not a function`);
    const upper = method.toUpperCase();
    const names = new Set<string>();
    const segments = pattern.slice(1).split("/").map((part): Segment => {
      if (!part.startsWith(":")) return { literal: part };
      const name = part.slice(1);
      if (!PARAM_NAME.test(name) || names.has(name)) throw new TypeError(`Bad or repeated param name :${name} in ${pattern}`);
      names.add(name);
      return { param: name };
    });
    if (this.#routes.some((route) => route.method === upper && route.pattern === pattern)) {
      throw new TypeError(`${upper} ${pattern} is already routed`);
    }
    this.#routes.push({ method: upper, pattern, segments, handler });
  }

  /**
   * Finds the route for a request.
   *
   * @param method The request's method, upper case.
   * @param path The request's path, as sent (percent-encoded).
   * @returns The handler and params; or, when only other methods match the path, the `Allow`
   *   header's value; or `undefined` when no route matches the path.
   * @example
   * ```ts
   * import { Router } from "./router.ts";
   * new Router().match("GET", "/nothing"); // undefined
   * ```
   */
  match(method: string, path: string): RouteMatch | undefined {
    if (this.#routes.length === 0) return undefined;
    const parts = path.slice(1).split("/");
    let headFallback: RouteMatch | undefined;
    let allowed: string[] | undefined;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts);
      if (params === undefined) continue;
      if (route.method === method) return { handler: route.handler, params, pattern: route.pattern };
      if (method === "HEAD" && route.method === "GET") headFallback ??= { handler: route.handler, params, pattern: route.pattern };
      (allowed ??= []).push(route.method);
    }
    if (headFallback !== undefined) return headFallback;
    return allowed === undefined ? undefined : { allow: allowHeader(allowed) };
  }

  /**
   * The methods routed at a path (for a CORS preflight), or `undefined` when none.
   *
   * @param path The request's path.
   * @returns The `Allow` header's value, such as `"GET, HEAD"`.
   * @example
   * ```ts
   * import { Router } from "./router.ts";
   * const router = new Router();
   * router.add("PUT", "/items/:id", () => new Response(null, { status: 204 }));
   * router.allowedAt("/items/1"); // "PUT"
   * ```
   */
  allowedAt(path: string): string | undefined {
    const parts = path.slice(1).split("/");
    const methods = this.#routes.filter((route) => matchSegments(route.segments, parts) !== undefined).map((route) => route.method);
    return methods.length === 0 ? undefined : allowHeader(methods);
  }
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  // No prototype: a param named `__proto__` or `constructor` is just a name.
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    const value = decodeSegment(parts[i] as string);
    if (value === undefined) return undefined;
    if ("literal" in segment) {
      if (value !== segment.literal) return undefined;
    } else {
      if (value === "") return undefined;
      params[segment.param] = value;
    }
  }
  return params;
}

/**
 * Decodes one percent-encoded path segment, without throwing.
 *
 * @param segment The segment as sent.
 * @returns The decoded text, or `undefined` for a malformed escape or invalid UTF-8.
 * @example
 * ```ts
 * import { decodeSegment } from "./router.ts";
 * decodeSegment("caf%C3%A9"); // "café"
 * decodeSegment("%E0%A4%A"); // undefined
 * ```
 */
export function decodeSegment(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function allowHeader(methods: readonly string[]): string {
  const unique = new Set(methods);
  if (unique.has("GET")) unique.add("HEAD");
  return [...unique].join(", ");
}
