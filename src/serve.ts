/**
 * `serve()`: starts a server for an app on whichever runtime this is (Deno, Bun or Node.js).
 *
 * @module
 */

import type { FetchApp, ServeOptions, ServerHandle } from "./adapters/types.ts";
import type { FileAccess } from "./http/file_access.ts";
import { detectRuntime, type Runtime } from "./runtime.ts";

/**
 * Serves an app (a {@linkcode Service} or anything with `fetch(request)`) with the current
 * runtime's HTTP server (`Deno.serve`, `Bun.serve` or `node:http`), loading only that adapter.
 *
 * An app's `startup` hook (a Service has one) is called with the runtime's file access before
 * listening, and its `shutdown` hook around the server's close: a Service answers its health check
 * with 503 while the server drains, then runs `onStop`.
 *
 * @param app The app to serve.
 * @param options Where to listen: `hostname` (default `127.0.0.1`) and `port` (default 8000; `0`
 *   picks a free one); `closeTimeout` (ms `close()` lets calls in flight run, default 10,000);
 *   `signals: true` to stop gracefully on `SIGINT` and `SIGTERM` and then end the process.
 * @returns The running server: `url`, `port`, and `close()` that lets calls in flight finish.
 * @throws When the address cannot be listened on, or the app's `startup` throws.
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * import { Service } from "./core/service.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * const server = await serve(service, { port: 0 });
 * console.log(`${server.url}/api`);
 * await server.close();
 * ```
 */
export async function serve(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  const runtime = detectRuntime();
  const serveOn = await adapterFor(runtime);
  if (app.startup !== undefined) await app.startup({ files: await fileAccessFor(runtime) });
  let server: ServerHandle;
  try {
    server = await serveOn(app, options);
  } catch (error) {
    // Listening failed: undo the start (onStop, periodic tasks) before reporting it.
    await Promise.resolve(app.shutdown?.(() => Promise.resolve())).catch(() => {});
    throw error;
  }
  let closing: Promise<void> | undefined;
  let stopListening = (): void => {};
  const handle: ServerHandle = {
    hostname: server.hostname,
    port: server.port,
    url: server.url,
    close(): Promise<void> {
      closing ??= (async () => {
        stopListening();
        const drainDelay = options.drainDelay ?? 0;
        // The service says it is stopping at once; the listener stays open for the drain delay.
        const drain = drainDelay > 0 ? () => delay(drainDelay).then(() => server.close()) : () => server.close();
        if (app.shutdown === undefined) await drain();
        else await app.shutdown(drain);
      })();
      return closing;
    },
  };
  if (options.signals === true) stopListening = (await import("./adapters/signals.ts")).stopOnSignals(() => handle.close());
  return handle;
}

/**
 * The current runtime's file access, for `staticFiles()`'s `files` option when `serve()` (which
 * hands it in itself) is not used: a default export served by `deno serve` or `bun run`, say.
 *
 * @returns Node.js's, Deno's or Bun's file access.
 * @example
 * ```ts
 * import { fileAccess } from "./serve.ts";
 * import { Service } from "./core/service.ts";
 * import { staticFiles } from "./plugins/static/static.ts";
 * // export default new Service({ ... }), served by `deno serve` or `bun run`:
 * const service = new Service({ name: "site" })
 *   .use(staticFiles({ "/static/": new URL("../examples/public/", import.meta.url) }, { files: await fileAccess() }));
 * ```
 */
export function fileAccess(): Promise<FileAccess> {
  return fileAccessFor(detectRuntime());
}

type Adapter = (app: FetchApp, options: ServeOptions) => Promise<ServerHandle>;

async function adapterFor(runtime: Runtime): Promise<Adapter> {
  switch (runtime) {
    case "deno":
      return (await import("./adapters/deno.ts")).serveDeno;
    case "bun":
      return (await import("./adapters/bun.ts")).serveBun;
    default:
      return (await import("./adapters/node.ts")).serveNode;
  }
}

async function fileAccessFor(runtime: Runtime): Promise<FileAccess> {
  switch (runtime) {
    case "deno":
      return (await import("./adapters/deno_files.ts")).denoFileAccess;
    case "bun":
      return (await import("./adapters/bun_files.ts")).bunFileAccess;
    default:
      return (await import("./adapters/node_files.ts")).nodeFileAccess;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
