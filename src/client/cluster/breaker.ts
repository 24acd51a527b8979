/**
 * A circuit breaker for one instance: after failures, stop sending it calls for a while, then let
 * one call through to find out whether it is back.
 *
 * @module
 */

/**
 * How a breaker opens and comes back.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * import type { BreakerOptions } from "./breaker.ts";
 * const breaker: BreakerOptions = { failureThreshold: 5, openFor: 500, maxOpenFor: 10_000 };
 * const remote = createClient(cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], { breaker }));
 * ```
 */
export interface BreakerOptions {
  /**
   * How many failures in a row whose cause is unclear (a timeout, a connection reset, an HTTP 5xx
   * without a JSON-RPC answer) open the breaker. A refused connection (nothing listens there)
   * opens it at once. Default `3`.
   */
  readonly failureThreshold?: number | undefined;
  /** How long, in ms, the breaker stays open the first time, before one call is let through. Default `1000`. */
  readonly openFor?: number | undefined;
  /** Each time the trial call fails too, the open time doubles, up to this many ms. Default `30000`. */
  readonly maxOpenFor?: number | undefined;
}

/**
 * Where a breaker is:
 *
 * - `"closed"`: calls go through.
 * - `"open"`: no call goes through until its open time is over.
 * - `"half-open"`: one trial call goes through; its outcome closes the breaker or opens it again
 *   for longer.
 *
 * @example
 * ```ts
 * import type { BreakerState } from "./breaker.ts";
 * const usable = (state: BreakerState): boolean => state !== "open";
 * ```
 */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * The breaker of one instance. Time is given by the caller (milliseconds from any monotonic
 * clock), so the breaker has no timers of its own.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from "./breaker.ts";
 * const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: 100 }, () => 0.5);
 * breaker.failure(0, false); // opens it: 100 ms, give or take a fifth (jitter)
 * breaker.allows(10); // false
 * breaker.allows(200); // true: the trial call
 * breaker.success(); // closed again
 * ```
 */
export class CircuitBreaker {
  #state: BreakerState = "closed";
  #failures = 0;
  #openings = 0;
  #openUntil = 0;
  #trialTaken = false;
  readonly #threshold: number;
  readonly #openFor: number;
  readonly #maxOpenFor: number;
  readonly #random: () => number;

  /**
   * Makes a closed breaker.
   *
   * @param options The threshold and open times.
   * @param random A source of numbers in [0, 1) for the jitter of the open time. Default `Math.random`.
   * @throws {TypeError} When an option is not a positive number.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker({ openFor: 250 });
   * breaker.state; // "closed"
   * ```
   */
  constructor(options: BreakerOptions = {}, random: () => number = Math.random) {
    this.#threshold = positive(options.failureThreshold ?? 3, "failureThreshold");
    this.#openFor = positive(options.openFor ?? 1_000, "openFor");
    this.#maxOpenFor = Math.max(this.#openFor, positive(options.maxOpenFor ?? 30_000, "maxOpenFor"));
    this.#random = random;
  }

  /** Where the breaker is now (an open breaker whose time is over still says `"open"` until it is asked). */
  get state(): BreakerState {
    return this.#state;
  }

  /**
   * Tells whether a call may go through now, without taking the trial call.
   *
   * @param now The current time in ms.
   * @returns `true` when closed, or when a trial call may be made.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * new CircuitBreaker().allows(0); // true
   * ```
   */
  allows(now: number): boolean {
    if (this.#state === "closed") return true;
    if (this.#state === "open") return now >= this.#openUntil;
    return !this.#trialTaken;
  }

  /**
   * Records that a call is sent now: when the breaker's open time is over, this call is the trial.
   *
   * @param now The current time in ms.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: 10 });
   * breaker.failure(0, true);
   * breaker.begin(20);
   * breaker.state; // "half-open"
   * breaker.allows(20); // false: the trial is under way
   * ```
   */
  begin(now: number): void {
    if (this.#state === "open" && now >= this.#openUntil) this.#state = "half-open";
    if (this.#state === "half-open") this.#trialTaken = true;
  }

  /**
   * Records an answer from the instance: the breaker closes.
   *
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker();
   * breaker.success();
   * ```
   */
  success(): void {
    this.#state = "closed";
    this.#failures = 0;
    this.#openings = 0;
    this.#trialTaken = false;
  }

  /**
   * Records a failure of the instance.
   *
   * @param now The current time in ms.
   * @param definite `true` when the failure leaves no doubt that the instance is down (the
   *   connection was refused): the breaker opens at once.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker({ failureThreshold: 2 });
   * breaker.failure(0, false);
   * breaker.state; // "closed"
   * breaker.failure(0, false);
   * breaker.state; // "open"
   * ```
   */
  failure(now: number, definite: boolean): void {
    this.#failures++;
    if (this.#state === "half-open" || definite || this.#failures >= this.#threshold) this.#open(now);
  }

  /**
   * Lets go of a trial call that ended with neither an answer nor a failure of the instance (the
   * caller aborted it), so another call may be the trial.
   *
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * new CircuitBreaker().release();
   * ```
   */
  release(): void {
    this.#trialTaken = false;
  }

  #open(now: number): void {
    // Already open (another call failed after this one was sent): keep the time it opened with.
    if (this.#state === "open" && now < this.#openUntil) return;
    const base = Math.min(this.#maxOpenFor, this.#openFor * 2 ** this.#openings);
    this.#openings++;
    // ±20 % so that clients that saw the same failure do not all come back at the same moment.
    this.#openUntil = now + base * (0.8 + 0.4 * this.#random());
    this.#state = "open";
    this.#trialTaken = false;
  }
}

function positive(value: number, name: string): number {
  if (!(typeof value === "number" && value > 0)) throw new TypeError(`The breaker's ${name} must be a positive number`);
  return value;
}
