/**
 * A call's stream as Server-Sent Events: each item an event with an `id` and the item's JSON as
 * `data`, then the call's JSON-RPC response as a last event named `response`; a comment as a
 * heartbeat at a fixed interval. Pulled, not pushed: the next item is asked of the
 * iterator only when the reader (the socket) takes what came before, so a slow reader holds a
 * fast producer still instead of filling memory.
 *
 * @module
 */

import type { JsonRpcErrorObject, JsonRpcId } from "../protocol/messages.ts";
import { type LongTimer, setLongTimeout } from "../timer.ts";

/**
 * The response headers of an event stream. `x-accel-buffering: no` asks nginx (and proxies that
 * follow it) not to buffer the stream; `cache-control: no-cache` keeps caches from storing it.
 *
 * @example
 * ```ts
 * import { EVENT_STREAM_HEADERS } from "./sse.ts";
 * EVENT_STREAM_HEADERS["content-type"]; // "text/event-stream"
 * ```
 */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
  "x-content-type-options": "nosniff",
};

/**
 * What an event stream is made of.
 *
 * @example
 * ```ts
 * import type { EventStreamParts } from "./sse.ts";
 * async function* count() { yield 1; yield 2; }
 * const parts: EventStreamParts = {
 *   items: count(), id: 1, firstId: 1, heartbeat: 5_000, lifetime: Infinity,
 *   error: () => ({ code: -32603, message: "Internal error" }), ended: () => {}, abort: new AbortController(),
 * };
 * ```
 */
export interface EventStreamParts {
  /** The call's items. */
  readonly items: AsyncIterator<unknown>;
  /** The call's id, for the last event's response. */
  readonly id: JsonRpcId;
  /** The id of the first item's event (the ones after count up by one). */
  readonly firstId: number;
  /** How often, in ms, a heartbeat comment is sent. */
  readonly heartbeat: number;
  /** How long, in ms, the stream may last (`Infinity`: no limit); then it ends with `-32002`. */
  readonly lifetime: number;
  /** Checks (and may transform) each item before it is sent (the `output` schema's check). */
  readonly check?: ((item: unknown) => Promise<unknown>) | undefined;
  /** Asked at each heartbeat: `true` ends the stream with `-32004` (the service is stopping). */
  readonly stopping?: (() => boolean) | undefined;
  /** The error to answer for what the iterator (or the check) threw. */
  readonly error: (thrown: unknown) => JsonRpcErrorObject;
  /** Told once, when the stream ends, whichever way. */
  readonly ended: () => void;
  /** Aborted when the stream ends before its iterator did (the reader left, a limit): its signal is the handler's. */
  readonly abort: AbortController;
  /** Aborted when the reader is gone (the request's signal): the stream ends at once, not at its next chunk. */
  readonly gone?: AbortSignal | undefined;
}

const encoder = new TextEncoder();
/** The most characters of events sent as one chunk. */
const BATCH_CHARS = 16_384;

/**
 * Makes the event stream of a call's items (see the module's description for the wire format).
 *
 * @param parts The items, ids, limits and what to tell.
 * @returns The stream's bytes, to send as the body of a `text/event-stream` response.
 * @example
 * ```ts
 * import { eventStream } from "./sse.ts";
 * async function* count() { yield 1; yield 2; return "done"; }
 * const stream = eventStream({
 *   items: count(), id: 7, firstId: 1, heartbeat: 5_000, lifetime: Infinity,
 *   error: () => ({ code: -32603, message: "Internal error" }), ended: () => {}, abort: new AbortController(),
 * });
 * await new Response(stream).text();
 * // ':\n\nid: 1\ndata: 1\n\nid: 2\ndata: 2\n\nevent: response\ndata: {"jsonrpc":"2.0","result":"done","id":7}\n\n'
 * ```
 */
