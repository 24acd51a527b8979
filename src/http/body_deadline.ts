/**
 * The deadline of request bodies: a JSON-RPC body that has not all arrived some time after its
 * headers did is given up on and answered 408, so a client that trickles its body (or stops
 * sending it) cannot hold the service's buffers and handlers for ever. It works the same on every
 * runtime, since it needs only a timer. Node.js and Bun then close the connection; Deno keeps
 * reading (and dropping) what such a client still sends, and has no setting to stop it.
 *
 * One timer watches every body being read, and runs only while there are some: a read costs an
 * entry in a map, not a timer of its own. Times come from `performance.now()`, which a change of
 * the system clock does not move.
 *
 * @module
 */

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

/** Something waiting for a body: told once, if the body is still awaited at its deadline. */
export interface BodyWait {
  /** Gives up on the body. */
  expire(): void;
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
export class BodyDeadline {
  /** How long a body may take to arrive, in ms. */
  readonly timeout: number;
  // Entries go in at now + timeout, in order, so the oldest come first: a check stops at the first
  // entry whose time is not up.
  readonly #waits = new Map<BodyWait, number>();
  readonly #tick: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param timeout How long a body may take to arrive, in ms. */
  constructor(timeout: number) {
    this.timeout = timeout;
    // Checked often enough that the deadline is kept to within a quarter of it (at most a second).
    this.#tick = Math.min(1000, Math.max(10, timeout / 4));
  }

  /**
   * How many bodies are being watched.
   *
   * @returns Their number.
   * @example
   * ```ts
   * import { BodyDeadline } from "./body_deadline.ts";
   * new BodyDeadline(1_000).size; // 0
   * ```
   */
  get size(): number {
    return this.#waits.size;
  }

  /**
   * Starts watching a wait: its `expire()` is called if {@linkcode BodyDeadline.done} has not been
   * called for it by its deadline.
   *
   * @param wait What waits for the body.
   * @example
   * ```ts
   * import { BodyDeadline } from "./body_deadline.ts";
   * const deadline = new BodyDeadline(50);
   * const wait = { expire: () => console.log("too slow") };
   * deadline.watch(wait);
   * deadline.done(wait); // in time: nothing is printed
   * ```
   */
  watch(wait: BodyWait): void {
    this.#waits.set(wait, performance.now() + this.timeout);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.#check();
      }, this.#tick);
      // Where timers can be unreferenced (Node.js, Deno, Bun), a body still awaited does not keep
      // the process alive: the server's connections do that.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Stops watching a wait (its body arrived, or was refused for another reason).
   *
   * @param wait What was watched.
   * @example
   * ```ts
   * import { BodyDeadline } from "./body_deadline.ts";
   * const deadline = new BodyDeadline(1_000);
   * const wait = { expire: () => {} };
   * deadline.watch(wait);
   * deadline.done(wait);
   * ```
   */
  done(wait: BodyWait): void {
    this.#waits.delete(wait);
  }

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
      const wait: BodyWait = {
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

  #check(): void {
    const now = performance.now();
    for (const [wait, expires] of this.#waits) {
      if (expires > now) return;
      this.#waits.delete(wait);
      try {
        wait.expire();
      } catch {
        // One failing wait must not keep the others from being given up on.
      }
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
