// Events and JSON-RPC over a real nats-server on a loopback port: service-pool and broadcast
// delivery across processes, a durable subscriber SIGKILLed mid-stream, nats-server killed and
// started again mid-run, three RPC instances with one killed under load, tokens, limits, deadlines.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers as natsHeaders, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, createClient, RpcError, Service, TransportError } from "../../mod.ts";
import { cluster } from "../../src/client/cluster/mod.ts";
import { event, events } from "../../src/events/mod.ts";
import { consumerName, natsFetch, natsServer, natsTransport } from "../../src/nats/mod.ts";
import type { CallContext } from "../../src/core/context.ts";
import { childEnv, delay, runCommand, type RunningProcess, startProcess, stopAll } from "../runtime/processes.ts";
import { eventWatch } from "../event_watch.ts";
import { type Nats, natsConnection, startNats } from "./nats.ts";

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await delay(25);
  }
}

/** The ids a billing process printed as handled. */
function handledBy(child: RunningProcess): string[] {
  return [...child.output().matchAll(/^handled (\S+)$/gm)].map((match) => match[1] ?? "");
}

describe("events and JSON-RPC over NATS", () => {
  let nats: Nats;
  let nc: NatsConnection;
  const connections: NatsConnection[] = [];
  before(async () => {
    nats = await startNats();
    nc = await natsConnection(nats);
    connections.push(nc);
  });
  after(async () => {
    await stopAll();
    for (const connection of connections) await connection.close();
    await nats.stop();
  });

  function instance(env: Record<string, string>): RunningProcess {
    const [command, args] = runCommand("node", "test/services/fixtures/nats_instance.ts");
    return startProcess(command, args, childEnv({ NATS_URL: nats.servers, ...env }));
  }

  function ordersEmitter(connection: NatsConnection) {
    const transport = natsTransport(connection);
    const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "orders.service" }).use(orderEvents);
    return orderEvents;
  }

  it("service-pool: two subscriber processes handle every event exactly once in total, both get some; the envelope on the wire", async () => {
    const a = instance({ ROLE: "billing", INSTANCE: "a" });
    const b = instance({ ROLE: "billing", INSTANCE: "b" });
    await Promise.all([a.waitForLine(/^ready$/, 15_000), b.waitForLine(/^ready$/, 15_000)]);
    const wire: unknown[] = [];
    const raw = nc.subscribe("events.orders.service.order.created", { callback: (_error, message) => {
      wire.push(message.json());
    } });
    const orderEvents = ordersEmitter(nc);
    for (let i = 0; i < 200; i++) await orderEvents.emit("order.created", { id: `pool-${i}` });
    await eventually(() => handledBy(a).length + handledBy(b).length >= 200, "200 events handled");
    await delay(200); // a duplicate, if any, would show by now
    const all = [...handledBy(a), ...handledBy(b)];
    assert.equal(all.length, 200);
    assert.equal(new Set(all).size, 200);
    assert.ok(handledBy(a).length > 0 && handledBy(b).length > 0, `a ${handledBy(a).length}, b ${handledBy(b).length}`);
    const first = wire[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(first).sort(), ["event", "id", "payload", "source", "time"]);
    assert.equal(first["source"], "orders.service");
    assert.deepEqual(first["payload"], { id: "pool-0" });
    raw.unsubscribe();
    await a.stop();
    await b.stop();
  });

  it("broadcast: every subscriber process handles every event", async () => {
    const a = instance({ ROLE: "billing", INSTANCE: "a", DELIVERY: "broadcast" });
    const b = instance({ ROLE: "billing", INSTANCE: "b", DELIVERY: "broadcast" });
    await Promise.all([a.waitForLine(/^ready$/, 15_000), b.waitForLine(/^ready$/, 15_000)]);
    const orderEvents = ordersEmitter(nc);
    for (let i = 0; i < 50; i++) await orderEvents.emit("order.created", { id: `all-${i}` });
    await eventually(() => handledBy(a).length === 50 && handledBy(b).length === 50, "each handled 50");
    assert.deepEqual(handledBy(a).sort(), handledBy(b).sort());
    await a.stop();
    await b.stop();
  });

  it("durable: a subscriber SIGKILLed mid-stream loses nothing once it runs again (JetStream, ack after the handler)", async () => {
    const manager = await jetstreamManager(nc);
    const transport = natsTransport(nc, { jetstream: { client: jetstream(nc), manager } });
    const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "orders.service" }).use(orderEvents);
    const env = { ROLE: "billing", DURABLE: "1", DELAY: "5" };
    const first = instance({ ...env, INSTANCE: "first" });
    await first.waitForLine(/^ready$/, 15_000);
    const ids = Array.from({ length: 300 }, (_, i) => `durable-${i}`);
    let emitted = 0;
    const emitting = (async () => {
      for (const id of ids) {
        await orderEvents.emit("order.created", { id });
        emitted++;
        if (emitted % 20 === 0) await delay(5);
      }
    })();
    await eventually(() => handledBy(first).length >= 40, "the first run handled some");
    process.kill(-first.pid, "SIGKILL");
    await first.exited;
    const beforeKill = handledBy(first);
    assert.ok(beforeKill.length < ids.length, "killed before the end");
    await emitting; // every event was stored while nobody ran
    const second = instance({ ...env, INSTANCE: "second" });
    await second.waitForLine(/^ready$/, 15_000);
    const handled = (): Set<string> => new Set([...beforeKill, ...handledBy(second)]);
    await eventually(() => handled().size === ids.length, "every event handled after the restart", 30_000);
    assert.deepEqual([...handled()].sort(), [...ids].sort());
    // Only events handled but not yet acknowledged when the process died may come twice: at most those in flight (64).
    const repeated = beforeKill.length + handledBy(second).length - handled().size;
    assert.ok(repeated <= 64, `repeated ${repeated}`);
    console.log(`# subscriber SIGKILL mid-stream: ${ids.length} events, ${beforeKill.length} handled before the kill, ${repeated} handled twice`);
    await second.stop();
  });

  it("durable: JetStream gets ack_wait in ns and a consumer per subscribing service (each handles every event); a poison event ends in the dead letters after maxDeliveries, nothing else is lost, and a replay reaches only its subscriber", async () => {
    const manager = await jetstreamManager(nc);
    const js = jetstream(nc);
    const settings = { client: js, manager, redeliveryDelay: 100, maxDeliveries: 3 };
    const transport = natsTransport(nc, { jetstream: settings });
    const shopEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "shop.service" }).use(shopEvents);
    const watch = eventWatch();
    let broken = true;
    const handled = new Map<string, string[]>();
    const subscriber = (name: string, poisoned: boolean): Service => {
      const list: string[] = [];
      handled.set(name, list);
      const plugin = events({ transport });
      plugin.from<typeof shopEvents>("shop.service").on("order.created", (order) => {
        if (poisoned && broken && order.id === "poison") throw new Error("cannot ledger poison");
        list.push(order.id);
      }, { durable: true });
      return new Service({ name, onError: watch.onError }).use(plugin);
    };
    const services = [subscriber("ledger.service", true), subscriber("mailer.service", false)];
    for (const service of services) await service.startup();
    const ledger = consumerName("ledger.service", "shop.service", "order.created");
    const info = await manager.consumers.info("EVENTS", ledger);
    assert.equal(info.config.ack_wait, 30_000_000_000); // the default 30 s, in nanoseconds
    assert.equal(info.config.filter_subject, "events.shop.service.order.created");
    const ids = ["o-0", "poison", ...Array.from({ length: 19 }, (_, i) => `o-${i + 1}`)];
    for (const id of ids) await shopEvents.emit("order.created", { id });
    const deadCount = async (): Promise<number> => (await manager.streams.info("EVENTS_DEAD").catch(() => undefined))?.state.messages ?? 0;
    await eventually(async () => handled.get("ledger.service")?.length === 20 && handled.get("mailer.service")?.length === 21 && (await deadCount()) === 1, "every event handled or dead");
    assert.deepEqual(handled.get("mailer.service"), ids);
    assert.deepEqual(handled.get("ledger.service"), ids.filter((id) => id !== "poison"));
    const letter = await manager.streams.getMessage("EVENTS_DEAD", { last_by_subj: `events-dead.${ledger}` });
    assert.ok(letter);
    assert.equal(letter.json<{ payload: { id: string } }>().payload.id, "poison");
    assert.deepEqual(["Tsm-Subject", "Tsm-Group", "Tsm-Source", "Tsm-Event", "Tsm-Deliveries", "Tsm-Reason"].map((name) => letter.header.get(name)), [
      "events.shop.service.order.created", "ledger.service", "shop.service", "order.created", "3", "the handler failed: cannot ledger poison",
    ]);
    assert.ok(watch.messages().some((message) => message.startsWith("gave up on event #") && message.endsWith(`after 3 deliveries (the handler failed: cannot ledger poison): moved to events-dead.${ledger} in the stream EVENTS_DEAD`)));
    // Nothing left pending or unacknowledged in either consumer.
    for (const name of [ledger, consumerName("mailer.service", "shop.service", "order.created")]) {
      await eventually(async () => {
        const state = await manager.consumers.info("EVENTS", name);
        return state.num_pending === 0 && state.num_ack_pending === 0;
      }, `${name} settled everything`);
    }
    broken = false;
    assert.equal(await transport.replayDeadLetters({ group: "ledger.service", source: "shop", wait: 200 }), 0);
    assert.equal(await transport.replayDeadLetters({ group: "ledger.service", source: "shop.service" }), 1);
    await eventually(() => handled.get("ledger.service")?.length === 21, "the replay handled");
    assert.equal(await deadCount(), 0);
    // The mailer skipped the replay: acknowledged, not handled again.
    await eventually(async () => (await manager.consumers.info("EVENTS", consumerName("mailer.service", "shop.service", "order.created"))).num_ack_pending === 0, "mailer settled the replay");
    assert.equal(handled.get("mailer.service")?.length, 21);
    for (const service of services) await service.shutdown();
  });

  it("durable: nats-server SIGKILLed mid-run with a poison event in the stream: nothing lost, the poison in the dead letters, repeats no more than the events in flight", async () => {
    const manager = await jetstreamManager(nc);
    const js = jetstream(nc);
    const transport = natsTransport(nc, { jetstream: { client: js, manager } });
    const emitter = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "kiosk.service" }).use(emitter);
    // A long ackWait: no redelivery comes from a slow machine, only from the kill.
    const child = instance({ ROLE: "billing", DURABLE: "1", DELAY: "2", MAX_DELIVERIES: "3", ACK_WAIT: "30000", SERVICE: "till.service", SOURCE: "kiosk.service", INSTANCE: "till" });
    await child.waitForLine(/^ready$/, 15_000);
    const ids = Array.from({ length: 300 }, (_, i) => (i % 100 === 50 ? `poison-${i}` : `k-${i}`));
    let emitted = 0;
    let killed = false;
    let handledAtKill = 0;
    for (const id of ids) {
      // A publish during the outage fails: send it again (the stream drops a duplicate id).
      for (let tries = 0; ; tries++) {
        try {
          await emitter.emit("order.created", { id });
          break;
        } catch (error) {
          if (tries > 400) throw error;
          await delay(25);
        }
      }
      emitted++;
      if (!killed && handledBy(child).length >= 60) {
        killed = true;
        handledAtKill = handledBy(child).length;
        await nats.kill();
        await nats.start();
      }
    }
    assert.ok(killed, "the server was killed mid-run");
    const normal = ids.filter((id) => !id.startsWith("poison"));
    await eventually(() => new Set(handledBy(child)).size === normal.length, "every normal event handled", 60_000);
    const deadLetters = async (): Promise<string[]> => {
      const found: string[] = [];
      const state = (await manager.streams.info("EVENTS_DEAD")).state;
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const letter = await manager.streams.getMessage("EVENTS_DEAD", { seq }).catch(() => null);
        const id = letter?.json<{ payload: { id: string } }>().payload.id;
        if (letter?.header.get("Tsm-Group") === "till.service" && id !== undefined) found.push(id);
      }
      return found.sort();
    };
    await eventually(async () => (await deadLetters()).length === 3, "three dead letters", 60_000);
    assert.deepEqual(await deadLetters(), ["poison-150", "poison-250", "poison-50"]);
    const all = handledBy(child);
    assert.deepEqual([...new Set(all)].sort(), [...normal].sort());
    const repeated = all.length - new Set(all).size;
    // Only an event handled before the kill (or in flight then: 64 at most) may come again: its
    // acknowledgement was lost with the server, or not yet written to its store.
    const mayRepeat = new Set(all.slice(0, handledAtKill + 64));
    const twice = [...new Set(all.filter((id, i) => all.indexOf(id) !== i))];
    assert.deepEqual(twice.filter((id) => !mayRepeat.has(id)), [], `repeated ${repeated}: ${twice.join(" ")}`);
    console.log(`# nats-server SIGKILL mid-run: ${normal.length} events handled, ${handledAtKill} before the kill, ${repeated} handled twice (${twice.length} events), 3 poison events dead-lettered, emitted ${emitted}`);
    await child.stop();
  });

  it("nats-server killed and started again mid-run: services reconnect and keep serving calls and events", async () => {
    const own = await natsConnection(nats);
    connections.push(own);
    const got: string[] = [];
    const listener = events({ transport: natsTransport(own) });
    listener.from("orders.service").on("order.created", (payload) => {
      got.push((payload as { id: string }).id);
    });
    const orderEvents = ordersEmitter(own);
    const service = new Service({ name: "restart.service" })
      .use(listener)
      .use(natsServer(own))
      .publicMethod("ping", () => "pong", { idempotent: true });
    await service.startup();
    const remote = createClient<typeof service>("nats:rpc.restart.service", { fetch: natsFetch(own), timeout: 2_000 });
    assert.equal(await remote.methods.ping(), "pong");
    await nats.kill();
    await assert.rejects(remote.methods.ping(), TransportError);
    await nats.start();
    await eventually(async () => (await remote.methods.ping().catch(() => "down")) === "pong", "a call answered after the restart");
    await eventually(async () => {
      await orderEvents.emit("order.created", { id: `after-${got.length}` });
      return got.length > 0;
    }, "an event handled after the restart");
    await service.shutdown();
  });

  it("RPC: three instances share a subject; one SIGKILLed under load loses no idempotent call", async () => {
    const instances = ["c0", "c1", "c2"].map((id) => instance({ ROLE: "calc", INSTANCE: id, DELAY: "2" }));
    await Promise.all(instances.map((child) => child.waitForLine(/^ready$/, 15_000)));
    const replicas = cluster(["nats:rpc.calc.service"], {
      attemptTimeout: 1_000,
      retry: { attempts: 6, backoff: 10 },
      breaker: { failureThreshold: 1_000_000 },
    });
    const remote = await connect<{ add(a: number, b: number): { sum: number; instance: string } }>(replicas, { fetch: natsFetch(nc) });
    const total = 600;
    const answered = new Map<number, { sum: number; instance: string }>();
    const failures: unknown[] = [];
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const n = next++;
        try {
          answered.set(n, await remote.methods.add(n, 1));
        } catch (error) {
          failures.push(error);
        }
        if (!killed && answered.size >= 150) {
          killed = true;
          process.kill(-(instances[0] as RunningProcess).pid, "SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    assert.deepEqual(failures, []);
    assert.equal(answered.size, total);
    for (const [n, answer] of answered) assert.equal(answer.sum, n + 1);
    const by = new Set([...answered.values()].map((answer) => answer.instance));
    assert.deepEqual([...by].sort(), ["c0", "c1", "c2"]);
    const late = [...answered.entries()].filter(([n]) => n >= total - 100).map(([, answer]) => answer.instance);
    assert.ok(!late.includes("c0"), "the killed instance answered nothing at the end");
    for (const child of instances.slice(1)) await child.stop();
  });

  it("a reply subject aimed at the JetStream API is refused: the stream survives such a notification and such a call", async () => {
    const manager = await jetstreamManager(nc);
    await manager.streams.add({ name: "VICTIM", subjects: ["victim.>"] });
    await jetstream(nc).publish("victim.kept", "precious");
    const reported: string[] = [];
    const ran: string[] = [];
    const service = new Service({ name: "mailbox.service", onError: (error) => reported.push(String(error)) })
      .use(natsServer(nc))
      .publicMethod("note", (text: string) => {
        ran.push(text);
        return "noted";
      });
    await service.startup();
    const attacker = await natsConnection(nats);
    connections.push(attacker);
    const send = (body: unknown, reply: string): void => attacker.publish("rpc.mailbox.service", JSON.stringify(body), { reply });
    send({ jsonrpc: "2.0", method: "note", params: ["n"] }, "$JS.API.STREAM.DELETE.VICTIM");
    send({ jsonrpc: "2.0", method: "note", params: ["c"], id: 1 }, "$JS.API.STREAM.PURGE.VICTIM");
    send({ jsonrpc: "2.0", method: "note", params: ["n2"] }, "$JS.API.STREAM.PURGE.VICTIM");
    // The same connection's next call comes after them, and the service's answers go out in order.
    const remote = createClient<typeof service>("nats:rpc.mailbox.service", { fetch: natsFetch(attacker) });
    assert.equal(await remote.methods.note("honest"), "noted");
    const info = await manager.streams.info("VICTIM");
    assert.equal(info.state.messages, 1);
    assert.deepEqual(ran, ["honest"]);
    // Three refused: the first reported, the others counted (at most one report per 10 s).
    assert.equal(reported.length, 1);
    assert.match(reported[0] ?? "", /reply subject "\$JS\.API\.STREAM\.DELETE\.VICTIM" is not an inbox/);
    await service.shutdown();
    await manager.streams.delete("VICTIM");
  });

  it("tokens, limits, deadlines, batches and notifications work as over HTTP", async () => {
    const noted: string[] = [];
    const service = new Service({
      name: "vault.service",
      apiTokenIsValid: (token) => token === "vault-token",
      limits: { maxBodyBytes: 1_024 },
      onError: false,
    })
      .use(natsServer(nc))
      .publicMethod("echo", (text: string) => text)
      .publicMethod("note", (text: string) => {
        noted.push(text);
      })
      .publicMethod("slow", async (ctx: CallContext) => {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        return ctx.deadline;
      }, { context: true })
      .privateMethod("secret", () => 42);
    await service.startup();
    const anonymous = await connect<typeof service>("nats:rpc.vault.service", { fetch: natsFetch(nc) });
    assert.equal(anonymous.name, "vault.service");
    await assert.rejects(anonymous.methods.secret(), (error: unknown) => error instanceof RpcError && error.code === -32001);
    const trusted = createClient<typeof service>("nats:rpc.vault.service", { fetch: natsFetch(nc), token: "vault-token" });
    assert.equal(await trusted.methods.secret(), 42);
    const bearer = createClient<typeof service>("nats:rpc.vault.service", { fetch: natsFetch(nc), headers: { authorization: "Bearer vault-token" } });
    assert.equal(await bearer.methods.secret(), 42);
    await assert.rejects(trusted.methods.echo("x".repeat(2_000)), (error: unknown) => error instanceof RpcError && error.code === -32600 && /exceeds 1024 bytes/.test(error.message));
    const [one, two, three] = await trusted.batch((b) => [b.methods.echo("a"), b.methods.secret(), b.call("missing" as never)]);
    assert.deepEqual([one, two], [{ ok: true, value: "a" }, { ok: true, value: 42 }]);
    assert.ok(!three.ok && three.error instanceof RpcError && three.error.code === -32601);
    await trusted.notifications.note("hello");
    await eventually(() => noted.length === 1, "the notification ran");
    // The deadline travels in a header: the service gives up when the caller's time is up.
    const headers = natsHeaders();
    headers.set("X-Request-Timeout", "50");
    const reply = await nc.request("rpc.vault.service", JSON.stringify({ jsonrpc: "2.0", method: "slow", id: 1 }), { timeout: 5_000, headers });
    assert.equal((reply.json<{ error: { code: number } }>()).error.code, -32002);
    await assert.rejects(trusted.call("slow", [], { timeout: 100 }), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
    // Bytes that are not UTF-8, and text that is not JSON.
    const bad = await nc.request("rpc.vault.service", new Uint8Array([0xff, 0xfe]), { timeout: 5_000 });
    assert.equal((bad.json<{ error: { code: number } }>()).error.code, -32700);
    const notJson = await nc.request("rpc.vault.service", "{", { timeout: 5_000 });
    assert.equal((notJson.json<{ error: { code: number } }>()).error.code, -32700);
    await service.shutdown();
    // Nobody serves it now: the call was never sent.
    await assert.rejects(anonymous.methods.echo("x"), (error: unknown) => error instanceof TransportError && /no responders/.test(error.message));
  });
});

describe("events and JSON-RPC over NATS across runtimes", () => {
  let nats: Nats;
  let nc: NatsConnection;
  before(async () => {
    nats = await startNats();
    nc = await natsConnection(nats);
  });
  after(async () => {
    await stopAll();
    await nc.close();
    await nats.stop();
  });

  it("durable dead letters on Deno and Bun: each runtime's subscriber dead-letters the poison event after maxDeliveries and handles the rest", async () => {
    const manager = await jetstreamManager(nc);
    const transport = natsTransport(nc, { jetstream: { client: jetstream(nc), manager } });
    const emitter = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "stall.service" }).use(emitter);
    const start = (runtime: "deno" | "bun"): RunningProcess => {
      const [command, args] = runCommand(runtime, "test/services/fixtures/nats_instance.ts");
      return startProcess(command, args, childEnv({
        NATS_URL: nats.servers, ROLE: "billing", DURABLE: "1", MAX_DELIVERIES: "2", SERVICE: `${runtime}.service`, SOURCE: "stall.service", INSTANCE: runtime,
      }));
    };
    const children = { deno: start("deno"), bun: start("bun") };
    await Promise.all(Object.values(children).map((child) => child.waitForLine(/^ready$/, 30_000)));
    const ids = ["s-0", "poison-1", "s-2", "s-3", "s-4"];
    for (const id of ids) await emitter.emit("order.created", { id });
    const dead = async (group: string): Promise<number> => {
      const found = await manager.streams.getMessage("EVENTS_DEAD", { last_by_subj: `events-dead.${consumerName(group, "stall.service", "order.created")}` }).catch(() => null);
      return found === null ? 0 : 1;
    };
    for (const [runtime, child] of Object.entries(children)) {
      const gaveUp = /reported gave up on event #\d+ of events\.stall\.service\.order\.created after 2 deliveries \(the handler failed: cannot handle poison-1\)/;
      // The report is printed after the dead letter is stored, so the test waits for both.
      await eventually(async () => handledBy(child).length === 4 && (await dead(`${runtime}.service`)) === 1 && gaveUp.test(child.output()), `${runtime}: 4 handled, 1 dead letter, reported`);
      assert.deepEqual(handledBy(child), ["s-0", "s-2", "s-3", "s-4"]);
      await child.stop();
    }
  });

  it("orders.service on Deno emits; billing on Bun and on Node.js share the events (each billed once); the client calls Deno's orders over NATS", async () => {
    const { freePort, HOST } = await import("../runtime/processes.ts");
    const start = async (runtime: "node" | "deno" | "bun", script: string): Promise<{ child: RunningProcess; base: string }> => {
      const port = await freePort();
      const [command, args] = runCommand(runtime, script);
      const child = startProcess(command, args, childEnv({ NATS_URL: nats.url, HOST, PORT: String(port) }));
      await child.waitForLine(/serving at/, 20_000);
      return { child, base: `http://${HOST}:${port}/api` };
    };
    const call = async (base: string, method: string, params: unknown[] = []): Promise<unknown> => {
      const response = await fetch(base, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }) });
      return ((await response.json()) as { result?: unknown }).result;
    };
    const [orders, bunBilling, nodeBilling] = await Promise.all([
      start("deno", "examples/orders.ts"),
      start("bun", "examples/billing.ts"),
      start("node", "examples/billing.ts"),
    ]);
    // JSON-RPC over NATS to the Deno instance, with the same client.
    const remote = createClient("nats:rpc.orders.service", { fetch: natsFetch(nc) });
    const total = 20;
    for (let i = 0; i < total; i++) {
      const id = await (i % 2 === 0 ? remote.call("create_order", [`item-${i}`, 1]) : call(orders.base, "create_order", [`item-${i}`, 1]));
      assert.equal(typeof id, "string");
    }
    let billed: number[] = [];
    for (let i = 0; i < 100; i++) {
      billed = [Number(await call(bunBilling.base, "billed_count")), Number(await call(nodeBilling.base, "billed_count"))];
      if (billed[0]! + billed[1]! >= total) break;
      await delay(100);
    }
    assert.equal(billed[0]! + billed[1]!, total, `every order billed exactly once in all (Bun ${billed[0]}, Node.js ${billed[1]})`);
    for (const { child } of [orders, bunBilling, nodeBilling]) await child.stop();
  });
});
