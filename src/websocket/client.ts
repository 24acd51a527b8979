/**
 * The client side of JSON-RPC over WebSocket: `openWebSocket(url)` is an `Upstream`, so
 * `createClient(socket)` and `connect(socket)` give the same typed client as over HTTP (calls,
 * notifications, batches, and streams with `socket.streams`), over one connection that also
 * carries what the service sends unasked: notifications (`socket.on`) and calls (`socket.handle`).
 * Web APIs only, so it runs in browsers, Node.js 22+ (or any Node.js with the `ws` package's
 * WebSocket passed in), Deno and Bun.
 *
 * @module
 */

import { type BatchEntry, settleBatch, type Settled } from "../client/batch.ts";
import { TransportError } from "../client/errors.ts";
import type { ClientStreams } from "../client/stream.ts";
import { type CallOptions, type ClientOptions, type OutgoingRequest, request, timeLeft } from "../client/transport.ts";
import type { Delivery, Upstream } from "../client/upstream.ts";
import { MAX_TIMER_DELAY } from "../timer.ts";
import type { CallHandler, NotificationHandler } from "./client_peer.ts";
import { socketStreams } from "./client_streams.ts";
import { type WebSocketClientOptions, type WebSocketState, Wire } from "./client_wire.ts";

export type { CallHandler, NotificationHandler } from "./client_peer.ts";
export type { DialOptions, WebSocketConstructor, WebSocketLike } from "./client_socket.ts";
export type { ReconnectOptions, WebSocketClientOptions, WebSocketState } from "./client_wire.ts";
// What the socket is and plugs into, for the documentation of this module's names.
export type { ClientStreams } from "../client/stream.ts";
export type { Delivery, Upstream } from "../client/upstream.ts";

/**
 * A client's WebSocket to a service (see {@linkcode openWebSocket}): an `Upstream` for
 * `createClient`/`connect`, with the handlers of what the service sends unasked.
 *
 * @example
 * ```ts
 * import { connect } from "../client/client.ts";
 * import { openWebSocket, type WebSocketClient } from "./client.ts";
 * const socket: WebSocketClient = openWebSocket("ws://127.0.0.1:5000/api");
 * const remote = await connect(socket, { streams: socket.streams });
 * ```
 */
export interface WebSocketClient extends Upstream {
  /** The socket's URL. */
  readonly url: string;
  /** Where the socket is: `"idle"`, `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`. */
  readonly state: WebSocketState;
  /**
   * The `streams` option for a client of this socket (`createClient(socket, { streams:
   * socket.streams })`): a streaming method's call, iterated with `for await`, streams over it.
   */
  readonly streams: ClientStreams;
  /**
   * Opens the socket now, rather than at the first call.
   *
   * @returns Once it is open.
   * @throws {TransportError} When it could not open (refused, a failed upgrade, the handshake's time).
   * @example
   * ```ts
   * import { openWebSocket } from "./client.ts";
   * await openWebSocket("ws://127.0.0.1:5000/api").open();
   * ```
   */
  open(): Promise<void>;
  /**
   * Listens to the service's notifications of a method (`ctx.notify`, `connection.notify`,
   * `broadcast`); several handlers may listen to one.
   *
   * @param method The method's name.
   * @param handler Given each notification's params; what it throws is ignored.
   * @returns A function that stops it listening.
   * @example
   * ```ts
   * import { openWebSocket } from "./client.ts";
   * const socket = openWebSocket("ws://127.0.0.1:5000/api");
   * const off = socket.on("greeted", (params) => console.log("greeted", params));
   * ```
   */
  on(method: string, handler: NotificationHandler): () => void;
  /**
   * Answers the service's calls of a method (`connection.call`); one handler per method. A call
   * of a method with no handler is answered `-32601`.
   *
   * @param method The method's name.
   * @param handler Gives the result (or a promise of it), or throws an `RpcError` for the service
   *   to get; any other error is answered `-32603 Internal error`, without its message.
   * @returns A function that removes it.
   * @example
   * ```ts
   * import { openWebSocket } from "./client.ts";
   * const socket = openWebSocket("ws://127.0.0.1:5000/api");
   * socket.handle("confirm", async (params) => Array.isArray(params) && params[0] === "delete");
   * ```
   */
  handle(method: string, handler: CallHandler): () => void;
  /**
   * Tells a listener each change of {@linkcode WebSocketClient.state}.
   *
   * @param listener Given the new state.
   * @returns A function that stops telling it.
   * @example
   * ```ts
   * import { openWebSocket } from "./client.ts";
   * const socket = openWebSocket("ws://127.0.0.1:5000/api");
   * socket.onState((state) => console.log(`the socket is ${state}`));
   * ```
   */
  onState(listener: (state: WebSocketState) => void): () => void;
  /**
   * Closes the socket (code 1000) and stops reconnecting, for good: calls and streams waiting fail
   * with a `TransportError`, and so do later ones. A client's `close()` calls it.
   *
   * @returns Once the socket is closed.
   * @example
   * ```ts
   * import { openWebSocket } from "./client.ts";
   * await openWebSocket("ws://127.0.0.1:5000/api").close();
   * ```
   */
  close(): Promise<void>;
}

