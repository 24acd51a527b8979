// What a call over a WebSocket is given as its context, on a real server on loopback (the `ws`
// package's client): `ctx.signal` aborts at the caller's `rpc.cancel` and when the connection
// closes; the `timeout` member is the call's deadline; the `lastEventId` member resumes a resumable
// stream after that item; a batch cannot carry a stream.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { type CallContext, serve, type ServerHandle, Service } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { webSocket } from "../src/websocket/plugin.ts";

const aborted = new Set<string>();

/** Resolves with "aborted" when the call's signal aborts, or "not aborted" after 5 s. */
function untilAborted(key: string, ctx: CallContext): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve("not aborted");
    }, 5_000);
    ctx.signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      aborted.add(key);
      resolve("aborted");
    });
  });
}

const service = new Service({ name: "context", onError: false })
  .use(streams())
  .use(webSocket())
  .publicMethod("wait", (key: string, ctx: CallContext) => untilAborted(key, ctx), { context: true })
  .publicMethod("was_aborted", (key: string) => aborted.has(key))
  .publicMethod("deadline_in", (ctx: CallContext) => (ctx.deadline === undefined ? null : ctx.deadline - Date.now()), { context: true })
  .publicMethod("feed", async function* (ctx: CallContext) {
    for (let n = Number(ctx.lastEventId ?? 0) + 1; n <= 5; n++) yield await Promise.resolve(n);
  }, { context: true, resumable: true });

/** A `ws` connection and a reader of its messages. */
interface Peer {
  readonly socket: WebSocket;
  /** Sends a message (a value is stringified). */
  send(message: unknown): void;
  /** The messages until (and with) the first that `done` accepts; fails after 5 s. */
  until(done: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]>;
}

async function connectTo(url: string): Promise<Peer> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const received: Record<string, unknown>[] = [];
  let told: (() => void) | undefined;
  socket.on("message", (data: Buffer) => {
    received.push(JSON.parse(data.toString()) as Record<string, unknown>);
    told?.();
  });
  return {
    socket,
    send: (message) => {
      socket.send(typeof message === "string" ? message : JSON.stringify(message));
    },
    until: (done) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`not within 5 s; received ${JSON.stringify(received)}`));
      }, 5_000);
      const check = (): void => {
        const at = received.findIndex(done);
        if (at < 0) return;
        clearTimeout(timer);
        told = undefined;
        resolve(received.splice(0, at + 1));
      };
      told = check;
      check();
    }),
  };
}

const answerTo = (id: unknown) => (message: Record<string, unknown>): boolean => message["id"] === id && message["method"] === undefined;

describe("a WebSocket call's context", () => {
  let server: ServerHandle;
  let url: string;
  const peers: Peer[] = [];
  before(async () => {
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    url = `${server.url.replace(/^http/, "ws")}/api`;
  });
  const connect = async (): Promise<Peer> => {
    const peer = await connectTo(url);
    peers.push(peer);
    return peer;
  };
  after(async () => {
    for (const peer of peers) peer.socket.terminate();
    await server.close();
  });

  test("ctx.signal aborts at the caller's rpc.cancel, and the call still answers", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "wait", params: ["cancelled"], id: 1 });
    peer.send({ jsonrpc: "2.0", method: "rpc.cancel", params: { id: 1 } });
    assert.deepEqual(await peer.until(answerTo(1)), [{ jsonrpc: "2.0", result: "aborted", id: 1 }]);
  });

  test("ctx.signal aborts when the connection closes", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "wait", params: ["closed"], id: 1 });
    // The call is running once a later message on the same connection is answered.
    peer.send({ jsonrpc: "2.0", method: "was_aborted", params: ["closed"], id: 2 });
    assert.deepEqual(await peer.until(answerTo(2)), [{ jsonrpc: "2.0", result: false, id: 2 }]);
    peer.socket.close(1000);
    const other = await connect();
    let seen: unknown = false;
    for (let tries = 0; seen !== true && tries < 100; tries++) {
      other.send({ jsonrpc: "2.0", method: "was_aborted", params: ["closed"], id: tries });
      seen = (await other.until(answerTo(tries)))[0]?.["result"];
      if (seen !== true) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(seen, true, "the call's signal aborted");
  });

  test("the timeout member is the call's deadline; without it there is none", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "deadline_in", id: 1, timeout: 4_000 });
    const [answer] = await peer.until(answerTo(1));
    const left = answer?.["result"] as number;
    assert.ok(left > 3_000 && left <= 4_000, `${left} ms left of 4,000`);
    peer.send({ jsonrpc: "2.0", method: "deadline_in", id: 2 });
    assert.deepEqual(await peer.until(answerTo(2)), [{ jsonrpc: "2.0", result: null, id: 2 }]);
  });

  test("the lastEventId member resumes a resumable stream after that item", async () => {
    const peer = await connect();
    peer.send({ jsonrpc: "2.0", method: "feed", id: "f", lastEventId: "3" });
    assert.deepEqual(await peer.until(answerTo("f")), [
      { jsonrpc: "2.0", method: "rpc.stream", params: { id: "f", event: 4, item: 4 } },
      { jsonrpc: "2.0", method: "rpc.stream", params: { id: "f", event: 5, item: 5 } },
      { jsonrpc: "2.0", result: null, id: "f" },
    ]);
  });

  test("a batch cannot carry a stream: -32600 for it, the other calls answered", async () => {
    const peer = await connect();
    peer.send([{ jsonrpc: "2.0", method: "feed", id: 1 }, { jsonrpc: "2.0", method: "was_aborted", params: ["x"], id: 2 }]);
    const [answers] = await peer.until((message) => Array.isArray(message));
    const byId = new Map((answers as unknown as { id: number }[]).map((answer) => [answer.id, answer]));
    assert.deepEqual(byId.get(1), { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request: feed streams, which a batch cannot carry: call it alone" }, id: 1 });
    assert.deepEqual(byId.get(2), { jsonrpc: "2.0", result: false, id: 2 });
  });
});
