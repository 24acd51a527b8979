// tsmicroservice/nats against an in-memory stand-in of the NATS client (queue groups, request and
// reply, headers, no responders), and of JetStream (ack, nak, redelivery): the header format, the
// header reader, natsServer, natsFetch under the whole client, and natsTransport. The same code
// against a real nats-server is test/services/nats.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, createClient, RpcError, Service, TransportError } from "../mod.ts";
import { neverSent } from "../src/client/cluster/delivery.ts";
import { event, events, type EventTransport } from "../src/events/mod.ts";
import {
  consumerName,
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
import { eventWatch } from "./event_watch.ts";
import { assertStopWaitsForHandler, until } from "./helpers.ts";

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
    assert.throws(() => block.append("X-Api-Token", "b\nX-Evil: 1"), /The NATS header X-Api-Token holds a line break/);
    assert.deepEqual(block.values("X-Api-Token"), ["secret"]);
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

  it("replies only to an inbox: a $JS.API reply subject (or any other) is refused, reported, and its request not run", async (t) => {
    // The reports are bounded in time (one per 10 s): the test moves the clock.
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
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
    // Delivered in microtasks: all handled once the event loop turns.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(ran, []);
    assert.deepEqual(nats.published.filter((entry) => entry.subject !== "rpc.notes.service"), []);
    assert.deepEqual(reported, ['NATS request on rpc.notes.service: Error: NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.EVENTS" is not an inbox']);
    // A long or odd subject is clipped and escaped in the report (the next one, 10 s on, counts the others).
    t.mock.timers.tick(10_000);
    nats.publishWithReply("rpc.notes.service", "{}", `$X.${"a".repeat(100)}\u202e`);
    await until(() => reported.length === 2);
    assert.match(reported.at(-1) ?? "", new RegExp(`reply subject "\\$X\\.a{61}"… is not an inbox \\(and ${2 * hostile.length - 1} more since the last report\\)$`));
    // An inbox gets the answer of a call, and nothing for a notification.
    nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: ["call"], id: 7 }), "_INBOX.abc.1");
    nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: ["notification"] }), "_INBOX.abc.2");
    nats.publishWithReply("rpc.notes.service", JSON.stringify([{ jsonrpc: "2.0", method: "note", params: ["batched"] }]), "_INBOX.abc.3");
    await until(() => ran.length === 3);
    await service.shutdown();
    assert.deepEqual(nats.published.filter((entry) => entry.subject.startsWith("_INBOX")), [
      { subject: "_INBOX.abc.1", reply: undefined, data: '{"jsonrpc":"2.0","result":"noted","id":7}' },
    ]);
    assert.equal(reported.length, 2);
  });

  it("refused reply subjects are reported once, then at most once per 10 s with how many there were since (no timer left running)", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
    const nats = fakeNats();
    const reported: { message: string; where: string }[] = [];
    const ran: number[] = [];
    const service = new Service({ name: "notes.service", onError: (error, { method }) => reported.push({ message: error instanceof Error ? error.message : String(error), where: method }) })
      .use(natsServer(nats))
      .publicMethod("note", (n: number) => {
        ran.push(n);
      });
    await service.startup();
    const flood = async (from: number, count: number): Promise<void> => {
      for (let i = from; i < from + count; i++) nats.publishWithReply("rpc.notes.service", JSON.stringify({ jsonrpc: "2.0", method: "note", params: [i], id: i }), `$JS.API.STREAM.DELETE.S${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    };
    await flood(0, 1_000);
    assert.deepEqual(reported, [{ message: 'NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.S0" is not an inbox', where: "NATS request on rpc.notes.service" }]);
    // Still within the 10 s: counted, not reported.
    t.mock.timers.tick(9_999);
    await flood(1_000, 1);
    assert.equal(reported.length, 1);
    // Past them: the next one is reported, with the 1,000 refused since the last report.
    t.mock.timers.tick(1);
    await flood(1_001, 1);
    assert.deepEqual(reported.map((entry) => entry.message), [
      'NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.S0" is not an inbox',
      'NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.S1001" is not an inbox (and 1000 more since the last report)',
    ]);
    // And the count starts again.
    t.mock.timers.tick(10_000);
    await flood(1_002, 1);
    assert.equal(reported.at(-1)?.message, 'NATS request on rpc.notes.service refused: its reply subject "$JS.API.STREAM.DELETE.S1002" is not an inbox');
    await service.shutdown();
    assert.deepEqual(ran, []);
    assert.deepEqual(nats.published.filter((entry) => entry.subject !== "rpc.notes.service"), []);
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
    // Two refused (_INBOX.x and _MINE.inboxes.x), the second within 10 s of the first: one report.
    await until(() => reported.length === 1 && nats.published.length === 6);
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
    // What is not a notification is sent as a request, so its error comes back: an empty batch, text that is not JSON.
    await service.startup();
    const fetchOver = natsFetch(nats, { timeout: 60_000 });
    for (const [body, code] of [["[]", -32600], ["{", -32700], ["[1]", -32600]] as const) {
      const response = await fetchOver("nats:rpc.n.service", { method: "POST", body });
      const answer = (await response.json()) as { error: { code: number } } | [{ error: { code: number } }];
      assert.deepEqual([response.status, Array.isArray(answer) ? answer[0].error.code : answer.error.code], [200, code]);
    }
    await service.shutdown();
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

  it("natsFetch hands NATS a timeout a timer can hold: a 2^31 ms client timeout, a 30-day header, a 30-day fallback", async () => {
    const nats = fakeNats();
    const service = new Service({ name: "slow.service", onError: false })
      .use(natsServer(nats))
      .publicMethod("wait", async () => {
        // Longer than a timer past 2^31-1 ms takes to fire (at once, after 1 ms).
        await new Promise((resolve) => setTimeout(resolve, 20));
        return "done";
      });
    await service.startup();
    const timeouts: (number | undefined)[] = [];
    const request = nats.request.bind(nats);
    nats.request = (subject, payload, options) => {
      timeouts.push(options?.timeout);
      return request(subject, payload, options);
    };
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on("warning", onWarning);
    try {
      const month = 30 * 86_400_000;
      const client = createClient("nats:rpc.slow.service", { fetch: natsFetch(nats), timeout: 2 ** 31 });
      assert.equal(await client.call("wait"), "done");
      // A gateway forwarding a caller's 30-day X-Request-Timeout over NATS.
      const forwarded = await natsFetch(nats)("nats:rpc.slow.service", {
        method: "POST",
        headers: { "X-Request-Timeout": String(month) },
        body: JSON.stringify({ jsonrpc: "2.0", method: "wait", id: 1 }),
      });
      assert.deepEqual(await forwarded.json(), { jsonrpc: "2.0", result: "done", id: 1 });
      const patient = createClient("nats:rpc.slow.service", { fetch: natsFetch(nats, { timeout: month }), timeout: Infinity });
      assert.equal(await patient.call("wait"), "done");
      const endless = createClient("nats:rpc.slow.service", { fetch: natsFetch(nats, { timeout: Infinity }), timeout: Infinity });
      assert.equal(await endless.call("wait"), "done");
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
      await service.shutdown();
    }
    assert.equal(timeouts.length, 4);
    assert.ok(timeouts.every((timeout) => timeout !== undefined && timeout > 0 && timeout <= 2 ** 31 - 1), String(timeouts));
    assert.deepEqual(warnings, []);
  });

  it("natsFetch on its own: the subject, headers and timeout it hands NATS, and the Response it makes of the reply", async () => {
    const requests: { subject: string; body: string; timeout: number | undefined; headers: [string, string[]][] }[] = [];
    const published: { subject: string; body: string }[] = [];
    let replies: (string | Error)[] = [];
    const connection: NatsConnectionLike = {
      publish: (subject, payload) => {
        published.push({ subject, body: String(payload) });
      },
      subscribe: () => ({ drain: () => Promise.resolve() }),
      request: (subject, payload, options) => {
        requests.push({ subject, body: String(payload), timeout: options?.timeout, headers: [...(options?.headers ?? [])] });
        const reply = replies.shift() ?? "";
        if (reply instanceof Error) return Promise.reject(reply);
        return Promise.resolve({ subject: "_INBOX.1", data: new TextEncoder().encode(reply), respond: () => false });
      },
    };
    const fetchOver = natsFetch(connection);
    const call = '{"jsonrpc":"2.0","method":"add","id":1}';
    replies = ["1", ""];
    const response = await fetchOver("nats:rpc.calculator", { method: "POST", headers: { "Content-Type": "application/json", "X-Api-Token": "t" }, body: call });
    assert.deepEqual([response.status, response.headers.get("content-type"), await response.text()], [200, "application/json", "1"]);
    const empty = await fetchOver("nats://rpc.calculator", { method: "POST", headers: { "X-Request-Timeout": "500" }, body: call });
    assert.deepEqual([empty.status, empty.body, await empty.text()], [200, null, ""]);
    assert.deepEqual(requests, [
      { subject: "rpc.calculator", body: call, timeout: 30_000, headers: [["x-api-token", ["t"]]] },
      { subject: "rpc.calculator", body: call, timeout: 600, headers: [["x-request-timeout", ["500"]]] },
    ]);
    // A batch of one notification is published: nobody waits for an answer.
    const note = '[{"jsonrpc":"2.0","method":"note"}]';
    const noted = await natsFetch(connection, { timeout: 1 })("rpc.notes", { method: "POST", body: note });
    assert.deepEqual([noted.status, published], [204, [{ subject: "rpc.notes", body: note }]]);
    // An abort before anything is sent sends nothing.
    await assert.rejects(fetchOver("nats:rpc.notes", { method: "POST", body: note, signal: AbortSignal.abort(new Error("gone")) }), /^Error: gone$/);
    assert.equal(published.length, 1);
  });

  it("natsFetch: an abort while the request waits rejects with its reason, whatever comes later", async () => {
    let answer: (message: NatsMessage) => void = () => {};
    const connection: NatsConnectionLike = {
      publish: () => {},
      subscribe: () => ({ drain: () => Promise.resolve() }),
      request: () => new Promise<NatsMessage>((resolve) => (answer = resolve)),
    };
    const controller = new AbortController();
    const pending = natsFetch(connection)("nats:rpc.slow", { method: "POST", body: '{"jsonrpc":"2.0","method":"x","id":1}', signal: controller.signal }).then(
      (response) => `answered ${response.status}`,
      (error: unknown) => String(error),
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("the caller left"));
    await new Promise((resolve) => setImmediate(resolve));
    answer({ subject: "_INBOX.1", data: new TextEncoder().encode("{}"), respond: () => false });
    assert.equal(await pending, "Error: the caller left");
  });

  it("natsFetch knows no responders by the error's name, its 503 code, or its message, up to five causes deep", async () => {
    let failure = new Error("none");
    const connection: NatsConnectionLike = {
      publish: () => {},
      subscribe: () => ({ drain: () => Promise.resolve() }),
      request: () => Promise.reject(failure),
    };
    const kind = async (error: Error): Promise<string> => {
      failure = error;
      const caught = await natsFetch(connection)("nats:rpc.x", { method: "POST", body: '{"jsonrpc":"2.0","method":"x","id":1}' }).catch((thrown: unknown) => thrown);
      return caught instanceof Error ? caught.message : String(caught);
    };
    const nested = (depth: number, inner: Error): Error => (depth === 0 ? inner : nested(depth - 1, new Error("request failed", { cause: inner })));
    assert.equal(await kind(Object.assign(new Error("x"), { name: "NoRespondersError" })), "no responders on rpc.x");
    assert.equal(await kind(Object.assign(new Error("x"), { code: "503" })), "no responders on rpc.x");
    assert.equal(await kind(Object.assign(new Error("x"), { code: 503 })), "no responders on rpc.x");
    assert.equal(await kind(new Error("No Responders available")), "no responders on rpc.x");
    assert.equal(await kind(nested(4, new Error("no responders"))), "no responders on rpc.x");
    assert.equal(await kind(nested(5, new Error("no responders"))), "NATS request on rpc.x failed: request failed");
    assert.equal(await kind(Object.assign(new Error("x"), { code: 504 })), "NATS request on rpc.x failed: x");
    const loop = new Error("looping");
    Object.assign(loop, { cause: loop });
    assert.equal(await kind(loop), "NATS request on rpc.x failed: looping");
  });

  it("natsServer: the body limit is inclusive, bad UTF-8 has its own message, a reply that cannot be sent or headers that cannot be read are reported", async () => {
    const nats = fakeNats();
    const reported: string[] = [];
    const service = new Service({ name: "echo.service", limits: { maxBodyBytes: 64 }, onError: (error, { method }) => reported.push(`${method}: ${String(error)}`) })
      .use(natsServer(nats))
      .publicMethod("echo", (text: string) => text);
    await service.startup();
    const ask = async (payload: Uint8Array | string): Promise<string> => new TextDecoder().decode((await nats.request("rpc.echo.service", payload, { timeout: 500 })).data);
    const call = (text: string): string => JSON.stringify({ jsonrpc: "2.0", method: "echo", params: [text], id: 1 });
    const fits = call("x".repeat(64 - call("").length));
    assert.equal(fits.length, 64);
    assert.equal(await ask(fits), JSON.stringify({ jsonrpc: "2.0", result: "x".repeat(64 - call("").length), id: 1 }));
    assert.equal(await ask(`${fits} `), '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request: the request body exceeds 64 bytes"},"id":null}');
    const invalid = new Uint8Array([...new TextEncoder().encode(call("").slice(0, -11)), 0xff, ...new TextEncoder().encode('"],"id":1}')]);
    assert.equal(await ask(invalid), '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: the body is not valid UTF-8"},"id":null}');
    const [subscription] = nats.subscriptions;
    const replies: string[] = [];
    const message = (extra: Partial<NatsMessage>): NatsMessage => ({
      subject: "rpc.echo.service",
      reply: "_INBOX.9",
      data: new TextEncoder().encode(call("hi")),
      respond: (payload) => {
        replies.push(String(payload));
        return true;
      },
      ...extra,
    });
    subscription?.callback(null, message({ respond: () => {
      throw new Error("connection closed");
    } }));
    subscription?.callback(null, message({ headers: { get: () => "", [Symbol.iterator]: () => {
      throw new Error("unreadable headers");
    } } }));
    await until(() => reported.length === 2);
    subscription?.callback(new Error("permission denied"), message({}));
    await service.shutdown();
    assert.deepEqual(reported, [
      "NATS reply on rpc.echo.service: Error: connection closed",
      "NATS request on rpc.echo.service: Error: unreadable headers",
      "NATS subscription: Error: permission denied",
    ]);
    assert.deepEqual(replies, ['{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}']);
  });

  it("natsServer: stop waits for the calls it is answering", async () => {
    const nats = fakeNats();
    let release: () => void = () => {};
    const order: string[] = [];
    const service = new Service({ name: "slow.service" })
      .use(natsServer(nats))
      .publicMethod("wait", async () => {
        order.push("call started");
        await new Promise<void>((resolve) => (release = resolve));
        order.push("call finished");
        return "done";
      });
    await service.startup();
    const answered = nats.request("rpc.slow.service", JSON.stringify({ jsonrpc: "2.0", method: "wait", id: 1 }), { timeout: 5_000 });
    await until(() => order.length === 1);
    const stopping = service.shutdown().then(() => order.push("stopped"));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    release();
    await stopping;
    assert.deepEqual(order, ["call started", "call finished", "stopped"]);
    assert.equal(new TextDecoder().decode((await answered).data), '{"jsonrpc":"2.0","result":"done","id":1}');
  });

  it("natsServer: a refused reply subject is shown whole up to 64 characters, cut past them, anything but printable ASCII escaped", async () => {
    // One service per subject: the reports of one are limited to one per 10 s.
    const tellOf = async (reply: string): Promise<string> => {
      const natsOf = fakeNats();
      const told: string[] = [];
      const one = new Service({ name: "notes.service", onError: (error) => told.push(String(error)) }).use(natsServer(natsOf));
      await one.startup();
      natsOf.publishWithReply("rpc.notes.service", "{}", reply);
      await until(() => told.length === 1);
      await one.shutdown();
      return (told[0] ?? "").replace(/^Error: NATS request on rpc\.notes\.service refused: its reply subject /, "").replace(/ is not an inbox$/, "");
    };
    const exactly = `$X.${"a".repeat(61)}`;
    assert.equal(await tellOf(exactly), `"${exactly}"`);
    assert.equal(await tellOf(`${exactly}b`), `"${exactly}"…`);
    assert.equal(await tellOf("$X.\u0007\u00e9\u202e"), '"$X.\\u0007\\u00e9\\u202e"');
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

type ConsumerConfig = Parameters<JetStreamManagerLike["consumers"]["add"]>[1];
interface Stored {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: NatsHeaderBlock | undefined;
}

/**
 * An in-memory JetStream: streams over `<prefix>.>`, duplicate ids dropped, durable pull consumers
 * (instances of one consumer share its messages, each consumer gets every message of its filter),
 * ack/nak/term, redelivery with a count. It keeps what it was asked: each consumer's config, and
 * each settlement with the nak delay as given, so the tests check the values a server would get.
 */
function fakeJetStream() {
  const streams = new Map<string, { subjects: string; messages: Stored[]; ids: Set<string>; seq: number }>();
  const consumers = new Map<string, { stream: string; config: ConsumerConfig; next: number; redeliver: { seq: number; count: number }[] }>();
  const configs: { stream: string; config: ConsumerConfig }[] = [];
  const settled: string[] = [];
  /** The expires of each consumer.next, as asked. */
  const waits: (number | undefined)[] = [];
  let ephemeral = 0;
  let failPublishOn: string | undefined;
  const matches = (pattern: string, subject: string): boolean =>
    pattern.endsWith(".>") ? subject.startsWith(pattern.slice(0, -1)) : pattern === subject;
  const manager: JetStreamManagerLike = {
    streams: {
      info: (stream) => (streams.has(stream) ? Promise.resolve({}) : Promise.reject(new Error("stream not found"))),
      add: (config) => {
        streams.set(config.name, { subjects: config.subjects?.[0] ?? "", messages: [], ids: new Set(), seq: 0 });
        return Promise.resolve({});
      },
      deleteMessage: (stream, seq) => {
        const found = streams.get(stream);
        if (found === undefined) return Promise.reject(new Error("stream not found"));
        found.messages = found.messages.filter((message) => message.seq !== seq);
        return Promise.resolve(true);
      },
    },
    consumers: {
      add: (stream, config) => {
        configs.push({ stream, config });
        const name = config.durable_name ?? `ephemeral-${++ephemeral}`;
        const existing = consumers.get(name);
        if (existing !== undefined && JSON.stringify(existing.config) !== JSON.stringify(config)) {
          return Promise.reject(new Error("consumer already exists with a different configuration"));
        }
        if (existing === undefined) consumers.set(name, { stream, config, next: 0, redeliver: [] });
        return Promise.resolve({ name });
      },
      delete: (_stream, name) => Promise.resolve(consumers.delete(name)),
    },
  };
  /** The next message for a consumer, or undefined: redeliveries first, then the stream in order. */
  const take = (name: string): JetStreamMessageLike | undefined => {
    const consumer = consumers.get(name);
    const stream = consumer === undefined ? undefined : streams.get(consumer.stream);
    if (consumer === undefined || stream === undefined) return undefined;
    let seq: number;
    let count = 1;
    const again = consumer.redeliver.shift();
    if (again !== undefined) ({ seq, count } = again);
    else {
      const next = stream.messages.find((message) => message.seq > consumer.next && matches(consumer.config.filter_subject ?? ">", message.subject));
      if (next === undefined) return undefined;
      seq = next.seq;
      consumer.next = seq;
    }
    const entry = stream.messages.find((message) => message.seq === seq);
    if (entry === undefined) return undefined;
    let done = false;
    const settle = (what: string): void => {
      if (done) throw new Error(`message ${seq} of ${name} settled twice (${what})`);
      done = true;
      settled.push(what);
    };
    return {
      subject: entry.subject,
      data: entry.data,
      headers: entry.headers,
      info: { deliveryCount: count, streamSequence: seq },
      ack: () => settle(`${name} ack ${seq}`),
      nak: (millis) => {
        settle(`${name} nak ${seq} ${String(millis)}`);
        consumer.redeliver.push({ seq, count: count + 1 });
      },
      term: () => settle(`${name} term ${seq}`),
    };
  };
  const client: JetStreamLike = {
    publish(subject, payload, options) {
      if (failPublishOn !== undefined && subject.startsWith(failPublishOn)) return Promise.reject(new Error("no space left"));
      const stream = [...streams.values()].find((candidate) => matches(candidate.subjects, subject));
      if (stream === undefined) return Promise.reject(new Error(`no stream takes ${subject}`));
      if (options?.msgID !== undefined && stream.ids.has(options.msgID)) return Promise.resolve({ duplicate: true });
      if (options?.msgID !== undefined) stream.ids.add(options.msgID);
      const data = typeof payload === "string" ? new TextEncoder().encode(payload) : payload ?? new Uint8Array();
      stream.messages.push({ seq: ++stream.seq, subject, data, headers: options?.headers });
      return Promise.resolve({ seq: stream.seq });
    },
    consumers: {
      get: (_stream, name = "") => Promise.resolve({
        consume: () => {
          if (!consumers.has(name)) return Promise.reject(new Error("no consumer"));
          let closed = false;
          const iterator: AsyncIterable<JetStreamMessageLike> & { close(): Promise<void> } = {
            close: () => {
              closed = true;
              return Promise.resolve();
            },
            async *[Symbol.asyncIterator]() {
              while (!closed) {
                const message = take(name);
                // Messages come over a socket: a turn of the event loop each, never a microtask loop.
                if (message === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
                else {
                  await new Promise((resolve) => setImmediate(resolve));
                  yield message;
                }
              }
            },
          };
          return Promise.resolve(iterator);
        },
        next: async (options) => {
          waits.push(options?.expires);
          // Everything is in memory: a wait of the server's 1000 ms and up costs 20 ms here.
          for (let waited = 0; waited <= Math.min(options?.expires ?? 30_000, 20); waited += 2) {
            const message = take(name);
            if (message !== undefined) return message;
            await new Promise((resolve) => setTimeout(resolve, 2));
          }
          return null;
        },
      }),
    },
  };
  return {
    client,
    manager,
    streams,
    configs,
    settled,
    waits,
    /** The messages a stream holds now. */
    messages: (stream: string): Stored[] => streams.get(stream)?.messages ?? [],
    /** Makes publishes on subjects starting so fail (a full disk). */
    failPublishes(prefix: string | undefined): void {
      failPublishOn = prefix;
    },
  };
}

/** orders.service emitting order.created on a transport, and a function to emit n of them. */
function emitter(transport: EventTransport) {
  const orderEvents = events({ transport, emits: { "order.created": event<{ id: string }>() } });
  new Service({ name: "orders.service" }).use(orderEvents);
  return orderEvents;
}
type OrderEvents = ReturnType<typeof emitter>;

describe("events over NATS (in-memory NATS)", () => {
  it("core NATS: service-pool through a queue group named after the subscriber, broadcast for every instance", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats, { prefix: "ev" });
    const orderEvents = emitter(transport);
    const pooled: string[][] = [[], []];
    const everyone: string[][] = [[], []];
    const watch = eventWatch();
    const services = [0, 1].map((i) => {
      const plugin = events({ transport });
      plugin.from<OrderEvents>("orders.service")
        .on("order.created", (order) => {
          pooled[i]?.push(order.id);
        })
        .on("order.created", (order) => {
          everyone[i]?.push(order.id);
        }, { delivery: "broadcast" });
      return new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    });
    for (const service of services) await service.startup();
    const subject = eventSubject("ev", "orders.service", "order.created");
    assert.deepEqual(nats.subscriptions.map((s) => [s.subject, s.queue]), [[subject, "billing.service"], [subject, undefined], [subject, "billing.service"], [subject, undefined]]);
    for (let i = 0; i < 10; i++) await orderEvents.emit("order.created", { id: `o-${i}` });
    nats.publish(subject, "not json"); // dropped, and reported
    nats.publish(subject, JSON.stringify({ id: 1 })); // not an envelope: dropped, and reported
    // Each subscription reports the first it dropped; a second within 10 s is only counted (here
    // each broadcast one got both, each member of the queue group one).
    await watch.until(() => (pooled[0]?.length ?? 0) + (pooled[1]?.length ?? 0) === 10 && everyone.every((list) => list.length === 10) && watch.reported.length === 4, "10 events each");
    assert.ok(pooled.every((list) => list.length > 0));
    assert.deepEqual(new Set(watch.messages()), new Set(["dropped a message on ev.orders.service.order.created that is not an event envelope"]));
    // A subscription's own error (a permission violation, say) is reported too.
    nats.subscriptions[0]?.callback(new Error("permissions violation for subscription"), {} as never);
    assert.equal(watch.messages().at(-1), "permissions violation for subscription");
    assert.deepEqual(new Set(watch.reported.map((entry) => entry.where)), new Set(["event orders.service order.created"]));
    for (const service of services) await service.shutdown();
  });

  it("messages that are not events are reported once, then at most once per 10 s with how many since: core NATS and JetStream", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager } });
    emitter(transport);
    const watch = eventWatch();
    const handled: string[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service")
      .on("order.created", (order) => {
        handled.push(`core ${order.id}`);
      })
      .on("order.created", (order) => {
        handled.push(`durable ${order.id}`);
      }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    const subject = eventSubject("events", "orders.service", "order.created");
    // Core NATS: 1,000 at once, one report.
    for (let i = 0; i < 1_000; i++) nats.publish(subject, `garbage ${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(watch.messages(), [`dropped a message on ${subject} that is not an event envelope`]);
    // JetStream: each is a dead letter, and one report.
    for (let i = 0; i < 50; i++) await js.client.publish(subject, `garbage ${i}`);
    await watch.until(() => js.messages("EVENTS_DEAD").length === 50 && js.settled.length === 50, "50 dead letters");
    const gaveUp = (seq: number): string => `gave up on event #${seq} of ${subject} after 1 deliveries (not an event envelope): moved to events-dead.billing_service__orders_service__order_created in the stream EVENTS_DEAD`;
    assert.deepEqual(watch.messages().slice(1), [gaveUp(1)]);
    // 10 s on, the next ones are reported with the count of the others.
    t.mock.timers.tick(10_000);
    nats.publish(subject, "garbage again");
    await js.client.publish(subject, "garbage again");
    await watch.until(() => watch.reported.length === 4, "two more reports");
    assert.deepEqual(watch.messages().slice(2).sort(), [
      `dropped a message on ${subject} that is not an event envelope (and 999 more since the last report)`,
      `${gaveUp(51)} (and 49 more since the last report)`,
    ]);
    await billing.shutdown();
    assert.deepEqual(handled, []);
    assert.equal(watch.reported.length, 4);
  });

  it("core NATS: stop waits for the handlers that are running; an async handler's rejection reaches onError", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats);
    const orderEvents = emitter(transport);
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", async (created) => {
      if (created.id === "bad") {
        await Promise.resolve();
        throw new Error("cannot bill bad");
      }
      order.push("handler started");
      await gate;
      order.push("handler finished");
    });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.created", { id: "bad" });
    await watch.until(() => watch.reported.length === 1, "the rejection reported");
    assert.deepEqual(watch.reported.map((entry) => [entry.where, String(entry.error)]), [["event orders.service order.created", "Error: cannot bill bad"]]);
    await orderEvents.emit("order.created", { id: "slow" });
    await watch.until(() => order.length === 1, "the handler started");
    await assertStopWaitsForHandler(() => billing.shutdown(), () => release(), order);
  });

  it("JetStream: the stream is made when missing, the consumer is configured as documented (ack_wait in ns), a failed event is nak'ed with its delay in ms", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager } });
    const orderEvents = emitter(transport);
    const attempts: number[] = [];
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (_order, info) => {
      attempts.push(info.attempt);
      if (info.attempt < 2) throw new Error("not yet");
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await orderEvents.emit("order.created", { id: "o-1" }); // stored before anyone subscribes
    await orderEvents.emit("order.created", { id: "o-1" }).catch(() => {}); // a new id: stored too
    assert.deepEqual([...js.streams.keys()], ["EVENTS"]);
    await billing.startup();
    const name = consumerName("billing.service", "orders.service", "order.created");
    assert.equal(name, "billing_service__orders_service__order_created");
    assert.deepEqual(js.configs, [{
      stream: "EVENTS",
      config: {
        durable_name: name,
        filter_subject: "events.orders.service.order.created",
        ack_wait: 30_000_000_000, // 30 s in nanoseconds
        max_ack_pending: 1_024,
        ack_policy: "explicit",
        deliver_policy: "all",
      },
    }]);
    await watch.until(() => js.settled.filter((entry) => entry.includes(" ack ")).length === 2, "both acked");
    assert.deepEqual(attempts, [1, 1, 2, 2]);
    // The default delay, 1 s, in ms as the client's nak(millis) takes it.
    assert.deepEqual(js.settled.filter((entry) => entry.includes(" nak ")), [`${name} nak 1 1000`, `${name} nak 2 1000`]);
    await billing.shutdown();

    const tuned = fakeJetStream();
    const other = natsTransport(nats, { jetstream: { client: tuned.client, manager: tuned.manager, ackWait: 1_500, redeliveryDelay: 250, maxInFlight: 2 } });
    emitter(other);
    const retried: number[] = [];
    const again = events({ transport: other });
    again.from<OrderEvents>("orders.service").on("order.created", (_order, info) => {
      retried.push(info.attempt);
      if (info.attempt === 1) throw new Error("once");
    }, { durable: true });
    const second = new Service({ name: "billing.service", onError: false }).use(again);
    await second.startup();
    await emitter(other).emit("order.created", { id: "o-2" });
    await watch.until(() => retried.length === 2, "delivered twice");
    await second.shutdown();
    assert.deepEqual([tuned.configs[0]?.config.ack_wait, tuned.configs[0]?.config.max_ack_pending], [1_500_000_000, 32]);
    assert.deepEqual(tuned.settled, [`${name} nak 1 250`, `${name} ack 1`]);
  });

  it("JetStream: two subscribing services get a durable consumer each, so each handles every event", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager } });
    const orderEvents = emitter(transport);
    const watch = eventWatch();
    const handled = new Map<string, string[]>();
    const subscriber = (name: string): Service => {
      const list: string[] = [];
      handled.set(name, list);
      const plugin = events({ transport });
      plugin.from<OrderEvents>("orders.service").on("order.created", (created) => {
        list.push(created.id);
      }, { durable: true });
      return new Service({ name, onError: watch.onError }).use(plugin);
    };
    const services = [subscriber("billing.service"), subscriber("shipping.service")];
    for (const service of services) await service.startup();
    for (let i = 0; i < 10; i++) await orderEvents.emit("order.created", { id: `o-${i}` });
    await watch.until(() => [...handled.values()].every((list) => list.length === 10), "each handled 10");
    for (const service of services) await service.shutdown();
    const ids = Array.from({ length: 10 }, (_, i) => `o-${i}`);
    assert.deepEqual(Object.fromEntries(handled), { "billing.service": ids, "shipping.service": ids });
    assert.deepEqual(js.configs.map((entry) => entry.config.durable_name), ["billing_service__orders_service__order_created", "shipping_service__orders_service__order_created"]);
  });

  it("JetStream: a poison event goes to the dead letters after maxDeliveries, with why; garbage and never-acknowledged events too; the next events are handled", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 3, redeliveryDelay: 5 } });
    const orderEvents = emitter(transport);
    const watch = eventWatch();
    const handled: string[] = [];
    const attempts: number[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (created, info) => {
      if (created.id === "poison") {
        attempts.push(info.attempt);
        throw new Error("cannot bill\r\npoison");
      }
      handled.push(created.id);
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    const name = "billing_service__orders_service__order_created";
    await orderEvents.emit("order.created", { id: "poison" });
    await js.client.publish("events.orders.service.order.created", "garbage");
    for (let i = 0; i < 5; i++) await orderEvents.emit("order.created", { id: `o-${i}` });
    await watch.until(() => handled.length === 5 && js.messages("EVENTS_DEAD").length === 2, "5 handled, 2 dead letters");
    assert.deepEqual(attempts, [1, 2, 3]);
    const dead = js.messages("EVENTS_DEAD");
    assert.deepEqual(dead.map((letter) => letter.subject), [`events-dead.${name}`, `events-dead.${name}`]);
    const headers = (letter: Stored | undefined): Record<string, string> => Object.fromEntries([...(letter?.headers ?? [])].map(([key, values]) => [key, values.join()]));
    const poison = dead.find((letter) => new TextDecoder().decode(letter.data).includes("poison"));
    assert.deepEqual(headers(poison), {
      "Tsm-Subject": "events.orders.service.order.created",
      "Tsm-Consumer": name,
      "Tsm-Group": "billing.service",
      "Tsm-Source": "orders.service",
      "Tsm-Event": "order.created",
      "Tsm-Deliveries": "3",
      "Tsm-Reason": "the handler failed: cannot bill poison",
      "Tsm-Stream-Sequence": "1",
    });
    const garbage = dead.find((letter) => new TextDecoder().decode(letter.data) === "garbage");
    assert.equal(headers(garbage)["Tsm-Reason"], "not an event envelope");
    assert.deepEqual(js.settled.filter((entry) => / (nak|term) /.test(entry)).sort(), [`${name} nak 1 5`, `${name} nak 1 5`, `${name} term 1`, `${name} term 2`]);
    assert.ok(watch.messages().includes(`gave up on event #1 of events.orders.service.order.created after 3 deliveries (the handler failed: cannot bill poison): moved to events-dead.${name} in the stream EVENTS_DEAD`));
    // Nothing in the events stream is left unsettled: 5 acks, 2 terms, 2 naks.
    assert.equal(js.settled.length, 9);
    await billing.shutdown();
  });

  it("JetStream: an event delivered maxDeliveries times without an acknowledgement (a crashing handler) is not run again", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 2 } });
    const orderEvents = emitter(transport);
    const watch = eventWatch();
    const ran: number[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (_created, info) => {
      ran.push(info.attempt);
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await orderEvents.emit("order.created", { id: "crasher" });
    // Two deliveries whose process died before settling them: the server's third delivery.
    const name = "billing_service__orders_service__order_created";
    await js.manager.consumers.add("EVENTS", { durable_name: name, filter_subject: "events.orders.service.order.created", ack_wait: 30_000_000_000, max_ack_pending: 1_024, ack_policy: "explicit", deliver_policy: "all" });
    const crashed = await (await js.client.consumers.get("EVENTS", name)).next({ expires: 10 });
    crashed?.nak(0);
    const twice = await (await js.client.consumers.get("EVENTS", name)).next({ expires: 10 });
    twice?.nak(0);
    await billing.startup();
    await watch.until(() => js.messages("EVENTS_DEAD").length === 1, "a dead letter");
    await billing.shutdown();
    assert.deepEqual(ran, []);
    assert.match(watch.messages().join("\n"), /after 3 deliveries \(delivered 2 times without an acknowledgement\)/);
  });

  it("JetStream: a dead letter that cannot be stored is delivered again (nothing lost), and reported", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 1, redeliveryDelay: 1 } });
    const orderEvents = emitter(transport);
    const watch = eventWatch();
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", () => {
      throw new Error("broken");
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    js.failPublishes("events-dead.");
    await billing.startup();
    await orderEvents.emit("order.created", { id: "o-1" });
    await watch.until(() => watch.messages().some((message) => message.startsWith("could not move event #1")), "the failure reported");
    assert.deepEqual(js.messages("EVENTS_DEAD"), []);
    assert.ok(js.settled.every((entry) => !entry.includes(" term ")));
    js.failPublishes(undefined);
    // Delivered again, it is moved once the dead letters can be stored (not run again: its count is spent).
    await watch.until(() => js.messages("EVENTS_DEAD").length === 1, "stored once it can be");
    await billing.shutdown();
    assert.equal((JSON.parse(new TextDecoder().decode(js.messages("EVENTS_DEAD")[0]?.data)) as { payload: { id: string } }).payload.id, "o-1");
    assert.match(watch.messages().find((message) => message.startsWith("could not move")) ?? "", /^could not move event #1 of events\.orders\.service\.order\.created to the dead letters \(it comes again\): no space left$/);
    assert.equal(watch.messages()[0], "broken");
    const notMoved = watch.reported.map((entry) => entry.error).find((error): error is Error => error instanceof Error && error.message.startsWith("could not move"));
    assert.equal(String(notMoved?.cause), "Error: no space left");
  });

  it("JetStream: replayDeadLetters sends a dead letter back to the service that gave up on it, and to no other", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 1 } });
    const orderEvents = emitter(transport);
    const watch = eventWatch();
    let broken = true;
    const handled = new Map<string, string[]>();
    const subscriber = (name: string, fails: boolean): Service => {
      const list: string[] = [];
      handled.set(name, list);
      const plugin = events({ transport });
      plugin.from<OrderEvents>("orders.service").on("order.created", (created, info) => {
        if (fails && broken) throw new Error("broken");
        list.push(`${created.id}@${info.attempt}`);
      }, { durable: true });
      return new Service({ name, onError: watch.onError }).use(plugin);
    };
    const services = [subscriber("billing.service", true), subscriber("shipping.service", false)];
    for (const service of services) await service.startup();
    await orderEvents.emit("order.created", { id: "o-1" });
    await watch.until(() => js.messages("EVENTS_DEAD").length === 1 && handled.get("shipping.service")?.length === 1, "one dead letter");
    broken = false;
    assert.equal(await transport.replayDeadLetters({ group: "shipping.service", wait: 20 }), 0);
    assert.equal(js.messages("EVENTS_DEAD").length, 1);
    assert.equal(await transport.replayDeadLetters({ group: "billing.service", source: "orders.service", event: "order.created", wait: 20 }), 1);
    await watch.until(() => handled.get("billing.service")?.length === 1, "billing handled the replay");
    // Shipping skipped it: acked without running its handler.
    await watch.until(() => js.settled.includes("shipping_service__orders_service__order_created ack 2"), "shipping skipped it");
    for (const service of services) await service.shutdown();
    assert.deepEqual(Object.fromEntries(handled), { "billing.service": ["o-1@1"], "shipping.service": ["o-1@1"] });
    assert.deepEqual(js.messages("EVENTS_DEAD"), []);
    assert.equal(js.messages("EVENTS")[1]?.headers?.get("Tsm-Replay-For"), "billing_service__orders_service__order_created");
    // A replay is never handled by an at-most-once subscription either.
    const core: string[] = [];
    const listener = events({ transport });
    listener.from<OrderEvents>("orders.service").on("order.created", (created) => {
      core.push(created.id);
    });
    const audit = new Service({ name: "audit.service", onError: watch.onError }).use(listener);
    await audit.startup();
    const replay = new NatsHeaderBlock();
    replay.set("Tsm-Replay-For", "billing_service__orders_service__order_created");
    nats.publish("events.orders.service.order.created", new TextDecoder().decode(js.messages("EVENTS")[1]?.data), { headers: replay });
    nats.publish("events.orders.service.order.created", new TextDecoder().decode(js.messages("EVENTS")[0]?.data));
    await watch.until(() => core.length === 1, "the plain event handled");
    await audit.shutdown();
    assert.deepEqual(core, ["o-1"]);
  });

  it("JetStream: replayDeadLetters compares source and event exactly: `orders` is not `orders.service`, `created` is not `order.created`", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 1 } });
    const emitters = ["orders", "orders.service"].map((name) => {
      const plugin = events({ transport, emits: { "order.created": event<{ id: string }>(), created: event<{ id: string }>() } });
      new Service({ name }).use(plugin);
      return plugin;
    });
    const watch = eventWatch();
    let broken = true;
    const handled: string[] = [];
    const plugin = events({ transport });
    for (const source of ["orders", "orders.service"]) {
      plugin.from<OrderEvents>(source).on("order.created", (created, info) => {
        if (broken) throw new Error("broken");
        handled.push(`${source} ${created.id}@${info.attempt}`);
      }, { durable: true });
    }
    const billing = new Service({ name: "billing.service", onError: watch.onError }).use(plugin);
    await billing.startup();
    await emitters[0]?.emit("order.created", { id: "a" });
    await emitters[1]?.emit("order.created", { id: "b" });
    await watch.until(() => js.messages("EVENTS_DEAD").length === 2, "two dead letters");
    broken = false;
    const dead = (): string[] => js.messages("EVENTS_DEAD").map((letter) => `${letter.headers?.get("Tsm-Source") ?? ""} ${letter.headers?.get("Tsm-Event") ?? ""}`);
    assert.deepEqual(dead(), ["orders order.created", "orders.service order.created"]);
    // Neither is an event named `created`, nor of a service named `order`.
    assert.equal(await transport.replayDeadLetters({ event: "created", wait: 20 }), 0);
    assert.equal(await transport.replayDeadLetters({ source: "orders.service", event: "created", wait: 20 }), 0);
    assert.equal(await transport.replayDeadLetters({ source: "order", wait: 20 }), 0);
    assert.equal(js.messages("EVENTS_DEAD").length, 2);
    // `orders`: only the letter of orders, not that of orders.service.
    assert.equal(await transport.replayDeadLetters({ source: "orders", wait: 20 }), 1);
    assert.deepEqual(dead(), ["orders.service order.created"]);
    await watch.until(() => handled.length === 1, "the replay of orders handled");
    assert.equal(await transport.replayDeadLetters({ source: "orders.service", event: "order.created", wait: 20 }), 1);
    await watch.until(() => handled.length === 2, "the replay of orders.service handled");
    await billing.shutdown();
    assert.deepEqual(handled, ["orders a@1", "orders.service b@1"]);
    assert.deepEqual(dead(), []);
    // JetStream refuses a wait under 1 s: 20 ms is asked as 1000 ms, a longer wait as it is.
    assert.deepEqual([...new Set(js.waits)], [1_000]);
    assert.equal(await transport.replayDeadLetters({ wait: 1_500 }), 0);
    assert.equal(await transport.replayDeadLetters(), 0);
    assert.deepEqual(js.waits.slice(-2), [1_500, 1_000]);
  });

  it("JetStream: a stream is looked up once, and again after it could not be made; by default an event is delivered 5 times before it is dead", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const looked: string[] = [];
    let failing = 1;
    const manager: JetStreamManagerLike = {
      ...js.manager,
      streams: {
        ...js.manager.streams,
        info: (name) => {
          looked.push(name);
          return js.manager.streams.info(name);
        },
        add: (config) => (failing-- > 0 ? Promise.reject(new Error("jetstream not ready")) : js.manager.streams.add(config)),
      },
    };
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager } });
    assert.equal(transport.name, "nats");
    const orderEvents = emitter(transport);
    await assert.rejects(orderEvents.emit("order.created", { id: "o-1" }), /^Error: jetstream not ready$/);
    await orderEvents.emit("order.created", { id: "o-2" });
    await orderEvents.emit("order.created", { id: "o-3" });
    assert.deepEqual(looked, ["EVENTS", "EVENTS"]);
    const attempts: number[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (created, info) => {
      if (created.id === "o-2") attempts.push(info.attempt);
      throw new Error("no");
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: false }).use(plugin);
    await billing.startup();
    const watch = eventWatch();
    await watch.until(() => js.messages("EVENTS_DEAD").length === 2, "both dead");
    await billing.shutdown();
    assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
    assert.deepEqual(js.messages("EVENTS_DEAD").map((letter) => letter.headers?.get("Tsm-Deliveries")), ["5", "5"]);
    assert.deepEqual(looked, ["EVENTS", "EVENTS", "EVENTS_DEAD"]);
  });

  it("JetStream: a replay reads the dead letters through a reader of its own, acks each, replays at most max, and deletes the reader", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const deleted: string[] = [];
    const manager: JetStreamManagerLike = {
      ...js.manager,
      consumers: {
        ...js.manager.consumers,
        delete: (stream, name) => {
          deleted.push(`${stream} ${name}`);
          return js.manager.consumers.delete(stream, name);
        },
      },
    };
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager, maxDeliveries: 1 } });
    const orderEvents = emitter(transport);
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", () => {
      throw new Error("no");
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: false }).use(plugin);
    await billing.startup();
    for (const id of ["a", "b", "c"]) await orderEvents.emit("order.created", { id });
    const watch = eventWatch();
    await watch.until(() => js.messages("EVENTS_DEAD").length === 3, "three dead letters");
    await billing.shutdown();
    assert.equal(await transport.replayDeadLetters({ group: "shipping.service", wait: 20 }), 0, "not shipping's");
    assert.equal(await transport.replayDeadLetters({ max: 1, wait: 20 }), 1);
    assert.equal(js.messages("EVENTS_DEAD").length, 2);
    assert.equal(await transport.replayDeadLetters({ max: 2, wait: 20 }), 2);
    assert.deepEqual(js.configs.filter((entry) => entry.stream === "EVENTS_DEAD").map((entry) => entry.config), Array.from({ length: 3 }, () => ({
      filter_subject: "events-dead.>",
      ack_policy: "explicit",
      deliver_policy: "all",
      inactive_threshold: 60_000_000_000,
    })));
    // Every letter read is acked: the three skipped by the first replay, then the three replayed.
    assert.deepEqual(js.settled.filter((entry) => entry.startsWith("ephemeral")).map((entry) => entry.replace(/ \d+$/, "")), [
      "ephemeral-1 ack", "ephemeral-1 ack", "ephemeral-1 ack", "ephemeral-2 ack", "ephemeral-3 ack", "ephemeral-3 ack",
    ]);
    assert.deepEqual(deleted, ["EVENTS_DEAD ephemeral-1", "EVENTS_DEAD ephemeral-2", "EVENTS_DEAD ephemeral-3"]);
  });

  it("core NATS: every delivery is a first attempt, and nothing reaches a subscription once its service stopped", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats);
    const orderEvents = emitter(transport);
    const attempts: number[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (_created, info) => {
      attempts.push(info.attempt);
    });
    const billing = new Service({ name: "billing.service" }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.created", { id: "o-1" });
    await until(() => attempts.length === 1);
    await billing.shutdown();
    await orderEvents.emit("order.created", { id: "o-2" });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(attempts, [1]);
  });

  it("JetStream: stop waits for the handlers that are running", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager } });
    const orderEvents = emitter(transport);
    let release: () => void = () => {};
    const order: string[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", async () => {
      order.push("handler started");
      await new Promise<void>((resolve) => (release = resolve));
      order.push("handler finished");
    }, { durable: true });
    const billing = new Service({ name: "billing.service" }).use(plugin);
    await billing.startup();
    await orderEvents.emit("order.created", { id: "o-1" });
    await until(() => order.length === 1);
    const stopping = billing.shutdown().then(() => order.push("stopped"));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    release();
    await stopping;
    assert.deepEqual(order, ["handler started", "handler finished", "stopped"]);
  });

  it("an envelope needs its id, event, source and time as text: one without any of them is no event", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats);
    const handled: string[] = [];
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (created) => {
      handled.push(created.id);
    });
    const billing = new Service({ name: "billing.service", onError: false }).use(plugin);
    await billing.startup();
    const whole = { id: "e-1", event: "order.created", source: "orders.service", time: "2026-01-01T00:00:00.000Z", payload: { id: "whole" } };
    const subject = eventSubject("events", "orders.service", "order.created");
    for (const field of ["id", "event", "source", "time"]) nats.publish(subject, JSON.stringify({ ...whole, [field]: 1, payload: { id: `no ${field}` } }));
    nats.publish(subject, "null");
    nats.publish(subject, JSON.stringify(whole));
    await until(() => handled.length > 0);
    await billing.shutdown();
    assert.deepEqual(handled, ["whole"]);
  });

  it("JetStream: the reason kept with a dead letter is one line of 200 characters at most", async () => {
    const nats = fakeNats();
    const js = fakeJetStream();
    const transport = natsTransport(nats, { jetstream: { client: js.client, manager: js.manager, maxDeliveries: 1, ackWait: 0.5 } });
    const orderEvents = emitter(transport);
    const plugin = events({ transport });
    plugin.from<OrderEvents>("orders.service").on("order.created", (created) => {
      throw new Error(created.id);
    }, { durable: true });
    const billing = new Service({ name: "billing.service", onError: false }).use(plugin);
    await billing.startup();
    // "the handler failed: " is 20 characters.
    await orderEvents.emit("order.created", { id: "a".repeat(180) });
    await orderEvents.emit("order.created", { id: "b".repeat(181) });
    await until(() => js.messages("EVENTS_DEAD").length === 2);
    await billing.shutdown();
    assert.deepEqual(js.messages("EVENTS_DEAD").map((letter) => letter.headers?.get("Tsm-Reason")), [
      `the handler failed: ${"a".repeat(180)}`,
      `the handler failed: ${"b".repeat(179)}…`,
    ]);
    assert.equal(js.configs[0]?.config.ack_wait, 500_000);
  });

  it("refuses a durable subscription without JetStream, a durable broadcast, and settings out of range", async () => {
    const nats = fakeNats();
    const transport = natsTransport(nats);
    await assert.rejects(transport.subscribe({ source: "a", event: "e", group: "g", durable: true }, () => Promise.resolve()), /need JetStream/);
    await assert.rejects(transport.subscribe({ source: "a", event: "e", group: undefined, durable: true }, () => Promise.resolve()), /needs a group/);
    await assert.rejects(transport.replayDeadLetters(), /need JetStream/);
    const js = fakeJetStream();
    const jetstream = { client: js.client, manager: js.manager };
    for (const [settings, message] of [
      [{ ackWait: 0 }, /ackWait must be a positive number of ms, got 0/],
      [{ redeliveryDelay: -1 }, /redeliveryDelay must be a number of ms, 0 or more/],
      [{ maxInFlight: 1.5 }, /maxInFlight must be a whole number of at least 1, got 1.5/],
      [{ maxDeliveries: 0 }, /maxDeliveries must be a whole number of at least 1, got 0/],
      [{ deadLetterPrefix: "events.dead" }, /the dead letters need a prefix and stream of their own, outside events\.> and EVENTS/],
      [{ deadLetterStream: "EVENTS" }, /of their own/],
    ] as const) {
      assert.throws(() => natsTransport(nats, { jetstream: { ...jetstream, ...settings } }), message);
    }
    natsTransport(nats, { jetstream: { ...jetstream, maxDeliveries: Infinity } });
  });
});
