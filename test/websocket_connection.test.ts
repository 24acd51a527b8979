// The JSON-RPC side of a WebSocket connection, on a real Node.js server on loopback driven by the
// `ws` package's client: the service's own calls to the caller (answers, errors, timeouts, a
// close), notifications with and without params, rpc.cancel's edge cases, the calls-in-flight
// count (batches, streams), the timeout and lastEventId members' bounds, a stream's odd items and
// its lifetime, what `received` observers are told, closing from a handler, a stop that gives up
// on a call after closeTimeout, and the upgrade's admission (origins, connections, path, token).
import assert from "node:assert/strict";
import { type IncomingMessage, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { type CallContext, type CallerConnection, RpcError, serve, type ServerHandle, Service } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { webSocket } from "../src/websocket/plugin.ts";

type Message = Record<string, unknown>;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What handlers saw, read by the tests over HTTP or directly (same process). */
const seen = { finallyRan: 0, signals: new Map<string, boolean>(), outcome: undefined as unknown, bodies: [] as { bytes: number; batch: number | undefined }[] };
let kept: CallerConnection | undefined;

const outcomeOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then((result) => ({ result }), (error: unknown) => (error instanceof RpcError ? { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) } : { thrown: String(error) }));

const service = new Service({ name: "connection", apiTokenIsValid: (token) => token === "the-token", onError: false })
  .use({ name: "recorder", received: (body) => void seen.bodies.push(body) })
  .use(streams())
  .use(webSocket({ maxInFlight: 3, streamLifetime: 400 }))
  .publicMethod("ask", async (method: string, params: unknown, timeout: number | null, ctx: CallContext) => {
    const call = ctx.connection?.call(method, (params ?? undefined) as never, timeout === null ? {} : { timeout });
    seen.outcome = await outcomeOf(call ?? Promise.resolve("no connection"));
    return seen.outcome;
  }, { context: true })
  .publicMethod("tell", (withParams: boolean, ctx: CallContext) => (withParams ? ctx.notify?.("told", [1, 2]) : ctx.notify?.("told")), { context: true })
  .publicMethod("in_flight", (ctx: CallContext) => (ctx.connection as { inFlight?: number } | undefined)?.inFlight, { context: true })
  .publicMethod("close_me", (code: number | null, ctx: CallContext) => {
    if (code === null) ctx.connection?.close();
    else ctx.connection?.close(code, "bye now");
    return "closing";
  }, { context: true })
  .publicMethod("keep", (ctx: CallContext) => {
    kept = ctx.connection;
    return kept?.id;
  }, { context: true })
  .publicMethod("signal_later", async (key: string, ms: number, ctx: CallContext) => {
    await delay(ms);
    seen.signals.set(key, ctx.signal?.aborted === true);
    return ctx.signal?.aborted === true;
  }, { context: true })
  .publicMethod("wait", (key: string, ms: number, ctx: CallContext) => new Promise((resolve) => {
    const timer = setTimeout(() => {
      seen.signals.set(key, false);
      resolve("waited");
    }, ms);
    ctx.signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      seen.signals.set(key, true);
      resolve("aborted");
    });
  }), { context: true })
  .publicMethod("deadline_in", (ctx: CallContext) => (ctx.deadline === undefined ? null : ctx.deadline - Date.now()), { context: true })
  .privateMethod("secret", () => "only with the token")
  .publicMethod("protocol_header", (ctx: CallContext) => ctx.headers.get("sec-websocket-protocol"), { context: true })
  .publicMethod("odd", async function* (kind: string) {
    try {
      if (kind === "undefined") yield undefined;
      if (kind === "bigint") yield 1n;
      if (kind === "bigint_end") return 1n as unknown as string;
      if (kind === "forever") {
        for (;;) {
          await delay(20);
          yield "tick";
        }
      }
      return undefined;
    } finally {
      seen.finallyRan++;
    }
  })
  .publicMethod("two", async function* (ctx: CallContext) {
    const from = Number(ctx.lastEventId ?? 0);
    yield await Promise.resolve(from + 1);
    yield from + 2;
  }, { context: true, resumable: true })
  .publicMethod("two_plain", async function* () {
    yield await Promise.resolve(1);
    yield 2;
  });

