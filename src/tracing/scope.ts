/**
 * Where the running call's trace is kept, so a client inside a handler continues it.
 *
 * The default {@linkcode syncTraceScope} works anywhere but holds the trace only until the
 * handler's first `await` (read it with `currentTrace()` and pass it as `{ trace }`);
 * `asyncTraceScope()` (`tsmicroservice/async-context`) follows every `await`.
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
 * A scope holding the trace while `run`'s function runs synchronously; works on every runtime.
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
 * The scope trace plugins use unless given another: one shared {@linkcode syncTraceScope}.
 *
 * @example
 * ```ts
 * import { defaultTraceScope } from "./scope.ts";
 * defaultTraceScope.current(); // undefined outside a call
 * ```
 */
export const defaultTraceScope: TraceScope = syncTraceScope();

/**
 * The running call's trace. Without async context, call it before the handler's first `await` and
 * pass it to the client as `{ trace }`.
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
