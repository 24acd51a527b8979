/**
 * A service registry on etcd, through etcd v3's JSON gateway with `fetch` (no client library):
 * `tsmicroservice/etcd`. A service registers its URL under its name with a lease that it keeps
 * alive; clients find the instances with a watch, so they follow them as they come and go.
 *
 * @example
 * ```ts
 * import { connect, serve, Service } from "../../mod.ts";
 * import { cluster } from "../client/cluster/mod.ts";
 * import { etcdRegistry } from "./mod.ts";
 * const registry = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] });
 *
 * // A service instance registers itself (a plugin: start and stop).
 * const service = new Service({ name: "orders.service" }).publicMethod("ping", () => "pong");
 * const server = await serve(service, { port: 5000 });
 * const registration = registry.register({ url: `${server.url}/api` });
 * await registration.start({ service });
 *
 * // A client finds every instance.
 * const orders = await connect(cluster(registry.find("orders.service")));
 * ```
 *
 * @module
 */

import type { Plugin } from "../core/plugin.ts";
import { type Endpoint, EndpointError, endpointUrlProblem, type EndpointSource } from "../client/cluster/endpoints.ts";
import type { FetchFunction } from "../client/transport.ts";
import { DEFAULT_MAX_WATCH_LINE, EtcdError, EtcdGateway, type KeyValue } from "./gateway.ts";

export { EtcdError, EtcdGateway, type KeyValue, type WatchEvent } from "./gateway.ts";
export { EndpointError } from "../client/cluster/endpoints.ts";

/**
 * Options of {@linkcode etcdRegistry}.
 *
 * @example
 * ```ts
 * import { etcdRegistry, type EtcdRegistryOptions } from "./mod.ts";
 * const options: EtcdRegistryOptions = { endpoints: ["http://127.0.0.1:2379"], prefix: "/prod/services/", ttl: 10 };
 * const registry = etcdRegistry(options);
 * ```
 */
export interface EtcdRegistryOptions {
  /** etcd's client URLs, such as `["http://127.0.0.1:2379"]`; each request tries them in turn. */
  readonly endpoints: readonly string[];
  /** Where the services' keys live: `<prefix><service name>/<instance id>`. Default `"/tsmicroservice/services/"`. */
  readonly prefix?: string | undefined;
  /** The lease's time to live, in seconds: how long a dead instance stays listed. Default `10`. */
  readonly ttl?: number | undefined;
  /** The `fetch` to use. Default: the global one. */
  readonly fetch?: FetchFunction | undefined;
  /** How long one request to etcd may take, in ms. Default `3000`. */
  readonly requestTimeout?: number | undefined;
  /** The longest wait between two tries to reach etcd, in ms. Default `5000`. */
  readonly maxBackoff?: number | undefined;
  /**
   * The longest message a watch takes from etcd, in characters (etcd's JSON is ASCII). A longer
   * one ends the watch with an {@linkcode EtcdError} (reported to `onError`), and the source reads
   * everything again after a back-off. Default 8 MiB.
   */
  readonly maxWatchMessage?: number | undefined;
  /**
   * Told what the registry refuses or cannot do, without stopping: an {@linkcode EndpointError}
   * for a registered value that is not an http(s) URL to a host name (such as `data:`, `file:`,
   * `javascript:` or an unparsable value: it is never called), an {@linkcode EtcdError} for a
   * watch message over `maxWatchMessage`, or a registration that could not reach etcd (once per
   * run of failures). Each refused value is told once. Default: `console.warn` of the message.
   */
  readonly onError?: ((error: Error) => void) | undefined;
}

/**
 * What a service tells a plugin when it starts (a structural subset of the service).
 *
 * @example
 * ```ts
 * import type { PluginStartContext } from "./mod.ts";
 * const context: PluginStartContext = { service: { name: "orders.service", version: "1.0.0" } };
 * ```
 */
export interface PluginStartContext {
  /** The service. */
  readonly service: { readonly name: string; readonly version: string };
}

/**
 * A registration: a server plugin whose `start` puts the instance under the service's name and
 * keeps it there, and whose `stop` takes it away.
 *
 * @example
 * ```ts
 * import { etcdRegistry, type Registration } from "./mod.ts";
 * const registration: Registration = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] })
 *   .register({ url: "http://10.0.0.5:5000/api" });
 * await registration.start({ service: { name: "orders.service", version: "1.0.0" } });
 * await registration.stop();
 * ```
 */
