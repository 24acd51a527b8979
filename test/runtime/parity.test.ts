// Parity: Node.js, Deno and Bun get the same tricky requests over raw sockets (dot segments and
// `//host` paths, repeated credentials and content types, other charsets, byte ranges, huge rest
// params, bad bodies) and must give the same answer, which must also be the right one.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type RuntimeName, RUNTIMES, stopAll } from "./processes.ts";
import { rawExchange, type RawAnswer, rawPost, rawRequest } from "./raw_http.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

const ALPHABET = readFileSync(new URL("./fixtures/parity_public/alphabet.txt", import.meta.url), "latin1");
const INDEX = readFileSync(new URL("./fixtures/parity_public/index.html", import.meta.url), "latin1");
const TOKEN = "parity-token";

/** What of an answer is compared: the status, some headers, and the body (as JSON when it is). */
type Summary = Record<string, unknown>;

interface Case {
  readonly name: string;
  readonly request: Buffer;
  /** The right answer: the status, the headers named (null: absent), `body`, `json`, or the error's `code`. */
  readonly expect: Summary;
}

function summarise(answer: RawAnswer, expect: Summary): Summary {
  const summary: Summary = { status: answer.status };
  for (const key of Object.keys(expect)) {
    if (key === "status") continue;
    if (key === "json") summary[key] = parsed(answer);
    else if (key === "code") summary[key] = (parsed(answer) as { error?: { code?: unknown } } | undefined)?.error?.code;
    else if (key === "body") summary[key] = answer.body.toString("latin1");
    else summary[key] = answer.headers.get(key) ?? null;
  }
  return summary;
}

function parsed(answer: RawAnswer): unknown {
  return answer.body.length === 0 ? undefined : JSON.parse(answer.body.toString("utf8")) as unknown;
}

const call = (method: string, params?: unknown, id: unknown = 1): string => JSON.stringify({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }), id });
const ok = (result: unknown, id: unknown = 1): Summary => ({ status: 200, json: { jsonrpc: "2.0", result, id } });
const failed = (code: number, message: string, id: unknown = 1): Summary => ({ status: 200, json: { jsonrpc: "2.0", error: { code, message }, id } });
const get = (target: string, headers: readonly (readonly [string, string])[] = []): Buffer => rawRequest("GET", target, headers);
const JSON_TYPE = ["content-type", "application/json"] as const;
const ACCESS_DENIED = failed(-32001, "Access denied: a valid API token is required");
const zeros = (count: number): number[] => new Array<number>(count).fill(0);

const PATHS: Case[] = [
  { name: "POST /./api reaches the API", request: rawRequest("POST", "/./api", [JSON_TYPE], call("echo", ["dot"])), expect: ok("dot") },
  { name: "POST /api/../api reaches the API", request: rawRequest("POST", "/api/../api", [JSON_TYPE], call("echo", ["dots"])), expect: ok("dots") },
  { name: "POST /x/%2e%2E/api reaches the API", request: rawRequest("POST", "/x/%2e%2E/api", [JSON_TYPE], call("echo", ["encoded"])), expect: ok("encoded") },
  { name: "/hello/%2e%2e is / (the redirect), never a name of ..", request: get("/hello/%2e%2e"), expect: { status: 302, location: "/static/" } },
  { name: "/hello/x/.. is /hello (no route)", request: get("/hello/x/.."), expect: { status: 404 } },
  { name: "/hello/%2e is /hello/ (no route)", request: get("/hello/%2e"), expect: { status: 404 } },
  { name: "/hello/%252e%252e is a name, decoded once", request: get("/hello/%252e%252e"), expect: { status: 200, body: "hello %2e%2e" } },
  { name: "//evil.com/static/index.html is a path, and not found", request: get("//evil.com/static/index.html"), expect: { status: 404, location: null } },
  { name: "/.//evil.com/static/ is //evil.com/static/, not found", request: get("/.//evil.com/static/"), expect: { status: 404, location: null } },
  { name: "//evil.com/ is not found, with no redirect", request: get("//evil.com/"), expect: { status: 404, location: null } },
  { name: "/static/sub/../alphabet.txt is the file", request: get("/static/sub/../alphabet.txt"), expect: { status: 200, body: ALPHABET } },
  { name: "/static\\alphabet.txt is the file (a backslash is a slash)", request: get("/static\\alphabet.txt"), expect: { status: 200, body: ALPHABET } },
  { name: "/static/./ is the index", request: get("/static/./"), expect: { status: 200, body: INDEX } },
  { name: "/static/%2e%2e/parity_server.ts leaves the folder: not found", request: get("/static/%2e%2e/parity_server.ts"), expect: { status: 404 } },
  { name: "/static/..%2fparity_server.ts is one segment with a slash: not found", request: get("/static/..%2fparity_server.ts"), expect: { status: 404 } },
  { name: "/static/%5c..%5cparity_server.ts is one segment with backslashes: not found", request: get("/static/%5c..%5cparity_server.ts"), expect: { status: 404 } },
  { name: "/static redirects to /static/", request: get("/static"), expect: { status: 301, location: "/static/" } },
  { name: "/static/. is the index", request: get("/static/."), expect: { status: 200, body: INDEX } },
];

