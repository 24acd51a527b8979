/**
 * Streaming methods (`tsmicroservice/streams`): with `use(streams())`, a method whose handler
 * returns an async iterable (an `async function*`, say) answers a `POST /api` that accepts
 * `text/event-stream` with Server-Sent Events: each item an event with an `id`, then the call's
 * JSON-RPC response as a last event named `response`. See docs/streams.md for the wire format.
 *
 * - **Back-pressure and cancellation.** The next item is asked for only when the socket took the
 *   last one. A caller that leaves ends the stream: the handler's `ctx.signal` aborts and the
 *   generator's `return()` runs its `finally` blocks.
 * - **Limits.** `maxStreams` at once per service (more are refused with `-32004 Unavailable`),
 *   `lifetime` per stream (then it ends with `-32002 Timeout`), a heartbeat comment every
 *   `heartbeat` ms, so proxies keep the connection open.
 * - **Resume.** A method with `resumable: true` gets the `Last-Event-ID` the caller sends as
 *   `ctx.lastEventId`; event ids count items (1, 2, …), continuing after the last id seen.
 * - **Observed.** Used after `metrics()`, `openTelemetry()` or `callLog()` (any plugin with a call
 *   middleware), it tells them each stream's end: the summary its middleware gives back from
 *   `next()` carries `stream`, the promise of a {@linkcode StreamSummary} (the whole duration, the
 *   items sent, whether the caller left).
 * - **Not streamable.** A caller that does not accept `text/event-stream`, a batch entry and a
 *   notification get no stream: `-32600 Invalid Request` for the first two (the handler's body,
 *   for an `async function*`, never ran), nothing for a notification.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { streams } from "./streams.ts";
 * const service = new Service({ name: "clock" })
 *   .use(streams())
 *   .publicMethod("ticks", async function* (count: number) {
 *     for (let tick = 1; tick <= count; tick++) yield { tick };
 *   });
 * ```
 *
 * @module
 */

import type { CallContext, RequestContext } from "../../core/context.ts";
import { type DispatchTarget, errorObjectFor, streamRefusal, targetOf } from "../../core/dispatch.ts";
import { positiveLimit } from "../../core/limits.ts";
import type { Handler, MethodDefinition } from "../../core/method.ts";
import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { RpcError } from "../../protocol/errors.ts";
import type { JsonRpcId } from "../../protocol/messages.ts";
import { REQUEST_TIMEOUT_HEADER } from "../../protocol/headers.ts";
import type { PlainReply, RpcEndpoint, StreamingRequest } from "../../http/rpc_endpoint.ts";
import { endpointOf } from "../../http/endpoint_of.ts";
import { EVENT_STREAM_HEADERS, eventStream } from "../../http/sse.ts";
// The client's side, for `createClient(url, { streams: sseStreams })`.
export { type ClientStreams, sseStreams } from "../../client/stream.ts";
import type { CallMiddleware, CallSummary } from "../../core/call_middleware.ts";
import { type StreamSummary, watchStreams } from "../when_ended.ts";

export type { StreamedSummary, StreamSummary } from "../when_ended.ts";

/**
 * Options of {@linkcode streams}.
 *
 * @example
 * ```ts
 * import type { StreamsOptions } from "./streams.ts";
 * const options: StreamsOptions = { maxStreams: 100, lifetime: 15 * 60_000, heartbeat: 5_000 };
 * ```
 */
export interface StreamsOptions {
  /** How many streams may be open at once in this service; one more is refused (`-32004`). Default 1,000. */
  readonly maxStreams?: number | undefined;
  /**
   * How long a stream may last, in ms; then it ends with a `-32002 Timeout` response event (a
   * client of a resumable method asks again with the last id). Default one hour; `Infinity` for none.
   */
  readonly lifetime?: number | undefined;
  /**
   * How often, in ms, a comment line is sent, to keep proxies (and Bun's 10 s idle timeout) from
   * closing a quiet stream. Default 5,000.
   */
  readonly heartbeat?: number | undefined;
}

/** The defaults of {@linkcode StreamsOptions}. */
const DEFAULT_MAX_STREAMS = 1_000;
const DEFAULT_LIFETIME = 3_600_000;
const DEFAULT_HEARTBEAT = 5_000;

