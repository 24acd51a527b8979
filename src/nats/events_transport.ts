/**
 * The NATS transport of events: each event is a JSON envelope published on
 * `<prefix>.<source service>.<event>`; a service-pool subscription is a queue group named after
 * the subscribing service, a broadcast one a plain subscription. With JetStream, durable
 * subscriptions are durable pull consumers of a stream: at least once, acknowledged after the
 * handler succeeded, delivered again otherwise.
 *
 * @module
 */

import type { Deliver, EventSubscription, EventTransport, SubscriptionRequest } from "../events/transport.ts";
import type { EventEnvelope } from "../events/types.ts";
import type { NatsConnectionLike } from "./connection.ts";

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
  /** The payload. */
  readonly data: Uint8Array;
  /** How many times it was delivered, this time included. */
  readonly info: { readonly deliveryCount: number };
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
   * @param options `msgID`: the stream drops a second message with the same id.
   * @returns The stream's acknowledgement.
   */
  publish(subject: string, payload?: Uint8Array | string, options?: { msgID?: string }): Promise<unknown>;
  /** The consumers of the streams. */
  readonly consumers: {
    /**
     * Finds a consumer.
     *
     * @param stream The stream.
     * @param name The durable consumer's name.
     * @returns The consumer.
     */
    get(stream: string, name?: string): Promise<{
      consume(options?: { max_messages?: number }): Promise<AsyncIterable<JetStreamMessageLike> & { close(): Promise<unknown> }>;
    }>;
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
    }): Promise<unknown>;
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
  } | undefined;
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
 * Makes the NATS transport of the events plugin.
 *
 * @param connection A connection of the official NATS client.
 * @param options The subject prefix, and JetStream for durable subscriptions.
 * @returns The transport.
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
export function natsTransport(connection: NatsConnectionLike, options: NatsTransportOptions = {}): EventTransport {
  const prefix = options.prefix ?? "events";
  const jetstream = options.jetstream;
  let streamReady: Promise<string> | undefined;
  const ensureStream = (): Promise<string> => {
    if (jetstream === undefined) return Promise.reject(new TypeError("durable subscriptions need JetStream: natsTransport(connection, { jetstream })"));
    const stream = jetstream.stream ?? "EVENTS";
    streamReady ??= jetstream.manager.streams.info(stream).then(
      () => stream,
      () => jetstream.manager.streams.add({ name: stream, subjects: [`${prefix}.>`] }).then(() => stream),
    );
    streamReady.catch(() => {
      streamReady = undefined;
    });
    return streamReady;
  };

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
      if (request.durable) return await durableSubscription(await ensureStream(), subject, request, deliver);
      return coreSubscription(subject, request.group, deliver);
    },
  };

  function coreSubscription(subject: string, group: string | undefined, deliver: Deliver): EventSubscription {
    // A count of the handlers running, and who waits for it to reach zero (a stop).
    let running = 0;
    let idle: (() => void) | undefined;
    const finished = (): void => {
      if (--running === 0) idle?.();
    };
    const subscription = connection.subscribe(subject, {
      ...(group === undefined ? {} : { queue: group }),
      callback: (error, message) => {
        if (error !== null) return;
        const envelope = parse(message.data);
        if (envelope === undefined) return;
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

  async function durableSubscription(stream: string, subject: string, request: SubscriptionRequest, deliver: Deliver): Promise<EventSubscription> {
    const settings = jetstream as NonNullable<typeof jetstream>;
    const name = `${request.group ?? ""}__${request.source}__${request.event}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const maxInFlight = settings.maxInFlight ?? 64;
    const redeliveryDelay = settings.redeliveryDelay ?? 1_000;
    await settings.manager.consumers.add(stream, {
      durable_name: name,
      filter_subject: subject,
      ack_wait: (settings.ackWait ?? 30_000) * 1_000_000,
      max_ack_pending: maxInFlight * 16,
      ack_policy: "explicit",
      deliver_policy: "all",
    });
    const consumer = await settings.client.consumers.get(stream, name);
    const messages = await consumer.consume({ max_messages: maxInFlight });
    const running = new Set<Promise<void>>();
    const loop = (async () => {
      for await (const message of messages) {
        const envelope = parse(message.data);
        if (envelope === undefined) {
          message.term("not an event envelope");
          continue;
        }
        const done: Promise<void> = deliver(envelope, message.info.deliveryCount).then(
          () => {
            message.ack();
          },
          () => {
            message.nak(redeliveryDelay);
          },
        ).finally(() => running.delete(done));
        running.add(done);
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