const HEADERS: Case[] = [
  {
    name: "two Authorization: Bearer headers are refused",
    request: rawPost(call("secret"), [JSON_TYPE, ["authorization", `Bearer ${TOKEN}`], ["authorization", `Bearer ${TOKEN}`]]),
    expect: ACCESS_DENIED,
  },
  {
    name: "two X-Api-Token headers are refused",
    request: rawPost(call("secret"), [JSON_TYPE, ["x-api-token", TOKEN], ["x-api-token", TOKEN]]),
    expect: ACCESS_DENIED,
  },
  { name: "one Authorization: Bearer header is accepted", request: rawPost(call("secret"), [JSON_TYPE, ["authorization", `Bearer ${TOKEN}`]]), expect: ok("the secret") },
  { name: "application/json then text/plain is 415", request: rawPost(call("echo", ["x"]), [JSON_TYPE, ["content-type", "text/plain"]]), expect: { status: 415 } },
  { name: "application/json twice is 415", request: rawPost(call("echo", ["x"]), [JSON_TYPE, JSON_TYPE]), expect: { status: 415 } },
  { name: "charset=utf-16 is 415", request: rawPost(call("echo", ["x"]), [["content-type", "application/json; charset=utf-16"]]), expect: { status: 415 } },
  { name: "charset=UTF-8 is accepted", request: rawPost(call("echo", ["x"]), [["content-type", "application/json; charset=UTF-8"]]), expect: ok("x") },
  { name: "no content type is accepted", request: rawPost(call("echo", ["x"]), []), expect: ok("x") },
  { name: "text/plain is 415", request: rawPost(call("echo", ["x"]), [["content-type", "text/plain"]]), expect: { status: 415 } },
];

const FILE = "/static/alphabet.txt"; // 36 bytes: 0-9, then a-z
const ranged = (value: string, method = "GET"): Buffer => rawRequest(method, FILE, [["range", value]]);
const partial = (start: number, end: number): Summary => ({
  status: 206,
  "content-range": `bytes ${String(start)}-${String(end)}/36`,
  "content-length": String(end - start + 1),
  "accept-ranges": "bytes",
  body: ALPHABET.slice(start, end + 1),
});
const whole: Summary = { status: 200, "content-range": null, "content-length": "36", "accept-ranges": "bytes", body: ALPHABET };

