/**
 * `explorer()`: an API explorer page (`GET /docs` by default), like FastAPI's `/docs`, built in the
 * browser from the service's own `rpc.discover`: every method and event, a form per method, an
 * "Authorize" field for the token (in `sessionStorage`), "copy as curl", a batch composer, and the
 * OpenRPC document at `/docs/openrpc.json` (see docs/explorer.md).
 *
 * One self-contained page (no CDN, no build step) under a strict Content-Security-Policy: only its
 * own script and style run (by hash), it talks only to its origin, and the service's texts are put
 * in as text, never markup.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { explorer } from "./explorer.ts";
 * const service = new Service({ name: "orders", version: "1.0.0" })
 *   .use(explorer())
 *   .publicMethod("ping", () => "pong");
 * (await service.fetch(new Request("http://localhost/docs"))).headers.get("content-type"); // "text/html; charset=utf-8"
 * ```
 *
 * @module
 */

import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { contentSecurityPolicy, hashSource, type PageHashes } from "./content_security_policy.ts";
import { renderPage } from "./page.ts";
import { PAGE_SCRIPT } from "./page_script.ts";
import { PAGE_STYLE } from "./page_style.ts";
import { relativeUrl } from "./relative_url.ts";

export type { PageHashes } from "./content_security_policy.ts";

/**
 * The default path of the explorer page.
 *
 * @example
 * ```ts
 * import { DEFAULT_EXPLORER_PATH, explorer } from "./explorer.ts";
 * import { Service } from "../../core/service.ts";
 * const service = new Service({ name: "s" }).use(explorer());
 * (await service.fetch(new Request(`http://localhost${DEFAULT_EXPLORER_PATH}`))).status; // 200
 * ```
 */
export const DEFAULT_EXPLORER_PATH = "/docs";

/**
 * Options of {@linkcode explorer}.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { explorer, type ExplorerOptions } from "./explorer.ts";
 * const options: ExplorerOptions = { path: "/explorer" };
 * new Service({ name: "s" }).use(explorer(options));
 * ```
 */
export interface ExplorerOptions {
  /**
   * The page's path; the OpenRPC document is served at this path plus `/openrpc.json`. Default
   * `"/docs"`.
   */
  readonly path?: string | undefined;
}

/**
 * The headers every explorer answer carries besides its content type: no sniffing, no referrer,
 * no framing.
 *
 * @example
 * ```ts
 * import { EXPLORER_HEADERS } from "./explorer.ts";
 * EXPLORER_HEADERS["x-content-type-options"]; // "nosniff"
 * ```
 */
export const EXPLORER_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

let hashes: Promise<PageHashes> | undefined;

/**
 * The SHA-256 sources of the page's inline script and style, computed once: the same for every
 * service, whose facts go in attributes.
 *
 * @returns The hash sources, for the Content-Security-Policy.
 * @example
 * ```ts
 * import { pageHashes } from "./explorer.ts";
 * (await pageHashes()).script.startsWith("'sha256-"); // true
 * ```
 */
export function pageHashes(): Promise<PageHashes> {
  hashes ??= Promise.all([hashSource(PAGE_SCRIPT), hashSource(PAGE_STYLE)]).then(([script, style]) => ({ script, style }));
  return hashes;
}

/**
 * The explorer page plugin: `GET`/`HEAD` on its path answers the page, on `<path>/openrpc.json`
 * the OpenRPC document; `<path>/` redirects; other methods are 405. It follows the service's
 * `path` and `apiTokenHeader`, and works with `cors()`.
 *
 * @param options The page's path (default `/docs`).
 * @returns The plugin.
 * @throws {TypeError} When the path does not start with `/`, or (at `use()`) it or the document's
 *   path is the JSON-RPC path.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { explorer } from "./explorer.ts";
 * const service = new Service({ name: "orders", path: "/rpc" }).use(explorer({ path: "/explorer" }));
 * const document = await (await service.fetch(new Request("http://localhost/explorer/openrpc.json"))).json();
 * document.info.title; // "orders"
 * ```
 */
export function explorer(options: ExplorerOptions = {}): Plugin {
  const path: unknown = options.path ?? DEFAULT_EXPLORER_PATH;
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`The explorer path must start with "/", got ${JSON.stringify(path)}`);
  const documentPath = `${path.endsWith("/") ? path : `${path}/`}openrpc.json`;
  const slashed = path.endsWith("/") ? undefined : `${path}/`;
  let host: PluginHost | undefined;
  let html: string | undefined;
  return {
    name: "explorer",
    setup(service) {
      if (service.path === path || service.path === documentPath) {
        throw new TypeError(`The explorer's paths must differ from the service path, got ${service.path}`);
      }
      host = service;
      html = renderPage({
        title: service.name,
        rpcUrl: relativeUrl(path, service.path),
        documentUrl: relativeUrl(path, documentPath),
        tokenHeader: service.apiTokenHeader,
      });
      // Hashing starts now; only a request arriving before it is done waits.
      void pageHashes();
    },
    allows: (at) => (at === path || at === documentPath ? "GET, HEAD" : undefined),
    fetch(request, at) {
      if (host === undefined || html === undefined) return undefined;
      if (at === path) {
        const page = html;
        return answerWith(request.method, async () => ({
          body: page,
          headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": contentSecurityPolicy(await pageHashes()) },
        }));
      }
      if (at === documentPath) {
        const service = host;
        return answerWith(request.method, async () => {
          const answer = await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 }) as { result?: unknown };
          return { body: `${JSON.stringify(answer.result, null, 2)}\n`, headers: { "content-type": "application/json; charset=utf-8" } };
        });
      }
      if (at === slashed) {
        const last = path.slice(path.lastIndexOf("/") + 1);
        // Relative, so it also works behind a proxy that adds a prefix.
        return new Response(null, { status: 308, headers: { location: `../${last}`, ...EXPLORER_HEADERS } });
      }
      return undefined;
    },
  };
}

/** What a GET of one of the explorer's paths answers. */
interface Answer {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function answerWith(method: string, make: () => Promise<Answer>): Promise<Response> {
  if (method !== "GET" && method !== "HEAD") {
    return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD", "content-type": "text/plain;charset=UTF-8", ...EXPLORER_HEADERS } });
  }
  const { body, headers } = await make();
  return new Response(method === "HEAD" ? null : body, {
    status: 200,
    headers: { ...headers, ...EXPLORER_HEADERS, "content-length": String(new TextEncoder().encode(body).byteLength) },
  });
}
