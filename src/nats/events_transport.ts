/**
 * The NATS transport of events: each event is a JSON envelope published on
 * `<prefix>.<source service>.<event>`; a service-pool subscription is a queue group named after
 * the subscribing service, a broadcast one a plain subscription. With JetStream, durable
 * subscriptions are durable pull consumers of a stream: at least once, acknowledged after the
 * handler succeeded, delivered again otherwise, a bounded number of times: what is given up on is
 * moved to a dead-letter stream, from which it can be read and replayed.
 *
 * @module
 */

import type { Deliver, EventSubscription, EventTransport, SubscriptionRequest } from "../events/transport.ts";
import type { EventEnvelope } from "../events/types.ts";
import { type NatsConnectionLike, NatsHeaderBlock, type NatsHeaders } from "./connection.ts";
import { moreSince, reportLimiter } from "./report_limit.ts";

/**
 * A message of a JetStream consumer, as the official client gives it.
 *
 * @example
 * ```ts
 * import type { JetStreamMessageLike } from "./events_transport.ts";
 * const settle = (message: JetStreamMessageLike, ok: boolean): void => (ok ? message.ack() : message.nak(1_000));
 * ```
 */
export interface JetStreamMessageLike {
  /** The subject it was published to. */
  readonly subject: string;
  /** The payload. */
  readonly data: Uint8Array;
  /** Its headers, when it has any. */
  readonly headers?: NatsHeaders | undefined;
  /** How many times it was delivered, this time included, and its place in the stream. */
  readonly info: { readonly deliveryCount: number; readonly streamSequence: number };
  /** Acknowledges it: it will not come again. */
  ack(): void;
  /**
   * Asks for it again, after a delay.
   *
   * @param millis The delay, in ms.
   */
  nak(millis?: number): void;
  /** Drops it for good (it cannot be read). */
  term(reason?: string): void;
}

/**
 * A consumer of the JetStream client: what `consumers.get()` gives.
 *
 * @example
 * ```ts
 * import type { JetStreamConsumerLike } from "./events_transport.ts";
 * declare const consumer: JetStreamConsumerLike;
 * const first = await consumer.next({ expires: 1_000 }); // null when there is nothing
 * ```
 */
export interface JetStreamConsumerLike {
  /**
   * Streams its messages until closed.
   *
   * @param options How many messages to hold at once.
   * @returns The messages.
   */
  consume(options?: { max_messages?: number }): Promise<AsyncIterable<JetStreamMessageLike> & { close(): Promise<unknown> }>;
  /**
   * Takes one message.
   *
   * @param options How long to wait for it, in ms.
   * @returns The message, or `null` when none came in time.
   */
  next(options?: { expires?: number }): Promise<JetStreamMessageLike | null>;
}

/**
 * What the transport uses of a JetStream client (`jetstream(connection)` of `@nats-io/jetstream`).
 *
 * @example
 * ```ts
 * import type { JetStreamLike } from "./events_transport.ts";
 * // import { jetstream } from "@nats-io/jetstream"; const js = jetstream(connection);
 * declare const js: JetStreamLike;
 * await js.publish("events.orders.service.order.created", "{}", { msgID: "e-1" });
 * ```
 */
export interface JetStreamLike {
  /**
   * Publishes to a stream and waits until it is stored.
   *
   * @param subject The subject.
   * @param payload The payload.
   * @param options `msgID`: the stream drops a second message with the same id; `headers`.
   * @returns The stream's acknowledgement.
   */
  publish(subject: string, payload?: Uint8Array | string, options?: { msgID?: string; headers?: NatsHeaderBlock }): Promise<unknown>;
  /** The consumers of the streams. */
  readonly consumers: {
    /**
     * Finds a consumer.
     *
     * @param stream The stream.
     * @param name The durable consumer's name.
     * @returns The consumer.
     */
    get(stream: string, name?: string): Promise<JetStreamConsumerLike>;
  };
}

/**
 * What the transport uses of a JetStream manager (`await jetstreamManager(connection)`).
 *
 * @example
 * ```ts
 * import type { JetStreamManagerLike } from "./events_transport.ts";
 * // import { jetstreamManager } from "@nats-io/jetstream"; const jsm = await jetstreamManager(connection);
 * declare const jsm: JetStreamManagerLike;
 * await jsm.streams.info("EVENTS");
 * ```
 */