const RANGES: Case[] = [
  { name: "no Range: the whole file, with Accept-Ranges", request: get(FILE), expect: whole },
  { name: "bytes=0-9", request: ranged("bytes=0-9"), expect: partial(0, 9) },
  { name: "bytes=30-", request: ranged("bytes=30-"), expect: partial(30, 35) },
  { name: "bytes=-3", request: ranged("bytes=-3"), expect: partial(33, 35) },
  { name: "bytes=10-1000 stops at the end", request: ranged("bytes=10-1000"), expect: partial(10, 35) },
  { name: "bytes=36- is 416 with bytes */36", request: ranged("bytes=36-"), expect: { status: 416, "content-range": "bytes */36" } },
  { name: "bytes=-0 is 416", request: ranged("bytes=-0"), expect: { status: 416, "content-range": "bytes */36" } },
  { name: "several ranges: the whole file", request: ranged("bytes=0-1,3-4"), expect: whole },
  { name: "a range that does not parse: the whole file", request: ranged("bytes=9-2"), expect: whole },
  { name: "another unit: the whole file", request: ranged("lines=1-2"), expect: whole },
  { name: "HEAD with a range: the whole file's headers", request: ranged("bytes=0-9", "HEAD"), expect: { ...whole, body: "" } },
  {
    name: "If-Range with another date: the whole file",
    request: rawRequest("GET", FILE, [["range", "bytes=0-9"], ["if-range", "Thu, 01 Jan 1970 00:00:00 GMT"]]),
    expect: whole,
  },
];

const BODIES: Case[] = [
  { name: "10,000 named rest params", request: rawPost(JSON.stringify({ jsonrpc: "2.0", method: "sum", params: { numbers: zeros(10_000) }, id: 1 })), expect: ok(0) },
  { name: "10,000 positional rest params", request: rawPost(call("sum", zeros(10_000))), expect: ok(0) },
  { name: "200,000 named rest params are -32602 (past the params limit)", request: rawPost(JSON.stringify({ jsonrpc: "2.0", method: "sum", params: { numbers: zeros(200_000) }, id: 1 })), expect: { status: 200, code: -32602 } },
  { name: "200,000 positional rest params are -32602", request: rawPost(call("sum", zeros(200_000))), expect: { status: 200, code: -32602 } },
  { name: "invalid JSON is -32700", request: rawPost("{\"jsonrpc\":"), expect: { status: 200, code: -32700 } },
  { name: "an empty body is -32700", request: rawPost(""), expect: { status: 200, code: -32700 } },
  { name: "bytes that are not UTF-8 are -32700", request: rawPost(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), expect: { status: 200, code: -32700 } },
  { name: "an empty batch is -32600", request: rawPost("[]"), expect: { status: 200, code: -32600 } },
  { name: "a string is -32600", request: rawPost("\"hello\""), expect: { status: 200, code: -32600 } },
  { name: "a body over the limit is 413", request: rawPost(`"${"x".repeat(1024 * 1024 + 10)}"`), expect: { status: 413, code: -32600 } },
  { name: "GET /api is 405", request: get("/api"), expect: { status: 405 } },
];

describe("the same request, the same answer on Node.js, Deno and Bun", { timeout: 120_000 }, () => {
  const servers = new Map<RuntimeName, ChildServer>();

  before(async () => {
    const started = await Promise.all(RUNTIMES.map((runtime) => startExample(runtime, "test/runtime/fixtures/parity_server.ts")));
    for (const server of started) servers.set(server.runtime, server);
  });

  for (const [section, cases] of [["paths", PATHS], ["headers", HEADERS], ["ranges", RANGES], ["bodies", BODIES]] as const) {
    describe(section, () => {
      for (const { name, request, expect } of cases) {
        test(name, async () => {
          const answers = await Promise.all(RUNTIMES.map(async (runtime) => {
            const server = servers.get(runtime);
            assert.ok(server !== undefined);
            return [runtime, summarise(await rawExchange(server.port, request), expect)] as const;
          }));
          const [[, first]] = answers as [readonly [RuntimeName, Summary]];
          for (const [runtime, summary] of answers) assert.deepEqual(summary, first, `${runtime} differs: ${JSON.stringify(answers)}`);
          assert.deepEqual(first, expect, JSON.stringify(answers));
        });
      }
    });
  }
});
