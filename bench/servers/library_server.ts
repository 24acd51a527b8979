/**
 * The library's side of each benchmark pair: the same methods as the baselines, registered on a
 * Service and served with serve() on whichever runtime runs this file. Listens on 127.0.0.1:$PORT.
 *
 * @module
 */

import { serve, Service } from "../../mod.ts";

const service = new Service({ name: "bench.service" })
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend);

await serve(service, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000) });
console.log("listening");