/**
 * Makes a WebSocket to a service's JSON-RPC path, to give `createClient` or `connect`: calls,
 * notifications, batches and streams (with `socket.streams`) then go over it, typed as over HTTP.
 * It opens at the first use (or `open()`), with the runtime's `WebSocket` or the one passed. After
 * a drop it opens again with back-off: calls sent meanwhile wait (within their timeout); calls in
 * flight at the drop fail with a `"network"` TransportError unless idempotent (the `idempotent`
 * call option, or methods `connect` learned so), which are sent again; resumable streams go on
 * after their last event. Each call's `timeout` goes with it (and is enforced here too), and its
 * `signal` aborting tells the service `rpc.cancel`.
 *
 * @param url The service's JSON-RPC path, `ws://` or `wss://` (such as `ws://127.0.0.1:5000/api`);
 *   or the paths of several instances of it, tried in turn when an open fails (after a drop, the
 *   next one is tried when the one in use does not answer).
 * @param options The token (at the upgrade), headers, WebSocket constructor, reconnect policy.
 * @returns The socket, an `Upstream`.
 * @example
 * ```ts
 * import { connect } from "../client/client.ts";
 * import { openWebSocket } from "./client.ts";
 * const socket = openWebSocket("ws://127.0.0.1:5000/api", { token: "hello_world_token" });
 * const remote = await connect(socket, { streams: socket.streams });
 * socket.on("greeted", (params) => console.log(params));
 * console.log(await remote.call("say_hello", ["world"]));
 * for await (const tick of remote.stream("ticks", [3])) console.log(tick);
 * await remote.close(); // closes the socket
 * ```
 */
export function openWebSocket(url: string | readonly string[], options: WebSocketClientOptions = {}): WebSocketClient {
  const wire = new Wire(url, options);
  const idempotent = new Set<string>();
  const socket: WebSocketClient = {
    get url() {
      return wire.url;
    },
    get state() {
      return wire.state;
    },
    streams: undefined as unknown as ClientStreams,
    open: () => wire.open(),
    on: (method, handler) => wire.peer.on(method, handler),
    handle: (method, handler) => wire.peer.handle(method, handler),
    onState: (listener) => wire.onState(listener),
    close: () => wire.close(),
    learnIdempotent(methods) {
      for (const method of methods) idempotent.add(method);
    },
    async send(message: OutgoingRequest, clientOptions: ClientOptions, call: CallOptions = {}): Promise<Delivery> {
      if (message.id === undefined) {
        await notify(wire, JSON.stringify(message), clientOptions, call);
        return { answer: undefined, url: wire.url };
      }
      // The socket's own ids: unique on it whoever made the message, and mapped back in the answer.
      const id = wire.id();
      const replies = await exchange(wire, [id], (timeout) => ({ ...message, id, ...timeout }), call.idempotent ?? idempotent.has(message.method), clientOptions, call);
      return { answer: { ...(replies.get(id) as object), id: message.id }, url: wire.url };
    },
    async sendBatch(entries: readonly BatchEntry[], clientOptions: ClientOptions, call: CallOptions = {}): Promise<(Settled<unknown> | undefined)[]> {
      if (entries.length === 0) return [];
      const ids = entries.map((entry) => (entry.notification ? undefined : wire.id()));
      const calls = ids.filter((id) => id !== undefined);
      const body = (timeout: { timeout?: number }): unknown[] =>
        entries.map((entry, i) => ({ ...request(entry.method, entry.params, ids[i]), ...(ids[i] === undefined ? {} : timeout) }));
      if (calls.length === 0) {
        await notify(wire, JSON.stringify(body({})), clientOptions, call);
        return ids.map(() => undefined);
      }
      // A batch is sent again after a drop only when the call says so: its entries are of several methods.
      const replies = await exchange(wire, calls, body, call.idempotent === true, clientOptions, call, true);
      // (A batch refused whole gives its one error answer: settleBatch throws it, as over HTTP.)
      return settleBatch(wire.url, ids, replies.refused ?? [...replies.values()]);
    },
  };
  (socket as { streams: ClientStreams }).streams = socketStreams(socket, wire);
  return socket;
}

