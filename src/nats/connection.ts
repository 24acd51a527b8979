/**
 * What this library uses of a NATS connection, written structurally: a connection made with the
 * official client (`@nats-io/transport-node`, `@nats-io/transport-deno`, or the WebSocket one) fits,
 * and nothing of it is imported. Also the message headers, in both directions.
 *
 * @module
 */

import type { HeaderReader } from "../core/context.ts";

/**
 * A message's headers as the NATS client gives them: iterable as `[name, values]` pairs.
 *
 * @example
 * ```ts
 * import type { NatsHeaders } from "./connection.ts";
 * const names = (headers: NatsHeaders): string[] => [...headers].map(([name]) => name);
 * ```
 */
export interface NatsHeaders extends Iterable<[string, string[]]> {
  /**
   * Reads a header (exact case, as the client does by default).
   *
   * @param name The header's name.
   * @returns Its first value, or `""`.
   * @example
   * ```ts
   * import type { NatsHeaders } from "./connection.ts";
   * const token = (headers: NatsHeaders): string => headers.get("X-Api-Token");
   * ```
   */
  get(name: string): string;
}

/**
 * A message received on a subscription, or the reply to a request.
 *
 * @example
 * ```ts
 * import type { NatsMessage } from "./connection.ts";
 * const text = (message: NatsMessage): string => new TextDecoder().decode(message.data);
 * ```
 */
export interface NatsMessage {
  /** The subject it was published to. */
  readonly subject: string;
  /** Where to send the reply, for a request. */
  readonly reply?: string | undefined;
  /** The payload. */
  readonly data: Uint8Array;
  /** Its headers, when it has any. */
  readonly headers?: NatsHeaders | undefined;
  /**
   * Replies to a request.
   *
   * @param payload The reply.
   * @returns Whether there was someone to reply to.
   * @example
   * ```ts
   * import type { NatsMessage } from "./connection.ts";
   * const pong = (message: NatsMessage): boolean => message.respond("pong");
   * ```
   */
  respond(payload?: Uint8Array | string): boolean;
}

/**
 * A subscription of the NATS client.
 *
 * @example
 * ```ts
 * import type { NatsSubscription } from "./connection.ts";
 * const leave = (subscription: NatsSubscription): Promise<void> => subscription.drain();
 * ```
 */
export interface NatsSubscription {
  /**
   * Stops taking messages once those already received are handed to the callback.
   *
   * @returns Once done.
   * @example
   * ```ts
   * import type { NatsSubscription } from "./connection.ts";
   * declare const subscription: NatsSubscription;
   * await subscription.drain();
   * ```
   */
  drain(): Promise<void>;
}

/**
 * What this library calls on a NATS connection: `connect()` of the official client gives one.
 *
 * @example
 * ```ts
 * import type { NatsConnectionLike } from "./connection.ts";
 * // import { connect } from "@nats-io/transport-node";
 * declare function connect(options: { servers: string }): Promise<NatsConnectionLike>;
 * const connection: NatsConnectionLike = await connect({ servers: "127.0.0.1:4222" });
 * ```
 */
export interface NatsConnectionLike {
  /**
   * Publishes a message.
   *
   * @param subject The subject.
   * @param payload The payload.
   * @param options Its headers.
   * @example
   * ```ts
   * import type { NatsConnectionLike } from "./connection.ts";
   * declare const connection: NatsConnectionLike;
   * connection.publish("greetings", "hello");
   * ```
   */
  publish(subject: string, payload?: Uint8Array | string, options?: { headers?: NatsHeaderBlock }): void;
  /**
   * Subscribes to a subject, as a member of a queue group when `queue` is given (each message then
   * goes to one member of the group).
   *
   * @param subject The subject.
   * @param options The queue group, and the callback each message is handed to.
   * @returns The subscription.
   * @example
   * ```ts
   * import type { NatsConnectionLike } from "./connection.ts";
   * declare const connection: NatsConnectionLike;
   * connection.subscribe("greetings", { queue: "greeters", callback: (_error, message) => console.log(message.subject) });
   * ```
   */
  subscribe(
    subject: string,
    options?: { queue?: string; callback?: (error: Error | null, message: NatsMessage) => void },
  ): NatsSubscription;
  /**
   * Sends a request and waits for one reply.
   *
   * @param subject The subject.
   * @param payload The payload.
   * @param options How long to wait, in ms, and the headers.
   * @returns The reply.
   * @throws When nobody subscribes to the subject (the client's no-responders error), or no reply
   *   came in time.
   * @example
   * ```ts
   * import type { NatsConnectionLike } from "./connection.ts";
   * declare const connection: NatsConnectionLike;
   * const reply = await connection.request("time", "", { timeout: 1_000 });
   * ```
   */
  request(subject: string, payload?: Uint8Array | string, options?: { timeout: number; headers?: NatsHeaderBlock }): Promise<NatsMessage>;
}

