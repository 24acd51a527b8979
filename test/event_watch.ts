// What a subscribing service's onError was told, and a wait that fails with an assertion made
// inside an event handler (with its own message) instead of running out of time.
import { AssertionError } from "node:assert/strict";
import type { ErrorReporter } from "../src/core/dispatch.ts";

/** The reports of one service, and a wait that ends early on an assertion failure among them. */
export interface EventWatch {
  /** Give it to the service as `onError`. */
  readonly onError: ErrorReporter;
  /** What was reported, in order, with where. */
  readonly reported: { readonly error: unknown; readonly where: string }[];
  /** The reported messages, for assertions. */
  messages(): string[];
  /**
   * Waits until the condition holds (checking every 10 ms, 5 s at most). Throws at once the first
   * `AssertionError` reported (an `assert` that failed inside a handler), and on giving up says
   * what was reported.
   */
  until(condition: () => boolean, what?: string): Promise<void>;
}

/**
 * Makes a watch.
 *
 * @returns The watch.
 */
export function eventWatch(): EventWatch {
  const reported: { error: unknown; where: string }[] = [];
  const broken = (): AssertionError | undefined => reported.map((entry) => entry.error).find((error): error is AssertionError => error instanceof AssertionError);
  return {
    onError: (error, info) => {
      reported.push({ error, where: info.method });
    },
    reported,
    messages: () => reported.map((entry) => (entry.error instanceof Error ? entry.error.message : String(entry.error))),
    async until(condition, what = "the condition") {
      for (let tries = 0; ; tries++) {
        const failure = broken();
        if (failure !== undefined) throw failure;
        if (condition()) return;
        if (tries > 500) throw new Error(`never: ${what}; reported: ${JSON.stringify(this.messages())}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
