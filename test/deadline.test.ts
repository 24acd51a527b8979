// Deadlines across hops: a request's X-Request-Timeout (the ms its caller still waits) starts each
// call's ctx.signal and ctx.deadline; a call still running then answers -32002; a call whose time
// is already up is refused without running; a malformed header is an Invalid Request; and a
// handler that hands ctx.deadline to its own client passes the caller's remaining budget on.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { type CallContext, connect, ErrorCode, serve, Service, TransportError } from "../mod.ts";
import { call } from "./helpers.ts";

/** Waits until its signal aborts (or 2 s, should it never), then says whether it did. */
const waitForAbort = (ctx: CallContext): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 2_000);
    ctx.signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe("X-Request-Timeout on the server", () => {
  let runs = 0;
  const seen: { deadline: number | undefined; aborted: boolean }[] = [];
  const service = new Service({ name: "deadline.service", timeout: 5_000 })
    .publicMethod("slow", async (ctx: CallContext) => {
      runs++;
      const aborted = await waitForAbort(ctx);
      seen.push({ deadline: ctx.deadline, aborted });
      return "late";
    }, { context: true })
    .publicMethod("quick", (ctx: CallContext) => ctx.deadline ?? null, { context: true })
    .publicMethod("tight", (ctx: CallContext) => waitForAbort(ctx), { context: true, timeout: 30 });

  test("a call still running when the caller's time is up answers -32002, and its signal aborts", async () => {
    const before = Date.now();
    const answer = await call(service, { jsonrpc: "2.0", method: "slow", id: 1 }, { "x-request-timeout": "40" });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: ErrorCode.Timeout, message: "Timeout: the caller's deadline passed" }, id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(seen.at(-1)?.aborted, true);
    const deadline = seen.at(-1)?.deadline ?? 0;
    assert.ok(deadline >= before + 40 && deadline <= Date.now(), "ctx.deadline is when the caller stops waiting");
  });

  test("a call whose time is already up is refused without running; every entry of a batch alike", async () => {
    const ran = runs;
    const answer = await call(service, [
      { jsonrpc: "2.0", method: "slow", id: 1 },
      { jsonrpc: "2.0", method: "quick", id: 2 },
    ], { "x-request-timeout": "0" });
    const refused = { code: ErrorCode.Timeout, message: "Timeout: the caller's deadline passed before the call ran" };
    assert.deepEqual(answer, [{ jsonrpc: "2.0", error: refused, id: 1 }, { jsonrpc: "2.0", error: refused, id: 2 }]);
    assert.equal(runs, ran, "the handler never ran");
  });

  test("the shorter of the caller's budget and the method's own timeout wins", async () => {
    const own = await call(service, { jsonrpc: "2.0", method: "tight", id: 1 }, { "x-request-timeout": "5000" });
    assert.deepEqual(own, { jsonrpc: "2.0", error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 30 ms" }, id: 1 });
    const answer = await call(service, { jsonrpc: "2.0", method: "quick", id: 2 }, { "x-request-timeout": "60000" });
    const deadline = (answer as { result: number }).result;
    assert.ok(Math.abs(deadline - (Date.now() + 60_000)) < 1_000);
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "quick", id: 3 }), { jsonrpc: "2.0", result: null, id: 3 }, "no header, no deadline");
  });

  test("a header that is not a whole number of ms is an Invalid Request, and nothing runs", async () => {
    const ran = runs;
    for (const value of ["abc", "-5", "1.5", "1e3", ""]) {
      const answer = await call(service, { jsonrpc: "2.0", method: "slow", id: 1 }, { "x-request-timeout": value });
      assert.deepEqual(answer, {
        jsonrpc: "2.0",
        error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: X-Request-Timeout must be a whole number of ms" },
        id: null,
      }, JSON.stringify(value));
    }
    assert.equal(runs, ran);
  });
});

