/* eslint-disable @typescript-eslint/no-meaningless-void-operator -- values read only to type-check them */
// Type-level checks of tsmicroservice/testing (npm run typecheck): the test client is typed by the
// service, as connect() is, and captureEvents by the emitter's declared events.
import { type Client, type MethodsOf, Service } from "../../mod.ts";
import { event, events } from "../../src/events/mod.ts";
import { captureEvents, testClient, waitFor } from "../../src/testing/mod.ts";

const orderEvents = events({ emits: { "order.created": event<{ id: string; quantity: number }>() } });
const orders = new Service({ name: "orders.service" })
  .use(orderEvents)
  .publicMethod("add", (a: number, b: number) => a + b)
  .publicMethod("today", () => new Date());

export async function checks(): Promise<void> {
  const client = testClient(orders, { token: "t", headers: { "x-tenant": "acme" }, start: false });
  const sum: number = await client.methods.add(1, 2);
  // The result as JSON carries it: a Date arrives as a string.
  const today: string = await client.methods.today();
  // @ts-expect-error: a string where a number is wanted
  await client.methods.add("1", 2);
  // @ts-expect-error: no such method
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call -- the error above is the check
  await client.methods.subtract(1, 2);
  // @ts-expect-error: fetch is the service's own
  testClient(orders, { fetch: globalThis.fetch });
  const asClient: Client<MethodsOf<typeof orders>> = client;
  const name: string = client.name;

  const created = await captureEvents(orders, "order.created");
  const quantity: number = (await created.next()).quantity;
  // @ts-expect-error: orders declares no such event
  await captureEvents(orders, "order.cancelled");
  const byName = await captureEvents<typeof orders, "order.created">("orders.service", "order.created");
  const id: string = (await byName.next()).id;

  const found: string = await waitFor(() => (Math.random() > 0.5 ? "yes" : undefined));
  void [sum, today, asClient, name, quantity, id, found];
}
