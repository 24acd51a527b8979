/**
 * `openTelemetry({ tracer })`: a server span for every call a service answers, and
 * `openTelemetryClient({ tracer })`: a client span for every call a client makes, named and
 * attributed by OpenTelemetry's semantic conventions for JSON-RPC (`rpc.system` `jsonrpc`,
 * `rpc.service`, `rpc.method`, `rpc.jsonrpc.version`, `rpc.jsonrpc.request_id`,
 * `rpc.jsonrpc.error_code`, `rpc.jsonrpc.error_message`, `server.address`, `server.port`; span
 * name `<service>/<method>`), linked across services by W3C `traceparent`.
 *
 * Bring your own OpenTelemetry SDK: the tracer is typed structurally, so the library depends on
 * nothing. Params and tokens are never recorded; a failed call's span has status ERROR with the
 * JSON-RPC error's code and message (an unexpected error's message is the generic one callers see).
 *
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { createClient } from "../../client/client.ts";
 * import { asyncTraceScope } from "../../tracing/async_scope.ts";
 * import { openTelemetry, openTelemetryClient } from "./opentelemetry.ts";
 * import type { OtelTracer } from "./otel_types.ts";
 * // With the SDK: import { trace } from "@opentelemetry/api"; const tracer = trace.getTracer("gateway");
 * declare const tracer: OtelTracer;
 * const scope = asyncTraceScope();
 * const upstream = createClient("http://127.0.0.1:5001/api", { observe: openTelemetryClient({ tracer, scope, service: "calculator" }) });
 * const gateway = new Service({ name: "gateway" })
 *   .use(openTelemetry({ tracer, scope }))
 *   .publicMethod("add", (a: number, b: number) => upstream.call("add", [a, b]));
 * ```
 *
 * @module
 */

import { errorName } from "../../core/as_error.ts";
import type { CallStart, CallSummary, Plugin, PluginHost } from "../../core/plugin.ts";
import type { HeaderReader } from "../../core/context.ts";
import type { ClientObserver, ExchangeEnd, OutgoingRequest } from "../../client/transport.ts";
import { defaultTraceScope, type TraceScope } from "../../tracing/scope.ts";
import { incomingTrace, setTraceHeaders, type TraceContext } from "../../tracing/trace_context.ts";
import type { CallTraces } from "../trace_context.ts";
import { EMPTY_CONTEXT, SPAN_KEY, traceOfSpan, withParent } from "./otel_context.ts";
import { type AttributeValue, type OtelContext, type OtelContextApi, type OtelSpan, type OtelTracer, SpanKinds, STATUS_ERROR } from "./otel_types.ts";
import { type StreamSummary, whenEnded } from "../when_ended.ts";

export type { AttributeValue, OtelContext, OtelContextApi, OtelSpan, OtelSpanContext, OtelTraceState, OtelTracer } from "./otel_types.ts";
export { SpanKinds, STATUS_ERROR } from "./otel_types.ts";

/**
 * The `rpc.method` (and span name part) of a method the service does not have, so callers cannot
 * fill span names with text of their own (the conventions' value for an unknown method).
 *
 * @example
 * ```ts
 * import { OTHER_METHOD } from "./opentelemetry.ts";
 * OTHER_METHOD; // "_OTHER"
 * ```
 */
export const OTHER_METHOD = "_OTHER";

/** The messages callers see for the library's own error codes. */
const STANDARD_MESSAGES: ReadonlyMap<number, string> = new Map([
  [-32700, "Parse error"],
  [-32600, "Invalid Request"],
  [-32601, "Method not found"],
  [-32602, "Invalid params"],
  [-32603, "Internal error"],
  [-32001, "Access denied"],
  [-32002, "Timeout"],
  [-32003, "Forbidden"],
  [-32004, "Unavailable"],
]);

/**
 * The longest caller-chosen text a span records (a request id, a `Host`, an upstream's error
 * message): past it the text is cut and ends with `…`, so a caller cannot pin memory in the
 * exporter's queue with megabyte-long ids.
 *
 * @example
 * ```ts
 * import { MAX_ATTRIBUTE_LENGTH } from "./opentelemetry.ts";
 * MAX_ATTRIBUTE_LENGTH; // 256
 * ```
 */
