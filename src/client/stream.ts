/**
 * Calling a streaming method: the call is POSTed with `Accept: text/event-stream`, and its
 * Server-Sent Events are read as they come (with `fetch` only, so it runs in browsers and workers
 * too). Each item event gives an item; the `response` event ends the stream with the call's result,
 * or its error thrown. A resumable stream that drops is asked for again with `Last-Event-ID`.
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { TransportError } from "./errors.ts";
import { type CallOptions, type ClientOptions, errorOf, headersFor, nextId, request } from "./transport.ts";
import type { Upstream } from "./upstream.ts";
import { callsWith } from "./proxy.ts";
import type { RemoteStream } from "./types.ts";

/**
 * The options of one stream: a call's options, and how to take a dropped connection.
 *
 * @example
 * ```ts
 * import type { StreamOptions } from "./stream.ts";
 * const options: StreamOptions = { resume: true, attempts: 10, idleTimeout: 15_000, signal: AbortSignal.timeout(60_000), token: "a caller's token" };
 * ```
 */
export interface StreamOptions extends Pick<CallOptions, "signal" | "token"> {
  /**
   * Whether a dropped stream is asked for again with the last event id seen (`Last-Event-ID`), so
   * it goes on where it stopped. Default: what `rpc.discover` says of the method (with `connect`),
   * else `false`.
   */
  readonly resume?: boolean | undefined;
  /** How many times in a row a dropped stream is asked for again before the drop is thrown. Default 5. */
  readonly attempts?: number | undefined;
  /** The id of the last event already seen, to start after it (a stream resumed by hand). */
  readonly lastEventId?: string | undefined;
  /**
   * How long, in ms, the stream may stay silent while it is read (no item, no heartbeat, no
   * answer to the request) before it counts as dropped: an instance that froze, or a network that
   * lost it, sends nothing and closes nothing. Keep it a few of the service's heartbeats (5 s by
   * default). Default 30,000; `Infinity` for no limit.
   */
  readonly idleTimeout?: number | undefined;
}

// (Defined with the client's other types: they say which calls give one.)
export type { RemoteStream } from "./types.ts";

/**
 * What lets a client stream (its `streams` option): given the client's upstream, options, call and
 * notify, the members it replaces: `methods` and `with` (a call iterated with `for await` streams)
 * and `stream`. {@linkcode sseStreams} is the one there is; without one a client carries no
 * streaming code, and iterating a call fails.
 *
 * @example
 * ```ts
 * import { type ClientStreams, sseStreams } from "./stream.ts";
 * const streams: ClientStreams = sseStreams;
 * ```
 */
export type ClientStreams = (
  upstream: Upstream,
  options: ClientOptions,
  call: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<unknown>,
  notify: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<void>,
) => { readonly methods: unknown; readonly with: unknown; readonly stream: unknown };

/**
 * Streams over Server-Sent Events, as the `streams()` plugin sends them: give it as a client's
 * `streams` option (`createClient`, `connect`, `testClient`, through a `cluster` too). Then a
 * streaming method's call, iterated with `for await`, gives its items; awaited, it is a call. A
 * method declared `resumable` (`rpc.discover`'s `x-stream`, asked once, at the first stream) is
 * resumed after a drop; through several instances, on one that answers a call then.
 *
 * @param upstream The client's upstream (one URL, or a cluster).
 * @param options The client's options.
 * @param call The client's call.
 * @param notify The client's notify.
 * @returns The client's `methods`, `with` and `stream`.
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import { sseStreams } from "./stream.ts";
 * const clock = createClient("http://127.0.0.1:5000/api", { streams: sseStreams });
 * // Typed by the service, `clock.methods.ticks(3)` streams the same way.
 * for await (const tick of clock.stream("ticks", [3])) console.log(tick);
 * ```
 */
export function sseStreams(
  upstream: Upstream,
  options: ClientOptions,
  call: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<unknown>,
  notify: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<void>,
): ReturnType<ClientStreams> {
  // After a drop, a call through the upstream (rpc.discover) finds an instance that answers: for
  // several instances (a cluster, which learns idempotent methods), maybe another one.
  const to = upstream.learnIdempotent === undefined ? upstream.url : async (retry: boolean) =>
    retry || upstream.url === "" ? (await upstream.send(request("rpc.discover", [], nextId()), options)).url : upstream.url;
  return streamingCalls(call, notify, (method, params, streamOptions) => openStream(to, options, method, params, streamOptions));
}

