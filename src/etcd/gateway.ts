/**
 * The few calls of etcd v3's JSON gateway (`/v3/…`, POST with JSON bodies) that registration and
 * discovery need, made with `fetch`. Keys and values travel base64-encoded; int64 values (lease
 * IDs, revisions) travel as decimal strings and are kept as strings, since they exceed
 * `Number.MAX_SAFE_INTEGER`.
 *
 * @module
 */

import type { FetchFunction } from "../client/transport.ts";

/**
 * An error etcd answered, or the failure to reach any of its endpoints.
 *
 * @example
 * ```ts
 * import { EtcdError } from "./gateway.ts";
 * const error = new EtcdError("etcdserver: requested lease not found", 5);
 * error.code; // 5 (gRPC NOT_FOUND)
 * ```
 */
export class EtcdError extends Error {
  /** The gRPC status code etcd gave, or `undefined` when etcd could not be reached. */
  readonly code: number | undefined;
  /** `true` when a watch message was longer than the bound the watch was given. */
  readonly tooLarge: boolean;

  /**
   * Makes the error.
   *
   * @param message What went wrong.
   * @param code The gRPC status code, when etcd answered.
   * @param cause The underlying error, if any.
   * @param tooLarge `true` for a watch message over its bound.
   * @example
   * ```ts
   * import { EtcdError } from "./gateway.ts";
   * new EtcdError("no etcd endpoint answered");
   * ```
   */
  constructor(message: string, code?: number, cause?: unknown, tooLarge = false) {
    super(message, { cause });
    this.name = "EtcdError";
    this.code = code;
    this.tooLarge = tooLarge;
  }
}

/**
 * A key and its value, decoded.
 *
 * @example
 * ```ts
 * import type { KeyValue } from "./gateway.ts";
 * const kv: KeyValue = { key: "/tsmicroservice/orders/a1", value: '{"url":"http://10.0.0.5:5000/api"}' };
 * ```
 */
export interface KeyValue {
  /** The key. */
  readonly key: string;
  /** The value (empty for a deleted key). */
  readonly value: string;
}

/**
 * One change a watch saw.
 *
 * @example
 * ```ts
 * import type { WatchEvent } from "./gateway.ts";
 * const event: WatchEvent = { type: "DELETE", kv: { key: "/tsmicroservice/orders/a1", value: "" } };
 * ```
 */
export interface WatchEvent {
  /** What happened to the key. */
  readonly type: "PUT" | "DELETE";
  /** The key, and its new value for a PUT. */
  readonly kv: KeyValue;
}

/**
 * The longest message a watch takes by default, in characters: 8 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_WATCH_LINE } from "./gateway.ts";
 * DEFAULT_MAX_WATCH_LINE; // 8388608
 * ```
 */
export const DEFAULT_MAX_WATCH_LINE = 8 * 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a string's UTF-8 bytes as base64, as etcd's gateway wants keys and values.
 *
 * @param text The text.
 * @returns Its base64.
 * @example
 * ```ts
 * import { toBase64 } from "./gateway.ts";
 * toBase64("/svc/"); // "L3N2Yy8="
 * ```
 */
export function toBase64(text: string): string {
  return bytesToBase64(encoder.encode(text));
}

/**
 * Decodes base64 into UTF-8 text.
 *
 * @param base64 The base64.
 * @returns The text.
 * @example
 * ```ts
 * import { fromBase64 } from "./gateway.ts";
 * fromBase64("L3N2Yy8="); // "/svc/"
 * ```
 */
export function fromBase64(base64: string): string {
  return decoder.decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
}

/**
 * The end of the range of every key that starts with a prefix: the prefix with its last byte
 * raised by one, base64-encoded.
 *
 * @param prefix The prefix (not empty).
 * @returns The base64 `range_end`.
 * @example
 * ```ts
 * import { fromBase64, prefixEnd } from "./gateway.ts";
 * fromBase64(prefixEnd("/svc/")); // "/svc0"
 * ```
 */
