/**
 * `callLog()`: one log line per call a service answers (its method, how it ended, how long it
 * took). Params and API tokens never reach it.
 *
 * @module
 */

import type { CallSummary, Plugin } from "../core/plugin.ts";

/**
 * Where the console logger writes: `console`, or anything with `info` and `error`.
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
   * Writes a line about a call that failed.
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
 * A call observer that writes one line per call, such as
 * `hello.world.service say_hello ok 0.2ms` or `... divide error -32603 1.0ms TypeError: boom`.
 * Only the method, outcome, duration and a thrown error's name and message are written.
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
    const time = `${call.duration.toFixed(1)}ms`;
    if (call.ok) {
      sink.info(`${serviceName} ${printable(call.method)} ok ${time}`);
      return;
    }
    const error = call.error instanceof Error ? ` ${call.error.name}: ${printable(call.error.message)}` : "";
    sink.error(`${serviceName} ${printable(call.method)} error ${String(call.code)} ${time}${error}`);
  };
}

/** A caller's text made safe for a log line: no line breaks or control characters, and not too long. */
function printable(text: string): string {
  // C0 and C1 controls, line and paragraph separators, and bidirectional controls: none of them may
  // reach a log line as it is (a caller chooses the method name).
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

/**
 * Logs one line per call (method, outcome, error code and duration; never params or tokens), the
 * successes to `sink.info` and the failures to `sink.error`.
 *
 * @param sink Where the lines go. Default: the console.
 * @returns The plugin.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { callLog } from "./call_log.ts";
 * const service = new Service({ name: "hello" }).use(callLog()).publicMethod("ping", () => "pong");
 * await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }); // logs "hello ping ok 0.0ms"
 * ```
 */
export function callLog(sink: LogSink = console): Plugin {
  let log: ((call: CallSummary) => void) | undefined;
  return {
    name: "callLog",
    setup(service) {
      log = logCalls(service.name, sink);
    },
    observe: () => log,
  };
}