export function eventStream(parts: EventStreamParts): ReadableStream<Uint8Array> {
  const { items, id, check } = parts;
  let nextId = parts.firstId;
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let lifetime: LongTimer | undefined;
  const send = (text: string): void => {
    controller.enqueue(encoder.encode(text));
  };
  /** Ends the stream: with a last response event, unless the reader left; the iterator closed unless it finished. */
  const end = (response: { result: unknown } | { error: JsonRpcErrorObject } | undefined, finished: boolean): void => {
    if (ended) return;
    ended = true;
    clearInterval(ticker);
    clearTimeout(lifetime?.id);
    if (!finished) {
      parts.abort.abort();
      // Its `finally` blocks run (once it reaches a `yield`, if it is busy now).
      Promise.resolve().then(() => items.return?.()).catch(() => {});
    }
    if (response !== undefined) {
      let text: string;
      try {
        text = JSON.stringify({ jsonrpc: "2.0", ...response, id });
      } catch (error) {
        text = JSON.stringify({ jsonrpc: "2.0", error: parts.error(error), id });
      }
      send(`event: response\ndata: ${text}\n\n`);
      controller.close();
    }
    parts.ended();
  };
  const fail = (thrown: unknown, finished: boolean): void => {
    end({ error: parts.error(thrown) }, finished);
  };
  return new ReadableStream<Uint8Array>({
    start(given) {
      controller = given;
      // At once, so the headers go out before the first item is ready: a comment, then the
      // reconnection delay EventSource clients wait. Two chunks, as the node adapter writes a
      // first chunk only with the second (to send a short body in one write).
      send(":\n\n");
      send("retry: 1000\n\n");
      ticker = setInterval(() => {
        if (parts.stopping?.() === true) {
          end({ error: { code: -32004, message: "Unavailable: the service is stopping" } }, false);
          return;
        }
        // Every tick, busy or not (so the longest silence is one interval), but never onto a
        // queue the reader is not taking.
        if ((controller.desiredSize ?? 0) >= 0) send(":\n\n");
      }, parts.heartbeat);
      const gone = parts.gone;
      if (gone?.aborted === true) {
        queueMicrotask(() => {
          end(undefined, false);
        });
      }
      gone?.addEventListener("abort", () => {
        end(undefined, false);
      });
      lifetime = setLongTimeout(() => {
        end({ error: { code: -32002, message: `Timeout: the stream lasted its limit of ${parts.lifetime} ms` } }, false);
      }, parts.lifetime);
    },
    // Items that come within one turn of the event loop go out together (up to BATCH_CHARS): a
    // fast generator's events make one chunk per turn instead of one each (a chunk costs more than
    // an event). At the turn's end, what was gathered goes out even while the next item is awaited,
    // so a slow generator's items are never held back; a pull sends at most two chunks.
    async pull() {
      let text = "";
      let turnOver = false;
      const flush = (): void => {
        if (text !== "" && !ended) send(text);
        text = "";
      };
      const turn = setTimeout(() => {
        turnOver = true;
        flush();
      }, 0);
      try {
        for (;;) {
          let step: IteratorResult<unknown>;
          try {
            step = await items.next();
          } catch (error) {
            flush();
            fail(error, true);
            return;
          }
          if (ended) return;
          if (step.done === true) {
            flush();
            end({ result: step.value ?? null }, true);
            return;
          }
          let data: unknown = step.value;
          try {
            if (check !== undefined) data = await check(data);
            // JSON has no text for undefined (nor functions): null, as in an array.
            // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify's type omits undefined
            data = JSON.stringify(data) ?? "null";
          } catch (error) {
            flush();
            fail(error, false);
            return;
          }
          // (Changed while the check ran, which TypeScript cannot see.)
          if (ended as boolean) return;
          // JSON escapes line breaks inside strings, so one `data:` line always carries the item.
          text += `id: ${nextId++}\ndata: ${data as string}\n\n`;
          // (turnOver is set by the timer, which TypeScript cannot see.)
          if ((turnOver as boolean) || text.length >= BATCH_CHARS) break;
        }
        flush();
      } finally {
        clearTimeout(turn);
      }
    },
    cancel() {
      end(undefined, false);
    },
  }, { highWaterMark: 0 });
}