export function prefixEnd(prefix: string): string {
  const bytes = encoder.encode(prefix);
  if (bytes.length === 0) return toBase64("\0"); // every key
  // UTF-8 never holds a 0xff byte: the last byte plus one is always a byte, with nothing to carry.
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) + 1;
  return bytesToBase64(bytes);
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A client of etcd's JSON gateway over one or more etcd endpoints: each request goes to the
 * endpoint that answered last, and to the next ones when it cannot be reached.
 *
 * @example
 * ```ts
 * import { EtcdGateway } from "./gateway.ts";
 * const etcd = new EtcdGateway(["http://127.0.0.1:2379"]);
 * const lease = await etcd.grant(10);
 * await etcd.put("/tsmicroservice/orders/a1", '{"url":"http://10.0.0.5:5000/api"}', lease);
 * ```
 */
export class EtcdGateway {
  readonly #endpoints: readonly string[];
  readonly #fetch: FetchFunction | undefined;
  readonly #timeout: number;
  #current = 0;

  /**
   * Makes the client.
   *
   * @param endpoints etcd's client URLs, such as `["http://127.0.0.1:2379"]`.
   * @param fetch The `fetch` to use. Default: the global one.
   * @param timeout How long one request may take, in ms. Default `3000`.
   * @throws {TypeError} When no endpoint is given.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * new EtcdGateway(["http://10.0.0.2:2379", "http://10.0.0.3:2379"]);
   * ```
   */
  constructor(endpoints: readonly string[], fetch?: FetchFunction, timeout = 3_000) {
    if (endpoints.length === 0) throw new TypeError("etcd needs at least one endpoint");
    this.#endpoints = endpoints.map((endpoint) => endpoint.replace(/\/+$/, ""));
    this.#fetch = fetch;
    this.#timeout = timeout;
  }

