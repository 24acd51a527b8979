// The client against the project's own service, served for real on 127.0.0.1.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import {
  type CallContext,
  connect,
  createClient,
  type FetchFunction,
  RpcError,
  serve,
  type ServerHandle,
  Service,
} from "../mod.ts";

const recorded: unknown[] = [];
/** The failing methods that ran, so a test can see a notification of them reached the server. */
const failedRuns: string[] = [];

const service = new Service({ name: "client.test.service", apiTokenIsValid: (token) => token === "secret-token" })
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .publicMethod("add", (a: number, b = 10) => a + b, { params: ["a", "b?"] })
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
  .publicMethod("fail", () => {
    failedRuns.push("fail");
    throw new RpcError(7, "it failed on purpose", { why: "test" });
  })
  .publicMethod("crash", () => {
    failedRuns.push("crash");
    throw new Error("boom");
  })
  .publicMethod("record", (value: unknown) => {
    recorded.push(value);
  })
  .publicMethod("header", (name: string, ctx: CallContext) => ctx.headers.get(name), { context: true })
  .privateMethod("secret", () => 42);

/** A fetch that counts the requests and keeps their bodies and headers, then does the real fetch. */
function observingFetch(): { fetch: FetchFunction; requests: { body: unknown; headers: Headers }[] } {
  const requests: { body: unknown; headers: Headers }[] = [];
  return {
    requests,
    fetch: (url, init) => {
      requests.push({ body: JSON.parse(init.body as string), headers: new Headers(init.headers) });
      return fetch(url, init);
    },
  };
}

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