/** A `ws` client keeping what it receives. */
class Peer {
  readonly socket: WebSocket;
  readonly received: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data: Buffer) => this.received.push(JSON.parse(data.toString()) as Message));
    this.closed = new Promise((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first message received (or to come within 3 s) that `match` accepts, taken out. */
  async take(match: (message: Message) => boolean, what = "a message"): Promise<Message> {
    const end = Date.now() + 3_000;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(index, 1)[0] as Message;
      if (Date.now() > end) assert.fail(`no ${what} within 3 s; got ${JSON.stringify(this.received)}`);
      await delay(5);
    }
  }

  answer(id: unknown): Promise<Message> {
    return this.take((message) => message["id"] === id && !("method" in message), `the answer to ${String(id)}`);
  }

  async call(method: string, params: unknown, id: unknown): Promise<Message> {
    this.send({ jsonrpc: "2.0", method, params, id });
    return await this.answer(id);
  }

  /** The stream's events and items, then its answer. */
  async stream(id: unknown): Promise<{ events: unknown[]; items: unknown[]; answer: Message }> {
    const answer = await this.answer(id);
    const mine = this.received.filter((message) => message["method"] === "rpc.stream" && (message["params"] as Message)["id"] === id);
    this.received.splice(0, this.received.length, ...this.received.filter((message) => !mine.includes(message)));
    return { events: mine.map((message) => (message["params"] as Message)["event"]), items: mine.map((message) => (message["params"] as Message)["item"]), answer };
  }
}

/** Opens a connection, or rejects with the refused upgrade's status and body. */
function open(url: string, options: { protocols?: string[]; headers?: Record<string, string>; origin?: string } = {}): Promise<Peer> {
  const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, ...(options.origin === undefined ? {} : { origin: options.origin }) });
  const peer = new Peer(socket);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(peer));
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => reject(new Error(`${response.statusCode} ${body}`)));
    });
    socket.once("error", reject);
  });
}

