/**
 * Streaming methods over the client's WebSocket: the call goes as a request, each item comes as an
 * `rpc.stream` notification with the call's id and an event number, and the call's response ends
 * the stream (its result, or its error thrown). Leaving the loop sends `rpc.cancel`. A resumable
 * stream survives a drop: after the reconnect it is asked again with `lastEventId`, the last event
 * seen, so it goes on with nothing lost or repeated.
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { TransportError } from "../client/errors.ts";
import { type ClientStreams, type StreamOptions, streamingCalls } from "../client/stream.ts";
import { errorOf, request } from "../client/transport.ts";
import type { RemoteStream } from "../client/types.ts";
import type { Upstream } from "../client/upstream.ts";
import { backoff } from "./client_socket.ts";
import type { Exchange, Wire } from "./client_wire.ts";

/**
 * The `streams` option of a client of one WebSocket (`socket.streams`): streams go over that
 * socket. Given to a client of another upstream, it throws a `TypeError`.
 *
 * @param socket The socket's upstream (what the client must be made with).
 * @param wire Its connection.
 * @returns The `streams` option.
 * @example
 * ```ts
 * import { createClient } from "../client/client.ts";
 * import { openWebSocket } from "./client.ts";
 * const socket = openWebSocket("ws://127.0.0.1:5000/api");
 * const clock = createClient(socket, { streams: socket.streams });
 * for await (const tick of clock.stream("ticks", [3])) console.log(tick);
 * ```
 */
export function socketStreams(socket: Upstream, wire: Wire): ClientStreams {
  return (upstream, _options, call, notify) => {
    if (upstream !== socket) throw new TypeError("socket.streams streams over its own WebSocket: give it to a client of that socket, createClient(socket, { streams: socket.streams })");
    return streamingCalls(call, notify, (method, params, options) => openSocketStream(wire, method, params, options));
  };
}

/**
 * Calls a streaming method over the connection and gives its items as they come (see the module's
 * description).
 *
 * @param wire The connection.
 * @param method The method's name.
 * @param params Its params, positional or named.
 * @param options Its signal, whether it is resumed after a drop, how many times in a row a
 *   `-32004`/`-32002` answer is asked again (`attempts`), and a `lastEventId` to start after.
 * @returns The items; the iteration's return value is the method's result.
 * @example
 * ```ts
 * import { Wire } from "./client_wire.ts";
 * import { openSocketStream } from "./client_streams.ts";
 * const wire = new Wire("ws://127.0.0.1:5000/api", {});
 * for await (const tick of openSocketStream(wire, "ticks", [3], {})) console.log(tick);
 * ```
 */
export async function* openSocketStream(wire: Wire, method: string, params: JsonRpcParams | undefined, options: StreamOptions): RemoteStream<unknown> {
  const url = wire.url;
  const id = wire.id();
  const base = request(method, params, id);
  const resume = options.resume === true;
  const attempts = options.attempts ?? 5;
  const signal = options.signal;
  let lastEventId = options.lastEventId;
  // The events at or below it were given already (a numeric lastEventId): never given twice.
  let seen = lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : 0;
  const items: unknown[] = [];
  let end: { readonly result: unknown } | { readonly error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let failed = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const settle = (how: { readonly result: unknown } | { readonly error: unknown }): void => {
    end ??= how;
    wake?.();
  };
  const exchange: Exchange = {
    again: resume,
    written: false,
    text: () => JSON.stringify(lastEventId === undefined ? base : { ...base, lastEventId }),
    item: (item) => {
      const event = item.event;
      if (typeof event === "number") {
        if (resume && event <= seen) return;
        seen = event;
      }
      if (typeof event === "number" || typeof event === "string") lastEventId = String(event);
      failed = 0;
      items.push(item.item);
      wake?.();
    },
    answer: (reply) => {
      if (reply.error == null) { settle({ result: reply.result }); return; }
      const error = errorOf(url, reply);
      // An instance that cannot serve it now (-32004: stopping, too many streams) or whose limit
      // ended it (-32002): a resumable stream is asked again a little later (after a reconnect, if
      // the service is going away: the socket's close follows).
      if (resume && error instanceof RpcError && (error.code === -32004 || error.code === -32002) && ++failed <= attempts) {
        exchange.written = false;
        wire.add([id], exchange, false);
        retry = setTimeout(() => { wire.flush(id); }, backoff(failed, 100, 5_000));
        return;
      }
      settle({ error });
    },
    fail: (error) => { settle({ error }); },
  };
  const aborted = (): void => { settle({ error: new TransportError(url, "aborted", "the call was aborted", undefined, signal?.reason) }); };
  if (signal?.aborted === true) aborted();
  else {
    signal?.addEventListener("abort", aborted, { once: true });
    wire.add([id], exchange);
  }
  try {
    for (;;) {
      if (signal?.aborted === true) aborted();
      else if (items.length > 0) {
        yield items.shift();
        continue;
      }
      if (end !== undefined) {
        if ("error" in end) throw end.error;
        return end.result;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener("abort", aborted);
    clearTimeout(retry);
    // Left before its end (break, an error in the loop, an abort): the service is told to stop it.
    wire.remove([id]);
  }
}