export const MAX_ATTRIBUTE_LENGTH = 256;

/** A caller-chosen text as a span records it: at most {@linkcode MAX_ATTRIBUTE_LENGTH} characters. */
function clip(text: string): string {
  return text.length <= MAX_ATTRIBUTE_LENGTH ? text : `${text.slice(0, MAX_ATTRIBUTE_LENGTH - 1)}…`;
}

/**
 * Options of {@linkcode openTelemetry}.
 *
 * @example
 * ```ts
 * import { asyncTraceScope } from "../../tracing/async_scope.ts";
 * import type { OpenTelemetryOptions } from "./opentelemetry.ts";
 * import type { OtelTracer } from "./otel_types.ts";
 * const options = (tracer: OtelTracer): OpenTelemetryOptions => ({ tracer, scope: asyncTraceScope() });
 * ```
 */
export interface OpenTelemetryOptions {
  /** The tracer spans are made with, such as `trace.getTracer("my-service")`. */
  readonly tracer: OtelTracer;
  /**
   * Where each call's trace is kept while it runs, for clients that continue it
   * (`openTelemetryClient`, `propagateTrace`). Default: the shared synchronous scope.
   */
  readonly scope?: TraceScope | undefined;
  /**
   * OpenTelemetry's context API (`context` from `@opentelemetry/api`), to run each handler with its
   * span active, so the SDK's own instrumentations (HTTP, databases) nest under it. Default: none.
   */
  readonly context?: OtelContextApi | undefined;
}

/**
 * A SERVER span per call (one per batch entry), child of the request's `traceparent`, named
 * `<service>/<method>`. The handler runs in the span's trace (see `scope`), so a client inside it
 * makes the next hop a child of this span.
 *
 * @param options The tracer, and where the trace is kept.
 * @returns The plugin, which also tells each call's trace (for `callLog({ format: "json" })`).
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { openTelemetry } from "./opentelemetry.ts";
 * import type { OtelTracer } from "./otel_types.ts";
 * const traced = (tracer: OtelTracer) => new Service({ name: "calculator" })
 *   .use(openTelemetry({ tracer }))
 *   .publicMethod("add", (a: number, b: number) => a + b);
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions): Plugin & CallTraces {
  const { tracer, context } = options;
  const scope = options.scope ?? defaultTraceScope;
  // Each call's trace is kept on the call object under a key of this plugin's own (a WeakMap's set
  // was 8 % of a profiled call).
  const traceKey = Symbol("openTelemetry.trace");
  let service: PluginHost | undefined;
  // Every method registered, before use() or after it (prepare sees each): an unknown name costs
  // one lookup, never a scan of the registry.
  const known = new Set<string>(["rpc.discover"]);
  // The calls of one batch share one view of its headers: what is read of them (the caller's trace,
  // the server's address) is read once, and kept on that view (so nothing outlives the request).
  const requestKey = Symbol("openTelemetry.request");
  return {
    name: "openTelemetry",
    setup(host) {
      service = host;
    },
    prepare(method) {
      known.add(method.name);
      return method;
    },
    call(call, next) {
      let span: OtelSpan;
      let trace: TraceContext;
      try {
        const serviceName = service?.name ?? "";
        const method = known.has(call.method) ? call.method : OTHER_METHOD;
        const headers = call.headers as HeaderReader & Record<symbol, RequestTraits | undefined>;
        let request = headers[requestKey];
        if (request === undefined) request = headers[requestKey] = traitsOf(headers, context);
        const attributes: Record<string, AttributeValue> = {
          "rpc.system": "jsonrpc",
          "rpc.service": serviceName,
          "rpc.method": method,
          "rpc.jsonrpc.version": "2.0",
          ...request.server,
        };
        if (!call.notification) attributes["rpc.jsonrpc.request_id"] = call.id == null ? "" : clip(String(call.id));
        const { parent } = request;
        span = tracer.startSpan(`${serviceName}/${method}`, { kind: SpanKinds.SERVER, attributes }, request.parentContext ?? withParent((context as OtelContextApi).active(), parent));
        const own = span.spanContext();
        trace = { traceId: own.traceId, spanId: own.spanId, flags: own.traceFlags, traceState: parent?.traceState, parentSpanId: parent?.spanId };
        (call as CallStart & Record<symbol, TraceContext>)[traceKey] = trace;
      } catch (error) {
        // A tracer that fails must not fail the calls it traces.
        service?.report(error, "openTelemetry");
        return next();
      }
      const run = (): CallSummary | Promise<CallSummary> => whenEnded(next(), (summary) => {
        endSpan(span, summary);
      }, (error) => service?.report(error, "openTelemetry"));
      if (context === undefined) return scope.run(trace, run);
      return scope.run(trace, () => context.with(context.active().setValue(SPAN_KEY, span), run));
    },
    traceOf: (call) => (call as CallStart & Record<symbol, TraceContext | undefined>)[traceKey],
  };
}

/** What every call of one request shares. */
interface RequestTraits {
  /** The caller's trace, from `traceparent`. */
  readonly parent: TraceContext | undefined;
  /** Its OpenTelemetry context, made once when there is no context API to ask per call. */
  readonly parentContext: OtelContext | undefined;
  /** `server.address` and `server.port`, from `Host`. */
  readonly server: Record<string, AttributeValue>;
}

