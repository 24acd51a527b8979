/**
 * `asyncTraceScope()`: a trace scope that follows a call through every `await`, on
 * `AsyncLocalStorage` (`node:async_hooks`: Node.js, Deno, Bun). Only importers of this module pay
 * for it.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { TraceScope } from "./scope.ts";
import type { TraceContext } from "./trace_context.ts";

let shared: TraceScope | undefined;

/**
 * The trace scope kept by `AsyncLocalStorage`: `run`'s trace stays current across `await`s.
 *
 * Every call returns the same scope, so the scopes given to `traceContext()`, `propagateTrace()`
 * and `openTelemetryClient()` agree even when made separately. Nested `run`s nest.
 *
 * @returns The scope.
 * @example
 * ```ts
 * import { asyncTraceScope } from "./async_scope.ts";
 * const scope = asyncTraceScope();
 * const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 };
 * await scope.run(trace, async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   return asyncTraceScope().current()?.spanId; // "00f067aa0ba902b7": another call, the same scope
 * });
 * ```
 */
export function asyncTraceScope(): TraceScope {
  if (shared === undefined) {
    const storage = new AsyncLocalStorage<TraceContext>();
    shared = { run: (trace, fn) => storage.run(trace, fn), current: () => storage.getStore() };
  }
  return shared;
}
