/**
 * `callLog()`: one log line per call (method, outcome, duration), as text or as JSON lines with
 * trace and span ids. Params and API tokens never reach it.
 *
 * Levels: `info` for a success; `warn` for the caller's faults, which say nothing is wrong with
 * the service (-32601 method not found, -32602 invalid params, -32001 access denied, -32003
 * forbidden); `error` for the rest (a throw, a timeout, a code the handler chose).
 *
 * `jsonErrorReporter(name, sink)` writes the service's `onError` reports as JSON lines to the same log.
 *
 * @module
 */

import { describeThrown, isError } from "../core/as_error.ts";
import type { CallSummary, Plugin, PluginHost } from "../core/plugin.ts";
import type { CallTraces } from "./trace_context.ts";
import { type StreamSummary, whenEnded } from "./when_ended.ts";

export { type ErrorLineSink, jsonErrorReporter } from "./error_reporter.ts";

/**
 * Where the log goes: `console`, or anything with `info`, `error` and optionally `warn`.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { callLog, type LogSink } from "./call_log.ts";
 * const sink: LogSink = { info: (line) => console.log(`[rpc] ${line}`), error: (line) => console.error(`[rpc] ${line}`) };
 * const service = new Service({ name: "s" }).use(callLog(sink));
 * ```
 */
export interface LogSink {
  /**
   * Writes a line about a call that succeeded.
   *
   * @param line The line, without a line break.
   * @example
   * ```ts
   * import { logCalls, type LogSink } from "./call_log.ts";
   * const lines: string[] = [];
   * const sink: LogSink = { info: (line) => lines.push(line), error: (line) => lines.push(line) };
   * logCalls("s", sink)({ method: "ping", duration: 0.2, ok: true, notification: false });
   * lines; // ["s ping ok 0.2ms"]
   * ```
   */
  info(line: string): void;
  /**
   * Writes a line about a call that failed by the caller's fault (see the module's levels).
   * Optional: without it, such lines go to `info`.
   *
   * @param line The line, without a line break.
   * @example
   * ```ts
   * import { logCalls, type LogSink } from "./call_log.ts";
   * const warnings: string[] = [];
   * const sink: LogSink = { info: () => {}, warn: (line) => warnings.push(line), error: () => {} };
   * logCalls("s", sink)({ method: "nope", duration: 0.1, ok: false, code: -32601, notification: false });
   * warnings; // ["s nope error -32601 0.1ms"]
   * ```
   */
  warn?(line: string): void;
  /**
   * Writes a line about a call that failed (not by the caller's fault).
   *
   * @param line The line, without a line break.
   * @example
   * ```ts
   * import { logCalls, type LogSink } from "./call_log.ts";
   * const sink: LogSink = { info: () => {}, error: (line) => console.error(`[rpc] ${line}`) };
   * logCalls("s", sink)({ method: "divide", duration: 1, ok: false, code: -32603, notification: false });
   * ```
   */
  error(line: string): void;
}

/**
 * Writes one text line per call, such as `hello.world.service say_hello ok 0.2ms` or
 * `... divide error -32603 1.0ms TypeError: boom`, at the level of its outcome.
 *
 * @param serviceName The name at the start of each line.
 * @param sink Where to write. Default `console`.
 * @returns The function that writes a call's line (what `callLog()` tells each call's end to).
 * @example
 * ```ts
 * import { logCalls } from "./call_log.ts";
 * const log = logCalls("demo");
 * log({ method: "ping", duration: 0.1, ok: true, notification: false }); // prints "demo ping ok 0.1ms"
 * ```
 */
export function logCalls(serviceName: string, sink: LogSink = console): (call: CallSummary) => void {
  return (call) => {
    const { items, left } = call as Partial<StreamSummary>;
    // A stream's line (streams() used after callLog) comes at its end, with its items.
    const time = `${call.duration.toFixed(1)}ms${items === undefined ? "" : ` ${items} items${left === true ? " (the caller left)" : ""}`}`;
    if (call.ok) {
      sink.info(`${serviceName} ${printable(call.method)} ok ${time}`);
      return;
    }
    const error = isError(call.error) ? ` ${printable(errorLine(call.error))}` : "";
    write(sink, levelOf(call), `${serviceName} ${printable(call.method)} error ${String(call.code)} ${time}${error}`);
  };
}

const CALLER_FAULTS: ReadonlySet<number> = new Set([-32601, -32602, -32001, -32003]);

function levelOf(call: CallSummary): CallLogRecord["level"] {
  if (call.ok) return "info";
  return CALLER_FAULTS.has(call.code ?? 0) ? "warn" : "error";
}

function write(sink: LogSink, level: CallLogRecord["level"], line: string): void {
  if (level === "error") sink.error(line);
  else if (level === "warn" && sink.warn !== undefined) sink.warn(line);
  else sink.info(line);
}

