/**
 * JSON-RPC over WebSocket, on one machine over loopback (`npm run bench` runs it; alone:
 * `npx tsx bench/websocket.ts`):
 *
 * 1. Calls per second over ONE WebSocket connection, pipelined (`BENCH_WS_IN_FLIGHT` calls in
 *    flight, small calls: `subtract`), against the same server process answering the same calls
 *    over ONE HTTP keep-alive connection, one request at a time (bench/load_generator.ts): on
 *    Node.js, Deno and Bun. Target ≥ 1.5×.
 * 2. On Node.js, the library's server against a JSON-RPC echo on the `ws` package's
 *    WebSocketServer (bench/baselines/ws_node_server.ts): target ≥ 0.90×.
 * 3. On Bun, against a JSON-RPC echo on Bun.serve's own websocket handler
 *    (bench/baselines/ws_bun_server.ts): target ≥ 0.90×.
 *
 * The servers run as their own processes, pinned to CPU 0 when `taskset` is there; the load
 * generators (the `ws` package's client, and the HTTP one) run in this process, on CPU 1, so each
 * server's CPU time is read apart from theirs (/proc) and given per call, with the ratio
 * baseline ÷ library (1.00× is as cheap as the baseline): it moves far less with the machine's
 * other load than calls per second do. Each round runs every side once, in an order that rotates;
 * the table shows medians of the rounds' ratios. Nothing here is an assertion.
 *
 * Environment: BENCH_RUNTIMES ("node,deno,bun"), BENCH_ROUNDS (5), BENCH_SECONDS (3 per run),
 * BENCH_WS_IN_FLIGHT (32).
 *
 * @module
 */

import { runLoad } from "./load_generator.ts";
import { machineLine } from "./machine.ts";
import { cpuMicros, hasTaskset, median, type Runtime, type Running, start, stop } from "./processes.ts";
import { runWebSocketLoad } from "./websocket_load.ts";

const RUNTIMES = (process.env["BENCH_RUNTIMES"] ?? "node,deno,bun").split(",") as Runtime[];
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const IN_FLIGHT = Number(process.env["BENCH_WS_IN_FLIGHT"] ?? 32);

const LIBRARY_SERVER = "bench/servers/websocket_server.ts";
/** The WebSocket echo each runtime's server is measured against, where there is one to measure. */
const ECHOES: Partial<Record<Runtime, { readonly name: string; readonly file: string }>> = {
  node: { name: "the ws package's WebSocketServer", file: "bench/baselines/ws_node_server.ts" },
  bun: { name: "Bun.serve's own websocket handler", file: "bench/baselines/ws_bun_server.ts" },
};

const call = (id: number): string => `{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":${id}}`;
const EXPECT = '"result":19';

interface Sample {
  /** Correct answers per second. */
  readonly rate: number;
  /** The server's CPU time per call, in µs. */
  readonly cpu: number;
}

type Side = "ws" | "http" | "echo";

async function measure(side: Side, server: Running, seconds: number): Promise<Sample> {
  const before = cpuMicros(server.child.pid);
  let answers: number;
  let rate: number;
  if (side === "http") {
    const result = await runLoad({ port: server.port, path: "/api", body: call(1), connections: 1, durationMs: seconds * 1000, expect: EXPECT });
    if (result.wrong > 0 || result.dropped > 0) throw new Error(`HTTP: ${result.wrong} wrong answers, ${result.dropped} dropped connections`);
    answers = result.answers;
    rate = result.requestsPerSecond;
  } else {
    const result = await runWebSocketLoad({ url: `ws://127.0.0.1:${server.port}/api`, inFlight: IN_FLIGHT, durationMs: seconds * 1000, message: call, expect: EXPECT });
    if (result.wrong > 0) throw new Error(`${side}: ${result.wrong} wrong answers`);
    answers = result.answers;
    rate = result.callsPerSecond;
  }
  return { rate, cpu: (cpuMicros(server.child.pid) - before) / answers };
}

