/**
 * A streaming method and a client reading it: `watch_orders(since)` streams the orders of a
 * service as they are placed (an `async function*`), over Server-Sent Events in answer to the
 * same `POST /api`. It is resumable: a client that lost the stream asks again with the last event
 * id it saw and the feed goes on after it. The client reads it with `for await`, typed from the
 * generator's yield type, and `break`s after a few orders, which ends the stream on the service
 * (the generator's `finally` runs).
 *
 * Run with `npx tsx examples/streams.ts` (or `deno run -A`, or `bun`). It listens on $PORT
 * (default 5000) of $HOST (default 127.0.0.1), prints its URL, and exits when done.
 *
 * @module
 */

import { type CallContext, connect, serve, Service } from "../mod.ts";
import { sseStreams, streams } from "../src/plugins/streams/streams.ts";

interface Order {
  readonly id: number;
  readonly item: string;
}

// The orders so far, in order: event ids count them, so id n is orders[n - 1].
const placed: Order[] = [];
let waiting: (() => void) | undefined;

function placeOrder(item: string): number {
  placed.push({ id: placed.length + 1, item });
  waiting?.();
  return placed.length;
}

const service = new Service({ name: "orders.service" })
  .use(streams())
  .publicMethod("place_order", placeOrder)
  .publicMethod("watch_orders", async function* (since: number, ctx: CallContext) {
    // After a reconnect, the last event id the client saw says where to go on.
    let next = Number(ctx.lastEventId ?? since);
    try {
      while (ctx.signal?.aborted !== true) {
        while (next < placed.length) yield placed[next++] as Order;
        // Wait for the next order (or for the caller to leave).
        await new Promise<void>((resolve) => {
          waiting = resolve;
          ctx.signal?.addEventListener("abort", () => resolve(), { once: true });
        });
      }
    } finally {
      console.log(`watch_orders ended after order ${next}`);
    }
  }, { context: true, resumable: true, description: "The orders placed after the first `since`, as they are placed." });

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
});
console.log(`${service.name} serving at ${server.url}${service.path}`);

// The client streams with the option streams: sseStreams (opt-in: a client without it carries none of it).
const remote = await connect<typeof service>(`${server.url}${service.path}`, { streams: sseStreams });
for (const item of ["apple", "pear"]) await remote.methods.place_order(item);
// Two more orders, placed while the client watches.
setTimeout(() => {
  placeOrder("plum");
  placeOrder("fig");
}, 100);

let seen = 0;
for await (const order of remote.methods.watch_orders(0)) {
  console.log(`order ${order.id}: ${order.item}`);
  if (++seen === 4) break; // ends the stream on the service too
}

await remote.close();
await server.close();
