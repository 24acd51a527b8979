/**
 * Cross-origin resource sharing (CORS), for the origins a service lists (see {@linkcode cors}).
 *
 * @module
 */

import type { Plugin, PluginHost } from "../core/plugin.ts";

/**
 * The CORS settings of a service.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { cors, type CorsOptions } from "./cors.ts";
 * const options: CorsOptions = {
 *   origins: ["https://app.example.com", "http://localhost:3000"],
 *   allowHeaders: ["X-Request-Id"],
 *   exposeHeaders: ["X-Request-Id"],
 *   credentials: true,
 * };
 * const service = new Service({ name: "s" }).use(cors(options));
 * ```
 */
export interface CorsOptions {
  /**
   * The origins allowed to call (`["https://app.example.com"]`: scheme, host and port, as in
   * `Origin`), `"*"` for any, or a function that decides.
   */
  readonly origins: readonly string[] | "*" | ((origin: string) => boolean);
  /** Request headers allowed besides `Content-Type`, `Authorization` and the API token header. */
  readonly allowHeaders?: readonly string[] | undefined;
  /** Response headers the page may read besides the simple ones. Default: none. */
  readonly exposeHeaders?: readonly string[] | undefined;
  /** Whether the page may send cookies and see the answer (`Access-Control-Allow-Credentials`). Default `false`. */
  readonly credentials?: boolean | undefined;
  /** How long a browser may keep a preflight's answer, in seconds. Default 600. */
  readonly maxAge?: number | undefined;
}

/**
 * The default time a browser may keep a preflight's answer, in seconds.
 *
 * @example
 * ```ts
 * import { cors, DEFAULT_CORS_MAX_AGE } from "./cors.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "s" }).use(cors({ origins: ["https://example.com"], maxAge: 2 * DEFAULT_CORS_MAX_AGE }));
 * ```
 */
export const DEFAULT_CORS_MAX_AGE = 600;

/**
 * A service's CORS rules, ready to apply.
 *
 * @example
 * ```ts
 * import { CorsPolicy } from "./cors.ts";
 * const cors = new CorsPolicy({ origins: ["https://app.example.com"] }, "X-Api-Token");
 * cors.headersFor("https://app.example.com");
 * // { "access-control-allow-origin": "https://app.example.com", vary: "Origin" }
 * cors.headersFor("https://evil.example"); // undefined
 * ```
 */
export class CorsPolicy {
  readonly #allows: (origin: string) => boolean;
  readonly #any: boolean;
  readonly #credentials: boolean;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string | undefined;
  readonly #maxAge: string;

  /**
   * Checks and keeps the settings.
   *
   * @param options The settings.
   * @param tokenHeader The service's API token header, allowed in requests.
   * @throws {TypeError} When `origins` is missing, or an origin is not a URL's origin.
   */
  constructor(options: CorsOptions, tokenHeader: string) {
    const origins: unknown = (options as Partial<CorsOptions> | undefined)?.origins;
    if (origins === "*") {
      this.#allows = () => true;
    } else if (typeof origins === "function") {
      const decide = origins as (origin: string) => boolean;
      // Only a real `true` allows: a JavaScript function might return anything.
      this.#allows = (origin) => (decide(origin) as unknown) === true;
    } else if (Array.isArray(origins)) {
      const allowed = new Set((origins as unknown[]).map(normalizeOrigin));
      this.#allows = (origin) => allowed.has(origin);
    } else {
      throw new TypeError('cors.origins must be a list of origins, "*" or a function');
    }
    this.#any = origins === "*";
    this.#credentials = options.credentials === true;
    this.#allowHeaders = ["Content-Type", "Authorization", tokenHeader, ...(options.allowHeaders ?? [])].join(", ");
    this.#exposeHeaders = options.exposeHeaders === undefined || options.exposeHeaders.length === 0 ? undefined : options.exposeHeaders.join(", ");
    this.#maxAge = String(options.maxAge ?? DEFAULT_CORS_MAX_AGE);
  }

