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
