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
  #epoch = 0;
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
   * Records that a call is sent now, and gives the ticket its outcome is recorded with: when the
   * breaker's open time is over, this call is the trial (and no other call may go until it ends).
   * Take the ticket in the same synchronous step as {@linkcode CircuitBreaker.allows}, so that no
   * other call slips through between the check and the taking.
   *
   * @param now The current time in ms.
   * @returns The call's ticket.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: 10 });
   * breaker.failure(0, true);
   * const ticket = breaker.begin(20);
   * breaker.state; // "half-open"
   * breaker.allows(20); // false: the trial is under way
   * breaker.failure(30, false, ticket); // the trial failed: open again, for longer
   * ```
   */
  begin(now: number): BreakerTicket {
    if (this.#state === "open" && now >= this.#openUntil) this.#state = "half-open";
    const trial = this.#state === "half-open" && !this.#trialTaken;
    if (trial) this.#trialTaken = true;
    return { epoch: this.#epoch, trial };
  }

  /**
   * Records an answer from the instance: the breaker closes (whenever the call was sent: an
   * answer shows the instance works).
   *
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker();
   * breaker.begin(0);
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
   * A failed trial opens the breaker again, for twice as long. The failure of a call that was sent
   * before the breaker last opened (it was in flight meanwhile) changes nothing: the breaker
   * already knows, and counting it again would open it for longer or end a trial that is under way.
   *
   * @param now The current time in ms.
   * @param definite `true` when the failure leaves no doubt that the instance is down (the
   *   connection was refused): the breaker opens at once.
   * @param ticket The call's ticket, from {@linkcode CircuitBreaker.begin}. Without one, the
   *   failure counts as that of a call sent now.
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
  failure(now: number, definite: boolean, ticket?: BreakerTicket): void {
    // Sent before the breaker last opened: a late failure, already accounted for.
    if (ticket !== undefined && ticket.epoch !== this.#epoch) return;
    if (this.#state === "half-open") {
      // Only the trial decides a half-open breaker.
      if (ticket === undefined || ticket.trial) this.#open(now);
      return;
    }
    if (this.#state === "open") return;
    this.#failures++;
    if (definite || this.#failures >= this.#threshold) this.#open(now);
  }

  /**
   * Lets go of a call that ended with neither an answer nor a failure of the instance (the caller
   * aborted it): when it was the trial, another call may be the trial.
   *
   * @param ticket The call's ticket. Without one, the trial's slot is freed.
   * @example
   * ```ts
   * import { CircuitBreaker } from "./breaker.ts";
   * const breaker = new CircuitBreaker();
   * breaker.release(breaker.begin(0));
   * ```
   */
  release(ticket?: BreakerTicket): void {
    if (ticket !== undefined && (!ticket.trial || ticket.epoch !== this.#epoch)) return;
    this.#trialTaken = false;
  }

  #open(now: number): void {
    const base = Math.min(this.#maxOpenFor, this.#openFor * 2 ** this.#openings);
    this.#openings++;
    this.#epoch++;
    this.#failures = 0;
    // ±20 % so that clients that saw the same failure do not all come back at the same moment.
    this.#openUntil = now + base * (0.8 + 0.4 * this.#random());
    this.#state = "open";
    this.#trialTaken = false;
  }
}

/**
 * What {@linkcode CircuitBreaker.begin} gives a call, to record its outcome with: which opening of
 * the breaker it was sent in, and whether it is the trial call of a half-open breaker.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, type BreakerTicket } from "./breaker.ts";
 * const breaker = new CircuitBreaker();
 * const ticket: BreakerTicket = breaker.begin(0);
 * ticket.trial; // false: the breaker is closed
 * ```
 */
export interface BreakerTicket {
  /** How many times the breaker had opened when the call was sent. */
  readonly epoch: number;
  /** Whether the call is the trial of a half-open breaker. */
  readonly trial: boolean;
}

function positive(value: number, name: string): number {
  if (!(typeof value === "number" && value > 0)) throw new TypeError(`The breaker's ${name} must be a positive number`);
  return value;
}
