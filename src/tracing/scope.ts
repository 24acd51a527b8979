/**
 * Where the trace of the running call is kept, so that a client used inside a handler continues it
 * without the handler passing ids around.
 *
 * A {@linkcode TraceScope} runs a function in a trace and tells the current one. The default,
 * {@linkcode syncTraceScope}, needs nothing of the runtime and holds the trace for the synchronous
 * part of a handler only (read it with `currentTrace()` before the first `await`, and hand it to the
 * client as `{ trace }`). `asyncTraceScope()` (from `tsmicroservice/async-context`) follows the
 * handler through every `await`, with `AsyncLocalStorage` (Node.js, Deno and Bun).
 *
 * @module
 */

import type { TraceContext } from "./trace_context.ts";

/**
 * Runs functions in a trace, and tells the trace of the code running now.
 *
 * @example
 * ```ts
 * import { syncTraceScope, type TraceScope } from "./scope.ts";
 * const scope: TraceScope = syncTraceScope();
 * scope.run({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 }, () => scope.current()?.spanId);
 * // "00f067aa0ba902b7"
 * ```
 */
export interface TraceScope {
  /**
   * Runs `fn` in `trace`.
   *
   * @param trace The trace.
   * @param fn The work.
   * @returns What `fn` returns.
   * @example
   * ```ts
   * import { syncTraceScope } from "./scope.ts";
   * syncTraceScope().run({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 }, () => 42); // 42
   * ```
   */
  run<T>(trace: TraceContext, fn: () => T): T;
  /**
   * The trace of the code running now.
   *
   * @returns It, or `undefined` outside any.
   * @example
   * ```ts
   * import { syncTraceScope } from "./scope.ts";
   * syncTraceScope().current(); // undefined
   * ```
   */
  current(): TraceContext | undefined;
}

/**
 * A scope that holds the trace while `run`'s function runs synchronously: it works on every
 * runtime, and a handler reads it before its first `await`.
 *
 * @returns A new scope.
 * @example
 * ```ts
 * import { syncTraceScope } from "./scope.ts";
 * const scope = syncTraceScope();
 * const seen = scope.run({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 }, () => scope.current());
 * seen?.traceId; // "4bf92f3577b34da6a3ce929d0e0e4736"
 * scope.current(); // undefined again
 * ```
 */
export function syncTraceScope(): TraceScope {
  let current: TraceContext | undefined;
  return {
    run(trace, fn) {
      const outer = current;
      current = trace;
      try {
        return fn();
      } finally {
        current = outer;
      }
    },
    current: () => current,
  };
}

/**
 * The scope the trace plugins use unless given another: a {@linkcode syncTraceScope} shared by
 * this copy of the library.
 *
 * @example
 * ```ts
 * import { defaultTraceScope } from "./scope.ts";
 * defaultTraceScope.current(); // undefined outside a call
 * ```
 */
export const defaultTraceScope: TraceScope = syncTraceScope();

/**
 * The trace of the running call, as the default scope (or the one given) holds it. On a runtime
 * without async context, call it at the start of a handler and pass it to the client as
 * `{ trace }`.
 *
 * @param scope The scope to read. Default: {@linkcode defaultTraceScope}.
 * @returns The trace, or `undefined` outside a traced call.
 * @example
 * ```ts
 * import { currentTrace } from "./scope.ts";
 * currentTrace(); // undefined outside a call
 * ```
 */
export function currentTrace(scope: TraceScope = defaultTraceScope): TraceContext | undefined {
  return scope.current();
}
