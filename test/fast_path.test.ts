// The fast paths: sync calls answered without any promise (and the same answers as async ones),
// batches mixing sync and async calls, and the Node adapter's direct route (no Web Request or
// Response) for a Service and a MicroService alike, with the same answers as service.fetch.
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { after, describe, test } from "node:test";
import { type CallContext, MicroService, publicMethod, RpcError, serve, Service } from "../mod.ts";
import { serveNode } from "../src/adapters/node.ts";
import { readBodyText } from "./helpers.ts";
import { denoResponse } from "../src/adapters/deno_response.ts";
import { toResponse } from "../src/http/handler.ts";
import type { PlainReply } from "../src/http/rpc_endpoint.ts";
import { mapConcurrently } from "../src/core/concurrency.ts";
import { dispatchMessage, dispatchText, targetOf } from "../src/core/dispatch.ts";
import { whenEnded } from "../src/plugins/when_ended.ts";

const TOKEN = "fast-token";

/** The same methods, written sync or async: both must answer exactly alike. */
function service(kind: "sync" | "async"): Service {
  const wrap = <A extends unknown[], R>(f: (...args: A) => R) =>
    kind === "sync" ? f : async (...args: A): Promise<Awaited<R>> => await Promise.resolve(f(...args));
  return new Service({
    name: `fast.${kind}`,
    apiTokenIsValid: kind === "sync" ? (token) => token === TOKEN : async (token) => await Promise.resolve(token === TOKEN),
  })
    .publicMethod("add", wrap((a: number, b: number) => a + b), { params: ["a", "b"] })
    .publicMethod("nothing", wrap(() => undefined), { params: [] })
    .publicMethod("fail", wrap((): number => {
      throw new RpcError(7, "on purpose", { why: "test" });
    }), { params: [] })
    .publicMethod("crash", wrap((): number => {
      throw new Error("secret detail");
    }), { params: [] })
    .publicMethod("big", wrap(() => 10n), { params: [] })
    .publicMethod("who", wrap((ctx: CallContext) => [ctx.method, ctx.token ?? null, ctx.isNotification]), { params: [], context: true })
    .privateMethod("secret", wrap(() => 42), { params: [] });
}

// Each case: its name, the message, whether the async service reaches async code (a handler or
// the token validator; a call refused before either is answered at once), and the headers.
const CASES: [string, unknown, boolean, Record<string, string>?][] = [
  ["positional params", { jsonrpc: "2.0", method: "add", params: [1, 2], id: 1 }, true],
  ["named params", { jsonrpc: "2.0", method: "add", params: { b: 2, a: 1 }, id: "x" }, true],
  ["a result of undefined answers null", { jsonrpc: "2.0", method: "nothing", id: 2 }, true],
  ["a notification", { jsonrpc: "2.0", method: "add", params: [1, 2] }, true],
  ["bad params", { jsonrpc: "2.0", method: "add", params: [1, 2, 3], id: 3 }, false],
  ["an RpcError", { jsonrpc: "2.0", method: "fail", id: 4 }, true],
  ["an unexpected error", { jsonrpc: "2.0", method: "crash", id: 5 }, true],
  ["a result JSON cannot carry", { jsonrpc: "2.0", method: "big", id: 6 }, true],
  ["the context, with the token read for a public method", { jsonrpc: "2.0", method: "who", id: 7 }, true, { "x-api-token": "abc" }],
  ["a private method with a token", { jsonrpc: "2.0", method: "secret", id: 8 }, true, { "x-api-token": TOKEN }],
  ["a private method without a token", { jsonrpc: "2.0", method: "secret", id: 9 }, false],
  ["a private method with a wrong token", { jsonrpc: "2.0", method: "secret", id: 10 }, true, { authorization: "Bearer nope" }],
  ["an unknown method", { jsonrpc: "2.0", method: "missing", id: 11 }, false],
  ["a batch of all of them", [
    { jsonrpc: "2.0", method: "add", params: [1, 2], id: 1 },
    { jsonrpc: "2.0", method: "add", params: [5, 5] },
    { jsonrpc: "2.0", method: "fail", id: 2 },
    { jsonrpc: "2.0", method: "crash", id: 3 },
    { jsonrpc: "2.0", method: "big", id: 4 },
    { jsonrpc: "2.0", method: "secret", id: 5 },
    { foo: "bar" },
  ], true, { "x-api-token": TOKEN }],
  ["a batch of notifications", [{ jsonrpc: "2.0", method: "add", params: [1, 2] }, { jsonrpc: "2.0", method: "nothing" }], true],
];

