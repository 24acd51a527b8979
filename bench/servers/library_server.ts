/**
 * The library's side of each benchmark pair: the same methods as the baselines, registered on a
 * Service and served with serve() on whichever runtime runs this file. Listens on 127.0.0.1:$PORT.
 *
 * `GET /heap` answers the JavaScript heap in use after a full garbage collection (when the runtime
 * lets one be forced: Node.js with `--expose-gc`, Deno with `--v8-flags=--expose-gc`, Bun always),
 * for bench/soak.ts. The JSON-RPC path never sees it.
 *
 * @module
 */

import { serve, Service } from "../../mod.ts";
import { routes } from "../../src/plugins/routes/routes.ts";

interface Runtimes {
  gc?: () => void;
  Bun?: { gc(force: boolean): void };
  Deno?: { memoryUsage(): { heapUsed: number } };
}

/** The heap in use, in bytes, after a full collection (`null` when none can be forced). */
function heapAfterCollection(): number | null {
  const global = globalThis as Runtimes;
  if (global.Bun !== undefined) global.Bun.gc(true);
  else if (global.gc !== undefined) global.gc();
  else return null;
  return global.Deno === undefined ? process.memoryUsage().heapUsed : global.Deno.memoryUsage().heapUsed;
}

const service = new Service({ name: "bench.service" })
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
  .use(routes().route("GET", "/heap", () => Response.json({ heapUsed: heapAfterCollection() })));

await serve(service, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000) });
console.log("listening");
