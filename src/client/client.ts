/**
 * The client: calls any JSON-RPC 2.0 service over HTTP with `fetch` only, so it runs on Node.js,
 * Deno, Bun and in browsers. `connect()` first asks the service to describe itself; `createClient()`
 * does not, and so works with any JSON-RPC 2.0 server.
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { type BatchBuilder, batchBuilder, type BatchEntry, type BatchResults, sendBatch } from "./batch.ts";
import { TransportError } from "./errors.ts";
import { callsWith } from "./proxy.ts";
import { type CallOptions, type ClientOptions, errorOf, nextId, type OutgoingRequest, post, request, resultOf } from "./transport.ts";
import type { Delivery, Upstream } from "./upstream.ts";
import type { ArgsOf, CallsWith, MethodsOf, NamedParams, RemoteMethods, RemoteNotifications, ResultOf, StreamItemOf, Untyped } from "./types.ts";
import type { ClientStreams, RemoteStream, StreamOptions } from "./stream.ts";

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
   * The endpoint's URL. For a client of a `cluster(…)`: the instance that answered last (`""`
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
   * Calls a streaming method (one whose handler returns an async iterable, on a service with
   * `streams()`): its items as they come, read with `for await`; `client.methods.name(...)` does
   * the same when iterated. Only a client given the `streams` option (`sseStreams` of
   * `tsmicroservice/streams`) has it: without it, a streaming call is refused by the service
   * (`-32600`, naming the option).
   *
   * @param method The method's name.
   * @param params Its params, positional (an array) or named (an object).
   * @param options Its signal, and whether (and how often) a dropped stream is resumed.
   * @returns The stream: iterating it sends the call; `break` ends it on the service too.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * import { sseStreams } from "./stream.ts";
   * const client = createClient("http://127.0.0.1:5000/api", { streams: sseStreams });
   * for await (const tick of client.stream("ticks", [3], { resume: true })) console.log(tick);
   * ```
   */
  stream<K extends keyof M & string>(method: K, params?: ArgsOf<M[K]> | NamedParams, options?: StreamOptions): RemoteStream<StreamItemOf<M[K]>>;
  /**
   * Lets go of the client's {@linkcode Upstream} (a cluster's endpoint source, its watch or
   * timers), which the client owns. Calls made afterwards still work with the last known
   * instances. Nothing to do for a client of one URL.
   *
   * @returns Once the upstream is closed.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient("http://127.0.0.1:5000/api");
   * await remote.close();
   * ```
   */
  close(): Promise<void>;
}

/**
 * What a client calls: one endpoint's URL, or an {@linkcode Upstream} such as
 * `cluster(urls or source)` from `tsmicroservice/cluster` for several instances.
 *
 * @example
 * ```ts
 * import { createClient, type ClientTarget } from "./client.ts";
 * import { cluster } from "./cluster/cluster.ts";
 * const one: ClientTarget = "http://10.0.0.5:5000/api";
 * const both: ClientTarget = cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"]);
 * const remote = createClient(both);
 * ```
 */