export interface JetStreamManagerLike {
  /** The streams. */
  readonly streams: {
    /** Describes a stream; rejects when it does not exist. */
    info(stream: string): Promise<unknown>;
    /** Creates a stream. */
    add(config: { name: string; subjects?: string[] }): Promise<unknown>;
    /** Removes one message of a stream. */
    deleteMessage(stream: string, seq: number): Promise<unknown>;
  };
  /** The consumers. */
  readonly consumers: {
    /** Creates (or finds, when its configuration is the same) a consumer of a stream. */
    add(stream: string, config: {
      durable_name?: string;
      filter_subject?: string;
      ack_wait?: number;
      max_ack_pending?: number;
      ack_policy?: string;
      deliver_policy?: string;
      inactive_threshold?: number;
    }): Promise<{ readonly name: string }>;
    /** Removes a consumer. */
    delete(stream: string, name: string): Promise<unknown>;
  };
}

/**
 * Options of {@linkcode natsTransport}.
 *
 * @example
 * ```ts
 * import type { NatsTransportOptions } from "./events_transport.ts";
 * const options: NatsTransportOptions = { prefix: "prod.events" };
 * ```
 */
export interface NatsTransportOptions {
  /** The first tokens of every event subject. Default `"events"`. */
  readonly prefix?: string | undefined;
  /**
   * JetStream, for durable subscriptions (and for emits acknowledged once stored). Without it,
   * a durable subscription is refused.
   */
  readonly jetstream?: {
    /** `jetstream(connection)`. */
    readonly client: JetStreamLike;
    /** `await jetstreamManager(connection)`. */
    readonly manager: JetStreamManagerLike;
    /** The stream that keeps the events (made when missing, over `<prefix>.>`). Default `"EVENTS"`. */
    readonly stream?: string | undefined;
    /** How long a delivered event may stay unacknowledged before it goes again (a crashed handler), in ms. Default `30000`. */
    readonly ackWait?: number | undefined;
    /** How long a failed event waits before it goes again, in ms. Default `1000`. */
    readonly redeliveryDelay?: number | undefined;
    /** How many events one instance handles at once. Default `64`. */
    readonly maxInFlight?: number | undefined;
    /**
     * How many times an event is delivered to a subscribing service, the first time included,
     * before it is given up on and moved to the dead letters (handler failures and deliveries
     * never acknowledged, as after a crash, both count). Default `5`; `Infinity` for no bound.
     */
    readonly maxDeliveries?: number | undefined;
    /** The stream that keeps the dead letters (made when missing). Default: the stream's name + `"_DEAD"`. */
    readonly deadLetterStream?: string | undefined;
    /**
     * The first tokens of dead-letter subjects, outside `<prefix>.>`: a dead letter is stored on
     * `<deadLetterPrefix>.<consumer name>`. Default: the prefix + `"-dead"` (`events-dead`).
     */
    readonly deadLetterPrefix?: string | undefined;
  } | undefined;
}

/**
 * Which dead letters {@linkcode NatsEventTransport.replayDeadLetters} replays.
 *
 * @example
 * ```ts
 * import type { ReplayOptions } from "./events_transport.ts";
 * const billingOnly: ReplayOptions = { group: "billing.service", max: 100 };
 * ```
 */
export interface ReplayOptions {
  /** Only those of this subscribing service. */
  readonly group?: string | undefined;
  /** Only those of this emitting service (its exact name: `orders` is not `orders.service`). */
  readonly source?: string | undefined;
  /** Only those of this event (its exact name: `created` is not `order.created`). */
  readonly event?: string | undefined;
  /** How many dead letters to read at most. Default `10000`. */
  readonly max?: number | undefined;
  /**
   * How long to wait for the next dead letter before deciding there is none, in ms. Default
   * `1000`, which is also the least: JetStream refuses a shorter wait, so one is taken as 1000.
   */
  readonly wait?: number | undefined;
}

/**
 * The NATS transport of events, with its dead letters (see {@linkcode natsTransport}).
 *
 * @example
 * ```ts
 * import { natsTransport, type NatsConnectionLike, type NatsEventTransport } from "./mod.ts";
 * declare const connection: NatsConnectionLike;
 * const transport: NatsEventTransport = natsTransport(connection);
 * ```
 */