export interface Registration extends Plugin {
  /** The plugin's name. */
  readonly name: string;
  /** The key the instance is listed under, once started. */
  readonly key: string | undefined;
  /** Whether the instance is listed now (as far as the last exchange with etcd tells). */
  readonly registered: boolean;
  /**
   * Starts registering in the background and returns at once: serving never waits for etcd. While
   * etcd cannot be reached it tries again with back-off, and registers again with a fresh lease
   * when etcd comes back without its lease.
   *
   * @param context The service's name and version.
   * @example
   * ```ts
   * import { etcdRegistry } from "./mod.ts";
   * etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] }).register({ url: "http://10.0.0.5:5000/api" })
   *   .start({ service: { name: "orders.service", version: "1.0.0" } });
   * ```
   */
  start(context: PluginStartContext): void;
  /**
   * Stops keeping the lease alive, deletes the key and revokes the lease, within a bounded time
   * (the registry's `requestTimeout`); when etcd cannot be reached, the lease expires by itself.
   *
   * @returns Once done or given up.
   * @example
   * ```ts
   * import { etcdRegistry } from "./mod.ts";
   * const registration = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] }).register({ url: "http://10.0.0.5:5000/api" });
   * registration.start({ service: { name: "orders.service", version: "1.0.0" } });
   * await registration.stop();
   * ```
   */
  stop(): Promise<void>;
}

/**
 * What an instance registers.
 *
 * @example
 * ```ts
 * import type { RegisterOptions } from "./mod.ts";
 * const options: RegisterOptions = { url: "http://10.0.0.5:5000/api", id: "orders-7f9c" };
 * ```
 */
export interface RegisterOptions {
  /** The instance's JSON-RPC endpoint as clients reach it. */
  readonly url: string;
  /** The service's name to list it under. Default: the service's own name, given to `start`. */
  readonly service?: string | undefined;
  /** This instance's id in its key. Default: a random UUID. */
  readonly id?: string | undefined;
}

/**
 * A registry on etcd.
 *
 * @example
 * ```ts
 * import { etcdRegistry, type EtcdRegistry } from "./mod.ts";
 * const registry: EtcdRegistry = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] });
 * const source = registry.find("orders.service");
 * ```
 */
export interface EtcdRegistry {
  /**
   * An endpoint source of a service's instances: read once, then followed with a watch. While
   * etcd cannot be reached it keeps the last known instances and reconnects its watch with
   * back-off (reading everything again, so nothing missed meanwhile is lost). Close it (or the
   * client made from a `cluster(…)` of it) to end the watch.
   *
   * @param service The service's name.
   * @returns The source.
   * @example
   * ```ts
   * import { connect } from "../../mod.ts";
   * import { cluster } from "../client/cluster/mod.ts";
   * import { etcdRegistry } from "./mod.ts";
   * const orders = await connect(cluster(etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] }).find("orders.service")));
   * await orders.close();
   * ```
   */
  find(service: string): EndpointSource;
  /**
   * A registration of this instance: a server plugin (`start`, `stop`).
   *
   * @param options The instance's URL, and optionally the service's name and the instance's id.
   * @returns The plugin.
   * @example
   * ```ts
   * import { etcdRegistry } from "./mod.ts";
   * const registration = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"] }).register({ url: "http://10.0.0.5:5000/api" });
   * ```
   */
  register(options: RegisterOptions): Registration;
}

/**
 * Makes a registry on etcd v3 (its JSON gateway, served at etcd's client URLs).
 *
 * @param options etcd's endpoints, the key prefix, the lease's time to live, `fetch`.
 * @returns The registry.
 * @throws {TypeError} When no endpoint is given or the ttl is not a positive integer.
 * @example
 * ```ts
 * import { etcdRegistry } from "./mod.ts";
 * const registry = etcdRegistry({ endpoints: ["http://127.0.0.1:2379"], ttl: 10 });
 * ```
 */