function traitsOf(headers: HeaderReader, context: OtelContextApi | undefined): RequestTraits {
  const parent = incomingTrace(headers);
  const server: Record<string, AttributeValue> = {};
  addServerAddress(server, headers.get("host"));
  return { parent, parentContext: context === undefined ? withParent(EMPTY_CONTEXT, parent) : undefined, server };
}

function endSpan(span: OtelSpan, summary: CallSummary): void {
  if (!summary.ok && summary.code !== undefined) recordError(span, summary.code, messageOf(summary));
  // A stream's span ends with the stream (streams() used after this plugin): its items, and whether the caller left.
  const { items, left } = summary as Partial<StreamSummary>;
  if (items !== undefined) span.setAttribute("rpc.jsonrpc.stream.items", items);
  if (left === true) span.setAttribute("rpc.jsonrpc.stream.left", true);
  span.end();
}

/** The error message callers were told: an intended RpcError's own, else the standard one. */
function messageOf(summary: CallSummary): string {
  const thrown = summary.error;
  const name = errorName(thrown);
  if (name === "RpcError" || name === "TransportError") {
    try {
      // An upstream call's failure was told as its meaning (-32002, -32004), not its own message.
      const message: unknown = name === "RpcError" ? (thrown as Error).message : (thrown as { rpcError?: () => { message?: unknown } | undefined }).rpcError?.()?.message;
      if (typeof message === "string" && summary.code !== -32603) return clip(message);
    } catch {
      // An unreadable message made the call an internal error: the span says what callers were told.
    }
  }
  return STANDARD_MESSAGES.get(summary.code as number) ?? "Server error";
}

function recordError(span: OtelSpan, code: number, message: string): void {
  span.setAttribute("rpc.jsonrpc.error_code", code);
  span.setAttribute("rpc.jsonrpc.error_message", message);
  span.setAttribute("error.type", String(code));
  span.setStatus({ code: STATUS_ERROR, message });
}

/** `server.address` and `server.port` of a `host` (or URL authority) such as `127.0.0.1:5000` or `[::1]:80`. */
function addServerAddress(attributes: Record<string, AttributeValue>, host: string | null, defaultPort?: number): void {
  if (host === null || host === "") return;
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (match === null) return;
  // The Host header is the caller's to choose: clipped.
  attributes["server.address"] = clip((match[1] as string).replace(/^\[|\]$/g, ""));
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (port !== undefined) attributes["server.port"] = port;
}

/**
 * Options of {@linkcode openTelemetryClient}.
 *
 * @example
 * ```ts
 * import type { OpenTelemetryClientOptions } from "./opentelemetry.ts";
 * import type { OtelTracer } from "./otel_types.ts";
 * const options = (tracer: OtelTracer): OpenTelemetryClientOptions => ({ tracer, service: "calculator" });
 * ```
 */