/**
 * Message headers to send, in the NATS header format (`NATS/1.0`, then `Name: value` lines): the
 * NATS client sends them as they are. It implements the client's header interface.
 *
 * @example
 * ```ts
 * import { NatsHeaderBlock } from "./connection.ts";
 * const headers = new NatsHeaderBlock();
 * headers.set("X-Api-Token", "secret");
 * new TextDecoder().decode(headers.encode()); // "NATS/1.0\r\nX-Api-Token: secret\r\n\r\n"
 * ```
 */
export class NatsHeaderBlock implements NatsHeaders {
  readonly #entries = new Map<string, string[]>();
  /** Always `false`: these headers are sent, not a status received. */
  readonly hasError = false;
  /** Always `""`. */
  readonly status = "";
  /** Always `0`. */
  readonly code = 0;
  /** Always `""`. */
  readonly description = "";

  /**
   * Sets a header, replacing its values.
   *
   * @param name The name (sent in this case).
   * @param value The value.
   * @throws {TypeError} When the name or value holds a character the format cannot carry.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().set("X-Request-Timeout", "500");
   * ```
   */
  set(name: string, value: string): void {
    if (!/^[!-9;-~]+$/.test(name)) throw new TypeError(`Invalid NATS header name: ${name}`);
    if (/[\r\n]/.test(value)) throw new TypeError(`The NATS header ${name} holds a line break`);
    this.#entries.set(name, [value]);
  }

  /**
   * Adds a value to a header.
   *
   * @param name The name.
   * @param value The value.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * const headers = new NatsHeaderBlock();
   * headers.append("Accept", "a");
   * headers.append("Accept", "b");
   * headers.values("Accept"); // ["a", "b"]
   * ```
   */
  append(name: string, value: string): void {
    const values = this.#entries.get(name);
    if (values === undefined) this.set(name, value);
    else {
      this.set(name, value);
      this.#entries.set(name, [...values, value]);
    }
  }

  /**
   * Reads a header's first value.
   *
   * @param name The name (exact case).
   * @returns The value, or `""`.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().get("absent"); // ""
   * ```
   */
  get(name: string): string {
    return this.#entries.get(name)?.[0] ?? "";
  }

  /**
   * Reads a header's last value.
   *
   * @param name The name.
   * @returns The value, or `""`.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().last("absent"); // ""
   * ```
   */
  last(name: string): string {
    return this.#entries.get(name)?.at(-1) ?? "";
  }

  /**
   * Tells whether a header is present.
   *
   * @param name The name.
   * @returns `true` when present.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().has("X-Api-Token"); // false
   * ```
   */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * Removes a header.
   *
   * @param name The name.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().delete("X-Api-Token");
   * ```
   */
  delete(name: string): void {
    this.#entries.delete(name);
  }

  /**
   * The header names.
   *
   * @returns The names, in the order they were set.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().keys(); // []
   * ```
   */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * A header's values.
   *
   * @param name The name.
   * @returns Its values, `[]` when absent.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().values("absent"); // []
   * ```
   */
  values(name: string): string[] {
    return [...(this.#entries.get(name) ?? [])];
  }

  /**
   * The headers as `[name, values]` pairs.
   *
   * @returns An iterator.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * [...new NatsHeaderBlock()]; // []
   * ```
   */
  [Symbol.iterator](): IterableIterator<[string, string[]]> {
    return this.#entries.entries();
  }

  /**
   * The headers in the NATS wire format, as the client sends them.
   *
   * @returns The bytes: `NATS/1.0`, a `Name: value` line per value, and an empty line.
   * @example
   * ```ts
   * import { NatsHeaderBlock } from "./connection.ts";
   * new NatsHeaderBlock().encode().length; // 12: "NATS/1.0\r\n\r\n"
   * ```
   */
  encode(): Uint8Array {
    let text = "NATS/1.0\r\n";
    for (const [name, values] of this.#entries) for (const value of values) text += `${name}: ${value}\r\n`;
    return new TextEncoder().encode(`${text}\r\n`);
  }
}

/**
 * Reads a received message's headers with any case, as HTTP headers are read (the service looks up
 * `x-api-token`, `authorization`, `x-request-timeout`).
 *
 * @param headers The message's headers, if any.
 * @returns A reader; `get` gives `null` for an absent header.
 * @example
 * ```ts
 * import { headerReader, NatsHeaderBlock } from "./connection.ts";
 * const block = new NatsHeaderBlock();
 * block.set("X-Api-Token", "secret");
 * headerReader(block).get("x-api-token"); // "secret"
 * ```
 */
export function headerReader(headers: NatsHeaders | undefined): HeaderReader {
  if (headers === undefined) return NO_HEADERS;
  const byName = new Map<string, string>();
  for (const [name, values] of headers) {
    const key = name.toLowerCase();
    // Repeated values join as HTTP joins them.
    const joined = values.join(", ");
    byName.set(key, byName.has(key) ? `${byName.get(key) ?? ""}, ${joined}` : joined);
  }
  return { get: (name) => byName.get(name.toLowerCase()) ?? null };
}

const NO_HEADERS: HeaderReader = { get: () => null };