/**
 * The plugin of a service's streams, as returned by {@linkcode streams}.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { type StreamsPlugin, streams } from "./streams.ts";
 * const plugin: StreamsPlugin = streams();
 * new Service({ name: "s" }).use(plugin);
 * plugin.open; // 0: no stream open
 * ```
 */
export interface StreamsPlugin extends Plugin {
  /** How many streams are open now. */
  readonly open: number;
}

/**
 * Whether a method streams by its look: an `async function*` (also bound, as the class style's
 * are), or one declared `resumable`. Any other handler streams too when it returns an async
 * iterable; only these are marked `x-stream` in `rpc.discover`.
 *
 * @param method The method.
 * @returns `true` when it is known to stream.
 * @example
 * ```ts
 * import { isStreamingMethod } from "./streams.ts";
 * import { defineMethod } from "../../core/method.ts";
 * isStreamingMethod(defineMethod("ticks", async function* () { yield 1; })); // true
 * isStreamingMethod(defineMethod("ping", () => "pong")); // false
 * ```
 */
export function isStreamingMethod(method: MethodDefinition): boolean {
  return method.resumable === true || (method.handler as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === "AsyncGeneratorFunction";
}

/**
 * Lets a service's methods stream over Server-Sent Events (see the module's description).
 * Use it after `schemas()`, so a streaming method's `output` schema checks each item.
 *
 * @param options The limits: streams at once, a stream's lifetime, the heartbeat interval.
 * @returns The plugin, for `use()`.
 * @throws {TypeError} When a limit is not a positive number.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import type { CallContext } from "../../core/context.ts";
 * import { streams } from "./streams.ts";
 * const feed = ["a", "b", "c"];
 * const service = new Service({ name: "feed" })
 *   .use(streams({ maxStreams: 100 }))
 *   .publicMethod("follow", async function* (ctx: CallContext) {
 *     // Event ids count items: after id n, the feed goes on with item n + 1.
 *     for (let index = Number(ctx.lastEventId ?? 0); index < feed.length; index++) yield feed[index];
 *   }, { context: true, resumable: true });
 * ```
 */
export function streams(options: StreamsOptions = {}): StreamsPlugin {
  const maxStreams = positiveLimit("maxStreams", options.maxStreams, DEFAULT_MAX_STREAMS);
  const lifetime = positiveLimit("lifetime", options.lifetime, DEFAULT_LIFETIME);
  const heartbeat = positiveLimit("heartbeat", options.heartbeat, DEFAULT_HEARTBEAT);
  let host: PluginHost | undefined;
  let target: DispatchTarget | undefined;
  let open = 0;
  // The `output` checks of streaming methods, applied to each item instead of the result.
  const itemChecks = new Map<string, (item: unknown) => Promise<unknown>>();
  // The request a probe of its headers found (see `observe`): set and read in one synchronous step.
  let probed: Streaming | undefined;

  /**
   * Counts a watched stream's items and tells its end, whichever way it came, to the middleware
   * that gave the call's summary (see `observe`).
   */
  const watch = (streaming: Streaming, items: AsyncIterator<unknown>, close: () => void): { items: AsyncIterator<unknown>; ended: () => void } => {
    const started = performance.now();
    let count = 0;
    let finished = false;
    let threw = false;
    let tell!: (end: StreamEnd) => void;
    streaming.end = new Promise((resolve) => (tell = resolve));
    return {
      items: {
        next: () => Promise.resolve(items.next()).then((step) => {
          if (step.done === true) finished = true;
          else count++;
          return step;
        }, (error: unknown) => {
          threw = true;
          throw error;
        }),
        return: (value?: unknown) => Promise.resolve(items.return?.(value) ?? { done: true, value }),
      },
      ended: () => {
        close();
        const after = performance.now() - started;
        const { failed } = streaming;
        // An item its check refused (or JSON could not carry) was counted, not sent.
        if (failed !== undefined && !threw && !finished) count--;
        let end: StreamEnd = { after, items: count, ok: true, left: false };
        if (failed !== undefined) end = { ...end, ok: false, code: failed.error.code, error: failed.thrown };
        else if (!finished) {
          // Ended by the service (stopping, the lifetime), else the caller left: not a failure.
          if (host?.state === "stopping") end = { ...end, ok: false, code: -32004 };
          else if (after >= lifetime - 1) end = { ...end, ok: false, code: -32002 };
          else end = { ...end, left: true };
        }
        tell(end);
      },
    };
  };

  // A call middleware inside the observers' (metrics, callLog, spans): the summary it gives back
  // of a call that answered with a stream has `stream`, the promise of the stream's end.
  const observe: CallMiddleware = watchStreams((call) => {
    probed = undefined;
    // The request's headers are ours (see `streams`): reading this name tells which request it is.
    call.headers.get(PROBE);
    const streaming = probed as Streaming | undefined;
    probed = undefined;
    if (streaming === undefined) return undefined;
    return {
      watch: () => {
        streaming.watched = true;
      },
      end: () => {
        const { end } = streaming;
        streaming.end = undefined;
        return end;
      },
    };
  });

  const take = (request: RequestContext, batch: boolean, streaming: Streaming, abort: AbortController) =>
    (stream: AsyncIterable<unknown>, id: JsonRpcId, method: string): unknown => {
      let items: AsyncIterator<unknown> | undefined;
      const refuse = (code: number, message: string): never => {
        throw new RpcError(code, message);
      };
      try {
        items = stream[Symbol.asyncIterator]();
        if (batch) refuse(-32600, `Invalid Request: ${method} streams, which a batch cannot carry: call it alone`);
        if (!/\btext\/event-stream\b/i.test(request.headers.get("accept") ?? "")) {
          refuse(-32600, `Invalid Request: ${method} streams: call it with the header Accept: text/event-stream (a client's option streams: sseStreams)`);
        }
        // -32004 Unavailable: this instance cannot take it now; another may, or this one later.
        if (open >= maxStreams) refuse(-32004, `Unavailable: too many streams open (at most ${maxStreams}); try again later`);
        open++;
        let ended = (): void => {
          open--;
        };
        // Watched by observers (a call middleware before this plugin): the stream's end is told to them.
        if (streaming.watched === true) ({ items, ended } = watch(streaming, items, ended));
        streaming.reply = {
          status: 200,
          headers: EVENT_STREAM_HEADERS,
          body: eventStream({
            items,
            id,
            // Ids go on after the caller's last only where the handler was given it.
            firstId: target?.findMethod(method)?.resumable === true ? firstIdAfter(request.headers.get("last-event-id")) : 1,
            heartbeat,
            lifetime,
            check: itemChecks.get(method),
            stopping: () => host?.state === "stopping",
            error: (thrown) => (streaming.failed = { thrown, error: errorObjectFor(target as DispatchTarget, thrown, method) }).error,
            ended,
            abort,
            gone: request.signal,
          }),
        };
        // Nothing is sent of it: the endpoint answers with the stream instead.
        return null;
      } catch (error) {
        // An `async function*` that never ran has nothing to clean; another iterable may.
        Promise.resolve().then(() => items?.return?.()).catch(() => {});
        // The call's answer, as if it threw this.
        return streamRefusal(target as DispatchTarget, error, method);
      }
    };

  /** Makes a body's request able to take a call's stream (the endpoint calls it, as the target's `streams`). */
  const streamable = (text: string, request: RequestContext): StreamingRequest => {
    const abort = new AbortController();
    let signal: AbortSignal | undefined;
    const streaming: Streaming = {
      // Observed: headers that tell `observe`, which sees only them, which request a call is of.
      headers: plugin.call === undefined ? request.headers : {
        get: (name) => {
          if (name !== PROBE) return request.headers.get(name);
          probed = streaming;
          return null;
        },
      },
      // Read here, as dispatch would (which makes a context of its own, without the taker, only
      // for a header it then refuses).
      deadline: request.deadline ?? deadlineOf(request.headers.get(REQUEST_TIMEOUT_HEADER)),
      // Read only when a call asks (on Deno, reading a request's signal prints a notice).
      get signal() {
        if (signal === undefined) {
          const outer = request.signal;
          signal = outer === undefined ? abort.signal : AbortSignal.any([outer, abort.signal]);
        }
        return signal;
      },
      reply: undefined,
    };
    // A batch is an array: its first character (after JSON's whitespace) says so.
    streaming.stream = take(request, /^[ \t\r\n]*\[/.test(text), streaming, abort);
    return streaming;
  };

  const plugin: StreamsPlugin & { call?: CallMiddleware } = {
    name: "streams",
    get open() {
      return open;
    },
    setup(service) {
      host = service;
      target = targetOf(service as unknown as Parameters<typeof targetOf>[0]);
      // Each body's answer through a request that can take a call's stream, and with its events
      // once it took one: the endpoint's own answer (its headers, CORS's say) made a stream's. Wrapped
      // here, so a service without streams carries none of it.
      const endpoint = endpointOf(service) as RpcEndpoint;
      const answer = endpoint.answerBody.bind(endpoint);
      endpoint.answerBody = (text, request, bytes) => {
        const streaming = streamable(text, request);
        const reply = answer(text, streaming, bytes);
        return reply instanceof Promise ? reply.then((settled) => streamed(settled, streaming.reply)) : streamed(reply, streaming.reply);
      };
      // Plugins used before this one with a call middleware (metrics, callLog, spans) are told
      // when a stream ends; without them, calls go on without a middleware of ours.
      if (target.call !== undefined) plugin.call = observe;
    },
    prepare(method) {
      if (!isStreamingMethod(method)) return method;
      let definition: MethodDefinition = method;
      const result = method.checks?.result;
      if (result !== undefined) {
        itemChecks.set(method.name, result);
        const { params } = method.checks ?? {};
        definition = { ...definition, checks: params === undefined ? {} : { params } };
      }
      if (method.resumable === true && method.takesContext) definition = { ...definition, handler: withLastEventId(method.handler) };
      const items = method.schemas?.result;
      const stream = items === undefined ? { resumable: method.resumable === true } : { resumable: method.resumable === true, items };
      return { ...definition, extensions: { ...method.extensions, "x-stream": stream } };
    },
  };
  return plugin;
}

/** The endpoint's reply, or the stream's in its place (with the reply's headers, the stream's over them). */
function streamed(reply: PlainReply, stream: PlainReply | undefined): PlainReply {
  return stream === undefined ? reply : { ...stream, headers: { ...reply.headers, ...stream.headers } };
}

/** The deadline an `X-Request-Timeout` header gives (`Date.now()` ms), when it is a whole number of ms. */
function deadlineOf(budget: string | null): number | undefined {
  return budget !== null && /^\d{1,12}$/.test(budget) ? Date.now() + Number(budget) : undefined;
}

/** The header name `observe` reads to find a call's request (a real header of that name is never read). */
const PROBE = "x-streams-probe";

/** How a watched stream ended, before its call's summary is added. */
interface StreamEnd extends Omit<StreamSummary, keyof CallSummary | "duration"> {
  /** The ms from the stream's start to its end. */
  readonly after: number;
  readonly ok: boolean;
  readonly code?: number;
  readonly error?: unknown;
}

/** A request's state: what the endpoint reads (its reply), and what watching its stream needs. */
type Streaming = { -readonly [K in keyof StreamingRequest]: StreamingRequest[K] } & {
  /** Set by `observe`: a middleware waits to be told the stream's end. */
  watched?: boolean;
  /** The stream's end, once one was taken and watched. */
  end?: Promise<StreamEnd> | undefined;
  /** What ended the stream as an error, when something did. */
  failed?: { readonly thrown: unknown; readonly error: { readonly code: number } };
};

/** The first event id after a resume: the one after the caller's last (a count), else 1. */
function firstIdAfter(lastEventId: string | null): number {
  return lastEventId !== null && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) + 1 : 1;
}

/** A handler given `ctx.lastEventId`: its context (the last argument) with the caller's `Last-Event-ID`. */
function withLastEventId(handler: Handler): Handler {
  return (...args: never[]) => {
    const last = args.length - 1;
    const ctx = args[last] as unknown as CallContext;
    const lastEventId = ctx.headers.get("last-event-id") ?? undefined;
    // A context of its own, the call's underneath: its getters (the signal) still read as they did.
    (args as unknown[])[last] = Object.create(ctx, { lastEventId: { value: lastEventId, enumerable: true } }) as CallContext;
    return handler(...args);
  };
}
