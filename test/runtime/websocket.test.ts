// JSON-RPC over WebSocket served on Node.js, Deno and Bun (test/runtime/fixtures/websocket_server.ts),
// driven by the `ws` package's client (an implementation we did not write): calls, batches,
// errors and -32700 without closing, credentials at the upgrade (header or subprotocol), the
// server notifying and calling back, streams (items, errors, cancel, resume, batch refusal), the
// limits (calls in flight, message size, binary, connections, a peer that does not read, idle),
// a per-call deadline, a graceful stop (calls in flight answered, then 1001), and 1,000
// connections opened and dropped.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { childEnv, delay, freePort, HOST, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

const FIXTURE = "test/runtime/fixtures/websocket_server.ts";

type Message = Record<string, unknown>;

/** A `ws` client that keeps what it receives, for tests to wait on. */
class Peer {
  readonly socket: WebSocket;
  readonly received: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #wake: (() => void) | undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data, binary) => {
      this.received.push(binary ? { binary: true } : (JSON.parse((data as Buffer).toString("utf8")) as Message));
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => socket.on("close", (code, reason) => {
      resolve({ code, reason: String(reason) });
      this.#wake?.();
    }));
  }

  static open(url: string, options: { protocols?: string[]; headers?: Record<string, string> } = {}): Promise<Peer> {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    const peer = new Peer(socket);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(peer));
      socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade answered ${response.statusCode}`)));
      socket.once("error", reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first message (received or to come) that matches, taken out of `received`. */
  async take(match: (message: Message) => boolean, what = "a message", ms = 5_000): Promise<Message> {
    const end = Date.now() + ms;
    for (;;) {
      const index = this.received.findIndex(match);
      if (index >= 0) return this.received.splice(index, 1)[0] as Message;
      if (Date.now() > end) assert.fail(`no ${what} within ${ms} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  answer(id: unknown, ms?: number): Promise<Message> {
    return this.take((message) => message["id"] === id && !("method" in message), `answer to ${String(id)}`, ms);
  }

  async call(method: string, params: unknown, id: unknown = Math.random()): Promise<Message> {
    this.send({ jsonrpc: "2.0", method, params, id });
    return await this.answer(id);
  }

  /** The items of a stream (its `rpc.stream` notifications, in order), and its answer. */
  async stream(id: unknown): Promise<{ events: number[]; items: unknown[]; answer: Message }> {
    const answer = await this.answer(id);
    const mine = this.received.filter((message) => message["method"] === "rpc.stream" && (message["params"] as Message)["id"] === id);
    const params = mine.map((message) => message["params"] as Message);
    return { events: params.map((item) => item["event"] as number), items: params.map((item) => item["item"]), answer };
  }

  close(): void {
    this.socket.close();
  }
}

