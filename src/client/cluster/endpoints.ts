/**
 * Where the instances of a service are: an {@linkcode Endpoint} per instance, given by an
 * {@linkcode EndpointSource}. A source may be a fixed list, DNS records, a registry such as etcd,
 * or anything of your own that has the same shape; given to `cluster(source)`, it is asked again
 * as calls go, so the client follows instances as they come and go without being rebuilt.
 *
 * @module
 */

/**
 * One instance of a service.
 *
 * @example
 * ```ts
 * import type { Endpoint } from "./endpoints.ts";
 * const instance: Endpoint = { url: "http://10.0.0.5:5000/api", priority: 0, weight: 10 };
 * ```
 */
export interface Endpoint {
  /** The instance's JSON-RPC endpoint, such as `http://10.0.0.5:5000/api`. */
  readonly url: string;
  /**
   * Lower is preferred: instances of a higher priority get calls only while no instance of a lower
   * one can take them (as in DNS SRV records). Default `0`.
   */
  readonly priority?: number | undefined;
  /**
   * The instance's share of the calls among those of its priority, relative to the others' (as in
   * DNS SRV records). Default `1`. An instance of weight `0` gets calls only when every instance
   * of its priority has weight `0`.
   */
  readonly weight?: number | undefined;
}

/**
 * Something that knows the instances of one service. The contract is structural, so any object of
 * this shape works:
 *
 * - `endpoints()` gives the instances known now. The cluster calls it before each call that needs
 *   to choose an instance, so it must be cheap once the first answer is known: give back the same
 *   array (by identity) while nothing changed, and a promise only while it has to look them up. A
 *   source that cannot reach its backend should keep giving its last known instances; rejecting
 *   (or an empty list) means "no instance known", and the cluster waits and asks again within the
 *   call's attempts.
 * - `subscribe(listener)`, when present, is called once by the cluster; the source then calls the
 *   listener with the new list whenever it changes (a watch), and the function it returns stops
 *   that. Without it, the cluster relies on `endpoints()` alone.
 * - `close()`, when present, lets go of what the source holds (timers, a watch). A client made
 *   from a `cluster(source)` closes it when the client is closed.
 *
 * @example
 * ```ts
 * import { createClient } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * import type { Endpoint, EndpointSource } from "./endpoints.ts";
 * // Instances that a test, or some other registry, adds and removes.
 * const known: Endpoint[] = [{ url: "http://127.0.0.1:5001/api" }];
 * const listeners = new Set<(endpoints: readonly Endpoint[]) => void>();
 * const source: EndpointSource = {
 *   endpoints: () => known,
 *   subscribe(listener) {
 *     listeners.add(listener);
 *     return () => listeners.delete(listener);
 *   },
 * };
 * const remote = createClient(cluster(source));
 * known.push({ url: "http://127.0.0.1:5002/api" });
 * for (const listener of listeners) listener([...known]);
 * remote.close();
 * ```
 */
export interface EndpointSource {
  /**
   * Gives the instances known now.
   *
   * @returns The instances, or a promise of them while they are being looked up.
   * @example
   * ```ts
   * import { staticEndpoints } from "./endpoints.ts";
   * staticEndpoints(["http://127.0.0.1:5001/api"]).endpoints(); // [{ url: "http://127.0.0.1:5001/api" }]
   * ```
   */
  endpoints(): readonly Endpoint[] | Promise<readonly Endpoint[]>;
  /**
   * Tells a listener each new list of instances, until the returned function is called.
   *
   * @param listener Called with every new list.
   * @returns Stops the listener.
   * @example
   * ```ts
   * import { staticEndpoints } from "./endpoints.ts";
   * const stop = staticEndpoints(["http://127.0.0.1:5001/api"]).subscribe?.((list) => console.log(list));
   * stop?.();
   * ```
   */
  subscribe?(listener: (endpoints: readonly Endpoint[]) => void): () => void;
  /**
   * Lets go of the source's timers, connections and watches.
   *
   * @returns Nothing, or a promise that settles once everything is let go.
   * @example
   * ```ts
   * import { staticEndpoints } from "./endpoints.ts";
   * staticEndpoints(["http://127.0.0.1:5001/api"]).close?.();
   * ```
   */
  close?(): void | Promise<void>;
}

