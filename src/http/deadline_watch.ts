/**
 * A watch over things that must be done within a time: each is told once, if it is still watched
 * when its time is up. One timer watches them all, and runs only while there are some, so a watched
 * thing costs an entry in a map, not a timer of its own. Times come from `performance.now()`, which
 * a change of the system clock does not move.
 *
 * The body deadline uses it for request bodies that trickle in, and the Bun adapter for calls that
 * run longer than Bun lets a connection stay silent.
 *
 * @module
 */

/** Something watched: told once, if it is still watched when its time is up. */
export interface Watched {
  /** Its time is up. */
  expire(): void;
}

/**
 * Watches things that must be done within `timeout` ms, and tells those still watched when their
 * time is up.
 *
 * @example
 * ```ts
 * import { DeadlineWatch } from "./deadline_watch.ts";
 * const watch = new DeadlineWatch(1_000);
 * const job = { expire: () => console.log("too slow") };
 * watch.watch(job);
 * watch.done(job); // in time: nothing is printed
 * ```
 */
export class DeadlineWatch {
  /** How long each watched thing has, in ms. */
  declare readonly timeout: number;
  // Entries go in at now + timeout, in order, so the oldest come first: a check stops at the first
  // entry whose time is not up.
  readonly #watched = new Map<Watched, number>();
  readonly #tick: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param timeout How long each watched thing has, in ms. */
  constructor(timeout: number) {
    this.timeout = timeout;
    // Checked often enough that the time is kept to within a quarter of it (at most a second late).
    this.#tick = Math.min(1000, Math.max(10, timeout / 4));
  }

  /**
   * How many things are being watched.
   *
   * @returns Their number.
   * @example
   * ```ts
   * import { DeadlineWatch } from "./deadline_watch.ts";
   * new DeadlineWatch(1_000).size; // 0
   * ```
   */
  get size(): number {
    return this.#watched.size;
  }

  /**
   * Starts watching something: its `expire()` is called if {@linkcode DeadlineWatch.done} has not
   * been called for it when its time is up.
   *
   * @param watched What to watch.
   * @example
   * ```ts
   * import { DeadlineWatch } from "./deadline_watch.ts";
   * const watch = new DeadlineWatch(50);
   * watch.watch({ expire: () => console.log("time is up") });
   * ```
   */
  watch(watched: Watched): void {
    this.#watched.set(watched, performance.now() + this.timeout);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => {
        this.#check();
      }, this.#tick);
      // Where timers can be unreferenced (Node.js, Deno, Bun), the watch does not keep the process
      // alive: the server's connections do that.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Stops watching something (it was done in time, or ended some other way).
   *
   * @param watched What was watched.
   * @example
   * ```ts
   * import { DeadlineWatch } from "./deadline_watch.ts";
   * const watch = new DeadlineWatch(1_000);
   * const job = { expire: () => {} };
   * watch.watch(job);
   * watch.done(job);
   * ```
   */
  done(watched: Watched): void {
    this.#watched.delete(watched);
  }

  #check(): void {
    const now = performance.now();
    for (const [watched, expires] of this.#watched) {
      if (expires > now) return;
      this.#watched.delete(watched);
      try {
        watched.expire();
      } catch {
        // One failing expiry must not keep the others from being told.
      }
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
