// tsmicroservice/testing: testClient (the typed client in process, through service.fetch and the
// same wire rules as HTTP, starting and stopping the service), waitFor and captureEvents.
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { type CallContext, type Client, type MethodsOf, MicroService, publicMethod, RpcError, Service, TransportError } from "../mod.ts";
import { event, events, inProcess } from "../src/events/mod.ts";
import { health } from "../src/plugins/health.ts";
import { captureEvents, testClient, waitFor } from "../src/testing/mod.ts";

function greeter() {
  return new Service({ name: "greeter.service", apiTokenIsValid: (token) => token === "secret" })
    .publicMethod("say_hello", (name: string) => `hello ${name}`)
    .publicMethod("today", () => new Date(Date.UTC(2026, 11, 7)))
    .publicMethod("big", () => 1n)
    .publicMethod("tenant", (ctx: CallContext) => ctx.headers.get("x-tenant"), { context: true })
    .privateMethod("whisper", (name: string) => `psst ${name}`);
}

describe("testClient()", () => {
  test("calls the typed methods, named params, notifications, batches and with(), and knows the service", async () => {
    let notified = "";
    const service = greeter().publicMethod("log", (line: string) => void (notified = line));
    const client = testClient(service);
    const hello: string = await client.methods.say_hello("world");
    assert.equal(hello, "hello world");
    assert.equal(await client.call("say_hello", { name: "ann" }), "hello ann");
    await client.notifications.log("noted");
    assert.equal(notified, "noted");
    const [a, b] = await client.batch((batch) => [batch.methods.say_hello("ann"), batch.methods.whisper("ann")]);
    assert.ok(a.ok && a.value === "hello ann");
    assert.ok(!b.ok && b.error instanceof RpcError && b.error.code === -32001); // no token
    assert.equal(await client.with({ timeout: 1_000 }).methods.say_hello("bob"), "hello bob");
    assert.equal(client.name, "greeter.service");
    assert.deepEqual([...client.methodNames].sort(), ["big", "log", "say_hello", "tenant", "today", "whisper"]);
    // Usable wherever a client of the service is expected.
    const asClient: Client<MethodsOf<typeof service>> = client;
    assert.equal(await asClient.methods.say_hello("x"), "hello x");
    await client.close();
  });

  test("goes through the JSON wire: a Date arrives as its string, a bigint is -32603, an unknown method -32601", async () => {
    const client = testClient(greeter());
    const today: string = await client.methods.today();
    assert.equal(today, "2026-12-07T00:00:00.000Z");
    await assert.rejects(client.methods.big(), (error: unknown) => error instanceof RpcError && error.code === -32603);
    await assert.rejects(client.call("nope" as never), (error: unknown) => error instanceof RpcError && error.code === -32601);
    await client.close();
  });

  test("sends the token and the headers: a private method needs the token, as over HTTP", async () => {
    const anonymous = testClient(greeter());
    await assert.rejects(anonymous.methods.whisper("ann"), (error: unknown) => error instanceof RpcError && error.code === -32001);
    const trusted = testClient(greeter(), { token: "secret", headers: { "x-tenant": "acme" } });
    assert.equal(await trusted.methods.whisper("ann"), "psst ann");
    assert.equal(await trusted.methods.tenant(), "acme");
    await anonymous.close();
    await trusted.close();
  });

  test("answers through service.fetch: the HTTP layer's limits and plugins' answers apply", async () => {
    const limited = new Service({ name: "small", limits: { maxBodyBytes: 64 } }).publicMethod("echo", (text: string) => text);
    const client = testClient(limited);
    assert.equal(await client.methods.echo("short"), "short");
    await assert.rejects(client.methods.echo("x".repeat(100)), (error: unknown) => error instanceof RpcError && error.code === -32600 && /exceeds 64 bytes/.test(error.message));
    const busy = new Service({ name: "busy" })
      .use({ name: "closed", intercept: () => ({ status: 429, headers: {}, body: "Too Many Requests" }) })
      .publicMethod("ping", () => "pong");
    const refused = testClient(busy);
    await assert.rejects(refused.methods.ping(), (error: unknown) => error instanceof TransportError && error.kind === "http" && error.status === 429);
    await client.close();
    await refused.close();
  });

  test("starts the service as serve() does before the first call, and close() stops it", async () => {
    const log: string[] = [];
    const service = new Service({ name: "lifecycle" })
      .use(health())
      // A start that takes a while: the first call waits for it.
      .use({ name: "db", start: async () => { await new Promise((resolve) => setTimeout(resolve, 20)); log.push("start"); }, stop: () => void log.push("stop") })
      .publicMethod("state", () => log.join(","));
    const client = testClient(service);
    assert.equal(await client.methods.state(), "start");
    assert.equal((await service.fetch(new Request("http://localhost/health"))).status, 200);
    await client.close();
    await client.close(); // once
    assert.deepEqual(log, ["start", "stop"]);
    assert.equal(service.state, "stopped");
  });

  test("several clients of one service share one start, and the last close() stops it", async () => {
    const log: string[] = [];
    const service = new Service({ name: "shared" })
      .use({ name: "db", start: () => void log.push("start"), stop: () => void log.push("stop") })
      .publicMethod("ping", () => "pong");
    const first = testClient(service);
    const second = testClient(service);
    await Promise.all([first.ready, second.ready]);
    await first.close();
    assert.equal(service.state, "serving");
    assert.equal(await second.methods.ping(), "pong");
    await second.close();
    assert.deepEqual(log, ["start", "stop"]);
  });

  test("start: false leaves the service as it is", async () => {
    const log: string[] = [];
    const service = new Service({ name: "idle" })
      .use({ name: "db", start: () => void log.push("start"), stop: () => void log.push("stop") })
      .publicMethod("ping", () => "pong");
    const client = testClient(service, { start: false });
    await client.ready;
    assert.equal(await client.methods.ping(), "pong");
    await client.close();
    assert.deepEqual(log, []);
    assert.equal(service.state, "idle");
  });

  test("a start that fails rejects ready with its error, and every call with it as the cause", async () => {
    const broken = new Error("no database");
    const service = new Service({ name: "broken" })
      .use({ name: "db", start: () => { throw broken; } })
      .publicMethod("ping", () => "pong");
    const client = testClient(service);
    await assert.rejects(client.ready, (error: unknown) => error === broken);
    await assert.rejects(client.methods.ping(), (error: unknown) => error instanceof TransportError && error.cause === broken);
    await client.close();
  });

  test("the files option is what the service's start is given; without it, no files", async () => {
    const given: unknown[] = [];
    const files = { readFile: () => Promise.resolve(new Uint8Array()), stat: () => Promise.resolve(undefined) } as unknown as NonNullable<Parameters<typeof testClient>[1]>["files"];
    for (const options of [{ files }, {}]) {
      const service = new Service({ name: "files" }).use({ name: "spy", start: (context) => {
        given.push(context.files);
      } }).publicMethod("ping", () => "pong");
      const client = testClient(service, options);
      await client.ready;
      await client.close();
    }
    assert.deepEqual(given, [files, undefined]);
  });

  test("an app that is only a name and a fetch is called at /api", async () => {
    const paths: string[] = [];
    const app = {
      name: "plain",
      fetch: async (request: Request): Promise<Response> => {
        paths.push(new URL(request.url).pathname);
        const { id } = (await request.json()) as { id: number };
        return Response.json({ jsonrpc: "2.0", result: "pong", id });
      },
    };
    const client = testClient(app);
    assert.equal(await (client as unknown as { call(method: string): Promise<unknown> }).call("ping"), "pong");
    assert.deepEqual(paths, ["/api"]);
    await client.close();
  });

  test("a failed start that nobody awaits is no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const client = testClient(new Service({ name: "broken" }).use({ name: "db", start: () => Promise.reject(new Error("no database")) }));
      await new Promise((resolve) => setTimeout(resolve, 10)); // a few turns of the event loop
      await client.close();
    } finally {
      process.off("unhandledRejection", record);
    }
    assert.deepEqual(unhandled, []);
  });

  test("takes a MicroService of the class style, typed by its class", async () => {
    class Calculator extends MicroService {
      name = "calculator";
      @publicMethod add(a: number, b: number) {
        return a + b;
      }
    }
    const client = testClient(new Calculator());
    const sum: number = await client.methods.add(1, 2);
    assert.equal(sum, 3);
    assert.deepEqual(client.methodNames, ["add"]);
    await client.close();
  });

  test("a service that calls another, given the other's client: both in process", async () => {
    const users = new Service({ name: "users" }).publicMethod("get_user", (id: number) => ({ id, name: `user ${id}` }));
    const gatewayOf = (upstream: Client<MethodsOf<typeof users>>) =>
      new Service({ name: "gateway" }).publicMethod("user_name", async (id: number) => (await upstream.methods.get_user(id)).name);
    const usersClient = testClient(users);
    const gateway = testClient(gatewayOf(usersClient));
    assert.equal(await gateway.methods.user_name(7), "user 7");
    await gateway.close();
    await usersClient.close();
  });
});

