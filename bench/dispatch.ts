/**
 * In-process dispatch against its floor: `dispatchText` (parse, validate, find, bind, call, build,
 * stringify) versus the bare minimum any JSON-RPC server does (`JSON.parse`, call, build the
 * response, `JSON.stringify`). Rounds alternate the two; the table shows the median time ratio.
 *
 * Run with `npx tsx bench/dispatch.ts` (`npm run bench` runs it too).
 *
 * @module
 */

import { Service } from "../mod.ts";
import { dispatchText, targetOf } from "../src/core/dispatch.ts";
import { runCompiled } from "./compiled.ts";

// On Node.js, measure the compiled JavaScript npm users run (see compiled.ts).
runCompiled(import.meta.url);

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const ITERATIONS = Number(process.env["BENCH_ITERATIONS"] ?? 200_000);

const service = new Service({ name: "bench" }).publicMethod("say_hello", (name: string) => `hello ${name}`);
const sayHello = (name: string): string => `hello ${name}`;
// Two kinds of request headers: the Web `Headers` that service.fetch, Deno and Bun hand over (its
// `get` of X-Request-Timeout is a good part of dispatch's own cost), and a plain reader such as the
// Node adapter's.
const CONTEXTS = [
  { kind: "Web Headers", context: { headers: new Headers() } },
  { kind: "plain reader (Node adapter)", context: { headers: { get: (): string | null => null } } },
] as const;
let context: { headers: { get(name: string): string | null } } = CONTEXTS[0].context;

const single = '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}';
const batch = `[${Array.from({ length: 10 }, (_, i) => `{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":${i}}`).join(",")}]`;

/** The floor: what any server must do for these bodies, with no checks at all. */
function floor(text: string): string {
  const message = JSON.parse(text) as { method: string; params: [string]; id: number } | { method: string; params: [string]; id: number }[];
  if (Array.isArray(message)) return JSON.stringify(message.map((m) => ({ jsonrpc: "2.0", result: sayHello(m.params[0]), id: m.id })));
  return JSON.stringify({ jsonrpc: "2.0", result: sayHello(message.params[0]), id: message.id });
}

async function timeLibrary(text: string, iterations: number): Promise<number> {
  const target = targetOf(service);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await dispatchText(target, text, context);
  return performance.now() - started;
}

async function timeFloor(text: string, iterations: number): Promise<number> {
  const started = performance.now();
  // Awaited like the library's calls, so both pay for one promise turn per call.
  for (let i = 0; i < iterations; i++) await Promise.resolve(floor(text));
  return performance.now() - started;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log("| case | headers | floor µs/call | library µs/call | ratio: median (rounds) |");
console.log("| --- | --- | ---: | ---: | --- |");
const CASES: readonly (readonly [string, string])[] = [["single call", single], ["batch of 10", batch]];
for (const [name, text, kind, headers] of CASES.flatMap(([name, text]) => CONTEXTS.map((each) => [name, text, each.kind, each.context] as const))) {
  context = headers;
  if (await dispatchText(targetOf(service), text, context) !== floor(text)) throw new Error(`the two sides disagree on ${name}`);
  await timeLibrary(text, ITERATIONS / 4);
  await timeFloor(text, ITERATIONS / 4);
  const ratios: number[] = [];
  const library: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so drift in the machine's load falls on both alike.
    let floorMs: number;
    let libraryMs: number;
    if (round % 2 === 0) {
      floorMs = await timeFloor(text, ITERATIONS);
      libraryMs = await timeLibrary(text, ITERATIONS);
    } else {
      libraryMs = await timeLibrary(text, ITERATIONS);
      floorMs = await timeFloor(text, ITERATIONS);
    }
    bare.push((floorMs * 1000) / ITERATIONS);
    library.push((libraryMs * 1000) / ITERATIONS);
    ratios.push(libraryMs / floorMs);
  }
  console.log(`| ${name} | ${kind} | ${median(bare).toFixed(2)} | ${median(library).toFixed(2)} | **${median(ratios).toFixed(2)}×** (${ratios.map((r) => r.toFixed(2)).join(" ")}) |`);
}