/**
 * A source of a fixed list of instances.
 *
 * @param urls The instances' endpoints, or endpoints with their priority and weight.
 * @returns The source; its `endpoints()` always gives the same frozen array.
 * @throws {TypeError} When a URL is not a string, or the list is empty.
 * @example
 * ```ts
 * import { connect } from "../client.ts";
 * import { cluster } from "./cluster.ts";
 * import { staticEndpoints } from "./endpoints.ts";
 * // The same as cluster(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"]).
 * const remote = await connect(cluster(staticEndpoints(["http://10.0.0.5:5000/api", "http://10.0.0.6:5000/api"])));
 * ```
 */
export function staticEndpoints(urls: readonly (string | Endpoint)[]): EndpointSource {
  if (!Array.isArray(urls) || urls.length === 0) throw new TypeError("A list of endpoints needs at least one URL");
  const list: readonly Endpoint[] = Object.freeze(
    (urls as readonly (string | Endpoint)[]).map((entry): Endpoint => {
      const endpoint = typeof entry === "string" ? { url: entry } : entry;
      if (typeof endpoint.url !== "string" || endpoint.url === "") throw new TypeError("Every endpoint needs a URL");
      return Object.freeze({ ...endpoint });
    }),
  );
  return { endpoints: () => list };
}

/**
 * Tells whether a value is an {@linkcode EndpointSource}: an object with an `endpoints` function.
 *
 * @param value Anything.
 * @returns `true` for a source.
 * @example
 * ```ts
 * import { isEndpointSource, staticEndpoints } from "./endpoints.ts";
 * isEndpointSource(staticEndpoints(["http://127.0.0.1:5001/api"])); // true
 * isEndpointSource("http://127.0.0.1:5001/api"); // false
 * ```
 */
export function isEndpointSource(value: unknown): value is EndpointSource {
  return typeof value === "object" && value !== null && typeof (value as { endpoints?: unknown }).endpoints === "function";
}

/**
 * An endpoint value that a source refused to give the client (an etcd value or a DNS record that
 * is not an http(s) URL to a host name): told to the source's `onError`, never called.
 *
 * @example
 * ```ts
 * import { EndpointError } from "./endpoints.ts";
 * const error = new EndpointError("etcd", "/tsmicroservice/services/orders/a1", "data:,{}", "not an http(s) URL");
 * error.message; // 'etcd: refused the endpoint "data:,{}" of /tsmicroservice/services/orders/a1: not an http(s) URL'
 * ```
 */
export class EndpointError extends Error {
  /** Where the value came from: `"etcd"`, `"dns"`, or a source of your own. */
  readonly source: string;
  /** Where in that source: the etcd key, or the DNS name. */
  readonly key: string;
  /** The refused value, with control characters escaped, credentials left out and clipped. */
  readonly value: string;

  /**
   * Makes the report of a refused value.
   *
   * @param source Where it came from.
   * @param key Where in that source.
   * @param value The refused value, as it came (escaped and clipped here).
   * @param reason Why it was refused.
   * @example
   * ```ts
   * import { EndpointError } from "./endpoints.ts";
   * new EndpointError("dns", "_api._tcp.orders.test", "localhost/steal", "not a host name");
   * ```
   */
  constructor(source: string, key: string, value: string, reason: string) {
    const shown = printable(value);
    super(`${source}: refused the endpoint "${shown}" of ${printable(key)}: ${reason}`);
    this.name = "EndpointError";
    this.source = source;
    this.key = printable(key);
    this.value = shown;
  }
}

