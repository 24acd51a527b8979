/**
 * Calculator: the methods of the JSON-RPC 2.0 specification's examples, served as a microservice.
 *
 * Run it with `npx tsx examples/calculator.ts` (or `deno run -A`, or `bun`). It listens on
 * $HOST:$PORT (default 127.0.0.1:5000).
 *
 * @module
 */

import { RpcError, serve, Service } from "../mod.ts";

/** The application error code of a division by zero. */
const DIVISION_BY_ZERO = 1;

/** What the notifications last told the service (kept, so they have an effect to observe). */
const lastNotified: { update?: unknown[]; hello?: number; sum?: number } = {};

const service = new Service({ name: "calculator.service" })
  // Pure methods are idempotent: a client may send them again, to another instance, when it cannot
  // tell whether a call arrived (rpc.discover shows it).
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend, { idempotent: true })
  .publicMethod("sum", (...numbers: number[]) => numbers.reduce((total, n) => total + n, 0), { idempotent: true })
  .publicMethod("update", (...values: unknown[]) => {
    lastNotified.update = values;
    return null;
  })
  .publicMethod("notify_hello", (n: number) => {
    lastNotified.hello = n;
    return null;
  })
  .publicMethod("notify_sum", (...numbers: number[]) => {
    lastNotified.sum = numbers.reduce((total, n) => total + n, 0);
    return null;
  })
  .publicMethod("get_data", () => ["hello", 5], { idempotent: true })
  .publicMethod("divide", (dividend: number, divisor: number) => {
    if (divisor === 0) throw new RpcError(DIVISION_BY_ZERO, "Division by zero", { dividend });
    return dividend / divisor;
  }, { idempotent: true });

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  signals: true, // Ctrl-C or SIGTERM: answer the calls in flight, then exit
});
console.log(`${service.name} serving at ${server.url}${service.path}`);