describe("waitFor()", () => {
  test("resolves with the condition's first truthy value, checking again while it is false or throws", async () => {
    let checks = 0;
    const value = await waitFor(() => {
      checks++;
      if (checks === 1) throw new Error("not yet");
      return checks >= 3 && "done";
    }, { interval: 1 });
    assert.equal(value, "done");
    assert.equal(checks, 3);
    assert.equal(await waitFor(async () => Promise.resolve(42)), 42);
  });

  test("past its timeout, rejects saying what it waited for, with the condition's last error as the cause", async () => {
    const last = new Error("expected 1, got 0");
    await assert.rejects(waitFor(() => { throw last; }, { timeout: 20, message: "the bill" }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^timed out after 20 ms waiting for the bill; it last threw: expected 1, got 0$/);
      assert.equal(error.cause, last);
      return true;
    });
    await assert.rejects(waitFor(() => false, { timeout: 10 }), /^Error: timed out after 10 ms waiting for the condition$/);
  });

  /** Runs waitFor on a mocked clock to its end, and tells when (in ms from the start) it checked. */
  async function checkTimes(t: TestContext, condition: () => unknown, options?: Parameters<typeof waitFor>[1]): Promise<{ times: number[]; error: unknown }> {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
    const start = Date.now();
    const times: number[] = [];
    let error: unknown;
    const state = { settled: false };
    waitFor(() => {
      times.push(Date.now() - start);
      return condition();
    }, options).catch((reason: unknown) => {
      error = reason;
    }).finally(() => {
      state.settled = true;
    });
    // One ms at a time, letting the loop's promises run in between; bounded, so a loop that never ends fails.
    for (let ms = 0; !state.settled && ms < 10_000 && times.length < 1_000; ms++) {
      await new Promise((resolve) => setImmediate(resolve));
      t.mock.timers.tick(1);
    }
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.reset();
    return { times, error };
  }

  test("checks at once, then every 10 ms by default, the last check at the deadline (5 s by default)", async (t) => {
    const { times, error } = await checkTimes(t, () => false, { timeout: 45 });
    assert.deepEqual(times, [0, 10, 20, 30, 40, 45]);
    assert.match(String(error), /timed out after 45 ms/);
    const late = await checkTimes(t, () => false, { timeout: 21 });
    assert.deepEqual(late.times, [0, 10, 20, 21]);
    const byDefault = await checkTimes(t, () => false, { interval: 1_000 });
    assert.deepEqual(byDefault.times, [0, 1000, 2000, 3000, 4000, 5000]);
    assert.match(String(byDefault.error), /^Error: timed out after 5000 ms waiting for the condition$/);
  });

  test("a condition that threw and then gave false is no longer named for its error", async (t) => {
    let checks = 0;
    const { error } = await checkTimes(t, () => {
      if (++checks === 1) throw new Error("warming up");
      return false;
    }, { timeout: 30 });
    assert.equal((error as Error).message, "timed out after 30 ms waiting for the condition");
    assert.equal((error as Error).cause, undefined);
  });
});

