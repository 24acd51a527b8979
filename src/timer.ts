/**
 * Timers of any length. Every runtime's `setTimeout` (Node.js, Deno, Bun, browsers) fires at once
 * when asked for more than 2^31-1 ms (about 24.8 days), and Node.js prints a warning each time: a
 * longer wait is made of several timers in turn.
 *
 * @module
 */

/**
 * The longest delay every runtime's `setTimeout` keeps: 2^31-1 ms, about 24.8 days.
 *
 * @example
 * ```ts
 * import { MAX_TIMER_DELAY } from "./timer.ts";
 * MAX_TIMER_DELAY / 86_400_000; // 24.855…: days
 * ```
 */
export const MAX_TIMER_DELAY = 2_147_483_647;

/**
 * A timer made by {@linkcode setLongTimeout}; `clearTimeout(timer.id)` stops it.
 *
 * @example
 * ```ts
 * import { type LongTimer, setLongTimeout } from "./timer.ts";
 * const timer: LongTimer = setLongTimeout(() => console.log("a month later"), 30 * 86_400_000);
 * clearTimeout(timer.id);
 * ```
 */
export interface LongTimer {
  /** The runtime's timer now running (a long wait moves on to the next one). */
  id: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Calls `fire` after `ms` milliseconds, however long that is: past {@linkcode MAX_TIMER_DELAY} it
 * waits in steps, and `Infinity` never fires.
 *
 * @param fire What to call.
 * @param ms The delay in ms.
 * @returns The timer: `clearTimeout(timer.id)` stops it.
 * @example
 * ```ts
 * import { setLongTimeout } from "./timer.ts";
 * const timer = setLongTimeout(() => console.log("thirty days on"), 30 * 86_400_000);
 * clearTimeout(timer.id);
 * ```
 */
export function setLongTimeout(fire: () => void, ms: number): LongTimer {
  const timer: LongTimer = { id: undefined };
  const arm = (left: number): void => {
    const step = left > MAX_TIMER_DELAY;
    timer.id = setTimeout(step ? () => { arm(left - MAX_TIMER_DELAY); } : fire, step ? MAX_TIMER_DELAY : left);
  };
  if (ms !== Infinity) arm(ms);
  return timer;
}
