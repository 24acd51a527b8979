// Errors from downstream, through a gateway: a protocol-level error another service answered the
// gateway (its wrong token's -32001, a -32602 about params the gateway sent) is not handed to the
// gateway's own caller, who sent none of it: -32603, reported. An application error passes through,
// and so does an RpcError the gateway's handler makes itself.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CallContext, connect, type ConnectedClient, createClient, ErrorCode, RpcError, serve, type ServerHandle, Service, TransportError } from "../mod.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";
import { call } from "./helpers.ts";

describe("errors through a gateway", () => {
  let upstream: ServerHandle;
  const reported: string[] = [];
  let gateway: Service;
  before(async () => {
    const service = new Service({ name: "upstream", apiTokenIsValid: (token) => token === "right" })
      .privateMethod("secret", () => "s3cret")
      .publicMethod("strict", (count: number) => count, { params: ["count"] })
      .publicMethod("refuse", () => {
        throw new RpcError(42, "out of stock", { item: "tea" });
      });
    upstream = await serve(service, { port: 0 });
    const wrongToken = createClient(`${upstream.url}/api`, { token: "wrong" });
    gateway = new Service({ name: "gateway", onError: (error, info) => reported.push(`${info.method}: ${(error as Error).message}`) })
      .publicMethod("secret", () => wrongToken.call("secret"))
      .publicMethod("strict", () => wrongToken.call("strict", { nope: 1 }))
      .publicMethod("refuse", () => wrongToken.call("refuse"))
      .publicMethod("own", () => {
        throw new RpcError(ErrorCode.AccessDenied, "the gateway says no");
      });
  });
  after(async () => {
    await upstream.close();
  });

  test("the upstream's -32001 and -32602 become -32603 for the gateway's caller, reported", async () => {
    const internal = { code: ErrorCode.InternalError, message: "Internal error" };
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "secret", id: 1 }), { jsonrpc: "2.0", error: internal, id: 1 });
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "strict", id: 2 }), { jsonrpc: "2.0", error: internal, id: 2 });
    assert.equal(reported.length, 2);
    assert.match(reported[0]!, /^secret: Access denied/);
    assert.match(reported[1]!, /^strict: Invalid params/);
  });

  test("an application error of the upstream passes through, and the gateway's own RpcError too", async () => {
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "refuse", id: 3 }), {
      jsonrpc: "2.0",
      error: { code: 42, message: "out of stock", data: { item: "tea" } },
      id: 3,
    });
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "own", id: 4 }), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.AccessDenied, message: "the gateway says no" },
      id: 4,
    });
  });
});