async function rejectsWith(promise: Promise<unknown>, code: number): Promise<RpcError> {
  const error = await promise.then(
    () => assert.fail("expected a rejection"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof RpcError, `expected an RpcError, got ${String(error)}`);
  assert.equal(error.code, code);
  return error;
}

describe("client against a served Service", () => {
  let server: ServerHandle;
  let url: string;
  before(async () => {
    server = await serve(service, { port: 0 });
    url = `${server.url}/api`;
  });
  after(async () => {
    await server.close();
  });

  it("connect learns the service's name and method names", async () => {
    const remote = await connect<typeof service>(url);
    assert.equal(remote.name, "client.test.service");
    assert.equal(remote.url, url);
    assert.deepEqual(remote.methodNames, ["say_hello", "add", "subtract", "fail", "crash", "record", "header", "secret"]);
  });

  it("calls methods with positional params, typed from the service", async () => {
    const remote = await connect<typeof service>(url);
    const greeting: string = await remote.methods.say_hello("world");
    assert.equal(greeting, "hello world");
    assert.equal(await remote.methods.subtract(42, 23), 19);
    assert.equal(await remote.call("subtract", [42, 23]), 19);
  });

  it("drops trailing undefined args, so the method's defaults apply", async () => {
    const remote = await connect<typeof service>(url);
    assert.equal(await remote.methods.add(1), 11);
    assert.equal(await remote.methods.add(1, undefined), 11);
    assert.equal(await remote.methods.add(1, 2), 3);
  });

  it("calls with named params", async () => {
    const remote = await connect<typeof service>(url);
    assert.equal(await remote.call("subtract", { minuend: 42, subtrahend: 23 }), 19);
    assert.equal(await remote.call("subtract", { subtrahend: 23, minuend: 42 }), 19);
    assert.equal(await remote.call("add", { a: 5 }), 15);
    await rejectsWith(remote.call("subtract", { minuend: 1 }), -32602);
  });

  it("calls private methods with the token, and is refused without it", async () => {
    const withToken = await connect<typeof service>(url, { token: "secret-token" });
    assert.equal(await withToken.methods.secret(), 42);
    const without = await connect<typeof service>(url);
    const error = await rejectsWith(without.methods.secret(), -32001);
    assert.match(error.message, /Access denied/);
    await rejectsWith(createClient<typeof service>(url, { token: "wrong" }).methods.secret(), -32001);
  });

  it("throws RpcError with the answer's code, message and data", async () => {
    const remote = await connect<typeof service>(url);
    const error = await rejectsWith(remote.methods.fail(), 7);
    assert.equal(error.message, "it failed on purpose");
    assert.deepEqual(error.data, { why: "test" });
    const crash = await rejectsWith(remote.methods.crash(), -32603);
    assert.equal(crash.message, "Internal error");
    assert.equal(crash.data, undefined);
  });

  it("sends notifications, positional and named, that reach the method", async () => {
    const remote = await connect<typeof service>(url);
    recorded.length = 0;
    assert.equal(await remote.notifications.record("by position"), undefined);
    await remote.notify("record", { value: "by name" });
    await remote.notify("record", ["by notify"]);
    await eventually(() => {
      assert.deepEqual(recorded, ["by position", "by name", "by notify"]);
    });
  });

  it("a notification's failure never comes back", async () => {
    const statuses: number[] = [];
    const remote = await connect<typeof service>(url, {
      fetch: async (target, init) => {
        const response = await fetch(target, init);
        statuses.push(response.status);
        return response;
      },
    });
    failedRuns.length = 0;
    assert.equal(await remote.notifications.fail(), undefined);
    assert.equal(await remote.notify("crash"), undefined);
    // Both ran on the server, which answered nothing (204) for either.
    await eventually(() => assert.deepEqual(failedRuns.toSorted(), ["crash", "fail"]));
    assert.deepEqual(statuses.slice(-2), [204, 204]);
  });

  it("fails locally, before any request, when the service does not offer the method", async () => {
    const observer = observingFetch();
    const remote = await connect(url, { fetch: observer.fetch });
    const before = observer.requests.length;
    const error = await rejectsWith(remote.methods["nope"]!(), -32601);
    assert.match(error.message, /client\.test\.service offers no method nope/);
    await rejectsWith(remote.notifications["nope"]!(1), -32601);
    await rejectsWith(remote.call("nope", [1]), -32601);
    await rejectsWith(remote.notify("nope"), -32601);
    assert.equal(observer.requests.length, before);
    // The protocol's own `rpc.` methods are not in any description, and pass.
    assert.equal(((await remote.call("rpc.discover")) as { openrpc: string }).openrpc, "1.3.2");
  });

  it("createClient sends any method name and knows no name", async () => {
    const observer = observingFetch();
    const remote = createClient(url, { fetch: observer.fetch });
    assert.equal(remote.name, undefined);
    assert.equal(remote.methodNames, undefined);
    assert.equal(observer.requests.length, 0);
    assert.equal(await remote.methods["say_hello"]!("there"), "hello there");
    await rejectsWith(remote.methods["nope"]!(), -32601);
    assert.equal(observer.requests.length, 2);
  });

  it("is not thenable, nor are its methods and notifications", async () => {
    const observer = observingFetch();
    const remote = await connect<typeof service>(url, { fetch: observer.fetch });
    const sent = observer.requests.length;
    // eslint-disable-next-line @typescript-eslint/await-thenable -- awaiting a non-thenable is the point
    assert.equal(await remote, remote);
    const returned = await (async () => {
      await Promise.resolve();
      return remote; // resolving a promise with the client must not call a remote `then`
    })();
    assert.equal(returned, remote);
    for (const proxy of [remote.methods, remote.notifications] as unknown as Record<PropertyKey, unknown>[]) {
      assert.equal(proxy["then"], undefined);
      assert.equal(proxy["toJSON"], undefined);
      assert.equal(proxy[Symbol.toPrimitive], undefined);
      assert.equal(proxy[Symbol.iterator], undefined);
      assert.equal(proxy["constructor"], Object);
      // eslint-disable-next-line @typescript-eslint/await-thenable -- awaiting a non-thenable is the point
      assert.equal(await proxy, proxy);
      assert.equal(JSON.stringify(proxy), "{}");
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- turning it into a string is the point
      assert.equal(String(proxy), "[object Object]");
      assert.equal(inspect(proxy).includes("Promise"), false);
    }
    assert.equal((JSON.parse(JSON.stringify({ remote })) as { remote: { name: string } }).remote.name, "client.test.service");
    inspect(remote);
    assert.equal(observer.requests.length, sent);
  });

  it("sends the token, the extra headers and JSON, with ids unique per call", async () => {
    const observer = observingFetch();
    const remote = await connect<typeof service>(url, {
      token: "secret-token",
      headers: { "x-trace": "abc" },
      fetch: observer.fetch,
    });
    assert.equal(await remote.methods.header("x-trace"), "abc");
    assert.equal(await remote.methods.header("x-api-token"), "secret-token");
    await remote.batch((b) => [b.methods.add(1), b.methods.add(2), b.notifications.record("x")]);
    await remote.notifications.record("y");
    for (const { headers } of observer.requests) {
      assert.equal(headers.get("content-type"), "application/json");
      assert.equal(headers.get("x-api-token"), "secret-token");
      assert.equal(headers.get("x-trace"), "abc");
    }
    const messages = observer.requests.flatMap(({ body }) => (Array.isArray(body) ? body : [body]) as Record<string, unknown>[]);
    const ids = messages.filter((message) => "id" in message).map((message) => message["id"]);
    assert.equal(ids.length, 5); // rpc.discover, two calls, two calls in the batch
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(messages.filter((message) => !("id" in message)).length, 2);
    for (const message of messages) {
      assert.equal(message["jsonrpc"], "2.0");
      assert.ok(Array.isArray(message["params"]));
    }
  });

  it("sends the token in the header the service names", async () => {
    const custom = new Service({ name: "custom", apiTokenHeader: "X-Key", apiTokenIsValid: (token) => token === "k" })
      .privateMethod("secret", () => "in");
    const customServer = await serve(custom, { port: 0 });
    try {
      const remote = await connect<typeof custom>(`${customServer.url}/api`, { token: "k", tokenHeader: "X-Key" });
      assert.equal(await remote.methods.secret(), "in");
      await rejectsWith(createClient<typeof custom>(`${customServer.url}/api`, { token: "k" }).methods.secret(), -32001);
    } finally {
      await customServer.close();
    }
  });
});
