/**
 * `npm run bench:soak`: about a million calls against the library's hello-world server on
 * loopback, per runtime, sampling its resident memory as they go, to show that memory does not
 * grow with the number of calls. Bounded in time: it stops at SOAK_CALLS calls or SOAK_SECONDS,
 * whichever comes first. Nothing here is an assertion.
 *
 * The first slice warms the server up (its code is compiled and its heap finds its size); growth
 * is measured from the end of that slice to the end of the run, both as resident memory and, for
 * the library's server, as the JavaScript heap in use after a forced full collection (`GET /heap`),
 * which is what a leak would make grow.
 *
 * Environment: SOAK_RUNTIMES (default "node,deno,bun"), SOAK_CALLS (1000000), SOAK_SECONDS (90
 * per runtime), SOAK_CONNECTIONS (50), SOAK_BODY ("single" or "batch"; a batch counts 10 calls),
 * SOAK_SERVER ("library", or "baseline" for the hand-written server, to compare with).
 *
 * @module
 */

import { runLoad } from "./load_generator.ts";
import { machineLine } from "./machine.ts";
import { BODIES, hasTaskset, type Runtime, rssMiB, start, stop } from "./processes.ts";

const RUNTIMES = (process.env["SOAK_RUNTIMES"] ?? "node,deno,bun").split(",") as Runtime[];
const CALLS = Number(process.env["SOAK_CALLS"] ?? 1_000_000);
const SECONDS = Number(process.env["SOAK_SECONDS"] ?? 90);
const CONNECTIONS = Number(process.env["SOAK_CONNECTIONS"] ?? 50);
const BODY = process.env["SOAK_BODY"] === "batch" ? "batch" : "single";
const CALLS_PER_REQUEST = BODY === "batch" ? 10 : 1;
const SLICE_MS = 2_000;
const BASELINE = process.env["SOAK_SERVER"] === "baseline";
const SERVERS: Record<Runtime, string> = BASELINE
  ? { node: "bench/baselines/node_server.ts", deno: "bench/baselines/deno_server.ts", bun: "bench/baselines/bun_server.ts" }
  : { node: "bench/servers/library_server.ts", deno: "bench/servers/library_server.ts", bun: "bench/servers/library_server.ts" };

/** The server's heap in use after a full collection, in MiB (`NaN` for a server that cannot tell). */
async function heapMiB(port: number): Promise<number> {
  if (BASELINE) return Number.NaN;
  try {
    const answer = await (await fetch(`http://127.0.0.1:${port}/heap`)).json() as { heapUsed: number | null };
    return answer.heapUsed === null ? Number.NaN : answer.heapUsed / (1024 * 1024);
  } catch {
    return Number.NaN;
  }
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}

const rows: string[] = [];
for (const runtime of RUNTIMES) {
  const server = await start(runtime, SERVERS[runtime], true);
  try {
    const idle = rssMiB(server.child.pid);
    const started = performance.now();
    let calls = 0;
    let wrong = 0;
    let warm = Number.NaN;
    let warmHeap = Number.NaN;
    let highest = 0;
    const samples: string[] = [];
    while (calls < CALLS && performance.now() - started < SECONDS * 1000) {
      const result = await runLoad({ port: server.port, path: "/api", body: BODIES[BODY], connections: CONNECTIONS, durationMs: SLICE_MS, expect: "hello world" });
      calls += (result.answers - result.wrong) * CALLS_PER_REQUEST;
      wrong += result.wrong;
      const rss = rssMiB(server.child.pid);
      if (Number.isNaN(warm)) {
        warm = rss;
        warmHeap = await heapMiB(server.port);
      }
      highest = Math.max(highest, rss);
      samples.push(rss.toFixed(0));
      console.log(`${runtime}: ${calls} calls, ${(result.requestsPerSecond * CALLS_PER_REQUEST).toFixed(0)} calls/s, RSS ${rss.toFixed(1)} MiB`);
    }
    const end = rssMiB(server.child.pid);
    const endHeap = await heapMiB(server.port);
    const seconds = (performance.now() - started) / 1000;
    rows.push(
      `| ${runtime} | ${calls} | ${seconds.toFixed(0)} | ${idle.toFixed(1)} | ${warm.toFixed(1)} | ${end.toFixed(1)} | ${signed(end - warm)} | ${highest.toFixed(1)} | ` +
        `${Number.isNaN(warmHeap) ? "n/a" : `${warmHeap.toFixed(1)} → ${endHeap.toFixed(1)} (${signed(endHeap - warmHeap)})`} | ${wrong} |`,
    );
    console.log(`${runtime}: RSS every ${SLICE_MS / 1000} s (MiB): ${samples.join(" ")}`);
  } finally {
    await stop(server);
  }
}

console.log(`\n${machineLine()}`);
console.log(`${BASELINE ? "hand-written servers" : "the library's servers"}, ${BODY === "batch" ? "batches of 10 calls" : "single calls"}, ${CONNECTIONS} connections, ${hasTaskset ? "server on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| runtime | calls | seconds | RSS idle MiB | RSS after warm-up | RSS at end | RSS growth | RSS highest | heap after GC, MiB | wrong |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
