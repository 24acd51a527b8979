/**
 * billing.service: handles orders.service's `order.created` events (typed from
 * examples/orders.ts) and answers `billed_count()`, the events this instance handled. With
 * $NATS_URL set the events come over NATS, shared among every billing process (service-pool: each
 * order billed once); otherwise this process also runs orders.service (in process) on $PORT + 1,
 * so both can be tried without NATS. HTTP on $PORT.
 *
 * Run with `npx tsx examples/billing.ts` (or `deno run -A`, or `bun`), then create an order on the
 * printed orders URL and ask `billed_count`.
 *
 * @module
 */

import { serve, Service } from "../mod.ts";
import { events, type EventTransport } from "../src/events/mod.ts";
import type { OrdersService } from "./orders.ts";

const hostname = process.env["HOST"] ?? "127.0.0.1";
const port = Number(process.env["PORT"] ?? 5000);
const natsUrl = process.env["NATS_URL"];

let transport: EventTransport | undefined;
let stopNats: (() => Promise<void>) | undefined;
if (natsUrl !== undefined) {
  const { connect } = await import("@nats-io/transport-node");
  const { natsTransport } = await import("../src/nats/mod.ts");
  const nc = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
  transport = natsTransport(nc);
  stopNats = () => nc.drain();
}

let billed = 0;
const billingEvents = events(transport === undefined ? {} : { transport });
billingEvents.from<OrdersService>("orders.service").on("order.created", (order) => {
  billed++;
  console.log(`billed ${order.quantity} × ${order.item} (${order.id})`);
});

const service = new Service({ name: "billing.service", version: "1.0.0" })
  .use(billingEvents)
  .use({ name: "nats connection", stop: () => stopNats?.() })
  .publicMethod("billed_count", () => billed, { description: "How many orders this instance billed." });
const server = await serve(service, { hostname, port, signals: true });
console.log(`${service.name} serving at ${server.url}${service.path}`);

if (natsUrl === undefined) {
  // No NATS: orders.service runs here, on the same in-process transport.
  const { ordersService } = await import("./orders.ts");
  const orders = await serve(ordersService(), { hostname, port: port === 0 ? 0 : port + 1, signals: true });
  console.log(`orders.service serving at ${orders.url}/api`);
}
