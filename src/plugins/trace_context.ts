/**
 * W3C trace context for services and clients: `traceContext()` runs each call in the trace its
 * request's `traceparent` names (or a new one), and `propagateTrace()` makes a client send the
 * current trace on, so a call made inside a handler is a child of that handler's call.
 *
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { createClient } from "../client/client.ts";
 * import { asyncTraceScope } from "../tracing/async_scope.ts";
 * import { propagateTrace, traceContext } from "./trace_context.ts";
 * const scope = asyncTraceScope(); // or the default scope, read with currentTrace() (see below)
 * const upstream = createClient("http://127.0.0.1:5001/api", { observe: propagateTrace({ scope }) });
 * const gateway = new Service({ name: "gateway" })
 *   .use(traceContext({ scope }))
 *   .publicMethod("add", (a: number, b: number) => upstream.call("add", [a, b]));
 * ```
 *
 * @module
 */

import type { CallStart, Plugin } from "../core/plugin.ts";
import type { HeaderReader } from "../core/context.ts";
import type { ClientObserver } from "../client/transport.ts";
import { defaultTraceScope, type TraceScope } from "../tracing/scope.ts";
import { childTrace, incomingTrace, setTraceHeaders, type TraceContext } from "../tracing/trace_context.ts";

export { currentTrace, defaultTraceScope, syncTraceScope, type TraceScope } from "../tracing/scope.ts";
export {
  childTrace,
  formatTraceparent,
  incomingTrace,
  newSpanId,
  newTraceId,
  parseTraceparent,
  parseTracestate,
  SAMPLED_FLAG,
  setTraceHeaders,
  type TraceContext,
  type Traceparent,
} from "../tracing/trace_context.ts";

/**
 * Tells the trace each call ran in, for a call log (`callLog({ format: "json", traces })`).
 *
 * @example
 * ```ts
 * import type { CallStart } from "../core/plugin.ts";
 * import type { CallTraces } from "./trace_context.ts";
 * const traceIdOf = (traces: CallTraces, call: CallStart): string | undefined => traces.traceOf(call)?.traceId;
 * ```
 */
export interface CallTraces {
  /**
   * The trace of a call (the object a call middleware is given), once the call has begun.
   *
   * @param call The call.
   * @returns Its trace, with its own span id, or `undefined` when it is not traced.
   * @example
   * ```ts
   * import { Service } from "../core/service.ts";
   * import { traceContext } from "./trace_context.ts";
   * const tracing = traceContext();
   * let traceId: string | undefined;
   * const service = new Service({ name: "s" }).use(tracing).use({
   *   name: "spy",
   *   call: (call, next) => {
   *     traceId = tracing.traceOf(call)?.traceId;
   *     return next();
   *   },
   * }).publicMethod("ping", () => "pong");
   * await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
   * ```
   */
  traceOf(call: CallStart): TraceContext | undefined;
}

/**
 * Options of {@linkcode traceContext}.
 *
 * @example
 * ```ts
 * import { asyncTraceScope } from "../tracing/async_scope.ts";
 * import type { TraceContextOptions } from "./trace_context.ts";
 * const options: TraceContextOptions = { scope: asyncTraceScope() };
 * ```
 */
export interface TraceContextOptions {
  /** Where the call's trace is kept while it runs. Default: the shared synchronous scope. */
  readonly scope?: TraceScope | undefined;
}

/**
 * Runs every call in its trace: a child span (a fresh span id) of the request's `traceparent`
 * (`tracestate` kept), or the root of a new trace when the request carries none or an invalid one.
 * A client with `propagateTrace()` continues it; `traceOf(call)` tells it to a call log.
 *
 * @param options The scope to keep the trace in.
 * @returns The plugin, which also tells each call's trace.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { currentTrace, traceContext } from "./trace_context.ts";
 * const service = new Service({ name: "s" })
 *   .use(traceContext())
 *   .publicMethod("trace_id", () => currentTrace()?.traceId);
 * await service.handle(
 *   { jsonrpc: "2.0", method: "trace_id", id: 1 },
 *   { headers: new Headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }) },
 * ); // { jsonrpc: "2.0", result: "4bf92f3577b34da6a3ce929d0e0e4736", id: 1 }
 * ```
 */
export function traceContext(options: TraceContextOptions = {}): Plugin & CallTraces {
  const scope = options.scope ?? defaultTraceScope;
  // Each call's trace is kept on the call object under a key of this plugin's own (cheaper than a WeakMap).
  const traceKey = Symbol("traceContext.trace");
  // The calls of one batch share one view of its headers: the caller's trace is read once, and
  // kept on that view (so nothing outlives the request).
  const parentKey = Symbol("traceContext.parent");
  return {
    name: "traceContext",
    call(call, next) {
      const headers = call.headers as HeaderReader & { [parentKey]?: TraceContext | null };
      let parent = headers[parentKey];
      if (parent === undefined) parent = headers[parentKey] = incomingTrace(headers) ?? null;
      const trace = childTrace(parent ?? undefined);
      (call as CallStart & Record<symbol, TraceContext>)[traceKey] = trace;
      return scope.run(trace, next);
    },
    traceOf: (call) => (call as CallStart & Record<symbol, TraceContext | undefined>)[traceKey],
  };
}

/**
 * Options of {@linkcode propagateTrace}.
 *
 * @example
 * ```ts
 * import { asyncTraceScope } from "../tracing/async_scope.ts";
 * import type { PropagateTraceOptions } from "./trace_context.ts";
 * const options: PropagateTraceOptions = { scope: asyncTraceScope() };
 * ```
 */
export interface PropagateTraceOptions {
  /** Where the current trace is read. Default: the shared synchronous scope. */
  readonly scope?: TraceScope | undefined;
}

/**
 * A client observer that sends the current trace on: `traceparent` naming the current span as
 * parent, and its `tracestate`. A call's own `{ trace }` option wins over the scope; with neither,
 * nothing is sent.
 *
 * @param options The scope to read the current trace from.
 * @returns The observer, for the client's `observe` option.
 * @example
 * ```ts
 * import { createClient } from "../client/client.ts";
 * import { propagateTrace } from "./trace_context.ts";
 * const upstream = createClient("http://127.0.0.1:5001/api", { observe: propagateTrace() });
 * ```
 */
export function propagateTrace(options: PropagateTraceOptions = {}): ClientObserver {
  const scope = options.scope ?? defaultTraceScope;
  return (exchange) => {
    const trace = exchange.call.trace ?? scope.current();
    if (trace !== undefined) setTraceHeaders(exchange.headers, trace);
    return undefined;
  };
}
