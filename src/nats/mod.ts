/**
 * NATS for services: `tsmicroservice/nats`. Events between processes and machines
 * (`natsTransport`, with JetStream for durable subscriptions), and JSON-RPC over NATS: a service
 * answers on a subject with a queue group (`natsServer`), and the client calls it through a
 * NATS-backed `fetch` (`natsFetch`), so its instances share the load with no load balancer. Give
 * a connection made with the official client (`@nats-io/transport-node`, `@nats-io/transport-deno`
 * or the WebSocket one): nothing of it is imported here.
 *
 * @example
 * ```ts
 * import { connect, Service } from "../../mod.ts";
 * import { event, events } from "../events/mod.ts";
 * import { natsFetch, natsServer, natsTransport, type NatsConnectionLike } from "./mod.ts";
 * // import { connect as natsConnect } from "@nats-io/transport-node";
 * // const nc = await natsConnect({ servers: "127.0.0.1:4222" });
 * declare const nc: NatsConnectionLike;
 *
 * const orderEvents = events({ transport: natsTransport(nc), emits: { "order.created": event<{ id: string }>() } });
 * const orders = new Service({ name: "orders.service" })
 *   .use(orderEvents)
 *   .use(natsServer(nc))
 *   .publicMethod("create_order", async (id: string) => {
 *     await orderEvents.emit("order.created", { id });
 *     return id;
 *   });
 * await orders.startup();
 *
 * const remote = await connect<typeof orders>("nats:rpc.orders.service", { fetch: natsFetch(nc) });
 * await remote.methods.create_order("o-1"); // "o-1"
 * ```
 *
 * @module
 */

export {
  headerReader,
  type NatsConnectionLike,
  NatsHeaderBlock,
  type NatsHeaders,
  type NatsMessage,
  type NatsSubscription,
} from "./connection.ts";
export {
  consumerName,
  DEAD_LETTER_HEADERS,
  eventSubject,
  type JetStreamConsumerLike,
  type JetStreamLike,
  type JetStreamManagerLike,
  type JetStreamMessageLike,
  type NatsEventTransport,
  natsTransport,
  type NatsTransportOptions,
  type ReplayOptions,
} from "./events_transport.ts";
export { NO_RESPONDERS, natsFetch, type NatsFetchOptions } from "./rpc_fetch.ts";
export { natsServer, type NatsServerOptions, natsSubject } from "./rpc_server.ts";
