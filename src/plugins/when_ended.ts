/**
 * What the observing middlewares (metrics, call logs, tracing) share: doing something with a
 * call's summary once it ends, without making a promise of a call that answered at once.
 *
 * @module
 */

import type { CallSummary } from "../core/call_middleware.ts";

/**
 * Hands the summary `next()` gave to `ended`, now or when it comes, and gives it back.
 *
 * @param summary What `next()` gave.
 * @param ended Told the summary.
 * @returns The same summary, or a promise of it.
 * @example
 * ```ts
 * import type { Plugin } from "../core/plugin.ts";
 * import { whenEnded } from "./when_ended.ts";
 * let calls = 0;
 * const counter: Plugin = { name: "counter", call: (_call, next) => whenEnded(next(), () => calls++) };
 * ```
 */
export function whenEnded(summary: CallSummary | Promise<CallSummary>, ended: (summary: CallSummary) => void): CallSummary | Promise<CallSummary> {
  if (summary instanceof Promise) {
    return summary.then((settled) => {
      ended(settled);
      return settled;
    });
  }
  ended(summary);
  return summary;
}
