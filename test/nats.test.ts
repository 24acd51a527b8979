// tsmicroservice/nats against an in-memory stand-in of the NATS client (queue groups, request and
// reply, headers, no responders), and of JetStream (ack, nak, redelivery): the header format, the
// header reader, natsServer, natsFetch under the whole client, and natsTransport. The same code
// against a real nats-server is test/services/nats.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, createClient, RpcError, Service, TransportError } from "../mod.ts";
import { neverSent } from "../src/client/cluster/delivery.ts";
import { event, events } from "../src/events/mod.ts";
import {
  eventSubject,
  headerReader,
  type JetStreamLike,
  type JetStreamManagerLike,
  type JetStreamMessageLike,
  type NatsConnectionLike,
  NatsHeaderBlock,
  type NatsMessage,
  natsFetch,
  natsServer,
  natsSubject,
  natsTransport,
} from "../src/nats/mod.ts";
import { until } from "./helpers.ts";

type Callback = (error: Error | null, message: NatsMessage) => void;
interface FakeSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
  readonly callback: Callback;
  closed: boolean;
}

/** An in-memory NATS: exact subjects, queue groups (round robin), request/reply, headers. */
function fakeNats() {
  const subscriptions: FakeSubscription[] = [];
  const replies = new Map<string, (data: Uint8Array) => void>();
  // Everything published, replies included, as the server would see it.
  const published: { subject: string; reply: string | undefined; data: string }[] = [];
  const encoder = new TextEncoder();
  let inbox = 0;
  let turn = 0;
  const bytes = (payload: Uint8Array | string | undefined): Uint8Array => (typeof payload === "string" ? encoder.encode(payload) : payload ?? new Uint8Array());
  const route = (subject: string, data: Uint8Array, headers: NatsHeaderBlock | undefined, reply: string | undefined): number => {
    published.push({ subject, reply, data: new TextDecoder().decode(data) });
    const live = subscriptions.filter((s) => !s.closed && s.subject === subject);
    const groups = new Map<string | undefined, FakeSubscription[]>();
    for (const s of live) {
      if (s.queue === undefined) groups.set(Symbol() as never, [s]);
      else groups.set(s.queue, [...(groups.get(s.queue) ?? []), s]);
    }
    for (const members of groups.values()) {
      const chosen = members[turn++ % members.length] as FakeSubscription;
      const message: NatsMessage = {
        subject,
        reply,
        data,
        headers,
        respond: (payload) => {
          if (reply === undefined) return false;
          const answer = bytes(payload);
          published.push({ subject: reply, reply: undefined, data: new TextDecoder().decode(answer) });
          replies.get(reply)?.(answer);
          return true;
        },
      };
      queueMicrotask(() => {
        chosen.callback(null, message);
      });
    }
    return groups.size;
  };
  const connection: NatsConnectionLike & {
    subscriptions: FakeSubscription[];
    published: typeof published;
    failNext?: Error;
    /** Publishes with a reply subject of the caller's choosing, as any NATS client may. */
    publishWithReply(subject: string, payload: string, reply: string): void;
  } = {
    subscriptions,
    published,
    publish(subject, payload, options) {
      route(subject, bytes(payload), options?.headers, undefined);
    },
    publishWithReply(subject, payload, reply) {
      route(subject, bytes(payload), undefined, reply);
    },
    subscribe(subject, options = {}) {
      const subscription: FakeSubscription = { subject, queue: options.queue, callback: options.callback ?? (() => {}), closed: false };
      subscriptions.push(subscription);
      return {
        drain: () => {
          subscription.closed = true;
          return Promise.resolve();
        },
      };
    },
    request(subject, payload, options) {
      if (connection.failNext !== undefined) {
        const error = connection.failNext;
        delete connection.failNext;
        return Promise.reject(error);
      }
      const reply = `_INBOX.${++inbox}`;
      return new Promise<NatsMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          replies.delete(reply);
          reject(new Error("timeout"));
        }, options?.timeout ?? 1_000);
        replies.set(reply, (data) => {
          clearTimeout(timer);
          replies.delete(reply);
          resolve({ subject: reply, data, respond: () => false });
        });
        if (route(subject, bytes(payload), options?.headers, reply) === 0) {
          clearTimeout(timer);
          replies.delete(reply);
          const cause = Object.assign(new Error(`no responders: '${subject}'`), { name: "NoRespondersError" });
          reject(new Error("request failed", { cause }));
        }
      });
    },
  };
  return connection;
}

