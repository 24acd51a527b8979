// Who is calling, in the core (issue 27): a token validator may answer a Caller, which handlers
// see as ctx.caller; a method's `scopes` (a list or a predicate) are asked of that caller, with
// -32003 Forbidden naming what is missing; plugins may judge tokens (`authenticate`), nested in
// use() order before the service's own validator; and a client passes one caller's token on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ApiTokenValidator, type CallContext, type Caller, createClient, ErrorCode, type Plugin, RpcError, Service } from "../mod.ts";
import { call } from "./helpers.ts";

const ALICE: Caller = { subject: "alice", scopes: ["orders:read", "orders:write"], claims: { role: "staff" } };
const BOB: Caller = { subject: "bob", scopes: ["orders:read"], claims: { role: "customer" } };
const PEOPLE = new Map<string, unknown>([["alice-token", ALICE], ["bob-token", BOB], ["plain-token", true]]);

/** A validator that knows three tokens: two callers and one that answers only `true`. */
const validator: ApiTokenValidator = (token) => (PEOPLE.get(token) as Caller | true | undefined) ?? false;

function ordersService(apiTokenIsValid: ApiTokenValidator = validator, onError: (error: unknown) => void = () => {}): Service {
  return new Service({ name: "orders", apiTokenIsValid, onError })
    .privateMethod("whoami", (ctx: CallContext) => ctx.caller ?? null, { context: true })
    .privateMethod("cancel", (id: string, ctx: CallContext) => `${ctx.caller?.subject} cancelled ${id}`, { context: true, scopes: ["orders:write"] })
    .privateMethod("audit", () => "audited", { scopes: ["orders:read", "orders:audit"] })
    .publicMethod("track", (id: string) => `tracking ${id}`, { scopes: ["orders:read"] })
    .publicMethod("hello", (ctx: CallContext) => ctx.caller ?? "anonymous", { context: true })
    .privateMethod("staff_only", () => "staff", { scopes: (caller) => caller.claims["role"] === "staff" });
}

const rpc = (service: Service, method: string, params: unknown[], token?: string): Promise<unknown> =>
  call(service, { jsonrpc: "2.0", method, params, id: 1 }, token === undefined ? {} : { "x-api-token": token });

describe("ctx.caller", () => {
  const service = ordersService();

  test("is the caller the validator answered, in the handler's context", async () => {
    assert.deepEqual(await rpc(service, "whoami", [], "alice-token"), { jsonrpc: "2.0", result: ALICE, id: 1 });
    assert.deepEqual(await rpc(service, "whoami", [], "bob-token"), { jsonrpc: "2.0", result: BOB, id: 1 });
  });

  test("is undefined when the validator answers only true, and for public methods", async () => {
    assert.deepEqual(await rpc(service, "whoami", [], "plain-token"), { jsonrpc: "2.0", result: null, id: 1 });
    assert.deepEqual(await rpc(service, "hello", [], "alice-token"), { jsonrpc: "2.0", result: "anonymous", id: 1 });
  });

  test("the context keeps the request's signal and deadline beside the caller", async () => {
    const seen: { aborted: boolean | undefined; deadline: number | undefined; subject: string | undefined }[] = [];
    const watched = new Service({ name: "w", apiTokenIsValid: validator })
      .privateMethod("watch", (ctx: CallContext) => void seen.push({ aborted: ctx.signal?.aborted, deadline: ctx.deadline, subject: ctx.caller?.subject }), { context: true });
    const before = Date.now();
    await call(watched, { jsonrpc: "2.0", method: "watch", id: 1 }, { "x-api-token": "alice-token", "x-request-timeout": "60000" });
    const [one] = seen;
    assert.equal(seen.length, 1);
    assert.equal(one?.aborted, false);
    assert.equal(one.subject, "alice");
    assert.ok(one.deadline !== undefined && one.deadline >= before + 60_000 && one.deadline <= Date.now() + 60_000);
  });

  test("without a deadline, the handler's signal is the request's: aborted when the caller goes away", async () => {
    const seen: (boolean | undefined)[] = [];
    const controller = new AbortController();
    const watched = new Service({ name: "w", apiTokenIsValid: validator })
      .privateMethod("watch", (ctx: CallContext) => {
        seen.push(ctx.signal?.aborted);
        controller.abort();
        seen.push(ctx.signal?.aborted);
        return ctx.caller?.subject;
      }, { context: true });
    const request = new Request("http://localhost/api", {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-token": "bob-token" },
      body: '{"jsonrpc":"2.0","method":"watch","id":1}',
      signal: controller.signal,
    });
    await (await watched.fetch(request)).text();
    assert.deepEqual(seen, [false, true]);
  });

  test("only true or an object admits: other answers of a JavaScript validator are refusals", async () => {
    for (const answer of [1, "yes", null, undefined, 0, Symbol("x")]) {
      const odd = ordersService(() => answer as never);
      assert.deepEqual(await rpc(odd, "whoami", [], "any"), {
        jsonrpc: "2.0",
        error: { code: -32001, message: "Access denied: a valid API token is required" },
        id: 1,
      }, String(answer));
    }
  });
});

