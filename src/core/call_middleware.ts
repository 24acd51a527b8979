/**
 * The call-level part of the plugin contract: what a plugin's `call` middleware is given and
 * gives back. Dispatch runs the composed middleware around each call; the plugin contract
 * (plugin.ts) names it as the `call` hook.
 *
 * @module
 */

import type { HeaderReader } from "./context.ts";

/**
 * A call as a middleware sees it: never its params or token.
 *
 * @example
 * ```ts
 * import type { CallStart } from "./call_middleware.ts";
 * const describe = (call: CallStart): string => `${call.method}${call.notification ? " (notification)" : ""}`;
 * ```
 */
export interface CallStart {
  /** The method named by the caller (it may not exist: then the call ends with -32601). */
  readonly method: string;
  /** The request's id as the caller sent it; `undefined` for a notification. */
  readonly id?: string | number | null | undefined;
  /** Whether the call is a notification. */
  readonly notification: boolean;
  /** The request headers, without the API token header and `Authorization`. */
  readonly headers: HeaderReader;
}

/**
 * How a call ended, as a middleware's `next()` gives it: never its params, result or token.
 *
 * @example
 * ```ts
 * import type { CallSummary } from "./call_middleware.ts";
 * const line = (call: CallSummary): string => `${call.method} ${call.ok ? "ok" : call.code} ${call.duration.toFixed(1)} ms`;
 * ```
 */
export interface CallSummary {
  /** The method named by the caller. */
  readonly method: string;
  /** How long the call took, in ms, from the first middleware's start. */
  readonly duration: number;
  /** Whether it was a notification. */
  readonly notification: boolean;
  /** Whether it answered a result (a notification: ran without failing). */
  readonly ok: boolean;
  /** The JSON-RPC error code, when it failed. */
  readonly code?: number | undefined;
  /** What the handler (or token check) threw, when it threw. */
  readonly error?: unknown;
}

/**
 * Runs around each call, as hono's and tRPC's middlewares do: it calls `next()` once to run the
 * call (the next plugin's middleware, then the method) and gives back what `next()` gave, at once
 * when `next()` answered at once. What it does before `next()` sees the call start (a span, a
 * counter); what it does with the summary sees the end; it may run `next()` inside a context (an
 * `AsyncLocalStorage`, a trace). Throwing before `next()` refuses the call: an `RpcError` is its
 * answer, anything else an internal error (reported). What it throws after `next()` is reported
 * and changes no answer. `next()` never throws: a refusal by a later middleware is the summary it
 * gives. Middlewares nest in `use()` order: the first plugin's is outermost.
 *
 * @example
 * ```ts
 * import type { CallMiddleware, CallSummary } from "./call_middleware.ts";
 * let failures = 0;
 * const count = (summary: CallSummary): CallSummary => {
 *   if (!summary.ok) failures++;
 *   return summary;
 * };
 * const countFailures: CallMiddleware = (_call, next) => {
 *   const ended = next();
 *   return ended instanceof Promise ? ended.then(count) : count(ended);
 * };
 * ```
 */
export type CallMiddleware = (call: CallStart, next: () => CallSummary | Promise<CallSummary>) => CallSummary | Promise<CallSummary>;
