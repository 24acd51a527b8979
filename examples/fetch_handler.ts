/**
 * Fetch handler: a service as a module's default export, the `export default { fetch }` style that
 * `deno serve` and `bun run` serve by themselves (as do edge platforms that take such a module).
 *
 * ```sh
 * deno serve --host 127.0.0.1 --port 5000 examples/fetch_handler.ts
 * bun run examples/fetch_handler.ts        # listens on $HOST:$PORT, default 127.0.0.1:5000
 * ```
 *
 * Node.js has no such convention, and `deno run` does not serve a default export (it warns
 * "did you mean to run deno serve?"), so there the module serves itself with `serve()`:
 * `npx tsx examples/fetch_handler.ts` and `deno run -A examples/fetch_handler.ts` work too.
 *
 * @module
 */

import { detectRuntime, serve, Service } from "../mod.ts";

const service = new Service({ name: "fetch.handler.service" })
  .publicMethod("echo", (message: string) => message)
  .publicMethod("add", (a: number, b: number) => a + b)
  // Tells which runtime answered, so a caller can see who served the module.
  .publicMethod("runtime", () => detectRuntime());

const hostname = process.env["HOST"] ?? "127.0.0.1";
const port = Number(process.env["PORT"] ?? 5000);

/** Set once `deno serve` has started serving the default export. */
let servedByDenoServe = false;

/**
 * What `deno serve` and `bun run` pick up: the service's fetch handler (a bound function, so it can
 * be passed around alone), plus where to listen, which Bun reads (`deno serve` takes `--host` and
 * `--port` instead), and `onListen`, which `deno serve` calls once it listens.
 *
 * @example
 * ```ts
 * // The same shape for a service of your own, in a module of its own:
 * import { Service } from "../mod.ts";
 * const service = new Service({ name: "demo" }).publicMethod("ping", () => "pong");
 * export default { fetch: service.fetch };
 * ```
 */
export default {
  fetch: service.fetch,
  hostname,
  port,
  onListen(addr: { hostname: string; port: number }): void {
    servedByDenoServe = true;
    console.log(`${service.name} serving at http://${addr.hostname}:${addr.port}${service.path}`);
  },
};

// Bun serves the default export of the module it runs. `deno serve` does so right after this
// module is evaluated, before any timer fires. When neither did, nobody will: serve it here.
const servedByBun = detectRuntime() === "bun" && (import.meta as { main?: boolean }).main === true;
setTimeout(() => {
  if (servedByDenoServe) return;
  if (servedByBun) {
    console.log(`${service.name} serving at http://${hostname}:${port}${service.path}`);
    return;
  }
  void serve(service, { hostname, port, signals: true }).then((server) => {
    console.log(`${service.name} serving at ${server.url}${service.path}`);
  });
}, 0);