describe("a method's scopes", () => {
  const service = ordersService();

  test("-32003 names the missing scope; the caller with it runs the method", async () => {
    assert.equal(ErrorCode.Forbidden, -32003);
    assert.deepEqual(await rpc(service, "cancel", ["o-1"], "bob-token"), {
      jsonrpc: "2.0",
      error: { code: -32003, message: "Forbidden: the scope orders:write is required" },
      id: 1,
    });
    assert.deepEqual(await rpc(service, "cancel", ["o-1"], "alice-token"), { jsonrpc: "2.0", result: "alice cancelled o-1", id: 1 });
  });

  test("every scope is needed: the first one missing is named", async () => {
    // alice has orders:read but not orders:audit
    assert.deepEqual(await rpc(service, "audit", [], "alice-token"), {
      jsonrpc: "2.0",
      error: { code: -32003, message: "Forbidden: the scope orders:audit is required" },
      id: 1,
    });
    const auditor: Caller = { subject: "carol", scopes: ["orders:audit", "orders:read"], claims: {} };
    const audited = ordersService(() => auditor);
    assert.deepEqual(await rpc(audited, "audit", [], "carol-token"), { jsonrpc: "2.0", result: "audited", id: 1 });
  });

  test("a validator's bare true is a caller without scopes: forbidden, not denied", async () => {
    assert.deepEqual(await rpc(service, "cancel", ["o-1"], "plain-token"), {
      jsonrpc: "2.0",
      error: { code: -32003, message: "Forbidden: the scope orders:write is required" },
      id: 1,
    });
  });

  test("an object without a scopes array (a JavaScript validator's) is no caller: access denied", async () => {
    for (const answer of [{ subject: "dave" }, { scopes: "orders:write" }, {}, [true], new Boolean(true)]) {
      const sloppy = ordersService(() => answer as never);
      for (const method of ["cancel", "whoami"]) {
        assert.deepEqual(await rpc(sloppy, method, ["o-1"], "t"), {
          jsonrpc: "2.0",
          error: { code: -32001, message: "Access denied: a valid API token is required" },
          id: 1,
        }, `${JSON.stringify(answer)} ${method}`);
      }
    }
    const minimal = ordersService(() => ({ scopes: [], claims: {} }));
    assert.deepEqual(await rpc(minimal, "whoami", [], "t"), { jsonrpc: "2.0", result: { scopes: [], claims: {} }, id: 1 });
  });

  test("make a public method need a token: -32001 without one, -32003 without the scope", async () => {
    assert.deepEqual(await rpc(service, "track", ["o-1"]), {
      jsonrpc: "2.0",
      error: { code: -32001, message: "Access denied: a valid API token is required" },
      id: 1,
    });
    assert.deepEqual(await rpc(service, "track", ["o-1"], "plain-token"), {
      jsonrpc: "2.0",
      error: { code: -32003, message: "Forbidden: the scope orders:read is required" },
      id: 1,
    });
    assert.deepEqual(await rpc(service, "track", ["o-1"], "bob-token"), { jsonrpc: "2.0", result: "tracking o-1", id: 1 });
    assert.equal(service.findMethod("track")?.isPrivate, true);
  });

  test("in a batch, each call is judged on its own", async () => {
    const answers = await call(service, [
      { jsonrpc: "2.0", method: "cancel", params: ["o-1"], id: 1 },
      { jsonrpc: "2.0", method: "track", params: ["o-2"], id: 2 },
      { jsonrpc: "2.0", method: "hello", id: 3 },
      { jsonrpc: "2.0", method: "audit", id: 4 },
    ], { "x-api-token": "bob-token" });
    assert.deepEqual(answers, [
      { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: the scope orders:write is required" }, id: 1 },
      { jsonrpc: "2.0", result: "tracking o-2", id: 2 },
      { jsonrpc: "2.0", result: "anonymous", id: 3 },
      { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: the scope orders:audit is required" }, id: 4 },
    ]);
  });

  test("a predicate decides instead of a list: no names no scope", async () => {
    assert.deepEqual(await rpc(service, "staff_only", [], "alice-token"), { jsonrpc: "2.0", result: "staff", id: 1 });
    for (const token of ["bob-token", "plain-token"]) {
      assert.deepEqual(await rpc(service, "staff_only", [], token), {
        jsonrpc: "2.0",
        error: { code: -32003, message: "Forbidden: staff_only refuses this caller" },
        id: 1,
      }, token);
    }
  });

  test("a predicate that answers a truthy non-true value refuses (only true admits)", async () => {
    const loose = new Service({ name: "l", apiTokenIsValid: validator }).privateMethod("m", () => "ran", { scopes: (() => "yes") as never });
    assert.deepEqual(await rpc(loose, "m", [], "alice-token"), { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: m refuses this caller" }, id: 1 });
  });

  test("a predicate that throws is an internal error, reported, with a sync or an async validator", async () => {
    for (const apiTokenIsValid of [validator, async (token: string) => await Promise.resolve(validator(token, { method: "m", headers: new Headers() }))]) {
      const reported: unknown[] = [];
      const broken = new Service({ name: "b", apiTokenIsValid, onError: (error) => reported.push(error) })
        .privateMethod("m", () => "ran", {
          scopes: () => {
            throw new Error("predicate broke");
          },
        });
      assert.deepEqual(await rpc(broken, "m", [], "alice-token"), { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 });
      assert.equal((reported[0] as Error).message, "predicate broke");
      assert.equal(reported.length, 1);
    }
  });

  test("rpc.discover shows a list of scopes (x-scopes) and marks scoped methods private", async () => {
    const document = (await rpc(service, "rpc.discover", [])) as { result: { methods: Record<string, unknown>[] } };
    const byName = new Map(document.result.methods.map((method) => [method["name"], method]));
    assert.deepEqual(byName.get("cancel")?.["x-scopes"], ["orders:write"]);
    assert.deepEqual(byName.get("track")?.["x-scopes"], ["orders:read"]);
    assert.equal(byName.get("track")?.["x-private"], true);
    assert.equal("x-scopes" in (byName.get("whoami") ?? {}), false);
    // A predicate cannot be shown: the method is private, without x-scopes.
    assert.equal("x-scopes" in (byName.get("staff_only") ?? {}), false);
    assert.equal(byName.get("staff_only")?.["x-private"], true);
  });
});

describe("plugins that judge tokens (authenticate)", () => {
  const named = (name: string, tokens: Record<string, Caller>, log: string[]): Plugin => ({
    name,
    authenticate(token, ctx, next) {
      log.push(`${name}:${ctx.method}`);
      return tokens[token] ?? (next === undefined ? false : next(token, ctx));
    },
  });

  test("are asked in use() order, each able to pass a token on, the service's own validator last", async () => {
    const log: string[] = [];
    const service = new Service({ name: "p", apiTokenIsValid: (token) => (log.push("own"), token === "own-token") })
      .use(named("first", { "a-token": ALICE }, log))
      .use(named("second", { "b-token": BOB }, log))
      .privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject ?? "nobody in particular", { context: true });
    assert.deepEqual(await rpc(service, "whoami", [], "a-token"), { jsonrpc: "2.0", result: "alice", id: 1 });
    assert.deepEqual(log.splice(0), ["first:whoami"]);
    assert.deepEqual(await rpc(service, "whoami", [], "b-token"), { jsonrpc: "2.0", result: "bob", id: 1 });
    assert.deepEqual(log.splice(0), ["first:whoami", "second:whoami"]);
    assert.deepEqual(await rpc(service, "whoami", [], "own-token"), { jsonrpc: "2.0", result: "nobody in particular", id: 1 });
    assert.deepEqual(log.splice(0), ["first:whoami", "second:whoami", "own"]);
    assert.equal(((await rpc(service, "whoami", [], "stranger")) as { error: { code: number } }).error.code, -32001);
  });

  test("without an own validator, the last plugin's next is undefined; public methods ask nobody", async () => {
    const log: string[] = [];
    let lastNext: unknown = "not called";
    const service = new Service({ name: "q" })
      .use({ name: "only", authenticate: (token, _ctx, next) => ((lastNext = next), log.push(token), token === "ok") })
      .publicMethod("open", () => "open")
      .privateMethod("closed", () => "closed");
    assert.deepEqual(await rpc(service, "open", [], "ok"), { jsonrpc: "2.0", result: "open", id: 1 });
    assert.deepEqual(log, []);
    assert.deepEqual(await rpc(service, "closed", [], "ok"), { jsonrpc: "2.0", result: "closed", id: 1 });
    assert.equal(lastNext, undefined);
  });

  test("a plugin that throws an RpcError answers it (how jwt() says why a token is refused)", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "r", onError: (error) => reported.push(error) })
      .use({
        name: "strict",
        authenticate: () => {
          throw new RpcError(ErrorCode.AccessDenied, "Access denied: the token has expired");
        },
      })
      .privateMethod("closed", () => "closed");
    assert.deepEqual(await rpc(service, "closed", [], "t"), { jsonrpc: "2.0", error: { code: -32001, message: "Access denied: the token has expired" }, id: 1 });
    assert.deepEqual(reported, []);
  });

  test("a service whose only validator is a plugin's does not warn that its private methods are closed", async () => {
    const warned: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      const service = new Service({ name: "quiet" }).use({ name: "v", authenticate: () => true }).privateMethod("closed", () => "closed");
      await service.startup();
      await service.shutdown();
      const open = new Service({ name: "loud" }).privateMethod("closed", () => "closed");
      await open.startup();
      await open.shutdown();
    } finally {
      console.warn = warn;
    }
    assert.equal(warned.length, 1);
    assert.match(String((warned[0] as unknown[])[0]), /^loud: no apiTokenIsValid/);
  });
});

