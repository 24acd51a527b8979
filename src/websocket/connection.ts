/**
 * JSON-RPC 2.0 over one WebSocket connection, on the server's side: each text message a request, a
 * batch or a response to a call the server made; a streaming method's items as notifications tied
 * to the call; notifications and calls from the service to the caller. The runtime's side (see
 * `message_socket.ts`) owns the frames; this owns the JSON-RPC rules, which are HTTP's: the same
 * dispatch, token checks, deadlines, middlewares and answers.
 *
 * @module
 */

import type { CallerConnection, HeaderReader, RequestContext } from "../core/context.ts";
import { type DispatchResult, type DispatchTarget, dispatchMessage, errorObjectFor, refuse, report, streamRefusal } from "../core/dispatch.ts";
import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcErrorObject, JsonRpcId, JsonRpcParams, JsonRpcResponse } from "../protocol/messages.ts";
import { checkedItems } from "../plugins/streams/checked_items.ts";
import { type LongTimer, setLongTimeout } from "../timer.ts";
import type { MessageSocket, MessageSocketEvents } from "./message_socket.ts";

/**
 * The limits and settings one connection keeps (the plugin's options, resolved).
 *
 * @example
 * ```ts
 * import type { ConnectionSettings } from "./connection.ts";
 * const settings: ConnectionSettings = { maxInFlight: 64, maxBufferedBytes: 4_194_304, streamLifetime: 3_600_000, stopping: () => false };
 * ```
 */
export interface ConnectionSettings {
  /** How many calls (streams included) may run at once on the connection; more are refused with -32004. */
  readonly maxInFlight: number;
  /** The most bytes the socket may hold unsent: past it, the peer does not read, and is closed (1008). */
  readonly maxBufferedBytes: number;
  /** How long a stream may last, in ms; then it ends with -32002. */
  readonly streamLifetime: number;
  /** Whether the service is stopping (new calls are refused with -32004, streams end). */
  readonly stopping: () => boolean;
}

/** What a stream taken over the socket answers in place of a result: nothing is sent then. */
const TAKEN: unique symbol = Symbol("taken by a WebSocket stream");

/** Items of one stream waiting for the socket to take them: above this, the stream waits. */
const STREAM_HIGH_WATER = 65_536;

/** How long a server's call waits for the caller's answer by default, in ms. */
const DEFAULT_CALL_TIMEOUT = 30_000;

/** Takes a call's stream for the connection (see `RpcConnection.#takeStream`). */
type SocketStreamTaker = (stream: AsyncIterable<unknown>, id: JsonRpcId, method: string, running: Running) => unknown;

/**
 * A call (or a batch) running on the connection: what `rpc.cancel` aborts, and the request context
 * dispatch is given. One object for both, with its signal made only when a handler asks for it:
 * a connection's small calls come fast, and every object and closure made for each is garbage.
 */
class Running implements RequestContext {
  abort: AbortController | undefined = undefined;
  cancelled = false;
  /** Set while the call's answer is a stream: ends it. */
  endStream: (() => void) | undefined = undefined;
  /** Whether the call answered with a stream (which then counts, and answers, on its own). */
  streamed = false;
  /** Set by the plugin's middleware (observers are used before it): tell the stream's end. */
  watched = false;
  /** The stream's end, once one was taken and watched. */
  end: Promise<StreamEnd> | undefined = undefined;
  readonly headers: HeaderReader;
  readonly deadline: number | undefined;
  /** Whether the message is a batch (which cannot carry a stream). */
  readonly inBatch: boolean;
  /** The caller's `lastEventId` member, resuming a stream. */
  readonly lastEventId: string | undefined;
  readonly #connection: RpcConnection;
  readonly #take: SocketStreamTaker;