  /**
   * The CORS headers of an answer to a request from an origin.
   *
   * @param origin The request's `Origin` header.
   * @returns The headers to add, or `undefined` when the origin is not allowed.
   * @example
   * ```ts
   * import { CorsPolicy } from "./cors.ts";
   * new CorsPolicy({ origins: "*" }, "X-Api-Token").headersFor("https://a.example");
   * // { "access-control-allow-origin": "*" }
   * ```
   */
  headersFor(origin: string): Record<string, string> | undefined {
    if (!this.#allows(origin)) return undefined;
    // `*` cannot go with credentials: then the origin is echoed, as for a list.
    const headers: Record<string, string> = this.#any && !this.#credentials
      ? { "access-control-allow-origin": "*" }
      : { "access-control-allow-origin": origin, vary: "Origin" };
    if (this.#credentials) headers["access-control-allow-credentials"] = "true";
    if (this.#exposeHeaders !== undefined) headers["access-control-expose-headers"] = this.#exposeHeaders;
    return headers;
  }

  /**
   * The headers of a preflight's answer (status 204).
   *
   * @param origin The request's `Origin` header.
   * @param methods The methods the path accepts, such as `"POST"`.
   * @returns The headers; only `Vary: Origin` when the origin is not allowed.
   * @example
   * ```ts
   * import { CorsPolicy } from "./cors.ts";
   * const cors = new CorsPolicy({ origins: ["https://a.example"] }, "X-Api-Token");
   * cors.preflightHeaders("https://a.example", "POST")["access-control-allow-methods"]; // "POST"
   * ```
   */
  preflightHeaders(origin: string, methods: string): Record<string, string> {
    const headers = this.headersFor(origin);
    if (headers === undefined) return { vary: "Origin" };
    headers["access-control-allow-methods"] = methods;
    headers["access-control-allow-headers"] = this.#allowHeaders;
    headers["access-control-max-age"] = this.#maxAge;
    headers["vary"] = "Origin";
    return headers;
  }
}

/**
 * Whether a request is a CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
 *
 * @param method The request's method.
 * @param headers Its headers.
 * @returns `true` for a preflight.
 * @example
 * ```ts
 * import { isPreflight } from "./cors.ts";
 * isPreflight("OPTIONS", new Headers({ origin: "https://a.example", "access-control-request-method": "POST" })); // true
 * ```
 */
export function isPreflight(method: string, headers: { get(name: string): string | null }): boolean {
  return method === "OPTIONS" && headers.get("access-control-request-method") !== null && headers.get("origin") !== null;
}

/** As browsers serialise an origin (no path, default port dropped), so listed ones compare equal. */
function normalizeOrigin(origin: unknown): string {
  if (origin === "null") return origin; // sandboxed pages and files: allowed only when listed
  if (typeof origin === "string") {
    try {
      const url = new URL(origin);
      if (url.origin !== "null") return url.origin;
    } catch {
      // Reported below.
    }
  }
  throw new TypeError(`Not an origin: ${String(origin)} (write it as https://host:port)`);
}

/**
 * Cross-origin calls from web pages (CORS), on the JSON-RPC path and every plugin path. A preflight
 * from an allowed origin is answered 204 with the path's methods and the request headers a caller
 * needs (`Content-Type`, `Authorization`, the API token header); answers to an allowed origin carry
 * `Access-Control-Allow-Origin`; other origins get no CORS headers, so the browser hides the
 * answer. Answers carry `Vary: Origin` (but JSON-RPC calls without an `Origin`).
 *
 * @param options The origins allowed, and the optional headers, credentials and preflight age.
 * @returns The plugin.
 * @throws {TypeError} When `origins` is missing, or an origin is not a URL's origin.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { cors } from "./cors.ts";
 * const service = new Service({ name: "s" }).use(cors({ origins: ["http://localhost:3000"] }));
 * const preflight = await service.fetch(new Request("http://localhost/api", {
 *   method: "OPTIONS",
 *   headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
 * }));
 * preflight.status; // 204
 * ```
 */
export function cors(options: CorsOptions): Plugin {
  let policy = new CorsPolicy(options, "X-Api-Token");
  let host: PluginHost | undefined;
  return {
    name: "cors",
    setup(service) {
      policy = new CorsPolicy(options, service.apiTokenHeader);
      host = service;
    },
    intercept(head) {
      if (!isPreflight(head.method, head.headers)) return undefined;
      const methods = host?.allowedMethods(head.path);
      if (methods === undefined) return undefined;
      return { status: 204, headers: policy.preflightHeaders(head.headers.get("origin") as string, methods), body: null };
    },
    headers(head) {
      if (isPreflight(head.method, head.headers)) return undefined; // answered with its own headers
      const origin = head.headers.get("origin");
      // A JSON-RPC call without an Origin costs nothing; other paths may be cached, so they vary.
      if (origin === null) return head.path === host?.path ? undefined : VARY_ORIGIN;
      return policy.headersFor(origin) ?? VARY_ORIGIN;
    },
  };
}

const VARY_ORIGIN: Readonly<Record<string, string>> = { vary: "Origin" };
