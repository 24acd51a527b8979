// callLog({ format: "json" }): one JSON object per line with the call's outcome, code, duration and
// the trace and span ids a trace plugin tells; never params or tokens; the text form unchanged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RpcError, serve, Service } from "../mod.ts";
import type { CallStart, PluginHost } from "../src/core/plugin.ts";
import { callLog, type CallLogRecord, logCalls, type LogSink } from "../src/plugins/call_log.ts";
import { traceContext } from "../src/plugins/trace_context.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { call, until } from "./helpers.ts";

const TOKEN = "token-never-logged-json-4a1b";
const PARAM = "param-never-logged-json-7c2d";
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function collect(): { sink: LogSink; lines: { level: string; line: string }[] } {
  const lines: { level: string; line: string }[] = [];
  return {
    lines,
    sink: { info: (line) => lines.push({ level: "info", line }), warn: (line) => lines.push({ level: "warn", line }), error: (line) => lines.push({ level: "error", line }) },
  };
}

describe("callLog({ format: \"json\" })", () => {
  test("JSON lines with trace and span ids, outcome, code and error, never params or tokens", async () => {
    const { sink, lines } = collect();
    const tracing = traceContext();
    const service = new Service({ name: "json.service", onError: false, apiTokenIsValid: (token) => token === TOKEN })
      .use(tracing)
      .use(callLog(sink, { format: "json", traces: tracing, now: () => Date.UTC(2026, 11, 1, 12) }))
      .publicMethod("echo", (text: string) => text)
      .publicMethod("refuse", () => {
        throw new RpcError(42, "refused");
      }, { params: ["text"] })
      .publicMethod("crash", () => {
        throw new TypeError("line one\nline two");
      }, { params: ["text"] });
    const headers = { traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, "x-api-token": TOKEN };
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM], id: 1 }, headers);
    await call(service, { jsonrpc: "2.0", method: "refuse", params: [PARAM], id: 2 }, headers);
    await call(service, { jsonrpc: "2.0", method: "crash", params: [PARAM], id: 3 });
    await call(service, { jsonrpc: "2.0", method: "x".repeat(300), id: 4 });
    assert.equal(lines.length, 4);
    for (const { line } of lines) {
      assert.ok(!line.includes("\n"));
      assert.ok(!line.includes(PARAM) && !line.includes(TOKEN), line);
    }
    const records = lines.map(({ line }) => JSON.parse(line) as CallLogRecord);
    assert.deepEqual(lines.map(({ level }) => level), ["info", "error", "error", "warn"]);
    const [echo, refuse, crash, long] = records as [CallLogRecord, CallLogRecord, CallLogRecord, CallLogRecord];
    assert.equal(echo.time, "2026-12-01T12:00:00.000Z");
    assert.equal(echo.service, "json.service");
    assert.equal(echo.method, "echo");
    assert.equal(echo.outcome, "ok");
    assert.equal(echo.code, undefined);
    assert.equal(echo.trace_id, TRACE);
    assert.match(echo.span_id ?? "", /^[0-9a-f]{16}$/);
    assert.notEqual(echo.span_id, "00f067aa0ba902b7");
    assert.equal(typeof echo.duration_ms, "number");
    assert.equal(refuse.code, 42);
    assert.equal(refuse.error, "RpcError: refused");
    assert.equal(crash.code, -32603);
    assert.equal(crash.error, "TypeError: line one\nline two");
    assert.notEqual(crash.trace_id, TRACE); // no traceparent: a new trace
    assert.equal(long.method.length, 201);
    assert.equal(long.code, -32601);
    assert.deepEqual(records.map((record) => record.level), ["info", "error", "error", "warn"]);
  });

  test("the caller's faults (not found, invalid params, access denied, forbidden) are warn, the service's are error", async () => {
    const json = collect();
    const text = collect();
    const service = new Service({ name: "levels", onError: false, apiTokenIsValid: (token) => token === TOKEN })
      .use(callLog(json.sink, { format: "json" }))
      .use(callLog(text.sink))
      .publicMethod("typed", (count: number) => count, { params: ["count"] })
      .privateMethod("secret", () => 1)
      .publicMethod("scoped", () => {
        throw new RpcError(-32003, "Forbidden");
      })
      .publicMethod("own_invalid", () => {
        throw new RpcError(-32602, "no such order id");
      })
      .publicMethod("timeout", () => {
        throw new RpcError(-32002, "Timeout");
      })
      .publicMethod("server_error", () => {
        throw new RpcError(-32000, "disk full");
      })
      .publicMethod("crash", () => {
        throw new Error("boom");
      });
    const calls: [string, unknown[]][] = [
      ["missing", []], ["typed", [1, 2, 3]], ["secret", []], ["scoped", []], ["own_invalid", []], ["timeout", []], ["server_error", []], ["crash", []], ["typed", [1]],
    ];
    for (const [index, [method, params]] of calls.entries()) await call(service, { jsonrpc: "2.0", method, params, id: index });
    const expected = ["warn", "warn", "warn", "warn", "warn", "error", "error", "error", "info"];
    assert.deepEqual(json.lines.map(({ line }) => (JSON.parse(line) as CallLogRecord).level), expected, "the JSON lines' level");
    assert.deepEqual(json.lines.map(({ level }) => level), expected, "the JSON lines' sink method");
    assert.deepEqual(text.lines.map(({ level }) => level), expected, "the text lines' sink method");
    assert.deepEqual(json.lines.map(({ line }) => (JSON.parse(line) as CallLogRecord).code), [-32601, -32602, -32001, -32003, -32602, -32002, -32000, -32603, undefined]);
  });

  test("a sink without warn gets the caller's faults on info", async () => {
    const lines: { level: string; line: string }[] = [];
    const sink: LogSink = { info: (line) => lines.push({ level: "info", line }), error: (line) => lines.push({ level: "error", line }) };
    const service = new Service({ name: "old.sink", onError: false }).use(callLog(sink)).use(callLog(sink, { format: "json" })).publicMethod("crash", () => {
      throw new Error("boom");
    });
    await call(service, { jsonrpc: "2.0", method: "missing", id: 1 });
    await call(service, { jsonrpc: "2.0", method: "crash", id: 2 });
    assert.deepEqual(lines.map(({ level }) => level), ["info", "info", "error", "error"]);
    // The inner plugin's middleware (the JSON one, used second) ends first.
    assert.match(lines[1]?.line ?? "", /^old\.sink missing error -32601 \d+\.\dms$/);
  });

  test("without a trace plugin the lines carry no ids; the text form is unchanged", async () => {
    const json = collect();
    const text = collect();
    const service = new Service({ name: "plain" })
      .use(callLog(json.sink, { format: "json" }))
      .use(callLog(text.sink))
      .publicMethod("ping", () => "pong");
    await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
    const record = JSON.parse(json.lines[0]?.line ?? "") as CallLogRecord;
    assert.equal(record.trace_id, undefined);
    assert.equal(record.span_id, undefined);
    assert.match(text.lines[0]?.line ?? "", /^plain ping ok \d+\.\dms$/);
  });
});

