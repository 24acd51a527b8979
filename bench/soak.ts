/**
 * `npm run bench:soak`: about a million calls against the library's hello-world server on
 * loopback, per runtime, sampling its resident memory as they go, to show that memory does not
 * grow with the number of calls. Bounded in time: it stops at SOAK_CALLS calls or SOAK_SECONDS,
 * whichever comes first. Nothing here is an assertion.
 *
 * The first slice warms the server up (its code is compiled and its heap finds its size); growth
 * is measured from the end of that slice to the end of the run.
 *
 * Environment: SOAK_RUNTIMES (default "node,deno,bun"), SOAK_CALLS (1000000), SOAK_SECONDS (90
 * per runtime), SOAK_CONNECTIONS (50), SOAK_BODY ("single" or "batch"; a batch counts 10 calls).
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

const rows: string[] = [];
for (const runtime of RUNTIMES) {
  const server = await start(runtime, "bench/servers/library_server.ts");
  try {
    const idle = rssMiB(server.child.pid);
    const started = performance.now();
    let calls = 0;
    let wrong = 0;
    let warm = Number.NaN;
    let highest = 0;
    const samples: string[] = [];
    while (calls < CALLS && performance.now() - started < SECONDS * 1000) {
      const result = await runLoad({ port: server.port, path: "/api", body: BODIES[BODY], connections: CONNECTIONS, durationMs: SLICE_MS, expect: "hello world" });
      calls += (result.answers - result.wrong) * CALLS_PER_REQUEST;
      wrong += result.wrong;
      const rss = rssMiB(server.child.pid);
      if (Number.isNaN(warm)) warm = rss;
      highest = Math.max(highest, rss);
      samples.push(rss.toFixed(0));
      console.log(`${runtime}: ${calls} calls, ${(result.requestsPerSecond * CALLS_PER_REQUEST).toFixed(0)} calls/s, RSS ${rss.toFixed(1)} MiB`);
    }
    const end = rssMiB(server.child.pid);
    const seconds = (performance.now() - started) / 1000;
    rows.push(
      `| ${runtime} | ${calls} | ${seconds.toFixed(0)} | ${idle.toFixed(1)} | ${warm.toFixed(1)} | ${end.toFixed(1)} | ${(end - warm >= 0 ? "+" : "") + (end - warm).toFixed(1)} | ${highest.toFixed(1)} | ${wrong} |`,
    );
    console.log(`${runtime}: RSS every ${SLICE_MS / 1000} s (MiB): ${samples.join(" ")}`);
  } finally {
    await stop(server);
  }
}

console.log(`\n${machineLine()}`);
console.log(`${BODY === "batch" ? "batches of 10 calls" : "single calls"}, ${CONNECTIONS} connections, ${hasTaskset ? "server on CPU 0, load on CPU 1" : "no CPU pinning"}`);
console.log("| runtime | calls | seconds | RSS idle MiB | RSS after warm-up | RSS at end | growth | highest | wrong |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
