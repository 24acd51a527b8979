/**
 * Deadlines for many things on one timer (running only while something is watched), on
 * `performance.now()` so clock changes do not move them. Used by the body deadline and by the Bun
 * adapter for calls that outlast Bun's idle timeout.
 *
 * @module
 */

/** Something watched: told once, if it is still watched when its time is up. */
export interface Watched {
  /** Its time is up. */
  expire(): void;
}

/**
 * Watches things that must be done within `timeout` ms and expires those still watched after it.
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
  // Inserted in deadline order, so a check stops at the first entry not yet due.
  readonly #watched = new Map<Watched, number>();
  readonly #tick: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param timeout How long each watched thing has, in ms. */
  constructor(timeout: number) {
    this.timeout = timeout;
    // Late by at most a quarter of the timeout, and at most a second.
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
   * Starts watching: `expire()` is called unless {@linkcode DeadlineWatch.done} comes first.
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
      // The server's connections keep the process alive, not the watch.
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /**
   * Stops watching something (done in time, or ended otherwise).
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
        // One failing expiry must not keep the others from expiring.
      }
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
