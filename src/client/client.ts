/**
 * The client: calls any JSON-RPC 2.0 service over HTTP with `fetch` only, so it runs on Node.js,
 * Deno, Bun and in browsers. `connect()` first asks the service to describe itself; `createClient()`
 * does not, and so works with any JSON-RPC 2.0 server.
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import type { InstanceStatus } from "./balancer.ts";
import { type BatchBuilder, batchBuilder, type BatchEntry, type BatchResults, sendBatch } from "./batch.ts";
import { Cluster, type ClusterOptions } from "./cluster.ts";
import { type Endpoint, type EndpointSource, isEndpointSource, staticEndpoints } from "./endpoints.ts";
import { TransportError } from "./errors.ts";
import { callsWith, methodProxy } from "./proxy.ts";
import { backoffDelay, retryPolicy, sleep } from "./retry.ts";
import { type CallOptions, errorOf, nextId, post, request, resultOf } from "./transport.ts";
import type { ArgsOf, CallsWith, MethodsOf, NamedParams, RemoteMethods, RemoteNotifications, ResultOf, Untyped } from "./types.ts";

/**
 * A client of one service endpoint. Typed by the service it calls (see {@linkcode createClient}).
 * It is not thenable: awaiting it, or returning it from an async function, gives the client itself.
 *
 * @typeParam M The remote methods' signatures.
 * @example
 * ```ts
 * import { createClient, type Client } from "./client.ts";
 * const calculator: Client<{ add(a: number, b: number): number }> = createClient<{ add(a: number, b: number): number }>(
 *   "http://127.0.0.1:5000/api",
 * );
 * await calculator.methods.add(1, 2); // 3, typed as number
 * ```
 */
export interface Client<M = Untyped> {
  /**
   * The endpoint's URL. For a client of several instances: the instance that answered last (`""`
   * before the first answer).
   */
  readonly url: string;
  /** The service's name, when it was learned by {@linkcode connect}. */
  readonly name: string | undefined;
  /** The service's method names, when they were learned by {@linkcode connect}. */
  readonly methodNames: readonly string[] | undefined;
  /** Calls a method with positional params: `await client.methods.add(1, 2)`. */
  readonly methods: RemoteMethods<M>;
  /** Sends a notification (no answer, so no result or error): `await client.notifications.log("hi")`. */
  readonly notifications: RemoteNotifications<M>;
  /**
   * The typed methods and notifications with per-call options: `signal`, `timeout`, `deadline`,
   * `idempotent`, as `call` takes them. Cheap: make one per call if need be.
   *
   * @param options The options every call through the result is sent with.
   * @returns `methods` and `notifications`, as the client's own.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * import type { CallContext } from "../core/context.ts";
   * const users = createClient<{ get_user(id: number): { name: string } }>("http://127.0.0.1:5001/api");
   * // In a handler: the caller's abort signal and deadline go on to the next hop.
   * const handler = async (id: number, ctx: CallContext) =>
   *   (await users.with({ signal: ctx.signal, deadline: ctx.deadline }).methods.get_user(id)).name;
   * ```
   */
  with(options: CallOptions): CallsWith<M>;
  /**
   * Calls a method with positional (array) or named (object) params.
   *
   * @param method The method's name.
   * @param params Its params: `[42, 23]` or `{ minuend: 42, subtrahend: 23 }`; none when absent.
   * @param options This call's `signal` and `timeout`.
   * @returns The method's result.
   * @throws {RpcError} When the service answers with an error, or (after `connect`) the service
   *   does not offer the method: `-32601`, before any request.
   * @throws {TransportError} When no JSON-RPC answer came.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient("http://127.0.0.1:5000/api");
   * await remote.call("subtract", [42, 23]); // 19
   * await remote.call("subtract", { minuend: 42, subtrahend: 23 }, { timeout: 1_000 }); // 19
   * ```
   */
  call<K extends keyof M & string>(method: K, params?: ArgsOf<M[K]> | NamedParams, options?: CallOptions): Promise<ResultOf<M[K]>>;
  /**
   * Sends a notification with positional (array) or named (object) params. It resolves once the
   * service has taken it; the method's result or error never comes back.
   *
   * @param method The method's name.
   * @param params Its params.
   * @param options This notification's `signal` and `timeout`.
   * @returns Nothing.
   * @throws {RpcError} When (after `connect`) the service does not offer the method, or the
   *   service could not read the message.
   * @throws {TransportError} When the service could not be reached.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient("http://127.0.0.1:5000/api");
   * await remote.notify("log", { line: "started" }); // resolves once sent; no result comes back
   * ```
   */
  notify<K extends keyof M & string>(method: K, params?: ArgsOf<M[K]> | NamedParams, options?: CallOptions): Promise<void>;
  /**
   * Sends several calls and notifications in one request. The callback writes the entries with a
   * builder shaped like the client; the batch resolves to one outcome per entry, in order:
   * `{ ok: true, value }` or `{ ok: false, error }` for a call, `undefined` for a notification.
   *
   * @param build Returns the entries, written with the builder.
   * @param options The batch's `signal` and `timeout`.
   * @returns The outcomes, typed per entry.
   * @throws {RpcError} When (after `connect`) an entry names a method the service does not offer
   *   (nothing is sent), or the service refuses the whole batch.
   * @throws {TransportError} When no JSON-RPC answer came.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient<{ say_hello(name: string): string }>("http://127.0.0.1:5000/api");
   * const [ann, bob] = await remote.batch((batch) => [batch.methods.say_hello("ann"), batch.methods.say_hello("bob")]);
   * if (ann.ok && bob.ok) console.log(ann.value, bob.value); // "hello ann" "hello bob"
   * ```
   */
  batch<const T extends readonly BatchEntry[]>(build: (batch: BatchBuilder<M>) => T, options?: CallOptions): Promise<BatchResults<T>>;
  /**
   * What a client of several instances knows of each one: its breaker and its calls in flight.
   * Empty for a client of one URL (it has no breaker).
   *
   * @returns One status per known instance.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient(["http://127.0.0.1:5001/api", "http://127.0.0.1:5002/api"]);
   * await remote.call("ping");
   * remote.instances().map((instance) => `${instance.url}: ${instance.breaker}`);
   * ```
   */
  instances(): readonly InstanceStatus[];
  /**
   * Lets go of the client's endpoint source (its watch or timers), which the client owns. Calls
   * made afterwards still work with the last known instances. Nothing to do for a client of one URL.
   *
   * @returns Once the source is closed.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient(["http://127.0.0.1:5001/api"]);
   * await remote.close();
   * ```
   */
  close(): Promise<void>;
}

