/**
 * A streaming method's items as one `tools/call` result, with a progress report per item on the
 * way. MCP has no streamed tool results: the items reach the client as
 * `notifications/progress` (when it asked for them) and, at the end, all together as the result.
 *
 * @module
 */

import type { JsonRpcErrorObject } from "../protocol/messages.ts";
import { type CallToolResult, errorResult, successResult } from "./tool_result.ts";

/**
 * The most items a streaming tool's result keeps; the stream is ended there (its generator's
 * `finally` runs) and the result says `truncated: true`, so an endless feed still answers.
 *
 * @example
 * ```ts
 * import { MAX_STREAM_ITEMS } from "./stream_result.ts";
 * MAX_STREAM_ITEMS; // 1000
 * ```
 */
export const MAX_STREAM_ITEMS = 1_000;

/** The longest progress message: an item's JSON is clipped there (a progress line is for people). */
const MESSAGE_CHARS = 1_000;

/**
 * What a call that streams gives back: its items, and how to answer what they throw.
 *
 * @example
 * ```ts
 * import type { StreamedOutcome } from "./stream_result.ts";
 * async function* ticks() { yield 1; yield 2; }
 * const outcome: StreamedOutcome = { stream: ticks(), errorOf: () => ({ code: -32603, message: "Internal error" }) };
 * ```
 */
export interface StreamedOutcome {
  /** The items, as the method's handler gave them. */
  readonly stream: AsyncIterable<unknown>;
  /**
   * The error to answer for what the stream threw (an `RpcError`'s own, else `-32603`, reported
   * as the service reports any call's unexpected error).
   *
   * @param thrown What the stream threw.
   * @returns The error object.
   * @example
   * ```ts
   * import type { StreamedOutcome } from "./stream_result.ts";
   * declare const outcome: StreamedOutcome;
   * outcome.errorOf(new Error("disk full")); // { code: -32603, message: "Internal error" }
   * ```
   */
  errorOf(thrown: unknown): JsonRpcErrorObject;
}

/**
 * Reports one item as it comes.
 *
 * @example
 * ```ts
 * import type { ItemReport } from "./stream_result.ts";
 * const log: ItemReport = (count, message) => (console.log(`${count}: ${message}`), Promise.resolve());
 * ```
 */
export type ItemReport = (count: number, message: string) => Promise<void>;

/**
 * Reads a streaming call to its end (or to {@linkcode MAX_STREAM_ITEMS}, or until `signal`
 * aborts), reporting each item, and makes its tool result: `structuredContent`
 * `{ items, count }` (plus `truncated: true` when the stream was cut) and the same as text. A
 * stream that throws gives an `isError` result with the items read before.
 *
 * @param outcome The call's stream.
 * @param report Told of each item (the count so far and the item as text), and awaited: a slow
 *   reader holds the stream still. `undefined`: no reports.
 * @param signal Aborted when the client is gone: the stream is ended (its `finally` runs).
 * @returns The tool result.
 * @example
 * ```ts
 * import { streamedResult } from "./stream_result.ts";
 * async function* ticks() { yield { tick: 1 }; yield { tick: 2 }; }
 * const result = await streamedResult({ stream: ticks(), errorOf: () => ({ code: -32603, message: "Internal error" }) }, undefined);
 * result.structuredContent; // { items: [{ tick: 1 }, { tick: 2 }], count: 2 }
 * ```
 */
export async function streamedResult(outcome: StreamedOutcome, report: ItemReport | undefined, signal?: AbortSignal): Promise<CallToolResult> {
  const items: unknown[] = [];
  let truncated = false;
  let iterator: AsyncIterator<unknown> | undefined;
  let stop: (() => void) | undefined;
  // Settles when the client leaves, so a stream waiting for its next item is not waited for.
  const gone = new Promise<undefined>((resolve) => {
    stop = () => {
      resolve(undefined);
    };
    if (signal?.aborted === true) resolve(undefined);
    else signal?.addEventListener("abort", stop, { once: true });
  });
  try {
    iterator = outcome.stream[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), gone]);
      if (next === undefined || next.done === true) break;
      items.push(next.value);
      if (report !== undefined) await Promise.race([report(items.length, messageOf(next.value)), gone]);
      if (signal?.aborted === true) break;
      if (items.length >= MAX_STREAM_ITEMS) {
        truncated = true;
        break;
      }
    }
  } catch (thrown) {
    iterator = undefined; // a generator that threw is done: nothing to end
    const error = outcome.errorOf(thrown);
    return { ...errorResult(error), structuredContent: { items, count: items.length } };
  } finally {
    if (stop !== undefined) signal?.removeEventListener("abort", stop);
    // Ends a stream left early (client gone, limit reached): the generator's finally blocks run.
    // Not awaited: a generator busy in an await ends only when that settles.
    if (iterator !== undefined) Promise.resolve().then(() => iterator?.return?.()).catch(() => {});
  }
  return successResult(truncated ? { items, count: items.length, truncated } : { items, count: items.length });
}

/** An item as a progress message: a string as it is, anything else as JSON; clipped. */
function messageOf(item: unknown): string {
  let text: string;
  try {
    // JSON.stringify gives undefined for a function or a symbol, whatever its type says.
    const json: unknown = typeof item === "string" ? item : JSON.stringify(item);
    text = typeof json === "string" ? json : String(item);
  } catch {
    text = "(an item JSON cannot carry)";
  }
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}