  constructor(connection: RpcConnection, take: SocketStreamTaker, headers: HeaderReader, deadline: number | undefined, inBatch: boolean, lastEventId: string | undefined) {
    this.#connection = connection;
    this.#take = take;
    this.headers = headers;
    this.deadline = deadline;
    this.inBatch = inBatch;
    this.lastEventId = lastEventId;
  }

  get signal(): AbortSignal {
    if (this.abort === undefined) {
      this.abort = new AbortController();
      if (this.cancelled || !this.#connection.open) this.abort.abort();
    }
    return this.abort.signal;
  }

  stream(stream: AsyncIterable<unknown>, id: JsonRpcId, method: string): unknown {
    return this.#take(stream, id, method, this);
  }
}

/** A call the server made and waits for. */
interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: LongTimer;
}

let connections = 0;

/**
 * Headers of a connection's calls: the upgrade request's, and the connection itself for the
 * handler's `ctx.notify` and `ctx.connection` (see {@linkcode connectionOf}).
 */
class ConnectionHeaders implements HeaderReader {
  readonly #headers: HeaderReader;
  readonly connection: RpcConnection;
  readonly #lastEventId: string | undefined;
  /** The message these headers are of, when observers watch its calls (see {@linkcode watchedCall}). */
  running: Running | undefined = undefined;

  constructor(headers: HeaderReader, connection: RpcConnection, lastEventId?: string) {
    this.#headers = headers;
    this.connection = connection;
    this.#lastEventId = lastEventId;
  }