describe("NATS headers", () => {
  it("NatsHeaderBlock writes the NATS header format and reads like the client's headers", () => {
    const block = new NatsHeaderBlock();
    block.set("X-Api-Token", "secret");
    block.append("Accept", "a");
    block.append("Accept", "b");
    assert.equal(new TextDecoder().decode(block.encode()), "NATS/1.0\r\nX-Api-Token: secret\r\nAccept: a\r\nAccept: b\r\n\r\n");
    assert.equal(block.get("X-Api-Token"), "secret");
    assert.equal(block.get("x-api-token"), ""); // exact case, as the client by default
    assert.equal(block.last("Accept"), "b");
    assert.deepEqual(block.values("Accept"), ["a", "b"]);
    assert.deepEqual(block.keys(), ["X-Api-Token", "Accept"]);
    assert.equal(block.has("Accept"), true);
    block.delete("Accept");
    assert.deepEqual([...block], [["X-Api-Token", ["secret"]]]);
    assert.deepEqual([block.hasError, block.status, block.code, block.description, block.last("none")], [false, "", 0, "", ""]);
    assert.deepEqual(block.values("none"), []);
    assert.throws(() => block.set("Bad Name", "x"), /Invalid NATS header name/);
    assert.throws(() => block.set("X-Evil", "a\r\nX-Api-Token: forged"), /line break/);
  });

  it("headerReader reads any case, joins repeated values, and answers null for an absent header", () => {
    const block = new NatsHeaderBlock();
    block.set("X-Api-Token", "secret");
    block.append("Via", "a");
    block.append("Via", "b");
    const reader = headerReader([...block, ["via", ["c"]]] as never);
    assert.equal(reader.get("x-api-token"), "secret");
    assert.equal(reader.get("VIA"), "a, b, c");
    assert.equal(reader.get("absent"), null);
    assert.equal(headerReader(undefined).get("x"), null);
  });
});