/**
 * What a `streams` option gives a client, around the way it opens one stream: `stream` (which
 * learns, at the first stream that does not say, which methods `rpc.discover` marks resumable),
 * and `methods` and `with`, whose calls give their result when awaited or their stream when
 * iterated instead. A call waits a microtask to be sent, so `for await` (which asks for the
 * iterator at once) sends only the stream's request. Shared by {@linkcode sseStreams} and the
 * WebSocket client's streams.
 *
 * @param call The client's call.
 * @param notify The client's notify.
 * @param open Opens one stream, told whether it is resumable.
 * @returns The client's `methods`, `with` and `stream`.
 * @example
 * ```ts
 * import { streamingCalls } from "./stream.ts";
 * const calls = streamingCalls(async () => "a result", async () => {}, async function* () { yield 1; });
 * await (calls.methods as Record<string, () => Promise<unknown>>)["ping"]?.(); // "a result"
 * ```
 */
export function streamingCalls(
  call: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<unknown>,
  notify: (method: string, params?: JsonRpcParams, options?: CallOptions) => Promise<void>,
  open: (method: string, params: JsonRpcParams | undefined, options: StreamOptions) => RemoteStream<unknown>,
): ReturnType<ClientStreams> {
  // Which methods may be resumed (`x-stream`), asked of the service at the first stream that does not say.
  let resumable: Promise<Map<unknown, unknown>> | undefined;
  const learn = async (): Promise<Map<unknown, unknown>> => {
    const document = (await call("rpc.discover").catch(() => undefined)) as { methods?: unknown } | undefined;
    const methods = Array.isArray(document?.methods) ? (document.methods as ({ name?: unknown; "x-stream"?: { resumable?: unknown } } | null)[]) : [];
    return new Map(methods.map((method) => [method?.name, method?.["x-stream"]?.resumable === true]));
  };
  async function* stream(method: string, params?: JsonRpcParams, streamOptions: StreamOptions = {}): RemoteStream<unknown> {
    const resume = streamOptions.resume ?? (await (resumable ??= learn())).get(method) === true;
    return yield* open(method, params, { ...streamOptions, resume });
  }
  const callOrStream = (method: string, params: unknown[], callOptions?: CallOptions): Promise<unknown> => {
    let opened: RemoteStream<unknown> | undefined;
    const start = (): RemoteStream<unknown> => (opened ??= stream(method, params, callOptions));
    const answer = new Promise((resolve, reject) => {
      queueMicrotask(() => {
        if (opened === undefined) call(method, params, callOptions).then(resolve, reject);
      });
    });
    return Object.assign(answer, {
      [Symbol.asyncIterator]: start,
      next: () => start().next(),
      return: (value: unknown) => start().return(value),
      throw: (error: unknown) => start().throw(error),
    });
  };
  return {
    ...callsWith(callOrStream, notify),
    with: (callOptions: CallOptions) => callsWith(callOrStream, notify, callOptions),
    stream,
  };
}

/** Waits on the service, for at most the stream's idleTimeout (then the request is aborted). */
type Wait = <T>(promise: Promise<T>) => Promise<T>;