describe("what a log line keeps of a call", () => {
  /** The JSON line callLog writes for one call's summary, as its observer is told it. */
  function jsonLine(summary: { method: string; duration: number; ok: boolean; code?: number; error?: unknown }): CallLogRecord {
    const lines: string[] = [];
    const plugin = callLog({ info: (line) => lines.push(line), warn: (line) => lines.push(line), error: (line) => lines.push(line) }, { format: "json", now: () => 0 });
    plugin.setup?.({ name: "s" } as PluginHost);
    plugin.call?.({ method: summary.method, notification: false } as CallStart, () => ({ ...summary, notification: false }));
    return JSON.parse(lines[0] ?? "") as CallLogRecord;
  }

  test("durations in ms, rounded to the microsecond", () => {
    assert.equal(jsonLine({ method: "m", duration: 1.23456, ok: true }).duration_ms, 1.235);
    assert.equal(jsonLine({ method: "m", duration: 0.0004, ok: true }).duration_ms, 0);
    assert.equal(jsonLine({ method: "m", duration: 2500, ok: true }).duration_ms, 2500);
  });

  test("a method name of 200 characters is kept whole; a longer one is cut to 200 and marked", () => {
    const lines: string[] = [];
    const log = logCalls("s", { info: (line) => lines.push(line), error: (line) => lines.push(line) });
    log({ method: "m".repeat(200), duration: 1, ok: true, notification: false });
    log({ method: `${"n".repeat(200)}tail`, duration: 1, ok: true, notification: false });
    assert.equal(lines[0], `s ${"m".repeat(200)} ok 1.0ms`);
    assert.equal(lines[1], `s ${"n".repeat(200)}… ok 1.0ms`);
    assert.equal(jsonLine({ method: "m".repeat(200), duration: 1, ok: true }).method, "m".repeat(200));
    assert.equal(jsonLine({ method: `${"n".repeat(200)}tail`, duration: 1, ok: true }).method, `${"n".repeat(200)}…`);
    log({ method: "o".repeat(201), duration: 1, ok: true, notification: false });
    assert.equal(lines[2], `s ${"o".repeat(200)}… ok 1.0ms`, "201 characters are one too many");
    assert.equal(jsonLine({ method: "o".repeat(201), duration: 1, ok: true }).method, `${"o".repeat(200)}…`);
  });

  test("a thrown error without a readable name is an Error by name", () => {
    const nameless = new Error("boom");
    Object.defineProperty(nameless, "name", { value: 42 });
    const lines: string[] = [];
    logCalls("s", { info: () => {}, error: (line) => lines.push(line) })({ method: "m", duration: 1, ok: false, code: -32603, error: nameless, notification: false });
    assert.equal(lines[0], "s m error -32603 1.0ms Error: boom");
    assert.equal(jsonLine({ method: "m", duration: 1, ok: false, code: -32603, error: nameless }).error, "Error: boom");
  });
});


