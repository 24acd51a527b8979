/**
 * The root module for fetch-only platforms (package.json's conditions other than `node`, `deno`,
 * `bun`): mod.ts's exports, with `serve()` and `fileAccess()` as stand-ins that reject, so nothing
 * under `node:` is reachable.
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
