// Call logs: an observing plugin sees each call's method, duration, outcome (ok or the error code)
// and what was thrown, never its params or token; callLog() writes one line per call; unexpected
// errors go to console.error by default, and `onError: false` silences them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallStart, type CallSummary, ErrorCode, RpcError, Service } from "../mod.ts";
import { callLog, logCalls } from "../src/plugins/call_log.ts";
import { call } from "./helpers.ts";
import { whenEnded } from "../src/plugins/when_ended.ts";

const TOKEN = "token-never-logged-5e1f";
const PARAM = "param-never-logged-93ab";

function watchedService(observe: (summary: CallSummary) => void, starts: CallStart[] = []): Service {
  return new Service({ name: "log.service", apiTokenIsValid: (token) => token === TOKEN })
    .use({ name: "watch", call: (start, next) => {
      starts.push(start);
      return whenEnded(next(), observe);
    } })
    .publicMethod("echo", (text: string) => text)
    // Each takes one param (named, since the handler ignores it).
    .publicMethod("refuse", () => {
      throw new RpcError(42, "refused on purpose");
    }, { params: ["text"] })
    .publicMethod("crash", () => {
      throw new TypeError("unexpected");
    }, { params: ["text"] })
    .privateMethod("secret", (text: string) => text);
}

describe("onCall", () => {
  test("sees each call's method, duration and outcome, and nothing of its params or token", async () => {
    const seen: CallSummary[] = [];
    const service = watchedService((summary) => seen.push(summary));
    const headers = { "x-api-token": TOKEN };
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM], id: 1 }, headers);
    await call(service, { jsonrpc: "2.0", method: "secret", params: { text: PARAM }, id: 2 }, headers);
    await call(service, { jsonrpc: "2.0", method: "secret", params: [PARAM], id: 3 }, { "x-api-token": "wrong" });
    await call(service, { jsonrpc: "2.0", method: "refuse", params: [PARAM], id: 4 });
    await call(service, { jsonrpc: "2.0", method: "crash", params: [PARAM], id: 5 });
    await call(service, { jsonrpc: "2.0", method: "missing", params: [PARAM], id: 6 });
    await call(service, { jsonrpc: "2.0", method: "echo", params: [1, 2, 3], id: 7 });
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM] });

    assert.deepEqual(seen.map(({ method, ok, code, notification }) => ({ method, ok, code, notification })), [
      { method: "echo", ok: true, code: undefined, notification: false },
      { method: "secret", ok: true, code: undefined, notification: false },
      { method: "secret", ok: false, code: ErrorCode.AccessDenied, notification: false },
      { method: "refuse", ok: false, code: 42, notification: false },
      { method: "crash", ok: false, code: ErrorCode.InternalError, notification: false },
      { method: "missing", ok: false, code: ErrorCode.MethodNotFound, notification: false },
      { method: "echo", ok: false, code: ErrorCode.InvalidParams, notification: false },
      { method: "echo", ok: true, code: undefined, notification: true },
    ]);
    for (const summary of seen) {
      assert.equal(typeof summary.duration, "number");
      assert.ok(summary.duration >= 0);
      const text = JSON.stringify(summary);
      assert.ok(!text.includes(PARAM) && !text.includes(TOKEN), text);
      assert.deepEqual(Object.keys(summary).filter((key) => !["method", "duration", "ok", "code", "error", "notification"].includes(key)), []);
    }
    assert.ok(seen[3]!.error instanceof RpcError);
    assert.ok(seen[4]!.error instanceof TypeError);
    assert.equal(seen[2]!.error, undefined, "a refusal threw nothing");
  });

  test("each entry of a batch is one call; invalid entries are not calls", async () => {
    const seen: string[] = [];
    const service = watchedService((summary) => seen.push(summary.method));
    await call(service, [
      { jsonrpc: "2.0", method: "echo", params: ["a"], id: 1 },
      { jsonrpc: "2.0", method: "missing", id: 2 },
      { foo: "bar" },
    ]);
    assert.deepEqual(seen.sort(), ["echo", "missing"]);
  });

  test("an observer that throws changes nothing", async () => {
    const service = watchedService(() => {
      throw new Error("logger down");
    });
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "echo", params: ["x"], id: 1 }), { jsonrpc: "2.0", result: "x", id: 1 });
  });
});

