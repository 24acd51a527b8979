/**
 * `npm run bench`: the library's servers against hand-written servers doing the same JSON-RPC
 * work, on Node.js, Deno and Bun, for a single call and a batch of 10 calls per POST.
 *
 * Each pair runs on loopback with the servers pinned to CPU 0 and this load generator to CPU 1
 * (when `taskset` is there). After a warm-up the two servers alternate (A B, B A, …) for several
 * rounds; each round's ratio is library ÷ baseline, and the table shows the median. Nothing here is
 * an assertion: the machines are shared and noisy, so only ratios measured side by side count.
 * Resident memory is read from /proc: idle (after start-up) and halfway through each loaded run;
 * so is each server's CPU time, given per request with the ratio baseline ÷ library (like the
 * throughput ratio, 1.00× means as cheap as the hand-written server). CPU time per request moves
 * far less with the machine's other load than requests per second do.
 *
 * The hand-written servers make the HTTP checks a production server must make (a declared non-JSON
 * Content-Type is 415, a declared body over 1 MiB is 413) and send `X-Content-Type-Options:
 * nosniff`; with BASELINE_BARE=1 they skip the checks (the bare reference row).
 *
 * Environment: BENCH_RUNTIMES (default "node,deno,bun"), BENCH_ROUNDS (7), BENCH_SECONDS (3 per
 * run), BENCH_CONNECTIONS (50), BENCH_CASES ("single,batch"), BENCH_LIBRARY_SERVER (the library's
 * server file, default bench/servers/library_server.ts: another one measures a variant),
 * BENCH_BASELINE_SERVER (a server file to compare with instead of the hand-written one: an older
 * build of the library, for a before/after ratio).
 *
 * @module
 */

import { runLoad } from "./load_generator.ts";
import { BODIES, cpuMicros, hasTaskset, median, type Runtime, rssMiB, type Running, start, stop } from "./processes.ts";
import { machineLine } from "./machine.ts";

const RUNTIMES = (process.env["BENCH_RUNTIMES"] ?? "node,deno,bun").split(",") as Runtime[];
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);
const LIBRARY_SERVER = process.env["BENCH_LIBRARY_SERVER"] ?? "bench/servers/library_server.ts";
const CASE_NAMES = (process.env["BENCH_CASES"] ?? "single,batch").split(",");

const CASES = [
  { key: "single", name: "single call", body: BODIES.single },
  { key: "batch", name: "batch of 10", body: BODIES.batch },
].filter((benchCase) => CASE_NAMES.includes(benchCase.key));

interface Sample {
  rps: number;
  p99: number;
  rssLoad: number;
  /** The server's CPU time (user and system) per request, in µs. */
  cpu: number;
  /** Answers after which the server closed the connection, announced or not. */
  closes: number;
}

async function measure(server: Running, body: string, seconds: number): Promise<Sample> {
  let rssLoad = Number.NaN;
  const sampler = setTimeout(() => (rssLoad = rssMiB(server.child.pid)), (seconds * 1000) / 2);
  const cpuBefore = cpuMicros(server.child.pid);
  const result = await runLoad({ port: server.port, path: "/api", body, connections: CONNECTIONS, durationMs: seconds * 1000, expect: "hello world" });
  const cpu = (cpuMicros(server.child.pid) - cpuBefore) / result.answers;
  clearTimeout(sampler);
  if (result.wrong > 0) throw new Error(`${result.wrong} wrong answers from port ${server.port}`);
  return { rps: result.requestsPerSecond, p99: result.p99Ms, rssLoad, cpu, closes: result.closes + result.dropped };
}

const BASELINES: Record<Runtime, string> = {
  node: "bench/baselines/node_server.ts",
  deno: "bench/baselines/deno_server.ts",
  bun: "bench/baselines/bun_server.ts",
};

const rows: string[] = [];
for (const runtime of RUNTIMES) {
  for (const benchCase of CASES) {
    const baseline = await start(runtime, process.env["BENCH_BASELINE_SERVER"] ?? BASELINES[runtime]);
    const library = await start(runtime, LIBRARY_SERVER).catch(async (error: unknown) => {
      await stop(baseline);
      throw error;
    });
    try {
      const idle = [rssMiB(baseline.child.pid), rssMiB(library.child.pid)];
      await measure(baseline, benchCase.body, 1);
      await measure(library, benchCase.body, 1);
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      const samples: { base: Sample[]; lib: Sample[] } = { base: [], lib: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so drift in the machine's load falls on both alike.
        const order = round % 2 === 0 ? ["base", "lib"] as const : ["lib", "base"] as const;
        const sample: Partial<Record<"base" | "lib", Sample>> = {};
        for (const side of order) sample[side] = await measure(side === "base" ? baseline : library, benchCase.body, SECONDS);
        samples.base.push(sample.base!);
        samples.lib.push(sample.lib!);
        ratios.push(sample.lib!.rps / sample.base!.rps);
        cpuRatios.push(sample.base!.cpu / sample.lib!.cpu);
        const closes = sample.base!.closes + sample.lib!.closes > 0 ? ` (connections closed by the server: ${sample.base!.closes} / ${sample.lib!.closes})` : "";
        console.log(
          `${runtime} ${benchCase.name} round ${round + 1}: baseline ${sample.base!.rps.toFixed(0)} req/s, library ${sample.lib!.rps.toFixed(0)} req/s, ratio ${ratios.at(-1)!.toFixed(3)}, ` +
            `CPU µs/request ${sample.base!.cpu.toFixed(2)} / ${sample.lib!.cpu.toFixed(2)}${closes}`,
        );
      }
      rows.push(
        `| ${runtime} | ${benchCase.name} | ${median(samples.base.map((s) => s.rps)).toFixed(0)} | ${median(samples.lib.map((s) => s.rps)).toFixed(0)} | ` +
          `**${median(ratios).toFixed(2)}×** (${ratios.map((r) => r.toFixed(2)).join(" ")}) | ` +
          `${median(samples.base.map((s) => s.p99)).toFixed(1)} / ${median(samples.lib.map((s) => s.p99)).toFixed(1)} | ` +
          `${idle[0]!.toFixed(0)} / ${idle[1]!.toFixed(0)} | ` +
          `${median(samples.base.map((s) => s.rssLoad)).toFixed(0)} / ${median(samples.lib.map((s) => s.rssLoad)).toFixed(0)} | ` +
          `${median(samples.base.map((s) => s.cpu)).toFixed(1)} / ${median(samples.lib.map((s) => s.cpu)).toFixed(1)} (**${median(cpuRatios).toFixed(2)}×**) |`,
      );
    } finally {
      await stop(baseline);
      await stop(library);
    }
  }
}

console.log(`\n${machineLine()}`);
console.log(`${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${hasTaskset ? "servers on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| runtime | case | baseline req/s | library req/s | ratio: median (rounds) | p99 ms base / lib | RSS idle MiB base / lib | RSS load MiB base / lib | server CPU µs/request base / lib (ratio) |");
console.log("| --- | --- | ---: | ---: | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