describe("sync and async handlers answer alike", () => {
  const sync = service("sync");
  const async = service("async");
  for (const [name, message, reachesAsync, headers] of CASES) {
    test(name, async () => {
      const ctx = { headers: new Headers(headers) };
      const text = JSON.stringify(message);
      const syncAnswer = dispatchText(targetOf(sync), text, ctx);
      const asyncAnswer = dispatchText(targetOf(async), text, ctx);
      // The sync service answers at once (no promise); the async one gives a promise once it
      // reaches async code.
      assert.ok(!(syncAnswer instanceof Promise), "a sync call is answered without a promise");
      assert.equal(asyncAnswer instanceof Promise, reachesAsync, "an async call gives a promise");
      assert.equal(await asyncAnswer, syncAnswer);
      // Through HTTP too (service.fetch), and in process through handle().
      const init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: text };
      const [syncResponse, asyncResponse] = await Promise.all([
        sync.fetch(new Request("http://localhost/api", init)),
        async.fetch(new Request("http://localhost/api", init)),
      ]);
      assert.equal(syncResponse.status, asyncResponse.status);
      assert.equal(await syncResponse.text(), await asyncResponse.text());
      assert.deepEqual(await sync.handle(message, ctx), await async.handle(message, ctx));
    });
  }

  test("the answers themselves are the expected ones", () => {
    const ctx = { headers: new Headers({ "x-api-token": TOKEN }) };
    const answer = (message: unknown): unknown => dispatchMessage(targetOf(sync), message, ctx);
    assert.deepEqual(answer({ jsonrpc: "2.0", method: "add", params: { a: 1, b: 2 }, id: 1 }), { jsonrpc: "2.0", result: 3, id: 1 });
    assert.deepEqual(answer({ jsonrpc: "2.0", method: "nothing", id: 1 }), { jsonrpc: "2.0", result: null, id: 1 });
    assert.deepEqual(answer({ jsonrpc: "2.0", method: "who", id: 1 }), { jsonrpc: "2.0", result: ["who", TOKEN, false], id: 1 });
    assert.deepEqual(answer({ jsonrpc: "2.0", method: "secret", id: 1 }), { jsonrpc: "2.0", result: 42, id: 1 });
    assert.deepEqual(answer({ jsonrpc: "2.0", method: "fail", id: 1 }), {
      jsonrpc: "2.0",
      error: { code: 7, message: "on purpose", data: { why: "test" } },
      id: 1,
    });
    assert.equal(answer({ jsonrpc: "2.0", method: "add", params: [1, 2] }), undefined);
    assert.equal(dispatchText(targetOf(sync), '{"jsonrpc":"2.0","method":"big","id":1}', ctx), '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}');
  });

  test("a handler's thenable result and a validator's thenable verdict are awaited", async () => {
    // A thenable that is not a Promise, as some libraries return.
    const thenable = <T>(value: T): PromiseLike<T> => ({
      then: (resolve) => Promise.resolve(resolve ? resolve(value) : value) as unknown as PromiseLike<never>,
    });
    const lazy = new Service({ name: "lazy", apiTokenIsValid: () => thenable(true) as unknown as boolean })
      .publicMethod("five", () => thenable(5))
      .privateMethod("six", () => 6);
    const ctx = { headers: new Headers({ "x-api-token": "any" }) };
    const answer = dispatchMessage(targetOf(lazy), [{ jsonrpc: "2.0", method: "five", id: 1 }, { jsonrpc: "2.0", method: "six", id: 2 }], ctx);
    assert.ok(answer instanceof Promise);
    assert.deepEqual(await answer, [{ jsonrpc: "2.0", result: 5, id: 1 }, { jsonrpc: "2.0", result: 6, id: 2 }]);
  });

  test("a validator that throws, or rejects, is an internal error for that call only", async () => {
    for (const apiTokenIsValid of [(): boolean => {
      throw new Error("db down");
    }, (): Promise<boolean> => Promise.reject(new Error("db down"))]) {
      const reported: unknown[] = [];
      const guarded = new Service({ name: "g", apiTokenIsValid, onError: (error) => reported.push(error) })
        .publicMethod("open", () => 1)
        .privateMethod("closed", () => 2);
      const answer = await dispatchMessage(targetOf(guarded), [
        { jsonrpc: "2.0", method: "closed", id: 1 },
        { jsonrpc: "2.0", method: "open", id: 2 },
      ], { headers: new Headers({ "x-api-token": "t" }) });
      assert.deepEqual(answer, [
        { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 },
        { jsonrpc: "2.0", result: 1, id: 2 },
      ]);
      assert.equal(reported.length, 1);
    }
  });

  test("an observing plugin sees sync and async calls alike, with what was thrown", async () => {
    for (const kind of ["sync", "async"] as const) {
      const seen: unknown[] = [];
      const watched = new Service({ name: "w" })
        .use({ name: "watch", call: (_call, next) => whenEnded(next(), ({ method, ok, code, error, notification }) => seen.push({ method, ok, code, error, notification })) })
        .publicMethod("ok", kind === "sync" ? () => 1 : async () => await Promise.resolve(1))
        .publicMethod("bad", kind === "sync" ? () => {
          throw new RpcError(3, "bad");
        } : async () => {
          await Promise.resolve();
          throw new RpcError(3, "bad");
        });
      await watched.handle([{ jsonrpc: "2.0", method: "ok", id: 1 }, { jsonrpc: "2.0", method: "bad" }, { jsonrpc: "2.0", method: "none", id: 2 }]);
      assert.equal(seen.length, 3, kind);
      const of = (method: string): Record<string, unknown> => seen.find((call) => (call as { method: string }).method === method) as Record<string, unknown>;
      assert.deepEqual(of("ok"), { method: "ok", ok: true, code: undefined, error: undefined, notification: false });
      assert.equal(of("bad")["error"] instanceof RpcError, true);
      assert.deepEqual({ ...of("bad"), error: undefined }, { method: "bad", ok: false, code: 3, error: undefined, notification: true });
      assert.deepEqual(of("none"), { method: "none", ok: false, code: -32601, error: undefined, notification: false });
    }
  });
});

