// The events plugin on the in-process transport: service-pool and broadcast delivery, handler
// errors reported without stopping the subscription, durable groups (redelivery, events kept while
// no instance runs), payload schemas, rpc.discover's x-events, and the misuses refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Service } from "../mod.ts";
import { event, type EventInfo, events, type EventTransport, inProcess } from "../src/events/mod.ts";
import type { StandardSchemaV1 } from "../src/core/standard_schema.ts";
import { eventWatch } from "./event_watch.ts";
import { assertStopWaitsForHandler, until } from "./helpers.ts";

interface Order {
  id: string;
  item: string;
  quantity: number;
}

function ordersService(transport: EventTransport) {
  const orderEvents = events({
    transport,
    emits: {
      "order.created": event<Order>({ description: "An order was created" }),
      "order.cancelled": event<{ id: string }>(),
    },
  });
  let next = 0;
  const service = new Service({ name: "orders.service", onError: false })
    .use(orderEvents)
    .publicMethod("create_order", async (item: string, quantity: number) => {
      const id = `o-${++next}`;
      await orderEvents.emit("order.created", { id, item, quantity });
      return id;
    });
  return { service, orderEvents };
}
type Orders = ReturnType<typeof ordersService>["service"];

/** One instance of billing.service: what it handled, and what its onError was told. */
function billingInstance(transport: EventTransport, options: { broadcast?: boolean; durable?: boolean; fail?: (order: Order, info: EventInfo) => boolean } = {}) {
  const handled: string[] = [];
  const reported: { error: unknown; where: string }[] = [];
  const plugin = events({ transport });
  plugin.from<Orders>("orders.service").on("order.created", (order, info) => {
    if (options.fail?.(order, info) === true) throw new Error(`cannot bill ${order.id}`);
    handled.push(order.id);
  }, { ...(options.broadcast === true ? { delivery: "broadcast" } : {}), durable: options.durable === true });
  const service = new Service({ name: "billing.service", onError: (error, { method }) => reported.push({ error, where: method }) }).use(plugin);
  return { service, handled, reported };
}

async function createOrders(orders: Service, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await orders.handle({ jsonrpc: "2.0", method: "create_order", params: ["book", i + 1], id: i });
    assert.ok(answer !== undefined && !Array.isArray(answer) && "result" in answer);
  }
}

