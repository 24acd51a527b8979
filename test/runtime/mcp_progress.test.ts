// mcp() and a streaming method on Node.js, Deno and Bun (fixtures/mcp_stream_server.ts): a client
// that asked for progress reads the first notification over SSE and leaves, and the generator's
// finally runs on the server; so does it when a client that asked for JSON leaves mid-call.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

/** A stateless (2026-07-28) tools/call of `watch`, with a progress token or without. */
function callWatch(server: ChildServer, signal: AbortSignal, progressToken?: string): Promise<Response> {
  const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", ...(progressToken === undefined ? {} : { progressToken }) };
  return fetch(`${server.base}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "watch",
    },
    body: JSON.stringify({ jsonrpc: "2.0", method: "tools/call", params: { name: "watch", arguments: {}, _meta: meta }, id: 1 }),
    signal,
  });
}

async function endsSoFar(server: ChildServer): Promise<number> {
  const response = await fetch(`${server.base}/api`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method: "watch_ends", id: 1 }),
    signal: AbortSignal.timeout(5_000),
  });
  return ((await response.json()) as { result: number }).result;
}

async function untilEnds(server: ChildServer, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await endsSoFar(server)) < count) {
    if (Date.now() > deadline) assert.fail(`the generator's finally did not run (${count}) on ${server.runtime}`);
    await sleep(25);
  }
}

describe("mcp() streaming tools on every runtime: a client that leaves ends the generator", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/mcp_stream_server.ts");
      });
      after(() => server.process.stop());

      test("with progress (SSE): after the first notification", async () => {
        const leaving = new AbortController();
        const response = await callWatch(server, leaving.signal, "w");
        assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        let text = "";
        while (!text.includes("notifications/progress")) {
          const { value, done } = await reader.read();
          assert.equal(done, false);
          text += new TextDecoder().decode(value);
        }
        leaving.abort();
        await untilEnds(server, 1);
      });

      test("without progress (JSON): mid-call", async () => {
        const leaving = new AbortController();
        const pending = callWatch(server, leaving.signal).catch(() => undefined);
        await sleep(200);
        leaving.abort();
        await pending;
        await untilEnds(server, 2);
      });
    });
  }
});
