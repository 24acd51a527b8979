/**
 * The deadline of request bodies read through `fetch`: a JSON-RPC body that has not all arrived
 * some time after its headers did is given up on and answered 408, so a client that trickles its
 * body (or stops sending it) cannot hold the service's buffers and handlers for ever. It needs
 * only a timer, so it works on every runtime. Bun then closes the connection; Deno keeps reading
 * (and dropping) what such a client still sends, and has no setting to stop it. (The Node.js
 * adapter's direct path leaves the cut to Node's own request timeout; the Deno adapter's direct
 * path does without it.)
 *
 * One timer watches every body being read (see {@linkcode DeadlineWatch}).
 *
 * @module
 */

import { DeadlineWatch, type Watched } from "./deadline_watch.ts";

/** The body did not arrive in time. */
export class BodyTimeoutError extends Error {
  /** The deadline that passed, in ms. */
  readonly timeout: number;

  /** @param timeout The deadline that passed, in ms. */
  constructor(timeout: number) {
    super(`The request body did not arrive within ${timeout} ms`);
    this.name = "BodyTimeoutError";
    this.timeout = timeout;
  }
}

/**
 * Watches bodies being read and gives up on those still arriving when their time is up.
 *
 * @example
 * ```ts
 * import { BodyDeadline } from "./body_deadline.ts";
 * const deadline = new BodyDeadline(30_000);
 * const text = await deadline.race(new Request("http://localhost/", { method: "POST", body: "{}" }).text());
 * console.log(text); // "{}"
 * ```
 */
export class BodyDeadline extends DeadlineWatch {
  /**
   * Waits for a read, or rejects with a {@linkcode BodyTimeoutError} at the deadline.
   *
   * @param read The read of a body.
   * @param cancel Called at the deadline to stop the read, if it can be.
   * @returns What the read gives.
   * @throws {BodyTimeoutError} When the read has not finished by the deadline.
   * @example
   * ```ts
   * import { BodyDeadline } from "./body_deadline.ts";
   * const deadline = new BodyDeadline(20);
   * const slow = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 100));
   * await deadline.race(slow).catch((error) => console.log(error.message));
   * // "The request body did not arrive within 20 ms"
   * ```
   */
  race<T>(read: Promise<T>, cancel?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wait: Watched = {
        expire: () => {
          cancel?.();
          reject(new BodyTimeoutError(this.timeout));
        },
      };
      this.watch(wait);
      read.then((value) => {
        this.done(wait);
        resolve(value);
      }, (error: unknown) => {
        this.done(wait);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }
}