/** One Server-Sent Event, as read. */
interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * Calls a streaming method and reads its events (see the module's description).
 *
 * @param to The endpoint, or what finds one for each request (`true` after a drop: an instance
 *   that answers now), for a client of several instances.
 * @param options The client's options (token, headers, fetch, maxResponseBytes for one event).
 * @param method The method's name.
 * @param params Its params, positional or named.
 * @param stream This stream's options (signal, resume, attempts).
 * @returns The items, as they come.
 * @example
 * ```ts
 * import { openStream } from "./stream.ts";
 * for await (const item of openStream("http://127.0.0.1:5000/api", {}, "ticks", [3], {})) console.log(item);
 * ```
 */
export async function* openStream(
  to: string | ((retry: boolean) => Promise<string>),
  options: ClientOptions,
  method: string,
  params: JsonRpcParams | undefined,
  stream: StreamOptions,
): RemoteStream<unknown> {
  const id = nextId();
  const body = JSON.stringify(request(method, params, id));
  const limit = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const attempts = stream.attempts ?? 5;
  const idle = stream.idleTimeout ?? 30_000;
  const abort = new AbortController();
  const signal = stream.signal === undefined ? abort.signal : AbortSignal.any([stream.signal, abort.signal]);
  let lastId = stream.lastEventId;
  let failed = 0;
  try {
    for (;;) {
      let events: AsyncGenerator<ServerSentEvent, void> | undefined;
      let dropped: unknown;
      // Silence while waiting on the service ends this request (see idleTimeout).
      const quiet = new AbortController();
      const wait: Wait = (promise) => {
        // (A timer past 2^31-1 ms would fire at once: that long is no limit.)
        const timer = idle < 2 ** 31 ? setTimeout(() => {
          quiet.abort();
        }, idle) : undefined;
        return promise.finally(() => {
          clearTimeout(timer);
        });
      };
      // Several instances: the URL of one that answers now (another one after a drop).
      const url = typeof to === "string" ? to : await to(failed > 0);
      try {
        const headers = await headersFor(options, stream);
        headers.set("accept", "text/event-stream");
        if (lastId !== undefined) headers.set("last-event-id", lastId);
        const response = await wait((options.fetch ?? fetch)(url, { method: "POST", headers, body, signal: AbortSignal.any([signal, quiet.signal]), redirect: "manual" }));
        if (!/^text\/event-stream/i.test(response.headers.get("content-type") ?? "")) {
          // No stream: a JSON-RPC error (the call cannot stream, a limit), or no JSON-RPC answer at all.
          throw errorOf(url, await response.json().catch(() => undefined));
        }
        events = readEvents(response.body as ReadableStream<Uint8Array>, limit, url, wait);
        for await (const event of events) {
          if (event.event === "response") {
            const answer = JSON.parse(event.data) as { error?: unknown; result?: unknown };
            if (answer.error != null) throw errorOf(url, answer);
            return answer.result;
          }
          if (event.event !== "message") continue;
          if (event.id !== undefined) lastId = event.id;
          failed = 0;
          yield JSON.parse(event.data) as unknown;
        }
        dropped = new TransportError(url, "network", "the stream ended before its response");
      } catch (error) {
        // Only the caller aborts it while it runs.
        if (signal.aborted) throw new TransportError(url, "aborted", "the call was aborted", undefined, stream.signal?.reason);
        if (quiet.signal.aborted) dropped = new TransportError(url, "network", `silent for ${idle} ms (idleTimeout)`);
        // An instance that cannot serve it now (-32004: stopping, too many streams) or whose limit
        // ended it (-32002) is a drop for a resumable stream: elsewhere, or later, it goes on.
        else if (error instanceof RpcError && stream.resume === true && (error.code === -32004 || error.code === -32002)) dropped = error;
        // Other answers are thrown as they are; what fetch or the body's reading threw is the network's.
        else if (error instanceof RpcError || error instanceof TransportError || error instanceof SyntaxError) throw error;
        else dropped = new TransportError(url, "network", error instanceof Error ? error.message : String(error), undefined, error);
      } finally {
        await events?.return();
      }
      if (stream.resume !== true || ++failed > attempts) throw dropped;
      // Backing off, with full jitter, from 100 ms up to 5 s.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5_000, 100 * 2 ** failed)));
    }
  } finally {
    // Ends the request (if it is still open): the service ends the stream, and its generator's `finally` runs.
    abort.abort();
  }
}

/**
 * The events of a `text/event-stream` body, as the HTML standard parses them (lines ended by CR,
 * LF or CRLF; `:` comments skipped; `data` lines joined by LF; an event without data dropped).
 * Each read goes through `wait`, so silence is timed only while the stream is read.
 */
async function* readEvents(body: ReadableStream<Uint8Array>, limit: number, url: string, wait: Wait): AsyncGenerator<ServerSentEvent, void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (let read = await wait(reader.read()); !read.done; read = await wait(reader.read())) {
      // A CR at the very end may be the first half of a CRLF: it stays with the rest until what follows comes.
      const lines = (rest + decoder.decode(read.value, { stream: true })).split(/\r\n|\r(?!$)|\n/);
      rest = lines.pop() as string;
      if (rest.length > limit) throw new TransportError(url, "bad-response", `an event is larger than ${limit} bytes (maxResponseBytes)`);
      for (const line of lines) {
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", data: data.join("\n"), id };
          event = "";
          data = [];
        } else {
          // The field's name up to the first colon (none for a comment), its value after it and one space.
          const [, field, value = ""] = /^([^:]*):? ?(.*)$/s.exec(line) as string[];
          if (field === "data") data.push(value);
          else if (field === "event") event = value;
          else if (field === "id" && !value.includes("\0")) id = value;
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