describe("a WebSocket connection's JSON-RPC", { timeout: 30_000 }, () => {
  let server: ServerHandle;
  let url: string;
  const peers: Peer[] = [];
  const connect = async (options?: Parameters<typeof open>[1]): Promise<Peer> => {
    const peer = await open(url, options);
    peers.push(peer);
    return peer;
  };
  before(async () => {
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    url = `${server.url.replace(/^http/, "ws")}/api`;
  });
  after(async () => {
    for (const peer of peers) peer.socket.terminate();
    await server.close();
  });

  test("the service calls the caller: ids s1, s2… of the connection; params only when given; the answer is the result", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", null, null], id: 1 });
    const first = await peer.take((message) => message["method"] === "confirm", "the service's call");
    assert.deepEqual(first, { jsonrpc: "2.0", method: "confirm", id: "s1" });
    // Answers that match nothing are ignored: a number id, an unknown one.
    peer.send({ jsonrpc: "2.0", result: "wrong", id: 1 });
    peer.send({ jsonrpc: "2.0", result: "wrong", id: "s99" });
    peer.send({ jsonrpc: "2.0", result: "yes", id: "s1" });
    assert.deepEqual(await peer.answer(1), { jsonrpc: "2.0", result: { result: "yes" }, id: 1 });
    peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", ["sure?"], null], id: 2 });
    const second = await peer.take((message) => message["method"] === "confirm", "the second call");
    assert.deepEqual(second, { jsonrpc: "2.0", method: "confirm", params: ["sure?"], id: "s2" });
    // A second answer to the same id is ignored too: the first one settled it.
    peer.send({ jsonrpc: "2.0", result: "no", id: "s2" });
    peer.send({ jsonrpc: "2.0", result: "again", id: "s2" });
    assert.deepEqual(await peer.answer(2), { jsonrpc: "2.0", result: { result: "no" }, id: 2 });
    await delay(20);
    assert.deepEqual(peer.received, []);
  });

  test("an error answered to the service's call is its RpcError; a malformed one is -32603 Internal error", async () => {
    const peer = await connect();
    const errorFor = async (id: number, error: unknown): Promise<unknown> => {
      peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", [], null], id });
      const asked = await peer.take((message) => message["method"] === "confirm", "the service's call");
      peer.send({ jsonrpc: "2.0", error, id: asked["id"] });
      return (await peer.answer(id))["result"];
    };
    assert.deepEqual(await errorFor(1, { code: 4100, message: "No, thanks", data: { why: "busy" } }), { code: 4100, message: "No, thanks", data: { why: "busy" } });
    assert.deepEqual(await errorFor(2, { code: "4100", message: 12 }), { code: -32603, message: "Internal error" });
    assert.deepEqual(await errorFor(3, {}), { code: -32603, message: "Internal error" });
  });

  test("the service's call times out with -32002 naming the method and the ms; a late answer is ignored", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", [], 100], id: 1 });
    const asked = await peer.take((message) => message["method"] === "confirm", "the service's call");
    assert.deepEqual(await peer.answer(1), { jsonrpc: "2.0", result: { code: -32002, message: "Timeout: the caller did not answer confirm within 100 ms" }, id: 1 });
    peer.send({ jsonrpc: "2.0", result: "late", id: asked["id"] });
    // Without a timeout of its own the call waits (the default is 30 s): answered after 150 ms.
    peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", [], null], id: 2 });
    const waiting = await peer.take((message) => message["method"] === "confirm", "the second call");
    await delay(150);
    peer.send({ jsonrpc: "2.0", result: "in time", id: waiting["id"] });
    assert.deepEqual((await peer.answer(2))["result"], { result: "in time" });
  });

  test("the connection closing fails the service's call waiting (-32004); a kept connection then refuses calls and notifications", async () => {
    const peer = await connect();
    assert.match(String((await peer.call("keep", [], 1))["result"]), /^ws-\d+$/);
    peer.send({ jsonrpc: "2.0", method: "ask", params: ["confirm", [], 5_000], id: 2 });
    await peer.take((message) => message["method"] === "confirm", "the service's call");
    seen.outcome = undefined;
    peer.socket.close();
    await peer.closed;
    for (let tries = 0; seen.outcome === undefined && tries < 100; tries++) await delay(10);
    assert.deepEqual(seen.outcome, { code: -32004, message: "Unavailable: the connection closed before the caller answered" });
    const connection = kept as CallerConnection;
    assert.equal(connection.open, false);
    assert.equal(connection.notify("late"), false);
    assert.deepEqual(await outcomeOf(connection.call("confirm")), { code: -32004, message: "Unavailable: the connection is closed" });
  });

  test("ctx.notify sends params only when given", async () => {
    const peer = await connect();
    assert.equal((await peer.call("tell", [false], 1))["result"], true);
    assert.deepEqual(await peer.take((message) => message["method"] === "told"), { jsonrpc: "2.0", method: "told" });
    assert.equal((await peer.call("tell", [true], 2))["result"], true);
    assert.deepEqual(await peer.take((message) => message["method"] === "told"), { jsonrpc: "2.0", method: "told", params: [1, 2] });
  });

  test("rpc.cancel: unknown ids and ids that cannot be ids are ignored, unanswered; a string id cancels; with an id of its own it is a call", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "wait", params: ["by string", 5_000], id: "w" });
    for (const params of [{ id: "nobody" }, { id: 7 }, { id: { nested: 1 } }, null, ["w"]]) peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params });
    assert.equal((await peer.call("in_flight", [], 1))["result"], 2);
    peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: "w" } });
    assert.deepEqual(await peer.answer("w"), { jsonrpc: "2.0", result: "aborted", id: "w" });
    const asCall = await peer.call("rpc.cancel", { id: "w" }, 2);
    assert.equal((asCall["error"] as Message)["code"], -32601);
    await delay(20);
    assert.deepEqual(peer.received, []);
  });

  test("a signal first read after a cancel or a close is already aborted", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "signal_later", params: ["cancelled first", 100], id: 1 });
    peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: 1 } });
    assert.deepEqual(await peer.answer(1), { jsonrpc: "2.0", result: true, id: 1 });
    peer.send({ jsonrpc: "2.0", method: "signal_later", params: ["uncancelled", 10], id: 2 });
    assert.deepEqual(await peer.answer(2), { jsonrpc: "2.0", result: false, id: 2 });
    peer.send({ jsonrpc: "2.0", method: "signal_later", params: ["closed first", 100], id: 3 });
    await delay(20);
    peer.socket.close();
    for (let tries = 0; !seen.signals.has("closed first") && tries < 100; tries++) await delay(10);
    assert.equal(seen.signals.get("closed first"), true);
  });

  test("calls in flight: a batch counts each call, up to the limit and not past it; a stream counts one until it ends", async () => {
    const peer = await connect();
    const call = (id: number) => ({ jsonrpc: "2.0", method: "in_flight", id });
    peer.send([call(1), call(2), call(3)]);
    assert.deepEqual(await peer.take(Array.isArray as (message: Message) => boolean), [
      { jsonrpc: "2.0", result: 3, id: 1 },
      { jsonrpc: "2.0", result: 3, id: 2 },
      { jsonrpc: "2.0", result: 3, id: 3 },
    ] as unknown as Message);
    const refusal = { code: -32004, message: "Unavailable: too many calls in flight on this connection (at most 3); wait for answers" };
    peer.send([call(4), call(5), { jsonrpc: "2.0", method: "in_flight" }, call(6), call(7)]);
    assert.deepEqual(await peer.take(Array.isArray as (message: Message) => boolean), [4, 5, 6, 7].map((id) => ({ jsonrpc: "2.0", error: refusal, id })) as unknown as Message);
    // Notifications over the limit are dropped unanswered, alone or in a batch.
    peer.send([{ jsonrpc: "2.0", method: "in_flight" }, { jsonrpc: "2.0", method: "in_flight" }, { jsonrpc: "2.0", method: "in_flight" }, { jsonrpc: "2.0", method: "in_flight" }]);
    // A stream running counts as one; once it ended, none.
    peer.send({ jsonrpc: "2.0", method: "odd", params: ["forever"], id: "f" });
    await peer.take((message) => message["method"] === "rpc.stream", "a first item");
    assert.equal((await peer.call("in_flight", [], 8))["result"], 2);
    peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: "f" } });
    assert.deepEqual(await peer.answer("f"), { jsonrpc: "2.0", result: null, id: "f" });
    assert.equal((await peer.call("in_flight", [], 9))["result"], 1);
    peer.send({ jsonrpc: "2.0", method: "two_plain", id: "t" });
    await peer.stream("t");
    assert.equal((await peer.call("in_flight", [], 10))["result"], 1);
    await delay(20);
    assert.deepEqual(peer.received.filter((message) => message["method"] !== "rpc.stream"), []);
  });

  test("the timeout member: 0 and up to below 1e12 ms set the deadline; a negative one, 1e12 or a string do not", async () => {
    const peer = await connect();
    const leftWith = async (id: number, timeout: unknown): Promise<unknown> => {
      peer.send({ jsonrpc: "2.0", method: "deadline_in", id, timeout });
      const answer = await peer.answer(id);
      return "error" in answer ? (answer["error"] as Message)["code"] : answer["result"];
    };
    assert.equal(await leftWith(1, -1), null);
    assert.equal(await leftWith(2, 1e12), null);
    assert.equal(await leftWith(3, "1000"), null);
    assert.equal(await leftWith(4, 0), -32002);
    const left = (await leftWith(5, 1e12 - 1)) as number;
    assert.ok(left > 1e12 - 10_000, String(left));
  });

  test("lastEventId: a resumable stream's events go on after a decimal of up to 15 digits; anything else starts at 1", async () => {
    const peer = await connect();
    const eventsWith = async (method: string, lastEventId: unknown): Promise<unknown[]> => {
      peer.send({ jsonrpc: "2.0", method, id: "e", lastEventId });
      return (await peer.stream("e")).events;
    };
    assert.deepEqual(await eventsWith("two", "5"), [6, 7]);
    assert.deepEqual(await eventsWith("two", "123456789012345"), [123456789012346, 123456789012347]);
    assert.deepEqual(await eventsWith("two", "1234567890123456"), [1, 2]);
    assert.deepEqual(await eventsWith("two", "five"), [1, 2]);
    assert.deepEqual(await eventsWith("two", 5), [1, 2]);
    assert.deepEqual(await eventsWith("two_plain", "5"), [1, 2]);
  });

  test("a stream's undefined item and end are null; an item or an end JSON cannot carry is -32603, and the generator's finally runs", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "odd", params: ["undefined"], id: 1 });
    assert.deepEqual(await peer.stream(1), { events: [1], items: [null], answer: { jsonrpc: "2.0", result: null, id: 1 } });
    const before = seen.finallyRan;
    peer.send({ jsonrpc: "2.0", method: "odd", params: ["bigint"], id: 2 });
    assert.deepEqual(await peer.stream(2), { events: [], items: [], answer: { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 2 } });
    peer.send({ jsonrpc: "2.0", method: "odd", params: ["bigint_end"], id: 3 });
    assert.deepEqual((await peer.answer(3))["error"], { code: -32603, message: "Internal error" });
    for (let tries = 0; seen.finallyRan < before + 2 && tries < 100; tries++) await delay(10);
    assert.equal(seen.finallyRan, before + 2);
  });

  test("a stream lasts streamLifetime at most: it ends with -32002 saying so, and its generator's finally runs", async () => {
    const peer = await connect();
    const before = seen.finallyRan;
    const started = Date.now();
    peer.send({ jsonrpc: "2.0", method: "odd", params: ["forever"], id: 1 });
    const { items, answer } = await peer.stream(1);
    assert.ok(Date.now() - started >= 350, `ended after ${Date.now() - started} ms`);
    assert.ok(items.length >= 3, `${items.length} items`);
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: -32002, message: "Timeout: the stream lasted its limit of 400 ms" }, id: 1 });
    for (let tries = 0; seen.finallyRan === before && tries < 100; tries++) await delay(10);
    assert.equal(seen.finallyRan, before + 1);
  });

  test("received observers are told each message's size and a batch's length, a bad message's too", async () => {
    const peer = await connect();
    seen.bodies.length = 0;
    const single = '{"jsonrpc":"2.0","method":"in_flight","id":1}';
    const batch = '[{"jsonrpc":"2.0","method":"in_flight","id":2},{"jsonrpc":"2.0","method":"in_flight"}]';
    peer.send(single);
    await peer.answer(1);
    peer.send(batch);
    await peer.take(Array.isArray as (message: Message) => boolean);
    peer.send("{bad");
    assert.deepEqual(await peer.answer(null), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: the message is not valid JSON" }, id: null });
    assert.deepEqual(seen.bodies, [{ bytes: single.length, batch: undefined }, { bytes: batch.length, batch: 2 }, { bytes: 4, batch: undefined }]);
  });

  test("a handler closes its connection: with its code and reason, or 1000", async () => {
    const first = await connect();
    first.send({ jsonrpc: "2.0", method: "close_me", params: [4000], id: 1 });
    assert.deepEqual(await first.closed, { code: 4000, reason: "bye now" });
    const second = await connect();
    second.send({ jsonrpc: "2.0", method: "close_me", params: [null], id: 1 });
    assert.deepEqual(await second.closed, { code: 1000, reason: "" });
    assert.deepEqual([...first.received, ...second.received], []);
  });

  test("the token: the Authorization header wins over a bearer subprotocol, which the calls do not see", async () => {
    const both = await connect({ protocols: ["jsonrpc", "bearer.wrong"], headers: { authorization: "Bearer the-token" } });
    assert.deepEqual((await both.call("secret", [], 1))["result"], "only with the token");
    assert.equal((await both.call("protocol_header", [], 2))["result"], null);
    const bearer = await connect({ protocols: ["bearer.the-token", "jsonrpc"] });
    assert.equal(bearer.socket.protocol, "jsonrpc");
    assert.deepEqual((await bearer.call("secret", [], 1))["result"], "only with the token");
    const plain = await connect({ protocols: ["jsonrpc"] });
    assert.equal((await plain.call("protocol_header", [], 1))["result"], "jsonrpc");
    assert.equal(((await plain.call("secret", [], 2))["error"] as Message)["code"], -32001);
    // Offered as a browser lists them, with a space after each comma.
    const upgrade = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest(url.replace(/^ws/, "http"), { headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-protocol": "other, jsonrpc" } });
      request.on("upgrade", (response: IncomingMessage, socket: Socket) => {
        socket.destroy();
        resolve(response);
      });
      request.on("error", reject);
      request.end();
    });
    assert.equal(upgrade.headers["sec-websocket-protocol"], "jsonrpc");
  });

  test("an upgrade on another path is answered 404", async () => {
    await assert.rejects(open(url.replace(/\/api$/, "/other")), /^Error: 404 Not Found$/);
  });
});