describe("captureEvents()", () => {
  function orderSystem() {
    const transport = inProcess();
    const orderEvents = events({ transport, emits: { "order.created": event<{ id: string; item: string }>() } });
    const orders = new Service({ name: "orders.service" })
      .use(orderEvents)
      .publicMethod("create_order", async (item: string) => {
        const id = `o-${item}`;
        await orderEvents.emit("order.created", { id, item });
        return id;
      });
    const billed: string[] = [];
    const billingEvents = events({ transport });
    billingEvents.from<typeof orders>("orders.service").on("order.created", (order) => void billed.push(order.id));
    const billing = new Service({ name: "billing.service" }).use(billingEvents).publicMethod("billed", () => billed);
    return { transport, orders, billing, billed };
  }

  test("awaits the next event, typed from the emitter, without taking it from the services' subscriptions", async () => {
    const { transport, orders, billing } = orderSystem();
    const created = await captureEvents(orders, "order.created", { transport });
    const billingClient = testClient(billing);
    await billingClient.ready; // its subscription is live
    const ordersClient = testClient(orders);
    const id = await ordersClient.methods.create_order("book");
    const order = await created.next({ timeout: 1_000 });
    const item: string = order.item;
    assert.deepEqual({ id: order.id, item }, { id, item: "book" });
    await waitFor(async () => (await billingClient.methods.billed()).includes(id), { timeout: 1_000 });
    // An event that came before next() was asked is kept for it, in order.
    await ordersClient.methods.create_order("pen");
    await ordersClient.methods.create_order("ink");
    assert.equal((await created.next()).item, "pen");
    assert.equal((await created.next()).item, "ink");
    assert.deepEqual(created.received.map((payload) => payload.item), ["book", "pen", "ink"]);
    await created.stop();
    await ordersClient.close();
    await billingClient.close();
  });

  test("a source given by name, typed by a type argument; a timeout names the event and its source", async () => {
    const { transport } = orderSystem();
    const created = await captureEvents<ReturnType<typeof orderSystem>["orders"], "order.created">("orders.service", "order.created", { transport });
    await assert.rejects(created.next({ timeout: 10 }), /timed out after 10 ms waiting for the event order\.created from orders\.service/);
    const waiting = created.next();
    await created.stop();
    await assert.rejects(waiting, /stopped while waiting for order\.created from orders\.service/);
  });

  test("without a transport, listens on the in-process one events() uses by default", async () => {
    const orderEvents = events({ emits: { "order.shipped": event<{ id: string }>() } });
    const orders = new Service({ name: "shipping.service" }).use(orderEvents);
    const shipped = await captureEvents(orders, "order.shipped");
    await orderEvents.emit("order.shipped", { id: "o-9" });
    assert.equal((await shipped.next({ timeout: 1_000 })).id, "o-9");
    await shipped.stop();
  });
});