/** The line at `index`, which the test waited for. */
function nth(lines: { level: string; line: string }[], index: number): { level: string; line: string } {
  const line = lines[index];
  assert.ok(line !== undefined, `line ${index} was written`);
  return line;
}

describe("callLog and streams: a stream's line comes at its end, with its items", () => {
  /** A service whose streams wait `ms` between items; `left` resolves when a stream's generator ends. */
  function streaming(sink: LogSink, json: LogSink) {
    let ended = 0;
    const service = new Service({ name: "feed", onError: false })
      .use(callLog(sink))
      .use(callLog(json, { format: "json" }))
      // After the observers: its middleware, inside theirs, tells them each stream's end.
      .use(streams())
      .publicMethod("ticks", async function* (count: number, failAt: number) {
        try {
          for (let tick = 1; tick <= count; tick++) {
            await new Promise((resolve) => setTimeout(resolve, 40));
            if (tick === failAt) throw new RpcError(-32000, "feed broke");
            yield tick;
          }
          return "done";
        } finally {
          ended++;
        }
      });
    return { service, ended: () => ended };
  }

  async function openStream(url: string, params: unknown[], signal: AbortSignal | null = null): Promise<Response> {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "ticks", params, id: 1 }),
      signal,
    });
  }

  test("the last item, an error mid-stream, and a caller that leaves: duration to the end, items sent", { timeout: 10_000 }, async () => {
    const text = collect();
    const json = collect();
    const { service, ended } = streaming(text.sink, json.sink);
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    const url = `${server.url}/api`;
    try {
      // Three items, 40 ms apart, then the result: one line, at the end.
      const whole = await openStream(url, [3, 0]);
      assert.equal(text.lines.length, 0, "nothing is logged when the stream starts");
      assert.match(await whole.text(), /event: response\ndata: \{"jsonrpc":"2\.0","result":"done","id":1\}/);
      await until(() => text.lines.length === 1 && json.lines.length === 1);
      const line = nth(text.lines, 0);
      assert.equal(line.level, "info");
      const match = /^feed ticks ok (\d+\.\d)ms 3 items$/.exec(line.line);
      assert.ok(match, line.line);
      assert.ok(Number(match[1]) >= 110, `the duration covers the stream: ${match[1]} ms`);
      const record = JSON.parse(nth(json.lines, 0).line) as CallLogRecord;
      assert.equal(record.outcome, "ok");
      assert.equal(record.items, 3);
      assert.equal(record.left, undefined);
      assert.ok(record.duration_ms >= 110);

      // An error after two items: an error line, with the two items sent.
      const broken = await openStream(url, [5, 3]);
      assert.match(await broken.text(), /"error":\{"code":-32000,"message":"feed broke"\}/);
      await until(() => text.lines.length === 2 && json.lines.length === 2);
      assert.equal(nth(text.lines, 1).level, "error");
      assert.match(nth(text.lines, 1).line, /^feed ticks error -32000 \d+\.\dms 2 items RpcError: feed broke$/);
      const failed = JSON.parse(nth(json.lines, 1).line) as CallLogRecord;
      assert.deepEqual([failed.outcome, failed.code, failed.items, failed.error], ["error", -32000, 2, "RpcError: feed broke"]);

      // A caller that leaves after the first item: logged when it left, not a failure.
      const abort = new AbortController();
      const leaving = await openStream(url, [100, 0], abort.signal);
      const reader = (leaving.body as ReadableStream<Uint8Array>).getReader();
      let seen = "";
      while (!seen.includes("id: 1\n")) seen += new TextDecoder().decode((await reader.read()).value);
      abort.abort();
      await until(() => text.lines.length === 3 && json.lines.length === 3 && ended() === 3);
      assert.equal(nth(text.lines, 2).level, "info");
      assert.match(nth(text.lines, 2).line, /^feed ticks ok \d+\.\dms [12] items \(the caller left\)$/);
      const left = JSON.parse(nth(json.lines, 2).line) as CallLogRecord;
      assert.equal(left.outcome, "ok");
      assert.equal(left.left, true);
      // A call refused before it streamed (no Accept: text/event-stream) is logged as before.
      const refused = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", method: "ticks", params: [1, 0], id: 2 }) });
      assert.equal(((await refused.json()) as { error: { code: number } }).error.code, -32600);
      await until(() => text.lines.length === 4);
      assert.equal(nth(text.lines, 3).level, "error");
      assert.match(nth(text.lines, 3).line, /^feed ticks error -32600 \d+\.\dms RpcError: /);
    } finally {
      await server.close();
    }
  });
});

