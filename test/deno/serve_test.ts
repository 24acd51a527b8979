// `deno test -A test/deno/`: the library imported by Deno as Deno imports it (mod.ts, no build, no
// network), serving real calls with serve() on port 0. Kept out of test/*.test.ts, which is Node's.
import assert from "node:assert/strict";
import { detectRuntime, serve, Service } from "../../mod.ts";

// The one part of Deno's API this file uses, declared here so that tsc (for Node) checks it too.
interface DenoTesting {
  test(name: string, fn: () => Promise<void>): void;
}
const deno = (globalThis as unknown as { Deno: DenoTesting }).Deno;

const service = new Service({
  name: "deno.test.service",
  apiTokenIsValid: (token) => token === "deno_token",
})
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
  .publicMethod("sleep", async (ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  })
  .privateMethod("secret", () => "deno secret");

async function call(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(`${url}/api`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return await response.json();
}

deno.test("serve() uses Deno.serve, on a free port, and answers calls", async () => {
  assert.equal(detectRuntime(), "deno");
  const server = await serve(service, { port: 0 });
  try {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.deepEqual(
      await call(server.url, { jsonrpc: "2.0", method: "subtract", params: { minuend: 42, subtrahend: 23 }, id: 1 }),
      { jsonrpc: "2.0", result: 19, id: 1 },
    );
    assert.deepEqual(
      await call(server.url, { jsonrpc: "2.0", method: "secret", id: 2 }, { authorization: "Bearer deno_token" }),
      { jsonrpc: "2.0", result: "deno secret", id: 2 },
    );
  } finally {
    await server.close();
  }
});

deno.test("close() answers the call in flight, then refuses connections", async () => {
  const server = await serve(service, { port: 0 });
  const inFlight = call(server.url, { jsonrpc: "2.0", method: "sleep", params: [300], id: "slow" });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const closed = server.close();
  assert.deepEqual(await inFlight, { jsonrpc: "2.0", result: 300, id: "slow" });
  await closed;
  await assert.rejects(fetch(`${server.url}/api`, { method: "POST", body: "{}" }));
  assert.equal(server.close(), server.close(), "close() twice waits for the same shutdown");
});

deno.test("a taken port is refused", async () => {
  const server = await serve(service, { port: 0 });
  try {
    await assert.rejects(serve(service, { port: server.port }), (error: Error) => error.name === "AddrInUse");
  } finally {
    await server.close();
  }
});
