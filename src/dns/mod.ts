/**
 * Instances found through DNS, for the client: `tsmicroservice/dns`. SRV records (as Kubernetes
 * headless services and Consul publish them) give each instance's host, port, priority and weight;
 * a plain host name gives its A (or AAAA) addresses with a port of your choice. The records are
 * looked up again when their time to live is over, so the client follows instances as they come
 * and go. Uses the runtime's resolver: `node:dns` on Node.js and Bun, `Deno.resolveDns` on Deno.
 *
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * import { cluster } from "../client/cluster/mod.ts";
 * import { dnsSrv } from "./mod.ts";
 * const orders = await connect(cluster(dnsSrv("_api._tcp.orders.default.svc.cluster.local", { path: "/api" })));
 * ```
 *
 * @module
 */

import { type Endpoint, EndpointError, type EndpointSource, isHostName, isIpv6 } from "../client/cluster/endpoints.ts";
import { type AddressRecord, type DnsResolver, systemResolver } from "./resolver.ts";

export type { AddressRecord, DnsResolver, SrvRecord } from "./resolver.ts";
export { EndpointError } from "../client/cluster/endpoints.ts";

/**
 * Options of {@linkcode dnsSrv}.
 *
 * @example
 * ```ts
 * import { dnsSrv, type DnsSourceOptions } from "./mod.ts";
 * const options: DnsSourceOptions = { path: "/api", nameservers: ["127.0.0.1:5353"], refresh: { min: 1_000, max: 30_000 } };
 * const source = dnsSrv("_api._tcp.calc.test", options);
 * ```
 */
export interface DnsSourceOptions {
  /** The path of the JSON-RPC endpoint on each instance. Default `"/api"`. */
  readonly path?: string | undefined;
  /** `"http"` or `"https"`. Default `"http"`. */
  readonly scheme?: "http" | "https" | undefined;
  /**
   * The port, for a plain host name (no SRV records): its A or AAAA addresses are the instances.
   * Required for a name that does not start with `_`.
   */
  readonly port?: number | undefined;
  /** The name servers to ask, such as `["127.0.0.1:5353"]`. Default: the system's. */
  readonly nameservers?: readonly string[] | undefined;
  /**
   * How soon the records are looked up again, in ms: their time to live, kept between `min`
   * (default `1000`) and `max` (default `30000`). For SRV records, the time to live of their
   * targets' addresses stands for theirs (`node:dns` does not tell it). Where the runtime tells no
   * time to live at all (Deno), 5 s within those bounds.
   */
  readonly refresh?: { readonly min?: number; readonly max?: number } | undefined;
  /** The look-ups to use instead of the runtime's (tests, DNS over HTTPS). */
  readonly resolver?: DnsResolver | undefined;
  /**
   * Told of each record refused, as an {@linkcode EndpointError} (once per record): an SRV target
   * that is not a host name (such as `localhost/steal?x=.test`), a port out of range, or an
   * address that is not an IP address. Refused records are left out; they are never called.
   * Default: `console.warn` of the message.
   */
  readonly onError?: ((error: EndpointError) => void) | undefined;
}

const UNKNOWN_TTL_MS = 5_000;
const IPV4_ONLY = /^[\d.]+$/;

function isPort(port: unknown): port is number {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65_535;
}

/**
 * An endpoint source from DNS: SRV records for a name that starts with `_` (such as
 * `_api._tcp.orders.default.svc.cluster.local`), otherwise the A/AAAA addresses of a host name with
 * `options.port`. Each SRV target's address is looked up with the same name servers, so the
 * instances' URLs carry IP addresses.
 *
 * The first `endpoints()` waits for the look-up; afterwards it gives the last list at once and
 * looks the records up again in the background once their time to live is over. When a look-up
 * fails or finds nothing, the last known instances are kept (a first look-up that fails rejects).
 * It holds no timer, so there is nothing to close.
 *
 * @param name The SRV name, or a host name with `options.port`.
 * @param options Path, scheme, port, name servers, refresh bounds.
 * @returns The source.
 * @throws {TypeError} When a plain host name comes without a port, or the port, scheme or path
 *   is not one a URL can carry.
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * import { cluster } from "../client/cluster/mod.ts";
 * import { dnsSrv } from "./mod.ts";
 * const fromSrv = await connect(cluster(dnsSrv("_api._tcp.calc.test", { nameservers: ["127.0.0.1:5353"] })));
 * const fromA = await connect(cluster(dnsSrv("calc.internal", { port: 5000, path: "/api" })));
 * ```
 */