describe("batches mixing sync and async calls", () => {
  test("keep their order, run sync calls in order, and never have more async calls pending than the limit", async () => {
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const mixed = new Service({ name: "mixed", limits: { batchConcurrency: 2 } })
      .publicMethod("now", (tag: string) => {
        started.push(tag);
        return tag;
      })
      .publicMethod("later", async (tag: string, ms: number) => {
        started.push(tag);
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, ms));
        running--;
        return tag;
      });
    const calls: [string, unknown[]][] = [
      ["now", ["a"]],
      ["later", ["b", 30]],
      ["now", ["c"]],
      ["later", ["d", 5]],
      ["later", ["e", 1]],
      ["now", ["f"]],
      ["later", ["g", 1]],
    ];
    const answer = await mixed.handle(calls.map(([method, params], id) => ({ jsonrpc: "2.0", method, params, id })));
    assert.deepEqual((answer as { result: unknown }[]).map((response) => response.result), ["a", "b", "c", "d", "e", "f", "g"]);
    assert.deepEqual(started, ["a", "b", "c", "d", "e", "f", "g"]);
    assert.equal(most, 2);
  });

  test("mapConcurrently answers sync work at once, and mixed work with a promise", async () => {
    const direct = mapConcurrently([1, 2, 3], 2, (n) => n * 2);
    assert.deepEqual(direct, [2, 4, 6]);
    const mixed = mapConcurrently([1, 2, 3, 4], 1, (n) => (n % 2 === 0 ? Promise.resolve(n * 10) : n));
    assert.ok(mixed instanceof Promise);
    assert.deepEqual(await mixed, [1, 20, 3, 40]);
    await assert.rejects(Promise.resolve(mapConcurrently([1, 2, 3], 1, (n) => (n === 1 ? Promise.resolve(n) : Promise.reject(new Error("no"))))), /no/);
    await assert.rejects(Promise.resolve(mapConcurrently([1, 2, 3], 1, (n) => {
      if (n === 1) return Promise.resolve(n);
      throw new Error("thrown");
    })), /thrown/);
  });
});

