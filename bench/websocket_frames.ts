/**
 * The WebSocket frame codec of our Node.js server (src/websocket/frames.ts), in one process:
 *
 * 1. Unmasking throughput: `unmask` (a 32-bit word at a time over the aligned middle) against a
 *    naive byte loop, on 1 MiB and on 1 KiB payloads.
 * 2. Parsing throughput of a client's masked text frames arriving in 16 KiB chunks: small JSON-RPC
 *    calls (messages per second) and 1 MiB messages (MB/s), ours against the `ws` package's
 *    `Receiver` (a devDependency; it validates UTF-8 with Node's `buffer.isUtf8`) fed the same bytes.
 * 3. Echo over loopback (transport only, no JSON-RPC): one `ws` client keeps 64 small messages in
 *    flight on one connection; messages per second echoed by our server (a `node:http` server's
 *    `upgrade` calling `acceptNodeUpgrade`) against `ws`'s own server (permessage-deflate off).
 *
 * Rounds alternate the sides; the table shows medians. Run with `npx tsx bench/websocket_frames.ts`.
 *
 * @module
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as wsModule from "ws";
import WebSocket, { WebSocketServer } from "ws";
import { acceptNodeUpgrade } from "../src/websocket/node_socket.ts";
import { encodeFrame, FrameParser, OPCODE_TEXT, unmask } from "../src/websocket/frames.ts";
import { machineLine } from "./machine.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
// ws exports its frame parser as Receiver (untyped): a Writable emitting "message".
interface WsReceiver {
  on(event: string, listener: (...args: never[]) => void): void;
  write(chunk: Buffer): boolean;
}
const Receiver = (wsModule as unknown as { Receiver: new (options: object) => WsReceiver }).Receiver;
const MASK = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function naiveUnmask(data: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (mask[i & 3] as number);
}

/** MB/s of an unmask function over `size`-byte payloads (about 64 MiB per round), at an odd offset. */
function unmaskRate(unmasker: (data: Uint8Array, mask: Uint8Array) => void, size: number): number {
  const backing = new Uint8Array(size + 1);
  const data = backing.subarray(1); // unaligned start: the word path must handle it
  const times = Math.max(1, Math.floor((64 << 20) / size));
  const started = performance.now();
  for (let i = 0; i < times; i++) unmasker(data, MASK);
  return (size * times) / 1e6 / ((performance.now() - started) / 1000);
}

/** The frames, cut in 16 KiB chunks (fresh copies: both parsers unmask in place). */
function chunked(stream: Uint8Array): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 16_384) chunks.push(Buffer.from(stream.subarray(at, at + 16_384)));
  return chunks;
}

function framesOf(message: string, count: number): Uint8Array {
  const one = encodeFrame(OPCODE_TEXT, new TextEncoder().encode(message), { mask: MASK });
  const stream = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) stream.set(one, i * one.length);
  return stream;
}

function ours(chunks: Buffer[]): { messages: number; ms: number } {
  let messages = 0;
  const parser = new FrameParser({ maxMessageBytes: 4 << 20 }, {
    text: () => messages++,
    ping: () => {},
    pong: () => {},
    close: () => {},
    fail: (code) => {
      throw new Error(`failed ${code}`);
    },
  });
  const started = performance.now();
  for (const chunk of chunks) parser.push(chunk);
  return { messages, ms: performance.now() - started };
}

function theirs(chunks: Buffer[]): { messages: number; ms: number } {
  let messages = 0;
  const receiver = new Receiver({ isServer: true, maxPayload: 4 << 20 });
  receiver.on("message", () => messages++);
  receiver.on("error", (error: Error) => {
    throw error;
  });
  const started = performance.now();
  for (const chunk of chunks) receiver.write(chunk);
  return { messages, ms: performance.now() - started };
}

const rows: string[] = [];

for (const size of [1 << 20, 1024]) {
  const word: number[] = [];
  const naive: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    word.push(unmaskRate(unmask, size));
    naive.push(unmaskRate(naiveUnmask, size));
  }
  rows.push(`| unmask ${size === 1024 ? "1 KiB" : "1 MiB"} payloads | ${median(word).toFixed(0)} MB/s | ${median(naive).toFixed(0)} MB/s (byte loop) | ${(median(word) / median(naive)).toFixed(2)}× |`);
}

const CALL = '{"jsonrpc":"2.0","method":"say_hello","params":{"name":"world ✓"},"id":12345}';
const cases = [
  { name: `parse ${CALL.length}-character calls`, stream: framesOf(CALL, 200_000), unit: "messages/s" },
  { name: "parse 1 MiB messages", stream: framesOf("x".repeat(1 << 20), 64), unit: "MB/s" },
];
for (const { name, stream, unit } of cases) {
  const mine: number[] = [];
  const ws: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sides = [[ours, mine], [theirs, ws]] as const;
    for (const [parse, results] of round % 2 === 0 ? sides : [...sides].reverse()) {
      const { messages, ms } = parse(chunked(stream));
      results.push(unit === "MB/s" ? stream.length / 1e6 / (ms / 1000) : messages / (ms / 1000));
    }
  }
  const fmt = (value: number): string => (unit === "MB/s" ? `${value.toFixed(0)} MB/s` : `${Math.round(value).toLocaleString("en")} messages/s`);
  rows.push(`| ${name} | ${fmt(median(mine))} | ${fmt(median(ws))} (ws Receiver) | ${(median(mine) / median(ws)).toFixed(2)}× |`);
}

/** A server echoing each text message, ours or ws's, on a free port. */
async function echoServer(kind: "ours" | "ws"): Promise<{ port: number; server: Server }> {
  const server = createServer();
  if (kind === "ours") {
    server.on("upgrade", (request, socket, head) => {
      acceptNodeUpgrade(request, socket, head, { maxMessageBytes: 1 << 20 }, (webSocket) => ({
        message: (text) => {
          webSocket.send(text);
        },
        close: () => {},
      }));
    });
  } else {
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    server.on("upgrade", (request, socket, head) => {
      wss.handleUpgrade(request, socket, head, (webSocket) => {
        webSocket.on("message", (data, isBinary) => {
          webSocket.send(data, { binary: isBinary });
        });
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

/** Messages per second echoed on one connection with `window` in flight. */
async function echoRate(port: number, count: number, window: number): Promise<number> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    let received = 0;
    client.on("message", () => {
      received++;
      if (sent < count) {
        sent++;
        client.send(CALL);
      }
      if (received === count) resolve();
    });
    for (; sent < Math.min(window, count); sent++) client.send(CALL);
  });
  const rate = count / ((performance.now() - started) / 1000);
  client.terminate();
  return rate;
}

const echoes = { ours: [] as number[], ws: [] as number[] };
const servers = { ours: await echoServer("ours"), ws: await echoServer("ws") };
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (["ours", "ws"] as const) : (["ws", "ours"] as const);
  for (const kind of order) echoes[kind].push(await echoRate(servers[kind].port, 50_000, 64));
}
for (const { server } of Object.values(servers)) {
  server.closeAllConnections();
  server.close();
}
rows.push(`| echo ${CALL.length}-character messages over loopback, 64 in flight | ${Math.round(median(echoes.ours)).toLocaleString("en")} messages/s | ${Math.round(median(echoes.ws)).toLocaleString("en")} messages/s (ws server) | ${(median(echoes.ours) / median(echoes.ws)).toFixed(2)}× |`);

console.log(machineLine());
console.log(`\nmedians of ${ROUNDS} alternating rounds\n`);
console.log("| case | ours | reference | ours / reference |");
console.log("| --- | --- | --- | --- |");
for (const row of rows) console.log(row);