  /**
   * POSTs a JSON body to a gateway path and gives back the response's body, unread.
   *
   * @param path Such as `/v3/watch`.
   * @param body The JSON body.
   * @param signal Aborts the request (and, for a stream, its reading).
   * @param stream `true` for a streaming answer: no timeout once the headers came.
   * @returns The response.
   * @throws {EtcdError} When no endpoint could be reached, or etcd answered an error status.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const response = await new EtcdGateway(["http://127.0.0.1:2379"]).open("/v3/kv/range", { key: "AA==" });
   * ```
   */
  async open(path: string, body: unknown, signal?: AbortSignal, stream = false): Promise<Response> {
    let failure: unknown;
    const send = this.#fetch ?? fetch;
    for (let tried = 0; tried < this.#endpoints.length; tried++) {
      const index = (this.#current + tried) % this.#endpoints.length;
      const timer = new AbortController();
      const timeout = setTimeout(() => {
        timer.abort(new EtcdError(`etcd did not answer within ${this.#timeout} ms`));
      }, this.#timeout);
      const signals = signal === undefined ? timer.signal : AbortSignal.any([signal, timer.signal]);
      try {
        const response = await send(`${this.#endpoints[index] ?? ""}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: signals,
        });
        if (!stream) {
          // The whole body under the same timeout.
          const text = await response.text();
          this.#current = index;
          return new Response(text, { status: response.status });
        }
        this.#current = index;
        return response;
      } catch (error) {
        if (signal?.aborted === true) throw error;
        failure = error;
      } finally {
        clearTimeout(timeout);
      }
    }
    throw new EtcdError("no etcd endpoint answered", undefined, failure);
  }

  /**
   * Makes one gateway call and gives back its JSON answer.
   *
   * @param path Such as `/v3/kv/put`.
   * @param body The JSON body.
   * @param signal Aborts the call.
   * @returns The parsed answer.
   * @throws {EtcdError} When etcd could not be reached or answered an error.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * await new EtcdGateway(["http://127.0.0.1:2379"]).call("/v3/lease/grant", { TTL: 10 });
   * ```
   */
  async call(path: string, body: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const response = await this.open(path, body, signal);
    let answer: Record<string, unknown>;
    try {
      answer = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new EtcdError(`etcd answered ${path} with HTTP ${response.status} and no JSON`, undefined, error);
    }
    if (!response.ok || answer["error"] !== undefined) {
      const message = typeof answer["message"] === "string" ? answer["message"] : `HTTP ${response.status}`;
      throw new EtcdError(message, typeof answer["code"] === "number" ? answer["code"] : undefined);
    }
    return answer;
  }

  /**
   * Grants a lease.
   *
   * @param ttl Its time to live in seconds.
   * @param signal Aborts the call.
   * @returns The lease's ID, a decimal string.
   * @throws {EtcdError} When etcd could not be reached or refused.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const lease = await new EtcdGateway(["http://127.0.0.1:2379"]).grant(10); // "3777009580312211974"
   * ```
   */
  async grant(ttl: number, signal?: AbortSignal): Promise<string> {
    const answer = await this.call("/v3/lease/grant", { TTL: ttl }, signal);
    if (typeof answer["ID"] !== "string") throw new EtcdError("etcd granted no lease");
    return answer["ID"];
  }

  /**
   * Renews a lease once.
   *
   * @param lease The lease's ID.
   * @param signal Aborts the call.
   * @returns Its time to live in seconds, or `undefined` when the lease is gone (it expired).
   * @throws {EtcdError} When etcd could not be reached.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const etcd = new EtcdGateway(["http://127.0.0.1:2379"]);
   * await etcd.keepAlive(await etcd.grant(10)); // 10
   * ```
   */
  async keepAlive(lease: string, signal?: AbortSignal): Promise<number | undefined> {
    const answer = await this.call("/v3/lease/keepalive", { ID: lease }, signal);
    // An expired lease's renewal answers with no TTL at all (0 is left out of the JSON).
    const ttl = Number((answer["result"] as { TTL?: unknown } | undefined)?.TTL ?? 0);
    return ttl > 0 ? ttl : undefined;
  }

  /**
   * Revokes a lease: every key attached to it is deleted.
   *
   * @param lease The lease's ID.
   * @param signal Aborts the call.
   * @returns Once revoked.
   * @throws {EtcdError} When etcd could not be reached or does not know the lease.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const etcd = new EtcdGateway(["http://127.0.0.1:2379"]);
   * await etcd.revoke(await etcd.grant(10));
   * ```
   */
  async revoke(lease: string, signal?: AbortSignal): Promise<void> {
    await this.call("/v3/lease/revoke", { ID: lease }, signal);
  }

  /**
   * Sets a key, attached to a lease when one is given.
   *
   * @param key The key.
   * @param value The value.
   * @param lease The lease's ID.
   * @param signal Aborts the call.
   * @returns Once written.
   * @throws {EtcdError} When etcd could not be reached or refused (a lease that is gone).
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * await new EtcdGateway(["http://127.0.0.1:2379"]).put("/config/color", "blue");
   * ```
   */
  async put(key: string, value: string, lease?: string, signal?: AbortSignal): Promise<void> {
    await this.call("/v3/kv/put", { key: toBase64(key), value: toBase64(value), ...(lease === undefined ? {} : { lease }) }, signal);
  }

  /**
   * Deletes a key.
   *
   * @param key The key.
   * @param signal Aborts the call.
   * @returns Once deleted.
   * @throws {EtcdError} When etcd could not be reached.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * await new EtcdGateway(["http://127.0.0.1:2379"]).delete("/config/color");
   * ```
   */
  async delete(key: string, signal?: AbortSignal): Promise<void> {
    await this.call("/v3/kv/deleterange", { key: toBase64(key) }, signal);
  }

  /**
   * Reads every key under a prefix.
   *
   * @param prefix The prefix.
   * @param signal Aborts the call.
   * @returns The keys and values, and the store's revision they were read at (a decimal string).
   * @throws {EtcdError} When etcd could not be reached.
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const { kvs, revision } = await new EtcdGateway(["http://127.0.0.1:2379"]).range("/tsmicroservice/orders/");
   * ```
   */
  async range(prefix: string, signal?: AbortSignal): Promise<{ kvs: KeyValue[]; revision: string }> {
    const answer = await this.call("/v3/kv/range", { key: toBase64(prefix), range_end: prefixEnd(prefix) }, signal);
    const kvs = ((answer["kvs"] ?? []) as { key?: string; value?: string }[]).map(decodeKeyValue);
    const revision = (answer["header"] as { revision?: unknown } | undefined)?.revision;
    return { kvs, revision: typeof revision === "string" ? revision : "0" };
  }

  /**
   * Watches every key under a prefix from a revision on, calling `onEvents` with each batch of
   * changes, until the stream ends, fails or the signal is aborted.
   *
   * @param prefix The prefix.
   * @param fromRevision The first revision to report (a decimal string).
   * @param onEvents Called with each batch of changes.
   * @param signal Ends the watch.
   * @param maxLine The longest message taken, in characters (etcd's JSON is ASCII). Default
   *   {@linkcode DEFAULT_MAX_WATCH_LINE}.
   * @returns When the stream has ended (etcd stopped, or the watch was cancelled).
   * @throws {EtcdError} When etcd could not be reached, cancelled the watch (a compacted
   *   revision), or sent a message longer than `maxLine` (`tooLarge`).
   * @example
   * ```ts
   * import { EtcdGateway } from "./gateway.ts";
   * const etcd = new EtcdGateway(["http://127.0.0.1:2379"]);
   * const stop = new AbortController();
   * void etcd.watch("/tsmicroservice/orders/", "1", (events) => console.log(events), stop.signal);
   * stop.abort();
   * ```
   */
  async watch(
    prefix: string,
    fromRevision: string,
    onEvents: (events: WatchEvent[]) => void,
    signal?: AbortSignal,
    maxLine: number = DEFAULT_MAX_WATCH_LINE,
  ): Promise<void> {
    const response = await this.open(
      "/v3/watch",
      { create_request: { key: toBase64(prefix), range_end: prefixEnd(prefix), start_revision: fromRevision } },
      signal,
      true,
    );
    if (!response.ok || response.body === null) throw new EtcdError(`etcd answered its watch with HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += value;
        // One JSON object per line.
        let newline: number;
        while ((newline = buffered.indexOf("\n")) !== -1) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line === "") continue;
          const message = JSON.parse(line) as { result?: { events?: RawEvent[]; canceled?: boolean }; error?: { message?: string } };
          if (message.error !== undefined) throw new EtcdError(message.error.message ?? "the watch failed");
          if (message.result?.canceled === true) throw new EtcdError("etcd cancelled the watch");
          const events = message.result?.events;
          if (events !== undefined && events.length > 0) {
            onEvents(events.map((event) => ({ type: event.type === "DELETE" ? "DELETE" : "PUT", kv: decodeKeyValue(event.kv ?? {}) })));
          }
        }
        // What is left is one message still coming: bounded, so a stream without newlines cannot
        // take all the memory there is.
        if (buffered.length > maxLine) {
          throw new EtcdError(
            `etcd sent a watch message longer than ${maxLine} characters (the registry's maxWatchMessage): the watch starts again`,
            undefined,
            undefined,
            true,
          );
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}

interface RawEvent {
  readonly type?: string;
  readonly kv?: { key?: string; value?: string };
}

function decodeKeyValue(kv: { key?: string; value?: string }): KeyValue {
  return { key: fromBase64(kv.key ?? ""), value: fromBase64(kv.value ?? "") };
}
