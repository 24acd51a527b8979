// `tsmicroservice mcp URL`: the stdio bridge, driven by the official SDKs' stdio clients (1.x,
// session-style initialize; 2.x, stateless 2026-07-28), which start the command as agents do,
// against a plain service (no mcp() plugin) on a loopback socket; and its line handling in process.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import * as v2 from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransport2 } from "@modelcontextprotocol/client/stdio";
import { z } from "zod";
import { RpcError, serve, Service } from "../mod.ts";
import type { ServerHandle } from "../src/adapters/types.ts";
import { runCli } from "../src/cli/cli.ts";
import { answerLine } from "../src/cli/mcp_command.ts";
import type { ToolSource } from "../src/mcp/protocol.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { cliCommand, ROOT } from "./cli_run.ts";
import { childEnv, RUNTIMES } from "./runtime/processes.ts";

const TOKEN = "bridge-token";

function plainService(): Service {
  return new Service({ name: "bridged", version: "2.0.0", description: "A service without mcp().", apiTokenIsValid: (token) => token === TOKEN })
    .use(schemas())
    .publicMethod("say_hello", (name: string) => `hello ${name}`, { idempotent: true, description: "Greets." })
    .publicMethod("pair", ([a, b]: [number, number]) => ({ first: a, second: b }))
    .publicMethod("divide", ({ dividend, divisor }) => ({ quotient: dividend / divisor }), {
      input: z.object({ dividend: z.number(), divisor: z.number() }),
      output: z.object({ quotient: z.number() }),
    })
    .publicMethod("find_order", (id: string) => {
      throw new RpcError(1404, "No such order", { id });
    })
    .privateMethod("secret_note", (topic: string) => `the secret about ${topic}`);
}

interface ToolClient {
  listTools(): Promise<{ tools: { name: string; inputSchema: unknown; outputSchema?: unknown; annotations?: unknown }[] }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  getServerVersion?(): unknown;
  close(): Promise<void>;
}

