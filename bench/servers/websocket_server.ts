/**
 * The library's side of bench/websocket.ts: the benchmark's methods on a Service with
 * `webSocket()`, served with serve() on whichever runtime runs this file, so the same process
 * answers both over WebSocket and over HTTP. Listens on 127.0.0.1:$PORT.
 *
 * @module
 */

import { serve, Service } from "../../mod.ts";
import { webSocket } from "../../src/websocket/plugin.ts";

const service = new Service({ name: "bench.service" })
  .use(webSocket())
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend);

await serve(service, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000) });
console.log("listening");
