// `deno test -A test/deno/`: the library imported by Deno as Deno imports it (mod.ts, no build, no
// network), serving real calls with serve() on port 0. Kept out of test/*.test.ts, which is Node's.
import assert from "node:assert/strict";
import { detectRuntime, serve, Service } from "../../mod.ts";
import { cors } from "../../src/plugins/cors.ts";

// The one part of Deno's API this file uses, declared here so that tsc (for Node) checks it too.
interface DenoTesting {
  test(name: string, fn: () => Promise<void>): void;
}
const deno = (globalThis as unknown as { Deno: DenoTesting }).Deno;

/** How many `sleep` calls have started. */
let sleeping = 0;

/** Waits until a condition holds, checking every 10 ms (gives up after 5 s). */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error("condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const service = new Service({
  name: "deno.test.service",
  apiTokenIsValid: (token) => token === "deno_token",
})
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
  .publicMethod("sleep", async (ms: number) => {
    sleeping++;
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
  const before = sleeping;
  const inFlight = call(server.url, { jsonrpc: "2.0", method: "sleep", params: [300], id: "slow" });
  await until(() => sleeping > before); // the call is running
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

deno.test("the direct route to the JSON-RPC path answers every kind of request exactly as service.fetch does", async () => {
  const echo = new Service({ name: "echo.service", limits: { maxBodyBytes: 200 } })
    .use(cors({ origins: ["https://app.example"] }))
    .publicMethod("echo", (text: string) => text)
    .publicMethod("slow", async (text: string) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return text;
    });
  const server = await serve(echo, { port: 0 });
  try {
    const json = { "content-type": "application/json" };
    const call = new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["h\u00e9 \u2713"],"id":1}');
    const cases: [string, string, Record<string, string>, Uint8Array?][] = [
      ["a call", "POST", json, call],
      ["a call from an allowed page", "POST", { ...json, origin: "https://app.example" }, call],
      ["a call from another page", "POST", { ...json, origin: "https://other.example" }, call],
      ["an async call", "POST", json, new TextEncoder().encode('[{"jsonrpc":"2.0","method":"slow","params":["x"],"id":1},{"jsonrpc":"2.0","method":"echo","params":["y"],"id":2}]')],
      ["a notification", "POST", json, new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["x"]}')],
      ["no content type", "POST", {}, call],
      ["bytes that are not UTF-8", "POST", json, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
      ["an empty body", "POST", json, new Uint8Array()],
      ["not JSON", "POST", json, new TextEncoder().encode("{oops")],
      ["another content type", "POST", { "content-type": "text/plain" }, call],
      ["another method", "GET", {}],
      ["a preflight", "OPTIONS", { origin: "https://app.example", "access-control-request-method": "POST" }],
      ["a body over the limit", "POST", json, new Uint8Array(300).fill(0x20)],
    ];
    // What a client sees of an answer; the server adds only its framing (date, content-length).
    const seen = async (response: Response) => ({
      status: response.status,
      headers: [...response.headers].filter(([name]) => name !== "date" && name !== "content-length"),
      body: await response.text(),
    });
    for (const [name, method, headers, body] of cases) {
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = body as BodyInit;
      const overSocket = await seen(await fetch(`${server.url}/api`, init));
      const inProcess = await seen(await echo.fetch(new Request("http://localhost/api", init)));
      assert.deepEqual(overSocket, inProcess, name);
    }
  } finally {
    await server.close();
  }
});
