/**
 * The root module as the npm package gives it to browsers, workers and other fetch-only platforms
 * (package.json picks it for every condition but `node`, `deno` and `bun`): the same exports as
 * mod.ts, with `serve()` and `fileAccess()` replaced by stand-ins that reject, so that nothing under
 * `node:` is reachable from a service that imports no adapter.
 *
 * @example
 * ```ts
 * import { Service } from "./mod_web.ts";
 * // A worker's module exports this as its default export; the platform serves it.
 * const service = new Service({ name: "edge.service" }).publicMethod("ping", () => "pong");
 * (await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"ping","id":1}' }))).status; // 200
 * ```
 *
 * @module
 */

export * from "./portable.ts";
export { fileAccess, serve } from "./serve_unavailable.ts";