export interface NatsEventTransport extends EventTransport {
  /**
   * Sends dead letters back to the subscribing service that gave up on them (and to no other),
   * as new messages of the events stream, and removes them from the dead-letter stream. The
   * subscription must be running (or start later) to handle them; each is a first delivery
   * again. Needs JetStream. If removing a dead letter fails after it was sent back, it stays: a
   * replay repeated within the events stream's duplicate window (2 minutes by default) sends it
   * no second time, but one repeated later does, and the event is handled twice.
   *
   * @param options Which dead letters, and how many at most.
   * @returns How many were sent back.
   * @throws {TypeError} Without JetStream.
   * @example
   * ```ts
   * import { natsTransport, type JetStreamLike, type JetStreamManagerLike, type NatsConnectionLike } from "./mod.ts";
   * declare const connection: NatsConnectionLike;
   * declare const client: JetStreamLike;
   * declare const manager: JetStreamManagerLike;
   * const transport = natsTransport(connection, { jetstream: { client, manager } });
   * const replayed = await transport.replayDeadLetters({ group: "billing.service" });
   * ```
   */
  replayDeadLetters(options?: ReplayOptions): Promise<number>;
}

/**
 * The subject an event travels on.
 *
 * @param prefix The transport's prefix.
 * @param source The emitting service's name.
 * @param event The event's name.
 * @returns `<prefix>.<source>.<event>`.
 * @example
 * ```ts
 * import { eventSubject } from "./events_transport.ts";
 * eventSubject("events", "orders.service", "order.created"); // "events.orders.service.order.created"
 * ```
 */
export function eventSubject(prefix: string, source: string, event: string): string {
  return `${prefix}.${source}.${event}`;
}

/**
 * The name of the durable JetStream consumer of a subscribing service for one event (also the
 * last token of its dead letters' subject).
 *
 * @param group The subscribing service's name.
 * @param source The emitting service's name.
 * @param event The event's name.
 * @returns `<group>__<source>__<event>`, with any character other than a letter, digit, `_` or
 *   `-` replaced by `_`.
 * @example
 * ```ts
 * import { consumerName } from "./events_transport.ts";
 * consumerName("billing.service", "orders.service", "order.created"); // "billing_service__orders_service__order_created"
 * ```
 */
