/**
 * Making OpenTelemetry contexts without the API package: a context that names a span (the caller's,
 * read from `traceparent`) as the parent of the next span started in it. The API keys a context's
 * span by `Symbol.for("OpenTelemetry Context Key SPAN")`, the same symbol in every copy of it.
 *
 * @module
 */

import type { TraceContext } from "../../tracing/trace_context.ts";
import type { OtelContext, OtelSpan, OtelSpanContext, OtelTraceState } from "./otel_types.ts";

/**
 * The key under which an OpenTelemetry context holds its span.
 *
 * @example
 * ```ts
 * import { SPAN_KEY } from "./otel_context.ts";
 * SPAN_KEY === Symbol.for("OpenTelemetry Context Key SPAN"); // true
 * ```
 */
export const SPAN_KEY: symbol = Symbol.for("OpenTelemetry Context Key SPAN");

/** An immutable context, as the API's own. */
class PlainContext implements OtelContext {
  readonly #values: ReadonlyMap<symbol, unknown>;

  constructor(values: ReadonlyMap<symbol, unknown> = new Map()) {
    this.#values = values;
  }

  getValue(key: symbol): unknown {
    return this.#values.get(key);
  }

  setValue(key: symbol, value: unknown): OtelContext {
    return new PlainContext(new Map(this.#values).set(key, value));
  }

  deleteValue(key: symbol): OtelContext {
    const values = new Map(this.#values);
    values.delete(key);
    return new PlainContext(values);
  }
}

/**
 * An empty context (OpenTelemetry's `ROOT_CONTEXT`).
 *
 * @example
 * ```ts
 * import { EMPTY_CONTEXT, SPAN_KEY } from "./otel_context.ts";
 * EMPTY_CONTEXT.getValue(SPAN_KEY); // undefined
 * ```
 */
export const EMPTY_CONTEXT: OtelContext = new PlainContext();

/** A `tracestate` list as OpenTelemetry's TraceState (immutable). */
class ListTraceState implements OtelTraceState {
  readonly #members: readonly (readonly [string, string])[];

  constructor(members: readonly (readonly [string, string])[]) {
    this.#members = members;
  }

  static parse(list: string): ListTraceState {
    return new ListTraceState(list.split(",").map((member) => {
      const equals = member.indexOf("=");
      return [member.slice(0, equals), member.slice(equals + 1)] as const;
    }));
  }

  set(key: string, value: string): OtelTraceState {
    return new ListTraceState([[key, value], ...this.#members.filter(([known]) => known !== key)]);
  }

  unset(key: string): OtelTraceState {
    return new ListTraceState(this.#members.filter(([known]) => known !== key));
  }

  get(key: string): string | undefined {
    return this.#members.find(([known]) => known === key)?.[1];
  }

  serialize(): string {
    return this.#members.map(([key, value]) => `${key}=${value}`).join(",");
  }
}

/**
 * The span context of a remote parent, as OpenTelemetry reads it.
 *
 * @param trace The caller's trace (its `spanId` is the parent's).
 * @returns The span context, marked remote.
 * @example
 * ```ts
 * import { remoteSpanContext } from "./otel_context.ts";
 * remoteSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 }).isRemote; // true
 * ```
 */
export function remoteSpanContext(trace: TraceContext): OtelSpanContext {
  const base = { traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.flags, isRemote: true };
  return trace.traceState === undefined ? base : { ...base, traceState: ListTraceState.parse(trace.traceState) };
}

/**
 * A context whose span is `trace`'s (a span that records nothing), so the next span started in it
 * is that span's child.
 *
 * @param base The context to add it to (the active one, or an empty one).
 * @param trace The parent, or `undefined` to leave `base` as it is.
 * @returns The context.
 * @example
 * ```ts
 * import { EMPTY_CONTEXT, SPAN_KEY, withParent } from "./otel_context.ts";
 * const context = withParent(EMPTY_CONTEXT, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 });
 * (context.getValue(SPAN_KEY) as { spanContext(): { spanId: string } }).spanContext().spanId; // "00f067aa0ba902b7"
 * ```
 */
export function withParent(base: OtelContext, trace: TraceContext | undefined): OtelContext {
  if (trace === undefined) return base;
  const spanContext = remoteSpanContext(trace);
  const parent: OtelSpan & { isRecording(): boolean } = {
    spanContext: () => spanContext,
    setAttribute: () => parent,
    setStatus: () => parent,
    updateName: () => parent,
    end: () => {},
    isRecording: () => false,
  };
  return base.setValue(SPAN_KEY, parent);
}

/**
 * A span's identity as a trace context: what a client sends on as `traceparent` and `tracestate`.
 *
 * @param span The span.
 * @returns Its trace context.
 * @example
 * ```ts
 * import { traceOfSpan } from "./otel_context.ts";
 * import type { OtelSpan } from "./otel_types.ts";
 * const ids = (span: OtelSpan) => traceOfSpan(span).spanId;
 * ```
 */
export function traceOfSpan(span: OtelSpan): TraceContext {
  const context = span.spanContext();
  return { traceId: context.traceId, spanId: context.spanId, flags: context.traceFlags, traceState: context.traceState?.serialize() || undefined };
}
