/**
 * Batches: several calls and notifications in one POST, each call's result or error given back in
 * the order the entries were written.
 *
 * @module
 */

import type { JsonRpcParams } from "../protocol/messages.ts";
import type { RpcError } from "../protocol/errors.ts";
import type { TransportError } from "./errors.ts";
import { callsWith } from "./proxy.ts";
import { type AnswerRead, type CallOptions, type ClientOptions, errorOf, nextId, post, request, resultOf } from "./transport.ts";
import type { ArgsOf, NamedParams, ResultOf } from "./types.ts";

/**
 * A call written into a batch; its result type rides along for the batch's result tuple.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import type { BatchCall } from "./batch.ts";
 * const remote = createClient<{ add(a: number, b: number): number }>("http://127.0.0.1:5000/api");
 * await remote.batch((batch) => {
 *   const entry: BatchCall<number> = batch.methods.add(1, 2);
 *   return [entry];
 * });
 * ```
 */
export interface BatchCall<R> {
  /** The method's name. */
  readonly method: string;
  /** The params. */
  readonly params: JsonRpcParams | undefined;
  /** `false`: an answer is expected. */
  readonly notification: false;
  /** Type-only: the result type. Never set. */
  readonly "~result"?: R;
}

/**
 * A notification written into a batch.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * import type { BatchNotification } from "./batch.ts";
 * const remote = createClient<{ log(line: string): void }>("http://127.0.0.1:5000/api");
 * await remote.batch((batch) => {
 *   const entry: BatchNotification = batch.notifications.log("hello");
 *   return [entry];
 * });
 * ```
 */
export interface BatchNotification {
  /** The method's name. */
  readonly method: string;
  /** The params. */
  readonly params: JsonRpcParams | undefined;
  /** `true`: no answer is expected. */
  readonly notification: true;
}

/**
 * Any entry of a batch.
 *
 * @example
 * ```ts
 * import type { BatchEntry } from "./batch.ts";
 * const entries: BatchEntry[] = [
 *   { method: "add", params: [1, 2], notification: false },
 *   { method: "log", params: ["added"], notification: true },
 * ];
 * ```
 */
export type BatchEntry = BatchCall<unknown> | BatchNotification;

/**
 * The outcome of one call of a batch: its result, or the error it got.
 *
 * @typeParam R The call's result type.
 * @example
 * ```ts
 * import type { Settled } from "./batch.ts";
 * function show(outcome: Settled<number>): string {
 *   return outcome.ok ? `result ${outcome.value}` : `error ${outcome.error.message}`;
 * }
 * ```
 */
export type Settled<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: RpcError | TransportError };

/**
 * What a batch resolves to: for each entry, in order, a {@linkcode Settled} for a call and
 * `undefined` for a notification.
 *
 * @typeParam T The batch's entries.
 * @example
 * ```ts
 * import type { BatchCall, BatchNotification, BatchResults } from "./batch.ts";
 * type Results = BatchResults<[BatchCall<number>, BatchNotification]>; // [Settled<number>, undefined]
 * const results: Results = [{ ok: true, value: 3 }, undefined];
 * ```
 */
export type BatchResults<T extends readonly BatchEntry[]> = {
  -readonly [I in keyof T]: T[I] extends BatchCall<infer R> ? Settled<R> : undefined;
};

/**
 * What a batch's callback writes entries with: the same shape as the client (`methods`,
 * `notifications`, `call`, `notify`), but each entry is only recorded, to be sent together.
 *
 * @example
 * ```ts
 * import { createClient } from "./client.ts";
 * type Calculator = { add(a: number, b: number): number; subtract(minuend: number, subtrahend: number): number; log(line: string): void };
 * const remote = createClient<Calculator>("http://127.0.0.1:5000/api");
 * const [sum, , difference] = await remote.batch((batch) => [
 *   batch.methods.add(1, 2),
 *   batch.notifications.log("adding"),
 *   batch.call("subtract", { minuend: 42, subtrahend: 23 }), // named params
 * ]);
 * ```
 */
