// Error reports and JSON logs: the default onError prints an error's stack over several lines, as
// a terminal shows it; jsonErrorReporter() writes each report as one JSON line, so a service that
// logs its calls as JSON lines (callLog's format "json", through the same sink) keeps a log in
// which every line is one JSON record, even for errors whose messages span lines.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { jsonErrorReporter } from "../src/plugins/call_log.ts";
import { callLog } from "../src/plugins/call_log.ts";

const TOKEN = "token-never-in-error-reports-5e1a";
const PARAM = "param-never-in-error-reports-90cd";

describe("jsonErrorReporter", () => {
  test("with callLog's JSON lines in one sink, every line is one JSON record", async () => {
    const lines: string[] = [];
    const sink = { info: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    const service = new Service({ name: "orders", onError: jsonErrorReporter("orders", sink), apiTokenIsValid: (token) => token === TOKEN })
      .use(callLog(sink, { format: "json" }))
      .publicMethod("crash", () => {
        throw new TypeError("first line\nsecond line");
      }, { params: ["text"] })
      .publicMethod("ok", () => 1);
    await service.handle({ jsonrpc: "2.0", method: "crash", params: [PARAM], id: 1 }, { headers: new Headers({ "x-api-token": TOKEN }) });
    await service.handle({ jsonrpc: "2.0", method: "ok", id: 2 });
    assert.ok(lines.length >= 3, lines.join("\n"));
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const report = records.find((record) => record["error"] !== undefined && (record["error"] as { stack?: unknown }).stack !== undefined);
    assert.ok(report !== undefined);
    assert.equal(report["service"], "orders");
    assert.equal(report["method"], "crash");
    assert.equal(report["level"], "error");
    const error = report["error"] as { name: string; message: string; stack: string };
    assert.equal(error.name, "TypeError");
    assert.equal(error.message, "first line\nsecond line");
    assert.match(error.stack, /^TypeError: first line\nsecond line\n\s+at /);
    assert.ok(!lines.join("\n").includes(PARAM) && !lines.join("\n").includes(TOKEN), "no params, no token");
  });

  test("a thrown value that is not an Error, or whose stack getter throws, is still one line", () => {
    const lines: string[] = [];
    const report = jsonErrorReporter("s", { error: (line) => lines.push(line) });
    report("plain\ntext", { method: "m" });
    const hostile = new Error("x");
    Object.defineProperty(hostile, "stack", { get() {
      throw new Error("no stack");
    } });
    report(hostile, { method: "m" });
    assert.equal(lines.length, 2);
    assert.deepEqual((JSON.parse(lines[0]!) as { error: unknown }).error, { message: "plain\ntext" });
    assert.deepEqual((JSON.parse(lines[1]!) as { error: unknown }).error, { name: "Error", message: "x" });
    for (const line of lines) assert.ok(!line.includes("\n"));
  });

  test("the default reporter stays readable: the method, then the stack over several lines", async (t) => {
    const printed: unknown[][] = [];
    t.mock.method(console, "error", (...args: unknown[]) => {
      printed.push(args);
    });
    const service = new Service({ name: "human" }).publicMethod("crash", () => {
      throw new Error("boom");
    });
    await service.handle({ jsonrpc: "2.0", method: "crash", id: 1 });
    assert.equal(printed.length, 1);
    const [prefix, error] = printed[0] ?? [];
    assert.equal(prefix, "human: crash failed:");
    assert.match(String((error as Error).stack), /^Error: boom\n\s+at /);
  });
});
