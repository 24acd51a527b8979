/**
 * `serve()`: starts a server for an app on whichever runtime this is (Deno, Bun or Node.js).
 *
 * @module
 */

import type { FetchApp, ServeOptions, ServerHandle } from "./adapters/types.ts";

/** The runtimes `serve()` knows. */
export type Runtime = "deno" | "bun" | "node";

/**
 * Tells which runtime this code runs on.
 *
 * @returns `"deno"`, `"bun"` or `"node"`.
 * @example
 * ```ts
 * import { detectRuntime } from "./serve.ts";
 * console.log(detectRuntime());
 * ```
 */
export function detectRuntime(): Runtime {
  const global = globalThis as { Deno?: unknown; Bun?: unknown };
  if (global.Deno !== undefined) return "deno";
  if (global.Bun !== undefined) return "bun";
  return "node";
}

/**
 * Serves an app (a {@linkcode Service} or anything with `fetch(request)`) with the current
 * runtime's own HTTP server: `Deno.serve`, `Bun.serve` or `node:http`. Only that runtime's adapter
 * is loaded.
 *
 * @param app The app to serve.
 * @param options Where to listen: `hostname` (default `127.0.0.1`) and `port` (default 8000; `0`
 *   picks a free one).
 * @returns The running server: `url`, `port`, and `close()` that lets calls in flight finish.
 * @throws When the address cannot be listened on.
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * import { Service } from "./service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const server = await serve(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 */
export async function serve(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  switch (detectRuntime()) {
    case "deno":
      return (await import("./adapters/deno.ts")).serveDeno(app, options);
    case "bun":
      return (await import("./adapters/bun.ts")).serveBun(app, options);
    default:
      return (await import("./adapters/node.ts")).serveNode(app, options);
  }
}