describe("Web responses", () => {
  test("the Deno adapter's denoResponse gives the same status, headers and body as toResponse", async () => {
    const replies: PlainReply[] = [
      { status: 200, headers: { "content-type": "application/json", "x-content-type-options": "nosniff" }, body: '{"jsonrpc":"2.0","result":1,"id":1}' },
      { status: 200, headers: { "content-type": "application/json", "x-content-type-options": "nosniff", "access-control-allow-origin": "https://a.example", vary: "Origin" }, body: "[]" },
      { status: 200, headers: { "content-type": "text/plain;charset=UTF-8" }, body: "plain" },
      { status: 200, headers: { "content-type": "application/vnd.api+json", "x-content-type-options": "nosniff" }, body: "{}" },
      { status: 204, headers: {}, body: null },
      { status: 204, headers: { vary: "Origin" }, body: null },
      { status: 413, headers: { "content-type": "application/json", "x-content-type-options": "nosniff" }, body: "{}" },
      { status: 405, headers: { allow: "POST", "content-type": "text/plain;charset=UTF-8" }, body: "Method Not Allowed: use POST" },
    ];
    for (const reply of replies) {
      const made = denoResponse(reply);
      const plain = toResponse(reply);
      assert.equal(made.status, plain.status);
      assert.deepEqual([...made.headers], [...plain.headers]);
      assert.equal(await made.text(), await plain.text());
    }
  });
});

describe("bodies", () => {
  test("a declared length is read whole; a body longer than declared is still refused", async () => {
    const declared = (body: string, length: number): Request =>
      new Request("http://localhost/", { method: "POST", headers: { "content-length": String(length) }, body });
    assert.equal(await readBodyText(declared("{}", 2), 64), "{}");
    await assert.rejects(readBodyText(declared("x".repeat(100), 5), 64), /exceeds 64 bytes/);
    await assert.rejects(readBodyText(declared("x".repeat(100), 100), 64), /exceeds 64 bytes/);
  });

  test("a valid body that contains U+FFFD is read as it is; invalid bytes are refused; a byte order mark is dropped", async () => {
    const echo = new Service({ name: "e" }).publicMethod("echo", (text: string) => text);
    const body = (bytes: Uint8Array): Request => new Request("http://localhost/api", { method: "POST", body: bytes as BodyInit });
    const valid = new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["\uFFFD"],"id":1}');
    assert.deepEqual(await (await echo.fetch(body(valid))).json(), { jsonrpc: "2.0", result: "\uFFFD", id: 1 });
    const invalid = new Uint8Array([...valid.subarray(0, 40), 0xff, ...valid.subarray(40)]);
    assert.equal(((await (await echo.fetch(body(invalid))).json()) as { error: { code: number } }).error.code, -32700);
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...valid]);
    assert.deepEqual(await (await echo.fetch(body(withBom))).json(), { jsonrpc: "2.0", result: "\uFFFD", id: 1 });
  });
});

/**
 * Sends raw bytes and returns everything the server wrote until it closed (the request says
 * Connection: close; the socket is not half-closed, which would make Node drop an async answer).
 */
function rawExchange(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.write(data);
  });
}

