/**
 * The connection under `openWebSocket`: opens the socket at the first use, reopens it after a drop
 * (back-off with jitter), and keeps what waits for an answer (calls, batches, streams) by the ids
 * it gives them, so each message from the service reaches its exchange, and what survives a drop
 * (idempotent calls, resumable streams) is written again on the next connection.
 *
 * @module
 */

import { TransportError } from "../client/errors.ts";
import { Peer } from "./client_peer.ts";
import { backoff, dial, type DialOptions, type WebSocketLike } from "./client_socket.ts";

/**
 * Where the client's socket is:
 *
 * - `"idle"`: not open, and not trying (before the first use, after a failed open, or after
 *   reconnecting gave up): the next use opens it.
 * - `"connecting"`: the first open's handshake.
 * - `"open"`.
 * - `"reconnecting"`: dropped, and opening again (with back-off); calls wait.
 * - `"closed"`: by `close()`, for good.
 *
 * @example
 * ```ts
 * import type { WebSocketState } from "./client_wire.ts";
 * const usable = (state: WebSocketState): boolean => state !== "closed";
 * ```
 */
export type WebSocketState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/**
 * How a dropped socket is opened again: `attempts` in a row at most (default `Infinity`), the
 * first after about `delay` ms (default 200), each wait twice the last (with jitter), at most
 * `maxDelay` ms (default 10,000).
 *
 * @example
 * ```ts
 * import type { ReconnectOptions } from "./client_wire.ts";
 * const patient: ReconnectOptions = { attempts: Infinity, delay: 200, maxDelay: 10_000 };
 * ```
 */
export interface ReconnectOptions {
  /** How many opens in a row are tried after a drop before the waiting calls fail. Default `Infinity`. */
  readonly attempts?: number | undefined;
  /** About how long before the first, in ms. Default 200. */
  readonly delay?: number | undefined;
  /** The longest wait between two, in ms. Default 10,000. */
  readonly maxDelay?: number | undefined;
}

/**
 * Something waiting on the service: a call, a batch or a stream, under each of its ids.
 *
 * @example
 * ```ts
 * import type { Exchange } from "./client_wire.ts";
 * const ping: Exchange = {
 *   text: () => '{"jsonrpc":"2.0","method":"ping","params":[],"id":1}',
 *   again: true,
 *   written: false,
 *   answer: (reply) => console.log(reply),
 *   fail: (error) => console.error(error),
 * };
 * ```
 */
export interface Exchange {
  /** Its message, made at each write (so a call's `timeout` is what is left, a stream's `lastEventId` the last seen). */
  text(): string;
  /** Whether it is written again after a drop (an idempotent call, a resumable stream); a drop fails the others. */
  readonly again: boolean;
  /** Whether it went out on the current connection. */
  written: boolean;
  /** Told an answer with one of its ids (that id is then forgotten). */
  answer(reply: { readonly id: number; readonly result?: unknown; readonly error?: unknown }): void;
  /**
   * Told an error answer with a `null` id, which a batch refused whole gets (such as one over the
   * service's batch length): only a batch has it.
   */
  refused?(reply: { readonly error?: unknown }): void;
  /** Told a stream's item (`rpc.stream`'s params) for its id. */
  item?(params: { readonly event?: unknown; readonly item?: unknown }): void;
  /** Told it will get no answer (the socket dropped, could not open, or was closed). */
  fail(error: unknown): void;
}

/**
 * Options of `openWebSocket`: the credentials sent at the upgrade, the WebSocket constructor, the
 * handshake's limit, and how a dropped socket is opened again.
 *
 * @example
 * ```ts
 * import { openWebSocket } from "./client.ts";
 * import type { WebSocketClientOptions } from "./client_wire.ts";
 * const options: WebSocketClientOptions = { token: "hello_world_token", reconnect: { attempts: 10, delay: 200, maxDelay: 10_000 } };
 * const socket = openWebSocket("ws://127.0.0.1:5000/api", options);
 * ```
 */
export interface WebSocketClientOptions extends DialOptions {
  /** How a dropped socket is opened again; `false` for never (what waits fails at the drop). */
  readonly reconnect?: ReconnectOptions | false | undefined;
}

/** A notification that waits for the socket to open. */
interface Queued {
  readonly text: string;
  sent(): void;
  fail(error: unknown): void;
}

