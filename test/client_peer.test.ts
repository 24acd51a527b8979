// The client against JSON-RPC 2.0 servers written here with node:http, not with this library: it
// speaks the plain protocol, and connects to a service in the Python original's shape.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, createClient, RpcError, TransportError } from "../mod.ts";

type Params = unknown[] | Record<string, unknown> | undefined;
type Method = (params: Params) => unknown;

interface Peer {
  readonly url: string;
  /** Every message received, as parsed. */
  readonly received: unknown[];
  /** What notifications were received, by method. */
  readonly notified: { method: string; params: Params }[];
  close(): Promise<void>;
}

/**
 * A minimal JSON-RPC 2.0 server: positional or named params go to the method as they are. With
 * `pythonStyle`, successes carry `"error": null` as the Python original's did.
 */
async function startPeer(methods: Record<string, Method>, pythonStyle = false): Promise<Peer> {
  const received: unknown[] = [];
  const notified: { method: string; params: Params }[] = [];
  const answer = (entry: { method: string; params?: Params; id?: unknown }): object | undefined => {
    const method = Object.hasOwn(methods, entry.method) ? methods[entry.method] : undefined;
    if (!("id" in entry)) {
      notified.push({ method: entry.method, params: entry.params });
      return undefined;
    }
    if (method === undefined) return { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id: entry.id };
    try {
      const result = method(entry.params);
      return pythonStyle ? { jsonrpc: "2.0", result, error: null, id: entry.id } : { jsonrpc: "2.0", result, id: entry.id };
    } catch (error) {
      return { jsonrpc: "2.0", error: { code: -32000, message: (error as Error).message }, id: entry.id };
    }
  };
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const message = JSON.parse(body) as Parameters<typeof answer>[0] | Parameters<typeof answer>[0][];
      received.push(message);
      const reply = Array.isArray(message)
        ? message.map(answer).filter((entry) => entry !== undefined).reverse() // any order is allowed
        : answer(message);
      if (reply === undefined || (Array.isArray(reply) && reply.length === 0)) response.writeHead(204).end();
      else response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    received,
    notified,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const subtract: Method = (params) =>
  Array.isArray(params)
    ? (params[0] as number) - (params[1] as number)
    : (params?.["minuend"] as number) - (params?.["subtrahend"] as number);

/** The peer's methods, as a typed client sees them. */
interface Calculator {
  subtract(minuend: number, subtrahend: number): number;
  update(...values: number[]): void;
}

describe("client against a bare JSON-RPC 2.0 server", () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer({
      subtract,
      fail: () => {
        throw new Error("peer failure");
      },
    });
  });
  after(async () => {
    await peer.close();
  });

  it("calls with positional and named params, on the wire as the specification writes them", async () => {
    const calculator = createClient<Calculator>(peer.url);
    peer.received.length = 0;
    assert.equal(await calculator.methods.subtract(42, 23), 19);
    assert.equal(await calculator.call("subtract", { minuend: 42, subtrahend: 23 }), 19);
    const [positional, named] = peer.received as Record<string, unknown>[];
    assert.deepEqual(Object.keys(positional ?? {}), ["jsonrpc", "method", "params", "id"]);
    assert.deepEqual({ ...positional, id: 0 }, { jsonrpc: "2.0", method: "subtract", params: [42, 23], id: 0 });
    assert.deepEqual(named?.["params"], { minuend: 42, subtrahend: 23 });
    assert.equal(typeof positional?.["id"], "number");
  });

  it("throws the peer's errors as RpcError", async () => {
    const client = createClient(peer.url);
    const error = await client.call("fail").catch((reason: unknown) => reason);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, -32000);
    assert.equal(error.message, "peer failure");
    await assert.rejects(client.call("missing"), (reason) => reason instanceof RpcError && reason.code === -32601);
  });

  it("sends notifications without an id, and takes an empty answer", async () => {
    const calculator = createClient<Calculator>(peer.url);
    peer.notified.length = 0;
    peer.received.length = 0;
    await calculator.notifications.update(1, 2, 3);
    await calculator.notify("update", { values: [4] });
    assert.deepEqual(peer.notified, [
      { method: "update", params: [1, 2, 3] },
      { method: "update", params: { values: [4] } },
    ]);
    for (const message of peer.received) assert.equal(Object.hasOwn(message as object, "id"), false);
  });

  it("batches calls and notifications and matches answers that come back in any order", async () => {
    const calculator = createClient<Calculator>(peer.url);
    peer.notified.length = 0;
    const [first, note, second, missing] = await calculator.batch((b) => [
      b.methods.subtract(10, 1),
      b.notifications.update(7),
      b.call("subtract", { minuend: 5, subtrahend: 7 }),
      b.call("nothing_here" as "subtract", [1, 1]),
    ]);
    assert.deepEqual(first, { ok: true, value: 9 });
    assert.equal(note, undefined);
    assert.deepEqual(second, { ok: true, value: -2 });
    assert.ok(!missing.ok && missing.error instanceof RpcError && missing.error.code === -32601);
    assert.deepEqual(peer.notified, [{ method: "update", params: [7] }]);
  });

  it("connect fails when the peer describes itself neither way", async () => {
    const error = await connect(peer.url).catch((reason: unknown) => reason);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, -32601);
    // What was asked, and what to do instead.
    assert.match(error.message, /neither with rpc\.discover nor with get_service_specs/);
    assert.match(error.message, /use createClient\(\)/);
  });
});

describe("connect to a service in the Python original's shape", () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer(
      {
        get_service_specs: () => ({
          name: "hello.world.service",
          host: "127.0.0.1",
          port: 5000,
          max_parallel_blocking_tasks: 4,
          methods: { say_hello: "Says hello.", say_private_hello: null },
        }),
        say_hello: (params) => `hello ${String((params as unknown[])[0])}`,
      },
      true,
    );
  });
  after(async () => {
    await peer.close();
  });

  it("falls back to get_service_specs when rpc.discover is not found", async () => {
    const remote = await connect(peer.url);
    assert.equal(remote.name, "hello.world.service");
    assert.deepEqual(remote.methodNames, ["say_hello", "say_private_hello"]);
    // `"error": null` next to a result is a success.
    assert.equal(await remote.methods["say_hello"]!("world"), "hello world");
    await assert.rejects(remote.methods["unknown"]!(), RpcError);
  });
});

describe("connect to something that is no service", () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer({ "rpc.discover": () => ({ hello: "not OpenRPC" }) });
  });
  after(async () => {
    await peer.close();
  });

  it("fails with a bad-response TransportError", async () => {
    const error = await connect(peer.url).catch((reason: unknown) => reason);
    assert.ok(error instanceof TransportError);
    assert.equal(error.kind, "bad-response");
    assert.match(error.message, /did not describe itself/);
  });
});