export interface BatchBuilder<M> {
  /** One function per remote method, recording a call. */
  readonly methods: { readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => BatchCall<ResultOf<M[K]>> };
  /** One function per remote method, recording a notification. */
  readonly notifications: { readonly [K in keyof M & string]: (...args: ArgsOf<M[K]>) => BatchNotification };
  /**
   * Records a call with positional (array) or named (object) params.
   *
   * @param method The method's name.
   * @param params Its params.
   * @returns The entry.
   * @throws {RpcError} When (after `connect`) the service does not offer the method.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient("http://127.0.0.1:5000/api");
   * const [difference] = await remote.batch((batch) => [batch.call("subtract", { minuend: 42, subtrahend: 23 })]);
   * ```
   */
  call<K extends keyof M & string>(method: K, params?: ArgsOf<M[K]> | NamedParams): BatchCall<ResultOf<M[K]>>;
  /**
   * Records a notification with positional (array) or named (object) params.
   *
   * @param method The method's name.
   * @param params Its params.
   * @returns The entry.
   * @throws {RpcError} When (after `connect`) the service does not offer the method.
   * @example
   * ```ts
   * import { createClient } from "./client.ts";
   * const remote = createClient("http://127.0.0.1:5000/api");
   * const [sum, logged] = await remote.batch((batch) => [batch.call("add", [1, 2]), batch.notify("log", ["added"])]);
   * // logged is undefined: a notification has no outcome
   * ```
   */
  notify<K extends keyof M & string>(method: K, params?: ArgsOf<M[K]> | NamedParams): BatchNotification;
}

/**
 * Makes the builder a batch's callback receives.
 *
 * @param check Throws when a method name is not one the service offers.
 * @returns The builder.
 * @example
 * ```ts
 * import { batchBuilder } from "./batch.ts";
 * batchBuilder(() => {}).call("add", [1, 2]); // { method: "add", params: [1, 2], notification: false }
 * ```
 */
export function batchBuilder(check: (method: string) => void): BatchBuilder<Record<string, (...args: unknown[]) => unknown>> {
  const entry = <N extends boolean>(notification: N) => (method: string, params?: JsonRpcParams) => {
    check(method);
    return { method, params, notification };
  };
  const call = entry(false);
  const notify = entry(true);
  // The client's own proxies, made over the builder's entries (no options: entry ignores them).
  const built = callsWith(call, notify as never) as unknown as Pick<BatchBuilder<Record<string, (...args: unknown[]) => unknown>>, "methods" | "notifications">;
  return { ...built, call, notify };
}

/**
 * Sends a batch's entries in one POST and matches the answers to the calls by id.
 *
 * @param url The endpoint.
 * @param options The client's options.
 * @param entries The entries, in order.
 * @param callOptions The batch's signal and timeout.
 * @returns For each entry, a {@linkcode Settled} for a call and `undefined` for a notification. An
 *   empty batch sends nothing.
 * @throws {TransportError} When the batch got no JSON-RPC answer at all.
 * @throws {RpcError} When the server refused the whole batch with one error.
 * @example
 * ```ts
 * import { sendBatch } from "./batch.ts";
 * await sendBatch("http://127.0.0.1:5000/api", {}, [
 *   { method: "say_hello", params: ["ann"], notification: false },
 *   { method: "say_hello", params: ["bob"], notification: true },
 * ]); // [{ ok: true, value: "hello ann" }, undefined]
 * ```
 */
export async function sendBatch(
  url: string,
  options: ClientOptions,
  entries: readonly BatchEntry[],
  callOptions?: CallOptions,
): Promise<(Settled<unknown> | undefined)[]> {
  if (entries.length === 0) return [];
  const ids = entries.map((entry) => (entry.notification ? undefined : nextId()));
  const answer = await post(url, options, entries.map((entry, i) => request(entry.method, entry.params, ids[i])), callOptions);
  return settleBatch(url, ids, answer);
}

/**
 * Reads the answer to a batch: each call's outcome, found by its id.
 *
 * @param url The endpoint (for error messages).
 * @param ids Each entry's id, `undefined` for a notification.
 * @param answer The parsed answer.
 * @returns For each entry, a {@linkcode Settled} for a call and `undefined` for a notification.
 * @throws {TransportError} When the answer is not a batch answer.
 * @throws {RpcError} When the server refused the whole batch with one error.
 * @example
 * ```ts
 * import { settleBatch } from "./batch.ts";
 * settleBatch("http://localhost/api", [1, undefined], [{ jsonrpc: "2.0", result: 3, id: 1 }]);
 * // [{ ok: true, value: 3 }, undefined]
 * ```
 */
export function settleBatch(url: string, ids: readonly (number | undefined)[], answer: unknown): (Settled<unknown> | undefined)[] {
  if (!Array.isArray(answer)) {
    // Nothing comes back when every entry is a notification; one error object refuses the batch.
    if (answer === undefined && ids.every((id) => id === undefined)) return [...ids]; // all undefined
    throw errorOf(url, answer);
  }
  const byId = new Map((answer as AnswerRead[]).map((reply) => [reply?.id, reply]));
  return ids.map((id): Settled<unknown> | undefined => {
    if (id === undefined) return undefined;
    try {
      return { ok: true, value: resultOf(url, byId.get(id), id) };
    } catch (error) {
      return { ok: false, error: error as RpcError | TransportError };
    }
  });
}
