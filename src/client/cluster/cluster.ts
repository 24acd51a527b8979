/**
 * Calls over several instances of one service: `cluster(urls or source, options)` is given to
 * `createClient` or `connect` instead of one URL. The instances follow their source, each call goes
 * to one chosen by the balancer, and a failed attempt moves to another instance only when that
 * cannot run the call twice: when the call was never sent, or when it is idempotent.
 *
 * @module
 */

import { Balancer, type Balancing, type Instance, type InstanceStatus, type Taken } from "./balancer.ts";
import { type BatchEntry, type Settled, settleBatch } from "../batch.ts";
import type { BreakerOptions } from "./breaker.ts";
import { instanceFailed, mayRetry, neverSent } from "./delivery.ts";
import { type Endpoint, type EndpointSource, isEndpointSource, staticEndpoints } from "./endpoints.ts";
import { TransportError } from "../errors.ts";
import { backoffDelay, type RetryOptions, type RetryPolicy, retryPolicy, sleep } from "./retry.ts";
import { type CallOptions, type ClientOptions, nextId, type OutgoingRequest, post, request, timeLeft } from "../transport.ts";
import { answerProblem, batchAnswerProblem, describedIdempotent, safeText, shownUrl } from "./answers.ts";
import type { Delivery, Upstream } from "../upstream.ts";

/**
 * Options of {@linkcode cluster}: how calls are spread, when an instance is left alone, and which
 * calls may be sent twice. The client's own options (token, headers, `fetch`, and `timeout`, the
 * whole call's time with every attempt included) stay those of `createClient` or `connect`.
 *
 * @example
 * ```ts
 * import { connect } from "../client.ts";
 * import { cluster, type ClusterOptions } from "./cluster.ts";
 * const options: ClusterOptions = {
 *   attemptTimeout: 1_000, // one attempt
 *   balancing: "least-in-flight",
 *   breaker: { failureThreshold: 3, openFor: 1_000, maxOpenFor: 30_000 },
 *   retry: { attempts: 3, backoff: 25, maxBackoff: 1_000 },
 *   idempotent: ["get_order"], // besides what the service declares
 * };
 * const remote = await connect(cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], options), {
 *   timeout: 5_000, // the whole call, every attempt included
 * });
 * ```
 */
export interface ClusterOptions {
  /** How calls are spread over the instances. Default `"round-robin"`. */
  readonly balancing?: Balancing | undefined;
  /** The options of each instance's circuit breaker. */
  readonly breaker?: BreakerOptions | undefined;
  /** How many attempts a call may make, and the back-off between them. */
  readonly retry?: RetryOptions | undefined;
  /**
   * How long one attempt may take, in ms, before it fails with a `"timeout"` TransportError (then,
   * for an idempotent call, the next attempt goes to another instance within the call's
   * `timeout`). Default: the call's whole time.
   */
  readonly attemptTimeout?: number | undefined;
  /**
   * Which methods may be sent again when an attempt's fate is unknown, on the caller's word: `true`
   * for every method, or a list of names. Default: none. Besides these, a method the instances
   * declare (`{ idempotent: true }` on the server, learned by `connect`) is sent again only from an
   * instance that declares it to another that declares it too (see docs/cluster.md).
   */
  readonly idempotent?: boolean | readonly string[] | undefined;
}

/**
 * The clock and the waits of a {@linkcode Cluster}: the monotonic time its breakers use, and how it
 * waits between attempts. Tests give their own to follow the back-off without waiting.
 *
 * @example
 * ```ts
 * import { Cluster, type ClusterTimers } from "./cluster.ts";
 * import { staticEndpoints } from "./endpoints.ts";
 * const waits: number[] = [];
 * const timers: ClusterTimers = {
 *   now: () => performance.now(),
 *   sleep: (ms) => {
 *     waits.push(ms); // no waiting: the test follows the back-off from here
 *     return Promise.resolve();
 *   },
 * };
 * const replicas = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {}, Math.random, timers);
 * ```
 */
