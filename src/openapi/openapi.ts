/**
 * `openapi()`: a service's methods as OpenAPI 3.1 operations, for REST tooling (gateways, code
 * generators, API portals) and `curl`. `GET /openapi.json` serves the document; each method is
 * `POST {path}/{method}` (`POST /api/get_order`) taking its params as a plain JSON body and
 * answering its result as plain JSON, errors as the JSON-RPC error object with an HTTP status.
 *
 * The routes call through the service's own dispatch (`service.handle`), so private methods want
 * the token, scopes are checked, and middlewares, timeouts and limits apply as at `POST /api`.
 *
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { openapi } from "./openapi.ts";
 *
 * const service = new Service({ name: "calculator" })
 *   .use(openapi())
 *   .publicMethod("add", (a: number, b: number) => a + b);
 * // curl -s localhost:5000/api/add -H 'content-type: application/json' -d '{"a":1,"b":2}'  →  3
 * ```
 *
 * @module
 */

import type { MethodDefinition } from "../core/method.ts";
import type { Plugin, PluginHost } from "../core/plugin.ts";
import { relativeUrl } from "../plugins/explorer/relative_url.ts";
import { type OpenApiDocument, openApiDocument, routeOf } from "./document.ts";
import { plainCall } from "./plain_call.ts";

export { OPENAPI_VERSION, type OpenApiDocument, openApiDocument, routeOf, SECURITY_SCHEMES } from "./document.ts";
export { APPLICATION_ERROR_STATUS, STATUS_OF_CODE, statusOf } from "./status.ts";

/**
 * Options of {@linkcode openapi}.
 *
 * @example
 * ```ts
 * import type { OpenApiOptions } from "./openapi.ts";
 * const options: OpenApiOptions = { path: "/v1/openapi.json", methods: (method) => !method.isPrivate };
 * ```
 */
export interface OpenApiOptions {
  /** Where the document is served. Default `/openapi.json`. */
  readonly path?: string | undefined;
  /**
   * Which methods become operations (and plain routes). Default: every registered method, public
   * and private (a private one still wants its token).
   */
  readonly methods?: ((method: MethodDefinition) => boolean) | undefined;
}

/** The default path of the document. */
const DEFAULT_PATH = "/openapi.json";

/**
 * The OpenAPI plugin: `GET`/`HEAD` on its path answers the OpenAPI 3.1 document of the service's
 * methods (made at each request, so methods registered later show); `POST {path}/{method}` calls
 * a method with a plain JSON body. Other HTTP methods on those paths are 405. `rpc.discover` gets
 * `x-openapi`: the document's URL relative to the JSON-RPC endpoint (the explorer page links it).
 *
 * @param options The document's path, and which methods to serve.
 * @returns The plugin.
 * @throws {TypeError} When the path does not start with `/`, or (at `use()`) it is the JSON-RPC path.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { openapi } from "./openapi.ts";
 * const service = new Service({ name: "calculator" }).use(openapi()).publicMethod("add", (a: number, b: number) => a + b);
 * const document = await (await service.fetch(new Request("http://localhost/openapi.json"))).json();
 * Object.keys(document.paths); // ["/api/add"]
 * const sum = await service.fetch(new Request("http://localhost/api/add", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ a: 1, b: 2 }),
 * }));
 * await sum.json(); // 3
 * ```
 */
export function openapi(options: OpenApiOptions = {}): Plugin {
  const path: unknown = options.path ?? DEFAULT_PATH;
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`The OpenAPI document's path must start with "/", got ${JSON.stringify(path)}`);
  const chosen = options.methods ?? (() => true);
  let host: PluginHost | undefined;
  const served = (service: PluginHost): MethodDefinition[] => service.listMethods().filter((method) => chosen(method));
  /** The method whose plain route `at` is, if it is one. */
  const methodAt = (service: PluginHost, at: string): MethodDefinition | undefined => {
    const prefix = routeOf(service.path, "");
    if (!at.startsWith(prefix)) return undefined;
    let name: string;
    try {
      name = decodeURIComponent(at.slice(prefix.length));
    } catch {
      return undefined; // a malformed escape names no method
    }
    const method = service.listMethods().find((candidate) => candidate.name === name);
    return method !== undefined && chosen(method) ? method : undefined;
  };
  return {
    name: "openapi",
    setup(service) {
      if (service.path === path) throw new TypeError(`The OpenAPI document's path must differ from the service path, got ${path}`);
      host = service;
    },
    // Where the document is, relative to the JSON-RPC endpoint's URL (so it holds behind a proxy
    // that adds a prefix): the explorer page links it.
    discover: () => (host === undefined ? undefined : { "x-openapi": relativeUrl(host.path, path) }),
    allows(at) {
      if (host === undefined) return undefined;
      if (at === path) return "GET, HEAD";
      return methodAt(host, at) === undefined ? undefined : "POST";
    },
    fetch(request, at) {
      const service = host;
      if (service === undefined) return undefined;
      if (at === path) {
        if (request.method !== "GET" && request.method !== "HEAD") return notAllowed("GET, HEAD");
        const body = `${JSON.stringify(openApiDocument(service, served(service)), null, 2)}\n`;
        return new Response(request.method === "HEAD" ? null : body, {
          headers: { "content-type": "application/json; charset=utf-8", "content-length": String(new TextEncoder().encode(body).byteLength) },
        });
      }
      const method = methodAt(service, at);
      if (method === undefined) return undefined;
      if (request.method !== "POST") return notAllowed("POST");
      return plainCall(service, method, request);
    },
  };
}

/**
 * The document of a service as `openapi()` serves it, without HTTP (to write it to a file, say).
 *
 * @param service The service.
 * @param options Which methods to describe (as `openapi()`'s option).
 * @returns The OpenAPI 3.1 document.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { openApiOf } from "./openapi.ts";
 * const service = new Service({ name: "calculator", version: "1.0.0" }).publicMethod("add", (a: number, b: number) => a + b);
 * openApiOf(service).info; // { title: "calculator", version: "1.0.0" }
 * ```
 */
export function openApiOf(service: PluginHost, options: Pick<OpenApiOptions, "methods"> = {}): OpenApiDocument {
  const chosen = options.methods ?? (() => true);
  return openApiDocument(service, service.listMethods().filter((method) => chosen(method)));
}

function notAllowed(allow: string): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { allow, "content-type": "text/plain;charset=UTF-8" } });
}
