/**
 * Choosing the instance for a call: among those whose breaker lets calls through, of the best
 * priority, by round-robin (weighted) or by the power of two choices on calls in flight.
 *
 * @module
 */

import { type BreakerOptions, type BreakerState, type BreakerTicket, CircuitBreaker } from "./breaker.ts";
import type { Endpoint } from "./endpoints.ts";

/**
 * How a client spreads calls over the instances it may use:
 *
 * - `"round-robin"`: each in turn (in proportion to their weights). The default.
 * - `"least-in-flight"`: the power of two choices: pick two at random, send to the one with fewer
 *   calls in flight, so a slow instance gets fewer calls.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * import type { Balancing } from "./balancer.ts";
 * const balancing: Balancing = "least-in-flight";
 * const remote = createClient(cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], { balancing }));
 * ```
 */
export type Balancing = "round-robin" | "least-in-flight";

/**
 * What a cluster knows of one instance, as `cluster(…).instances()` shows it.
 *
 * @example
 * ```ts
 * import { cluster } from "./cluster.ts";
 * import type { InstanceStatus } from "./balancer.ts";
 * const replicas = cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"]);
 * const down: InstanceStatus[] = replicas.instances().filter((instance) => instance.breaker === "open");
 * ```
 */
export interface InstanceStatus {
  /** The instance's endpoint. */
  readonly url: string;
  /** Its breaker's state. */
  readonly breaker: BreakerState;
  /** How many calls to it are in flight now. */
  readonly inFlight: number;
  /** Why its last failed attempt failed (credentials in URLs left out), if one did. */
  readonly lastFailure?: string;
  /**
   * The methods this instance itself declares idempotent in its `rpc.discover`, once a client made
   * by `connect` has learned them; `undefined` until then.
   */
  readonly idempotent?: readonly string[];
}

/**
 * One instance with its breaker and calls in flight.
 *
 * @example
 * ```ts
 * import { Balancer, type Instance } from "./balancer.ts";
 * const balancer = new Balancer("round-robin", {});
 * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
 * const instance: Instance | undefined = balancer.pick(0, new Set());
 * ```
 */
export interface Instance {
  /** The endpoint (its priority and weight follow the source). */
  endpoint: Endpoint;
  /** Its breaker. */
  readonly breaker: CircuitBreaker;
  /** Calls in flight to it. */
  inFlight: number;
  /** For weighted round-robin: its running score. */
  score: number;
  /** Why its last failed attempt failed. */
  lastFailure?: string;
  /** What it declares idempotent itself, once learned. */
  idempotent?: ReadonlySet<string>;
}

/**
 * An instance taken for one attempt: its breaker's ticket is taken and the call counted in flight,
 * in the same step as the choice.
 *
 * @example
 * ```ts
 * import { Balancer, type Taken } from "./balancer.ts";
 * const balancer = new Balancer("round-robin", {});
 * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
 * const taken: Taken | undefined = balancer.take(0, new Set());
 * ```
 */
export interface Taken {
  /** The instance. */
  readonly instance: Instance;
  /** Its breaker's ticket for this attempt. */
  readonly ticket: BreakerTicket;
}

/**
 * The set of instances a client may call, and the choice among them. The list follows its source
 * through {@linkcode Balancer.update}; an instance that stays in the list keeps its breaker.
 *
 * @example
 * ```ts
 * import { Balancer } from "./balancer.ts";
 * const balancer = new Balancer("round-robin", {});
 * balancer.update([{ url: "http://127.0.0.1:5001/api" }, { url: "http://127.0.0.1:5002/api" }]);
 * balancer.pick(0, new Set())?.endpoint.url; // "http://127.0.0.1:5001/api"
 * balancer.pick(0, new Set())?.endpoint.url; // "http://127.0.0.1:5002/api"
 * ```
 */
export class Balancer {
  #instances: Instance[] = [];
  #list: readonly Endpoint[] | undefined;
  #next = 0;
  readonly #balancing: Balancing;
  readonly #breaker: BreakerOptions;
  readonly #random: () => number;

  /**
   * Makes an empty balancer.
   *
   * @param balancing How to choose.
   * @param breaker The options of each instance's breaker.
   * @param random A source of numbers in [0, 1). Default `Math.random`.
   * @throws {TypeError} When `balancing` is not one of the strategies, or a breaker option is not a
   *   positive number.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("least-in-flight", { failureThreshold: 2 });
   * ```
   */
  constructor(balancing: Balancing, breaker: BreakerOptions, random: () => number = Math.random) {
    if (!["round-robin", "least-in-flight"].includes(balancing)) {
      throw new TypeError(`Unknown balancing ${balancing}: "round-robin" or "least-in-flight"`);
    }
    new CircuitBreaker(breaker); // checks the options once, up front
    this.#balancing = balancing;
    this.#breaker = breaker;
    this.#random = random;
  }

  /** How many instances are known. */
  get size(): number {
    return this.#instances.length;
  }