export interface ClusterTimers {
  /** The current time in ms, from a monotonic clock. */
  now(): number;
  /**
   * Waits `ms` milliseconds, or less when the signal is aborted.
   *
   * @param ms How long.
   * @param signal Ends the wait early.
   * @returns After the wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const DEFAULT_TIMERS: ClusterTimers = { now: () => performance.now(), sleep };

/** How a call may be sent again after an attempt that may have run it. */
type Idempotency = "caller" | "declared" | "no";

/**
 * What may follow an attempt that may have reached a server: `false` when nothing may be sent
 * again; otherwise the methods that the instance of the next attempt must declare idempotent
 * itself (empty: any instance).
 */
type AfterUnknown = (error: TransportError, declared: ReadonlySet<string> | undefined) => ReadonlySet<string> | false;

/**
 * What {@linkcode cluster} is given: a list of instances (URLs or {@linkcode Endpoint}s), or an
 * {@linkcode EndpointSource} such as `dnsSrv(…)` or `etcdRegistry(…).find(…)`.
 *
 * @example
 * ```ts
 * import { cluster, type Instances } from "./cluster.ts";
 * const instances: Instances = ["http://10.0.0.5:5000/api", { url: "http://10.0.0.6:5000/api", weight: 2 }];
 * const replicas = cluster(instances);
 * ```
 */
export type Instances = readonly (string | Endpoint)[] | EndpointSource;

/**
 * Several instances of one service, to give `createClient` or `connect` instead of one URL: the
 * client then balances its calls over them, keeps a circuit breaker per instance, and moves a
 * failed call to another instance when that cannot run it twice: it was never sent, or the caller
 * declared it idempotent (listed in `idempotent`, or asked for per call), or the instance it went
 * to and the one it goes to next both declare it idempotent themselves (learned by `connect`). An
 * answer that is not JSON-RPC counts against the instance. The client owns it: `client.close()`
 * closes its source.
 *
 * @param instances The instances' endpoints, or a source of them.
 * @param options Balancing, breaker, retry, attempt timeout and idempotency.
 * @returns The cluster, which also tells each instance's state ({@linkcode Cluster.instances}).
 * @throws {TypeError} When the list is empty or an option is out of range.
 * @example
 * ```ts
 * import { connect } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * const replicas = cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], { idempotent: ["get_order"] });
 * const orders = await connect(replicas, { token: "hello_world_token" });
 * await orders.call("get_order", [7]);
 * replicas.instances().map((instance) => `${instance.url}: ${instance.breaker}`);
 * await orders.close();
 * ```
 */
export function cluster(instances: Instances, options: ClusterOptions = {}): Cluster {
  return new Cluster(isEndpointSource(instances) ? instances : staticEndpoints(instances), options);
}

/**
 * The instances of one service and the rules of sending to them: what {@linkcode cluster} makes.
 *
 * @example
 * ```ts
 * import { Cluster } from "./cluster.ts";
 * import { staticEndpoints } from "./endpoints.ts";
 * import { request } from "../transport.ts";
 * const replicas = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api", "http://127.0.0.1:5002/api"]), {});
 * const { answer, url } = await replicas.send(request("ping", [], 1), {});
 * await replicas.close();
 * ```
 */
export class Cluster implements Upstream {
  readonly #source: EndpointSource;
  readonly #balancer: Balancer;
  readonly #retry: RetryPolicy;
  readonly #attemptTimeout: number | undefined;
  readonly #idempotent: (method: string) => boolean;
  readonly #random: () => number;
  readonly #timers: ClusterTimers;
  #learning = false;
  #discoveryOptions: ClientOptions | undefined;
  readonly #discovering = new Set<Instance>();
  // Ends the discoveries under way when the cluster is closed.
  readonly #closing = new AbortController();
  #unsubscribe: (() => void) | undefined;
  #pushed = false;
  #lastUrl = "";
  #closed = false;

