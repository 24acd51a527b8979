/**
 * What a client sends through when it is given more than one URL: the contract between the lean
 * client and `cluster(…)` (`tsmicroservice/cluster`), so a client of one URL carries none of the
 * balancing, breaker and retry code. Types only.
 *
 * @module
 */

import type { BatchEntry, Settled } from "./batch.ts";
import type { CallOptions, ClientOptions, OutgoingRequest } from "./transport.ts";

/**
 * What a message sent through an {@linkcode Upstream} came back with.
 *
 * @example
 * ```ts
 * import type { Delivery } from "./upstream.ts";
 * const delivery: Delivery = { answer: { jsonrpc: "2.0", result: 3, id: 1 }, url: "http://10.0.0.5:5000/api" };
 * ```
 */
export interface Delivery {
  /** The parsed answer (`undefined` when the body was empty, as for notifications). */
  readonly answer: unknown;
  /** The instance that answered. */
  readonly url: string;
}

/**
 * Where a client's calls go instead of one URL: `cluster(urls or source, options)` from
 * `tsmicroservice/cluster` makes one (balancing, breakers, retries), and a custom one may be
 * written for tests or another way of choosing. The client that is given it owns it: the
 * client's `close()` closes it, and so does a `connect` that fails.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import { sendBatch } from "./batch.ts";
 * import { post } from "./transport.ts";
 * import type { Upstream } from "./upstream.ts";
 * // One URL, with every message logged before it goes.
 * const url = "http://127.0.0.1:5000/api";
 * const logged: Upstream = {
 *   url,
 *   async send(message, options, call) {
 *     console.log("sending", message);
 *     return { answer: await post(url, options, message, call), url };
 *   },
 *   sendBatch: (entries, options, call) => sendBatch(url, options, entries, call),
 * };
 * const remote = createClient(logged, { token: "hello_world_token" });
 * ```
 */
export interface Upstream {
  /** The instance that answered last; `""` before the first answer. */
  readonly url: string;
  /**
   * Sends one call or notification.
   *
   * @param message The request.
   * @param options The client's options (token, headers, timeout, fetch, observe).
   * @param call This call's options (signal, timeout, deadline, idempotent, trace).
   * @returns The parsed answer and the instance that gave it.
   * @throws {TransportError} When no JSON-RPC answer came.
   * @example
   * ```ts
   * import { cluster } from "./cluster/cluster.ts";
   * import { request } from "./transport.ts";
   * const replicas = cluster(["http://127.0.0.1:5001/api", "http://127.0.0.1:5002/api"]);
   * const { answer, url } = await replicas.send(request("ping", [], 1), {});
   * ```
   */
  send(message: OutgoingRequest, options: ClientOptions, call?: CallOptions): Promise<Delivery>;
  /**
   * Sends a batch's entries and settles each call.
   *
   * @param entries The entries, in order.
   * @param options The client's options.
   * @param call The batch's options.
   * @returns For each entry, a {@linkcode Settled} for a call and `undefined` for a notification.
   * @throws {TransportError} When the batch got no JSON-RPC answer at all.
   * @throws {RpcError} When the server refused the whole batch with one error.
   * @example
   * ```ts
   * import { cluster } from "./cluster/cluster.ts";
   * const replicas = cluster(["http://127.0.0.1:5001/api"]);
   * await replicas.sendBatch([{ method: "ping", params: [], notification: false }], {});
   * ```
   */
  sendBatch(entries: readonly BatchEntry[], options: ClientOptions, call?: CallOptions): Promise<(Settled<unknown> | undefined)[]>;
  /**
   * Told by `connect` which methods the service declares idempotent.
   *
   * @param methods Their names.
   * @example
   * ```ts
   * import { cluster } from "./cluster/cluster.ts";
   * cluster(["http://127.0.0.1:5001/api"]).learnIdempotent(["get_order"]);
   * ```
   */
  learnIdempotent?(methods: readonly string[]): void;
  /**
   * Lets go of what the upstream holds (an endpoint source's watch or timers).
   *
   * @returns Nothing, or once it is let go.
   * @example
   * ```ts
   * import { cluster } from "./cluster/cluster.ts";
   * await cluster(["http://127.0.0.1:5001/api"]).close();
   * ```
   */
  close?(): void | Promise<void>;
}