export function etcdRegistry(options: EtcdRegistryOptions): EtcdRegistry {
  const gateway = new EtcdGateway(options.endpoints, options.fetch, options.requestTimeout);
  const prefix = options.prefix ?? "/tsmicroservice/services/";
  const ttl = options.ttl ?? 10;
  if (!Number.isInteger(ttl) || ttl < 1) throw new TypeError("etcdRegistry: ttl must be a positive integer of seconds");
  const maxBackoff = options.maxBackoff ?? 5_000;
  const requestTimeout = options.requestTimeout ?? 3_000;
  const maxWatchMessage = options.maxWatchMessage ?? DEFAULT_MAX_WATCH_LINE;
  if (!(maxWatchMessage > 0)) throw new TypeError("etcdRegistry: maxWatchMessage must be a positive number of characters");
  const onError = options.onError ?? ((error: Error) => {
    console.warn(error.message);
  });
  // A reporter that never throws into the registry's loops.
  const report = (error: Error): void => {
    try {
      onError(error);
    } catch { /* the reporter's own failure is not the registry's */ }
  };
  return {
    find: (service) => watchedSource(gateway, `${prefix}${service}/`, maxBackoff, maxWatchMessage, report),
    register: (registration) => {
      const problem = endpointUrlProblem(registration.url);
      if (problem !== undefined) throw new TypeError(`etcdRegistry.register: ${new EndpointError("etcd", "url", registration.url, problem).message}`);
      return registerInstance(gateway, prefix, ttl, maxBackoff, requestTimeout, registration, report);
    },
  };
}

/** A jittered, doubling back-off: 100 ms, 200 ms, … up to `max`. */
function backoff(failures: number, max: number): number {
  return Math.min(max, 100 * 2 ** Math.min(failures, 16)) * (0.5 + Math.random() / 2);
}

/** Waits, or less when the signal is aborted. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Reads the flag afresh (the compiler would keep it narrowed across awaits). */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The endpoint a key's value names: `{"url": …}` or the URL itself; refused values are reported once. */
function endpointOf(kv: KeyValue, refuse: (kv: KeyValue, value: string, reason: string) => void): string | undefined {
  let url: unknown = kv.value;
  if (kv.value.trimStart().startsWith("{")) {
    try {
      url = (JSON.parse(kv.value) as { url?: unknown } | null)?.url;
    } catch {
      refuse(kv, kv.value, "not JSON, nor an http(s) URL");
      return undefined;
    }
  }
  if (typeof url !== "string") {
    refuse(kv, kv.value, "no url");
    return undefined;
  }
  const problem = endpointUrlProblem(url);
  if (problem !== undefined) {
    refuse(kv, url, problem);
    return undefined;
  }
  return url;
}

function watchedSource(
  gateway: EtcdGateway,
  prefix: string,
  maxBackoff: number,
  maxWatchMessage: number,
  report: (error: Error) => void,
): EndpointSource {
  const byKey = new Map<string, string>();
  // Each refused value is told once (bounded, so a flood of bad keys cannot grow it without end).
  const told = new Set<string>();
  const refuse = (kv: KeyValue, value: string, reason: string): void => {
    const seen = `${kv.key}\u0000${kv.value}`;
    if (told.has(seen)) return;
    if (told.size >= 1_000) told.clear();
    told.add(seen);
    report(new EndpointError("etcd", kv.key, value, reason));
  };
  const listeners = new Set<(endpoints: readonly Endpoint[]) => void>();
  const stop = new AbortController();
  let list: readonly Endpoint[] | undefined;
  let loading: Promise<string> | undefined;
  let running = false;

  const publish = (): void => {
    const next = Object.freeze([...new Set(byKey.values())].sort().map((url): Endpoint => ({ url })));
    if (list !== undefined && next.length === list.length && next.every((endpoint, i) => endpoint.url === list?.[i]?.url)) return;
    list = next;
    for (const listener of listeners) listener(next);
  };

  // Reads everything under the prefix; gives the revision to watch from.
  const load = (): Promise<string> =>
    loading ??= gateway.range(prefix, stop.signal).then(({ kvs, revision }) => {
      byKey.clear();
      for (const kv of kvs) {
        const url = endpointOf(kv, refuse);
        if (url !== undefined) byKey.set(kv.key, url);
      }
      publish();
      return (BigInt(revision) + 1n).toString();
    }).finally(() => (loading = undefined));

  const follow = async (): Promise<void> => {
    for (let failures = 0; !stop.signal.aborted;) {
      try {
        const from = await load();
        failures = 0;
        await gateway.watch(prefix, from, (events) => {
          for (const event of events) {
            const url = event.type === "PUT" ? endpointOf(event.kv, refuse) : undefined;
            if (url === undefined) byKey.delete(event.kv.key);
            else byKey.set(event.kv.key, url);
          }
          publish();
        }, stop.signal, maxWatchMessage);
      } catch (error) {
        failures++;
        // etcd away is expected and retried quietly; a message over the bound is worth telling.
        if (error instanceof EtcdError && error.tooLarge) report(error);
      }
      // The watch ended or failed (etcd stopped): the last known instances stay; try again.
      if (!isAborted(stop.signal)) await pause(backoff(failures, maxBackoff), stop.signal);
    }
  };

  const begin = (): void => {
    if (running || stop.signal.aborted) return;
    running = true;
    void follow();
  };

  return {
    endpoints(): readonly Endpoint[] | Promise<readonly Endpoint[]> {
      begin();
      if (list !== undefined) return list;
      return load().then(() => list ?? []);
    },
    subscribe(listener) {
      listeners.add(listener);
      begin();
      return () => listeners.delete(listener);
    },
    close() {
      stop.abort();
      listeners.clear();
    },
  };
}

