/**
 * `waitFor()`: waits, up to a timeout, for a condition that something else makes true.
 *
 * @module
 */

/**
 * Options of {@linkcode waitFor}.
 *
 * @example
 * ```ts
 * import type { WaitOptions } from "./wait_for.ts";
 * const options: WaitOptions = { timeout: 2_000, interval: 5, message: "the order to be billed" };
 * ```
 */
export interface WaitOptions {
  /** How long to wait at most, in ms. Default 5,000. */
  readonly timeout?: number | undefined;
  /** How long to wait between two checks, in ms. Default 10. */
  readonly interval?: number | undefined;
  /** What is waited for, for the timeout's error: `timed out after 5000 ms waiting for <message>`. */
  readonly message?: string | undefined;
}

/** The default of {@linkcode WaitOptions.timeout}, in ms. */
export const DEFAULT_WAIT_TIMEOUT = 5_000;

/**
 * Checks a (possibly async) condition at once, then every `interval` ms, until it gives a truthy
 * value, which it resolves to; a throw counts as not met. Past the timeout it rejects with an
 * `Error` saying what it waited for, its `cause` the condition's last error.
 *
 * @typeParam T What the condition gives.
 * @param condition Gives a truthy value once met.
 * @param options The timeout (default 5 s), the interval (default 10 ms), a description.
 * @returns The condition's first truthy value (typed without `false`, `null`, `undefined`…).
 * @throws {Error} When the timeout passes first.
 * @example
 * ```ts
 * import { waitFor } from "./wait_for.ts";
 * let billed = 0;
 * setTimeout(() => billed++, 20);
 * await waitFor(() => billed === 1, { timeout: 1_000, message: "one bill" });
 * ```
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<Exclude<T, false | 0 | 0n | "" | null | undefined>> {
  const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT;
  const interval = options.interval ?? 10;
  const deadline = Date.now() + timeout;
  let failure: { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as Exclude<T, false | 0 | 0n | "" | null | undefined>;
      failure = undefined;
    } catch (error) {
      failure = { error };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const what = options.message ?? "the condition";
      const detail = failure === undefined ? "" : `; it last threw: ${describe(failure.error)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`, failure === undefined ? undefined : { cause: failure.error });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, left)));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
