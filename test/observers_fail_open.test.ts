// The built-in observers never fail the calls they observe: a tracer that throws when a span
// starts is reported (once per call) and the call runs and answers as without it; the trace
// plugins read a request's trace once per batch and keep nothing of it once the request is over.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { openTelemetry } from "../src/plugins/opentelemetry/opentelemetry.ts";
import type { OtelTracer } from "../src/plugins/opentelemetry/otel_types.ts";
import { traceContext } from "../src/plugins/trace_context.ts";

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("observers that fail", () => {
  test("openTelemetry() with a tracer that throws: the call answers, the failure is reported", async () => {
    const broken = new Error("the SDK is misconfigured");
    const tracer = { startSpan: () => {
      throw broken;
    } } as unknown as OtelTracer;
    const reported: [unknown, string][] = [];
    let runs = 0;
    const service = new Service({ name: "s", onError: (error, { method }) => reported.push([error, method]) })
      .use(openTelemetry({ tracer }))
      .publicMethod("ping", () => ++runs);
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), { jsonrpc: "2.0", result: 1, id: 1 });
    assert.deepEqual(reported, [[broken, "openTelemetry"]]);
  });
});

describe("a request's trace, read once per batch", () => {
  test("every call of a batch continues the caller's trace, each with a span of its own; a header read once", async () => {
    let reads = 0;
    const headers = { get: (name: string): string | null => {
      if (name === "traceparent") reads++;
      return name === "traceparent" ? PARENT : null;
    } };
    const tracing = traceContext();
    const service = new Service({ name: "s" }).use(tracing).publicMethod("span", () => null);
    const spans: (string | undefined)[] = [];
    const traceIds: (string | undefined)[] = [];
    service.use({ name: "spy", call: (call, next) => {
      const trace = tracing.traceOf(call);
      traceIds.push(trace?.traceId);
      spans.push(trace?.spanId);
      return next();
    } });
    const batch = [1, 2, 3].map((id) => ({ jsonrpc: "2.0", method: "span", id }));
    await service.handle(batch, { headers });
    assert.equal(reads, 1);
    assert.deepEqual(traceIds, Array(3).fill("4bf92f3577b34da6a3ce929d0e0e4736"));
    assert.equal(new Set(spans).size, 3);
  });
});
