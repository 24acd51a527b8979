/**
 * JSON-RPC over NATS, the client side: a `fetch` function that sends each request as a NATS
 * request, so the whole client (typed methods, named params, batches, errors, timeouts, and the
 * retries of a cluster client) works over NATS unchanged.
 *
 * @module
 */

import type { FetchFunction } from "../client/transport.ts";
import { MAX_TIMER_DELAY } from "../timer.ts";
import { REQUEST_TIMEOUT_HEADER } from "../protocol/headers.ts";
import { type NatsConnectionLike, NatsHeaderBlock, type NatsMessage } from "./connection.ts";

/**
 * The error code a `natsFetch` failure carries in its cause when no instance subscribes to the
 * subject: the request was never delivered, so the client may send any call again.
 *
 * @example
 * ```ts
 * import { NO_RESPONDERS } from "./rpc_fetch.ts";
 * const neverDelivered = (error: unknown): boolean => (error as { cause?: { code?: string } }).cause?.code === NO_RESPONDERS;
 * ```
 */
export const NO_RESPONDERS = "NATS_NO_RESPONDERS";

/**
 * Options of {@linkcode natsFetch}.
 *
 * @example
 * ```ts
 * import type { NatsFetchOptions } from "./rpc_fetch.ts";
 * const options: NatsFetchOptions = { timeout: 5_000 };
 * ```
 */
export interface NatsFetchOptions {
  /**
   * How long a request waits for its reply when the call has no timeout of its own, in ms (NATS
   * requests always have one). Default `30000`. Longer than 2^31-1 ms (about 24.8 days, what a
   * timer holds), and `Infinity`, wait that long.
   */
  readonly timeout?: number | undefined;
}

/**
 * Makes a `fetch` function that carries the client's requests over NATS: the URL names the
 * subject (`nats:rpc.calculator`, or `nats:` followed by any subject), the headers travel as
 * NATS headers (the token, `X-Request-Timeout`), and the reply is the response body. Give it to
 * `createClient` or `connect` as the `fetch` option.
 *
 * A notification (a request without `id`, or a batch of them only) is published, not sent as a
 * NATS request: nobody answers it, so the returned response is an empty 204 once the message is
 * handed to the connection (as with NATS, nothing tells whether a service received it).
 *
 * A request nobody subscribes to fails as a connection that was never made (the client's
 * `neverSent` is true, so a cluster client may send it again); a request whose reply does not
 * come in time fails as a timeout. For a service with several instances on one subject, give the
 * client `cluster(["nats:rpc.calculator"], { attemptTimeout })` (`tsmicroservice/cluster`): it
 * then sends an idempotent call again when the instance that took it died (NATS gives the next
 * attempt to a live member of the queue group).
 *
 * @param connection A connection of the official NATS client.
 * @param options The timeout of requests whose call has none.
 * @returns The `fetch` function.
 * @throws {TypeError} When `timeout` is not a positive number.
 * @example
 * ```ts
 * import { connect, createClient } from "../client/mod.ts";
 * import { cluster } from "../client/cluster/mod.ts";
 * import { natsFetch, type NatsConnectionLike } from "./mod.ts";
 * declare const connection: NatsConnectionLike;
 * const calculator = await connect("nats:rpc.calculator", { fetch: natsFetch(connection) });
 * await calculator.call("add", [1, 2]); // 3
 * // Several instances behind the subject: idempotent calls move on when one dies.
 * const replicas = createClient(cluster(["nats:rpc.calculator"], { attemptTimeout: 1_000, idempotent: ["add"] }), {
 *   fetch: natsFetch(connection),
 * });
 * ```
 */
export function natsFetch(connection: NatsConnectionLike, options: NatsFetchOptions = {}): FetchFunction {
  const fallback = options.timeout ?? 30_000;
  if (!(fallback > 0)) throw new TypeError("natsFetch: timeout must be a positive number of ms");
  return async (url, init) => {
    const subject = subjectOf(url);
    const block = new NatsHeaderBlock();
    new Headers(init.headers).forEach((value, name) => {
      if (name !== "content-type") block.set(name, value);
    });
    // The call's own timer (behind `init.signal`) decides: NATS waits a little longer than it.
    const budget = block.get(REQUEST_TIMEOUT_HEADER.toLowerCase());
    // The NATS client's timer is a plain setTimeout, which fires at once past 2^31-1 ms: a longer
    // wait is cut to that (about 24.8 days), the deadline in the header still bounds the call.
    const timeout = Math.min(budget === "" ? fallback : Number(budget) + 100, MAX_TIMER_DELAY);
    const body = typeof init.body === "string" ? init.body : "";
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    if (isNotification(body)) {
      try {
        connection.publish(subject, body, { headers: block });
      } catch (error) {
        throw new TypeError(`NATS publish on ${subject} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      return new Response(null, { status: 204 });
    }
    let reply: NatsMessage;
    try {
      const sent = connection.request(subject, body, { timeout, headers: block });
      reply = signal === undefined ? await sent : await abortable(sent, signal);
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (isNoResponders(error)) {
        // The client's neverSent() reads the code: such a request reached nobody.
        // eslint-disable-next-line preserve-caught-error -- the cause carries the code and the NATS error
        throw new TypeError(`no responders on ${subject}`, { cause: { code: NO_RESPONDERS, error } });
      }
      throw new TypeError(`NATS request on ${subject} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return new Response(reply.data.length === 0 ? null : new TextDecoder().decode(reply.data), { status: 200, headers: { "content-type": "application/json" } });
  };
}

/** The subject a `nats:` URL names. */
function subjectOf(url: string): string {
  const subject = url.startsWith("nats://") ? url.slice(7) : url.startsWith("nats:") ? url.slice(5) : url;
  if (subject === "" || /\s/.test(subject)) throw new TypeError(`natsFetch: ${url} names no NATS subject (such as nats:rpc.calculator)`);
  return subject;
}

/** Whether a JSON-RPC body wants no answer: a request without `id`, or a non-empty batch of them. */
function isNotification(body: string): boolean {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    // Not JSON: sent as a request, so the service's parse error comes back.
    return false;
  }
  const lacksId = (entry: unknown): boolean => typeof entry === "object" && entry !== null && !Array.isArray(entry) && !("id" in entry);
  return Array.isArray(message) ? message.length > 0 && message.every(lacksId) : lacksId(message);
}

/** Whether the NATS client said nobody subscribes (its error, or one wrapping it). */
function isNoResponders(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; typeof cause === "object" && cause !== null && depth < 5; depth++) {
    const { name, message, code } = cause as { name?: unknown; message?: unknown; code?: unknown };
    if (name === "NoRespondersError" || code === "503" || code === 503) return true;
    if (typeof message === "string" && /no responders/i.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** A promise that also settles (rejects) when the signal aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener("abort", onAbort);
    });
  });
}
