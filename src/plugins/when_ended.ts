/**
 * What the observing middlewares (metrics, call logs, tracing) share: doing something with a
 * call's summary once it ends, without making a promise of a call that answered at once; and,
 * for a call that answered with a stream, once its stream ends.
 *
 * @module
 */

import type { CallMiddleware, CallStart, CallSummary } from "../core/call_middleware.ts";

/**
 * How a streaming call ended: when its stream ended (its last item, an error mid-stream, a limit,
 * or the caller leaving), with its whole duration and how many items were sent.
 *
 * @example
 * ```ts
 * import type { StreamSummary } from "./when_ended.ts";
 * const line = (end: StreamSummary): string => `${end.method}: ${end.items} items in ${end.duration.toFixed(1)} ms${end.left ? " (the caller left)" : ""}`;
 * ```
 */
export interface StreamSummary extends CallSummary {
  /** How many items were sent. */
  readonly items: number;
  /** Whether the caller went away before the stream's end (not a failure: `ok` is `true`). */
  readonly left: boolean;
}

/**
 * What a call middleware's `next()` gives, with the `streams()` plugin used after it, for a call
 * that answered with a stream: the summary as the stream starts, and the promise of its end.
 *
 * @example
 * ```ts
 * import type { CallMiddleware, CallStart, CallSummary } from "../core/call_middleware.ts";
 * import type { StreamedSummary } from "./when_ended.ts";
 * const streamOf = (summary: CallSummary) => (summary as Partial<StreamedSummary>).stream;
 * ```
 */
export interface StreamedSummary extends CallSummary {
  /** Settles when the stream ends (never rejects). */
  readonly stream: Promise<StreamSummary>;
}

/**
 * Hands the summary `next()` gave to `ended`, now or when it comes (for a stream, when the
 * stream ends), and gives it back.
 *
 * @param summary What `next()` gave.
 * @param ended Told the summary (a {@linkcode StreamSummary} for a stream).
 * @param report Told what `ended` throws at a stream's end (there is no answer left for it to change).
 * @returns The same summary, or a promise of it.
 * @example
 * ```ts
 * import type { Plugin } from "../core/plugin.ts";
 * import { whenEnded } from "./when_ended.ts";
 * let calls = 0;
 * const counter: Plugin = { name: "counter", call: (_call, next) => whenEnded(next(), () => calls++) };
 * ```
 */
export function whenEnded(
  summary: CallSummary | Promise<CallSummary>,
  ended: (summary: CallSummary) => void,
  report?: (error: unknown) => void,
): CallSummary | Promise<CallSummary> {
  const tell = (settled: CallSummary): CallSummary => {
    const stream = (settled as Partial<StreamedSummary>).stream;
    if (stream === undefined) ended(settled);
    else stream.then(ended).catch((error: unknown) => report?.(error));
    return settled;
  };
  return summary instanceof Promise ? summary.then(tell) : tell(summary);
}

/**
 * A middleware's way to a call's stream, for {@linkcode watchStreams}: marks the call watched (so
 * its stream's end will be told), then, once the call's summary is made, gives that end.
 *
 * @example
 * ```ts
 * import type { StreamWatch } from "./when_ended.ts";
 * const none: StreamWatch = { watch: () => {}, end: () => undefined };
 * ```
 */
export interface StreamWatch {
  /** Marks the call watched. */
  watch(): void;
  /** The stream's end (how long after the call's answer, and how), once one was taken; else `undefined`. */
  end(): Promise<{ readonly after: number } & Omit<StreamSummary, keyof CallSummary | "duration"> & Partial<Pick<CallSummary, "ok" | "code" | "error">>> | undefined;
}

/**
 * A call middleware (used after the observers') that gives them, for a call that answered with a
 * stream, a summary with `stream`: the promise of the stream's end, its duration the whole.
 * `streams()` (over SSE) and `webSocket()` each find a call's stream their own way.
 *
 * @param find The call's stream watch, from what a middleware sees of the call; `undefined` when
 *   the call is not one of those the plugin carries.
 * @returns The middleware.
 * @example
 * ```ts
 * import { watchStreams } from "./when_ended.ts";
 * const middleware = watchStreams(() => undefined); // watches nothing: every call passes through
 * ```
 */
export function watchStreams(find: (call: CallStart) => StreamWatch | undefined): CallMiddleware {
  return (call, next) => {
    const found = find(call);
    if (found === undefined) return next();
    found.watch();
    const told = (summary: CallSummary): CallSummary => {
      const end = found.end();
      if (end === undefined) return summary;
      const stream = end.then(({ after, ...rest }): StreamSummary => ({ ...summary, ...rest, duration: summary.duration + after }));
      const streamed: StreamedSummary = { ...summary, stream };
      return streamed;
    };
    const given = next();
    return given instanceof Promise ? given.then(told) : told(given);
  };
}