/** A request with Connection: close, as raw bytes. */
function rawRequest(method: string, headers: Record<string, string>, body: Uint8Array = new Uint8Array()): Buffer {
  const head = [`${method} /api HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

/** The status and body of a raw HTTP/1.1 response (Content-Length framed). */
function parseRaw(raw: string): { status: number; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  return { status: Number(raw.slice(9, 12)), body: Buffer.from(raw.slice(end + 4), "latin1").toString("utf8") };
}

class EchoService extends MicroService {
  name = "echo.service";

  @publicMethod
  echo(text: string) {
    return text;
  }
}

describe("the Node adapter's direct route", () => {
  /** Counts the calls of an app's fetch, keeping its answers. */
  function countFetches(app: { readonly fetch: (request: Request) => Promise<Response> }): { count: number } {
    const counter = { count: 0 };
    const original = app.fetch;
    Object.defineProperty(app, "fetch", {
      value: (request: Request) => {
        counter.count++;
        return original(request);
      },
    });
    return counter;
  }

  for (const [kind, make] of [
    ["a Service", () => new Service({ name: "echo.service" }).publicMethod("echo", (text: string) => text)],
    ["a MicroService", () => new EchoService()],
  ] as const) {
    test(`${kind} answers its JSON-RPC path without building a Web Request; other paths go through fetch`, async () => {
      const app = make();
      const fetches = countFetches(app);
      const server = await serve(app, { port: 0 });
      after(() => server.close());
      const response = await fetch(`${server.url}/api`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":1}',
      });
      assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: "hi", id: 1 });
      assert.equal(fetches.count, 0, "the JSON-RPC path never called fetch (so no Request was built)");
      const other = await fetch(`${server.url}/elsewhere`);
      assert.equal(other.status, 404);
      await other.body?.cancel();
      assert.equal(fetches.count, 1, "the other path went through fetch");
    });
  }

  test("a MicroService whose settings are invalid is served through fetch, which answers 500", async () => {
    class Nameless extends MicroService {}
    const server = await serveNode(new Nameless(), { port: 0 });
    after(() => server.close());
    const response = await fetch(`${server.url}/api`, { method: "POST", body: "{}" });
    assert.equal(response.status, 500);
    await response.body?.cancel();
  });

  test("answers every kind of request exactly as service.fetch does", async () => {
    const echo = new Service({ name: "echo.service", limits: { maxBodyBytes: 200 } }).publicMethod("echo", (text: string) => text)
      .publicMethod("slow", async (text: string) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return text;
      });
    const server = await serveNode(echo, { port: 0 });
    after(() => server.close());
    const json = { "content-type": "application/json" };
    const call = new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["h\u00e9 \u2713"],"id":1}');
    const cases: [string, string, Record<string, string>, Uint8Array?][] = [
      ["a call", "POST", json, call],
      ["an async call", "POST", json, new TextEncoder().encode('[{"jsonrpc":"2.0","method":"slow","params":["x"],"id":1},{"jsonrpc":"2.0","method":"echo","params":["y"],"id":2}]')],
      ["a notification", "POST", json, new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["x"]}')],
      ["no content type", "POST", {}, call],
      ["a byte order mark", "POST", json, new Uint8Array([0xef, 0xbb, 0xbf, ...call])],
      ["bytes that are not UTF-8", "POST", json, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
      ["an empty body", "POST", json, new Uint8Array()],
      ["not JSON", "POST", json, new TextEncoder().encode("{oops")],
      ["another content type", "POST", { "content-type": "text/plain" }, call],
      ["another method", "GET", {}],
      ["a body over the limit", "POST", json, new Uint8Array(300).fill(0x20)],
    ];
    for (const [name, method, headers, body] of cases) {
      const framing = body === undefined ? {} : { "content-length": String(body.byteLength) };
      const overSocket = parseRaw(await rawExchange(server.port, rawRequest(method, { ...headers, ...framing }, body)));
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = body as BodyInit;
      const inProcess = await echo.fetch(new Request("http://localhost/api", init));
      assert.equal(overSocket.status, inProcess.status, name);
      assert.equal(overSocket.body, await inProcess.text(), name);
    }
  });

  test("a client that goes away while sending its body is not answered, and the server goes on", async () => {
    let runs = 0;
    const server = await serve(new Service({ name: "s" }).publicMethod("count", () => ++runs), { port: 0 });
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve) => {
        const socket = netConnect(server.port, "127.0.0.1");
        socket.on("error", () => {});
        socket.on("connect", () => {
          socket.write('POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"');
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20);
        });
      });
    }
    const response = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"count","id":1}',
    });
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: 1, id: 1 });
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 2_000);
  });

  test("close() right after an answer on a kept-alive connection resolves at once", async () => {
    const server = await serve(new Service({ name: "s" }).publicMethod("ping", () => "pong"), { port: 0 });
    const response = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"ping","id":1}',
    });
    const closing = server.close();
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    const started = Date.now();
    await closing;
    assert.ok(Date.now() - started < 2_000, "close() did not wait for the keep-alive timeout");
  });
});