// Control, bidi and line-separator characters, escaped in reports so a value cannot drive a terminal.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function printable(text: string): string {
  const escaped = text.replace(/\/\/[^/\s@]*@/g, "//").replace(UNPRINTABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > 200 ? `${escaped.slice(0, 200)}…` : escaped;
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Tells whether a text is a host name an endpoint may name: a DNS name (letters, digits and
 * hyphens in labels of 1 to 63, at most 253 in all, a trailing dot allowed) or an IPv4 address
 * written as four decimal numbers. A name whose last label is all digits must be such an address
 * (URL parsers read `1.2.3` or `0x7f.1` as addresses of their own). IPv6 addresses are checked by
 * {@linkcode isIpv6}.
 *
 * @param name The text.
 * @returns `true` for a host name.
 * @example
 * ```ts
 * import { isHostName } from "./endpoints.ts";
 * isHostName("pod-0.orders.default.svc.cluster.local"); // true
 * isHostName("localhost/steal?x=.test"); // false
 * isHostName("1.2.3"); // false
 * ```
 */
export function isHostName(name: string): boolean {
  if (typeof name !== "string" || name.length === 0 || name.length > 254) return false;
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.split(".");
  if (!labels.every((label) => DNS_LABEL.test(label))) return false;
  return /^\d+$/.test(labels.at(-1) ?? "") ? IPV4.test(bare) : true;
}

/**
 * Tells whether a text is an IPv6 address (without brackets), as URL parsers read one.
 *
 * @param address The text.
 * @returns `true` for an IPv6 address.
 * @example
 * ```ts
 * import { isIpv6 } from "./endpoints.ts";
 * isIpv6("::1"); // true
 * isIpv6("::1]/x"); // false
 * ```
 */
export function isIpv6(address: string): boolean {
  if (typeof address !== "string" || !/^[0-9a-f:.]{2,45}$/i.test(address) || !address.includes(":")) return false;
  try {
    return new URL(`http://[${address}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

// What may follow the host in an endpoint: printable ASCII, no spaces, no backslashes.
const URL_REST = /^[!#-[\]-~]*$/;

/**
 * Checks an endpoint's URL as it came from outside (a registry, DNS): it must be an `http:` or
 * `https:` URL to a host name ({@linkcode isHostName}) or an IP address, with an optional port
 * (1 to 65535), no user name or password, and only printable ASCII after the host. The check is
 * made on the text itself, so every runtime refuses the same values.
 *
 * @param url The value.
 * @returns Why it is refused, or `undefined` when it is a usable endpoint.
 * @example
 * ```ts
 * import { endpointUrlProblem } from "./endpoints.ts";
 * endpointUrlProblem("http://10.0.0.5:5000/api"); // undefined
 * endpointUrlProblem("data:application/json,{}"); // "not an http(s) URL"
 * endpointUrlProblem("http://ann:secret@10.0.0.5/api"); // "a URL with a user name or password"
 * ```
 */
export function endpointUrlProblem(url: string): string | undefined {
  if (typeof url !== "string") return "not a string";
  if (url.length > 2_048) return "longer than 2048 characters";
  const scheme = /^https?:\/\//i.exec(url);
  if (scheme === null) return "not an http(s) URL";
  const rest = url.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  if (authority.includes("@")) return "a URL with a user name or password";
  const parts = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (parts === null) return "not a host name with an optional port";
  const host = parts[1] ?? "";
  const hostOk = host.startsWith("[") ? isIpv6(host.slice(1, -1)) : isHostName(host);
  if (!hostOk) return "not a host name or IP address";
  if (parts[2] !== undefined && !(Number(parts[2]) >= 1 && Number(parts[2]) <= 65_535)) return "a port out of range";
  if (!URL_REST.test(end === -1 ? "" : rest.slice(end))) return "characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)";
  try {
    new URL(url);
  } catch {
    return "not a URL";
  }
  return undefined;
}
