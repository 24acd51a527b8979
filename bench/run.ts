/**
 * `npm run bench`: the library's servers against hand-written servers doing the same JSON-RPC
 * work, on Node.js, Deno and Bun, for a single call and a batch of 10 calls per POST.
 *
 * Each pair runs on loopback with the servers pinned to CPU 0 and this load generator to CPU 1
 * (when `taskset` is there). After a warm-up the two servers alternate (A B, B A, …) for several
 * rounds; each round's ratio is library ÷ baseline, and the table shows the median. Nothing here is
 * an assertion: the machines are shared and noisy, so only ratios measured side by side count.
 *
 * Environment: BENCH_RUNTIMES (default "node,deno,bun"), BENCH_ROUNDS (5), BENCH_SECONDS (3 per
 * run), BENCH_CONNECTIONS (50).
 *
 * @module
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { runLoad } from "./load_generator.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const RUNTIMES = (process.env["BENCH_RUNTIMES"] ?? "node,deno,bun").split(",");
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);

const single = '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}';
const batch = `[${Array.from({ length: 10 }, (_, i) => `{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":${i}}`).join(",")}]`;
const CASES = [
  { name: "single call", body: single },
  { name: "batch of 10", body: batch },
];

const hasTaskset = (() => {
  try {
    execFileSync("taskset", ["-cp", "1", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function command(runtime: string, file: string): string[] {
  const path = `${ROOT}${file}`;
  if (runtime === "deno") return [`${ROOT}node_modules/.bin/deno`, "run", "-A", path];
  if (runtime === "bun") return [`${ROOT}node_modules/.bin/bun`, path];
  return [process.execPath, "--import", "tsx", path];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  port: number;
}

async function start(runtime: string, file: string): Promise<Running> {
  const port = await freePort();
  const [program, ...args] = command(runtime, file) as [string, ...string[]];
  const child = hasTaskset
    ? spawn("taskset", ["-c", "0", program, ...args], { cwd: ROOT, env: { ...process.env, PORT: String(port) } })
    : spawn(program, args, { cwd: ROOT, env: { ...process.env, PORT: String(port) } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} ${file} did not start`)), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    child.on("exit", (code) => reject(new Error(`${runtime} ${file} exited with ${String(code)}`)));
  });
  return { child, port };
}

function stop(server: Running): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) {
      resolve();
      return;
    }
    server.child.once("exit", () => resolve());
    server.child.kill("SIGKILL");
  });
}

/** Resident memory of a process, in MiB (Linux /proc). */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

interface Sample {
  rps: number;
  p99: number;
  rssLoad: number;
}

async function measure(server: Running, body: string, seconds: number): Promise<Sample> {
  let rssLoad = Number.NaN;
  const sampler = setTimeout(() => (rssLoad = rssMiB(server.child.pid)), (seconds * 1000) / 2);
  const result = await runLoad({ port: server.port, path: "/api", body, connections: CONNECTIONS, durationMs: seconds * 1000, expect: "hello world" });
  clearTimeout(sampler);
  if (result.wrong > 0) throw new Error(`${result.wrong} wrong answers from port ${server.port}`);
  return { rps: result.requestsPerSecond, p99: result.p99Ms, rssLoad };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const BASELINES: Record<string, string> = {
  node: "bench/baselines/node_server.ts",
  deno: "bench/baselines/deno_server.ts",
  bun: "bench/baselines/bun_server.ts",
};

const rows: string[] = [];
for (const runtime of RUNTIMES) {
  for (const benchCase of CASES) {
    const baseline = await start(runtime, BASELINES[runtime]!);
    const library = await start(runtime, "bench/servers/library_server.ts");
    try {
      const idle = [rssMiB(baseline.child.pid), rssMiB(library.child.pid)];
      await measure(baseline, benchCase.body, 1);
      await measure(library, benchCase.body, 1);
      const ratios: number[] = [];
      const samples: { base: Sample[]; lib: Sample[] } = { base: [], lib: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so drift in the machine's load falls on both alike.
        const order = round % 2 === 0 ? ["base", "lib"] as const : ["lib", "base"] as const;
        const sample: Partial<Record<"base" | "lib", Sample>> = {};
        for (const side of order) sample[side] = await measure(side === "base" ? baseline : library, benchCase.body, SECONDS);
        samples.base.push(sample.base!);
        samples.lib.push(sample.lib!);
        ratios.push(sample.lib!.rps / sample.base!.rps);
        console.log(`${runtime} ${benchCase.name} round ${round + 1}: baseline ${sample.base!.rps.toFixed(0)} req/s, library ${sample.lib!.rps.toFixed(0)} req/s, ratio ${ratios.at(-1)!.toFixed(3)}`);
      }
      rows.push(
        `| ${runtime} | ${benchCase.name} | ${median(samples.base.map((s) => s.rps)).toFixed(0)} | ${median(samples.lib.map((s) => s.rps)).toFixed(0)} | ` +
          `**${median(ratios).toFixed(2)}×** (${ratios.map((r) => r.toFixed(2)).join(" ")}) | ` +
          `${median(samples.base.map((s) => s.p99)).toFixed(1)} / ${median(samples.lib.map((s) => s.p99)).toFixed(1)} | ` +
          `${idle[0]!.toFixed(0)} / ${idle[1]!.toFixed(0)} | ` +
          `${median(samples.base.map((s) => s.rssLoad)).toFixed(0)} / ${median(samples.lib.map((s) => s.rssLoad)).toFixed(0)} |`,
      );
    } finally {
      await stop(baseline);
      await stop(library);
    }
  }
}

console.log(`\n${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${hasTaskset ? "servers on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| runtime | case | baseline req/s | library req/s | ratio: median (rounds) | p99 ms base / lib | RSS idle MiB base / lib | RSS load MiB base / lib |");
console.log("| --- | --- | ---: | ---: | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
