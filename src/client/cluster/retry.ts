/**
 * How many times a call may be sent, and how long to wait between attempts: exponential back-off
 * with full jitter.
 *
 * @module
 */

/**
 * The bounds of a call's attempts.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * import type { RetryOptions } from "./retry.ts";
 * const retry: RetryOptions = { attempts: 4, backoff: 50, maxBackoff: 500 };
 * const remote = createClient(cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], { retry }));
 * ```
 */
export interface RetryOptions {
  /**
   * How many attempts a call may make in all, the first one included. An attempt that finds no
   * instance to send to counts too. Default `3`; `1` never sends a call twice nor moves it.
   */
  readonly attempts?: number | undefined;
  /**
   * The back-off before the second attempt, in ms; it doubles for each further one. The wait is
   * drawn at random between 0 and that (full jitter). A call that moves to an instance it has not
   * tried yet goes at once. Default `25`.
   */
  readonly backoff?: number | undefined;
  /** The longest back-off, in ms. Default `1000`. */
  readonly maxBackoff?: number | undefined;
}

/** The options with their defaults filled in and checked. */
export interface RetryPolicy {
  /** How many attempts in all. */
  readonly attempts: number;
  /** The first back-off in ms. */
  readonly backoff: number;
  /** The longest back-off in ms. */
  readonly maxBackoff: number;
}

/**
 * Fills in and checks retry options.
 *
 * @param options The options.
 * @returns The policy.
 * @throws {TypeError} When `attempts` is not a positive integer, or a back-off is negative.
 * @example
 * ```ts
 * import { retryPolicy } from "./retry.ts";
 * retryPolicy({ attempts: 5 }); // { attempts: 5, backoff: 25, maxBackoff: 1000 }
 * ```
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const { attempts = 3, backoff = 25, maxBackoff = 1_000 } = options;
  if (!Number.isInteger(attempts) || attempts < 1) throw new TypeError("retry.attempts must be a positive integer");
  if (!(backoff >= 0) || !(maxBackoff >= 0)) throw new TypeError("retry.backoff and retry.maxBackoff must not be negative");
  return { attempts, backoff, maxBackoff };
}

/**
 * How long to wait before an attempt.
 *
 * @param policy The policy.
 * @param attempt The attempt about to be made: 2 for the first retry.
 * @param random A number in [0, 1).
 * @returns The wait in ms.
 * @example
 * ```ts
 * import { backoffDelay, retryPolicy } from "./retry.ts";
 * backoffDelay(retryPolicy({ backoff: 100 }), 3, 0.5); // 100: half of 200
 * ```
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: number): number {
  return random * Math.min(policy.maxBackoff, policy.backoff * 2 ** Math.max(0, attempt - 2));
}

/**
 * Waits, unless the signal is aborted first.
 *
 * @param ms How long.
 * @param signal Ends the wait early.
 * @returns After the wait, or at once when aborted (the caller looks at the signal).
 * @example
 * ```ts
 * import { sleep } from "./retry.ts";
 * await sleep(10);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