describe("a token passed on (a gateway)", () => {
  const inner = ordersService();
  const innerFetch = (url: string, init: RequestInit): Promise<Response> => inner.fetch(new Request(url, init));
  const upstream = createClient<{ whoami(): unknown }>("http://inner/api", { fetch: innerFetch, token: "alice-token" });
  const gateway = new Service({ name: "gateway", apiTokenIsValid: validator })
    .publicMethod("whoami_upstream", (ctx: CallContext) => upstream.call("whoami", [], { token: ctx.token }), { context: true })
    .publicMethod("whoami_as_gateway", () => upstream.call("whoami", []));

  test("{ token: ctx.token } sends the caller's own token upstream", async () => {
    assert.deepEqual(await rpc(gateway, "whoami_upstream", [], "bob-token"), { jsonrpc: "2.0", result: BOB, id: 1 });
    assert.deepEqual(await rpc(gateway, "whoami_as_gateway", [], "bob-token"), { jsonrpc: "2.0", result: ALICE, id: 1 });
  });

  test("an anonymous caller stays anonymous upstream: no token, not the client's", async () => {
    const answer = (await rpc(gateway, "whoami_upstream", [])) as { error: { code: number } };
    // The upstream's -32001 is about that hop: the gateway's caller sees an internal error.
    assert.equal(answer.error.code, -32603);
    await assert.rejects(upstream.call("whoami", [], { token: undefined }), (error: unknown) => error instanceof RpcError && error.code === -32001);
  });
});