  /**
   * Makes the cluster of a source's instances.
   *
   * @param source Where the instances are.
   * @param options The cluster's options.
   * @param random A source of numbers in [0, 1) for the balancer and the jitter. Default `Math.random`.
   * @param timers The clock and the waits between attempts. Default: `performance.now()` and timers.
   * @throws {TypeError} When an option is out of range.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), { retry: { attempts: 2 } });
   * ```
   */
  constructor(source: EndpointSource, options: ClusterOptions, random: () => number = Math.random, timers: ClusterTimers = DEFAULT_TIMERS) {
    if (options.attemptTimeout !== undefined && !(options.attemptTimeout > 0)) {
      throw new TypeError("attemptTimeout must be a positive number of ms");
    }
    this.#source = source;
    this.#random = random;
    this.#timers = timers;
    this.#balancer = new Balancer(options.balancing ?? "round-robin", options.breaker ?? {}, random);
    this.#retry = retryPolicy(options.retry);
    this.#attemptTimeout = options.attemptTimeout;
    const declared = options.idempotent;
    const listed = Array.isArray(declared) ? new Set<string>(declared) : undefined;
    this.#idempotent = (method) => declared === true || listed?.has(method) === true || method.startsWith("rpc.");
    if (source.subscribe !== undefined) {
      this.#unsubscribe = source.subscribe((list) => {
        this.#pushed = true;
        this.#follow(list);
      });
    }
  }

  /** The URL of the instance that answered last; `""` before the first answer. */
  get url(): string {
    return this.#lastUrl;
  }

  /**
   * Records the methods that the instance which answered last (the one `connect`'s discovery
   * reached) declares idempotent, and from then on asks each other instance for its own
   * declaration too (its `rpc.discover`, in the background, with the client's options). A method
   * the caller did not declare idempotent is sent again only from an instance that declares it to
   * an instance that declares it as well: one instance of another version, or a hostile one, cannot
   * make the others run a call twice.
   *
   * @param methods Their names.
   * @example
   * ```ts
   * import { connect } from "../client.ts";
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const replicas = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api", "http://127.0.0.1:5002/api"]), {});
   * await connect(replicas); // calls replicas.learnIdempotent(…) with what the instance that answered declares
   * replicas.instances().map((instance) => instance.idempotent); // per instance, once each has answered
   * ```
   */
  learnIdempotent(methods: readonly string[]): void {
    this.#learning = true;
    const answered = this.#balancer.all().find((instance) => instance.endpoint.url === this.#lastUrl);
    if (answered !== undefined) answered.idempotent = new Set(methods);
    for (const instance of this.#balancer.all()) if (instance.idempotent === undefined) this.#discover(instance);
  }

  /**
   * Tells whether the caller declared a method idempotent: per call, or in the cluster's
   * `idempotent` option (`rpc.` methods always are). What the instances declare themselves counts
   * per instance (see {@linkcode Cluster.learnIdempotent}).
   *
   * @param method The method's name.
   * @param call The call's options: its own `idempotent` wins.
   * @returns `true` when it may be sent again to any instance.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), { idempotent: ["get"] });
   * cluster.isIdempotent("get"); // true
   * cluster.isIdempotent("get", { idempotent: false }); // false
   * ```
   */
  isIdempotent(method: string, call?: CallOptions): boolean {
    return call?.idempotent ?? this.#idempotent(method);
  }

  /**
   * What the cluster knows of each instance now.
   *
   * @returns One status per instance.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {});
   * await cluster.refresh();
   * cluster.instances(); // [{ url: "http://127.0.0.1:5001/api", breaker: "closed", inFlight: 0 }]
   * ```
   */
  instances(): InstanceStatus[] {
    return this.#balancer.statuses();
  }

  /**
   * Asks the source for its instances now (a watched source's pushes are used as they come).
   *
   * @returns Once the balancer follows the source's list.
   * @throws {unknown} What the source's `endpoints()` threw.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {});
   * await cluster.refresh();
   * ```
   */
  async refresh(): Promise<void> {
    const list = this.#source.endpoints();
    this.#follow(isPromise(list) ? await list : list);
  }

  /**
   * Sends one message (a call or a notification) with failover: an attempt that was never sent
   * moves to another instance; one that may have reached a server is sent again only when the call
   * is idempotent ({@linkcode Cluster.isIdempotent}).
   * Attempts are bounded by the retry options and by the call's time.
   *
   * @param message The request object.
   * @param options The client's options (token, headers, `timeout` for the whole call, fetch).
   * @param call The call's signal, timeout, deadline and `idempotent`.
   * @returns The answer and the instance that gave it.
   * @throws {TransportError} The last attempt's failure: `"unavailable"` when no instance could
   *   take the call, or the first failure that may not be retried.
   * @throws {TypeError} When the params cannot be turned into JSON.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * import { request } from "../transport.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api", "http://127.0.0.1:5002/api"]), {});
   * await cluster.send(request("get_order", [7], 1), {}, { timeout: 2_000, idempotent: true });
   * ```
   */
  async send(message: OutgoingRequest, options: ClientOptions, call: CallOptions = {}): Promise<Delivery> {
    const idempotency = this.#idempotency(message.method, call);
    return this.#attempts(() => message, (answer) => answerProblem(answer, message.id), options, call, (_error, declared) => {
      if (idempotency === "caller") return NO_REQUIREMENT;
      // Declared by the instances only: the one that may have run it and the next one must both say so.
      if (idempotency === "declared" && declared?.has(message.method) === true) return new Set([message.method]);
      return false;
    });
  }

  /**
   * Sends a batch with failover, entry by entry: when an attempt fails after the batch may have
   * reached a server, only its idempotent entries are sent again; the others settle with that
   * failure (calls) or are given up (notifications). When nothing was ever answered, the failure is
   * thrown, as for a single call.
   *
   * @param entries The entries, in order.
   * @param options The client's options.
   * @param call The batch's signal, timeout and deadline.
   * @param idempotent Whether the caller declares an entry idempotent (it may then be sent again to
   *   any instance). Default: {@linkcode Cluster.isIdempotent}. An entry the caller did not declare
   *   is sent again only between instances that both declare its method idempotent.
   * @returns For each entry, a {@linkcode Settled} for a call and `undefined` for a notification.
   * @throws {TransportError} When no attempt got an answer.
   * @throws {RpcError} When a server refused the whole batch with one error.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {});
   * await cluster.sendBatch([{ method: "get_order", params: [7], notification: false }], {});
   * ```
   */
  async sendBatch(
    entries: readonly BatchEntry[],
    options: ClientOptions,
    call: CallOptions = {},
    idempotent?: (entry: BatchEntry) => boolean,
  ): Promise<(Settled<unknown> | undefined)[]> {
    const results: (Settled<unknown> | undefined)[] = entries.map(() => undefined);
    if (entries.length === 0) return results;
    const levels = entries.map((entry): Idempotency =>
      idempotent === undefined ? this.#idempotency(entry.method, call) : idempotent(entry) ? "caller" : call.idempotent === false ? "no" : "declared"
    );
    const ids = entries.map((entry) => (entry.notification ? undefined : nextId()));
    let pending = entries.map((_, index) => index);
    const requests = (): unknown[] => pending.map((i) => request(entries[i]?.method ?? "", entries[i]?.params, ids[i]));
    let message = requests();
    const { answer, url } = await this.#attempts(
      () => message,
      (answer) => batchAnswerProblem(answer, pending.map((i) => ids[i])),
      options,
      call,
      (error, declared) => {
        // The batch may have run: only its idempotent entries go again; the others keep this failure.
        const requires = new Set<string>();
        const retried = pending.filter((i) => {
          const method = entries[i]?.method ?? "";
          if (levels[i] === "caller") return true;
          if (levels[i] === "declared" && declared?.has(method) === true) return requires.add(method);
          return false;
        });
        for (const i of pending) if (!retried.includes(i) && ids[i] !== undefined) results[i] = { ok: false, error };
        pending = retried;
        message = requests();
        return pending.length > 0 ? requires : false;
      },
    );
    const settled = settleBatch(url, pending.map((i) => ids[i]), answer);
    pending.forEach((entry, k) => (results[entry] = settled[k]));
    return results;
  }

  /**
   * Stops following the source and closes it.
   *
   * @returns Once the source is closed.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * await new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {}).close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    this.#unsubscribe?.();
    await this.#source.close?.();
  }

  #idempotency(method: string, call: CallOptions): Idempotency {
    if (call.idempotent !== undefined) return call.idempotent ? "caller" : "no";
    return this.#idempotent(method) ? "caller" : "declared";
  }

  #follow(list: readonly Endpoint[]): void {
    this.#balancer.update(list);
    if (this.#learning) for (const instance of this.#balancer.all()) if (instance.idempotent === undefined) this.#discover(instance);
  }

  /** Asks one instance, in the background, which methods it declares idempotent. */
  #discover(instance: Instance): void {
    const options = this.#discoveryOptions;
    if (options === undefined || this.#closed || this.#discovering.has(instance)) return;
    this.#discovering.add(instance);
    const id = nextId();
    const timeout = this.#attemptTimeout ?? Math.min(timeLeft(options, {}) ?? 10_000, 10_000);
    post(instance.endpoint.url, options, request("rpc.discover", [], id), { timeout, signal: this.#closing.signal })
      .then((answer) => {
        const declared = describedIdempotent(answer, id);
        if (declared !== undefined) instance.idempotent = declared;
      }, () => {
        // Asked again after its next answer.
      })
      .finally(() => this.#discovering.delete(instance));
  }

  /** The instance for an attempt, with its ticket; `undefined` when none may take it; the source's failure. */
  async #take(tried: ReadonlySet<string>, eligible: ((instance: Instance) => boolean) | undefined): Promise<Taken | TransportError | undefined> {
    if (!this.#pushed || this.#balancer.size === 0) {
      try {
        await this.refresh();
      } catch (error) {
        return new TransportError(NO_URL, "unavailable", `its endpoint source failed: ${safeText(String(error))}`, undefined, error);
      }
    }
    // The choice and the breaker's ticket in one synchronous step: one trial per half-open breaker.
    return this.#balancer.take(this.#timers.now(), tried, eligible);
  }

  /** The failure of an attempt that found no instance: which instances there are, and why each is out. */
  #unavailable(causes: ReadonlyMap<string, string>, requires: ReadonlySet<string>, attempts: number): TransportError {
    const all = this.#balancer.all();
    if (all.length === 0) {
      return new TransportError(NO_URL, "unavailable", "no instance is known: its endpoint source gave none");
    }
    const now = this.#timers.now();
    const described = all.map((instance) => {
      const url = instance.endpoint.url;
      const why: string[] = [];
      if (!instance.breaker.allows(now)) why.push(`breaker ${instance.breaker.state}`);
      if (requires.size > 0 && ![...requires].every((method) => instance.idempotent?.has(method) === true)) {
        why.push(`does not declare ${[...requires].join(", ")} idempotent`);
      }
      const cause = causes.get(url) ?? instance.lastFailure;
      if (cause !== undefined) why.push(`last failure: ${cause}`);
      return `${shownUrl(url)} (${why.join("; ") || "tried"})`;
    });
    const first = causes.keys().next().value ?? all[0]?.endpoint.url ?? "";
    return new TransportError(
      shownUrl(first),
      "unavailable",
      `no instance could take the call (${attempts} attempt${attempts === 1 ? "" : "s"}): ${described.join(", ")}. ` +
        "A service that is still starting: connect(…, { wait: ms }) keeps asking it for that long",
    );
  }

  async #attempts(
    body: () => unknown,
    check: (answer: unknown) => string | undefined,
    options: ClientOptions,
    call: CallOptions,
    afterUnknown: AfterUnknown,
  ): Promise<Delivery> {
    this.#discoveryOptions = options;
    const budget = timeLeft(options, call);
    const deadline = budget === undefined ? undefined : Date.now() + budget;
    const tried = new Set<string>();
    const causes = new Map<string, string>();
    // The methods the instance of each further attempt must declare idempotent itself.
    const requires = new Set<string>();
    const eligible = (instance: Instance): boolean => [...requires].every((method) => instance.idempotent?.has(method) === true);
    for (let attempt = 1; ; attempt++) {
      if (call.signal?.aborted === true) throw new TransportError(this.#lastUrl, "aborted", "the call was aborted", undefined, call.signal.reason);
      const taken = await this.#take(tried, requires.size === 0 ? undefined : eligible);
      const left = deadline === undefined ? undefined : deadline - Date.now();
      const timeout = minimum(this.#attemptTimeout, left);
      if (timeout !== undefined && timeout <= 0 && taken !== undefined && !(taken instanceof TransportError)) {
        taken.instance.inFlight--;
        taken.instance.breaker.release(taken.ticket);
        throw new TransportError(taken.instance.endpoint.url, "timeout", "the call's deadline has passed");
      }
      let failure: TransportError;
      if (taken === undefined) failure = this.#unavailable(causes, requires, attempt);
      else if (taken instanceof TransportError) failure = taken;
      else {
        const { instance, ticket } = taken;
        const url = instance.endpoint.url;
        // What this instance declared when the call went to it (a later discovery may change it).
        const declared = instance.idempotent;
        tried.add(url);
        try {
          const answer = await post(url, options, body(), { ...call, timeout });
          const problem = check(answer);
          if (problem !== undefined) throw new TransportError(url, "bad-response", problem, 200);
          instance.breaker.success();
          this.#lastUrl = url;
          // A new instance, or one back after its breaker opened (another version, maybe): ask what it declares.
          if (this.#learning && (instance.idempotent === undefined || ticket.trial)) this.#discover(instance);
          return { answer, url };
        } catch (error) {
          if (!(error instanceof TransportError)) {
            instance.breaker.release(ticket);
            throw error;
          }
          if (instanceFailed(error)) {
            instance.breaker.failure(this.#timers.now(), neverSent(error), ticket);
            const cause = describeFailure(error);
            instance.lastFailure = cause;
            causes.set(url, cause);
          } else {
            instance.breaker.release(ticket);
          }
          failure = error;
          if (attempt < this.#retry.attempts && mayRetry(failure) && !neverSent(failure)) {
            const next = afterUnknown(failure, declared);
            if (next === false) throw failure;
            for (const method of next) requires.add(method);
            // No instance declares them all: nowhere to send it again.
            if (requires.size > 0 && !this.#balancer.all().some(eligible)) throw failure;
          }
        } finally {
          instance.inFlight--;
        }
      }
      if (attempt >= this.#retry.attempts || !mayRetry(failure)) throw failure;
      await this.#backoff(failure, attempt, tried, eligible, requires, deadline, call);
    }
  }

  /** Before the next attempt: none when an instance not tried yet may take it; else a jittered back-off. */
  async #backoff(
    failure: TransportError,
    attempt: number,
    tried: ReadonlySet<string>,
    eligible: (instance: Instance) => boolean,
    requires: ReadonlySet<string>,
    deadline: number | undefined,
    call: CallOptions,
  ): Promise<void> {
    if (this.#balancer.hasUntried(this.#timers.now(), tried, requires.size === 0 ? undefined : eligible)) return;
    const wait = backoffDelay(this.#retry, attempt + 1, this.#random());
    if (deadline !== undefined && Date.now() + wait >= deadline) throw failure;
    await this.#timers.sleep(wait, call.signal);
  }
}

const NO_REQUIREMENT: ReadonlySet<string> = new Set();

// What an "unavailable" TransportError names when there is no instance to name: the message reads
// "unavailable error calling the cluster: …".
const NO_URL = "the cluster";

/** A failure in a few words, for messages: its kind and detail, without URLs' credentials. */
function describeFailure(error: TransportError): string {
  const prefix = `${error.kind} error calling ${error.url}: `;
  const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return safeText(`${error.kind}: ${detail}`);
}

function minimum(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

