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

/**
 * A trace scope kept by `AsyncLocalStorage`: the trace given to `run` is current in everything
 * `run`'s function starts, after any number of `await`s.
 *
 * @returns A new scope.
 * @example
 * ```ts
 * import { asyncTraceScope } from "./async_scope.ts";
 * const scope = asyncTraceScope();
 * const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 };
 * await scope.run(trace, async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 1));
 *   return scope.current()?.spanId; // "00f067aa0ba902b7"
 * });
 * ```
 */
export function asyncTraceScope(): TraceScope {
  const storage = new AsyncLocalStorage<TraceContext>();
  return {
    run: (trace, fn) => storage.run(trace, fn),
    current: () => storage.getStore(),
  };
}
