/**
 * The contract between the events plugin and what carries events: in process, NATS, or one of
 * your own.
 *
 * @module
 */

import type { EventEnvelope } from "./types.ts";

/**
 * What a subscription asks of a transport.
 *
 * @example
 * ```ts
 * import type { SubscriptionRequest } from "./transport.ts";
 * // Every instance of billing.service shares the order.created events of orders.service.
 * const request: SubscriptionRequest = { source: "orders.service", event: "order.created", group: "billing.service", durable: false };
 * ```
 */
export interface SubscriptionRequest {
  /** The emitting service's name. */
  readonly source: string;
  /** The event's name. */
  readonly event: string;
  /**
   * The group whose members share the events (each event goes to one of them): the subscribing
   * service's name for service-pool delivery; `undefined` for broadcast (every subscription gets
   * every event).
   */
  readonly group: string | undefined;
  /**
   * At-least-once delivery: events emitted while no member of the group runs wait for one, and an
   * event whose handler fails is delivered again. Only with a group.
   */
  readonly durable: boolean;
  /**
   * Tells the subscribing service (its `onError`) what the transport dropped or gave up on: a
   * message that is not an event, an event moved to the dead letters after its last delivery.
   * Optional for the transport's callers; a transport calls it when given.
   */
  readonly report?: ((error: Error) => void) | undefined;
}

/**
 * Hands one event to a subscription's handler. It resolves once the handler succeeded and rejects
 * when it failed (a durable transport then delivers the event again).
 *
 * @example
 * ```ts
 * import type { Deliver } from "./transport.ts";
 * const deliver: Deliver = async (envelope, attempt) => {
 *   console.log(envelope.event, attempt);
 * };
 * ```
 */
export type Deliver = (envelope: EventEnvelope, attempt: number) => Promise<void>;

/**
 * A live subscription.
 *
 * @example
 * ```ts
 * import type { EventSubscription } from "./transport.ts";
 * const stopAll = async (subscriptions: EventSubscription[]): Promise<void> => {
 *   await Promise.all(subscriptions.map((subscription) => subscription.stop()));
 * };
 * ```
 */
export interface EventSubscription {
  /** Stops taking events, and resolves once the handlers running have finished. */
  stop(): Promise<void>;
}

/**
 * Carries events between services: `inProcess()` (the default) or `natsTransport(...)` from
 * `tsmicroservice/nats`.
 *
 * @example
 * ```ts
 * import type { EventTransport } from "./transport.ts";
 * // A transport that drops everything (for a service whose events nobody reads).
 * const nowhere: EventTransport = {
 *   name: "nowhere",
 *   publish: () => Promise.resolve(),
 *   subscribe: () => Promise.resolve({ stop: () => Promise.resolve() }),
 * };
 * ```
 */
export interface EventTransport {
  /** A name, for messages. */
  readonly name: string;
  /**
   * Sends an event; resolves once the transport has taken it (a transport with storage, such as
   * NATS with JetStream: once stored).
   *
   * @param envelope The event.
   * @returns Once taken.
   */
  publish(envelope: EventEnvelope): Promise<void>;
  /**
   * Starts a subscription.
   *
   * @param request Which events, and how they are shared.
   * @param deliver Hands each event to the handler.
   * @returns The subscription, once events flow.
   * @throws {TypeError} When the transport cannot deliver that way (durable broadcast, say).
   */
  subscribe(request: SubscriptionRequest, deliver: Deliver): Promise<EventSubscription>;
}