/**
 * What a client calls: one endpoint's URL, a list of instances (URLs or {@linkcode Endpoint}s), or
 * an {@linkcode EndpointSource} (such as `dnsSrv(…)` or `etcdRegistry(…).find(…)`).
 *
 * @example
 * ```ts
 * import { createClient, type ClientTarget } from "./client.ts";
 * const target: ClientTarget = ["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"];
 * const remote = createClient(target);
 * ```
 */
export type ClientTarget = string | readonly (string | Endpoint)[] | EndpointSource;

/**
 * A client made by {@linkcode connect}: it knows the service's name and methods.
 *
 * @example
 * ```ts
 * import { connect, type ConnectedClient } from "./client.ts";
 * const remote: ConnectedClient = await connect("http://127.0.0.1:5000/api");
 * console.log(`${remote.name} offers ${remote.methodNames.join(", ")}`);
 * ```
 */
export interface ConnectedClient<M = Untyped> extends Client<M> {
  /** The service's name, as it describes itself. */
  readonly name: string;
  /** The service's method names. */
  readonly methodNames: readonly string[];
}

/**
 * Makes a client for any JSON-RPC 2.0 endpoint, without asking it anything first: the service's
 * name is unknown and every method name may be called.
 *
 * Give the service's type to have each method's parameters and result typed, with no generated
 * code: `createClient<typeof service>(url)`. For a peer written with another library, give an
 * interface of its methods instead.
 *
 * With a list of URLs or an endpoint source, the client balances calls over the instances, keeps a
 * circuit breaker per instance, and moves a failed call to another instance when that cannot run
 * it twice (see {@linkcode ClusterOptions}). A client made this way learns nothing from the
 * service, so only the methods named in the `idempotent` option (or per call) are ever re-sent.
 *
 * @typeParam S `typeof service` (a {@linkcode Service}), or an interface of functions. Untyped when
 *   absent.
 * @param target The endpoint, such as `http://127.0.0.1:5000/api`; or several instances' endpoints;
 *   or a source of them.
 * @param options The token, extra headers, timeout and `fetch`; for several instances also the
 *   balancing, breaker, retry and idempotency options.
 * @returns The client.
 * @throws {TypeError} When a list is empty or an option is out of range.
 * @example
 * ```ts
 * import { createClient } from "../../mod.ts";
 * const calculator = createClient<{ subtract(minuend: number, subtrahend: number): number }>(
 *   "http://127.0.0.1:5000/api",
 * );
 * await calculator.methods.subtract(42, 23); // 19
 * await calculator.call("subtract", { minuend: 42, subtrahend: 23 }); // 19
 * const [sum, difference] = await calculator.batch((b) => [b.methods.subtract(3, 1), b.methods.subtract(1, 3)]);
 * if (sum.ok && difference.ok) console.log(sum.value, difference.value); // 2 -2
 * const replicas = createClient(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"], { idempotent: ["subtract"] });
 * ```
 */