describe("events in process", () => {
  it("service-pool: two instances of a subscriber handle every event exactly once in total, both get some", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const a = billingInstance(transport);
    const b = billingInstance(transport);
    await a.service.startup();
    await b.service.startup();
    await createOrders(orders, 20);
    await until(() => a.handled.length + b.handled.length === 20);
    const all = [...a.handled, ...b.handled].sort();
    assert.equal(new Set(all).size, 20);
    assert.ok(a.handled.length > 0 && b.handled.length > 0);
    await a.service.shutdown();
    await b.service.shutdown();
  });

  it("each subscribing service gets its own share: two services, one instance each, both see every event", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const billing = billingInstance(transport);
    const shipped: string[] = [];
    const shippingEvents = events({ transport });
    shippingEvents.from<Orders>("orders.service").on("order.created", (order) => {
      shipped.push(order.id);
    });
    const shipping = new Service({ name: "shipping.service" }).use(shippingEvents);
    await billing.service.startup();
    await shipping.startup();
    await createOrders(orders, 5);
    await until(() => billing.handled.length === 5 && shipped.length === 5);
    await billing.service.shutdown();
    await shipping.shutdown();
  });

  it("broadcast: every instance handles every event", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const a = billingInstance(transport, { broadcast: true });
    const b = billingInstance(transport, { broadcast: true });
    await a.service.startup();
    await b.service.startup();
    await createOrders(orders, 6);
    await until(() => a.handled.length === 6 && b.handled.length === 6);
    assert.deepEqual(a.handled.sort(), b.handled.sort());
    await a.service.shutdown();
    await b.service.shutdown();
    await createOrders(orders, 1); // nobody listens: dropped, no error
    assert.equal(a.handled.length, 6);
  });

  it("a handler's error goes to the service's onError with the event, and the subscription goes on", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const billing = billingInstance(transport, { fail: (order) => order.id === "o-2" });
    await billing.service.startup();
    await createOrders(orders, 3);
    await until(() => billing.handled.length === 2 && billing.reported.length === 1);
    assert.deepEqual(billing.handled, ["o-1", "o-3"]);
    const [report] = billing.reported;
    assert.equal(report?.where, "event orders.service order.created");
    assert.match(String(report.error), /cannot bill o-2/);
    await billing.service.shutdown();
  });

  it("durable: a failed event is delivered again until its handler succeeds (attempt counts up)", async () => {
    const transport = inProcess({ redeliveryDelay: 5 });
    const { service: orders } = ordersService(transport);
    const attempts: number[] = [];
    const billing = billingInstance(transport, {
      durable: true,
      fail: (_order, info) => {
        attempts.push(info.attempt);
        return info.attempt < 3;
      },
    });
    await billing.service.startup();
    await createOrders(orders, 1);
    await until(() => billing.handled.length === 1);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(billing.reported.length, 2);
    await billing.service.shutdown();
  });

  it("an assertion that fails inside a handler fails the test with its own message, not as a timeout", async () => {
    const transport = inProcess();
    const { orderEvents } = ordersService(transport);
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.cancelled", (payload) => {
      assert.deepEqual(payload, { id: "o-other" });
    });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.cancelled", { id: "o-9" });
    await assert.rejects(watch.until(() => false, "never"), (error: unknown) => error instanceof assert.AssertionError && /o-other/.test(error.message));
    await billing.shutdown();
  });

  it("durable: an event still failing after maxDeliveries goes to the dead letters, reported; the next events are handled; a replay hands it back", async () => {
    const transport = inProcess({ redeliveryDelay: 1, maxDeliveries: 3 });
    const { service: orders } = ordersService(transport);
    const attempts: number[] = [];
    let broken = true;
    const billing = billingInstance(transport, {
      durable: true,
      fail: (order, info) => {
        if (order.id !== "o-1") return false;
        attempts.push(info.attempt);
        return broken;
      },
    });
    await billing.service.startup();
    await createOrders(orders, 3);
    await until(() => billing.handled.length === 2 && transport.deadLetters().length === 1);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(billing.handled, ["o-2", "o-3"]);
    const [letter] = transport.deadLetters();
    assert.deepEqual([letter?.group, letter?.deliveries, letter?.reason, (letter?.envelope.payload as Order).id], ["billing.service", 3, "cannot bill o-1", "o-1"]);
    const messages = billing.reported.map((entry) => String(entry.error));
    assert.equal(messages.length, 4); // three failures, then the give-up
    assert.equal(messages[3], `Error: gave up on event orders.service order.created ${letter?.envelope.id} after 3 deliveries (cannot bill o-1): kept in deadLetters()`);
    broken = false;
    assert.equal(transport.replayDeadLetters({ group: "shipping.service" }), 0);
    assert.equal(transport.replayDeadLetters({ group: "billing.service" }), 1);
    await until(() => billing.handled.length === 3);
    assert.deepEqual(attempts, [1, 2, 3, 1]);
    assert.deepEqual(transport.deadLetters(), []);
    await billing.service.shutdown();
  });

  it("durable: the backlog of a group with no instance running is bounded: the emit past it rejects and reaches nobody", async () => {
    const transport = inProcess({ maxBacklog: 2 });
    const { service: orders, orderEvents } = ordersService(transport);
    const first = billingInstance(transport, { durable: true });
    await first.service.startup();
    await first.service.shutdown();
    // Another service's group, running.
    const shipping = { handled: [] as string[], service: new Service({ name: "shipping.service" }) };
    const shippingEvents = events({ transport });
    shippingEvents.from<Orders>("orders.service").on("order.created", (order) => {
      shipping.handled.push(order.id);
    });
    shipping.service.use(shippingEvents);
    await shipping.service.startup();
    await createOrders(orders, 2);
    await until(() => shipping.handled.length === 2);
    await assert.rejects(orderEvents.emit("order.created", { id: "o-x", item: "book", quantity: 1 }), (error: unknown) =>
      error instanceof RangeError &&
      error.message === "in-process transport: the durable group billing.service keeps 2 events of orders.service order.created already and none of its instances runs (maxBacklog)");
    const second = billingInstance(transport, { durable: true });
    await second.service.startup();
    await until(() => second.handled.length === 2);
    assert.deepEqual(second.handled, ["o-1", "o-2"]);
    assert.deepEqual(shipping.handled, ["o-1", "o-2"]);
    // Room again: the emit goes through.
    await orderEvents.emit("order.created", { id: "o-y", item: "book", quantity: 1 });
    await until(() => second.handled.length === 3 && shipping.handled.length === 3);
    await second.service.shutdown();
    await shipping.service.shutdown();
  });

  it("durable: a failed event whose redelivery finds the backlog full goes to the dead letters, reported", async () => {
    const transport = inProcess({ redeliveryDelay: 50, maxBacklog: 1 });
    const { service: orders } = ordersService(transport);
    const billing = billingInstance(transport, { durable: true, fail: (order) => order.id === "o-1" });
    await billing.service.startup();
    await createOrders(orders, 1);
    await until(() => billing.reported.length === 1);
    // Before the redelivery: nobody runs, and o-2 takes the only place in the backlog.
    await billing.service.shutdown();
    await createOrders(orders, 1);
    await until(() => transport.deadLetters().length === 1);
    const [letter] = transport.deadLetters();
    assert.deepEqual([(letter?.envelope.payload as Order).id, letter?.deliveries, letter?.reason], ["o-1", 1, "the backlog is full (maxBacklog 1)"]);
    assert.match(String(billing.reported.at(-1)?.error), /gave up on event orders\.service order\.created \S+ after 1 deliveries \(the backlog is full \(maxBacklog 1\)\)/);
  });

  it("durable: dead letters are bounded too (the oldest dropped, and reported); the bounds refuse nonsense", async () => {
    const transport = inProcess({ redeliveryDelay: 1, maxDeliveries: 1, maxDeadLetters: 1 });
    const { service: orders } = ordersService(transport);
    const billing = billingInstance(transport, { durable: true, fail: () => true });
    await billing.service.startup();
    await createOrders(orders, 2);
    await until(() => billing.reported.length === 5);
    assert.deepEqual(transport.deadLetters().map((letter) => (letter.envelope.payload as Order).id), ["o-2"]);
    assert.match(String(billing.reported.at(-1)?.error), /dropped the dead letter \S+ of billing\.service: more than 1 \(maxDeadLetters\)$/);
    await billing.service.shutdown();
    assert.throws(() => inProcess({ maxDeliveries: 0 }), /^TypeError: maxDeliveries must be a whole number of at least 1 \(or Infinity\), got 0$/);
    assert.throws(() => inProcess({ maxBacklog: Infinity }), /^TypeError: maxBacklog must be a whole number of at least 1, got Infinity$/);
    assert.throws(() => inProcess({ maxDeadLetters: 2.5 }), /maxDeadLetters must be a whole number/);
    inProcess({ maxDeliveries: Infinity });
  });

  it("durable: events emitted while every instance is down wait, and the next instance gets them all", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const first = billingInstance(transport, { durable: true });
    await first.service.startup();
    await createOrders(orders, 3);
    await until(() => first.handled.length === 3);
    await first.service.shutdown();
    await createOrders(orders, 4); // nobody runs
    const second = billingInstance(transport, { durable: true });
    await second.service.startup();
    await until(() => second.handled.length === 4);
    assert.deepEqual(second.handled, ["o-4", "o-5", "o-6", "o-7"]);
    await second.service.shutdown();
  });

  it("a non-durable group drops what was emitted while nobody ran", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const first = billingInstance(transport);
    await first.service.startup();
    await first.service.shutdown();
    await createOrders(orders, 2);
    const second = billingInstance(transport);
    await second.service.startup();
    await createOrders(orders, 1);
    await until(() => second.handled.length === 1);
    assert.deepEqual(second.handled, ["o-3"]);
    await second.service.shutdown();
  });

  it("stop waits for the handlers that are running", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    let release: () => void = () => {};
    const order: string[] = [];
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.created", async () => {
      order.push("handler started");
      await new Promise<void>((resolve) => (release = resolve));
      order.push("handler finished");
    });
    const billing = new Service({ name: "billing.service" }).use(plugin);
    await billing.startup();
    await createOrders(orders, 1);
    await until(() => order.length === 1);
    await assertStopWaitsForHandler(() => billing.shutdown(), () => release(), order);
  });

  it("the envelope: id, event, source and time reach the handler", async () => {
    const transport = inProcess();
    const { orderEvents } = ordersService(transport);
    const seen: EventInfo[] = [];
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.cancelled", (payload, info) => {
      // A failure here reaches onError, and the watch fails with its own message at once.
      assert.deepEqual(payload, { id: "o-9" });
      seen.push(info);
    });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.cancelled", { id: "o-9" });
    await watch.until(() => seen.length === 1, "the event handled");
    const info = seen[0] as EventInfo;
    assert.equal(info.event, "order.cancelled");
    assert.equal(info.source, "orders.service");
    assert.equal(info.attempt, 1);
    assert.match(info.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(info.time)));
    await billing.shutdown();
  });

  it("rpc.discover lists the declared events under x-events, with their schema's JSON Schema", async () => {
    const positive: StandardSchemaV1<{ n: number }> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) => ((value as { n?: unknown }).n as number) > 0 ? { value: value as { n: number } } : { issues: [{ message: "n must be positive" }] },
        jsonSchema: { input: () => ({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" }), output: () => ({ type: "object" }) },
      },
    };
    const plugin = events({ transport: inProcess(), emits: { "count.changed": event({ schema: positive, description: "The count moved" }), "count.reset": event() } });
    const service = new Service({ name: "counter.service" }).use(plugin);
    const answer = await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 });
    const document = (answer as { result: Record<string, unknown> }).result;
    assert.deepEqual(document["x-events"], [
      { name: "count.changed", description: "The count moved", schema: { type: "object" } },
      { name: "count.reset" },
    ]);
    await plugin.emit("count.changed", { n: 1 });
    await assert.rejects(plugin.emit("count.changed", { n: -1 }), /fails its schema: n must be positive/);
    // A service without emits adds nothing to its document.
    const plain = new Service({ name: "plain" }).use(events({ transport: inProcess() }));
    const bare = (await plain.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 })) as { result: Record<string, unknown> };
    assert.equal("x-events" in bare.result, false);
  });

  it("refuses misuses: emit before use, an undeclared event, subscribe after start, durable broadcast, one plugin in two services", async () => {
    const transport = inProcess();
    const plugin = events({ transport, emits: { "a.happened": event() } });
    await assert.rejects(plugin.emit("a.happened", {}), /use\(\) the plugin/);
    const service = new Service({ name: "a.service" }).use(plugin);
    await assert.rejects(plugin.emit("b.happened" as never, {} as never), /declares no event b\.happened/);
    assert.throws(() => new Service({ name: "b.service" }).use(plugin), /already used by a\.service/);
    const source = plugin.from("x.service");
    assert.throws(() => source.on("e", () => {}, { delivery: "broadcast", durable: true }), /not broadcast/);
    assert.throws(() => source.on("e", () => {}, { delivery: "everyone" as never }), /Unknown delivery/);
    // Names that would subscribe to other services' events, or to none.
    for (const name of ["", "orders.*", "orders.>", "orders service", ".orders", "orders.", "orders..service"]) {
      assert.throws(() => plugin.from(name), new TypeError(`events(): ${JSON.stringify(name)} is not a service name (no whitespace, wildcards or empty parts)`));
    }
    assert.throws(() => plugin.from(42 as never), /42 is not a service name/);
    assert.throws(() => source.on("order.*", () => {}), /"order\.\*" is not an event name/);
    await service.startup();
    assert.throws(() => source.on("e", () => {}), /before the service starts/);
    await service.shutdown();
    await assert.rejects(transport.subscribe({ source: "x", event: "e", group: undefined, durable: true }, () => Promise.resolve()), /needs a group/);
    assert.throws(() => inProcess({ redeliveryDelay: -1 }), /redeliveryDelay/);
  });

  it("without a transport, the services of one process share one in-process transport", async () => {
    const emitter = events({ emits: { "ping.sent": event<number>() } });
    new Service({ name: "pinger.service" }).use(emitter);
    const got: number[] = [];
    const listener = events();
    listener.from<typeof emitter>("pinger.service").on("ping.sent", (n) => {
      got.push(n);
    });
    const ponger = new Service({ name: "ponger.service" }).use(listener);
    await ponger.startup();
    await emitter.emit("ping.sent", 7);
    await until(() => got.length === 1);
    assert.equal(listener.transport, emitter.transport);
    await ponger.shutdown();
  });

  it("a subscription that fails to start stops those started before it, and the start fails", async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const flaky: EventTransport = {
      name: "flaky",
      publish: () => Promise.resolve(),
      subscribe: (request) => {
        if (request.event === "bad") return Promise.reject(new Error("cannot subscribe"));
        started.push(request.event);
        return Promise.resolve({ stop: () => {
          stopped.push(request.event);
          return Promise.reject(new Error("stop failed"));
        } });
      },
    };
    const plugin = events({ transport: flaky });
    plugin.from("x.service").on("good", () => {}).on("bad", () => {});
    const service = new Service({ name: "s" }).use(plugin);
    await assert.rejects(service.startup(), /cannot subscribe/);
    assert.deepEqual(started, ["good"]);
    assert.deepEqual(stopped, ["good"]);
  });

  it("an async handler's rejection goes to onError too, with the event", async () => {
    const transport = inProcess();
    const { orderEvents } = ordersService(transport);
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.cancelled", async (payload) => {
      await Promise.resolve();
      throw new Error(`cannot cancel ${payload.id}`);
    });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.cancelled", { id: "o-9" });
    await watch.until(() => watch.reported.length === 1, "the rejection reported");
    assert.deepEqual(watch.reported.map((entry) => [entry.where, String(entry.error)]), [["event orders.service order.cancelled", "Error: cannot cancel o-9"]]);
    await billing.shutdown();
  });

  it("a schema's issues are all told, joined by semicolons", async () => {
    const both: StandardSchemaV1<{ n: number }> = {
      "~standard": { version: 1, vendor: "test", validate: () => ({ issues: [{ message: "n is missing" }, { message: "m is extra" }] }) },
    };
    const plugin = events({ transport: inProcess(), emits: { "count.changed": event({ schema: both }) } });
    new Service({ name: "counter.service" }).use(plugin);
    await assert.rejects(plugin.emit("count.changed", { n: 1 }), new TypeError("The payload of count.changed fails its schema: n is missing; m is extra"));
  });

  it("rpc.discover asks the schema for draft-07 first, then draft-2020-12", async () => {
    const only = (dialect: string): StandardSchemaV1<number> => ({
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) => ({ value: value as number }),
        jsonSchema: {
          input: ({ target }) => {
            if (target !== dialect) throw new Error(`no ${target}`);
            return { $schema: dialect, type: "number", description: target };
          },
          output: () => ({}),
        },
      },
    });
    const plugin = events({ transport: inProcess(), emits: { "a.old": event({ schema: only("draft-07") }), "a.new": event({ schema: only("draft-2020-12") }), "a.none": event({ schema: only("openapi-3.0") }) } });
    const service = new Service({ name: "counter.service" }).use(plugin);
    const answer = (await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 })) as { result: Record<string, unknown> };
    assert.deepEqual(answer.result["x-events"], [
      { name: "a.old", schema: { type: "number", description: "draft-07" } },
      { name: "a.new", schema: { type: "number", description: "draft-2020-12" } },
      { name: "a.none" },
    ]);
  });

  it("after a start that failed, or a stop, the plugin takes new subscriptions and the next start runs them all", async () => {
    const inner = inProcess();
    let failNext = true;
    const transport: EventTransport = {
      name: "once-failing",
      publish: (envelope) => inner.publish(envelope),
      subscribe: (request, deliver) => {
        if (!failNext) return inner.subscribe(request, deliver);
        failNext = false;
        return Promise.reject(new Error("cannot subscribe yet"));
      },
    };
    const { orderEvents } = ordersService(transport);
    const seen: string[] = [];
    const watch = eventWatch();
    const plugin = events({ transport });
    const source = plugin.from<Orders>("orders.service");
    const handle = (which: string) => (payload: { id: string }): void => {
      seen.push(`${which} ${payload.id}`);
    };
    source.on("order.cancelled", handle("first"));
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await assert.rejects(billing.startup(), /cannot subscribe yet/);
    source.on("order.cancelled", handle("second"), { delivery: "broadcast" });
    await billing.startup();
    await billing.shutdown();
    source.on("order.cancelled", handle("third"), { delivery: "broadcast" });
    await billing.startup();
    await orderEvents.emit("order.cancelled", { id: "o-1" });
    await watch.until(() => seen.length === 3, "all three handled");
    assert.deepEqual(seen.sort(), ["first o-1", "second o-1", "third o-1"]);
    await billing.shutdown();
  });

  it("a stop stops every subscription, last first, and fails with the first failure", async () => {
    const stopped: string[] = [];
    const sticky: EventTransport = {
      name: "sticky",
      publish: () => Promise.resolve(),
      subscribe: (request) => Promise.resolve({ stop: () => {
        stopped.push(request.event);
        return Promise.reject(new Error(`cannot stop ${request.event}`));
      } }),
    };
    const plugin = events({ transport: sticky });
    plugin.from("x.service").on("one", () => {}).on("two", () => {});
    const service = new Service({ name: "s" }).use(plugin);
    await service.startup();
    await assert.rejects(service.shutdown(), /^Error: cannot stop two$/);
    assert.deepEqual(stopped, ["two", "one"]);
  });

  it("durable by default: a failed event goes again after 1000 ms, five deliveries in all, then to the dead letters", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const turns = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const attempts: number[] = [];
    const billing = billingInstance(transport, { durable: true, fail: (_order, info) => attempts.push(info.attempt) > 0 });
    await billing.service.startup();
    await createOrders(orders, 1);
    await turns();
    assert.deepEqual(attempts, [1]);
    t.mock.timers.tick(999);
    await turns();
    assert.deepEqual(attempts, [1], "not before 1000 ms");
    t.mock.timers.tick(1);
    await turns();
    assert.deepEqual(attempts, [1, 2]);
    for (let i = 0; i < 5; i++) {
      t.mock.timers.tick(1_000);
      await turns();
    }
    assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
    assert.deepEqual(transport.deadLetters().map((letter) => letter.deliveries), [5]);
    await billing.service.shutdown();
  });

  it("by default a durable group keeps 10000 events while none of its instances runs", async () => {
    const transport = inProcess();
    const { orderEvents } = ordersService(transport);
    const first = billingInstance(transport, { durable: true });
    await first.service.startup();
    await first.service.shutdown();
    for (let i = 0; i < 10_000; i++) await orderEvents.emit("order.created", { id: `o-${i}`, item: "book", quantity: 1 });
    await assert.rejects(orderEvents.emit("order.created", { id: "o-x", item: "book", quantity: 1 }), /keeps 10000 events of orders\.service order\.created already/);
  });

  it("by default 1000 dead letters are kept: the next one drops the oldest", async () => {
    const transport = inProcess({ maxDeliveries: 1 });
    const { orderEvents } = ordersService(transport);
    const billing = billingInstance(transport, { durable: true, fail: () => true });
    await billing.service.startup();
    for (let i = 0; i < 1_001; i++) await orderEvents.emit("order.created", { id: `o-${i}`, item: "book", quantity: 1 });
    await until(() => transport.deadLetters().length === 1_000 && billing.reported.length === 2_003);
    assert.equal((transport.deadLetters()[0]?.envelope.payload as Order).id, "o-1");
    assert.match(String(billing.reported.at(-1)?.error), /dropped the dead letter \S+ of billing\.service: more than 1000 \(maxDeadLetters\)$/);
    await billing.service.shutdown();
  });

  it("the transport's name; a redelivery delay of 0 is taken; Infinity is only for maxDeliveries", () => {
    assert.equal(inProcess({ redeliveryDelay: 0 }).name, "in-process");
    assert.throws(() => inProcess({ redeliveryDelay: Number.NaN }), new TypeError("redeliveryDelay must be a number of ms, 0 or more"));
    assert.throws(() => inProcess({ maxDeadLetters: Infinity }), new TypeError("maxDeadLetters must be a whole number of at least 1, got Infinity"));
  });

  it("a subscriber gets only the event it subscribed to, of the source it named", async () => {
    const transport = inProcess();
    const { service: orders, orderEvents } = ordersService(transport);
    const seen: string[] = [];
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.cancelled", (payload) => {
      seen.push(`pool ${payload.id}`);
    }).on("order.cancelled", (payload) => {
      seen.push(`broadcast ${payload.id}`);
    }, { delivery: "broadcast" });
    plugin.from("other.service").on("order.cancelled", (payload) => {
      seen.push(`other ${JSON.stringify(payload)}`);
    });
    const billing = new Service({ name: "billing.service" }).use(plugin);
    await billing.startup();
    await createOrders(orders, 2);
    await orderEvents.emit("order.cancelled", { id: "c-1" });
    await until(() => seen.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen.sort(), ["broadcast c-1", "pool c-1"]);
    await billing.shutdown();
  });

  it("a broadcast delivery is a first attempt", async () => {
    const transport = inProcess();
    const { orderEvents } = ordersService(transport);
    const attempts: number[] = [];
    const plugin = events({ transport });
    plugin.from<Orders>("orders.service").on("order.cancelled", (_payload, info) => {
      attempts.push(info.attempt);
    }, { delivery: "broadcast" });
    const billing = new Service({ name: "billing.service" }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.cancelled", { id: "o-1" });
    await until(() => attempts.length === 1);
    assert.deepEqual(attempts, [1]);
    await billing.shutdown();
  });

  it("service-pool: when one instance stops, the other gets every event", async () => {
    const transport = inProcess();
    const { service: orders } = ordersService(transport);
    const a = billingInstance(transport);
    const b = billingInstance(transport);
    await a.service.startup();
    await b.service.startup();
    await a.service.shutdown();
    await createOrders(orders, 3);
    await until(() => b.handled.length === 3);
    assert.deepEqual([a.handled, b.handled], [[], ["o-1", "o-2", "o-3"]]);
    await b.service.shutdown();
  });

  it("a subscription stopped twice leaves once: the other members keep their events", async () => {
    const transport = inProcess();
    const got: string[] = [];
    const request = { source: "orders.service", event: "order.created", group: "billing.service", durable: false, report: undefined };
    const first = await transport.subscribe(request, () => Promise.resolve());
    await transport.subscribe(request, (envelope) => {
      got.push(envelope.id);
      return Promise.resolve();
    });
    await first.stop();
    await first.stop();
    await transport.publish({ id: "e-1", event: "order.created", source: "orders.service", time: new Date(0).toISOString(), payload: {} });
    await until(() => got.length === 1);
    assert.deepEqual(got, ["e-1"]);
  });

  it("a replay takes out of the dead letters only what it hands back", async () => {
    const transport = inProcess({ maxDeliveries: 1 });
    const { service: orders } = ordersService(transport);
    let broken = true;
    const billing = billingInstance(transport, { durable: true, fail: () => broken });
    const shipping = { handled: [] as string[] };
    const shippingEvents = events({ transport });
    shippingEvents.from<Orders>("orders.service").on("order.created", (order) => {
      if (broken) throw new Error(`cannot ship ${order.id}`);
      shipping.handled.push(order.id);
    }, { durable: true });
    const shippingService = new Service({ name: "shipping.service", onError: false }).use(shippingEvents);
    await billing.service.startup();
    await shippingService.startup();
    await createOrders(orders, 1);
    await until(() => transport.deadLetters().length === 2);
    broken = false;
    assert.equal(transport.replayDeadLetters({ group: "billing.service" }), 1);
    assert.deepEqual(transport.deadLetters().map((letter) => [letter.group, letter.reason]), [["shipping.service", "cannot ship o-1"]]);
    await until(() => billing.handled.length === 1);
    assert.deepEqual(shipping.handled, []);
    await billing.service.shutdown();
    await shippingService.shutdown();
  });
});
