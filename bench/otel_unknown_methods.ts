/**
 * What a batch of calls to unknown methods costs with `openTelemetry()` on a service with many
 * methods (issue 24 point 5): once, the plugin rebuilt its set of method names from the whole
 * registry on every unknown name. In process through `service.handle` (no HTTP, no sockets), a
 * no-op tracer, 2,000 registered methods, batches of 100 unknown names; the median time per
 * batch over the rounds, and the same batch of known names beside it.
 *
 * Run with `npx tsx bench/otel_unknown_methods.ts`. Environment: BENCH_ROUNDS (default 9),
 * BENCH_BATCHES (200 batches per round).
 *
 * @module
 */

import { Service } from "../mod.ts";
import { openTelemetry } from "../src/plugins/opentelemetry/opentelemetry.ts";
import { noopTracer } from "./noop_tracer.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 9);
const BATCHES = Number(process.env["BENCH_BATCHES"] ?? 200);
const METHODS = 2_000;
const ENTRIES = 100;


let service: Service = new Service({ name: "many.methods" }).use(openTelemetry({ tracer: noopTracer }));
for (let index = 0; index < METHODS; index++) service = service.publicMethod(`method_${index}`, () => index);

const batchOf = (prefix: string) => Array.from({ length: ENTRIES }, (_, index) => ({ jsonrpc: "2.0", method: `${prefix}${index}`, id: index }));
const unknown = batchOf("no_such_method_");
const known = batchOf("method_");

async function msPerBatch(batch: unknown[]): Promise<number> {
  const started = performance.now();
  for (let round = 0; round < BATCHES; round++) await service.handle(batch);
  return (performance.now() - started) / BATCHES;
}

const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const unknownTimes: number[] = [];
const knownTimes: number[] = [];
await msPerBatch(unknown); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  unknownTimes.push(await msPerBatch(unknown));
  knownTimes.push(await msPerBatch(known));
}
console.log(`| ${METHODS} methods, batch of ${ENTRIES} | ms per batch (median of ${ROUNDS}) |`);
console.log("| --- | ---: |");
console.log(`| unknown names | ${median(unknownTimes).toFixed(3)} |`);
console.log(`| known names | ${median(knownTimes).toFixed(3)} |`);