/** Sends a notification (or a batch of them), waiting for the socket within the call's time. */
async function notify(wire: Wire, text: string, options: ClientOptions, call: CallOptions): Promise<void> {
  const ms = timeLeft(options, call);
  if (ms !== undefined && ms <= 0) throw new TransportError(wire.url, "timeout", "the call's deadline has passed");
  await wire.notify(text, call.signal, ms === undefined || ms > MAX_TIMER_DELAY ? undefined : Math.ceil(ms));
}

/**
 * Sends a call (or a batch's calls) and waits for an answer to each of its ids, within the call's
 * time and until its signal aborts (then the service is told `rpc.cancel`).
 */
function exchange(
  wire: Wire,
  ids: readonly number[],
  message: (timeout: { timeout?: number }) => unknown,
  again: boolean,
  options: ClientOptions,
  call: CallOptions,
  batch = false,
): Promise<Map<number, unknown> & { refused?: unknown }> {
  const url = wire.url;
  const ms = timeLeft(options, call);
  if (ms !== undefined && ms <= 0) return Promise.reject(new TransportError(url, "timeout", "the call's deadline has passed"));
  const signal = call.signal;
  if (signal?.aborted === true) return Promise.reject(new TransportError(url, "aborted", "the call was aborted", undefined, signal.reason));
  const deadline = ms === undefined ? undefined : Date.now() + ms;
  // The time left when it is written (again, after a reconnect), as X-Request-Timeout carries it over HTTP.
  const text = (): string =>
    JSON.stringify(message(deadline === undefined ? {} : { timeout: Math.min(999_999_999_999, Math.max(1, Math.floor(deadline - Date.now()))) }));
  // Params JSON cannot carry (a BigInt, a cycle) throw their TypeError here, before anything is sent.
  text();
  return new Promise((resolve, reject) => {
    const replies: Map<number, unknown> & { refused?: unknown } = new Map<number, unknown>();
    const finish = (error?: unknown): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", aborted);
      if (error === undefined) resolve(replies);
      else {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the failure as it came (a TransportError, or a token function's own error)
        reject(error);
      }
    };
    const stop = (error: TransportError): void => {
      wire.remove(ids);
      finish(error);
    };
    const aborted = (): void => { stop(new TransportError(url, "aborted", "the call was aborted", undefined, signal?.reason)); };
    // (Past 2^31-1 ms a timer fires at once: the service's deadline, which `timeout` carries, ends it.)
    const timer = ms === undefined || ms > MAX_TIMER_DELAY ? undefined : setTimeout(() => { stop(new TransportError(url, "timeout", `no answer within ${ms} ms`)); }, Math.ceil(ms));
    signal?.addEventListener("abort", aborted, { once: true });
    wire.add(ids, {
      text,
      again,
      written: false,
      answer: (reply) => {
        replies.set(reply.id, reply);
        if (replies.size === ids.length) finish();
      },
      fail: finish,
      ...(batch
        ? {
          refused: (reply: unknown) => {
            replies.refused = reply;
            finish();
          },
        }
        : {}),
    });
  });
}
