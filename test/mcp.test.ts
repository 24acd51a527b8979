// mcp(): the official MCP SDK clients (1.x, session-based 2025-11-25; 2.x, stateless 2026-07-28)
// list and call a service's methods as tools over a real loopback socket; the transport's rules
// (origins, sessions, headers, batches, credentials) over raw HTTP; the session store's bounds.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import * as v2 from "@modelcontextprotocol/client";
import { type CallContext, serve, Service } from "../mod.ts";
import { SignJWT } from "jose";
import { jwt } from "../src/auth/mod.ts";
import type { ServerHandle } from "../src/adapters/types.ts";
import { mcp } from "../src/mcp/mod.ts";
import { answerMcpRequest, type ToolSource } from "../src/mcp/protocol.ts";
import { Sessions } from "../src/mcp/sessions.ts";
import { paramsOf } from "../src/mcp/tools.ts";
import { MCP_TOKEN, mcpService } from "./runtime/fixtures/mcp_service.ts";

interface ToolView {
  name: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/** What the tools of the fixture look like to every client (private ones only with the token). */
const PUBLIC_TOOLS = ["say_hello", "pair", "sum", "divide", "find_order", "test_simple_text", "test_error_handling", "test_tool_with_progress"];

async function session(url: URL, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "mcp-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

async function stateless(url: URL, headers: Record<string, string> = {}): Promise<v2.Client> {
  const client = new v2.Client({ name: "mcp-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new v2.StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return client;
}

/** Posts one message to the endpoint as an MCP client would, with extra headers. */
async function post(url: URL, message: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof message === "string" ? message : JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : JSON.parse(text) };
}

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
const INITIALIZE = { jsonrpc: "2.0", method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } }, id: 1 };

describe("mcp() with the official SDK clients", { timeout: 60_000 }, () => {
  let server: ServerHandle;
  let url: URL;
  const seen: string[] = [];
  before(async () => {
    const service = mcpService({ resourceMetadata: "https://api.example.com/.well-known/oauth-protected-resource" });
    // A middleware of the service sees the calls made through MCP: they go through its dispatch.
    service.use({ name: "observer", call: (call, next) => (seen.push(call.method), next()) });
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    url = new URL(`${server.url}/mcp`);
  });
  after(() => server.close());

  for (const [generation, open] of [["SDK 1.x (sessions, 2025-11-25)", session], ["SDK 2.x (stateless, 2026-07-28)", stateless]] as const) {
    describe(generation, () => {
      test("tools/list: every kind of method as a tool, private ones left out without a token", async () => {
        const client = await open(url);
        const { tools } = (await client.listTools()) as { tools: ToolView[] };
        await client.close();
        assert.deepEqual(tools.map((tool) => tool.name), PUBLIC_TOOLS);
        const byName = new Map(tools.map((tool) => [tool.name, tool]));
        assert.deepEqual(byName.get("say_hello"), {
          name: "say_hello",
          description: "Greets someone by name.",
          inputSchema: { type: "object", properties: { name: {} }, required: ["name"], additionalProperties: false },
          annotations: { readOnlyHint: true, idempotentHint: true },
        });
        // A destructured param has no name: arg1; a rest param is an array.
        assert.deepEqual(byName.get("pair")?.inputSchema, { type: "object", properties: { arg1: {} }, required: ["arg1"], additionalProperties: false });
        assert.deepEqual(byName.get("sum")?.inputSchema, { type: "object", properties: { numbers: { type: "array", items: {} } }, required: [], additionalProperties: false });
        assert.equal(byName.get("pair")?.description, "Calls the method pair of the service mcp.fixture.");
        // An object schema: its properties, and the result's schema as outputSchema.
        const divide = byName.get("divide");
        assert.deepEqual(divide?.inputSchema, {
          type: "object",
          properties: { dividend: { type: "number" }, divisor: { type: "number" } },
          required: ["dividend", "divisor"],
          additionalProperties: false,
        });
        assert.deepEqual((divide.outputSchema as { properties?: unknown } | undefined)?.properties, { quotient: { type: "number" } });
        assert.equal(byName.get("find_order")?.outputSchema, undefined);
      });

      test("tools/call: named, positional-only, rest and object-schema methods answer", async () => {
        const client = await open(url);
        assert.deepEqual(await client.callTool({ name: "say_hello", arguments: { name: "ann" } }), { content: [{ type: "text", text: "hello ann" }] });
        assert.deepEqual(await client.callTool({ name: "pair", arguments: { arg1: [1, 2] } }), {
          content: [{ type: "text", text: '{"first":1,"second":2}' }],
          structuredContent: { first: 1, second: 2 },
        });
        assert.deepEqual(await client.callTool({ name: "sum", arguments: { numbers: [1, 2, 3] } }), { content: [{ type: "text", text: "6" }] });
        assert.deepEqual(await client.callTool({ name: "divide", arguments: { dividend: 1, divisor: 4 } }), {
          content: [{ type: "text", text: '{"quotient":0.25}' }],
          structuredContent: { quotient: 0.25 },
        });
        await client.close();
      });

      test("a failed call is an isError result the model reads: the method's error, a schema's issues, bad arguments", async () => {
        const client = await open(url);
        assert.deepEqual(await client.callTool({ name: "find_order", arguments: { id: "o-9" } }), {
          content: [{ type: "text", text: 'Error 1404: No such order\n{"id":"o-9"}' }],
          isError: true,
        });
        assert.deepEqual(await client.callTool({ name: "divide", arguments: { dividend: 1, divisor: 0 } }), {
          content: [{ type: "text", text: 'Error -32602: Invalid params: divisor: must not be zero\n{"issues":[{"path":"divisor","message":"must not be zero"}]}' }],
          isError: true,
        });
        const missing = (await client.callTool({ name: "say_hello", arguments: {} })) as { isError?: boolean; content: { text: string }[] };
        assert.equal(missing.isError, true);
        assert.match(missing.content[0]?.text ?? "", /^Error -32602: Invalid params/);
        const extra = (await client.callTool({ name: "pair", arguments: { arg1: [1, 2], arg2: 3 } })) as { isError?: boolean; content: { text: string }[] };
        assert.deepEqual(extra.content[0]?.text, "Error -32602: Invalid params: unknown argument arg2 (takes arg1)");
        // An unknown tool is a protocol error, not a result.
        await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /Unknown tool: no_such_tool/);
        await client.close();
      });

      test("a private tool: listed and callable with the token, refused (401) without it or with a wrong one", async () => {
        const withToken = await open(url, { authorization: `Bearer ${MCP_TOKEN}` });
        const { tools } = (await withToken.listTools()) as { tools: ToolView[] };
        assert.deepEqual(tools.map((tool) => tool.name), [...PUBLIC_TOOLS.slice(0, 5), "secret_note", ...PUBLIC_TOOLS.slice(5)]);
        assert.deepEqual(await withToken.callTool({ name: "secret_note", arguments: { topic: "cake" } }), { content: [{ type: "text", text: "the secret about cake" }] });
        await withToken.close();
        // The API token header works too, as on /api.
        const withHeader = await open(url, { "x-api-token": MCP_TOKEN });
        assert.deepEqual(await withHeader.callTool({ name: "secret_note", arguments: { topic: "tea" } }), { content: [{ type: "text", text: "the secret about tea" }] });
        await withHeader.close();
        const anonymous = await open(url);
        await assert.rejects(anonymous.callTool({ name: "secret_note", arguments: { topic: "cake" } }), /401|Unauthorized|Access denied/i);
        await anonymous.close();
        const wrong = await open(url, { authorization: "Bearer not-the-token" });
        await assert.rejects(wrong.callTool({ name: "secret_note", arguments: { topic: "cake" } }), /401|Unauthorized|Access denied/i);
        await wrong.close();
      });
    });
  }

  test("the calls went through the service's dispatch: its middlewares saw each one", () => {
    assert.ok(seen.includes("say_hello") && seen.includes("secret_note") && seen.includes("divide"), seen.join(", "));
    // An unknown tool never reaches the service.
    assert.ok(!seen.includes("no_such_tool"));
  });

  test("401 and its challenge: Bearer, invalid_token for a wrong token, the resource metadata named", async () => {
    const call = { jsonrpc: "2.0", method: "tools/call", params: { name: "secret_note", arguments: { topic: "x" }, _meta: META }, id: 5 };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "secret_note" };
    const missing = await post(url, call, headers);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="mcp", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"');
    assert.deepEqual(missing.json, { jsonrpc: "2.0", error: { code: -32001, message: "Access denied: a valid token is required" }, id: 5 });
    const invalid = await post(url, call, { ...headers, authorization: "Bearer nope" });
    assert.equal(invalid.status, 401);
    assert.match(invalid.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/);
    assert.doesNotMatch(JSON.stringify(invalid.json), /nope/);
  });
});

