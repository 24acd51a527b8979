// mcp() on Node.js, Deno and Bun: the MCP fixture service (fixtures/mcp_server.ts) served by each
// runtime, and the official SDK clients (1.x, session-based; 2.x, stateless) listing and calling
// its tools: named, positional-only, object-schema, private with a token, failing, streaming
// with progress.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import * as v2 from "@modelcontextprotocol/client";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

const TOKEN = { authorization: "Bearer mcp-token" };

interface Progress {
  progress: number;
  message?: string | undefined;
}

interface ToolRequest {
  name: string;
  arguments: Record<string, unknown>;
}

interface ToolClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  /** Calls a tool asking for progress (the SDKs take the callback in different places). */
  withProgress(request: { name: string; arguments: Record<string, unknown> }, onprogress: (progress: Progress) => void): Promise<unknown>;
  close(): Promise<void>;
}

async function open(generation: "1.x" | "2.x", url: URL, headers: Record<string, string> = {}): Promise<ToolClient> {
  if (generation === "1.x") {
    const client = new Client({ name: "runtime-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    return Object.assign(client, { withProgress: (request: ToolRequest, onprogress: (progress: Progress) => void) => client.callTool(request, undefined, { onprogress }) });
  }
  const client = new v2.Client({ name: "runtime-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new v2.StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  return Object.assign(client, { withProgress: (request: ToolRequest, onprogress: (progress: Progress) => void) => client.callTool(request, { onprogress }) });
}

describe("mcp() on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/mcp_server.ts");
      });
      after(() => server.process.stop());

      for (const generation of ["1.x", "2.x"] as const) {
        test(`SDK ${generation}: list, then call named, positional-only, object-schema, private, failing and streaming tools`, async () => {
          const url = new URL(`${server.base}/mcp`);
          const client = await open(generation, url, TOKEN);
          try {
            const { tools } = await client.listTools();
            assert.deepEqual(tools.map((tool) => tool.name), ["say_hello", "pair", "sum", "divide", "find_order", "secret_note", "test_simple_text", "test_error_handling", "test_tool_with_progress"]);
            assert.deepEqual(await client.callTool({ name: "say_hello", arguments: { name: runtime } }), { content: [{ type: "text", text: `hello ${runtime}` }] });
            assert.deepEqual(await client.callTool({ name: "pair", arguments: { arg1: [1, 2] } }), {
              content: [{ type: "text", text: '{"first":1,"second":2}' }],
              structuredContent: { first: 1, second: 2 },
            });
            assert.deepEqual(await client.callTool({ name: "divide", arguments: { dividend: 3, divisor: 4 } }), {
              content: [{ type: "text", text: '{"quotient":0.75}' }],
              structuredContent: { quotient: 0.75 },
            });
            assert.deepEqual(await client.callTool({ name: "secret_note", arguments: { topic: "keys" } }), { content: [{ type: "text", text: "the secret about keys" }] });
            assert.deepEqual(await client.callTool({ name: "find_order", arguments: { id: "o-1" } }), {
              content: [{ type: "text", text: 'Error 1404: No such order\n{"id":"o-1"}' }],
              isError: true,
            });
            // A streaming tool: a progress notification per item (over SSE), then the items.
            const progress: Progress[] = [];
            assert.deepEqual(await client.withProgress({ name: "test_tool_with_progress", arguments: {} }, (each) => progress.push(each)), {
              content: [{ type: "text", text: '{"items":["started","halfway","done"],"count":3}' }],
              structuredContent: { items: ["started", "halfway", "done"], count: 3 },
            });
            assert.deepEqual(progress.map(({ progress, message }) => [progress, message]), [[1, "started"], [2, "halfway"], [3, "done"]]);
          } finally {
            await client.close();
          }
          const anonymous = await open(generation, url);
          try {
            assert.equal((await anonymous.listTools()).tools.some((tool) => tool.name === "secret_note"), false);
            await assert.rejects(anonymous.callTool({ name: "secret_note", arguments: { topic: "keys" } }), /401|Unauthorized|Access denied/i);
          } finally {
            await anonymous.close();
          }
        });
      }
    });
  }
});
