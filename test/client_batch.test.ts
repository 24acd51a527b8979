// Batches: several calls and notifications in one POST, each call's outcome given back in order.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  connect,
  createClient,
  type FetchFunction,
  RpcError,
  serve,
  type ServerHandle,
  Service,
  type Settled,
  TransportError,
} from "../mod.ts";

const notes: string[] = [];

const service = new Service({ name: "batch.service", apiTokenIsValid: (token) => token === "t" })
  .publicMethod("add", (a: number, b: number) => a + b)
  .publicMethod("greet", (name: string) => `hello ${name}`)
  .publicMethod("note", (text: string) => {
    notes.push(text);
  })
  .publicMethod("fail", () => {
    throw new RpcError(12, "no luck");
  })
  .privateMethod("secret", () => "s");

/** Waits until a check passes: a notification's effect may come after its (empty) answer. */
async function eventually(check: () => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      check();
      return;
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function countingFetch(): { fetch: FetchFunction; count: () => number } {
  let requests = 0;
  return {
    count: () => requests,
    fetch: (url, init) => {
      requests++;
      return fetch(url, init);
    },
  };
}

describe("batch against a served Service", () => {
  let server: ServerHandle;
  let url: string;
  before(async () => {
    server = await serve(service, { port: 0 });
    url = `${server.url}/api`;
  });
  after(async () => {
    await server.close();
  });

  it("sends calls and notifications in one request and gives each outcome back in order, typed", async () => {
    const counter = countingFetch();
    const remote = await connect<typeof service>(url, { fetch: counter.fetch });
    const sent = counter.count();
    notes.length = 0;
    const [sum, note, greeting, named] = await remote.batch((b) => [
      b.methods.add(1, 2),
      b.notifications.note("batched"),
      b.methods.greet("ann"),
      b.call("add", { a: 40, b: 2 }),
    ]);
    // The outcomes are typed per entry.
    const total: number | undefined = sum.ok ? sum.value : undefined;
    const text: string | undefined = greeting.ok ? greeting.value : undefined;
    assert.equal(`${String(total)} ${String(text)}`, "3 hello ann");
    assert.equal(counter.count(), sent + 1);
    assert.deepEqual(sum, { ok: true, value: 3 });
    assert.equal(note, undefined);
    assert.deepEqual(greeting, { ok: true, value: "hello ann" });
    assert.deepEqual(named, { ok: true, value: 42 });
    await eventually(() => {
      assert.deepEqual(notes, ["batched"]);
    });
  });

  it("gives each failing call its own error, the others their results", async () => {
    const remote = await connect<typeof service>(url);
    const outcomes = await remote.batch((b) => [
      b.methods.fail(),
      b.methods.add(1, 1),
      b.methods.secret(),
      b.call("add", { a: 1 }),
    ]);
    const codes = outcomes.map((outcome: Settled<unknown>) => (outcome.ok ? outcome.value : (outcome.error as RpcError).code));
    assert.deepEqual(codes, [12, 2, -32001, -32602]);
    const [fail] = outcomes;
    assert.ok(!fail.ok && fail.error instanceof RpcError);
    assert.equal(fail.error.message, "no luck");
  });

  it("sends the token, so private methods work in a batch", async () => {
    const remote = await connect<typeof service>(url, { token: "t" });
    const [secret] = await remote.batch((b) => [b.methods.secret()]);
    assert.deepEqual(secret, { ok: true, value: "s" });
  });

  it("takes a list built at run time", async () => {
    const remote = createClient<typeof service>(url);
    const names = ["a", "b", "c"];
    const outcomes = await remote.batch((b) => names.map((name) => b.methods.greet(name)));
    assert.deepEqual(outcomes.map((outcome) => (outcome.ok ? outcome.value : null)), ["hello a", "hello b", "hello c"]);
  });

  it("a batch of notifications only resolves to undefined for each", async () => {
    const remote = createClient<typeof service>(url);
    notes.length = 0;
    const outcomes = await remote.batch((b) => [b.notifications.note("x"), b.notify("note", { text: "y" })]);
    assert.deepEqual(outcomes, [undefined, undefined]);
    await eventually(() => {
      assert.deepEqual([...notes].sort(), ["x", "y"]);
    });
  });

  it("an empty batch sends nothing", async () => {
    const counter = countingFetch();
    const remote = createClient<typeof service>(url, { fetch: counter.fetch });
    assert.deepEqual(await remote.batch(() => []), []);
    assert.equal(counter.count(), 0);
  });

  it("an entry the service does not offer fails the batch before sending (after connect)", async () => {
    const counter = countingFetch();
    const remote = await connect(url, { fetch: counter.fetch });
    const sent = counter.count();
    await assert.rejects(
      remote.batch((b) => [b.call("add", [1, 2]), b.methods.nope!()]),
      (error) => error instanceof RpcError && error.code === -32601,
    );
    await assert.rejects(remote.batch((b) => [b.notify("nope")]), RpcError);
    assert.equal(counter.count(), sent);
  });

  it("with createClient, an unknown method is the server's error for that entry", async () => {
    const remote = createClient(url);
    const [unknown, known] = await remote.batch((b) => [b.call("nope"), b.call("add", [2, 2])]);
    assert.ok(!unknown.ok && unknown.error instanceof RpcError && unknown.error.code === -32601);
    assert.deepEqual(known, { ok: true, value: 4 });
  });
});

describe("batch against servers that answer oddly", () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => (body += chunk));
      request.on("end", () => {
        const entries = JSON.parse(body) as { id?: number }[];
        const send = (value: unknown): void => {
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value));
        };
        if (request.url === "/refuse") send({ jsonrpc: "2.0", error: { code: -32600, message: "No batches here" }, id: null });
        else if (request.url === "/single") send({ jsonrpc: "2.0", result: 1, id: entries[0]?.id });
        else send([{ jsonrpc: "2.0", result: "first only", id: entries[0]?.id }]); // drops the other answers
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a batch refused with one error rejects with that RpcError", async () => {
    const error = await createClient(`${base}/refuse`).batch((b) => [b.call("a"), b.call("b")]).catch((reason: unknown) => reason);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, -32600);
  });

  it("a non-array answer to a batch rejects with a bad-response TransportError", async () => {
    const error = await createClient(`${base}/single`).batch((b) => [b.call("a")]).catch((reason: unknown) => reason);
    assert.ok(error instanceof TransportError);
    assert.equal(error.kind, "bad-response");
  });

  it("a call left unanswered gets a bad-response TransportError of its own", async () => {
    const [first, second] = await createClient(`${base}/partial`).batch((b) => [b.call("a"), b.call("b")]);
    assert.deepEqual(first, { ok: true, value: "first only" });
    assert.ok(!second.ok && second.error instanceof TransportError && second.error.kind === "bad-response");
  });
});
