/**
 * `asyncTraceScope()`: a trace scope that follows a call through every `await`, so a client used
 * anywhere inside a handler continues the handler's trace. It is built on `AsyncLocalStorage`
 * (`node:async_hooks`), which Node.js, Deno and Bun all have; the core of the library never
 * imports it, only code that imports this module does.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { TraceScope } from "./scope.ts";
import type { TraceContext } from "./trace_context.ts";

let shared: TraceScope | undefined;

/**
 * The trace scope kept by `AsyncLocalStorage`: the trace given to `run` is current in everything
 * `run`'s function starts, after any number of `await`s.
 *
 * Every call returns the same scope (one storage per copy of this module), so the scope given to
 * `traceContext()` and the one given to a client's `propagateTrace()` or `openTelemetryClient()`
 * always agree, even when each was made by its own `asyncTraceScope()` call. Nested `run`s still
 * nest: the inner trace is current inside, the outer one again after.
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
