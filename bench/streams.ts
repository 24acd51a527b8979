/**
 * Streams on Node.js, on one machine over loopback:
 *
 * 1. Items per second through one stream: a `streams()` service's `async function*` yielding small
 *    items, read whole with `fetch`, against two hand-written `node:http` servers writing the same
 *    events from the same generator and waiting for `drain`: one with the same flushing as ours
 *    (the events of one turn of the event loop in one `write`; target ≥ 0.90×), one with a
 *    `write` per event.
 * 2. Memory with a stalled reader: a generator as fast as it can be, a reader that reads the first
 *    chunk and then nothing; the items produced and the process's heap after 1 s and after 3 s
 *    (flat: the generator waits for the socket).
 *
 * Rounds alternate the two sides; the table shows medians. Run with `npx tsx bench/streams.ts`.
 *
 * @module
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve, Service } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { machineLine } from "./machine.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const ITEMS = Number(process.env["BENCH_ITEMS"] ?? 200_000);

async function* items(count: number): AsyncGenerator<{ n: number; name: string }> {
  for (let n = 1; n <= count; n++) yield await Promise.resolve({ n, name: "item" });
}

let produced = 0;
const service = new Service({ name: "stream.bench" })
  .use(streams())
  .publicMethod("items", (count: number) => items(count))
  .publicMethod("forever", async function* () {
    for (;;) {
      produced++;
      yield await Promise.resolve({ n: produced, name: "item" });
    }
  });
const ours = await serve(service, { hostname: "127.0.0.1", port: 0 });

/**
 * The same events, written by hand, waiting for drain when the socket is full: in one write per
 * turn of the event loop (at most 16 KiB), as ours, or one write per event.
 */
async function handWrittenServer(batched: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    let body = "";
    incoming.on("data", (chunk: Buffer) => (body += chunk.toString()));
    incoming.on("end", () => {
      const { params, id } = JSON.parse(body) as { params: [number]; id: number };
      outgoing.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      void (async () => {
        outgoing.write(":\n\nretry: 1000\n\n");
        let next = 1;
        let text = "";
        let turnOver = false;
        let turn = setTimeout(() => (turnOver = true), 0);
        const write = async (chunk: string): Promise<void> => {
          if (!outgoing.write(chunk)) await new Promise((resolve) => outgoing.once("drain", resolve));
        };
        for await (const item of items(params[0])) {
          const event = `id: ${next++}\ndata: ${JSON.stringify(item)}\n\n`;
          if (!batched) {
            await write(event);
            continue;
          }
          text += event;
          if ((turnOver as boolean) || text.length >= 16_384) {
            await write(text);
            text = "";
            clearTimeout(turn);
            turnOver = false;
            turn = setTimeout(() => (turnOver = true), 0);
          }
        }
        clearTimeout(turn);
        outgoing.end(`${text}event: response\ndata: ${JSON.stringify({ jsonrpc: "2.0", result: null, id })}\n\n`);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
const sameFlushing = await handWrittenServer(true);
const perEvent = await handWrittenServer(false);

/** Reads a stream of `count` items whole; items per second. */
async function rate(url: string, count: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "items", params: [count], id: 1 }),
  });
  let bytes = 0;
  for await (const chunk of response.body as ReadableStream<Uint8Array>) bytes += chunk.byteLength;
  if (bytes < count * 20) throw new Error(`${url}: only ${bytes} bytes`);
  return count / ((performance.now() - started) / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const ourRates: number[] = [];
const sameRates: number[] = [];
const perEventRates: number[] = [];
for (const url of [`${ours.url}/api`, sameFlushing.url, perEvent.url]) await rate(url, 10_000);
for (let round = 0; round < ROUNDS; round++) {
  ourRates.push(await rate(`${ours.url}/api`, ITEMS));
  sameRates.push(await rate(sameFlushing.url, ITEMS));
  perEventRates.push(await rate(perEvent.url, ITEMS));
}

// A stalled reader.
const stalled = new AbortController();
const response = await fetch(`${ours.url}/api`, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "text/event-stream" },
  body: JSON.stringify({ jsonrpc: "2.0", method: "forever", id: 1 }),
  signal: stalled.signal,
});
await (response.body as ReadableStream<Uint8Array>).getReader().read();
const heap = (): string => `${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MB`;
await new Promise((resolve) => setTimeout(resolve, 1_000));
const after1 = { produced, heap: heap() };
await new Promise((resolve) => setTimeout(resolve, 2_000));
const after3 = { produced, heap: heap() };
stalled.abort();

console.log(machineLine());
console.log(`| stream of ${ITEMS.toLocaleString("en-US")} small items (median of ${ROUNDS}) | items/s | streams() is |`);
console.log("| --- | ---: | ---: |");
console.log(`| streams() (async function*, SSE) | ${Math.round(median(ourRates)).toLocaleString("en-US")} | |`);
const row = (name: string, rates: number[]): void => {
  console.log(`| ${name} | ${Math.round(median(rates)).toLocaleString("en-US")} | ${(median(ourRates) / median(rates)).toFixed(2)}× |`);
};
row("hand-written node:http SSE, same flushing (a write per turn)", sameRates);
row("hand-written node:http SSE, a write per event", perEventRates);
console.log(`stalled reader: ${after1.produced} items produced and heap ${after1.heap} after 1 s; ${after3.produced} and ${after3.heap} after 3 s`);

await ours.close();
await sameFlushing.close();
await perEvent.close();