describe("mcp()'s Streamable HTTP transport, over raw HTTP", { timeout: 30_000 }, () => {
  let server: ServerHandle;
  let url: URL;
  before(async () => {
    server = await serve(mcpService({ origins: ["https://agent.example.com"] }), { hostname: "127.0.0.1", port: 0 });
    url = new URL(`${server.url}/mcp`);
  });
  after(() => server.close());

  test("Origin: foreign ones refused with 403, loopback and listed ones served, none needed", async () => {
    const ping = { jsonrpc: "2.0", method: "ping", id: 1, params: { _meta: META } };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "ping" };
    const foreign = await post(url, ping, { ...headers, origin: "http://evil.example.com" });
    assert.equal(foreign.status, 403);
    assert.equal((foreign.json as { error: { code: number } }).error.code, -32000);
    assert.equal((await post(url, ping, { ...headers, origin: "null" })).status, 403);
    for (const origin of [`http://localhost:${server.port}`, "http://127.0.0.1:6274", "http://[::1]:80", "https://agent.example.com"]) {
      const answer = await post(url, ping, { ...headers, origin });
      assert.deepEqual([answer.status, answer.json], [200, { jsonrpc: "2.0", result: { resultType: "complete" }, id: 1 }], origin);
    }
  });

  test("sessions: initialize gives an id; later requests need it (400 without, 404 unknown); DELETE ends it", async () => {
    const opened = await post(url, INITIALIZE);
    assert.equal(opened.status, 200);
    const id = opened.headers.get("mcp-session-id") ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(opened.json, {
      jsonrpc: "2.0",
      result: { protocolVersion: "2025-11-25", capabilities: { tools: { listChanged: false } }, serverInfo: { name: "mcp.fixture", version: "1.2.3" }, instructions: "Tools for tests." },
      id: 1,
    });
    const list = { jsonrpc: "2.0", method: "tools/list", id: 2 };
    assert.equal((await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": id })).status, 202);
    assert.equal((await post(url, list, { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" })).status, 200);
    assert.equal((await post(url, list)).status, 400);
    assert.equal((await post(url, list, { "mcp-session-id": "00000000-0000-0000-0000-000000000000" })).status, 404);
    // Any version of the session-based generation is answered; another is refused.
    assert.equal((await post(url, list, { "mcp-session-id": id, "mcp-protocol-version": "2025-03-26" })).status, 200);
    assert.equal((await post(url, list, { "mcp-session-id": id, "mcp-protocol-version": "2024-01-01" })).status, 400);
    const ended = await fetch(url, { method: "DELETE", headers: { "mcp-session-id": id } });
    assert.equal(ended.status, 204);
    assert.equal((await post(url, list, { "mcp-session-id": id })).status, 404);
  });

  test("an older client's version is kept; an unknown one is answered with ours", async () => {
    const older = await post(url, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-06-18" } });
    assert.equal((older.json as { result: { protocolVersion: string } }).result.protocolVersion, "2025-06-18");
    const future = await post(url, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2099-01-01" } });
    assert.equal((future.json as { result: { protocolVersion: string } }).result.protocolVersion, "2025-11-25");
  });

  test("stateless requests: the headers must agree with the body (-32020), the version must be ours (-32022)", async () => {
    const list = { jsonrpc: "2.0", method: "tools/list", params: { _meta: META }, id: 3 };
    const good = await post(url, list, { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" });
    assert.equal(good.status, 200);
    assert.equal(good.headers.get("mcp-session-id"), null);
    const result = (good.json as { result: { ttlMs: number; cacheScope: string; resultType: string } }).result;
    assert.deepEqual([result.ttlMs, result.cacheScope, result.resultType], [0, "public", "complete"]);
    for (const headers of [{ "mcp-method": "tools/list" }, { "mcp-protocol-version": "2026-07-28" }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "ping" }, { "mcp-protocol-version": "2025-11-25", "mcp-method": "tools/list" }]) {
      const answer = await post(url, list, headers);
      assert.equal(answer.status, 400, JSON.stringify(headers));
      assert.equal((answer.json as { error: { code: number } }).error.code, -32020, JSON.stringify(headers));
    }
    const call = { jsonrpc: "2.0", method: "tools/call", params: { name: "say_hello", arguments: { name: "x" }, _meta: META }, id: 4 };
    const wrongName = await post(url, call, { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "pair" });
    assert.equal((wrongName.json as { error: { code: number } }).error.code, -32020);
    const future = await post(url, { ...list, params: { _meta: { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } } }, { "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list" });
    assert.equal(future.status, 400);
    assert.deepEqual((future.json as { error: unknown }).error, {
      code: -32022,
      message: "Unsupported protocol version",
      data: { supported: ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"], requested: "2099-01-01" },
    });
    // initialize is not a stateless method.
    const handshake = await post(url, { ...INITIALIZE, params: { ...INITIALIZE.params, _meta: META } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "initialize" });
    assert.equal((handshake.json as { error: { code: number } }).error.code, -32601);
  });

  test("what is not an MCP request: batches, other content types, bad JSON, GET, client responses", async () => {
    const batch = await post(url, [INITIALIZE]);
    assert.equal(batch.status, 400);
    assert.equal((batch.json as { error: { code: number } }).error.code, -32600);
    const notJson = await post(url, "{not json");
    assert.deepEqual([notJson.status, (notJson.json as { error: { code: number } }).error.code], [400, -32700]);
    const text = await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    assert.equal(text.status, 415);
    const html = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "text/html" }, body: JSON.stringify(INITIALIZE) });
    assert.equal(html.status, 406);
    const stream = await fetch(url, { headers: { accept: "text/event-stream" } });
    assert.deepEqual([stream.status, stream.headers.get("allow")], [405, "POST, DELETE"]);
    const response = await post(url, { jsonrpc: "2.0", result: {}, id: 9 });
    assert.equal(response.status, 202);
    const invalid = await post(url, { jsonrpc: "1.0", method: "ping", id: 1 });
    assert.equal(invalid.status, 400);
    // The service's JSON-RPC endpoint is untouched.
    const api = await fetch(`${server.url}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"say_hello","params":["api"],"id":1}' });
    assert.deepEqual(await api.json(), { jsonrpc: "2.0", result: "hello api", id: 1 });
  });

  test("a body over the service's limit is refused with 413", async () => {
    const small = new Service({ name: "small", limits: { maxBodyBytes: 200 } }).use(mcp()).publicMethod("echo", (text: string) => text);
    const answer = await small.fetch(new Request("http://localhost/mcp", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: "x".repeat(300) } }),
    }));
    assert.equal(answer.status, 413);
  });
});

describe("mcp() options", { timeout: 30_000 }, () => {
  test("sessions: false answers the session-based generation without sessions", async () => {
    const server = await serve(mcpService({ sessions: false }), { hostname: "127.0.0.1", port: 0 });
    try {
      const url = new URL(`${server.url}/mcp`);
      const opened = await post(url, INITIALIZE);
      assert.equal(opened.headers.get("mcp-session-id"), null);
      assert.equal((await post(url, { jsonrpc: "2.0", method: "tools/list", id: 2 })).status, 200);
      const client = await session(url);
      assert.deepEqual(await client.callTool({ name: "say_hello", arguments: { name: "b" } }), { content: [{ type: "text", text: "hello b" }] });
      await client.close();
      assert.equal((await fetch(url, { method: "DELETE" })).status, 405);
    } finally {
      await server.close();
    }
  });

  test("tools: a list of names, and a path of one's own", async () => {
    const service = new Service({ name: "picked" })
      .use(mcp({ tools: ["b"], path: "/agents" }))
      .publicMethod("a", () => 1)
      .publicMethod("b", () => 2);
    const answer = await service.fetch(new Request("http://localhost/agents", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "tools/list", params: { _meta: META }, id: 1 }),
    }));
    assert.equal(answer.status, 400); // the stateless headers are missing
    const listed = await service.fetch(new Request("http://localhost/agents", {
      method: "POST",
      headers: { "content-type": "application/json", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "tools/list", params: { _meta: META }, id: 1 }),
    }));
    const { result } = (await listed.json()) as { result: { tools: { name: string }[] } };
    assert.deepEqual(result.tools.map((tool) => tool.name), ["b"]);
    assert.equal((await service.fetch(new Request("http://localhost/mcp", { method: "POST" }))).status, 404);
  });

  test("bad options are refused at once", () => {
    assert.throws(() => mcp({ path: "mcp" }), /must start with "\/"/);
    assert.throws(() => mcp({ maxSessions: 0 }), /maxSessions must be a positive number/);
  });
});

describe("Sessions", () => {
  test("the least recently used goes first when full; an idle one expires", () => {
    let now = 0;
    const sessions = new Sessions({ max: 2, idleTimeout: 1_000, now: () => now });
    const a = sessions.open("2025-11-25");
    const b = sessions.open("2025-06-18");
    assert.equal(sessions.version(a), "2025-11-25"); // a is now the most recent
    const c = sessions.open("2025-11-25");
    assert.deepEqual([sessions.version(a), sessions.version(b), sessions.version(c)], ["2025-11-25", undefined, "2025-11-25"]);
    now = 1_001;
    assert.equal(sessions.version(a), undefined);
    assert.equal(sessions.close(c), false);
  });
});

describe("mcp() with jwt()", { timeout: 30_000 }, () => {
  const SECRET = "a shared secret of thirty-two bytes or more, for HS256";
  let server: ServerHandle;
  let url: URL;
  before(async () => {
    const service = new Service({ name: "orders" })
      .use(jwt({ secret: SECRET, audience: "orders" }))
      .use(mcp({ tools: () => true, resourceMetadata: "https://orders.example/.well-known/oauth-protected-resource" }))
      .privateMethod("whoami", (ctx: CallContext) => ctx.caller?.subject, { context: true })
      .privateMethod("cancel_order", (id: string) => `cancelled ${id}`, { scopes: ["orders:write"] });
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    url = new URL(`${server.url}/mcp`);
  });
  after(() => server.close());

  const token = (scope: string): Promise<string> =>
    new SignJWT({ sub: "ann", scope }).setProtectedHeader({ alg: "HS256" }).setAudience("orders").setExpirationTime("5m").sign(new TextEncoder().encode(SECRET));

  test("the caller a token names reaches the handler (ctx.caller); a missing scope is 403 insufficient_scope", async () => {
    const reader = await session(url, { authorization: `Bearer ${await token("orders:read")}` });
    try {
      assert.deepEqual(await reader.callTool({ name: "whoami", arguments: {} }), { content: [{ type: "text", text: "ann" }] });
      await assert.rejects(reader.callTool({ name: "cancel_order", arguments: { id: "o-1" } }), /403|Forbidden/i);
    } finally {
      await reader.close();
    }
    const writer = await stateless(url, { authorization: `Bearer ${await token("orders:write")}` });
    try {
      assert.deepEqual(await writer.callTool({ name: "cancel_order", arguments: { id: "o-1" } }), { content: [{ type: "text", text: "cancelled o-1" }] });
    } finally {
      await writer.close();
    }
    const call = { jsonrpc: "2.0", method: "tools/call", params: { name: "cancel_order", arguments: { id: "o-2" }, _meta: META }, id: 7 };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "cancel_order", authorization: `Bearer ${await token("orders:read")}` };
    const refused = await post(url, call, headers);
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get("www-authenticate") ?? "", /^Bearer error="insufficient_scope"/);
    assert.equal((refused.json as { error: { code: number } }).error.code, -32003);
    const expired = await post(url, call, { ...headers, authorization: "Bearer a.b.c" });
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token", resource_metadata="https:\/\/orders\.example\//);
  });
});

describe("tools and requests, in process", () => {
  const method = (params: { name: string; required?: boolean; "x-rest"?: boolean }[], named = true) => ({
    name: "m",
    params: params.map((param) => ({ schema: {}, ...param })),
    result: { name: "result", schema: {} },
    paramStructure: named ? "either" as const : "by-position" as const,
    "x-private": false,
  });

  test("arguments to positional params: order, optional ones, a rest array, and what cannot be sent", () => {
    const positional = method([{ name: "#1", required: true }, { name: "#2", required: false }, { name: "more", "x-rest": true }], false);
    assert.deepEqual(paramsOf(positional, { arg1: 1 }), [1]);
    assert.deepEqual(paramsOf(positional, { arg1: 1, arg2: 2, more: [3, 4] }), [1, 2, 3, 4]);
    assert.equal(paramsOf(positional, { arg1: 1, more: [3] }), "argument more needs arg2 too (the method takes its params by position)");
    assert.equal(paramsOf(positional, { arg1: 1, arg2: 2, more: 3 }), "argument more must be an array");
    assert.equal(paramsOf(positional, undefined), "missing argument arg1");
    assert.equal(paramsOf(positional, { arg1: 1, other: 2, third: 3 }), "unknown arguments other, third (takes arg1, arg2, more)");
    // A name that is already a param's is not given to an unnamed one.
    assert.deepEqual(paramsOf(method([{ name: "#1", required: true }, { name: "arg1", required: true }], false), { _arg1: 1, arg1: 2 }), [1, 2]);
    // Named params go as they are: the service binds and checks them.
    assert.deepEqual(paramsOf(method([{ name: "a", required: true }]), { a: 1, b: 2 }), { a: 1, b: 2 });
  });

  test("requests that are not right are protocol errors; an unknown method is -32601", async () => {
    const source: ToolSource = { name: "s", version: "1", methods: () => [method([])], call: () => Promise.resolve({ result: 1 }) };
    const ask = async (method: string, params?: unknown): Promise<unknown> =>
      (await answerMcpRequest({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }), id: 1 } as never, source, { credentialed: false, stateless: false })).response;
    assert.deepEqual(await ask("tools/call", {}), { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params: tools/call needs the tool's name" }, id: 1 });
    assert.deepEqual(await ask("tools/call", { name: "m", arguments: [1] }), { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params: a tool's arguments are an object" }, id: 1 });
    assert.deepEqual(await ask("tools/call", ["m"]), { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params: MCP params are an object" }, id: 1 });
    assert.deepEqual(await ask("resources/list"), { jsonrpc: "2.0", error: { code: -32601, message: "Method not found: resources/list" }, id: 1 });
    assert.deepEqual(await ask("tools/call", { name: "m" }), { jsonrpc: "2.0", result: { content: [{ type: "text", text: "1" }] }, id: 1 });
  });
});
