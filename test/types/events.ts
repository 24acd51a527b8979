/* eslint-disable @typescript-eslint/no-meaningless-void-operator -- values read only to type-check them */
// Type-level checks of the events plugin (npm run typecheck): payloads are typed from the emitter.
import { Service } from "../../mod.ts";
import { createClient } from "../../src/client/mod.ts";
import { event, events, type EventsOf } from "../../src/events/mod.ts";
import type { StandardSchemaV1 } from "../../src/core/standard_schema.ts";

declare const quantity: StandardSchemaV1<{ n: string }, { n: number }>;

const orderEvents = events({
  emits: {
    "order.created": event<{ id: string; quantity: number }>({ description: "An order was created" }),
    "order.counted": event({ schema: quantity }),
  },
});
export const orders = new Service({ name: "orders.service" })
  .use(orderEvents)
  .publicMethod("create_order", async (id: string) => {
    await orderEvents.emit("order.created", { id, quantity: 1 });
    // @ts-expect-error: the payload misses quantity
    await orderEvents.emit("order.created", { id });
    // @ts-expect-error: not a declared event
    await orderEvents.emit("order.lost", {});
    await orderEvents.emit("order.counted", { n: "3" }); // the schema's input
    return id;
  });

export type Declared = keyof EventsOf<typeof orders>; // "order.created" | "order.counted"
const declared: Declared[] = ["order.created", "order.counted"];

const billing = events();
billing.from<typeof orders>("orders.service")
  .on("order.created", (order, info) => {
    const id: string = order.id;
    const count: number = order.quantity;
    const attempt: number = info.attempt;
    void [id, count, attempt];
  })
  .on("order.counted", (counted) => {
    const n: number = counted.n; // the schema's output
    void n;
  })
  // @ts-expect-error: orders declares no such event
  .on("order.lost", () => {});

// The emitter's name comes with its type: a typo in it is a type error, not a silent subscription to nothing.
// @ts-expect-error: orders is "orders.service"
events().from<typeof orders>("orders.servce");
// @ts-expect-error: not even close
events().from<typeof orders>("billing.service");
// A service whose name is not a literal, and the plugin's own type, take any name.
declare const someName: string;
export const dynamic = new Service({ name: someName }).use(events({ emits: { "thing.done": event() } }));
events().from<typeof dynamic>("any.service").on("thing.done", () => {});
events().from<typeof orderEvents>("some.service");

// The client of the emitter is unchanged: events are no methods.
const client = createClient<typeof orders>("http://127.0.0.1:1/api");
export const created: Promise<string> = client.methods.create_order("o-1");
// @ts-expect-error: no method of that name
void client.methods.emit;
void declared;

// The plugin's own type works too.
events().from<typeof orderEvents>("orders.service").on("order.created", (order) => {
  const id: string = order.id;
  void id;
});