function printable(text: string): string {
  // The caller chooses the method name: no controls, line breaks or bidi marks may reach a log line.
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

/**
 * Options of {@linkcode callLog}.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { callLog, type CallLogOptions } from "./call_log.ts";
 * import { traceContext } from "./trace_context.ts";
 * const tracing = traceContext();
 * const options: CallLogOptions = { format: "json", traces: tracing };
 * const service = new Service({ name: "s" }).use(tracing).use(callLog(console, options));
 * ```
 */
export interface CallLogOptions {
  /**
   * `"text"` (default): lines such as `hello ping ok 0.2ms`. `"json"`: one JSON object per line
   * (see {@linkcode CallLogRecord}).
   */
  readonly format?: "text" | "json" | undefined;
  /**
   * Where the JSON lines' `trace_id` and `span_id` come from: a `traceContext()` or
   * `openTelemetry()` plugin used by the same service. Default: none (no ids).
   */
  readonly traces?: CallTraces | undefined;
  /** The clock for the JSON lines' `time`. Default: `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * One JSON line of `callLog({ format: "json" })`.
 *
 * @example
 * ```ts
 * import type { CallLogRecord } from "./call_log.ts";
 * const record: CallLogRecord = {
 *   time: "2026-12-01T12:00:00.000Z", level: "info", service: "hello", method: "ping", outcome: "ok",
 *   duration_ms: 0.2, notification: false, trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7",
 * };
 * ```
 */
export interface CallLogRecord {
  /** When the call ended, ISO 8601 in UTC. */
  readonly time: string;
  /** `"info"` for a success, `"warn"` for the caller's faults, `"error"` for other failures. */
  readonly level: "info" | "warn" | "error";
  /** The service's name. */
  readonly service: string;
  /** The method the caller named (at most 200 characters). */
  readonly method: string;
  /** `"ok"` or `"error"`. */
  readonly outcome: "ok" | "error";
  /** The JSON-RPC error code, for a failure. */
  readonly code?: number;
  /** How long the call took, in ms. */
  readonly duration_ms: number;
  /** Whether it was a notification. */
  readonly notification: boolean;
  /** For a stream (with `streams()` used after `callLog`), how many items were sent; the line comes at the stream's end. */
  readonly items?: number;
  /** For a stream, `true` when the caller went away before its end. */
  readonly left?: true;
  /** A thrown error's name and message (at most 200 characters), for a failure that threw. */
  readonly error?: string;
  /** The call's trace id, when a trace plugin tells it. */
  readonly trace_id?: string;
  /** The call's own span id, when a trace plugin tells it. */
  readonly span_id?: string;
}

/**
 * Logs one line per call (method, outcome, error code, duration; never params or tokens) at the
 * level of its outcome (see the module doc): as text, or as JSON lines with trace and span ids
 * (`{ format: "json", traces }`).
 *
 * @param sink Where the lines go. Default: the console.
 * @param options The format, and where trace ids come from.
 * @returns The plugin.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { callLog } from "./call_log.ts";
 * import { traceContext } from "./trace_context.ts";
 * const tracing = traceContext();
 * const service = new Service({ name: "hello" })
 *   .use(tracing)
 *   .use(callLog(console, { format: "json", traces: tracing }))
 *   .publicMethod("ping", () => "pong");
 * await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
 * // logs {"time":"…","level":"info","service":"hello","method":"ping","outcome":"ok","duration_ms":0.02,"notification":false,"trace_id":"…","span_id":"…"}
 * ```
 */
export function callLog(sink: LogSink = console, options: CallLogOptions = {}): Plugin {
  let log: (call: CallSummary) => void = () => {};
  let serviceName = "";
  let host: PluginHost | undefined;
  const report = (error: unknown): void => host?.report(error, "callLog");
  const plugin: Plugin = {
    name: "callLog",
    setup(service) {
      serviceName = service.name;
      host = service;
      log = logCalls(service.name, sink);
    },
    call: (_call, next) => whenEnded(next(), log, report),
  };
  if (options.format !== "json") return plugin;
  const { traces } = options;
  const now = options.now ?? Date.now;
  return {
    ...plugin,
    call: (start, next) => whenEnded(next(), (call) => {
      const trace = traces?.traceOf(start);
      const level = levelOf(call);
      const { items, left } = call as Partial<StreamSummary>;
      const record: CallLogRecord = {
        time: new Date(now()).toISOString(),
        level,
        service: serviceName,
        method: clip(call.method),
        outcome: call.ok ? "ok" : "error",
        ...(call.code === undefined ? {} : { code: call.code }),
        duration_ms: Math.round(call.duration * 1000) / 1000,
        notification: call.notification,
        ...(items === undefined ? {} : { items }),
        ...(left === true ? { left } : {}),
        ...(!call.ok && isError(call.error) ? { error: clip(errorLine(call.error)) } : {}),
        ...(trace === undefined ? {} : { trace_id: trace.traceId, span_id: trace.spanId }),
      };
      write(sink, level, JSON.stringify(record));
    }, report),
  };
}

function errorLine(error: Error): string {
  const { name, message } = describeThrown(error);
  return `${name ?? "Error"}: ${message}`;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