describe("JSON-RPC over NATS (in-memory NATS)", () => {
  function vault(connection: NatsConnectionLike) {
    return new Service({ name: "vault.service", apiTokenIsValid: (token) => token === "t", limits: { maxBodyBytes: 256 }, onError: false })
      .use(natsServer(connection))
      .publicMethod("add", async (a: number, b: number) => Promise.resolve(a + b), { idempotent: true })
      .publicMethod("now", () => 1)
      .publicMethod("boom", () => {
        throw new Error("secret detail");
      })
      .privateMethod("secret", () => 42);
  }

  it("the whole client works unchanged: connect, typed calls, named params, tokens, batches, errors", async () => {
    const nats = fakeNats();
    const service = vault(nats);
    await service.startup();
    assert.equal(nats.subscriptions[0]?.subject, natsSubject("vault.service"));
    assert.equal(nats.subscriptions.at(0)?.queue, "vault.service");
    const remote = await connect<typeof service>("nats:rpc.vault.service", { fetch: natsFetch(nats), token: "t" });
    assert.equal(remote.name, "vault.service");
    assert.equal(await remote.methods.add(1, 2), 3);
    assert.equal(await remote.call("add", { a: 2, b: 3 }), 5);
    assert.equal(await remote.methods.now(), 1);
    assert.equal(await remote.methods.secret(), 42);
    await assert.rejects(remote.methods.boom(), (error: unknown) => error instanceof RpcError && error.code === -32603 && error.message === "Internal error");
    const results = await remote.batch((b) => [b.methods.add(1, 1), b.methods.secret()]);
    assert.deepEqual(results, [{ ok: true, value: 2 }, { ok: true, value: 42 }]);
    await remote.notifications.now();
    const anonymous = createClient<typeof service>("nats://rpc.vault.service", { fetch: natsFetch(nats) });
    await assert.rejects(anonymous.methods.secret(), (error: unknown) => error instanceof RpcError && error.code === -32001);
    await assert.rejects(remote.call("add", ["x".repeat(300), 1] as never), (error: unknown) => error instanceof RpcError && error.code === -32600);
    await service.shutdown();
    assert.equal(nats.subscriptions.at(0)?.closed, true);
  });

  it("answers what it cannot read, and ignores published messages that want no reply", async () => {
    const nats = fakeNats();
    const service = vault(nats);
    await service.startup();
    const ask = async (payload: Uint8Array | string): Promise<unknown> =>
      JSON.parse(new TextDecoder().decode((await nats.request("rpc.vault.service", payload, { timeout: 500 })).data));
    assert.equal(((await ask(new Uint8Array([0xff]))) as { error: { code: number } }).error.code, -32700);
    assert.equal(((await ask("{")) as { error: { code: number } }).error.code, -32700);
    const before = nats.published.length;
    nats.publish("rpc.vault.service", JSON.stringify({ jsonrpc: "2.0", method: "now", id: 1 })); // no reply subject
    await service.shutdown();
    assert.deepEqual(nats.published.slice(before).map((entry) => entry.subject), ["rpc.vault.service"]);
  });

  it("replies only to an inbox: a $JS.API reply subject (or any other) is refused, reported, and its request not run", async () => {
    const nats = fakeNats();
    const reported: string[] = [];
    const ran: string[] = [];
    const service = new Service({ name: "notes.service", onError: (error, { method }) => reported.push(`${method}: ${String(error)}`) })
      .use(natsServer(nats))
      .publicMethod("note", (text: string) => {
        ran.push(text);
        return "noted";
      });
    await service.startup();
    const hostile = [
      "$JS.API.STREAM.DELETE.EVENTS",
      "$JS.API.STREAM.PURGE.EVENTS",
      "$SYS.REQ.SERVER.PING",
      "events.orders.service.order.created",
      "_INBOX",
      "_INBOX.*",
      "_INBOX.>",
      "_INBOXX.a",
      "_INBOX..a",
      "_INBOX.a b",
    ];
    for (const reply of hostile) {
      nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: [reply] }), reply); // a notification
      nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: [reply], id: 1 }), reply); // a call
    }
    await until(() => reported.length === 2 * hostile.length);
    assert.deepEqual(ran, []);
    assert.deepEqual(nats.published.filter((entry) => entry.subject !== "rpc.notes.service"), []);
    assert.equal(reported[0], 'NATS request on rpc.notes.service: Error: NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.EVENTS" is not an inbox');
    // A long or odd subject is clipped and escaped in the report.
    nats.publishWithReply("rpc.notes.service", "{}", `$X.${"a".repeat(100)}\u202e`);
    await until(() => reported.length === 2 * hostile.length + 1);
    assert.match(reported.at(-1) ?? "", /reply subject "\$X\.a{61}"… is not an inbox$/);
    // An inbox gets the answer of a call, and nothing for a notification.
    nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: ["call"], id: 7 }), "_INBOX.abc.1");
    nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: ["notification"] }), "_INBOX.abc.2");
    nats.publishWithReply("rpc.notes.service", JSON.stringify([{ jsonrpc: "2.0", method: "note", params: ["batched"] }]), "_INBOX.abc.3");
    await until(() => ran.length === 3);
    await service.shutdown();
    assert.deepEqual(nats.published.filter((entry) => entry.subject.startsWith("_INBOX")), [
      { subject: "_INBOX.abc.1", reply: undefined, data: '{"jsonrpc":"2.0","result":"noted","id":7}' },
    ]);
    assert.equal(reported.length, 2 * hostile.length + 1);
  });

  it("replies to the callers' own inbox prefix when told it, and refuses a prefix that is not a plain subject", async () => {
    const nats = fakeNats();
    const reported: unknown[] = [];
    const service = new Service({ name: "p.service", onError: (error) => reported.push(error) })
      .use(natsServer(nats, { inboxPrefix: ["_MINE.inbox", "_OTHER"] }))
      .publicMethod("ping", () => "pong");
    await service.startup();
    const ping = JSON.stringify({ jsonrpc: "2.0", method: "ping", id: 1 });
    nats.publishWithReply("rpc.p.service", ping, "_INBOX.x");
    nats.publishWithReply("rpc.p.service", ping, "_MINE.inbox.x");
    nats.publishWithReply("rpc.p.service", ping, "_OTHER.y.1");
    nats.publishWithReply("rpc.p.service", ping, "_MINE.inboxes.x");
    await until(() => reported.length === 2 && nats.published.length === 6);
    await service.shutdown();
    assert.deepEqual(nats.published.slice(4).map((entry) => entry.subject).sort(), ["_MINE.inbox.x", "_OTHER.y.1"]);
    for (const prefix of ["", "$JS.API", "_INBOX.*", "_INBOX.>", "a b", "a.", []]) {
      assert.throws(() => natsServer(nats, { inboxPrefix: prefix }), /natsServer: (the inbox prefix .* must be a subject without wildcards or whitespace, not starting with \$|inboxPrefix names no prefix)$/);
    }
  });

  it("natsFetch publishes notifications (no reply subject, no wait) and sends calls as requests", async () => {
    const nats = fakeNats();
    const noted: string[] = [];
    const service = new Service({ name: "n.service" })
      .use(natsServer(nats))
      .publicMethod("note", (text: string) => {
        noted.push(text);
      });
    await service.startup();
    const remote = createClient<typeof service>("nats:rpc.n.service", { fetch: natsFetch(nats, { timeout: 60_000 }), timeout: Infinity });
    await remote.notifications.note("one");
    await remote.batch((b) => [b.notifications.note("two"), b.notifications.note("three")]);
    await until(() => noted.length === 3);
    await remote.methods.note("four");
    await service.shutdown();
    assert.deepEqual(nats.published.map((entry) => [entry.subject.replace(/\d+$/, "N"), entry.reply?.replace(/\d+$/, "N")]), [
      ["rpc.n.service", undefined],
      ["rpc.n.service", undefined],
      ["rpc.n.service", "_INBOX.N"],
      ["_INBOX.N", undefined],
    ]);
    assert.deepEqual(noted, ["one", "two", "three", "four"]);
    nats.publish = () => {
      throw new Error("connection closed");
    };
    await assert.rejects(remote.notifications.note("five"), (error: unknown) => error instanceof TransportError && error.kind === "network" && /connection closed/.test(error.message));
  });

  it("natsFetch: no responders is a call never sent, a slow reply a timeout, an abort an abort", async () => {
    const nats = fakeNats();
    const remote = createClient("nats:rpc.nobody", { fetch: natsFetch(nats) });
    const failure = await remote.call("x").catch((error: unknown) => error);
    assert.ok(failure instanceof TransportError && failure.kind === "network");
    assert.equal(neverSent(failure), true);
    nats.failNext = new Error("connection closed");
    const other = await remote.call("x").catch((error: unknown) => error);
    assert.ok(other instanceof TransportError && /connection closed/.test(other.message));
    assert.equal(neverSent(other), false);
    // A subscriber that never answers.
    nats.subscribe("rpc.silent", { callback: () => {} });
    // natsFetch's own timeout counts for a client without one (the default is 30 s: Infinity is none).
    const silent = createClient("nats:rpc.silent", { fetch: natsFetch(nats, { timeout: 20 }), timeout: Infinity });
    await assert.rejects(silent.call("x"), (error: unknown) => error instanceof TransportError && error.kind === "network");
    await assert.rejects(silent.call("x", [], { timeout: 20 }), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
    const controller = new AbortController();
    const aborted = silent.call("x", [], { signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted, (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    await assert.rejects(silent.call("x", [], { signal: AbortSignal.abort() }), (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    assert.throws(() => natsFetch(nats, { timeout: 0 }), /positive/);
    await assert.rejects(natsFetch(nats)("nats:", { method: "POST" }), /names no NATS subject/);
  });

  it("natsServer refuses what is not a Service, and reports a subscription error", async () => {
    const nats = fakeNats();
    const plugin = natsServer(nats);
    assert.throws(() => plugin.start?.({ service: { name: "x", report: () => {} } as never }), /serves a Service/);
    const reported: unknown[] = [];
    const service = new Service({ name: "s", onError: (error) => reported.push(error) }).use(natsServer(nats, { subject: "custom", queue: "q" }));
    await service.startup();
    assert.deepEqual([nats.subscriptions[0]?.subject, nats.subscriptions[0]?.queue], ["custom", "q"]);
    nats.subscriptions[0]?.callback(new Error("permission denied"), {} as never);
    assert.match(String(reported[0]), /permission denied/);
    await service.shutdown();
  });
});

/** An in-memory JetStream: one stream, durable consumers that share messages, ack/nak/term. */
function fakeJetStream() {
  const stored: { subject: string; data: Uint8Array }[] = [];
  const consumers = new Map<string, { filter: string; next: number; pending: { index: number; count: number }[] }>();
  const streams = new Set<string>();
  const ids = new Set<string>();
  const settled: string[] = [];
  const manager: JetStreamManagerLike = {
    streams: {
      info: (stream) => (streams.has(stream) ? Promise.resolve({}) : Promise.reject(new Error("stream not found"))),
      add: (config) => {
        streams.add(config.name);
        return Promise.resolve({});
      },
    },
    consumers: {
      add: (_stream, config) => {
        if (!consumers.has(config.durable_name ?? "")) consumers.set(config.durable_name ?? "", { filter: config.filter_subject ?? "", next: 0, pending: [] });
        return Promise.resolve({});
      },
    },
  };
  const client: JetStreamLike = {
    publish(subject, payload, options) {
      if (options?.msgID !== undefined && ids.has(options.msgID)) return Promise.resolve({ duplicate: true });
      if (options?.msgID !== undefined) ids.add(options.msgID);
      stored.push({ subject, data: typeof payload === "string" ? new TextEncoder().encode(payload) : payload ?? new Uint8Array() });
      return Promise.resolve({});
    },
    consumers: {
      get: (_stream, name = "") => Promise.resolve({
        consume: () => {
          const consumer = consumers.get(name);
          if (consumer === undefined) return Promise.reject(new Error("no consumer"));
          let closed = false;
          const iterator: AsyncIterable<JetStreamMessageLike> & { close(): Promise<void> } = {
            close: () => {
              closed = true;
              return Promise.resolve();
            },
            async *[Symbol.asyncIterator]() {
              while (!closed) {
                const redelivery = consumer.pending.shift();
                let index: number;
                let count = 1;
                if (redelivery !== undefined) ({ index, count } = redelivery);
                else {
                  while (consumer.next < stored.length && stored[consumer.next]?.subject !== consumer.filter) consumer.next++;
                  if (consumer.next >= stored.length) {
                    await new Promise((resolve) => setTimeout(resolve, 2));
                    continue;
                  }
                  index = consumer.next++;
                }
                const entry = stored[index] as { data: Uint8Array };
                yield {
                  data: entry.data,
                  info: { deliveryCount: count },
                  ack: () => settled.push(`ack ${index}`),
                  nak: () => {
                    settled.push(`nak ${index}`);
                    consumer.pending.push({ index, count: count + 1 });
                  },
                  term: () => settled.push(`term ${index}`),
                };
              }
            },
          };
          return Promise.resolve(iterator);
        },
      }),
    },
  };
  return { client, manager, stored, settled, streams };
}

describe("events over NATS (in-memory NATS)", () => {
  it("core NATS: service-pool through a queue group named after the subscriber, broadcast for every instance", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats, { prefix: "ev" });
    const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "orders.service" }).use(orderEvents);
    const pooled: string[][] = [[], []];
    const everyone: string[][] = [[], []];
    const services = [0, 1].map((i) => {
      const plugin = events({ transport });
      plugin.from<typeof orderEvents>("orders.service")
        .on("order.created", (order) => {
          pooled[i]?.push(order.id);
        })
        .on("order.created", (order) => {
          everyone[i]?.push(order.id);
        }, { delivery: "broadcast" });
      return new Service({ name: "billing.service" }).use(plugin);
    });
    for (const service of services) await service.startup();
    const subject = eventSubject("ev", "orders.service", "order.created");
    assert.deepEqual(nats.subscriptions.map((s) => [s.subject, s.queue]), [[subject, "billing.service"], [subject, undefined], [subject, "billing.service"], [subject, undefined]]);
    for (let i = 0; i < 10; i++) await orderEvents.emit("order.created", { id: `o-${i}` });
    nats.publish(subject, "not json"); // dropped
    nats.publish(subject, JSON.stringify({ id: 1 })); // not an envelope: dropped
    await until(() => (pooled[0]?.length ?? 0) + (pooled[1]?.length ?? 0) === 10 && everyone.every((list) => list.length === 10));
    assert.ok(pooled.every((list) => list.length > 0));
    for (const service of services) await service.shutdown();
  });

  it("JetStream: the stream is made when missing, a failed event is nak'ed and comes again, success acks, garbage is dropped", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, redeliveryDelay: 1 } });
    const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
    new Service({ name: "orders.service" }).use(orderEvents);
    const attempts: number[] = [];
    const plugin = events({ transport });
    plugin.from("orders.service").on("order.created", (_order, info) => {
      attempts.push(info.attempt);
      if (info.attempt < 2) throw new Error("not yet");
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: false }).use(plugin);
    await orderEvents.emit("order.created", { id: "o-1" }); // stored before anyone subscribes
    assert.deepEqual([...js.streams], ["EVENTS"]);
    js.stored.push({ subject: "events.orders.service.order.created", data: new TextEncoder().encode("garbage") });
    await billing.startup();
    await until(() => js.settled.includes("ack 0") && js.settled.includes("term 1"));
    assert.deepEqual(attempts, [1, 2]);
    assert.deepEqual(js.settled.filter((entry) => entry.endsWith(" 0")), ["nak 0", "ack 0"]);
    await billing.shutdown();
  });

  it("refuses a durable subscription without JetStream, and a durable broadcast", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats);
    await assert.rejects(transport.subscribe({ source: "a", event: "e", group: "g", durable: true }, () => Promise.resolve()), /need JetStream/);
    await assert.rejects(transport.subscribe({ source: "a", event: "e", group: undefined, durable: true }, () => Promise.resolve()), /needs a group/);
  });
});