export type ClientTarget = string | Upstream;

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
 * Given a `cluster(…)` (`tsmicroservice/cluster`) instead of a URL, the client balances calls over
 * several instances, with a breaker per instance and failover. A client made this way learns
 * nothing from the service, so only the methods named in the cluster's `idempotent` option (or per
 * call) are ever re-sent.
 *
 * @typeParam S `typeof service` (a {@linkcode Service}), or an interface of functions. Untyped when
 *   absent.
 * @param target The endpoint, such as `http://127.0.0.1:5000/api`, or an {@linkcode Upstream}.
 * @param options The token, extra headers, timeout, response limit, `fetch` and observer.
 * @returns The client.
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
 * ```
 */
export function createClient<S = Untyped>(target: ClientTarget, options: ClientOptions = {}): Client<MethodsOf<S>> {
  return makeClient(upstreamOf(target), options) as unknown as Client<MethodsOf<S>>;
}

/**
 * Connects to a service: asks it to describe itself (`rpc.discover`, or `get_service_specs` for a
 * Python pymicroservice service) and resolves to a client that knows the service's name and method
 * names, and which of them the service declares idempotent (`"x-idempotent": true`, which a
 * `cluster(…)` may then send again). Calling a method the service does not offer then fails on
 * the client, before any request.
 *
 * @typeParam S `typeof service`, to type each method's parameters and result.
 * @param target The endpoint, such as `http://127.0.0.1:5000/api`, or an {@linkcode Upstream}
 *   such as a `cluster(…)` (see {@linkcode createClient}).
 * @param options The client's options, and how long to wait for the service.
 * @returns The client.
 * @throws {TransportError} When the service cannot be reached or does not describe itself.
 * @throws {RpcError} When the service refuses to describe itself.
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * const remote = await connect("http://127.0.0.1:5000/api", { token: "hello_world_token" });
 * console.log(remote.name, remote.methodNames); // "hello.world.service" ["say_hello", "say_private_hello"]
 * console.log(await remote.call("say_hello", ["world"])); // "hello world"
 * ```
 */
export async function connect<S = Untyped>(target: ClientTarget, options: ConnectOptions = {}): Promise<ConnectedClient<MethodsOf<S>>> {
  const upstream = upstreamOf(target);
  const probe = makeClient(upstream, options);
  const waitUntil = Date.now() + (options.wait ?? 0);
  let described: Described;
  for (let backoff = 100; ; backoff *= 2) {
    try {
      described = await describeService(probe);
      break;
    } catch (error) {
      // A service that is not up yet (refused, no instance, no answer in time): wait and ask again.
      const notUp = error instanceof TransportError && ["network", "unavailable", "timeout"].includes(error.kind);
      const left = waitUntil - Date.now();
      if (!notUp || left <= 0) {
        await probe.close();
        throw error;
      }
      // Full jitter, at most 2 s between tries.
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, Math.random() * Math.min(backoff, 2_000))));
    }
  }
  upstream.learnIdempotent?.(described.idempotent);
  return makeClient(upstream, options, described.name, described.names) as unknown as ConnectedClient<MethodsOf<S>>;
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
export interface ConnectOptions extends ClientOptions {
  /**
   * How long to keep asking a service that cannot be reached yet (refused, no instance known, no
   * answer in time) to describe itself, in ms, with jittered back-off between the tries. Default
   * 0: fail at once.
   */
  readonly wait?: number | undefined;
}

/** What a service says of itself. */
interface Described {
  readonly name: string;
  readonly names: string[];
  readonly idempotent: string[];
}

/** Asks a service to describe itself: `rpc.discover`, else the Python original's `get_service_specs`. */
async function describeService(probe: Client): Promise<Described> {
  const notFound = (error: unknown): boolean => error instanceof RpcError && error.code === METHOD_NOT_FOUND;
  let name: unknown;
  let names: unknown;
  let idempotent: string[] = [];
  try {
    const document = (await probe.call("rpc.discover")) as { info?: { title?: unknown }; methods?: unknown } | null;
    name = document?.info?.title;
    const methods = document?.methods;
    if (Array.isArray(methods)) {
      const described = methods as ({ name?: unknown; "x-idempotent"?: unknown } | null)[];
      names = described.map((method) => method?.name);
      // Strings once `names` passes the check below.
      idempotent = described.filter((method) => method?.["x-idempotent"] === true).map((method) => method?.name as string);
    }
  } catch (error) {
    if (!notFound(error)) throw error;
    // A server without OpenRPC discovery: ask the Python original's way.
    const specs = (await probe.call("get_service_specs").catch((inner: unknown) => {
      throw notFound(inner)
        ? new RpcError(METHOD_NOT_FOUND, `${probe.url} describes itself neither with rpc.discover nor with get_service_specs: use createClient()`)
        : inner;
    })) as { name?: unknown; methods?: unknown } | null;
    name = specs?.name;
    names = typeof specs?.methods === "object" && specs.methods !== null ? Object.keys(specs.methods) : undefined;
  }
  if (typeof name !== "string" || !Array.isArray(names) || !names.every((item) => typeof item === "string")) {
    throw new TransportError(probe.url, "bad-response", "the service did not describe itself");
  }
  return { name, names, idempotent };
}

// ErrorCode.MethodNotFound, written out: importing ErrorCode would put its whole table in the client bundle.
const METHOD_NOT_FOUND = -32601;

/** One URL as an upstream: each message goes there as it is. */
function upstreamOf(target: ClientTarget): Upstream {
  if (typeof target === "string") {
    // A WebSocket's client is a value of its own, so a client over HTTP carries none of it.
    if (/^wss?:/i.test(target)) throw new TypeError("For ws://, pass openWebSocket(url) of tsmicroservice/websocket");
    return {
      url: target,
      send: async (message, options, call) => ({ answer: await post(target, options, message, call), url: target }),
      sendBatch: (entries, options, call) => sendBatch(target, options, entries, call),
    };
  }
  // A list of URLs or an endpoint source (what the earlier drafts took here) says what to do.
  if (typeof (target as Partial<Upstream> | null)?.send !== "function") throw new TypeError("Several instances: pass cluster(urls or source) from tsmicroservice/cluster");
  return target;
}

function makeClient(upstream: Upstream, options: ClientOptions, name?: string, names?: readonly string[]): Client {
  const known = names && new Set(names);
  const check = (method: string): void => {
    // `rpc.` methods are the protocol's own (such as `rpc.discover`): no description lists them.
    if (known && !known.has(method) && !method.startsWith("rpc.")) {
      throw new RpcError(METHOD_NOT_FOUND, `Method not found: ${name ?? upstream.url} offers no method ${method}`);
    }
  };
  // A TransportError names the service when it is known, so a service that lets it through can say
  // which dependency is unavailable (-32004) without its URL.
  const named = (error: unknown): never => {
    if (error instanceof TransportError) error.service ??= name;
    throw error;
  };
  const send = (message: OutgoingRequest, callOptions?: CallOptions): Promise<Delivery> => upstream.send(message, options, callOptions).catch(named);
  const call = async (method: string, params?: JsonRpcParams, callOptions?: CallOptions): Promise<unknown> => {
    check(method);
    const id = nextId();
    const { answer, url } = await send(request(method, params, id), callOptions);
    return resultOf(url, answer, id);
  };
  const notify = async (method: string, params?: JsonRpcParams, callOptions?: CallOptions): Promise<void> => {
    check(method);
    const { answer, url } = await send(request(method, params), callOptions);
    // A service never answers a notification it could read: an error answer means it could not.
    if ((answer as { error?: unknown } | null | undefined)?.error != null) throw errorOf(url, answer);
  };
  return {
    get url() {
      return upstream.url;
    },
    name,
    methodNames: names,
    ...callsWith(call, notify),
    with: (callOptions: CallOptions) => callsWith(call, notify, callOptions),
    call,
    notify,
    // The builder's check throws inside this async function, so an unknown name rejects the batch.
    batch: async (build, callOptions) =>
      (await upstream.sendBatch(build(batchBuilder(check)), options, callOptions).catch(named)) as BatchResults<readonly BatchEntry[]>,
    close: async () => {
      await upstream.close?.();
    },
    // The `streams` option's methods, with, and stream (a streaming method's call iterated streams).
    ...(options.streams as ClientStreams | undefined)?.(upstream, options, call, notify),
  } as Client;
}
