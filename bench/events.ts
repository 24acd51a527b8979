/**
 * NATS numbers on one machine, against a nats-server it starts on a free loopback port:
 *
 * 1. Event fan-out: one publisher, two subscriber instances of one service (service-pool: a
 *    queue group), events per second until every event is handled, against the NATS client's
 *    own publish/subscribe loop with the same payloads and the same queue group (target ≥ 0.80×).
 * 2. JSON-RPC over NATS (natsServer + natsFetch) against the same service over HTTP (serve() on
 *    this runtime), with the same client and concurrency: requests per second and p99 latency.
 *
 * Rounds alternate the two sides; the table shows medians. Run with `npx tsx bench/events.ts`
 * (nats-server must be installed: `apt-get install nats-server`).
 *
 * @module
 */

import { spawn } from "node:child_process";
import { connect as natsConnect, type NatsConnection } from "@nats-io/transport-node";
import { createClient, serve, Service } from "../mod.ts";
import { event, events } from "../src/events/mod.ts";
import { natsFetch, natsServer, natsTransport } from "../src/nats/mod.ts";
import { machineLine } from "./machine.ts";
import { freePort } from "./processes.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const EVENTS = Number(process.env["BENCH_EVENTS"] ?? 100_000);
const CALLS = Number(process.env["BENCH_CALLS"] ?? 20_000);
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 32);

const port = await freePort();
const server = spawn("nats-server", ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
const servers = `127.0.0.1:${port}`;
const connectNats = async (): Promise<NatsConnection> => {
  for (let tries = 0; ; tries++) {
    try {
      return await natsConnect({ servers });
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};
/** One turn of the event loop (both loops take one every 1000 events, so the subscribers, in this process too, keep up). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The NATS client alone: publish EVENTS envelopes, two queue subscribers count them. */
async function rawFanOut(round: number): Promise<number> {
  const [pub, a, b] = await Promise.all([connectNats(), connectNats(), connectNats()]);
  const subject = `raw.${round}`;
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const nc of [a, b]) {
    nc.subscribe(subject, {
      queue: "billing.service",
      callback: (_error, message) => {
        // What a handler gets: the parsed payload.
        JSON.parse(new TextDecoder().decode(message.data));
        if (++received === EVENTS) done();
      },
    });
    await nc.flush();
  }
  const started = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    if (i % 1_000 === 999) await turn();
    pub.publish(subject, JSON.stringify({ id: crypto.randomUUID(), event: "order.created", source: "orders.service", time: new Date().toISOString(), payload: { id: i } }));
  }
  await all;
  const rate = EVENTS / ((performance.now() - started) / 1_000);
  await Promise.all([pub, a, b].map((nc) => nc.close()));
  return rate;
}

/** The events plugin: one emitter, two instances of billing.service. */
async function pluginFanOut(round: number): Promise<number> {
  const [pub, a, b] = await Promise.all([connectNats(), connectNats(), connectNats()]);
  const prefix = `ev${round}`;
  const orderEvents = events({ transport: natsTransport(pub, { prefix }), emits: { "order.created": event<{ id: number }>() } });
  new Service({ name: "orders.service" }).use(orderEvents);
  let received = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const billing = [a, b].map((nc) => {
    const plugin = events({ transport: natsTransport(nc, { prefix }) });
    plugin.from<typeof orderEvents>("orders.service").on("order.created", () => {
      if (++received === EVENTS) done();
    });
    return new Service({ name: "billing.service" }).use(plugin);
  });
  for (const service of billing) await service.startup();
  await Promise.all([a.flush(), b.flush()]);
  const started = performance.now();
  // As the raw loop publishes: without waiting for each emit (NATS core takes it at once), then
  // every 1000 for those emits' promises, and a turn of the event loop as the raw loop takes. Awaiting each emit alone would flush each event on
  // its own socket write, as the NATS client flushes its buffer once per microtask turn.
  let pending: Promise<void>[] = [];
  for (let i = 0; i < EVENTS; i++) {
    pending.push(orderEvents.emit("order.created", { id: i }));
    if (pending.length === 1_000) {
      await Promise.all(pending);
      pending = [];
      await turn();
    }
  }
  await Promise.all(pending);
  await all;
  const rate = EVENTS / ((performance.now() - started) / 1_000);
  for (const service of billing) await service.shutdown();
  await Promise.all([pub, a, b].map((nc) => nc.close()));
  return rate;
}

/** CALLS calls with CONCURRENCY in flight: calls per second and the p99 latency in ms. */
async function load(call: () => Promise<unknown>): Promise<{ rate: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < CALLS) {
      const t = performance.now();
      await call();
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((x, y) => x - y);
  return { rate: CALLS / elapsed, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
}

const rpcConnection = await connectNats();
const clientConnection = await connectNats();
const calc = new Service({ name: "calc.service" })
  .use(natsServer(rpcConnection))
  .publicMethod("add", (x: number, y: number) => x + y);
const http = await serve(calc, { hostname: "127.0.0.1", port: 0 });
const overHttp = createClient<typeof calc>(`${http.url}/api`);
const overNats = createClient<typeof calc>("nats:rpc.calc.service", { fetch: natsFetch(clientConnection) });
await overHttp.methods.add(1, 1);
await overNats.methods.add(1, 1);

const raw: number[] = [];
const plugin: number[] = [];
const httpRuns: { rate: number; p99: number }[] = [];
const natsRuns: { rate: number; p99: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  raw.push(await rawFanOut(round));
  plugin.push(await pluginFanOut(round));
  httpRuns.push(await load(() => overHttp.methods.add(1, 2)));
  natsRuns.push(await load(() => overNats.methods.add(1, 2)));
}

console.log(machineLine());
console.log(`${ROUNDS} rounds, medians; ${EVENTS} events, ${CALLS} calls with ${CONCURRENCY} in flight`);
console.log("| measure | value |");
console.log("| --- | --- |");
console.log(`| NATS client pub/sub, 2 queue subscribers | ${Math.round(median(raw))} events/s |`);
console.log(`| events plugin over NATS, 2 service-pool instances | ${Math.round(median(plugin))} events/s |`);
console.log(`| ratio (target ≥ 0.80) | ${(median(plugin) / median(raw)).toFixed(2)}× |`);
console.log(`| JSON-RPC over HTTP (node) | ${Math.round(median(httpRuns.map((r) => r.rate)))} req/s, p99 ${median(httpRuns.map((r) => r.p99)).toFixed(2)} ms |`);
console.log(`| JSON-RPC over NATS | ${Math.round(median(natsRuns.map((r) => r.rate)))} req/s, p99 ${median(natsRuns.map((r) => r.p99)).toFixed(2)} ms |`);

await calc.shutdown();
await http.close();
await rpcConnection.close();
await clientConnection.close();
server.kill("SIGTERM");