export function createClient<S = Untyped>(target: ClientTarget, options: ClusterOptions = {}): Client<MethodsOf<S>> {
  return makeClient(linkTo(target, options)) as unknown as Client<MethodsOf<S>>;
}

/**
 * Connects to a service: asks it to describe itself (`rpc.discover`, or `get_service_specs` for a
 * Python pymicroservice service) and resolves to a client that knows the service's name and method
 * names, and which of them the service declares idempotent (`"x-idempotent": true`). Calling a
 * method the service does not offer then fails on the client, before any request.
 *
 * @typeParam S `typeof service`, to type each method's parameters and result.
 * @param target The endpoint, such as `http://127.0.0.1:5000/api`; or several instances' endpoints;
 *   or a source of them (see {@linkcode createClient}).
 * @param options The token, extra headers, timeout and `fetch`; for several instances also the
 *   balancing, breaker, retry and idempotency options.
 * @returns The client.
 * @throws {TransportError} When the service cannot be reached or does not describe itself.
 * @throws {RpcError} When the service refuses to describe itself.
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * const remote = await connect("http://127.0.0.1:5000/api", { token: "hello_world_token" });
 * console.log(remote.name, remote.methodNames); // "hello.world.service" ["say_hello", "say_private_hello"]
 * console.log(await remote.call("say_hello", ["world"])); // "hello world"
 * const replicas = await connect(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"]);
 * ```
 */
export async function connect<S = Untyped>(target: ClientTarget, options: ConnectOptions = {}): Promise<ConnectedClient<MethodsOf<S>>> {
  const link = linkTo(target, options);
  const probe = makeClient(link);
  const waitUntil = options.wait === undefined ? undefined : Date.now() + options.wait;
  let described: Described;
  for (let attempt = 2; ; attempt++) {
    try {
      described = await describeService(probe, link.url);
      break;
    } catch (error) {
      // A service that is not up yet (refused, no instance, no answer in time): wait and ask again.
      const notUp = error instanceof TransportError && (error.kind === "network" || error.kind === "unavailable" || error.kind === "timeout");
      const left = waitUntil === undefined ? 0 : waitUntil - Date.now();
      if (!notUp || left <= 0) {
        await link.close();
        throw error;
      }
      await sleep(Math.min(left, backoffDelay(WAIT_POLICY, attempt, Math.random())));
    }
  }
  link.learn(described.idempotent);
  return makeClient(link, described.name, described.names) as unknown as ConnectedClient<MethodsOf<S>>;
}

/**
 * Options of {@linkcode connect}: those of {@linkcode createClient}, and how long to wait for a
 * service that is not up yet.
 *
 * @example
 * ```ts
 * import { connect, type ConnectOptions } from "../../mod.ts";
 * // Started with its upstream (docker compose, a pod's sidecar…): wait up to 30 s for it.
 * const options: ConnectOptions = { wait: 30_000, timeout: 5_000 };
 * const remote = await connect("http://127.0.0.1:5000/api", options);
 * ```
 */
export interface ConnectOptions extends ClusterOptions {
  /**
   * How long to keep asking a service that cannot be reached yet (refused, no instance known, no
   * answer in time) to describe itself, in ms, with jittered back-off between the tries. Default
   * 0: fail at once.
   */
  readonly wait?: number;
}

const WAIT_POLICY = retryPolicy({ backoff: 100, maxBackoff: 2_000 });

/** What a service says of itself. */
interface Described {
  readonly name: string;
  readonly names: string[];
  readonly idempotent: string[];
}