describe("callLog and streams: the order of use(), and a sink that throws", () => {
  const countTo = async function* (count: number) {
    for (let n = 1; n <= count; n++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      yield n;
    }
  };
  const streamOf = async (url: string): Promise<string> => (await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "count", params: [3], id: 1 }),
  })).text();

  test("with streams() used before callLog, the line comes as the stream starts, without items; no observer before it, no middleware of its", async () => {
    const text = collect();
    const first = streams();
    const service = new Service({ name: "early" }).use(first).use(callLog(text.sink)).publicMethod("count", countTo);
    assert.equal((first as { call?: unknown }).call, undefined, "nothing to tell: calls run without its middleware");
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    try {
      const body = streamOf(`${server.url}/api`);
      await until(() => text.lines.length === 1);
      assert.match(nth(text.lines, 0).line, /^early count ok \d+\.\dms$/);
      assert.match(await body, /id: 3\ndata: 3\n/);
    } finally {
      await server.close();
    }
  });

  test("a stream its lifetime ends is logged as -32002, with the items it sent", async () => {
    const text = collect();
    const service = new Service({ name: "timed" })
      .use(callLog(text.sink))
      .use(streams({ lifetime: 150 }))
      .publicMethod("count", countTo);
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    try {
      const body = await (await fetch(`${server.url}/api`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "count", params: [1000], id: 1 }),
      })).text();
      assert.match(body, /"error":\{"code":-32002,/);
      await until(() => text.lines.length === 1);
      const line = nth(text.lines, 0);
      assert.equal(line.level, "error");
      const items = Number(/^timed count error -32002 \d+\.\dms (\d+) items$/.exec(line.line)?.[1]);
      assert.equal(items, (body.match(/^data: \d+$/gm) ?? []).length, line.line);
    } finally {
      await server.close();
    }
  });

  test("a sink that throws at a stream's end is reported to onError, and changes nothing sent", async () => {
    const reports: { error: unknown; where: string }[] = [];
    const service = new Service({ name: "throwing", onError: (error, where) => reports.push({ error, where: where.method }) })
      .use(callLog({ info: () => { throw new Error("the log is full"); }, error: () => {} }))
      .use(streams())
      .publicMethod("count", countTo);
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    try {
      assert.match(await streamOf(`${server.url}/api`), /event: response\ndata: \{"jsonrpc":"2\.0","result":null,"id":1\}/);
      await until(() => reports.length === 1);
      assert.equal((reports[0]?.error as Error).message, "the log is full");
      assert.equal(reports[0]?.where, "callLog");
    } finally {
      await server.close();
    }
  });
});