/**
 * One client's connection (see the module's description).
 *
 * @example
 * ```ts
 * import { Wire } from "./client_wire.ts";
 * const wire = new Wire("ws://127.0.0.1:5000/api", {});
 * await wire.open();
 * await wire.close();
 * ```
 */
export class Wire {
  /** The instances' URLs, tried in turn. */
  readonly #urls: readonly string[];
  /** The one in use (or tried next). */
  #current = 0;
  /** The handlers of what the service sends unasked. */
  readonly peer: Peer = new Peer();
  readonly #options: WebSocketClientOptions;
  readonly #exchanges = new Map<number, Exchange>();
  readonly #listeners = new Set<(state: WebSocketState) => void>();
  #queue: Queued[] = [];
  #socket: WebSocketLike | undefined;
  #state: WebSocketState = "idle";
  #opening: Promise<void> | undefined;
  #lastId = 0;
  // The back-off's wait, so close() ends it at once.
  #pause: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;

  /**
   * Makes the connection; nothing opens until it is used.
   *
   * @param urls The `ws://` or `wss://` URL, or several instances' (tried in turn after a drop or a failed open).
   * @param options How to open the socket, and again after a drop.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * const wire = new Wire("ws://127.0.0.1:5000/api", { reconnect: false });
   * ```
   */
  constructor(urls: string | readonly string[], options: WebSocketClientOptions) {
    this.#urls = typeof urls === "string" ? [urls] : [...urls];
    if (this.#urls.length === 0) throw new TypeError("openWebSocket needs a URL (or a list of at least one)");
    this.#options = options;
  }

  /** The URL of the instance in use (or tried next). */
  get url(): string {
    return this.#urls[this.#current] as string;
  }

  /** Opens a socket to the current instance; when it fails, the next one is current. */
  async #dial(): Promise<WebSocketLike> {
    try {
      return await dial(this.url, this.#options);
    } catch (error) {
      this.#current = (this.#current + 1) % this.#urls.length;
      throw error;
    }
  }

  /**
   * Where the socket is (see {@linkcode WebSocketState}).
   *
   * @returns The state.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * new Wire("ws://127.0.0.1:5000/api", {}).state; // "idle"
   * ```
   */
  get state(): WebSocketState {
    return this.#state;
  }

  /**
   * Tells a listener each change of state.
   *
   * @param listener Given the new state; what it throws is ignored.
   * @returns A function that stops telling it.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * const off = new Wire("ws://127.0.0.1:5000/api", {}).onState((state) => console.log(state));
   * off();
   * ```
   */
  onState(listener: (state: WebSocketState) => void): () => void {
    const own = (state: WebSocketState): void => { listener(state); };
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }

  /**
   * A fresh id for a message of this connection (ids count from 1, per client).
   *
   * @returns The id.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * new Wire("ws://127.0.0.1:5000/api", {}).id(); // 1
   * ```
   */
  id(): number {
    return ++this.#lastId;
  }

  /**
   * Opens the socket, unless it is open or opening.
   *
   * @returns Once it is open.
   * @throws {TransportError} When it could not open, or the client was closed.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * await new Wire("ws://127.0.0.1:5000/api", {}).open();
   * ```
   */
  open(): Promise<void> {
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    if (this.#state === "open") return Promise.resolve();
    return (this.#opening ??= this.#connect());
  }

  /**
   * Adds an exchange under its ids, and writes it now when the socket is open (else at the open,
   * which this starts).
   *
   * @param ids The ids its answers carry.
   * @param exchange The exchange.
   * @param now Whether it is written now, when the socket is open (else by {@linkcode Wire.flush}
   *   or at the next open).
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * const wire = new Wire("ws://127.0.0.1:5000/api", {});
   * const id = wire.id();
   * wire.add([id], {
   *   text: () => JSON.stringify({ jsonrpc: "2.0", method: "ping", params: [], id }),
   *   again: false, written: false, answer: console.log, fail: console.error,
   * });
   * ```
   */
  add(ids: readonly number[], exchange: Exchange, now = true): void {
    if (this.#state === "closed") {
      exchange.fail(this.#closedError());
      return;
    }
    for (const id of ids) this.#exchanges.set(id, exchange);
    if (this.#state !== "open") this.open().catch(() => {}); // a failed open fails the exchanges itself
    else if (now) this.#write(exchange);
  }

  /**
   * Writes an exchange that is kept but not yet written on this connection (a stream asked again
   * after a `-32004`), when the socket is open.
   *
   * @param id One of its ids.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * new Wire("ws://127.0.0.1:5000/api", {}).flush(1); // nothing: no such exchange
   * ```
   */
  flush(id: number): void {
    const exchange = this.#exchanges.get(id);
    if (exchange !== undefined && !exchange.written && this.#state === "open") this.#write(exchange);
  }

  /**
   * Forgets exchanges the caller gave up on (aborted, timed out, a stream left): the service is
   * told `rpc.cancel` for those written on the current connection, and their answers are ignored.
   *
   * @param ids Their ids.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * new Wire("ws://127.0.0.1:5000/api", {}).remove([1]);
   * ```
   */
  remove(ids: readonly number[]): void {
    for (const id of ids) {
      const exchange = this.#exchanges.get(id);
      if (exchange === undefined) continue;
      this.#exchanges.delete(id);
      if (exchange.written && this.#state === "open") this.#send(JSON.stringify({ jsonrpc: "2.0", method: "rpc.cancel", params: { id } }));
    }
  }

  /**
   * Sends a notification (or a batch of them): now when the socket is open, else once it opens.
   *
   * @param text The message.
   * @param signal Gives up waiting for the open.
   * @param timeout The longest wait for the open, in ms.
   * @returns Once it is written.
   * @throws {TransportError} When it could not be written within the time or before the abort.
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * await new Wire("ws://127.0.0.1:5000/api", {}).notify('{"jsonrpc":"2.0","method":"log","params":["hi"]}');
   * ```
   */
  notify(text: string, signal?: AbortSignal, timeout?: number): Promise<void> {
    if (this.#state === "closed") return Promise.reject(this.#closedError());
    if (this.#state === "open") {
      this.#send(text);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const done = (error?: unknown): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", aborted);
        this.#queue = this.#queue.filter((other) => other !== queued);
        if (error === undefined) resolve();
        else {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the failure as it came (a TransportError, or a token function's own error)
          reject(error);
        }
      };
      const queued: Queued = { text, sent: () => { done(); }, fail: done };
      const aborted = (): void => { done(new TransportError(this.url, "aborted", "the notification was aborted", undefined, signal?.reason)); };
      const timer = timeout === undefined ? undefined : setTimeout(() => { done(new TransportError(this.url, "timeout", `not sent within ${timeout} ms`)); }, timeout);
      if (signal?.aborted === true) { aborted(); return; }
      signal?.addEventListener("abort", aborted, { once: true });
      this.#queue.push(queued);
      this.open().catch(() => {});
    });
  }

  /**
   * Closes the socket with code 1000 and stops reconnecting, for good: what waits fails, and later
   * uses fail at once.
   *
   * @returns Once the socket is closed (or after a second, for a peer that does not answer the close).
   * @example
   * ```ts
   * import { Wire } from "./client_wire.ts";
   * await new Wire("ws://127.0.0.1:5000/api", {}).close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#setState("closed");
    if (this.#pause !== undefined) {
      clearTimeout(this.#pause.timer);
      this.#pause.wake();
    }
    this.#failAll(this.#closedError());
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      socket.addEventListener("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, "");
    });
  }

  #closedError(): TransportError {
    return new TransportError(this.url, "network", "the WebSocket client is closed (close())");
  }

  #setState(state: WebSocketState): void {
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch { /* ignored: a listener does not break the connection */ }
    }
  }

  async #connect(): Promise<void> {
    this.#setState("connecting");
    try {
      // Each instance once, before the open fails.
      for (let tried = 1; ; tried++) {
        try {
          this.#attach(await this.#dial());
          break;
        } catch (error) {
          if (tried >= this.#urls.length || (this.#state) === "closed") throw error;
        }
      }
    } catch (error) {
      // Whatever waited for this open fails with its reason (connect() then sees a network error and may wait).
      if (this.#state !== "closed") {
        this.#setState("idle");
        this.#failAll(error);
      }
      throw error;
    } finally {
      this.#opening = undefined;
    }
  }

  async #reconnect(): Promise<void> {
    this.#setState("reconnecting");
    const { attempts = Infinity, delay = 200, maxDelay = 10_000 } = this.#options.reconnect || {};
    let last: unknown;
    try {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        await new Promise<void>((wake) => {
          this.#pause = { timer: setTimeout(wake, backoff(attempt, delay, maxDelay)), wake };
        });
        this.#pause = undefined;
        if (this.#state === "closed") return;
        try {
          this.#attach(await this.#dial());
          return;
        } catch (error) {
          last = error;
          // close() during the handshake: no further attempt (nor its wait). (The await changed the state.)
          if ((this.#state as WebSocketState) === "closed") return;
        }
      }
      this.#setState("idle");
      const why = last instanceof Error ? last.message : String(last);
      this.#failAll(new TransportError(this.url, "network", `the connection dropped and ${attempts} attempts to reopen it failed (the last: ${why})`, undefined, last));
    } finally {
      this.#opening = undefined;
    }
  }

  #attach(socket: WebSocketLike): void {
    if (this.#state === "closed") {
      // close() came during the handshake.
      socket.close(1000, "");
      throw this.#closedError();
    }
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      if (this.#socket === socket) this.#receive((event as { data?: unknown }).data, socket);
    });
    socket.addEventListener("close", (event) => {
      const { code, reason } = event as { code?: unknown; reason?: unknown };
      if (this.#socket === socket) this.#dropped(Number(code), typeof reason === "string" ? reason : "");
    });
    this.#setState("open");
    // What waited: new exchanges, and those kept from the last connection (each written once).
    for (const exchange of new Set(this.#exchanges.values())) if (!exchange.written) this.#write(exchange);
    for (const queued of this.#queue.slice()) {
      this.#send(queued.text);
      queued.sent();
    }
  }

  #dropped(code: number, reason: string): void {
    this.#socket = undefined;
    const error = new TransportError(this.url, "network", `the connection dropped (close code ${code}${reason === "" ? "" : `: ${reason}`}) before the answer`);
    for (const [id, exchange] of this.#exchanges) {
      exchange.written = false;
      if (!exchange.again || this.#options.reconnect === false) {
        this.#exchanges.delete(id);
        exchange.fail(error);
      }
    }
    if (this.#options.reconnect === false) {
      this.#setState("idle");
      this.#failAll(error);
      return;
    }
    this.#opening = this.#reconnect();
    this.#opening.catch(() => {});
  }

  /**
   * An error with a `null` id: a batch refused whole, which no id ties to its batch. It goes to the
   * oldest batch written on this connection (a refusal is answered as soon as the batch is read).
   */
  #refused(reply: { error?: unknown }): void {
    for (const exchange of this.#exchanges.values()) {
      if (exchange.refused === undefined || !exchange.written) continue;
      for (const [id, other] of this.#exchanges) if (other === exchange) this.#exchanges.delete(id);
      exchange.refused(reply);
      return;
    }
  }

  #failAll(error: unknown): void {
    const exchanges = new Set(this.#exchanges.values());
    this.#exchanges.clear();
    for (const exchange of exchanges) exchange.fail(error);
    for (const queued of this.#queue.slice()) queued.fail(error);
  }

  #write(exchange: Exchange): void {
    exchange.written = true;
    this.#send(exchange.text());
  }

  #send(text: string): void {
    try {
      this.#socket?.send(text);
    } catch { /* a socket closing under it: its close event follows, and with it the drop */ }
  }

  #receive(data: unknown, socket: WebSocketLike): void {
    // Text messages only: a binary one is no JSON-RPC of ours.
    if (typeof data !== "string") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    for (const message of Array.isArray(parsed) ? (parsed as unknown[]) : [parsed]) {
      if (typeof message !== "object" || message === null) continue;
      const { method, id, params } = message as { method?: unknown; id?: unknown; params?: unknown };
      if (typeof method === "string") {
        if (method === "rpc.stream" && id === undefined) {
          const item = params as { id?: unknown; event?: unknown; item?: unknown } | null;
          this.#exchanges.get(item?.id as number)?.item?.(item as object);
        } else {
          this.peer.receive(message as { method: string }, (text) => {
            // Answered on the connection that asked, if it is still the one.
            if (this.#socket === socket) this.#send(text);
          });
        }
        continue;
      }
      if (id === null && !Array.isArray(parsed)) {
        this.#refused(message);
        continue;
      }
      // An answer whose id matches nothing (a call given up on, an unknown id) is ignored.
      const exchange = typeof id === "number" ? this.#exchanges.get(id) : undefined;
      if (exchange === undefined) continue;
      this.#exchanges.delete(id as number);
      exchange.answer(message as { id: number });
    }
  }
}