/** Asks a service to describe itself: `rpc.discover`, else the Python original's `get_service_specs`. */
async function describeService(probe: Client, url: string): Promise<Described> {
  let name: unknown;
  let names: unknown;
  const idempotent: string[] = [];
  try {
    const document = (await probe.call("rpc.discover")) as { info?: { title?: unknown }; methods?: unknown } | null;
    name = document?.info?.title;
    const methods = document?.methods;
    names = Array.isArray(methods) ? methods.map((method) => (method as { name?: unknown } | null)?.name) : undefined;
    if (Array.isArray(methods)) {
      for (const method of methods as ({ name?: unknown; "x-idempotent"?: unknown } | null)[]) {
        if (method?.["x-idempotent"] === true && typeof method.name === "string") idempotent.push(method.name);
      }
    }
  } catch (error) {
    // A server without OpenRPC discovery: ask the Python original's way.
    if (!(error instanceof RpcError) || error.code !== METHOD_NOT_FOUND) throw error;
    let specs: { name?: unknown; methods?: unknown } | null;
    try {
      specs = (await probe.call("get_service_specs")) as { name?: unknown; methods?: unknown } | null;
    } catch (inner) {
      if (!(inner instanceof RpcError) || inner.code !== METHOD_NOT_FOUND) throw inner;
      throw new RpcError(
        METHOD_NOT_FOUND,
        `${url} answers JSON-RPC but describes itself neither with rpc.discover nor with get_service_specs, ` +
          "which connect() asks for: use createClient(), which calls any JSON-RPC 2.0 server without asking",
      );
    }
    name = specs?.name;
    names = typeof specs?.methods === "object" && specs.methods !== null ? Object.keys(specs.methods) : undefined;
  }
  if (typeof name !== "string" || !Array.isArray(names) || !names.every((item) => typeof item === "string")) {
    throw new TransportError(url, "bad-response", "the service did not describe itself");
  }
  return { name, names, idempotent };
}

// ErrorCode.MethodNotFound, written out: importing ErrorCode would put its whole table in the client bundle.
const METHOD_NOT_FOUND = -32601;

/** How a client's calls travel: to one URL as they are, or through a cluster with failover. */
interface Link {
  readonly url: string;
  send(method: string, message: unknown, call: CallOptions | undefined): Promise<{ answer: unknown; url: string }>;
  batch(entries: readonly BatchEntry[], call: CallOptions | undefined): Promise<unknown[]>;
  learn(idempotent: readonly string[]): void;
  instances(): readonly InstanceStatus[];
  close(): Promise<void>;
}

function linkTo(target: ClientTarget, options: ClusterOptions): Link {
  if (typeof target === "string") {
    return {
      url: target,
      send: async (_method, message, call) => ({ answer: await post(target, options, message, call), url: target }),
      batch: (entries, call) => sendBatch(target, options, entries, call),
      learn: () => {},
      instances: () => [],
      close: () => Promise.resolve(),
    };
  }
  const cluster = new Cluster(isEndpointSource(target) ? target : staticEndpoints(target), options);
  return {
    get url() {
      return cluster.lastUrl;
    },
    send: (method, message, call) => cluster.send(message, cluster.isIdempotent(method, call), call),
    batch: (entries, call) => cluster.sendBatch(entries, call),
    learn: (idempotent) => {
      cluster.learnIdempotent(idempotent);
    },
    instances: () => cluster.instances(),
    close: () => cluster.close(),
  };
}

function makeClient(link: Link, name?: string, names?: readonly string[]): Client {
  const known = names && new Set(names);
  const check = (method: string): void => {
    // `rpc.` methods are the protocol's own (such as `rpc.discover`): no description lists them.
    if (known && !known.has(method) && !method.startsWith("rpc.")) {
      throw new RpcError(METHOD_NOT_FOUND, `Method not found: ${name ?? link.url} offers no method ${method}`);
    }
  };
  const call = async (method: string, params?: JsonRpcParams, callOptions?: CallOptions): Promise<unknown> => {
    check(method);
    const id = nextId();
    const { answer, url } = await link.send(method, request(method, params, id), callOptions);
    return resultOf(url, answer, id);
  };
  const notify = async (method: string, params?: JsonRpcParams, callOptions?: CallOptions): Promise<void> => {
    check(method);
    const { answer, url } = await link.send(method, request(method, params), callOptions);
    // A service never answers a notification it could read: an error answer means it could not.
    if ((answer as { error?: unknown } | null | undefined)?.error != null) throw errorOf(url, answer);
  };
  return {
    get url() {
      return link.url;
    },
    name,
    methodNames: names,
    methods: methodProxy((method) => (...args: unknown[]) => call(method, args)),
    notifications: methodProxy((method) => (...args: unknown[]) => notify(method, args)),
    with: (callOptions: CallOptions) => callsWith(call, notify, callOptions),
    call,
    notify,
    // The builder's check throws inside this async function, so an unknown name rejects the batch.
    batch: async (build, callOptions) =>
      (await link.batch(build(batchBuilder(check)), callOptions)) as BatchResults<readonly BatchEntry[]>,
    instances: () => link.instances(),
    close: () => link.close(),
  } as Client;
}
