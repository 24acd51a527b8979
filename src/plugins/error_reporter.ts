/**
 * An error reporter for JSON-line logs, which the default `onError`'s multi-line stacks would break.
 *
 * @module
 */

import type { ErrorReporter } from "../core/dispatch.ts";
import { describeThrown } from "../core/as_error.ts";

/**
 * Where {@linkcode jsonErrorReporter} writes: `console` fits, and so does the `sink` given to
 * `callLog`.
 *
 * @example
 * ```ts
 * import type { ErrorLineSink } from "./error_reporter.ts";
 * const lines: string[] = [];
 * const sink: ErrorLineSink = { error: (line) => lines.push(line) };
 * ```
 */
export interface ErrorLineSink {
  /**
   * Writes one line.
   *
   * @param line A JSON record, without a line break.
   * @example
   * ```ts
   * import type { ErrorLineSink } from "./error_reporter.ts";
   * const sink: ErrorLineSink = { error: (line) => console.error(line) };
   * sink.error('{"level":"error"}');
   * ```
   */
  error(line: string): void;
}

/**
 * Reports each unexpected error as one JSON line: `time`, `level` ("error"), `service`, `method`,
 * and `error` with its `name`, `message` and `stack`. A reporter never sees params or tokens.
 *
 * @param service The service's name, for the `service` field.
 * @param sink Where the lines go. Default: `console`.
 * @returns The reporter, for the service's `onError` option.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { jsonErrorReporter } from "./error_reporter.ts";
 * const service = new Service({ name: "orders", onError: jsonErrorReporter("orders") });
 * // {"time":"2026-12-01T12:00:00.000Z","level":"error","service":"orders","method":"get_order",
 * //  "error":{"name":"TypeError","message":"…","stack":"TypeError: …\n    at …"}}
 * ```
 */
export function jsonErrorReporter(service: string, sink: ErrorLineSink = console): ErrorReporter {
  return (error, { method }) => {
    let stack: unknown;
    try {
      stack = (error as { stack?: unknown } | null | undefined)?.stack;
    } catch {
      // A stack getter that throws leaves the stack out.
    }
    const record = {
      time: new Date().toISOString(),
      level: "error",
      service,
      method,
      error: { ...describeThrown(error), ...(typeof stack === "string" ? { stack } : {}) },
    };
    sink.error(JSON.stringify(record));
  };
}
