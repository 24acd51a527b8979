/**
 * The client's own cost per call with three instances, round-robin balancing and a breaker per
 * instance, against a plain single-URL client. Both call the same in-process services through a
 * custom `fetch` (no sockets), so the difference is the client's work. Rounds alternate the two;
 * the table shows each side's median time per call and their ratio (target: at most 1.10×).
 *
 * Run with `npx tsx bench/cluster.ts`.
 *
 * @module
 */

import { createClient, type FetchFunction, Service } from "../mod.ts";
import { cluster } from "../src/client/cluster/mod.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 9);
const CALLS = Number(process.env["BENCH_CALLS"] ?? 20_000);

const services = new Map<string, Service>();
for (let i = 0; i < 3; i++) {
  services.set(
    `http://instance-${i}.bench/api`,
    new Service({ name: "bench" }).publicMethod("say_hello", (name: string) => `hello ${name}`, { idempotent: true }),
  );
}
const urls = [...services.keys()];
const inProcess: FetchFunction = (url, init) => {
  const service = services.get(url);
  if (service === undefined) return Promise.reject(new TypeError("fetch failed"));
  return service.fetch(new Request(url, init));
};

const single = createClient<{ say_hello(name: string): string }>(urls[0] ?? "", { fetch: inProcess });
const replicas = createClient<{ say_hello(name: string): string }>(cluster(urls, { idempotent: ["say_hello"] }), { fetch: inProcess });

async function round(client: typeof single): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await client.methods.say_hello("world");
  return ((performance.now() - start) * 1_000) / CALLS; // µs per call
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

// Warm both paths up.
await round(single);
await round(replicas);
const singleTimes: number[] = [];
const clusterTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which goes first, so neither always runs on a warmer or cooler machine.
  if (r % 2 === 0) {
    singleTimes.push(await round(single));
    clusterTimes.push(await round(replicas));
  } else {
    clusterTimes.push(await round(replicas));
    singleTimes.push(await round(single));
  }
}
const s = median(singleTimes);
const c = median(clusterTimes);
console.log(`| client | µs per call (median of ${ROUNDS} rounds of ${CALLS}) |`);
console.log("| --- | --- |");
console.log(`| one URL | ${s.toFixed(2)} |`);
console.log(`| three instances, round-robin, breaker | ${c.toFixed(2)} |`);
console.log(`| ratio | ${(c / s).toFixed(3)}× (target ≤ 1.10×) |`);
