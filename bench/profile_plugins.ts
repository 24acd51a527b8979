/**
 * Profiles one plugin's cost per call for `node --cpu-prof`: a batch of 10 through `service.fetch`
 * with the plugin named by the first argument (`metrics`, `trace`, `otel`, `none`), then prints the
 * functions with the most self time from the profile given as the second argument, if any.
 *
 * Run: `node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile_plugins.ts trace`, then
 * `npx tsx bench/profile_plugins.ts summary /tmp/prof/<file>.cpuprofile`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type Plugin, Service } from "../mod.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";
import { openTelemetry } from "../src/plugins/opentelemetry/opentelemetry.ts";
import { traceContext } from "../src/plugins/trace_context.ts";
import { noopTracer } from "./noop_tracer.ts";
import { runCompiled } from "./compiled.ts";

// On Node.js, measure the compiled JavaScript npm users run (see compiled.ts).
runCompiled(import.meta.url);

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

/** Prints the 25 functions with the most samples of self time. */
function summary(file: string): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map<string, number>();
  for (const sample of profile.samples) {
    const frame = byId.get(sample)?.callFrame;
    const key = `${frame?.functionName || "(anonymous)"} ${frame?.url.split("/").slice(-2).join("/")}:${(frame?.lineNumber ?? 0) + 1}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

const plugins: Record<string, () => Plugin | undefined> = {
  none: () => undefined,
  metrics: () => metrics(),
  trace: () => traceContext(),
  otel: () => openTelemetry({ tracer: noopTracer }),
};

const [what = "none", file] = process.argv.slice(2);
if (what === "summary" && file !== undefined) summary(file);
else {
  const plugin = plugins[what]?.();
  const service = new Service({ name: "bench.service" });
  if (plugin !== undefined) service.use(plugin);
  service.publicMethod("say_hello", (name: string) => `hello ${name}`);
  const body = `[${Array.from({ length: 10 }, (_, i) => `{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":${i}}`).join(",")}]`;
  const headers = { "content-type": "application/json", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
  for (let i = 0; i < 40_000; i++) {
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers, body }));
    await response.text();
  }
}