// Failures that keep their meaning across a hop: a deadline that passed on the way is -32002
// whichever timer saw it first (the gateway's, its client's for the upstream call, or the
// upstream's own), and an upstream that cannot be reached is -32004 naming the service, never its
// URL; neither is an internal error, a reported stack, or `internal` in the metrics.
describe("deadlines and unavailable upstreams through a gateway", () => {
  let upstream: ServerHandle;
  let upstreamUrl = "";
  const reported: unknown[] = [];
  const metered = metrics();
  let gateway: Service;
  let slowClient: ConnectedClient<{ slow(): string; tight(): string }>;
  before(async () => {
    const service = new Service({ name: "inventory.service" })
      .publicMethod("slow", () => new Promise((resolve) => setTimeout(() => resolve("late"), 1_000)))
      .publicMethod("tight", () => new Promise((resolve) => setTimeout(() => resolve("late"), 1_000)), { timeout: 10 });
    upstream = await serve(service, { port: 0 });
    upstreamUrl = `${upstream.url}/api`;
    slowClient = await connect(upstreamUrl);
    const shortClient = slowClient.with({ timeout: 10 });
    gateway = new Service({ name: "gateway", onError: (error) => reported.push(error) })
      .use(metered)
      // Hands its deadline and signal on, as docs/cluster.md says.
      .publicMethod("relay", (ctx: CallContext) => slowClient.with({ signal: ctx.signal, deadline: ctx.deadline }).methods.slow(), { context: true })
      // The client's timer for the upstream call fires first.
      .publicMethod("client_first", () => shortClient.methods.slow())
      // The upstream's own deadline passes first: it answers -32002.
      .publicMethod("upstream_first", () => slowClient.call("tight"));
  });
  after(async () => {
    await upstream.close();
  });

  const timeoutOf = (answer: unknown): number | undefined => (answer as { error?: { code?: number } }).error?.code;

  test("the client's timer firing first is still the gateway's -32002, not reported", async () => {
    const answer = await call(gateway, { jsonrpc: "2.0", method: "client_first", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: ErrorCode.Timeout, message: "Timeout: inventory.service did not answer in time" }, id: 1 });
    assert.deepEqual(reported, []);
  });

  test("the upstream answering -32002 first passes on as -32002, not reported", async () => {
    const answer = await call(gateway, { jsonrpc: "2.0", method: "upstream_first", id: 1 });
    assert.equal(timeoutOf(answer), ErrorCode.Timeout);
    assert.deepEqual(reported, []);
  });

  test("the caller going away aborts the upstream call: that is the call's timeout, not an internal error", async () => {
    const controller = new AbortController();
    const answering = gateway.handle({ jsonrpc: "2.0", method: "relay", id: 1 }, {
      headers: new Headers({ "x-request-timeout": "60000" }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const answer = await answering;
    assert.equal(timeoutOf(answer), ErrorCode.Timeout);
    assert.deepEqual(reported, []);
  });

  test("a bug thrown after the caller went away is still reported as a bug, not hidden as a timeout", async () => {
    const bugs: unknown[] = [];
    const buggy = new Service({ name: "buggy", onError: (error) => bugs.push(error) }).publicMethod("watch", async (ctx: CallContext) => {
      await new Promise<void>((resolve) => ctx.signal?.addEventListener("abort", () => resolve(), { once: true }));
      throw new TypeError("a real bug");
    }, { context: true, timeout: 60_000 });
    const controller = new AbortController();
    const answering = buggy.handle({ jsonrpc: "2.0", method: "watch", id: 1 }, { headers: new Headers(), signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const answer = await answering;
    assert.deepEqual((answer as { error?: unknown }).error, { code: ErrorCode.InternalError, message: "Internal error" });
    assert.equal(bugs.length, 1);
    assert.equal((bugs[0] as Error).message, "a real bug");
  });

  test("40 deadlines passed on over real sockets, the timers left to race: every one -32002, none internal", async () => {
    const server = await serve(gateway, { port: 0 });
    try {
      for (let round = 0; round < 40; round++) {
        const response = await fetch(`${server.url}/api`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-timeout": String(5 + (round % 4)) },
          body: JSON.stringify({ jsonrpc: "2.0", method: "relay", id: round }),
        });
        assert.equal(timeoutOf(await response.json()), ErrorCode.Timeout, `round ${round}`);
      }
    } finally {
      await server.close();
    }
    assert.deepEqual(reported, []);
    const text = metered.expose("prometheus");
    assert.doesNotMatch(text, /outcome="internal"/);
    assert.match(text, /rpc_server_calls_total\{method="relay",outcome="timeout"\} 4\d/);
  });

  test("an upstream that is down is -32004 naming the service, never its URL; counted as unavailable", async () => {
    const down = await serve(new Service({ name: "billing.service" }).publicMethod("charge", () => "ok"), { port: 0 });
    const billing = await connect(`${down.url}/api`);
    const anonymous = createClient(`http://user:pa55word@127.0.0.1:${down.port}/api`);
    await down.close();
    const plugin = metrics();
    const shop = new Service({ name: "shop", onError: (error) => reported.push(error) })
      .use(plugin)
      .publicMethod("checkout", () => billing.call("charge"))
      .publicMethod("anonymous", () => anonymous.call("charge"));
    const answer = await call(shop, { jsonrpc: "2.0", method: "checkout", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: -32004, message: "Unavailable: billing.service could not be reached" }, id: 1 });
    const unnamed = JSON.stringify(await call(shop, { jsonrpc: "2.0", method: "anonymous", id: 2 }));
    assert.equal(unnamed, JSON.stringify({ jsonrpc: "2.0", error: { code: -32004, message: "Unavailable: a service this call needs could not be reached" }, id: 2 }));
    assert.doesNotMatch(unnamed, new RegExp(`pa55word|user|127\\.0\\.0\\.1|${down.port}`));
    assert.deepEqual(reported, [], "no stack in the log");
    assert.match(plugin.expose("prometheus"), /rpc_server_calls_total\{method="checkout",outcome="unavailable"\} 1/);
  });

  test("the upstream's URL credentials never reach the error, and its name and words reach our caller bounded", async () => {
    // fetch refuses a URL with credentials: what the client says about it leaves them out.
    const withCredentials = createClient("http://user:pa55word@127.0.0.1:9/api");
    const refused = await withCredentials.call("charge").then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof TransportError, String(refused));
    assert.equal(refused.url, "http://127.0.0.1:9/api");
    assert.doesNotMatch(refused.message, /pa55word|user@/);
    // A hostile upstream names itself with a terminal escape and 10,000 characters.
    const error = new TransportError("http://127.0.0.1:9/api", "network", "connection refused");
    error.service = `\u001b]0;owned\u0007${"x".repeat(10_000)}`;
    const answer = error.rpcError();
    assert.ok(answer);
    assert.equal(answer.code, -32004);
    // The control characters dropped, then the first 100 characters of the name kept.
    assert.equal(answer.message, `Unavailable: ]0;owned${"x".repeat(92)} could not be reached`);
    // An upstream's own -32002 with a long message and data: the code and a bounded message pass on, the data does not.
    const slow = await serve(new Service({ name: "slow" }).publicMethod("wait", () => {
      throw new RpcError(ErrorCode.Timeout, `Timeout: ${"y".repeat(5_000)}`, { internal: "db-7.prod:5432" });
    }), { port: 0 });
    try {
      const upstreamClient = createClient(`${slow.url}/api`);
      const relay = new Service({ name: "relay" }).publicMethod("wait", () => upstreamClient.call("wait"));
      const relayed = (await call(relay, { jsonrpc: "2.0", method: "wait", id: 1 })) as { error: { code: number; message: string; data?: unknown } };
      assert.equal(relayed.error.code, ErrorCode.Timeout);
      assert.equal(relayed.error.data, undefined);
      assert.ok(relayed.error.message.length <= 200);
    } finally {
      await slow.close();
    }
  });

  test("an upstream call the handler aborted itself is its own failure: -32603, reported", async () => {
    const seen: unknown[] = [];
    const own = new Service({ name: "own", onError: (error) => seen.push(error) }).publicMethod("cancel", () => {
      const controller = new AbortController();
      controller.abort();
      return slowClient.with({ signal: controller.signal }).methods.slow();
    });
    const answer = await call(own, { jsonrpc: "2.0", method: "cancel", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: ErrorCode.InternalError, message: "Internal error" }, id: 1 });
    assert.equal((seen[0] as TransportError).kind, "aborted");
  });

  test("a handler maps an unavailable upstream to an error of its own", async () => {
    const down = await serve(new Service({ name: "billing.service" }).publicMethod("charge", () => "ok"), { port: 0 });
    const billing = await connect(`${down.url}/api`);
    await down.close();
    const shop = new Service({ name: "shop" }).publicMethod("checkout", async () => {
      try {
        return await billing.call("charge");
      } catch (error) {
        if (error instanceof TransportError) throw new RpcError(1503, "Payments are down, try again later");
        throw error;
      }
    });
    assert.deepEqual(await call(shop, { jsonrpc: "2.0", method: "checkout", id: 1 }), {
      jsonrpc: "2.0",
      error: { code: 1503, message: "Payments are down, try again later" },
      id: 1,
    });
  });
});