  /**
   * Follows a new list of endpoints: instances that stay keep their breaker and counts, new ones
   * start closed, those no longer listed are dropped. The same list (by identity) costs nothing.
   *
   * @param list The endpoints, as the source gave them.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * balancer.size; // 1
   * ```
   */
  update(list: readonly Endpoint[]): void {
    if (list === this.#list) return;
    this.#list = list;
    const old = new Map(this.#instances.map((instance) => [instance.endpoint.url, instance]));
    const instances = new Map<string, Instance>();
    for (const endpoint of list) {
      if (instances.has(endpoint.url)) continue;
      // An instance that stays is the same object, so calls in flight still count on it.
      const kept = old.get(endpoint.url);
      if (kept !== undefined) kept.endpoint = endpoint;
      instances.set(endpoint.url, kept ?? { endpoint, breaker: new CircuitBreaker(this.#breaker, this.#random), inFlight: 0, score: 0 });
    }
    this.#instances = [...instances.values()];
  }

  /**
   * Chooses an instance for an attempt: of the best priority that has an instance whose breaker
   * lets calls through, preferring those not tried yet by this call.
   *
   * @param now The current time in ms (for the breakers).
   * @param tried The URLs this call already went to.
   * @param eligible Which instances may take this call at all. Default: every one.
   * @returns The instance, or `undefined` when none may be called now.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * balancer.pick(0, new Set(["http://127.0.0.1:5001/api"]))?.endpoint.url; // the same one: no other
   * ```
   */
  pick(now: number, tried: ReadonlySet<string>, eligible?: (instance: Instance) => boolean): Instance | undefined {
    const all = this.#instances;
    // First among the instances this call has not tried; when every usable one was tried, again
    // among all of them.
    let candidates: Instance[] | undefined;
    for (let pass = 0; pass < 2; pass++) {
      let best = Infinity;
      const usable: Instance[] = [];
      for (const instance of all) {
        if (pass === 0 && tried.has(instance.endpoint.url)) continue;
        if (eligible !== undefined && !eligible(instance)) continue;
        if (!instance.breaker.allows(now)) continue;
        const priority = instance.endpoint.priority ?? 0;
        if (priority < best) {
          best = priority;
          usable.length = 0;
        }
        if (priority === best) usable.push(instance);
      }
      if (usable.length > 0) {
        candidates = usable;
        break;
      }
    }
    if (candidates === undefined) return undefined;
    return this.#balancing === "round-robin" ? this.#roundRobin(candidates) : this.#twoChoices(candidates);
  }

  /**
   * Chooses an instance as {@linkcode Balancer.pick} does and, in the same synchronous step, takes
   * its breaker's ticket and counts the call in flight: so a half-open breaker lets exactly one
   * trial through, however many calls choose at once.
   *
   * @param now The current time in ms (for the breakers).
   * @param tried The URLs this call already went to.
   * @param eligible Which instances may take this call at all. Default: every one.
   * @returns The instance and its ticket, or `undefined` when none may be called now.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * const taken = balancer.take(0, new Set());
   * taken?.instance.inFlight; // 1
   * ```
   */
  take(now: number, tried: ReadonlySet<string>, eligible?: (instance: Instance) => boolean): Taken | undefined {
    const instance = this.pick(now, tried, eligible);
    if (instance === undefined) return undefined;
    instance.inFlight++;
    return { instance, ticket: instance.breaker.begin(now) };
  }

  /**
   * The instances known now, in the source's order.
   *
   * @returns The instances.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * balancer.all().length; // 1
   * ```
   */
  all(): readonly Instance[] {
    return this.#instances;
  }

  /**
   * Tells whether an instance this call has not tried may be called now.
   *
   * @param now The current time in ms (for the breakers).
   * @param tried The URLs this call already went to.
   * @param eligible Which instances may take this call at all. Default: every one.
   * @returns `true` when there is one.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * balancer.hasUntried(0, new Set(["http://127.0.0.1:5001/api"])); // false
   * ```
   */
  hasUntried(now: number, tried: ReadonlySet<string>, eligible?: (instance: Instance) => boolean): boolean {
    return this.#instances.some((instance) =>
      !tried.has(instance.endpoint.url) && (eligible === undefined || eligible(instance)) && instance.breaker.allows(now)
    );
  }

  /**
   * What the client knows of each instance.
   *
   * @returns One status per instance, in the source's order.
   * @example
   * ```ts
   * import { Balancer } from "./balancer.ts";
   * const balancer = new Balancer("round-robin", {});
   * balancer.update([{ url: "http://127.0.0.1:5001/api" }]);
   * balancer.statuses(); // [{ url: "http://127.0.0.1:5001/api", breaker: "closed", inFlight: 0 }]
   * ```
   */
  statuses(): InstanceStatus[] {
    return this.#instances.map((instance) => ({
      url: instance.endpoint.url,
      breaker: instance.breaker.state,
      inFlight: instance.inFlight,
      ...(instance.lastFailure === undefined ? {} : { lastFailure: instance.lastFailure }),
      ...(instance.idempotent === undefined ? {} : { idempotent: [...instance.idempotent].sort() }),
    }));
  }

  #roundRobin(candidates: Instance[]): Instance {
    const weights = candidates.map((instance) => Math.max(0, instance.endpoint.weight ?? 1));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    if (total === 0 || weights.every((weight) => weight === weights[0])) {
      // Equal weights: plain turns.
      const chosen = candidates[this.#next++ % candidates.length] as Instance;
      if (this.#next > 1e9) this.#next = 0;
      return chosen;
    }
    // Smooth weighted round-robin: each candidate gains its weight, the highest score is chosen and
    // pays the total back, so the picks interleave in proportion to the weights.
    let chosen = candidates[0] as Instance;
    candidates.forEach((instance, i) => {
      instance.score += weights[i] ?? 0;
      if (instance.score > chosen.score) chosen = instance;
    });
    chosen.score -= total;
    return chosen;
  }

  #twoChoices(candidates: Instance[]): Instance {
    if (candidates.length === 1) return candidates[0] as Instance;
    const first = Math.floor(this.#random() * candidates.length);
    let second = Math.floor(this.#random() * (candidates.length - 1));
    if (second >= first) second++;
    const a = candidates[first] as Instance;
    const b = candidates[second] as Instance;
    return b.inFlight < a.inFlight ? b : a;
  }
}