describe("logCalls", () => {
  test("writes one line per call: info for ok, warn for the caller's faults, error for failures", async () => {
    const info: string[] = [];
    const warn: string[] = [];
    const error: string[] = [];
    const service = watchedService(logCalls("log.service", { info: (line) => info.push(line), warn: (line) => warn.push(line), error: (line) => error.push(line) }));
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM], id: 1 }, { authorization: `Bearer ${TOKEN}` });
    await call(service, { jsonrpc: "2.0", method: "crash", params: [PARAM], id: 2 });
    await call(service, { jsonrpc: "2.0", method: "missing", id: 3 });
    assert.equal(info.length, 1);
    assert.match(info[0]!, /^log\.service echo ok \d+\.\dms$/);
    assert.match(error[0]!, /^log\.service crash error -32603 \d+\.\dms TypeError: unexpected$/);
    assert.equal(error.length, 1);
    assert.deepEqual(warn.length, 1);
    assert.match(warn[0]!, /^log\.service missing error -32601 \d+\.\dms$/);
    for (const line of [...info, ...warn, ...error]) assert.ok(!line.includes(PARAM) && !line.includes(TOKEN));
  });

  test("a caller's method name cannot forge log lines", async () => {
    const lines: string[] = [];
    const service = watchedService(logCalls("s", { info: (line) => lines.push(line), error: (line) => lines.push(line) }));
    await call(service, { jsonrpc: "2.0", method: "x\nlog.service echo ok 0.0ms", id: 1 });
    await call(service, { jsonrpc: "2.0", method: "y".repeat(500), id: 2 });
    assert.ok(!lines[0]!.includes("\n"));
    assert.match(lines[0]!, /x\\u000alog/);
    assert.ok(lines[1]!.length < 300);
    // Line and paragraph separators, NEL and bidirectional controls are escaped too.
    for (const char of ["\u2028", "\u2029", "\u0085", "\u202e", "\u2066", "\u200f"]) {
      lines.length = 0;
      await call(service, { jsonrpc: "2.0", method: `a${char}b`, id: 3 });
      assert.equal(lines.length, 1);
      assert.ok(!lines[0]!.includes(char), JSON.stringify(char));
      assert.match(lines[0]!, new RegExp(`a\\\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}b`));
    }
  });

  test("callLog() logs calls to the console; unexpected errors are logged by default, with their stack", async (t) => {
    const info = t.mock.method(console, "info", () => {});
    const error = t.mock.method(console, "error", () => {});
    const plain = new Service({ name: "plain" }).publicMethod("crash", (text: string) => {
      throw new Error(`boom after ${text.length} characters`);
    });
    await call(plain, { jsonrpc: "2.0", method: "crash", params: [PARAM], id: 1 }, { "x-api-token": TOKEN });
    assert.equal(info.mock.callCount(), 0, "no call lines without callLog()");
    assert.equal(error.mock.callCount(), 1);
    const [logLine, logged] = error.mock.calls[0]!.arguments as [string, Error];
    assert.equal(logLine, "plain: crash failed:");
    assert.equal(logged.message, `boom after ${PARAM.length} characters`);
    assert.match(String(logged.stack), /logging\.test\.ts/, "the stack says where it was thrown");
    assert.ok(!JSON.stringify(error.mock.calls.map((entry) => entry.arguments.map(String))).includes(PARAM), "never the params");
    const loud = new Service({ name: "loud" }).use(callLog()).publicMethod("ping", () => "pong").publicMethod("crash", () => {
      throw new Error("boom");
    });
    await call(loud, { jsonrpc: "2.0", method: "ping", id: 1 });
    await call(loud, { jsonrpc: "2.0", method: "crash", id: 2 });
    assert.match(String(info.mock.calls[0]?.arguments[0]), /^loud ping ok/);
    const errorLines = error.mock.calls.map((entry) => String(entry.arguments[0]));
    assert.ok(errorLines.some((line) => line === "loud: crash failed:"), "the unexpected error, through onError");
    assert.ok(errorLines.some((line) => /^loud crash error -32603 .* Error: boom$/.test(line)), "the call's line");
  });

  test("onError: false silences unexpected errors; onError replaces the default", async (t) => {
    const error = t.mock.method(console, "error", () => {});
    const silent = new Service({ name: "silent", onError: false }).publicMethod("crash", () => {
      throw new Error("boom");
    });
    assert.deepEqual(await call(silent, { jsonrpc: "2.0", method: "crash", id: 1 }), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InternalError, message: "Internal error" },
      id: 1,
    });
    const reported: string[] = [];
    const own = new Service({ name: "own", onError: (_error, info) => reported.push(info.method) }).publicMethod("crash", () => {
      throw new Error("boom");
    });
    await call(own, { jsonrpc: "2.0", method: "crash", id: 1 });
    assert.equal(error.mock.callCount(), 0);
    assert.deepEqual(reported, ["crash"]);
  });

  test("observers see the call's start without credentials: no token header, no Authorization", async () => {
    const starts: CallStart[] = [];
    const service = watchedService(() => {}, starts);
    await call(service, { jsonrpc: "2.0", method: "secret", params: [PARAM], id: 1 }, { "x-api-token": TOKEN, authorization: `Bearer ${TOKEN}`, "x-trace": "t1" });
    assert.equal(starts.length, 1);
    const [start] = starts as [CallStart];
    assert.equal(start.method, "secret");
    assert.equal(start.notification, false);
    assert.equal(start.headers.get("x-api-token"), null);
    assert.equal(start.headers.get("Authorization"), null);
    assert.equal(start.headers.get("x-trace"), "t1");
  });
});
