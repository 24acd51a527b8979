/**
 * A tracer whose spans record nothing, as OpenTelemetry's API makes them without an SDK: what the
 * observability benchmarks measure the plugin's own cost with.
 *
 * @module
 */

import type { OtelSpan, OtelTracer } from "../src/plugins/opentelemetry/otel_types.ts";

const noopSpan: OtelSpan = {
  spanContext: () => ({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 0 }),
  setAttribute: () => noopSpan,
  setStatus: () => noopSpan,
  updateName: () => noopSpan,
  end: () => {},
};

/**
 * The tracer.
 *
 * @example
 * ```ts
 * import { noopTracer } from "./noop_tracer.ts";
 * noopTracer.startSpan("call").end();
 * ```
 */
export const noopTracer: OtelTracer = { startSpan: () => noopSpan };
