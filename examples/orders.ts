/**
 * orders.service: `create_order(item, quantity)` answers the new order's id and emits
 * `order.created`, which examples/billing.ts handles. With $NATS_URL set (such as
 * `nats://127.0.0.1:4222`) the events travel over NATS and the service also answers JSON-RPC on
 * the NATS subject `rpc.orders.service`; otherwise they stay in this process. HTTP on $PORT.
 *
 * Run with `NATS_URL=nats://127.0.0.1:4222 PORT=5001 npx tsx examples/orders.ts`, then
 * `NATS_URL=nats://127.0.0.1:4222 PORT=5002 npx tsx examples/billing.ts` (as many billing
 * processes as you like: each order is billed once), and create an order:
 * `curl -H 'content-type: application/json' -d '{"jsonrpc":"2.0","method":"create_order","params":["book",2],"id":1}' http://127.0.0.1:5001/api`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { serve, Service } from "../mod.ts";
import { event, events, type EventTransport } from "../src/events/mod.ts";

/** What an order.created event carries. */
export interface OrderCreated {
  readonly id: string;
  readonly item: string;
  readonly quantity: number;
}

/**
 * The orders service, on a transport (the process's in-process one when absent).
 *
 * @param transport What carries its events.
 * @returns The service.
 */
export function ordersService(transport?: EventTransport) {
  const orderEvents = events({
    ...(transport === undefined ? {} : { transport }),
    emits: { "order.created": event<OrderCreated>({ description: "An order was created: bill it, ship it." }) },
  });
  let count = 0;
  return new Service({ name: "orders.service", version: "1.0.0" })
    .use(orderEvents)
    .publicMethod("create_order", async (item: string, quantity: number) => {
      const id = `order-${Date.now().toString(36)}-${++count}`;
      await orderEvents.emit("order.created", { id, item, quantity });
      return id;
    }, { description: "Creates an order and emits order.created." });
}

/** The type billing subscribes with: its events are read from it. */
export type OrdersService = ReturnType<typeof ordersService>;

// Served only when run, not when billing.ts imports it for the in-process mode.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const natsUrl = process.env["NATS_URL"];
  let service: OrdersService;
  if (natsUrl === undefined) {
    service = ordersService();
    console.log("no $NATS_URL: events stay in this process (run examples/billing.ts alone to see both)");
  } else {
    const { connect } = await import("@nats-io/transport-node");
    const { natsServer, natsTransport } = await import("../src/nats/mod.ts");
    const nc = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
    service = ordersService(natsTransport(nc));
    // JSON-RPC on NATS too; the connection drains when the service stops.
    service.use(natsServer(nc)).use({ name: "nats connection", stop: () => nc.drain() });
  }
  const server = await serve(service, {
    hostname: process.env["HOST"] ?? "127.0.0.1",
    port: Number(process.env["PORT"] ?? 5000),
    signals: true,
  });
  console.log(`${service.name} serving at ${server.url}${service.path}`);
}
