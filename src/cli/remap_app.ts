/**
 * `serve --path` and `serve --token-header`: a Service's path and token header are set when it is
 * made, so the command serves it behind a thin app that maps the path and the header the command
 * line asks for onto the service's own.
 *
 * @module
 */

import type { FetchApp } from "../adapters/types.ts";

/**
 * What to map: the path calls should be sent to, and the header their token comes in.
 *
 * @example
 * ```ts
 * import type { RemapOptions } from "./remap_app.ts";
 * const options: RemapOptions = { path: "/rpc", tokenHeader: "X-Token" };
 * ```
 */
export interface RemapOptions {
  /** The JSON-RPC path to answer at, instead of the service's own. */
  readonly path?: string;
  /** The header to read the API token from, instead of the service's own. */
  readonly tokenHeader?: string;
}

/**
 * What the mapping reads of the app, when it has them (a Service has both); a `{ fetch }` app
 * without them is taken to use the defaults, `/api` and `X-Api-Token`.
 *
 * @example
 * ```ts
 * import type { RemappableApp } from "./remap_app.ts";
 * const app: RemappableApp = { fetch: () => new Response("hi"), path: "/api", apiTokenHeader: "X-Api-Token" };
 * ```
 */
export interface RemappableApp extends FetchApp {
  /** The app's own JSON-RPC path. */
  readonly path?: unknown;
  /** The app's own token header. */
  readonly apiTokenHeader?: unknown;
}

/**
 * Wraps an app so that it answers JSON-RPC at `options.path` (its own path then answers 404, so
 * there is one endpoint) and reads the API token from `options.tokenHeader` (a token sent in its
 * own header is then ignored; `Authorization: Bearer` still works). Other paths pass through as
 * they are. The app's `startup` and `shutdown` are kept; calls go through its `fetch`, not through
 * the Node adapter's shortcut, so they cost a little more. Without anything to map, gives back the
 * app itself.
 *
 * @param app The app to serve.
 * @param options The path and the token header to use.
 * @returns The app to serve.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { remapApp } from "./remap_app.ts";
 * const service = new Service({ name: "s", apiTokenIsValid: (token: string) => token === "t" }).privateMethod("ping", () => "pong");
 * const app = remapApp(service, { path: "/rpc", tokenHeader: "X-Token" });
 * const response = await app.fetch(new Request("http://localhost/rpc", {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "x-token": "t" },
 *   body: JSON.stringify({ jsonrpc: "2.0", method: "ping", id: 1 }),
 * }));
 * await response.json(); // { jsonrpc: "2.0", result: "pong", id: 1 }
 * ```
 */
export function remapApp(app: RemappableApp, options: RemapOptions): FetchApp {
  const ownPath = typeof app.path === "string" ? app.path : "/api";
  const ownHeader = typeof app.apiTokenHeader === "string" ? app.apiTokenHeader : "X-Api-Token";
  const path = options.path !== undefined && options.path !== ownPath ? options.path : undefined;
  const header = options.tokenHeader !== undefined && options.tokenHeader.toLowerCase() !== ownHeader.toLowerCase()
    ? options.tokenHeader
    : undefined;
  if (path === undefined && header === undefined) return app;
  const wrapped: FetchApp = {
    fetch(request: Request): Response | Promise<Response> {
      const url = new URL(request.url);
      if (path !== undefined) {
        if (url.pathname === ownPath) return new Response("Not Found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
        if (url.pathname === path) url.pathname = ownPath;
      }
      let headers = request.headers;
      if (header !== undefined) {
        headers = new Headers(request.headers);
        headers.delete(ownHeader);
        const token = headers.get(header);
        if (token !== null) headers.set(ownHeader, token);
      }
      if (headers === request.headers && url.href === request.url) return app.fetch(request);
      // `duplex` is required by Node.js's fetch for a streamed body, and missing from the DOM types.
      const init: RequestInit & { duplex: "half" } = { method: request.method, headers, body: request.body, signal: request.signal, duplex: "half" };
      return app.fetch(new Request(url, init));
    },
  };
  return {
    ...wrapped,
    ...(app.startup === undefined ? {} : { startup: app.startup.bind(app) }),
    ...(app.shutdown === undefined ? {} : { shutdown: app.shutdown.bind(app) }),
  };
}