export function consumerName(group: string, source: string, event: string): string {
  return `${group}__${source}__${event}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

/**
 * The headers of a dead letter (and of a replayed event), as the transport writes them.
 *
 * @example
 * ```ts
 * import { DEAD_LETTER_HEADERS } from "./events_transport.ts";
 * DEAD_LETTER_HEADERS.reason; // "Tsm-Reason"
 * ```
 */
export const DEAD_LETTER_HEADERS = {
  /** The subject the event was published on. */
  subject: "Tsm-Subject",
  /** The consumer that gave up on it. */
  consumer: "Tsm-Consumer",
  /** The subscribing service. */
  group: "Tsm-Group",
  /** The emitting service the subscription names (what `replayDeadLetters({ source })` compares). */
  source: "Tsm-Source",
  /** The event the subscription names (what `replayDeadLetters({ event })` compares). */
  event: "Tsm-Event",
  /** How many times it was delivered. */
  deliveries: "Tsm-Deliveries",
  /** Why it was given up on (one line). */
  reason: "Tsm-Reason",
  /** Its sequence number in the events stream. */
  sequence: "Tsm-Stream-Sequence",
  /** On a replayed event: the only consumer that handles it (the others skip it). */
  replayFor: "Tsm-Replay-For",
} as const;

/**
 * Makes the NATS transport of the events plugin.
 *
 * With JetStream, a durable subscription delivers an event at most `maxDeliveries` times (5 by
 * default); an event still failing then, one delivered that many times without an
 * acknowledgement (a handler that crashes its process), and a message that is not an event
 * envelope are stored in the dead-letter stream (`EVENTS_DEAD`, subject
 * `events-dead.<consumer name>`, with `Tsm-*` headers saying why), acknowledged in the events
 * stream, and reported to the subscribing service's `onError`. `replayDeadLetters()` sends them
 * back to their subscriber. Messages that are not event envelopes (which anyone allowed on the
 * subject can publish at will) are reported the first time, then at most once every 10 s with how
 * many more there were, per subscription.
 *
 * @param connection A connection of the official NATS client.
 * @param options The subject prefix, and JetStream for durable subscriptions.
 * @returns The transport.
 * @throws {TypeError} When a JetStream setting is out of range, or the dead-letter prefix lies
 *   under the events prefix.
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { event, events } from "../events/mod.ts";
 * import { natsTransport, type NatsConnectionLike } from "./mod.ts";
 * // import { connect } from "@nats-io/transport-node"; const connection = await connect({ servers: "127.0.0.1:4222" });
 * declare const connection: NatsConnectionLike;
 * const transport = natsTransport(connection);
 * const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
 * const orders = new Service({ name: "orders.service" }).use(orderEvents);
 * ```
 */
export function natsTransport(connection: NatsConnectionLike, options: NatsTransportOptions = {}): NatsEventTransport {
  const prefix = options.prefix ?? "events";
  const jetstream = options.jetstream;
  const stream = jetstream?.stream ?? "EVENTS";
  const deadStream = jetstream?.deadLetterStream ?? `${stream}_DEAD`;
  const deadPrefix = jetstream?.deadLetterPrefix ?? `${prefix}-dead`;
  if (jetstream !== undefined) {
    positive("ackWait", jetstream.ackWait, false);
    if (!((jetstream.redeliveryDelay ?? 0) >= 0)) throw new TypeError("natsTransport: redeliveryDelay must be a number of ms, 0 or more");
    positive("maxInFlight", jetstream.maxInFlight, true);
    if (jetstream.maxDeliveries !== Number.POSITIVE_INFINITY) positive("maxDeliveries", jetstream.maxDeliveries, true);
    if (deadPrefix === prefix || deadPrefix.startsWith(`${prefix}.`) || deadStream === stream) {
      throw new TypeError(`natsTransport: the dead letters need a prefix and stream of their own, outside ${prefix}.> and ${stream}`);
    }
  }
  const needJetStream = (): NonNullable<typeof jetstream> => {
    if (jetstream === undefined) throw new TypeError("durable subscriptions need JetStream: natsTransport(connection, { jetstream })");
    return jetstream;
  };
  const made = new Map<string, Promise<void>>();
  /** Makes a stream when missing, once (again after a failure). */
  const ensure = (name: string, subjects: string): Promise<void> => {
    const settings = needJetStream();
    let ready = made.get(name);
    if (ready === undefined) {
      ready = settings.manager.streams.info(name).then(
        () => {},
        () => settings.manager.streams.add({ name, subjects: [subjects] }).then(() => {}),
      );
      made.set(name, ready);
      ready.catch(() => made.delete(name));
    }
    return ready;
  };
  const ensureStream = (): Promise<void> => ensure(stream, `${prefix}.>`);
  const ensureDeadStream = (): Promise<void> => ensure(deadStream, `${deadPrefix}.>`);

  return {
    name: "nats",
    publish(envelope) {
      const subject = eventSubject(prefix, envelope.source, envelope.event);
      const data = JSON.stringify(envelope);
      if (jetstream === undefined) {
        // NATS core: the client buffers it and writes it out with the others of this tick.
        try {
          connection.publish(subject, data);
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as it was
          return Promise.reject(error);
        }
        return SENT;
      }
      return ensureStream().then(() => jetstream.client.publish(subject, data, { msgID: envelope.id })).then(() => {});
    },
    async subscribe(request, deliver) {
      if (request.durable && request.group === undefined) throw new TypeError("durable delivery needs a group (service-pool), not broadcast");
      const subject = eventSubject(prefix, request.source, request.event);
      if (request.durable) {
        needJetStream();
        await ensureStream();
        return await durableSubscription(subject, request, deliver);
      }
      return coreSubscription(subject, request, deliver);
    },
    async replayDeadLetters(filter = {}) {
      const settings = needJetStream();
      await ensureDeadStream();
      const { group: onlyGroup, source: onlySource, event: onlyEvent } = filter;
      const only = onlyGroup !== undefined && onlySource !== undefined && onlyEvent !== undefined
        ? `${deadPrefix}.${consumerName(onlyGroup, onlySource, onlyEvent)}`
        : `${deadPrefix}.>`;
      const reader = await settings.manager.consumers.add(deadStream, {
        filter_subject: only,
        ack_policy: "explicit",
        deliver_policy: "all",
        // A reader left behind by a crash goes away on its own.
        inactive_threshold: 60_000 * 1_000_000,
      });
      let replayed = 0;
      try {
        const consumer = await settings.client.consumers.get(deadStream, reader.name);
        const max = filter.max ?? 10_000;
        for (let read = 0; read < max; read++) {
          const letter = await consumer.next({ expires: Math.max(filter.wait ?? 1_000, 1_000) });
          if (letter === null) break;
          const header = (name: string): string => letter.headers?.get(name) ?? "";
          const subject = header(DEAD_LETTER_HEADERS.subject);
          const target = header(DEAD_LETTER_HEADERS.consumer);
          const group = header(DEAD_LETTER_HEADERS.group);
          // Exact names, from the headers: a subject alone cannot tell `orders` + `service.created`
          // from `orders.service` + `created`, and a prefix of it matches other services' events.
          const wanted = subject.startsWith(`${prefix}.`) && target !== "" &&
            (filter.group === undefined || group === filter.group) &&
            (filter.source === undefined || filter.event === undefined || subject === eventSubject(prefix, filter.source, filter.event)) &&
            (filter.source === undefined || header(DEAD_LETTER_HEADERS.source) === filter.source) &&
            (filter.event === undefined || header(DEAD_LETTER_HEADERS.event) === filter.event);
          if (!wanted) {
            letter.ack();
            continue;
          }
          const headers = new NatsHeaderBlock();
          headers.set(DEAD_LETTER_HEADERS.replayFor, target);
          await ensureStream();
          // The same dead letter replayed twice (a crash before its removal) is stored once.
          await settings.client.publish(subject, letter.data, { msgID: `replay:${deadStream}:${letter.info.streamSequence}`, headers });
          await settings.manager.streams.deleteMessage(deadStream, letter.info.streamSequence);
          letter.ack();
          replayed++;
        }
      } finally {
        await settings.manager.consumers.delete(deadStream, reader.name).catch(() => {});
      }
      return replayed;
    },
  };

  function coreSubscription(subject: string, request: SubscriptionRequest, deliver: Deliver): EventSubscription {
    // A count of the handlers running, and who waits for it to reach zero (a stop).
    let running = 0;
    let idle: (() => void) | undefined;
    const finished = (): void => {
      if (--running === 0) idle?.();
    };
    // Anyone allowed to publish on the subject can send what is not an event, at will: one
    // report, then at most one per 10 s that counts the others.
    const malformed = reportLimiter();
    const subscription = connection.subscribe(subject, {
      ...(request.group === undefined ? {} : { queue: request.group }),
      callback: (error, message) => {
        if (error !== null) {
          request.report?.(error);
          return;
        }
        // A replay is for one durable consumer, never for an at-most-once subscription.
        if ((message.headers?.get(DEAD_LETTER_HEADERS.replayFor) ?? "") !== "") return;
        const envelope = parse(message.data);
        if (envelope === undefined) {
          malformed((more) => request.report?.(new Error(`dropped a message on ${subject} that is not an event envelope${moreSince(more)}`)));
          return;
        }
        running++;
        // The plugin reported a failure; at most once, so nothing more to do here.
        deliver(envelope, 1).then(finished, finished);
      },
    });
    return {
      async stop() {
        try {
          await subscription.drain();
        } catch {
          // A closed connection has nothing left to drain.
        }
        if (running > 0) await new Promise<void>((resolve) => (idle = resolve));
      },
    };
  }

  async function durableSubscription(subject: string, request: SubscriptionRequest, deliver: Deliver): Promise<EventSubscription> {
    const settings = needJetStream();
    const group = request.group ?? "";
    const name = consumerName(group, request.source, request.event);
    const maxInFlight = settings.maxInFlight ?? 64;
    const redeliveryDelay = settings.redeliveryDelay ?? 1_000;
    const maxDeliveries = settings.maxDeliveries ?? 5;
    await settings.manager.consumers.add(stream, {
      durable_name: name,
      filter_subject: subject,
      // JetStream counts in nanoseconds.
      ack_wait: (settings.ackWait ?? 30_000) * 1_000_000,
      max_ack_pending: maxInFlight * 16,
      ack_policy: "explicit",
      deliver_policy: "all",
    });
    const consumer = await settings.client.consumers.get(stream, name);
    const messages = await consumer.consume({ max_messages: maxInFlight });
    const running = new Set<Promise<void>>();
    const track = (work: Promise<void>): void => {
      const done: Promise<void> = work.finally(() => running.delete(done));
      running.add(done);
    };

    // Anyone allowed to publish on the subject can send what is not an event, at will: their
    // reports are one, then at most one per 10 s that counts the others.
    const malformed = reportLimiter();

    /**
     * Stores a message in the dead letters, then drops it from the events; delivered again when it
     * could not be stored. `limited`: a message that is not an event, whose reports are bounded.
     */
    const bury = async (message: JetStreamMessageLike, reason: string, limited = false): Promise<void> => {
      const tell = (text: string, cause?: unknown): void => {
        const report = (more: number): void => request.report?.(new Error(`${text}${moreSince(more)}`, cause === undefined ? undefined : { cause }));
        if (limited) malformed(report);
        else report(0);
      };
      const sequence = message.info.streamSequence;
      const headers = new NatsHeaderBlock();
      headers.set(DEAD_LETTER_HEADERS.subject, message.subject);
      headers.set(DEAD_LETTER_HEADERS.consumer, name);
      headers.set(DEAD_LETTER_HEADERS.group, oneLine(group));
      headers.set(DEAD_LETTER_HEADERS.source, oneLine(request.source));
      headers.set(DEAD_LETTER_HEADERS.event, oneLine(request.event));
      headers.set(DEAD_LETTER_HEADERS.deliveries, String(message.info.deliveryCount));
      headers.set(DEAD_LETTER_HEADERS.reason, oneLine(reason));
      headers.set(DEAD_LETTER_HEADERS.sequence, String(sequence));
      const where = `${deadPrefix}.${name}`;
      try {
        await ensureDeadStream();
        // A crash between this and the term below stores it once: the same id is dropped.
        await settings.client.publish(where, message.data, { msgID: `${name}:${sequence}`, headers });
      } catch (error) {
        message.nak(redeliveryDelay);
        tell(`could not move event #${sequence} of ${message.subject} to the dead letters (it comes again): ${messageOf(error)}`, error);
        return;
      }
      // No reason: nats-server before 2.10 ignores a +TERM that carries one (the dead letter has it).
      message.term();
      tell(`gave up on event #${sequence} of ${message.subject} after ${message.info.deliveryCount} deliveries (${oneLine(reason)}): moved to ${where} in the stream ${deadStream}`);
    };

    const loop = (async () => {
      for await (const message of messages) {
        const replayFor = message.headers?.get(DEAD_LETTER_HEADERS.replayFor) ?? "";
        if (replayFor !== "" && replayFor !== name) {
          // Another subscriber's replay.
          message.ack();
          continue;
        }
        const deliveries = message.info.deliveryCount;
        const envelope = parse(message.data);
        if (envelope === undefined) {
          track(bury(message, "not an event envelope", true));
          continue;
        }
        if (deliveries > maxDeliveries) {
          // Its earlier deliveries were never settled: a handler that crashes its process, say.
          track(bury(message, `delivered ${deliveries - 1} times without an acknowledgement`));
          continue;
        }
        track(deliver(envelope, deliveries).then(
          () => {
            message.ack();
          },
          (error: unknown) => {
            if (deliveries >= maxDeliveries) return bury(message, `the handler failed: ${messageOf(error)}`);
            message.nak(redeliveryDelay);
            return undefined;
          },
        ));
      }
    })();
    return {
      async stop() {
        await messages.close();
        await loop;
        while (running.size > 0) await Promise.all(running);
      },
    };
  }
}

const SENT: Promise<void> = Promise.resolve();

/** Checks a count or duration option: a positive number (whole when asked). */
function positive(name: string, value: number | undefined, whole: boolean): void {
  if (value === undefined) return;
  if (whole ? Number.isSafeInteger(value) && value >= 1 : value > 0 && Number.isFinite(value)) return;
  throw new TypeError(`natsTransport: ${name} must be a ${whole ? "whole number of at least 1" : "positive number of ms"}, got ${String(value)}`);
}

/** An error's message. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A value fit for a header line: no control characters, at most 200 characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Reads an envelope, or `undefined` when the bytes are not one. */
function parse(data: Uint8Array): EventEnvelope | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as Partial<EventEnvelope> | null;
    if (typeof value !== "object" || value === null) return undefined;
    const { id, event, source, time } = value;
    if (typeof id !== "string" || typeof event !== "string" || typeof source !== "string" || typeof time !== "string") return undefined;
    return value as EventEnvelope;
  } catch {
    return undefined;
  }
}