describe("deadlines given in the context, ctx.call, and the timer's end", () => {
  const service = new Service({ name: "context.deadline" })
    .publicMethod("deadline", (ctx: CallContext) => ctx.deadline ?? null, { context: true })
    .publicMethod("inner_deadline", (ctx: CallContext) => ctx.call("deadline"), { context: true })
    .publicMethod("inner_signal", (ctx: CallContext) => {
      inner = ctx.signal;
      return null;
    }, { context: true })
    .publicMethod("outer_signal", async (ctx: CallContext) => {
      await ctx.call("inner_signal");
      return ctx.signal === inner;
    }, { context: true, timeout: 5_000 })
    .publicMethod("keep_signal", (ctx: CallContext) => {
      kept = ctx.signal;
      return "done";
    }, { context: true, timeout: 1_000 });
  let kept: AbortSignal | undefined;
  let inner: AbortSignal | undefined;

  test("a deadline given in the context wins over a (longer) X-Request-Timeout header", async () => {
    const deadline = Date.now() + 5_000;
    const answer = await service.handle({ jsonrpc: "2.0", method: "deadline", id: 1 }, {
      headers: new Headers({ "x-request-timeout": "600000" }),
      deadline,
    });
    assert.deepEqual(answer, { jsonrpc: "2.0", result: deadline, id: 1 });
  });

  test("ctx.call() keeps the caller's deadline for the inner call", async () => {
    const deadline = Date.now() + 5_000;
    const answer = await service.handle({ jsonrpc: "2.0", method: "inner_deadline", id: 1 }, { headers: new Headers(), deadline });
    assert.deepEqual(answer, { jsonrpc: "2.0", result: deadline, id: 1 });
  });

  test("ctx.call() gives the inner call the outer call's signal (its deadline's, aborting with it)", async () => {
    const answer = await service.handle({ jsonrpc: "2.0", method: "outer_signal", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", result: true, id: 1 });
    assert.ok(inner instanceof AbortSignal);
  });

  test("the timeout timer is cleared when the call ends: it neither holds the event loop nor aborts the signal later", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const answer = await service.handle({ jsonrpc: "2.0", method: "keep_signal", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", result: "done", id: 1 });
    t.mock.timers.tick(5_000);
    assert.equal(kept?.aborted, false, "the signal of a call that ended in time never aborts");
  });
});

describe("deadlines across two hops", () => {
  const upstreamSeen: (string | null)[] = [];
  const upstream = new Service({ name: "upstream" })
    .publicMethod("budget", (ctx: CallContext) => {
      upstreamSeen.push(ctx.headers.get("x-request-timeout"));
      return ctx.deadline ?? null;
    }, { context: true });
  let gatewayPort = 0;
  let upstreamUrl = "";
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  test("the client sends its timeout; a gateway that hands on ctx.deadline passes the caller's remaining budget", async () => {
    const up = await serve(upstream, { port: 0 });
    servers.push(up);
    upstreamUrl = `${up.url}/api`;
    const gateway = new Service({ name: "gateway" }).publicMethod("relay", async (ctx: CallContext) => {
      const remote = await connect<typeof upstream>(upstreamUrl, { timeout: 60_000 });
      return await remote.call("budget", [], { deadline: ctx.deadline });
    }, { context: true });
    const gw = await serve(gateway, { port: 0 });
    servers.push(gw);
    gatewayPort = gw.port;
    const client = await connect<typeof gateway>(`http://127.0.0.1:${gatewayPort}/api`, { timeout: 2_000 });
    const upstreamDeadline = await client.call("relay");
    assert.equal(typeof upstreamDeadline, "number", "the upstream call had a deadline");
    const sent = Number(upstreamSeen.at(-1));
    assert.ok(sent > 0 && sent <= 2_000, `the gateway sent what was left of the first caller's 2 s, not its own 60 s (${sent})`);
  });

  test("a deadline already past fails on the client before anything is sent", async () => {
    const remote = await connect<typeof upstream>(upstreamUrl);
    const before = upstreamSeen.length;
    // Exactly the client's timeout error: a TypeError from a bug must not pass for it.
    await assert.rejects(remote.call("budget", [], { deadline: Date.now() - 1 }), (error: unknown) => {
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(error.kind, "timeout");
      assert.match(error.message, /the call's deadline has passed/);
      return true;
    });
    assert.equal(upstreamSeen.length, before);
  });
});
