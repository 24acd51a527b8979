// The WebSocket client (src/websocket/client*.ts) on Node.js with the `ws` package's WebSocket,
// against a server made with the `ws` package's server that speaks the wire of the shared plan
// (test/websocket_client_fixture.ts): calls, named and positional params, errors, batches in one
// message, the timeout member and the local timer, abort → rpc.cancel, streams (items, result,
// error, break → rpc.cancel), a resumable stream going on across a drop with nothing lost or
// repeated, reconnect (dropped connections, a server restarted on the same port), idempotent calls
// sent again and others failing, server notifications and calls, credentials, close().
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, afterEach, beforeEach, describe, test } from "node:test";
import { WebSocket } from "ws";
import { connect, createClient, RpcError, TransportError } from "../mod.ts";
import { openWebSocket, type WebSocketClient, type WebSocketClientOptions, type WebSocketState } from "../src/websocket/client.ts";
import { FixtureServer } from "./websocket_client_fixture.ts";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not so after ${ms} ms: ${what}`);
    await delay(5);
  }
}

type Fixture = {
  echo(...args: unknown[]): unknown;
  add(a: number, b: number): number;
  fail(): never;
  slow(ms: number): number;
  count(ms: number): number;
  hello(name: string): string;
  ask(method: string, params: unknown): { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  log(line: string): void;
  ticks(n: number, how?: string): AsyncGenerator<{ i: number }, string>;
  feed(): AsyncGenerator<string, string>;
};

let server: FixtureServer;
const sockets: WebSocketClient[] = [];
const open = (options: WebSocketClientOptions = {}): WebSocketClient => {
  // The ws package's constructor fits the structural type as it is.
  const socket = openWebSocket(server.url, { WebSocket, reconnect: { delay: 20, maxDelay: 100 }, ...options });
  sockets.push(socket);
  return socket;
};

beforeEach(async () => {
  server = new FixtureServer();
  await server.start();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await server.stop();
});
after(() => {});

describe("calls over the socket", { timeout: 20_000 }, () => {
  test("connect() learns the service; calls with positional and named params; notifications; ids are the socket's own", async () => {
    const socket = open();
    assert.equal(socket.state, "idle");
    const remote = await connect<Fixture>(socket);
    assert.equal(socket.state, "open");
    assert.equal(remote.name, "fixture");
    assert.equal(await remote.methods.add(1, 2), 3);
    assert.equal(await remote.call("add", { a: 40, b: 2 }), 42);
    await remote.notify("log", ["hi"]);
    await until(() => server.requests("log").length === 1, "the notification arrived");
    assert.equal("id" in (server.requests("log")[0] as object), false);
    // The socket counts its ids from 1, whoever made the calls.
    assert.deepEqual(server.received.filter((message) => "id" in message).map((message) => message["id"]), [1, 2, 3]);
    assert.equal(server.upgrades.length, 1);
  });

  test("an error answer is thrown as the RpcError it is, with its data; an unknown method is the server's -32601", async () => {
    const remote = createClient<Fixture>(open());
    await assert.rejects(remote.methods.fail(), (error: unknown) => error instanceof RpcError && error.code === 4001 && error.message === "Out of stock" && (error.data as { item: string }).item === "apple");
    await assert.rejects(remote.call("nope" as "echo"), (error: unknown) => error instanceof RpcError && error.code === -32601);
  });

  test("a batch goes as one message and its answers are matched by id; a batch of notifications gets none", async () => {
    const remote = createClient<Fixture>(open());
    const [sum, , failed, named] = await remote.batch((batch) => [batch.methods.add(1, 2), batch.notifications.log("x"), batch.methods.fail(), batch.call("add", { a: 2, b: 3 })]);
    assert.deepEqual(sum, { ok: true, value: 3 });
    assert.equal(failed.ok, false);
    assert.ok((failed as { error?: unknown }).error instanceof RpcError);
    assert.equal((failed as { error?: RpcError }).error?.code, 4001);
    assert.deepEqual(named, { ok: true, value: 5 });
    const batches = server.received.filter((message) => Array.isArray(message));
    assert.equal(batches.length, 0, "the fixture records a batch's entries one by one");
    assert.equal(server.requests("add").length, 2);
    assert.deepEqual(await remote.batch((batch) => [batch.notifications.log("a"), batch.notifications.log("b")]), [undefined, undefined]);
    await until(() => server.requests("log").length === 3, "the notifications arrived");
    // A batch refused whole (one error, id null) throws that error, as over HTTP; the socket goes on.
    await assert.rejects(remote.batch((batch) => [1, 2, 3, 4, 5].map((n) => batch.methods.add(n, n))), (error: unknown) => error instanceof RpcError && error.code === -32600);
    assert.equal(await remote.methods.add(1, 1), 2);
  });

  test("each call's timeout goes with it as the timeout member, and is enforced here too (rpc.cancel tells the server)", async () => {
    const remote = createClient<Fixture>(open(), { timeout: 5_000 });
    assert.equal(await remote.methods.slow(1), 1);
    const sent = server.requests("slow")[0]?.["timeout"] as number;
    assert.ok(sent > 4_000 && sent <= 5_000, `timeout member ${sent}`);
    const started = Date.now();
    await assert.rejects(remote.with({ timeout: 100 }).methods.slow(2_000), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
    assert.ok(Date.now() - started < 1_000);
    const id = server.requests("slow")[1]?.["id"];
    await until(() => server.cancelled.includes(id), "rpc.cancel for the timed-out call");
    await assert.rejects(remote.with({ deadline: Date.now() - 1 }).methods.slow(1), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
  });

  test("aborting a call rejects it as the HTTP client does and sends rpc.cancel for its id", async () => {
    const remote = createClient<Fixture>(open());
    await remote.methods.add(0, 0); // open
    const controller = new AbortController();
    const call = remote.with({ signal: controller.signal }).methods.slow(5_000);
    await until(() => server.requests("slow").length === 1, "the call arrived");
    controller.abort(new Error("the user left"));
    await assert.rejects(call, (error: unknown) => error instanceof TransportError && error.kind === "aborted" && (error.cause as Error).message === "the user left");
    const id = server.requests("slow")[0]?.["id"];
    await until(() => server.cancelled.includes(id), "rpc.cancel with the call's id");
    // Its answer, which still comes, is ignored; the socket goes on.
    assert.equal(await remote.methods.add(2, 2), 4);
  });

  test("an answer whose id matches nothing is ignored", async () => {
    const remote = createClient<Fixture>(open());
    await remote.methods.add(0, 0);
    for (const socket of server.sockets) socket.send(JSON.stringify({ jsonrpc: "2.0", result: "stray", id: 999 }));
    assert.equal(await remote.methods.add(1, 1), 2);
  });
});

describe("streams over the socket", { timeout: 20_000 }, () => {
  test("items from rpc.stream notifications, ended by the call's response; typed as with sseStreams", async () => {
    const socket = open();
    const remote = await connect<Fixture>(socket, { streams: socket.streams });
    const items: { i: number }[] = [];
    for await (const tick of remote.methods.ticks(3)) items.push(tick);
    assert.deepEqual(items, [{ i: 1 }, { i: 2 }, { i: 3 }]);
    const stream = remote.stream("ticks", [2]);
    assert.deepEqual(await stream.next(), { done: false, value: { i: 1 } });
    assert.deepEqual(await stream.next(), { done: false, value: { i: 2 } });
    assert.deepEqual(await stream.next(), { done: true, value: "ticked 2" });
    // Awaited rather than iterated, it is a plain call.
    assert.equal(await remote.call("add", [1, 2]), 3);
  });

  test("an error response throws from the iterator after the items", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket, { streams: socket.streams });
    const items: unknown[] = [];
    await assert.rejects(async () => {
      for await (const tick of remote.stream("ticks", [2, "fail"])) items.push(tick);
    }, (error: unknown) => error instanceof RpcError && error.code === 4002);
    assert.equal(items.length, 2);
  });

  test("breaking out of the loop sends rpc.cancel for the stream", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket, { streams: socket.streams });
    for await (const tick of remote.stream("ticks", [1_000], { resume: false })) if (tick.i === 2) break;
    const id = server.requests("ticks")[0]?.["id"];
    await until(() => server.cancelled.includes(id), "rpc.cancel with the stream's id");
  });

  test("a resumable stream goes on after a drop with lastEventId: nothing lost, nothing repeated", async () => {
    const socket = open();
    const remote = await connect<Fixture>(socket, { streams: socket.streams });
    server.dropFeedAfter = 4;
    const items: string[] = [];
    const result = await (async () => {
      const stream = remote.methods.feed();
      for (;;) {
        const step = await stream.next();
        if (step.done === true) return step.value;
        items.push(step.value);
      }
    })();
    assert.deepEqual(items, Array.from({ length: 10 }, (_, i) => `item ${i + 1}`));
    assert.equal(result, "fed");
    const feeds = server.requests("feed");
    assert.equal(feeds.length, 2);
    assert.equal(feeds[0]?.["lastEventId"], undefined);
    assert.equal(feeds[1]?.["lastEventId"], "4");
    assert.equal(server.upgrades.length, 2);
  });

  test("a resumable stream answered -32004 (a service stopping, too many streams) is asked again after its last event", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket, { streams: socket.streams });
    server.refuseFeedAfter = 3;
    const items: string[] = [];
    for await (const item of remote.stream("feed", [], { resume: true })) items.push(item);
    assert.deepEqual(items, Array.from({ length: 10 }, (_, i) => `item ${i + 1}`));
    assert.deepEqual(server.requests("feed").map((request) => request["lastEventId"]), [undefined, "3"]);
    assert.equal(server.upgrades.length, 1, "on the same connection");
    // Not resumable, the same answer is thrown.
    server.refuseFeedAfter = 2;
    await assert.rejects(async () => {
      for await (const item of remote.stream("feed", [], { resume: false })) items.push(item);
    }, (error: unknown) => error instanceof RpcError && error.code === -32004);
  });

  test("a dropped socket ends a stream that is not resumable with a network TransportError", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket, { streams: socket.streams });
    const items: unknown[] = [];
    await assert.rejects(async () => {
      for await (const tick of remote.stream("ticks", [1_000])) {
        items.push(tick);
        if (items.length === 2) server.drop();
      }
    }, (error: unknown) => error instanceof TransportError && error.kind === "network" && /dropped/.test(error.message));
  });

  test("socket.streams given to a client of another upstream is refused", () => {
    const socket = open();
    assert.throws(() => createClient("http://127.0.0.1:9/api", { streams: socket.streams }), TypeError);
  });
});

describe("reconnect", { timeout: 20_000 }, () => {
  test("a server restarted on the same port: the socket reopens; a call sent while reconnecting waits for it", async () => {
    const socket = open();
    const states: WebSocketState[] = [];
    socket.onState((state) => states.push(state));
    const remote = createClient<Fixture>(socket);
    assert.equal(await remote.methods.add(1, 1), 2);
    await server.stop();
    await until(() => socket.state === "reconnecting", "reconnecting");
    const waiting = remote.methods.add(2, 2);
    await delay(150); // a few failed attempts
    await server.start();
    assert.equal(await waiting, 4);
    assert.deepEqual(states.slice(0, 3), ["connecting", "open", "reconnecting"]);
    assert.equal(states.at(-1), "open");
  });

  test("in flight at a drop: a call fails saying the connection dropped; an idempotent one is sent again", async () => {
    const socket = open();
    const remote = await connect<Fixture>(socket); // learns count is idempotent
    const plain = remote.methods.slow(300);
    const learned = remote.methods.count(300);
    const told = remote.with({ idempotent: true }).methods.slow(300);
    await until(() => server.requests("slow").length === 2 && server.requests("count").length === 1, "the calls arrived");
    server.drop();
    await assert.rejects(plain, (error: unknown) => error instanceof TransportError && error.kind === "network" && /the connection dropped/.test(error.message));
    assert.equal(await learned, 2); // ran twice: once on each connection
    assert.equal(typeof (await told), "number");
    assert.equal(server.requests("count").length, 2);
    assert.equal(server.requests("slow").length, 3);
  });

  test("a close frame from the server (1001, the service stopping) is a drop too", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket);
    await remote.methods.add(0, 0);
    server.drop(1001);
    await until(() => socket.state === "reconnecting" || server.upgrades.length === 2, "reconnecting");
    assert.equal(await remote.methods.add(3, 3), 6);
    assert.equal(server.upgrades.length, 2);
  });

  test("a notification sent while reconnecting waits and goes once the socket is back; one past its timeout fails", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket);
    await remote.methods.add(0, 0);
    await server.stop();
    await until(() => socket.state === "reconnecting", "reconnecting");
    await assert.rejects(remote.with({ timeout: 50 }).notifications.log("late"), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
    const waiting = remote.notifications.log("kept");
    await delay(100);
    await server.start();
    await waiting;
    await until(() => server.requests("log").length === 1, "the notification arrived");
    assert.deepEqual(server.requests("log")[0]?.["params"], ["kept"]);
  });

  test("attempts run out: what waits fails, and the next use opens again", async () => {
    const socket = open({ reconnect: { attempts: 2, delay: 10, maxDelay: 20 } });
    const remote = createClient<Fixture>(socket);
    await remote.methods.add(0, 0);
    await server.stop();
    await until(() => socket.state === "reconnecting", "reconnecting");
    const waiting = remote.methods.add(1, 1);
    await assert.rejects(waiting, (error: unknown) => error instanceof TransportError && error.kind === "network" && /2 attempts/.test(error.message));
    assert.equal(socket.state, "idle");
    await server.start();
    assert.equal(await remote.methods.add(1, 1), 2);
  });

  test("reconnect: false: a drop fails what is in flight, and the next call opens again", async () => {
    const socket = open({ reconnect: false });
    const remote = createClient<Fixture>(socket);
    const call = remote.methods.count(300);
    await until(() => server.requests("count").length === 1, "the call arrived");
    server.drop();
    await assert.rejects(call, (error: unknown) => error instanceof TransportError && /dropped/.test(error.message));
    await until(() => socket.state === "idle", "idle");
    assert.equal(await remote.methods.add(1, 1), 2);
  });

  test("the first open failing fails the call at once with a network error (connect's wait can retry it)", async () => {
    await server.stop();
    const socket = open();
    await assert.rejects(createClient<Fixture>(socket).methods.add(1, 1), (error: unknown) => error instanceof TransportError && error.kind === "network");
    const started = connect<Fixture>(socket, { wait: 5_000 });
    await delay(100);
    await server.start();
    assert.equal((await started).name, "fixture");
  });
});

describe("what the server sends unasked", { timeout: 20_000 }, () => {
  test("notifications reach every handler of their method until it is taken off", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket);
    const seen: unknown[] = [];
    const off = socket.on("greeted", (params) => {
      seen.push(["one", params]);
    });
    socket.on("greeted", (params) => {
      seen.push(["two", params]);
    });
    socket.on("greeted", () => {
      throw new Error("a handler that throws stops no other");
    });
    assert.equal(await remote.methods.hello("ann"), "hello ann");
    await until(() => seen.length === 2, "both handlers");
    assert.deepEqual(seen, [["one", ["ann"]], ["two", ["ann"]]]);
    off();
    server.broadcast("greeted", ["bob"]);
    await until(() => seen.length === 3, "the other handler");
    assert.deepEqual(seen[2], ["two", ["bob"]]);
  });

  test("the server's calls are answered by handle(): a result, an RpcError, -32603 without details, -32601 for unknown", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket);
    socket.handle("confirm", async (params) => {
      await delay(1);
      return (params as string[])[0] === "yes";
    });
    socket.handle("refuse", () => {
      throw new RpcError(4100, "Not now", { retry: 5 });
    });
    socket.handle("crash", () => {
      throw new Error("secret path /home/me");
    });
    socket.handle("bigint", () => 1n);
    assert.deepEqual(await remote.methods.ask("confirm", ["yes"]), { result: true });
    assert.deepEqual(await remote.methods.ask("refuse", []), { error: { code: 4100, message: "Not now", data: { retry: 5 } } });
    assert.deepEqual(await remote.methods.ask("crash", []), { error: { code: -32603, message: "Internal error" } });
    assert.deepEqual(await remote.methods.ask("bigint", []), { error: { code: -32603, message: "Internal error" } });
    const missing = await remote.methods.ask("missing", []);
    assert.equal(missing.error?.code, -32601);
    assert.equal(server.answers.length, 5);
  });
});

describe("credentials and the socket's life", { timeout: 20_000 }, () => {
  test("the token goes as a header at the upgrade; a token function is asked at each (re)connect", async () => {
    let asked = 0;
    const socket = open({ token: () => `token-${++asked}`, headers: { "x-client": "test" } });
    const remote = createClient<Fixture>(socket);
    await remote.methods.add(0, 0);
    server.drop();
    await until(() => server.upgrades.length === 2, "reconnected");
    assert.deepEqual(server.upgrades.map((headers) => [headers["x-api-token"], headers["x-client"]]), [["token-1", "test"], ["token-2", "test"]]);
    const other = open({ token: "secret", tokenHeader: "Authorization" });
    await other.open();
    assert.equal(server.upgrades[2]?.["authorization"], "secret");
  });

  test("a refused upgrade fails the call with a network error that says why, without the token", async () => {
    server.refuse = 401;
    const socket = open({ token: "do-not-leak" });
    await assert.rejects(createClient<Fixture>(socket).methods.add(1, 1), (error: unknown) =>
      error instanceof TransportError && error.kind === "network" && /401/.test(error.message) && !error.message.includes("do-not-leak"));
  });

  test("close() closes with 1000 and for good: calls waiting and later calls reject, no reconnect", async () => {
    const socket = open();
    const remote = createClient<Fixture>(socket);
    await remote.methods.add(0, 0);
    const [peer] = server.sockets;
    const code = new Promise<number>((resolve) => peer?.on("close", resolve));
    const pending = remote.methods.slow(5_000).then(() => assert.fail("answered"), (error: unknown) => error);
    await until(() => server.requests("slow").length === 1, "the call arrived");
    await remote.close();
    assert.equal(await code, 1000);
    await assert.rejects(pending.then((error) => Promise.reject(error as Error)), (error: unknown) => error instanceof TransportError && /closed/.test(error.message));
    await assert.rejects(remote.methods.add(1, 1), (error: unknown) => error instanceof TransportError && /closed/.test(error.message));
    assert.equal(socket.state, "closed");
    await delay(100);
    assert.equal(server.upgrades.length, 1);
  });

  test("a handshake that never ends fails after openTimeout; a URL the constructor refuses fails as a network error", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const socket = openWebSocket(`ws://127.0.0.1:${port}/api`, { WebSocket, openTimeout: 100 });
      sockets.push(socket);
      await assert.rejects(socket.open(), (error: unknown) => error instanceof TransportError && error.kind === "timeout" && /100 ms/.test(error.message));
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    const bad = openWebSocket("http://not a url", { WebSocket });
    await assert.rejects(bad.open(), (error: unknown) => error instanceof TransportError && error.kind === "network" && /cannot open a WebSocket/.test(error.message));
  });

  test("without a WebSocket constructor (Node.js 20 has none) the error says what to pass", async () => {
    if ((globalThis as { WebSocket?: unknown }).WebSocket !== undefined) return;
    const socket = openWebSocket(server.url);
    await assert.rejects(socket.open(), (error: unknown) => error instanceof TypeError && /ws package/.test(error.message));
    await socket.close();
  });
});
