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

  const take = (request: RequestContext, batch: boolean, streaming: { reply: PlainReply | undefined }, abort: AbortController) =>
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
            error: (thrown) => errorObjectFor(target as DispatchTarget, thrown, method),
            ended: () => {
              open--;
            },
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
    const streaming: { -readonly [K in keyof StreamingRequest]: StreamingRequest[K] } = {
      headers: request.headers,
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

  return {
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
}

/** The endpoint's reply, or the stream's in its place (with the reply's headers, the stream's over them). */
function streamed(reply: PlainReply, stream: PlainReply | undefined): PlainReply {
  return stream === undefined ? reply : { ...stream, headers: { ...reply.headers, ...stream.headers } };
}

/** The deadline an `X-Request-Timeout` header gives (`Date.now()` ms), when it is a whole number of ms. */
function deadlineOf(budget: string | null): number | undefined {
  return budget !== null && /^\d{1,12}$/.test(budget) ? Date.now() + Number(budget) : undefined;
}

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
