/**
 * The library beside its peers on Node.js: the same JSON-RPC work (`say_hello`, a single call and
 * a batch of 10) served by the hand-written node:http server (the reference), tsmicroservice,
 * the `json-rpc-2.0` and `jayson` packages, and a hono app doing the JSON-RPC work by hand.
 * Each round runs every server once, in an order that rotates from round to round; the table shows
 * medians: requests per second and their ratio to the reference, and each server's CPU time per
 * request with the ratio reference ÷ server (1.00× is as cheap as the hand-written server).
 *
 * Environment: BENCH_ROUNDS (7), BENCH_SECONDS (3 per run), BENCH_CONNECTIONS (50),
 * BENCH_CASES ("single,batch"). `npm run bench` runs it after bench/run.ts.
 *
 * @module
 */

import { runLoad } from "./load_generator.ts";
import { machineLine } from "./machine.ts";
import { BODIES, cpuMicros, hasTaskset, median, type Running, start, stop } from "./processes.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);
const CASE_NAMES = (process.env["BENCH_CASES"] ?? "single,batch").split(",");

const SERVERS = [
  { name: "node:http by hand (reference)", file: "bench/baselines/node_server.ts" },
  { name: "tsmicroservice", file: "bench/servers/library_server.ts" },
  { name: "json-rpc-2.0", file: "bench/peers/json_rpc_2_server.ts" },
  { name: "jayson", file: "bench/peers/jayson_server.ts" },
  { name: "hono (JSON-RPC by hand)", file: "bench/peers/hono_server.ts" },
] as const;

const CASES = [
  { key: "single", name: "single call", body: BODIES.single },
  { key: "batch", name: "batch of 10", body: BODIES.batch },
].filter((benchCase) => CASE_NAMES.includes(benchCase.key));

interface Sample {
  readonly rps: number;
  /** The server's CPU time per request, in µs. */
  readonly cpu: number;
}

async function measure(server: Running, body: string, seconds: number): Promise<Sample> {
  const cpuBefore = cpuMicros(server.child.pid);
  const result = await runLoad({ port: server.port, path: "/api", body, connections: CONNECTIONS, durationMs: seconds * 1000, expect: "hello world" });
  if (result.wrong > 0) throw new Error(`${result.wrong} wrong answers from port ${server.port}`);
  return { rps: result.requestsPerSecond, cpu: (cpuMicros(server.child.pid) - cpuBefore) / result.answers };
}

const rows: string[] = [];
for (const benchCase of CASES) {
  const running: Running[] = [];
  try {
    // The reference is the bare server (no Content-Type or size checks), as peers make none either.
    process.env["BASELINE_BARE"] = "1";
    for (const server of SERVERS) running.push(await start("node", server.file));
    delete process.env["BASELINE_BARE"];
    for (const server of running) await measure(server, benchCase.body, 1);
    const samples: Sample[][] = SERVERS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const line: string[] = [];
      for (let step = 0; step < SERVERS.length; step++) {
        const index = (round + step) % SERVERS.length;
        const sample = await measure(running[index] as Running, benchCase.body, SECONDS);
        (samples[index] as Sample[]).push(sample);
        line.push(`${SERVERS[index]?.name} ${sample.rps.toFixed(0)} req/s ${sample.cpu.toFixed(2)} µs`);
      }
      console.log(`${benchCase.name} round ${round + 1}: ${line.join(", ")}`);
    }
    const reference = samples[0] as Sample[];
    SERVERS.forEach((server, index) => {
      const own = samples[index] as Sample[];
      const rpsRatios = own.map((sample, round) => sample.rps / (reference[round] as Sample).rps);
      const cpuRatios = own.map((sample, round) => (reference[round] as Sample).cpu / sample.cpu);
      rows.push(
        `| ${benchCase.name} | ${server.name} | ${median(own.map((sample) => sample.rps)).toFixed(0)} | **${median(rpsRatios).toFixed(2)}×** | ` +
          `${median(own.map((sample) => sample.cpu)).toFixed(1)} (**${median(cpuRatios).toFixed(2)}×**) |`,
      );
    });
  } finally {
    for (const server of running) await stop(server);
  }
}

console.log(`\n${machineLine()}`);
console.log(`Node.js peers: ${ROUNDS} rounds of ${SECONDS} s each, order rotating, ${CONNECTIONS} connections, ${hasTaskset ? "servers on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| case | server | req/s | ratio to the reference (median of rounds) | CPU µs/request (reference ÷ server) |");
console.log("| --- | --- | ---: | --- | --- |");
for (const row of rows) console.log(row);