  get(name: string): string | null {
    if (name === WATCH_PROBE) {
      probed = this.running;
      return null;
    }
    if (this.#lastEventId !== undefined && name.toLowerCase() === "last-event-id") return this.#lastEventId;
    return this.#headers.get(name);
  }

  /** The same headers, for one message (with a caller's `lastEventId` as its `Last-Event-ID`). */
  of(lastEventId: string | undefined): ConnectionHeaders {
    return new ConnectionHeaders(this.#headers, this.connection, lastEventId);
  }
}

/**
 * The header name a middleware reads to find the message a call is of: a middleware sees only a
 * view of the call's headers (without the credentials), which passes the read on to ours.
 */
const WATCH_PROBE = "x-websocket-probe";
/** What a probe found: set and read in one synchronous step. */
let probed: Running | undefined;

/**
 * How a watched stream ended, before its call's summary is added (as `streams()` tells it for SSE).
 *
 * @example
 * ```ts
 * import type { StreamEnd } from "./connection.ts";
 * const end: StreamEnd = { after: 12.5, items: 3, ok: true, left: false };
 * ```
 */
export interface StreamEnd {
  /** The ms from the stream's start to its end. */
  readonly after: number;
  /** The items sent. */
  readonly items: number;
  /** Whether it ended well (finished, or the caller cancelled or left). */
  readonly ok: boolean;
  /** Whether the caller cancelled it or went away. */
  readonly left: boolean;
  /** The error code it ended with, when it failed. */
  readonly code?: number;
  /** What was thrown, when it failed with a throw. */
  readonly error?: unknown;
}

/**
 * For the plugin's call middleware: the message a call over a WebSocket is of, so its stream's end
 * can be told to the observers; `undefined` for a call over HTTP, or one nobody watches.
 *
 * @param headers The headers a middleware sees of a call.
 * @returns Its record: set `watched`, then read `end` once `next()` gave the call's summary.
 * @example
 * ```ts
 * import { watchedCall } from "./connection.ts";
 * watchedCall(new Headers()); // undefined: not a WebSocket call's
 * ```
 */
export function watchedCall(headers: HeaderReader): { watched: boolean; readonly end: Promise<StreamEnd> | undefined } | undefined {
  probed = undefined;
  headers.get(WATCH_PROBE);
  const found = probed;
  probed = undefined;
  return found;
}

/**
 * The connection a call's headers came over, when it came over a WebSocket.
 *
 * @param headers A call's `ctx.headers`.
 * @returns The connection, or `undefined` for a call over HTTP.
 * @example
 * ```ts
 * import { connectionOf } from "./connection.ts";
 * connectionOf(new Headers()); // undefined: not a WebSocket call's
 * ```
 */
export function connectionOf(headers: HeaderReader): RpcConnection | undefined {
  return headers instanceof ConnectionHeaders ? headers.connection : undefined;
}

/**
 * One WebSocket connection of a service, speaking JSON-RPC both ways. The plugin makes one per
 * accepted upgrade and hands its {@linkcode RpcConnection.events} to the runtime's socket.
 *
 * @example
 * ```ts
 * import { RpcConnection } from "./connection.ts";
 * import { targetOf } from "../core/dispatch.ts";
 * import { Service } from "../core/service.ts";
 * const sent: string[] = [];
 * const socket = { send: (text: string) => void sent.push(text), bufferedAmount: 0, close() {}, terminate() {} };
 * const target = targetOf(new Service({ name: "s" }).publicMethod("ping", () => "pong"));
 * const connection = new RpcConnection(socket, target, new Headers(), { maxInFlight: 8, maxBufferedBytes: 1 << 20, streamLifetime: 60_000, stopping: () => false });
 * connection.events.message('{"jsonrpc":"2.0","method":"ping","id":1}');
 * // sent: ['{"jsonrpc":"2.0","result":"pong","id":1}']
 * ```
 */
export class RpcConnection implements CallerConnection {
  /** An id of this connection, unique in the process. */
  readonly id: string = `ws-${++connections}`;
  /** Settles when the connection has closed. */
  readonly closed: Promise<void>;
  /** What the runtime's side tells this connection. */
  readonly events: MessageSocketEvents;
  readonly #socket: MessageSocket;
  readonly #target: DispatchTarget;
  readonly #headers: ConnectionHeaders;
  readonly #settings: ConnectionSettings;
  /** Calls running, by id (notifications are not here: nobody can cancel them). */
  readonly #running = new Map<JsonRpcId, Running>();
  readonly #waiting = new Map<string, Waiting>();
  #inFlight = 0;
  #open = true;
  #serverIds = 0;
  #settleClosed!: () => void;
  /** Told when the last call in flight ends, while the service stops. */
  #idle: (() => void) | undefined;
  /** Told when the socket took what was buffered (a stream waits for it). */
  #drained: (() => void)[] = [];
  /** What each call's context hands its stream to (made once, not for every call). */
  readonly #take: SocketStreamTaker;

  /**
   * Makes the connection over an accepted socket (give its `events` to the socket).
   *
   * @param socket The runtime's socket.
   * @param target The service.
   * @param headers The upgrade request's headers (the credentials every call is checked with).
   * @param settings The limits.
   */
  constructor(socket: MessageSocket, target: DispatchTarget, headers: HeaderReader, settings: ConnectionSettings) {
    this.#socket = socket;
    this.#target = target;
    this.#headers = new ConnectionHeaders(headers, this);
    this.#settings = settings;
    this.#take = (stream, id, method, running) => this.#takeStream(stream, id, method, running.inBatch, running, running.lastEventId);
    this.closed = new Promise((resolve) => (this.#settleClosed = resolve));
    this.events = {
      message: (text) => {
        this.#receive(text);
      },
      close: () => {
        this.#closed();
      },
      drain: () => {
        this.#drain();
      },
    };
  }

  /** Whether messages can still be sent. */
  get open(): boolean {
    return this.#open;
  }

  /** How many calls (streams included) run now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Sends a notification to the caller.
   *
   * @param method The notification's method.
   * @param params Its params.
   * @returns `false` when the connection is gone.
   * @example
   * ```ts
   * import type { RpcConnection } from "./connection.ts";
   * const tell = (connection: RpcConnection): boolean => connection.notify("price", [101.5]);
   * ```
   */
  notify(method: string, params?: JsonRpcParams): boolean {
    if (!this.#open) return false;
    return this.#send(JSON.stringify(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params }));
  }

  /**
   * Calls a method the caller's side offers and waits for the answer.
   *
   * @param method The method.
   * @param params Its params.
   * @param options `timeout`, in ms (default 30 s).
   * @returns Its result.
   * @throws {RpcError} Its error, `-32002` after the timeout, `-32004` when the connection closed.
   * @example
   * ```ts
   * import type { RpcConnection } from "./connection.ts";
   * const confirm = async (connection: RpcConnection): Promise<boolean> => (await connection.call("confirm", ["delete?"])) === true;
   * ```
   */
  call(method: string, params?: JsonRpcParams, options: { readonly timeout?: number | undefined } = {}): Promise<unknown> {
    if (!this.#open) return Promise.reject(new RpcError(-32004, "Unavailable: the connection is closed"));
    const id = `s${++this.#serverIds}`;
    const timeout = options.timeout ?? DEFAULT_CALL_TIMEOUT;
    return new Promise((resolve, reject) => {
      const timer = setLongTimeout(() => {
        this.#waiting.delete(id);
        reject(new RpcError(-32002, `Timeout: the caller did not answer ${method} within ${timeout} ms`));
      }, timeout);
      this.#waiting.set(id, { resolve, reject, timer });
      const request = params === undefined ? { jsonrpc: "2.0", method, id } : { jsonrpc: "2.0", method, params, id };
      this.#send(JSON.stringify(request));
    });
  }

  /**
   * Closes the connection: the calls in flight see their signal abort.
   *
   * @param code The close code (default 1000).
   * @param reason A short reason.
   * @example
   * ```ts
   * import type { RpcConnection } from "./connection.ts";
   * const bye = (connection: RpcConnection): void => connection.close(1000, "bye");
   * ```
   */
  close(code = 1000, reason = ""): void {
    if (!this.#open) return;
    this.#socket.close(code, reason);
    this.#closed();
  }

  /**
   * Ends the connection for a service that stops: new calls are refused (-32004), streams end with
   * -32004, the calls in flight finish; then it closes with 1001. Gives up waiting at `deadline`
   * (`Date.now()` ms): the calls still running see their signal abort.
   *
   * @param within The ms to wait for the calls in flight.
   * @returns Once closed.
   * @example
   * ```ts
   * import type { RpcConnection } from "./connection.ts";
   * const stop = (connection: RpcConnection): Promise<void> => connection.stop(10_000);
   * ```
   */
  async stop(within: number): Promise<void> {
    if (!this.#open) return;
    for (const running of this.#running.values()) running.endStream?.();
    if (this.#inFlight > 0) {
      let timer: LongTimer | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.#idle = resolve)),
        new Promise<void>((resolve) => (timer = setLongTimeout(resolve, within))),
        this.closed,
      ]);
      clearTimeout(timer?.id);
    }
    this.close(1001, "the service is stopping");
  }

  /** A message from the caller. */
  #receive(text: string): void {
    if (!this.#open) return;
    const target = this.#target;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // Answered below, once the plugins are told of the message.
    }
    if (target.received !== undefined) {
      try {
        const batch = Array.isArray(message) ? message.length : undefined;
        for (const plugin of target.received) plugin.received({ bytes: text.length, batch });
      } catch {
        // A failing observer must not change the answer.
      }
    }
    if (message === undefined) {
      this.#send(JSON.stringify(refuse(target, null, -32700, "Parse error: the message is not valid JSON")));
      return;
    }
    if (typeof message === "object" && message !== null && !Array.isArray(message)) {
      const single = message as Record<string, unknown>;
      if (!("method" in single) && ("result" in single || "error" in single)) {
        this.#answered(single);
        return;
      }
      if (single["method"] === "rpc.cancel" && !("id" in single)) {
        this.#cancel(single["params"]);
        return;
      }
    }
    const ids = idsOf(message);
    const count = Array.isArray(message) ? message.length : 1;
    if (this.#settings.stopping()) {
      this.#refuseAll(message, ids, -32004, "Unavailable: the service is stopping");
      return;
    }
    if (this.#inFlight + count > this.#settings.maxInFlight) {
      this.#refuseAll(message, ids, -32004, `Unavailable: too many calls in flight on this connection (at most ${this.#settings.maxInFlight}); wait for answers`);
      return;
    }
    this.#run(message, ids, count);
  }

  /** Runs a request or a batch and sends its answer. */
  #run(message: unknown, ids: JsonRpcId[], count: number): void {
    const single = Array.isArray(message) ? undefined : (message as Record<string, unknown>);
    const timeout = single?.["timeout"];
    const given = single?.["lastEventId"];
    const lastEventId = typeof given === "string" ? given : undefined;
    // Headers of this message only when they must say something of it (a resume; observers,
    // which find the message through them): most messages share the connection's.
    const own = lastEventId !== undefined || this.#target.call !== undefined;
    const headers = own ? this.#headers.of(lastEventId) : this.#headers;
    const running = new Running(
      this,
      this.#take,
      headers,
      typeof timeout === "number" && timeout >= 0 && timeout < 1e12 ? Date.now() + timeout : undefined,
      single === undefined,
      lastEventId,
    );
    if (own) headers.running = running;
    for (const id of ids) this.#running.set(id, running);
    this.#inFlight += count;
    let answer: DispatchResult | Promise<DispatchResult>;
    try {
      answer = dispatchMessage(this.#target, message, running);
    } catch (error) {
      // Dispatch answers every failure itself: this is a bug of ours, told as one.
      report(this.#target, error, "(a WebSocket message)");
      answer = single === undefined ? undefined : { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: ids[0] ?? null };
    }
    if (answer instanceof Promise) {
      answer.then((settled) => {
        this.#finish(settled, ids, count, running);
      }, () => {
        this.#finish(undefined, ids, count, running);
      });
    } else {
      this.#finish(answer, ids, count, running);
    }
  }

  /** A call's (or batch's) answer came: sent, unless a stream took it (its end answers then). */
  #finish(answer: DispatchResult, ids: JsonRpcId[], count: number, running: Running): void {
    if (running.streamed) {
      // The stream counts as one call until it ends (batches cannot stream: it is the whole message).
      this.#ended(count - 1);
    } else {
      for (const id of ids) if (this.#running.get(id) === running) this.#running.delete(id);
      this.#ended(count);
    }
    if (answer === undefined || !this.#open) return;
    if (!Array.isArray(answer) && (answer as { result?: unknown }).result === TAKEN) return;
    let text: string;
    try {
      text = JSON.stringify(answer);
    } catch {
      // dispatch made it JSON-safe; a getter that throws on a second read is all that is left.
      text = JSON.stringify(Array.isArray(answer) ? answer.map(safely) : safely(answer));
    }
    this.#send(text);
  }

  /** Counts calls that ended; the last one lets a stopping connection close. */
  #ended(count: number): void {
    this.#inFlight -= count;
    if (this.#inFlight === 0 && this.#idle !== undefined) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }

  /** A handler answered with a stream: its items go out as notifications, its end as the answer. */
  #takeStream(stream: AsyncIterable<unknown>, id: JsonRpcId, method: string, inBatch: boolean, running: Running, lastEventId: string | undefined): unknown {
    let items: AsyncIterator<unknown> | undefined;
    try {
      items = stream[Symbol.asyncIterator]();
      if (inBatch) throw new RpcError(-32600, `Invalid Request: ${method} streams, which a batch cannot carry: call it alone`);
    } catch (error) {
      Promise.resolve().then(() => items?.return?.()).catch(() => {});
      return streamRefusal(this.#target, error, method);
    }
    const definition = this.#target.findMethod(method);
    const checked = definition === undefined ? items : checkedItems({ [Symbol.asyncIterator]: () => items }, definition)[Symbol.asyncIterator]();
    const first = definition?.resumable === true && lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) + 1 : 1;
    running.streamed = true;
    void this.#pump(checked, items, id, method, first, running);
    return TAKEN;
  }

  /** Sends a stream's items as they come, then its answer; stops at a cancel, the lifetime, a stop or a close. */
  async #pump(items: AsyncIterator<unknown>, source: AsyncIterator<unknown>, id: JsonRpcId, method: string, first: number, running: Running): Promise<void> {
    let event = first;
    let ended: { result: unknown } | { error: JsonRpcErrorObject } | undefined;
    // What threw, when the stream failed with a throw (for the observers).
    let thrown: unknown;
    const started = performance.now();
    let tell: ((end: StreamEnd) => void) | undefined;
    if (running.watched) running.end = new Promise((resolve) => (tell = resolve));
    let stop!: (why: { result: unknown } | { error: JsonRpcErrorObject }) => void;
    const stopped = new Promise<{ result: unknown } | { error: JsonRpcErrorObject }>((resolve) => (stop = resolve));
    running.endStream = () => {
      stop({ error: { code: -32004, message: "Unavailable: the service is stopping" } });
    };
    const lifetime = setLongTimeout(() => {
      stop({ error: { code: -32002, message: `Timeout: the stream lasted its limit of ${this.#settings.streamLifetime} ms` } });
    }, this.#settings.streamLifetime);
    const cancelled = (): void => {
      stop({ result: null });
    };
    running.abort ??= new AbortController();
    if (running.cancelled) running.abort.abort();
    const signal = running.abort.signal;
    signal.addEventListener("abort", cancelled);
    if (signal.aborted) cancelled();
    try {
      while (ended === undefined) {
        const step = await Promise.race([Promise.resolve(items.next()).then((next) => ({ next }), (error: unknown) => ({ error })), stopped.then((why) => ({ why }))]);
        if ("why" in step) {
          ended = step.why;
          break;
        }
        if ("error" in step) {
          thrown = step.error;
          ended = { error: errorObjectFor(this.#target, step.error, method) };
          break;
        }
        if (step.next.done === true) {
          ended = { result: step.next.value ?? null };
          break;
        }
        let text: string;
        try {
          text = JSON.stringify({ jsonrpc: "2.0", method: "rpc.stream", params: { id, event, item: step.next.value ?? null } });
        } catch (error) {
          thrown = error;
          ended = { error: errorObjectFor(this.#target, error, method) };
          break;
        }
        event++;
        if (!this.#send(text)) break;
        if (this.#socket.bufferedAmount > STREAM_HIGH_WATER) {
          const why = await Promise.race([this.#whenDrained().then(() => undefined), stopped]);
          if (why !== undefined) ended = why;
        }
      }
    } finally {
      clearTimeout(lifetime.id);
      signal.removeEventListener("abort", cancelled);
      running.endStream = undefined;
      if (ended === undefined || !("result" in ended) || running.cancelled || !this.#open) {
        // Left early: its `finally` blocks run (once it reaches a `yield`, if it is busy now).
        Promise.resolve().then(() => source.return?.()).catch(() => {});
      }
      if (this.#running.get(id) === running) this.#running.delete(id);
      this.#ended(1);
      if (tell !== undefined) {
        const left = ended === undefined || running.cancelled || !this.#open;
        const base = { after: performance.now() - started, items: event - first, left };
        if (ended !== undefined && "error" in ended && !running.cancelled) tell({ ...base, ok: false, code: ended.error.code, ...(thrown === undefined ? {} : { error: thrown }) });
        else tell({ ...base, ok: true });
      }
      if (ended !== undefined && this.#open) {
        let text: string;
        try {
          text = JSON.stringify({ jsonrpc: "2.0", ...ended, id });
        } catch (error) {
          text = JSON.stringify({ jsonrpc: "2.0", error: errorObjectFor(this.#target, error, method), id });
        }
        this.#send(text);
      }
    }
  }

  /** Resolves once the socket took what was buffered (told by `drain`, else seen by a short poll). */
  #whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      this.#drained.push(resolve);
      // Not every runtime tells of a drain (Deno's socket does not): look again soon.
      const poll = (): void => {
        if (!this.#open || this.#socket.bufferedAmount <= STREAM_HIGH_WATER / 2) this.#drain();
        else setTimeout(poll, 5);
      };
      setTimeout(poll, 5);
    });
  }

  #drain(): void {
    const waiting = this.#drained;
    this.#drained = [];
    for (const resolve of waiting) resolve();
  }

  /** `rpc.cancel`: aborts a running call's signal (a stream ends). Unknown ids are ignored. */
  #cancel(params: unknown): void {
    const id = (params as { id?: unknown } | null)?.id;
    if (typeof id !== "string" && typeof id !== "number") return;
    const running = this.#running.get(id);
    if (running === undefined) return;
    running.cancelled = true;
    running.abort?.abort();
  }

  /** A response to a call the server made. */
  #answered(response: Record<string, unknown>): void {
    const id = response["id"];
    if (typeof id !== "string") return;
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer.id);
    const error = response["error"] as Partial<JsonRpcErrorObject> | undefined;
    if (error === undefined) waiting.resolve(response["result"]);
    else waiting.reject(new RpcError(typeof error.code === "number" ? error.code : -32603, typeof error.message === "string" ? error.message : "Internal error", error.data));
  }

  /** Answers each call of a message with the same refusal (and nothing for notifications). */
  #refuseAll(message: unknown, ids: JsonRpcId[], code: number, text: string): void {
    const answers = ids.map((id) => refuse(this.#target, id, code, text));
    if (Array.isArray(message)) {
      if (answers.length > 0) this.#send(JSON.stringify(answers));
    } else if (answers[0] !== undefined) {
      this.#send(JSON.stringify(answers[0]));
    }
  }

  /** Sends a message; a peer that lets too much pile up unread is closed (1008). */
  #send(text: string): boolean {
    if (!this.#open) return false;
    this.#socket.send(text);
    if (this.#socket.bufferedAmount > this.#settings.maxBufferedBytes) {
      this.close(1008, "too much unread: the peer does not read its messages");
      return false;
    }
    return true;
  }

  /** The socket closed: calls see their signal abort, streams end, the server's calls fail. */
  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const running of this.#running.values()) {
      running.cancelled = true;
      running.abort?.abort();
    }
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer.id);
      waiting.reject(new RpcError(-32004, "Unavailable: the connection closed before the caller answered"));
    }
    this.#waiting.clear();
    this.#drain();
    this.#settleClosed();
  }
}

/** Shared by every message that has no call to answer (never changed). */
const NO_IDS: JsonRpcId[] = [];

/** The ids of the calls in a message (notifications and entries without a usable id have none). */
function idsOf(message: unknown): JsonRpcId[] {
  if (!Array.isArray(message)) {
    const id = idOf(message);
    return id === undefined ? NO_IDS : [id];
  }
  const ids: JsonRpcId[] = [];
  for (const entry of message) {
    const id = idOf(entry);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** The id of a request, when it has a usable one. */
function idOf(entry: unknown): JsonRpcId | undefined {
  if (typeof entry !== "object" || entry === null || !("id" in entry)) return undefined;
  const id = entry.id;
  return id === null || typeof id === "string" || typeof id === "number" ? id : undefined;
}

/** A response whose result cannot be serialized: an internal error instead. */
function safely(response: JsonRpcResponse): JsonRpcResponse {
  try {
    JSON.stringify(response);
    return response;
  } catch {
    return { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: response.id };
  }
}