export function dnsSrv(name: string, options: DnsSourceOptions = {}): EndpointSource {
  const isSrv = name.startsWith("_");
  if (!isSrv && options.port === undefined) throw new TypeError(`dnsSrv: ${name} is a host name, so it needs a port option`);
  if (!isSrv && !isPort(options.port)) throw new TypeError(`dnsSrv: port must be an integer from 1 to 65535`);
  const resolver = options.resolver ?? systemResolver(options.nameservers ?? []);
  const path = options.path ?? "/api";
  const scheme: string = options.scheme ?? "http";
  if (scheme !== "http" && scheme !== "https") throw new TypeError(`dnsSrv: scheme must be "http" or "https"`);
  if (!/^\/[!#-[\]-~]*$/.test(path)) throw new TypeError("dnsSrv: path must start with / and hold printable ASCII only (no spaces or backslashes)");
  const onError = options.onError ?? ((error: EndpointError) => {
    console.warn(error.message);
  });
  const told = new Set<string>();
  const refuse = (value: string, reason: string): void => {
    if (told.has(value)) return;
    if (told.size >= 1_000) told.clear();
    told.add(value);
    try {
      onError(new EndpointError("dns", name, value, reason));
    } catch { /* the reporter's own failure is not the source's */ }
  };
  const min = options.refresh?.min ?? 1_000;
  const max = Math.max(min, options.refresh?.max ?? 30_000);
  let list: readonly Endpoint[] | undefined;
  let key = "";
  let freshUntil = 0;
  let lookup: Promise<readonly Endpoint[]> | undefined;

  const urlOf = (address: string, port: number): string =>
    `${scheme}://${address.includes(":") ? `[${address}]` : address}:${port}${path}`;

  // Only IP addresses make URLs; anything else a resolver gave is refused.
  const usable = (records: readonly AddressRecord[]): string[] =>
    records.map((record) => record.address).filter((address) => {
      const ok = typeof address === "string" && ((IPV4_ONLY.test(address) && isHostName(address)) || isIpv6(address));
      if (!ok) refuse(address, "an address that is not an IP address");
      return ok;
    });

  const resolve = async (): Promise<{ endpoints: Endpoint[]; ttl: number | undefined }> => {
    const ttls: (number | undefined)[] = [];
    const addressesOf = async (host: string): Promise<readonly AddressRecord[]> => {
      const found = await resolver.addresses(host);
      for (const record of found) ttls.push(record.ttl);
      return found;
    };
    let endpoints: Endpoint[];
    if (isSrv) {
      // node:dns does not tell an SRV record's own time to live: its targets' addresses stand for it.
      const records = await resolver.srv(name);
      const perRecord = await Promise.all(records.map(async (record) => {
        // A target is a host name: anything else (a slash, a query, a space) never reaches a URL.
        if (typeof record.name !== "string" || !isHostName(record.name)) {
          refuse(record.name, "an SRV target that is not a host name");
          return [];
        }
        if (!isPort(record.port)) {
          refuse(`${record.name}:${String(record.port)}`, "an SRV port out of range");
          return [];
        }
        const addresses = usable(await addressesOf(record.name).catch(() => []));
        // A target without an address of its own is left to the system's resolver by name.
        const hosts = addresses.length > 0 ? addresses : [record.name];
        return hosts.map((host): Endpoint => ({ url: urlOf(host, record.port), priority: record.priority, weight: record.weight }));
      }));
      endpoints = perRecord.flat();
    } else {
      endpoints = usable(await addressesOf(name)).map((address): Endpoint => ({ url: urlOf(address, options.port ?? 0) }));
    }
    const known = ttls.filter((ttl): ttl is number => ttl !== undefined);
    return { endpoints, ttl: known.length === ttls.length && known.length > 0 ? Math.min(...known) : undefined };
  };

  const refresh = (): Promise<readonly Endpoint[]> =>
    lookup ??= resolve()
      .then(({ endpoints, ttl }) => {
        freshUntil = Date.now() + Math.min(max, Math.max(min, ttl === undefined ? UNKNOWN_TTL_MS : ttl * 1_000));
        if (endpoints.length === 0 && list !== undefined) return list;
        endpoints.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
        const next = JSON.stringify(endpoints);
        // The same records give the same array, so the client has nothing to redo.
        if (next !== key || list === undefined) {
          key = next;
          list = Object.freeze(endpoints);
        }
        return list;
      }, (error: unknown) => {
        freshUntil = Date.now() + min;
        if (list !== undefined) return list;
        throw error;
      })
      .finally(() => (lookup = undefined));

  return {
    endpoints(): readonly Endpoint[] | Promise<readonly Endpoint[]> {
      if (list === undefined) return refresh();
      if (Date.now() >= freshUntil) void refresh();
      return list;
    },
  };
}