export interface OpenTelemetryClientOptions {
  /** The tracer spans are made with. */
  readonly tracer: OtelTracer;
  /** Where the current trace is read (the one the service's plugin keeps). Default: the shared synchronous scope. */
  readonly scope?: TraceScope | undefined;
  /** The called service's name, for span names `<service>/<method>` and `rpc.service`. Default: the method alone. */
  readonly service?: string | undefined;
  /** OpenTelemetry's context API, to take the parent from its active span when no trace is current. */
  readonly context?: OtelContextApi | undefined;
}

/**
 * A client observer that makes a CLIENT span per call (one per batch entry), child of the current
 * trace (a call's `{ trace }` option, else the scope's, else the active OpenTelemetry span), and
 * sends `traceparent` so the server's span is its child. A batch's entries are sent in one request
 * that can name one parent only: it names the current span, so the server's spans of a batch are
 * siblings of its client spans.
 *
 * @param options The tracer, the scope, the called service's name.
 * @returns The observer, for a client's `observe` option.
 * @example
 * ```ts
 * import { createClient } from "../../client/client.ts";
 * import { openTelemetryClient } from "./opentelemetry.ts";
 * import type { OtelTracer } from "./otel_types.ts";
 * const client = (tracer: OtelTracer) =>
 *   createClient("http://127.0.0.1:5001/api", { observe: openTelemetryClient({ tracer, service: "calculator" }) });
 * ```
 */
export function openTelemetryClient(options: OpenTelemetryClientOptions): ClientObserver {
  const { tracer, service, context } = options;
  const scope = options.scope ?? defaultTraceScope;
  return (exchange) => {
    const current = exchange.call.trace ?? scope.current() ?? activeTrace(context);
    const parent = withParent(context?.active() ?? EMPTY_CONTEXT, current);
    const entries: readonly OutgoingRequest[] = Array.isArray(exchange.message) ? exchange.message : [exchange.message as OutgoingRequest];
    let url: URL | undefined;
    try {
      url = new URL(exchange.url);
    } catch {
      // A relative URL (in a browser) names no host.
    }
    const spans = entries.map((entry) => {
      // The method name may come from elsewhere (a gateway passing its caller's on): clipped too.
      const method = clip(entry.method);
      const attributes: Record<string, AttributeValue> = { "rpc.system": "jsonrpc", "rpc.method": method, "rpc.jsonrpc.version": "2.0" };
      if (service !== undefined) attributes["rpc.service"] = service;
      if (entry.id !== undefined) attributes["rpc.jsonrpc.request_id"] = String(entry.id);
      if (url !== undefined) addServerAddress(attributes, url.host, url.protocol === "https:" ? 443 : 80);
      const name = service === undefined ? method : `${service}/${method}`;
      return { entry, span: tracer.startSpan(name, { kind: SpanKinds.CLIENT, attributes }, parent) };
    });
    const sent = spans.length === 1 ? traceOfSpan((spans[0] as { span: OtelSpan }).span) : current;
    if (sent !== undefined) setTraceHeaders(exchange.headers, sent);
    return (end: ExchangeEnd) => {
      for (const { entry, span } of spans) {
        endClientSpan(span, entry, end);
      }
    };
  };
}

function activeTrace(context: OtelContextApi | undefined): TraceContext | undefined {
  const span = context?.active().getValue(SPAN_KEY) as OtelSpan | undefined;
  return span === undefined ? undefined : traceOfSpan(span);
}

function endClientSpan(span: OtelSpan, entry: OutgoingRequest, end: ExchangeEnd): void {
  if (end.error !== undefined) {
    const error = end.error as { kind?: unknown; message?: unknown };
    const kind = typeof error.kind === "string" ? error.kind : (errorName(end.error) ?? "error");
    span.setAttribute("error.type", kind);
    span.setStatus({ code: STATUS_ERROR, message: `the call got no answer (${kind})` });
  } else if (entry.id !== undefined) {
    const answer = Array.isArray(end.answer) ? (end.answer as unknown[]).find((reply) => (reply as { id?: unknown } | null)?.id === entry.id) : end.answer;
    const error = (answer as { error?: { code?: unknown; message?: unknown } | null } | undefined)?.error;
    if (error != null && typeof error.code === "number") recordError(span, error.code, typeof error.message === "string" ? clip(error.message) : "");
  }
  span.end();
}
