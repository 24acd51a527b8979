/**
 * Events between services: `tsmicroservice/events`. A service declares the events it emits and
 * emits them from its handlers; other services subscribe with handlers typed from the emitter's
 * type. Each event is handled once per subscribing service (service-pool, as nameko defines it)
 * or by every instance (broadcast). Events travel in process by default; `natsTransport` from
 * `tsmicroservice/nats` carries them between processes and machines.
 *
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { event, events } from "./mod.ts";
 *
 * const orderEvents = events({
 *   emits: { "order.created": event<{ id: string; item: string; quantity: number }>({ description: "An order was created" }) },
 * });
 * const orders = new Service({ name: "orders.service" })
 *   .use(orderEvents)
 *   .publicMethod("create_order", async (item: string, quantity: number) => {
 *     const id = crypto.randomUUID();
 *     await orderEvents.emit("order.created", { id, item, quantity });
 *     return id;
 *   });
 *
 * const billingEvents = events();
 * billingEvents.from<typeof orders>("orders.service").on("order.created", (order) => {
 *   console.log(`billing ${order.quantity} × ${order.item}`);
 * });
 * const billing = new Service({ name: "billing.service" }).use(billingEvents);
 * await billing.startup();
 * ```
 *
 * @module
 */

export {
  type Delivery,
  type EventHandler,
  events,
  type Events,
  type EventSource,
  type EventsOptions,
  type SubscribeOptions,
} from "./events.ts";
export { type DeadLetter, inProcess, type InProcessOptions, type InProcessTransport } from "./in_process.ts";
export type { Deliver, EventSubscription, EventTransport, SubscriptionRequest } from "./transport.ts";
export {
  event,
  type EventDeclaration,
  type EventEnvelope,
  type EventInfo,
  type EventMap,
  type EventsOf,
  EVENT_TYPES,
  type PayloadIn,
  type PayloadOut,
  type SourceName,
} from "./types.ts";
