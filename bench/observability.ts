/**
 * What the observability plugins cost per call, in process through `service.fetch` (a real
 * `Request` per call, the HTTP layer included, no sockets: loopback runs on this shared machine
 * move by more than the differences measured here). Each variant runs against the same service
 * without plugins, in alternating rounds (A B, B A, …); the table shows the median ratio of
 * requests per CPU second, variant ÷ plain (1.00× means free). CPU time, not wall time: on this
 * shared two-core machine wall time moves by ±30 % with the other sessions' load.
 *
 * Variants: `metrics()`; `traceContext()`; `openTelemetry()` with a no-op tracer; `openTelemetry()`
 * with the real SDK (BasicTracerProvider, a span processor per span, an exporter that drops the
 * spans); each for a single call and a batch of 10. Every request carries a `traceparent`.
 *
 * Run with `npx tsx bench/observability.ts`. Environment: BENCH_ROUNDS (default 9),
 * BENCH_ITERATIONS (20000 requests per run), BENCH_VARIANTS (names to run, by prefix, comma-separated).
 *
 * @module
 */

import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { type Plugin, Service } from "../mod.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";
import { openTelemetry } from "../src/plugins/opentelemetry/opentelemetry.ts";
import { traceContext } from "../src/plugins/trace_context.ts";
import { noopTracer } from "./noop_tracer.ts";
import { runCompiled } from "./compiled.ts";

// On Node.js, measure the compiled JavaScript npm users run (see compiled.ts).
runCompiled(import.meta.url);

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 9);
const ITERATIONS = Number(process.env["BENCH_ITERATIONS"] ?? 20_000);


/** An exporter that drops every span: the SDK's own cost, without any I/O. */
const dropSpans: ConstructorParameters<typeof SimpleSpanProcessor>[0] = {
  export: (_spans, done) => {
    const success: unknown = { code: 0 }; // ExportResultCode.SUCCESS, without importing @opentelemetry/core
    done(success as Parameters<typeof done>[0]);
  },
  shutdown: () => Promise.resolve(),
};
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropSpans)] });
const sdkTracer = provider.getTracer("bench");

function serviceWith(plugins: readonly Plugin[]): Service {
  const service = new Service({ name: "bench.service", version: "1.0.0" });
  for (const plugin of plugins) service.use(plugin);
  return service.publicMethod("say_hello", (name: string) => `hello ${name}`);
}

const single = '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}';
const batch = `[${Array.from({ length: 10 }, (_, i) => `{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":${i}}`).join(",")}]`;
const headers = { "content-type": "application/json", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

/**
 * The process's CPU time (user and system, in ms) for `iterations` requests: on a shared machine it
 * moves far less with other processes' load than wall time does (time sliced away is not counted).
 */
async function time(service: Service, body: string, iterations: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers, body }));
    await response.text();
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const variants: [string, () => Plugin[]][] = [
  ["metrics()", () => [metrics()]],
  ["traceContext()", () => [traceContext()]],
  ["metrics() + traceContext()", () => [metrics(), traceContext()]],
  ["openTelemetry(), no-op tracer", () => [openTelemetry({ tracer: noopTracer })]],
  ["openTelemetry(), real SDK", () => [openTelemetry({ tracer: sdkTracer })]],
];
const only = process.env["BENCH_VARIANTS"]?.split(",");

console.log(`in process through service.fetch, ${ITERATIONS} requests per run, ${ROUNDS} alternating rounds; ${process.version}`);
console.log("| plugin | case | plain CPU µs/request | with plugin CPU µs/request | requests per CPU second, ratio: median (min–max) |");
console.log("| --- | --- | ---: | ---: | --- |");
for (const [name, make] of variants.filter(([name]) => only === undefined || only.some((part) => name.startsWith(part)))) {
  for (const [caseName, body] of [["single call", single], ["batch of 10", batch]] as const) {
    const plain = serviceWith([]);
    const observed = serviceWith(make());
    await time(plain, body, ITERATIONS / 4);
    await time(observed, body, ITERATIONS / 4);
    const ratios: number[] = [];
    const plainTimes: number[] = [];
    const observedTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let plainMs: number;
      let observedMs: number;
      if (round % 2 === 0) {
        plainMs = await time(plain, body, ITERATIONS);
        observedMs = await time(observed, body, ITERATIONS);
      } else {
        observedMs = await time(observed, body, ITERATIONS);
        plainMs = await time(plain, body, ITERATIONS);
      }
      plainTimes.push(plainMs);
      observedTimes.push(observedMs);
      ratios.push(plainMs / observedMs);
    }
    const us = (ms: number): string => ((ms * 1000) / ITERATIONS).toFixed(2);
    console.log(
      `| ${name} | ${caseName} | ${us(median(plainTimes))} | ${us(median(observedTimes))} | ${median(ratios).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) |`,
    );
  }
}
await provider.shutdown();