const format = (value: number): string => Math.round(value).toLocaleString("en-US");
const ratioCell = (ratios: readonly number[]): string => `**${median(ratios).toFixed(2)}×** (${ratios.map((ratio) => ratio.toFixed(2)).join(" ")})`;

const rows: string[] = [];
for (const runtime of RUNTIMES) {
  const library = await start(runtime, LIBRARY_SERVER);
  const echoOf = ECHOES[runtime];
  let echo: Running | undefined;
  try {
    if (echoOf !== undefined) echo = await start(runtime, echoOf.file);
    const servers: Record<Side, Running | undefined> = { ws: library, http: library, echo };
    const sides = (Object.keys(servers) as Side[]).filter((side) => servers[side] !== undefined);
    for (const side of sides) await measure(side, servers[side] as Running, 1);
    const samples: Record<Side, Sample[]> = { ws: [], http: [], echo: [] };
    const overHttp: number[] = [];
    const overHttpCpu: number[] = [];
    const overEcho: number[] = [];
    const overEchoCpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate who goes first, so drift in the machine's load falls on every side alike.
      const order = sides.map((_, i) => sides[(i + round) % sides.length] as Side);
      const sample: Partial<Record<Side, Sample>> = {};
      for (const side of order) sample[side] = await measure(side, servers[side] as Running, SECONDS);
      const ws = sample.ws as Sample;
      const http = sample.http as Sample;
      samples.ws.push(ws);
      samples.http.push(http);
      overHttp.push(ws.rate / http.rate);
      overHttpCpu.push(http.cpu / ws.cpu);
      let line = `${runtime} round ${round + 1}: WebSocket ${format(ws.rate)} calls/s (${ws.cpu.toFixed(2)} µs CPU each), HTTP keep-alive ${format(http.rate)} (${http.cpu.toFixed(2)} µs)`;
      if (sample.echo !== undefined) {
        samples.echo.push(sample.echo);
        overEcho.push(ws.rate / sample.echo.rate);
        overEchoCpu.push(sample.echo.cpu / ws.cpu);
        line += `, echo ${format(sample.echo.rate)} (${sample.echo.cpu.toFixed(2)} µs)`;
      }
      console.log(line);
    }
    const wsRate = median(samples.ws.map((s) => s.rate));
    const wsCpu = median(samples.ws.map((s) => s.cpu)).toFixed(1);
    rows.push(
      `| ${runtime} | our server over HTTP keep-alive, 1 connection, sequential | ${format(median(samples.http.map((s) => s.rate)))} | ${format(wsRate)} | ${ratioCell(overHttp)} | ≥ 1.5× | ` +
        `${median(samples.http.map((s) => s.cpu)).toFixed(1)} / ${wsCpu} (**${median(overHttpCpu).toFixed(2)}×**) |`,
    );
    if (echoOf !== undefined) {
      rows.push(
        `| ${runtime} | a JSON-RPC echo on ${echoOf.name} | ${format(median(samples.echo.map((s) => s.rate)))} | ${format(wsRate)} | ${ratioCell(overEcho)} | ≥ 0.90× | ` +
          `${median(samples.echo.map((s) => s.cpu)).toFixed(1)} / ${wsCpu} (**${median(overEchoCpu).toFixed(2)}×**) |`,
      );
    }
  } finally {
    await stop(library);
    if (echo !== undefined) await stop(echo);
  }
}

console.log(`\n${machineLine()}`);
console.log(`${ROUNDS} rounds of ${SECONDS} s; WebSocket: one connection, ${IN_FLIGHT} calls in flight; ${hasTaskset ? "servers on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| runtime | baseline | baseline calls/s | library over WebSocket calls/s | ratio: median (rounds) | target | server CPU µs/call baseline / library (ratio) |");
console.log("| --- | --- | ---: | ---: | --- | --- | --- |");
for (const row of rows) console.log(row);