for (const runtime of RUNTIMES) {
  describe(`JSON-RPC over WebSocket on ${runtime}`, { timeout: 90_000 }, () => {
    let server: ChildServer;
    let url: string;
    const peers: Peer[] = [];
    const open = async (options?: Parameters<typeof Peer.open>[1]): Promise<Peer> => {
      const peer = await Peer.open(url, options);
      peers.push(peer);
      return peer;
    };
    const seen = async (): Promise<Record<string, number>> => {
      const response = await fetch(`${server.base}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"seen","id":1}' });
      return ((await response.json()) as { result: Record<string, number> }).result;
    };
    const until = async (check: (seen: Record<string, number>) => boolean, what: string, ms = 8_000): Promise<void> => {
      const end = Date.now() + ms;
      while (!check(await seen())) {
        if (Date.now() > end) assert.fail(`still not so after ${ms} ms on ${runtime}: ${what} (${JSON.stringify(await seen())})`);
        await delay(25);
      }
    };

    before(async () => {
      server = await startExample(runtime, FIXTURE);
      url = `ws://${server.base.slice("http://".length)}/api`;
    });
    after(async () => {
      for (const peer of peers) peer.socket.terminate();
      await server.process.stop();
    });

    test("calls with positional and named params, a batch (its notification unanswered), errors as over HTTP", async () => {
      const peer = await open();
      assert.deepEqual(await peer.call("add", [1, 2], 1), { jsonrpc: "2.0", result: 3, id: 1 });
      assert.deepEqual(await peer.call("subtract", { minuend: 42, subtrahend: 23 }, "named"), { jsonrpc: "2.0", result: 19, id: "named" });
      peer.send([
        { jsonrpc: "2.0", method: "add", params: [3, 4], id: 10 },
        { jsonrpc: "2.0", method: "add", params: [5, 6] },
        { jsonrpc: "2.0", method: "nope", id: 11 },
      ]);
      const batch = await peer.take(() => true, "the batch's answer");
      assert.deepEqual(batch, [
        { jsonrpc: "2.0", result: 7, id: 10 },
        { jsonrpc: "2.0", error: { code: -32601, message: "Method not found: nope" }, id: 11 },
      ] as unknown as Message);
      assert.deepEqual(await peer.call("fail", [], 2), { jsonrpc: "2.0", error: { code: 4001, message: "Out of stock", data: { item: "pear" } }, id: 2 });
      const crash = await peer.call("crash", [], 3);
      assert.deepEqual(crash, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 3 });
      // A notification gets no answer: the next answer is the next call's.
      peer.send({ jsonrpc: "2.0", method: "add", params: [1, 1] });
      assert.deepEqual(await peer.call("add", [2, 2], 4), { jsonrpc: "2.0", result: 4, id: 4 });
      assert.equal(peer.received.length, 0, JSON.stringify(peer.received));
      peer.close();
    });

    test("a message that is not JSON gets -32700 and an invalid one -32600; the connection keeps serving", async () => {
      const peer = await open();
      peer.send("{not json");
      assert.deepEqual(await peer.take(() => true), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: the message is not valid JSON" }, id: null });
      peer.send({ jsonrpc: "1.0", method: "add", id: 5 });
      const invalid = await peer.answer(5);
      assert.equal((invalid["error"] as Message)["code"], -32600);
      peer.send([]);
      assert.equal(((await peer.take(() => true))["error"] as Message)["code"], -32600);
      assert.deepEqual(await peer.call("add", [1, 2], 6), { jsonrpc: "2.0", result: 3, id: 6 });
      peer.close();
    });

    test("credentials at the upgrade: none refuses private methods; the token header or a bearer subprotocol opens them", async () => {
      const anonymous = await open();
      assert.equal(((await anonymous.call("secret", [], 1))["error"] as Message)["code"], -32001);
      const wrong = await open({ headers: { "x-api-token": "not-it" } });
      assert.equal(((await wrong.call("secret", [], 1))["error"] as Message)["code"], -32001);
      const withHeader = await open({ headers: { "x-api-token": "fixture-token" } });
      assert.deepEqual(await withHeader.call("secret", [], 1), { jsonrpc: "2.0", result: "only with the token", id: 1 });
      const withBearer = await open({ headers: { authorization: "Bearer fixture-token" } });
      assert.deepEqual(await withBearer.call("secret", [], 1), { jsonrpc: "2.0", result: "only with the token", id: 1 });
      // As a browser must: the token as a subprotocol beside "jsonrpc", which the server picks.
      const browserLike = await open({ protocols: ["jsonrpc", "bearer.fixture-token"] });
      assert.equal(browserLike.socket.protocol, "jsonrpc");
      assert.deepEqual(await browserLike.call("secret", [], 1), { jsonrpc: "2.0", result: "only with the token", id: 1 });
      for (const peer of [anonymous, wrong, withHeader, withBearer, browserLike]) peer.close();
    });

    test("ctx.notify reaches the caller before the answer; ctx.connection calls it back and pushes after the call; broadcast reaches all", async () => {
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "hello", params: ["ada"], id: 1 });
      await peer.answer(1);
      // Sent before the answer, so received before it: the take above left it in `received`.
      assert.deepEqual(await peer.take((message) => message["method"] === "greeted", "the notification", 0), { jsonrpc: "2.0", method: "greeted", params: { name: "ada" } });
      // The server calls the caller: its answer is the result of `ask`.
      peer.send({ jsonrpc: "2.0", method: "ask", params: ["delete?"], id: 2 });
      const question = await peer.take((message) => message["method"] === "confirm", "the server's call");
      assert.deepEqual(question["params"], ["delete?"]);
      assert.equal(typeof question["id"], "string");
      peer.send({ jsonrpc: "2.0", result: "yes, delete", id: question["id"] });
      assert.deepEqual(await peer.answer(2), { jsonrpc: "2.0", result: "yes, delete", id: 2 });
      // An error answered to the server's call is the call's error there.
      peer.send({ jsonrpc: "2.0", method: "ask", params: ["again?"], id: 3 });
      const again = await peer.take((message) => message["method"] === "confirm", "the second call");
      peer.send({ jsonrpc: "2.0", error: { code: 4100, message: "No, thanks" }, id: again["id"] });
      assert.deepEqual(await peer.answer(3), { jsonrpc: "2.0", error: { code: 4100, message: "No, thanks" }, id: 3 });
      // A connection kept by a handler gets pushes after its call ended; a closed one is let go.
      const other = await open();
      assert.match(String((await peer.call("keep_me", [], 4))["result"]), /^ws-\d+$/);
      assert.deepEqual((await other.call("push_later", [10], 5))["result"], 1);
      assert.equal(((await peer.take((message) => message["method"] === "pushed", "the push"))["params"] as number[]).length, 1);
      peer.close();
      await peer.closed;
      await delay(50);
      assert.deepEqual((await other.call("push_later", [0], 6))["result"], 0);
      assert.deepEqual((await other.call("broadcast", ["hi"], 7))["result"], (await seen())["connections"]);
      assert.deepEqual(await other.take((message) => message["method"] === "news", "the broadcast"), { jsonrpc: "2.0", method: "news", params: ["hi"] });
      // Over HTTP a handler has neither.
      const overHttp = await fetch(`${server.base}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"over_http","id":1}' });
      assert.deepEqual(await overHttp.json(), { jsonrpc: "2.0", result: true, id: 1 });
      other.close();
    });

    test("a stream: its items as rpc.stream notifications with counted events, then the answer; an error ends it", async () => {
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "count", params: [3], id: "c" });
      assert.deepEqual(await peer.stream("c"), {
        events: [1, 2, 3],
        items: [{ n: 1 }, { n: 2 }, { n: 3 }],
        answer: { jsonrpc: "2.0", result: "counted to 3", id: "c" },
      });
      peer.received.length = 0;
      peer.send({ jsonrpc: "2.0", method: "fails_after", params: [2], id: 9 });
      const failed = await peer.stream(9);
      assert.deepEqual(failed.items, [1, 2]);
      assert.deepEqual(failed.answer, { jsonrpc: "2.0", error: { code: 4001, message: "Out of items" }, id: 9 });
      // A batch cannot carry a stream.
      peer.received.length = 0;
      peer.send([{ jsonrpc: "2.0", method: "count", params: [2], id: 1 }]);
      const refused = (await peer.take(() => true)) as unknown as Message[];
      assert.equal((refused[0]?.["error"] as Message)["code"], -32600);
      peer.close();
    });

    test("rpc.cancel ends a stream: the generator's finally runs, its signal aborts, the answer comes", async () => {
      const before = await seen();
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "slow", id: 1 });
      await peer.take((message) => message["method"] === "rpc.stream", "a first item");
      peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: 1 } });
      assert.deepEqual(await peer.answer(1), { jsonrpc: "2.0", result: null, id: 1 });
      await until((now) => now["finallyRan"] === (before["finallyRan"] ?? 0) + 1 && now["aborted"] === (before["aborted"] ?? 0) + 1, "the finally ran, aborted");
      // A plain call is cancelled too: its signal aborts.
      peer.send({ jsonrpc: "2.0", method: "sleep", params: [5_000], id: 2 });
      await delay(50);
      peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: 2 } });
      assert.deepEqual(await peer.answer(2, 2_000), { jsonrpc: "2.0", result: 5_000, id: 2 });
      await until((now) => now["aborted"] === (before["aborted"] ?? 0) + 2, "the sleep's signal aborted");
      peer.close();
    });

    test("a resumable stream asked with lastEventId goes on after it", async () => {
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "feed", id: 1, lastEventId: "3" });
      const { events, items } = await peer.stream(1);
      assert.deepEqual(events, [4, 5]);
      assert.deepEqual(items, ["item 4", "item 5"]);
      peer.close();
    });

    test("limits: calls in flight per connection (-32004), a per-call timeout (-32002), a message over the limit (1009), binary (1003)", async () => {
      const peer = await open();
      for (let id = 1; id <= 5; id++) peer.send({ jsonrpc: "2.0", method: "sleep", params: [300], id });
      const refused = await peer.answer(5);
      assert.equal((refused["error"] as Message)["code"], -32004);
      assert.match(String((refused["error"] as Message)["message"]), /too many calls in flight on this connection \(at most 4\)/);
      for (let id = 1; id <= 4; id++) assert.deepEqual(await peer.answer(id), { jsonrpc: "2.0", result: 300, id });
      peer.send({ jsonrpc: "2.0", method: "sleep", params: [2_000], id: 6, timeout: 100 });
      assert.equal(((await peer.answer(6))["error"] as Message)["code"], -32002);
      peer.send({ jsonrpc: "2.0", method: "add", params: ["x".repeat(5_000), 1], id: 7 });
      assert.equal((await peer.closed).code, 1009);
      const binary = await open();
      binary.socket.send(Buffer.from([1, 2, 3]));
      const shut = await binary.closed;
      assert.equal(shut.code, 1003);
      assert.match(shut.reason, /^binary messages are not accepted/);
    });

    test("a message of exactly maxMessageBytes is served, in ASCII or not; one byte more of UTF-8 (fewer characters) closes with 1009", async () => {
      // The fixture's limit is 4,096 bytes: pad a call to add() to exactly that many bytes of UTF-8.
      const sized = (bytes: number, letter: string): string => {
        const empty = JSON.stringify({ jsonrpc: "2.0", method: "add", params: ["", 1], id: 1 });
        const room = bytes - Buffer.byteLength(empty);
        const size = Buffer.byteLength(letter);
        const text = letter.repeat(Math.floor(room / size)) + "x".repeat(room % size);
        return JSON.stringify({ jsonrpc: "2.0", method: "add", params: [text, 1], id: 1 });
      };
      const peer = await open();
      for (const letter of ["x", "é", "€"]) {
        const message = sized(4_096, letter);
        assert.equal(Buffer.byteLength(message), 4_096);
        peer.send(message);
        assert.equal(String((await peer.answer(1))["result"]).length, message.length - JSON.stringify({ jsonrpc: "2.0", method: "add", params: ["", 1], id: 1 }).length + 1);
      }
      const over = sized(4_097, "é");
      assert.ok(over.length < 4_096 && Buffer.byteLength(over) === 4_097);
      peer.send(over);
      assert.equal((await peer.closed).code, 1009);
    });

    test("a quiet peer that answers pings stays connected past the idle timeout", async () => {
      const peer = await open();
      await delay(4_500);
      assert.deepEqual(await peer.call("add", [1, 1], 1), { jsonrpc: "2.0", result: 2, id: 1 });
      peer.close();
    });

    test("a peer that does not read: a stream waits for it, and a flood of answers closes it before memory grows", async () => {
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "forever", id: 1 });
      await peer.take((message) => message["method"] === "rpc.stream", "a first item");
      (peer.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      await delay(500);
      const first = (await seen())["produced"] ?? 0;
      await delay(1_000);
      const later = (await seen())["produced"] ?? 0;
      // The generator waits for the socket: a few more items at most, not thousands.
      assert.ok(later - first < 100, `produced ${first} then ${later}`);
      peer.socket.terminate();
      const flood = await open();
      (flood.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let id = 1; id <= 400; id++) flood.send({ jsonrpc: "2.0", method: "big", params: [100_000], id });
      // 40 MB of answers: more than the sockets' buffers hold and the 256 kB the fixture lets wait.
      await until((now) => now["connections"] === 0, "closed", 10_000);
      (flood.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      const closed = await flood.closed;
      assert.ok([1008, 1006].includes(closed.code), `closed with ${closed.code}`);
    });

    test("a silent peer (no pongs) is dropped after the idle timeout", async () => {
      const peer = await open();
      await until((now) => (now["connections"] ?? 0) >= 1, "connected");
      const before = (await seen())["connections"] ?? 0;
      (peer.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      await until((now) => (now["connections"] ?? 0) === before - 1, "dropped", 12_000);
      peer.socket.terminate();
    });

    test("1,000 connections opened and dropped: none left open, the service still answers", async () => {
      for (let round = 0; round < 10; round++) {
        const batch = await Promise.all(Array.from({ length: 100 }, () => Peer.open(url)));
        for (const [index, peer] of batch.entries()) {
          if (index % 2 === 0) peer.socket.terminate();
          else peer.close();
        }
      }
      await until((now) => now["connections"] === 0, "all 1,000 gone", 15_000);
      const peer = await open();
      assert.deepEqual(await peer.call("add", [2, 3], 1), { jsonrpc: "2.0", result: 5, id: 1 });
      peer.close();
    });

    test("more connections than maxConnections: the upgrade is answered 503", async () => {
      await until((now) => now["connections"] === 0, "the earlier tests' connections closed");
      const many = await Promise.all(Array.from({ length: 1_100 }, () => Peer.open(url).catch((error: unknown) => error as Error)));
      const opened = many.filter((peer): peer is Peer => peer instanceof Peer);
      assert.equal(opened.length, 1_100);
      await assert.rejects(Peer.open(url), /upgrade answered 503/);
      for (const peer of opened) peer.socket.terminate();
      await until((now) => now["connections"] === 0, "all gone", 15_000);
    });

    test("a graceful stop: calls in flight are answered, new ones refused, streams end with -32004, then 1001", async () => {
      const peer = await open();
      peer.send({ jsonrpc: "2.0", method: "slow", id: "s" });
      await peer.take((message) => message["method"] === "rpc.stream", "a first item");
      peer.send({ jsonrpc: "2.0", method: "sleep", params: [500], id: 1 });
      await delay(50);
      process.kill(server.process.pid, "SIGTERM");
      await delay(100);
      peer.send({ jsonrpc: "2.0", method: "add", params: [1, 2], id: 2 });
      assert.deepEqual((await peer.answer("s"))["error"], { code: -32004, message: "Unavailable: the service is stopping" });
      assert.equal(((await peer.answer(2))["error"] as Message)["code"], -32004);
      assert.deepEqual(await peer.answer(1), { jsonrpc: "2.0", result: 500, id: 1 });
      assert.equal((await peer.closed).code, 1001);
      assert.equal(await server.process.exited, 0);
    });
  });
}

describe("examples/websocket.ts", { timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`on ${runtime}: calls, a stream, pushes after the call and the service's own call, over one socket`, async () => {
      const [command, args] = runCommand(runtime, "examples/websocket.ts");
      const child = startProcess(command, args, childEnv({ HOST, PORT: String(await freePort()) }));
      assert.equal(await child.exited, 0, child.output());
      const lines = child.output().split("\n").filter((line) => /^(ACME|watching|pushed|tick|asked|bought)/.test(line));
      assert.deepEqual(lines, [
        "ACME quoted at 100",
        "watching: true",
        'pushed: {"symbol":"INITECH","price":43}',
        "tick: INITECH 43",
        'pushed: {"symbol":"INITECH","price":44}',
        "tick: INITECH 44",
        'pushed: {"symbol":"INITECH","price":45}',
        "tick: INITECH 45",
        "asked: buy 10 ACME at 100?",
        "bought 10 ACME",
      ]);
    });
  }
});