function registerInstance(
  gateway: EtcdGateway,
  prefix: string,
  ttl: number,
  maxBackoff: number,
  requestTimeout: number,
  options: RegisterOptions,
  report: (error: Error) => void,
): Registration {
  const id = options.id ?? crypto.randomUUID();
  let key: string | undefined;
  let registered = false;
  // One run per start: its own abort controller and lease, so a start after a stop (or after a
  // failed start of the service, which stops the plugins that had started) registers again.
  let run: { readonly stop: AbortController; lease: string | undefined; loop: Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;

  const keepRegistered = async (current: NonNullable<typeof run>, service: { name: string; version: string }): Promise<void> => {
    // A stop still deleting the key of the run before: wait for it, or it would delete ours.
    await stopping;
    const name = options.service ?? service.name;
    key = `${prefix}${name}/${id}`;
    const value = JSON.stringify({ url: options.url, service: name, version: service.version, id });
    const signal = current.stop.signal;
    for (let failures = 0; !signal.aborted;) {
      try {
        current.lease = await gateway.grant(ttl, signal);
        await gateway.put(key, value, current.lease, signal);
        registered = true;
        failures = 0;
        // Keep the lease alive every third of its time to live; a renewal that etcd answers
        // without the lease means it expired (etcd lost it, or we were away too long): start over.
        let renewed = Date.now();
        while (!signal.aborted) {
          await pause((ttl * 1_000) / 3, signal);
          if (isAborted(signal)) return;
          try {
            if ((await gateway.keepAlive(current.lease, signal)) === undefined) break;
            renewed = Date.now();
          } catch {
            if (Date.now() - renewed > ttl * 1_000) break;
          }
        }
        registered = false;
      } catch (error) {
        registered = false;
        failures++;
        if (isAborted(signal)) return;
        // Told once per run of failures, so an etcd that is away does not flood the log.
        if (failures === 1) {
          report(new EtcdError(`etcd registration of ${key} failed, trying again: ${error instanceof Error ? error.message : String(error)}`, undefined, error));
        }
        await pause(backoff(failures, maxBackoff), signal);
      }
    }
  };

  return {
    name: "etcd-registration",
    get key() {
      return key;
    },
    get registered() {
      return registered;
    },
    start(context) {
      if (run !== undefined && !run.stop.signal.aborted) return;
      const current: NonNullable<typeof run> = { stop: new AbortController(), lease: undefined, loop: Promise.resolve() };
      current.loop = keepRegistered(current, context.service);
      run = current;
    },
    async stop() {
      const current = run;
      if (current === undefined || current.stop.signal.aborted) return stopping;
      current.stop.abort();
      // Leaving now; a start during this stop registers once the key is deleted.
      registered = false;
      const done = (async () => {
        await current.loop;
        const held = current.lease;
        if (key === undefined || held === undefined) return;
        const bounded = AbortSignal.timeout(requestTimeout);
        // Delete the key first (clients drop the instance at once), then the lease.
        await gateway.delete(key, bounded).catch(() => {});
        await gateway.revoke(held, bounded).catch(() => {});
      })();
      stopping = done;
      await done;
      if (stopping === done) stopping = undefined;
    },
  };
}
