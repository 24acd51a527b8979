/**
 * The parts of the OpenTelemetry JavaScript API the plugin calls, declared structurally: a tracer
 * from `@opentelemetry/api` (`trace.getTracer(…)`) fits them, and the library depends on nothing.
 *
 * @module
 */

/**
 * An attribute value, as OpenTelemetry takes it.
 *
 * @example
 * ```ts
 * import type { AttributeValue } from "./otel_types.ts";
 * const value: AttributeValue = "jsonrpc";
 * ```
 */
export type AttributeValue = string | number | boolean;

/**
 * OpenTelemetry's `TraceState`: the vendors' `tracestate` list.
 *
 * @example
 * ```ts
 * import type { OtelTraceState } from "./otel_types.ts";
 * const serialized = (state: OtelTraceState): string => state.serialize();
 * ```
 */
export interface OtelTraceState {
  /** Adds or replaces a member. */
  set(key: string, value: string): OtelTraceState;
  /** Removes a member. */
  unset(key: string): OtelTraceState;
  /** A member's value. */
  get(key: string): string | undefined;
  /** The list as a `tracestate` header. */
  serialize(): string;
}

/**
 * OpenTelemetry's `SpanContext`: what identifies a span.
 *
 * @example
 * ```ts
 * import type { OtelSpanContext } from "./otel_types.ts";
 * const context: OtelSpanContext = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 };
 * ```
 */
export interface OtelSpanContext {
  /** The trace id, 32 hex digits. */
  readonly traceId: string;
  /** The span id, 16 hex digits. */
  readonly spanId: string;
  /** The trace flags (1: sampled). */
  readonly traceFlags: number;
  /** Whether the span was made in another process. */
  readonly isRemote?: boolean;
  /** The vendors' trace state. */
  readonly traceState?: OtelTraceState;
}

/**
 * OpenTelemetry's `Span`: the methods the plugin calls on it.
 *
 * @example
 * ```ts
 * import type { OtelSpan } from "./otel_types.ts";
 * const fail = (span: OtelSpan): void => {
 *   span.setStatus({ code: 2, message: "Internal error" });
 *   span.end();
 * };
 * ```
 */
export interface OtelSpan {
  /** The span's identity. */
  spanContext(): OtelSpanContext;
  /** Sets an attribute. */
  setAttribute(key: string, value: AttributeValue): unknown;
  /** Sets the status: code 2 is ERROR. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Renames the span. */
  updateName(name: string): unknown;
  /** Ends the span. */
  end(): void;
}

/**
 * OpenTelemetry's `Context`: an immutable map of values keyed by symbols.
 *
 * @example
 * ```ts
 * import type { OtelContext } from "./otel_types.ts";
 * const has = (context: OtelContext, key: symbol): boolean => context.getValue(key) !== undefined;
 * ```
 */
export interface OtelContext {
  /** A value. */
  getValue(key: symbol): unknown;
  /** A context with a value added. */
  setValue(key: symbol, value: unknown): OtelContext;
  /** A context with a value removed. */
  deleteValue(key: symbol): OtelContext;
}

/**
 * OpenTelemetry's `Tracer`: makes spans.
 *
 * @example
 * ```ts
 * import type { OtelTracer } from "./otel_types.ts";
 * // With the API: import { trace } from "@opentelemetry/api"; const tracer: OtelTracer = trace.getTracer("my-service");
 * const span = (tracer: OtelTracer) => tracer.startSpan("work", { kind: 0 });
 * ```
 */
export interface OtelTracer {
  /**
   * Starts a span.
   *
   * @param name The span's name.
   * @param options Its kind (1 SERVER, 2 CLIENT) and attributes.
   * @param context The context its parent is read from.
   * @returns The span.
   * @example
   * ```ts
   * import type { OtelTracer } from "./otel_types.ts";
   * const start = (tracer: OtelTracer) => tracer.startSpan("calc/add", { kind: 2, attributes: { "rpc.system": "jsonrpc" } });
   * ```
   */
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, AttributeValue> }, context?: OtelContext): OtelSpan;
}

/**
 * OpenTelemetry's context API (`context` from `@opentelemetry/api`): the active context, and
 * running a function in another one.
 *
 * @example
 * ```ts
 * import type { OtelContextApi } from "./otel_types.ts";
 * // With the API: import { context } from "@opentelemetry/api"; const api: OtelContextApi = context;
 * const inside = <T>(api: OtelContextApi, fn: () => T): T => api.with(api.active(), fn);
 * ```
 */
export interface OtelContextApi {
  /** The active context. */
  active(): OtelContext;
  /** Runs `fn` with `context` active. */
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: OtelContext, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F>;
}

/**
 * OpenTelemetry's span kinds.
 *
 * @example
 * ```ts
 * import { SpanKinds } from "./otel_types.ts";
 * SpanKinds.SERVER; // 1
 * ```
 */
export const SpanKinds = { INTERNAL: 0, SERVER: 1, CLIENT: 2 } as const;

/**
 * OpenTelemetry's status code of a failed span.
 *
 * @example
 * ```ts
 * import { STATUS_ERROR } from "./otel_types.ts";
 * STATUS_ERROR; // 2
 * ```
 */
export const STATUS_ERROR = 2;