describe("a WebSocket service's admission and stop", { timeout: 30_000 }, () => {
  test("origins: a listed one and none are let in, another is 403; maxConnections: one more is 503 until one closes", async () => {
    const admitting = new Service({ name: "admission" })
      .use(webSocket({ maxConnections: 2, origins: ["https://app.example"] }))
      .publicMethod("ping", () => "pong");
    const server = await serve(admitting, { hostname: "127.0.0.1", port: 0 });
    const url = `${server.url.replace(/^http/, "ws")}/api`;
    try {
      await assert.rejects(open(url, { origin: "https://evil.example" }), /^Error: 403 Forbidden: this origin may not connect$/);
      const listed = await open(url, { origin: "https://app.example" });
      const none = await open(url);
      await assert.rejects(open(url), /^Error: 503 Service Unavailable: too many WebSocket connections \(at most 2\)$/);
      none.socket.close();
      await none.closed;
      let again: Peer | undefined;
      for (let tries = 0; again === undefined && tries < 50; tries++) again = await open(url).catch(async () => {
        await delay(10);
        return undefined;
      });
      assert.ok(again !== undefined, "a connection once one closed");
      assert.deepEqual(await again.call("ping", [], 1), { jsonrpc: "2.0", result: "pong", id: 1 });
      listed.socket.terminate();
      again.socket.terminate();
    } finally {
      await server.close();
    }
  });

  test("each limit must be a positive number, and its error names it", () => {
    for (const name of ["maxConnections", "maxInFlight", "idleTimeout", "maxBufferedBytes", "closeTimeout", "streamLifetime", "maxMessageBytes"]) {
      assert.throws(() => webSocket({ [name]: 0 }), { name: "TypeError", message: `${name} must be a positive number, got 0` });
    }
  });

  test("the defaults: 64 calls in flight on a connection, 1,000 connections", async () => {
    const plain = new Service({ name: "defaults" }).use(webSocket()).publicMethod("ping", () => "pong");
    const server = await serve(plain, { hostname: "127.0.0.1", port: 0 });
    const url = `${server.url.replace(/^http/, "ws")}/api`;
    const peers: Peer[] = [];
    try {
      const peer = await open(url);
      peers.push(peer);
      const batch = (size: number): Message[] => Array.from({ length: size }, (_, id) => ({ jsonrpc: "2.0", method: "ping", id }));
      peer.send(batch(64));
      assert.ok((await peer.take(Array.isArray as (message: Message) => boolean) as unknown as Message[]).every((answer) => answer["result"] === "pong"));
      peer.send(batch(65));
      const refused = await peer.take(Array.isArray as (message: Message) => boolean) as unknown as Message[];
      assert.deepEqual(refused[0]?.["error"], { code: -32004, message: "Unavailable: too many calls in flight on this connection (at most 64); wait for answers" });
      for (let round = 0; round < 9; round++) peers.push(...await Promise.all(Array.from({ length: 111 }, () => open(url))));
      assert.equal(peers.length, 1_000);
      await assert.rejects(open(url), /^Error: 503 Service Unavailable: too many WebSocket connections \(at most 1000\)$/);
    } finally {
      for (const peer of peers) peer.socket.terminate();
      await server.close();
    }
  });

  test("a stop refuses new calls (a batch's in one array, notifications unanswered) and gives up on a call after closeTimeout: 1001, its signal aborted", async () => {
    const stopping = new Service({ name: "stopping", onError: false })
      .use(webSocket({ closeTimeout: 300 }))
      .publicMethod("ping", () => "pong")
      .publicMethod("wait", (key: string, ms: number, ctx: CallContext) => new Promise((resolve) => {
        const timer = setTimeout(() => resolve("waited"), ms);
        ctx.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          seen.signals.set(key, true);
          resolve("aborted");
        });
      }), { context: true });
    const server = await serve(stopping, { hostname: "127.0.0.1", port: 0 });
    const peer = await open(`${server.url.replace(/^http/, "ws")}/api`);
    peer.send({ jsonrpc: "2.0", method: "wait", params: ["given up", 10_000], id: 1 });
    assert.deepEqual(await peer.call("ping", [], 2), { jsonrpc: "2.0", result: "pong", id: 2 });
    const started = Date.now();
    const closing = server.close();
    await delay(50);
    const unavailable = { code: -32004, message: "Unavailable: the service is stopping" };
    peer.send([{ jsonrpc: "2.0", method: "ping", id: 3 }, { jsonrpc: "2.0", method: "ping" }]);
    assert.deepEqual(await peer.take(Array.isArray as (message: Message) => boolean), [{ jsonrpc: "2.0", error: unavailable, id: 3 }] as unknown as Message);
    peer.send([{ jsonrpc: "2.0", method: "ping" }]);
    peer.send({ jsonrpc: "2.0", method: "ping" });
    assert.deepEqual(await peer.call("ping", [], 4), { jsonrpc: "2.0", error: unavailable, id: 4 });
    const closed = await peer.closed;
    assert.equal(closed.code, 1001);
    assert.ok(Date.now() - started >= 250, `closed after ${Date.now() - started} ms`);
    await closing;
    assert.equal(seen.signals.get("given up"), true);
    assert.deepEqual(peer.received, []);
  });
});
