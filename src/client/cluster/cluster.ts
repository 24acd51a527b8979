/**
 * Calls over several instances of one service: `cluster(urls or source, options)` is given to
 * `createClient` or `connect` instead of one URL. The instances follow their source, each call goes
 * to one chosen by the balancer, and a failed attempt moves to another instance only when that
 * cannot run the call twice: when the call was never sent, or when it is idempotent.
 *
 * @module
 */

import { Balancer, type Balancing, type Instance, type InstanceStatus } from "./balancer.ts";
import { type BatchEntry, type Settled, settleBatch } from "../batch.ts";
import type { BreakerOptions } from "./breaker.ts";
import { instanceFailed, mayRetry, neverSent } from "./delivery.ts";
import { type Endpoint, type EndpointSource, isEndpointSource, staticEndpoints } from "./endpoints.ts";
import { TransportError } from "../errors.ts";
import { backoffDelay, type RetryOptions, type RetryPolicy, retryPolicy, sleep } from "./retry.ts";
import { type CallOptions, type ClientOptions, nextId, type OutgoingRequest, post, request, timeLeft } from "../transport.ts";
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
   * Which methods may be sent again when an attempt's fate is unknown, besides those the service
   * declares (`{ idempotent: true }` on the server, learned by `connect`): `true` for every method,
   * or a list of names. Default: none.
   */
  readonly idempotent?: boolean | readonly string[] | undefined;
}

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
 * failed call to another instance when that cannot run it twice (it was never sent, or it is
 * idempotent: declared so by the service and learned by `connect`, listed in `idempotent`, or
 * asked for per call). The client owns it: `client.close()` closes its source.
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
  readonly #learned = new Set<string>();
  readonly #random: () => number;
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
   * @throws {TypeError} When an option is out of range.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), { retry: { attempts: 2 } });
   * ```
   */
  constructor(source: EndpointSource, options: ClusterOptions, random: () => number = Math.random) {
    if (options.attemptTimeout !== undefined && !(options.attemptTimeout > 0)) {
      throw new TypeError("attemptTimeout must be a positive number of ms");
    }
    this.#source = source;
    this.#random = random;
    this.#balancer = new Balancer(options.balancing ?? "round-robin", options.breaker ?? {}, random);
    this.#retry = retryPolicy(options.retry);
    this.#attemptTimeout = options.attemptTimeout;
    const declared = options.idempotent;
    const listed = Array.isArray(declared) ? new Set<string>(declared) : undefined;
    this.#idempotent = (method) =>
      declared === true || listed?.has(method) === true || this.#learned.has(method) || method.startsWith("rpc.");
    if (source.subscribe !== undefined) {
      this.#unsubscribe = source.subscribe((list) => {
        this.#pushed = true;
        this.#balancer.update(list);
      });
    }
  }

  /** The URL of the instance that answered last; `""` before the first answer. */
  get url(): string {
    return this.#lastUrl;
  }

  /**
   * Records the methods the service declares idempotent (as `connect` learns them).
   *
   * @param methods Their names.
   * @example
   * ```ts
   * import { Cluster } from "./cluster.ts";
   * import { staticEndpoints } from "./endpoints.ts";
   * const cluster = new Cluster(staticEndpoints(["http://127.0.0.1:5001/api"]), {});
   * cluster.learnIdempotent(["get_order"]);
   * cluster.isIdempotent("get_order"); // true
   * ```
   */
  learnIdempotent(methods: readonly string[]): void {
    for (const method of methods) this.#learned.add(method);
  }

  /**
   * Tells whether a call of a method may be sent again when an attempt's fate is unknown.
   *
   * @param method The method's name.
   * @param call The call's options: its own `idempotent` wins.
   * @returns `true` when it may.
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
    this.#balancer.update(isPromise(list) ? await list : list);
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
    const idempotent = this.isIdempotent(message.method, call);
    return this.#attempts(message, options, call, (error) => idempotent || neverSent(error));
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
   * @param idempotent Whether an entry may be sent twice. Default: {@linkcode Cluster.isIdempotent}.
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
    idempotent: (entry: BatchEntry) => boolean = (entry) => this.isIdempotent(entry.method, call),
  ): Promise<(Settled<unknown> | undefined)[]> {
    const results: (Settled<unknown> | undefined)[] = entries.map(() => undefined);
    if (entries.length === 0) return results;
    const ids = entries.map((entry) => (entry.notification ? undefined : nextId()));
    let pending = entries.map((_, index) => index);
    const requests = (): unknown[] => pending.map((i) => request(entries[i]?.method ?? "", entries[i]?.params, ids[i]));
    let message = requests();
    const { answer, url } = await this.#attempts(() => message, options, call, (error) => {
      if (neverSent(error)) return true;
      // The batch may have run: only its idempotent entries go again; the others keep this failure.
      const retried = pending.filter((i) => idempotent(entries[i] as BatchEntry));
      for (const i of pending) if (!retried.includes(i) && ids[i] !== undefined) results[i] = { ok: false, error };
      pending = retried;
      message = requests();
      return pending.length > 0;
    });
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
    this.#unsubscribe?.();
    await this.#source.close?.();
  }

  async #choose(tried: ReadonlySet<string>): Promise<Instance | TransportError> {
    if (!this.#pushed || this.#balancer.size === 0) {
      try {
        await this.refresh();
      } catch (error) {
        return new TransportError("", "unavailable", `the endpoint source failed: ${String(error)}`, undefined, error);
      }
    }
    return this.#balancer.pick(performance.now(), tried) ??
      new TransportError("", "unavailable", this.#balancer.size === 0 ? "no instance is known" : "every instance's breaker is open");
  }

  async #attempts(
    message: unknown,
    options: ClientOptions,
    call: CallOptions,
    retryable: (error: TransportError) => boolean,
  ): Promise<Delivery> {
    const budget = timeLeft(options, call);
    const deadline = budget === undefined ? undefined : Date.now() + budget;
    const tried = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      if (call.signal?.aborted === true) throw new TransportError(this.#lastUrl, "aborted", "the call was aborted", undefined, call.signal.reason);
      const chosen = await this.#choose(tried);
      let failure: TransportError;
      if (chosen instanceof TransportError) {
        failure = chosen;
      } else {
        const url = chosen.endpoint.url;
        tried.add(url);
        const left = deadline === undefined ? undefined : deadline - Date.now();
        const timeout = minimum(this.#attemptTimeout, left);
        if (timeout !== undefined && timeout <= 0) throw new TransportError(url, "timeout", "the call's deadline has passed");
        chosen.inFlight++;
        chosen.breaker.begin(performance.now());
        try {
          const body = typeof message === "function" ? (message as () => unknown)() : message;
          const answer = await post(url, options, body, { ...call, timeout });
          chosen.breaker.success();
          this.#lastUrl = url;
          return { answer, url };
        } catch (error) {
          if (!(error instanceof TransportError)) {
            chosen.breaker.release();
            throw error;
          }
          if (instanceFailed(error)) chosen.breaker.failure(performance.now(), neverSent(error));
          else chosen.breaker.release();
          failure = error;
        } finally {
          chosen.inFlight--;
        }
      }
      if (attempt >= this.#retry.attempts || !mayRetry(failure) || !retryable(failure)) throw failure;
      // Another instance not tried yet goes at once; otherwise wait a jittered back-off.
      if (chosen instanceof TransportError || !this.#balancer.hasUntried(performance.now(), tried)) {
        const wait = backoffDelay(this.#retry, attempt + 1, this.#random());
        if (deadline !== undefined && Date.now() + wait >= deadline) throw failure;
        await sleep(wait, call.signal);
      }
    }
  }
}

function minimum(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

