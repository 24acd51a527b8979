/**
 * JSON-RPC over one WebSocket, both ways: a prices service whose `ticks` streams a symbol's prices
 * (items as notifications tied to the call), whose `place_order` asks the caller to confirm (the
 * service calling the client back) and which pushes every price change to the connections that
 * `watch`ed (notifications after the call ended). The client calls, streams, answers the
 * confirmation and listens, all over the same socket.
 *
 * Run with `npx tsx examples/websocket.ts` (or `deno run -A`, or `bun`). It listens on $PORT
 * (default 5000) of $HOST (default 127.0.0.1), prints its URL, and exits when done.
 *
 * @module
 */

import { type CallContext, type CallerConnection, connect, serve, Service } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { openWebSocket, type WebSocketConstructor, webSocket } from "../src/websocket/mod.ts";

const prices = new Map([["ACME", 100], ["INITECH", 42]]);
const watchers = new Set<CallerConnection>();

function move(symbol: string): number {
  const price = Math.round(((prices.get(symbol) ?? 0) + 1) * 100) / 100;
  prices.set(symbol, price);
  for (const connection of watchers) connection.notify("price", { symbol, price });
  return price;
}

const service = new Service({ name: "prices.service" })
  .use(streams())
  .use(webSocket())
  .publicMethod("quote", (symbol: string) => prices.get(symbol) ?? null)
  .publicMethod("ticks", async function* (symbol: string, count: number) {
    for (let tick = 1; tick <= count; tick++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      yield { symbol, price: move(symbol) };
    }
    return `${count} ticks`;
  })
  .publicMethod("watch", (ctx: CallContext) => {
    const connection = ctx.connection;
    if (connection === undefined) return false; // over HTTP: nothing to push to
    watchers.add(connection);
    void connection.closed.then(() => watchers.delete(connection));
    return true;
  }, { context: true })
  .publicMethod("place_order", async (symbol: string, quantity: number, ctx: CallContext) => {
    const confirmed = await ctx.connection?.call("confirm", [`buy ${quantity} ${symbol} at ${prices.get(symbol)}?`]);
    return confirmed === true ? `bought ${quantity} ${symbol}` : "not bought";
  }, { context: true });

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
});
console.log(`${service.name} serving at ${server.url}${service.path}`);

// Node.js 22 and later, Deno, Bun and browsers have a WebSocket; Node.js 20 takes the `ws` package's.
const WebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? (await import("ws")).default;
const socket = openWebSocket(`${server.url.replace(/^http/, "ws")}${service.path}`, { WebSocket });
const remote = await connect<typeof service>(socket, { streams: socket.streams });

socket.on("price", (params) => console.log("pushed:", JSON.stringify(params)));
socket.handle("confirm", (params) => {
  console.log("asked:", (params as string[])[0]);
  return true;
});

console.log("ACME quoted at", await remote.methods.quote("ACME"));
console.log("watching:", await remote.methods.watch());
for await (const { symbol, price } of remote.methods.ticks("INITECH", 3)) console.log(`tick: ${symbol} ${price}`);
console.log(await remote.methods.place_order("ACME", 10));

await remote.close();
await server.close();
