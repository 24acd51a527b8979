/**
 * A bound on reports that a peer can cause at will (a refused reply subject, a message that is
 * not an event): each goes to the service's `onError`, whose default prints a stack, so without
 * a bound a peer allowed to publish writes as many stacks as it likes.
 *
 * @module
 */

/**
 * How long, in ms, a limited kind of report stays quiet after one was made: `10000`.
 *
 * @example
 * ```ts
 * import { REPORT_INTERVAL } from "./report_limit.ts";
 * REPORT_INTERVAL / 1_000; // 10: seconds
 * ```
 */
export const REPORT_INTERVAL = 10_000;

/**
 * Makes a limiter of one kind of report: the first is made, then at most one per `interval`,
 * told how many more there were since the last one made. It holds no timer (nothing keeps the
 * event loop alive): what comes after the last report made is told by the next one, if any.
 *
 * @param interval The quiet time after a report, in ms.
 * @returns A function to call for each occurrence with what makes its report, called (with how
 *   many occurrences went unreported since the last report) only when one is due.
 * @example
 * ```ts
 * import { moreSince, reportLimiter } from "./report_limit.ts";
 * const refused = reportLimiter();
 * refused((more) => console.error(`refused one${moreSince(more)}`)); // printed
 * refused((more) => console.error(`refused two${moreSince(more)}`)); // counted: told by the next one printed, 10 s on or later
 * ```
 */
export function reportLimiter(interval = REPORT_INTERVAL): (report: (more: number) => void) => void {
  let last = Number.NEGATIVE_INFINITY;
  let unreported = 0;
  return (report) => {
    const now = Date.now();
    if (now - last < interval) {
      unreported++;
      return;
    }
    const more = unreported;
    last = now;
    unreported = 0;
    report(more);
  };
}

/**
 * The end of a limited report's message that tells how many went unreported.
 *
 * @param more How many went unreported since the last report.
 * @returns `""` for none, else ` (and N more since the last report)`.
 * @example
 * ```ts
 * import { moreSince } from "./report_limit.ts";
 * moreSince(999); // " (and 999 more since the last report)"
 * ```
 */
export function moreSince(more: number): string {
  return more === 0 ? "" : ` (and ${more} more since the last report)`;
}
