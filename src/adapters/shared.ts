/**
 * What the three adapters share: the shape of a graceful close with a deadline.
 *
 * @module
 */

import { setLongTimeout } from "../timer.ts";

/**
 * Makes a server's `close()`: the first call starts `stop` and a timer; at `timeout` ms,
 * `atDeadline` cuts what is left and says whether the close is done then (else it ends with
 * `stop`). Later calls get the same promise.
 *
 * @internal The contract between the adapters; it may change in any release.
 * @param stop Starts the graceful stop; resolves once the server has stopped.
 * @param timeout How long the calls in flight may run, in ms.
 * @param atDeadline Cuts what is left; returns `true` when the close is done at once.
 * @returns The close function.
 * @example
 * ```ts
 * import { closeWithin } from "./shared.ts";
 * const close = closeWithin(() => Promise.resolve(), 1_000, () => true);
 * await close();
 * ```
 */
export function closeWithin(stop: () => Promise<void>, timeout: number, atDeadline: () => boolean): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      // A long timer: past 2^31-1 ms a plain one would cut the calls at once.
      const deadline = setLongTimeout(() => {
        if (atDeadline()) resolve();
      }, timeout);
      stop().then(resolve, reject).finally(() => {
        clearTimeout(deadline.id);
      });
    });
    return closing;
  };
}