/** Starts the bridge as an agent does: the SDK's stdio client runs the command. */
async function bridge(generation: "1.x" | "2.x", url: string, flags: string[] = [], runtime: "node" | "deno" | "bun" = "node"): Promise<ToolClient> {
  const [command, ...args] = cliCommand(runtime);
  const env = childEnv() as Record<string, string>;
  const parameters = { command, args: [...args, "mcp", url, ...flags], cwd: ROOT, env, stderr: "pipe" as const };
  if (generation === "1.x") {
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    await client.connect(new StdioClientTransport(parameters));
    return client;
  }
  const client = new v2.Client({ name: "bridge-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StdioClientTransport2(parameters));
  return client;
}

describe("tsmicroservice mcp: the stdio bridge, driven by the SDKs' stdio clients", { timeout: 90_000 }, () => {
  let server: ServerHandle;
  let url: string;
  before(async () => {
    server = await serve(plainService(), { hostname: "127.0.0.1", port: 0 });
    url = `${server.url}/api`;
  });
  after(() => server.close());

  for (const generation of ["1.x", "2.x"] as const) {
    test(`SDK ${generation}: the service's public methods as tools, called through its /api`, async () => {
      const client = await bridge(generation, url);
      try {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((tool) => tool.name), ["say_hello", "pair", "divide", "find_order"]);
        assert.deepEqual(tools[0]?.annotations, { idempotentHint: true });
        assert.deepEqual(tools[1]?.inputSchema, { type: "object", properties: { arg1: {} }, required: ["arg1"], additionalProperties: false });
        assert.deepEqual(await client.callTool({ name: "say_hello", arguments: { name: "bridge" } }), { content: [{ type: "text", text: "hello bridge" }] });
        assert.deepEqual(await client.callTool({ name: "pair", arguments: { arg1: [3, 4] } }), {
          content: [{ type: "text", text: '{"first":3,"second":4}' }],
          structuredContent: { first: 3, second: 4 },
        });
        assert.deepEqual(await client.callTool({ name: "divide", arguments: { dividend: 1, divisor: 8 } }), {
          content: [{ type: "text", text: '{"quotient":0.125}' }],
          structuredContent: { quotient: 0.125 },
        });
        assert.deepEqual(await client.callTool({ name: "find_order", arguments: { id: "o-2" } }), {
          content: [{ type: "text", text: 'Error 1404: No such order\n{"id":"o-2"}' }],
          isError: true,
        });
        await assert.rejects(client.callTool({ name: "secret_note", arguments: { topic: "x" } }), /Access denied/);
      } finally {
        await client.close();
      }
    });
  }

  for (const runtime of RUNTIMES.filter((name) => name !== "node")) {
    test(`on ${runtime}: the bridge lists and calls the tools (SDK 1.x)`, async () => {
      const client = await bridge("1.x", url, ["--token", TOKEN], runtime);
      try {
        assert.equal((await client.listTools()).tools.length, 5);
        assert.deepEqual(await client.callTool({ name: "say_hello", arguments: { name: runtime } }), { content: [{ type: "text", text: `hello ${runtime}` }] });
        assert.deepEqual(await client.callTool({ name: "secret_note", arguments: { topic: runtime } }), { content: [{ type: "text", text: `the secret about ${runtime}` }] });
      } finally {
        await client.close();
      }
    });
  }

  test("with --token the private methods are tools too; the server is named after the service", async () => {
    const client = await bridge("1.x", url, ["--token", TOKEN]);
    try {
      assert.deepEqual((client as unknown as Client).getServerVersion(), { name: "bridged", version: "2.0.0" });
      const { tools } = await client.listTools();
      assert.ok(tools.some((tool) => tool.name === "secret_note"));
      assert.deepEqual(await client.callTool({ name: "secret_note", arguments: { topic: "cake" } }), { content: [{ type: "text", text: "the secret about cake" }] });
    } finally {
      await client.close();
    }
    // A wrong token: the service's own refusal reaches the agent.
    const wrong = await bridge("1.x", url, ["--token", "nope"]);
    try {
      await assert.rejects(wrong.callTool({ name: "secret_note", arguments: { topic: "cake" } }), /Access denied/);
    } finally {
      await wrong.close();
    }
  });
});

describe("tsmicroservice mcp in process", () => {
  const source: ToolSource = {
    name: "s",
    version: "1.0.0",
    methods: () => [],
    call: () => Promise.resolve({ result: null }),
  };

  test("each line: a request answered; notifications, client responses and blank lines not; bad lines get errors", async () => {
    assert.deepEqual(await answerLine('{"jsonrpc":"2.0","method":"ping","id":"a"}', source, false), { jsonrpc: "2.0", result: {}, id: "a" });
    assert.equal(await answerLine('{"jsonrpc":"2.0","method":"notifications/initialized"}', source, false), undefined);
    assert.equal(await answerLine('{"jsonrpc":"2.0","result":{},"id":3}', source, false), undefined);
    assert.equal(await answerLine("   ", source, false), undefined);
    assert.deepEqual(await answerLine("{oops", source, false), { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
    assert.deepEqual(await answerLine('{"jsonrpc":"2.0","method":5,"id":4}', source, false), {
      jsonrpc: "2.0",
      error: { code: -32600, message: 'Invalid Request: "method" must be a string' },
      id: 4,
    });
    const future = await answerLine(JSON.stringify({ jsonrpc: "2.0", method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" } }, id: 5 }), source, false);
    assert.equal((future as { error: { code: number } }).error.code, -32022);
    const stateless = await answerLine(JSON.stringify({ jsonrpc: "2.0", method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } }, id: 6 }), source, false);
    assert.deepEqual(stateless, { jsonrpc: "2.0", result: { tools: [], ttlMs: 0, cacheScope: "public", resultType: "complete" }, id: 6 });
  });

  test("notifications/cancelled aborts the call in flight, and the request gets no response", async () => {
    let aborted = false;
    const waiting: ToolSource = {
      name: "s",
      version: "1.0.0",
      methods: () => [{ name: "wait", params: [], result: { name: "result", schema: {} }, paramStructure: "either", "x-private": false }],
      call: (_name, _params, signal) => new Promise((resolve) => {
        signal?.addEventListener("abort", () => {
          aborted = true;
          resolve({ error: { code: -32002, message: "Timeout" } });
        });
      }),
    };
    const inFlight = new Map<string, AbortController>();
    const answer = answerLine('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"wait"},"id":"c1"}', waiting, false, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...inFlight.keys()], ['"c1"']);
    // Another id's cancellation changes nothing.
    assert.equal(await answerLine('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c2"}}', waiting, false, inFlight), undefined);
    assert.equal(aborted, false);
    assert.equal(await answerLine('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user"}}', waiting, false, inFlight), undefined);
    assert.equal(await answer, undefined);
    assert.equal(aborted, true);
    assert.equal(inFlight.size, 0);
  });

  test("a service that cannot be reached: no tools, and a line on stderr; stdout carries MCP only", async () => {
    let stdout = "";
    let stderr = "";
    const lines = [
      '{"jsonrpc":"2.0","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}},"id":1}\n',
      '{"jsonrpc":"2.0","method":"tools/list","id":2}\n',
    ];
    const code = await runCli(["mcp", "http://127.0.0.1:9/api", "--timeout", "2000"], {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      isTTY: false,
      importModule: () => Promise.resolve({}),
      writeFolder: () => Promise.resolve(""),
      stdin: lines.map((line) => new TextEncoder().encode(line)),
    });
    assert.equal(code, 0);
    const answers = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as { id: number; result: Record<string, unknown> });
    assert.deepEqual(answers.map((answer) => answer.id).sort(), [1, 2]);
    assert.deepEqual(answers.find((answer) => answer.id === 2)?.result, { tools: [] });
    assert.match(stderr, /^tsmicroservice mcp: could not describe the service: /m);
  });

  test("usage: the URL is needed, one only, and stdin", async () => {
    const env = { stdout: () => {}, stderr: () => {}, isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
    assert.equal(await runCli(["mcp"], { ...env, stdin: [] }), 64);
    assert.equal(await runCli(["mcp", "http://127.0.0.1:1/api", "http://127.0.0.1:2/api"], { ...env, stdin: [] }), 64);
    assert.equal(await runCli(["mcp", "http://127.0.0.1:1/api"], env), 64);
  });
});
