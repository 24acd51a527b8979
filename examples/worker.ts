/**
 * An edge worker: a module whose only export is the service, as its default export. Platforms that
 * serve a module's default `fetch` (Cloudflare Workers, Deno Deploy, `deno serve`, `bun run`) take it
 * as it is. In a project of your own, where it imports from "tsmicroservice", a bundler targeting
 * a browser or a worker finds nothing under `node:` in it (test/runtime/package.test.ts bundles it):
 * the npm package's build for those platforms leaves out `serve()` and the adapters.
 *
 * ```sh
 * deno serve --host 127.0.0.1 --port 5000 examples/worker.ts
 * npx esbuild worker.ts --bundle --format=esm --platform=browser --outfile=dist/worker.js
 * ```
 *
 * @module
 */

import { Service } from "../mod.ts";

/**
 * The service, served by the platform that loads this module.
 *
 * @example
 * ```ts
 * import service from "./worker.ts";
 * const response = await service.fetch(new Request("http://localhost/api", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: '{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}',
 * }));
 * console.log(await response.json()); // { jsonrpc: "2.0", result: 5, id: 1 }
 * ```
 */
export default new Service({ name: "edge.worker.service" })
  .publicMethod("add", (a: number, b: number) => a + b)
  .publicMethod("greet", (name: string) => `hello ${name}, from the edge`);
