// JSON-RPC over WebSocket with clients we did not write: Python's `websockets` (Debian's
// python3-websockets, run by Debian's /usr/bin/python3) and Chromium's own `WebSocket`, against a
// service with webSocket() and streams() served by serve() on Node.js, Deno and Bun. Python sends
// its token in the upgrade's Authorization header; the browser, which cannot set headers, offers it
// as the subprotocol `bearer.<token>` next to `jsonrpc`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import WebSocket from "ws";
import { launchChromium, watchedPage } from "./browser.ts";
import { websocketInterop } from "./fixtures/websocket_browser_client.ts";
import { requirePythonModule } from "./servers.ts";
import { childEnv, freePort, HOST, RUNTIMES, runCommand, type RunningProcess, startProcess, stopAll } from "../runtime/processes.ts";

const TOKEN = "interop-token";
const PYTHON_CLIENT = fileURLToPath(new URL("fixtures/websocket_client.py", import.meta.url));

let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  await stopAll();
});

/** Runs the Python client against a URL; what it saw. */
function runPython(url: string, key: string): Promise<Record<string, unknown>> {
  const python = requirePythonModule("websockets", "python3-websockets");
  return new Promise((resolve, reject) => {
    execFile(python, [PYTHON_CLIENT, url, TOKEN, key], { timeout: 30_000, env: { PATH: "/usr/bin:/bin", PYTHONDONTWRITEBYTECODE: "1" } }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`the Python client failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

/** A stream item notification of call `id`. */
const item = (id: number, event: number, value: unknown): unknown => ({ jsonrpc: "2.0", method: "rpc.stream", params: { id, event, item: value } });

/** A batch's answers by id (a server may answer them in any order). */
function byId(batch: unknown): Map<unknown, unknown> {
  assert.ok(Array.isArray(batch), `a batch's answer is an array: ${JSON.stringify(batch)}`);
  return new Map((batch as { id: unknown }[]).map((answer) => [answer.id, answer]));
}

const DENIED = { code: -32001, message: "Access denied: a valid API token is required" };

/** Opens a `ws` client offering these subprotocols; its subprotocol and its answer to one call. */
async function wsPackageCall(url: string, protocols: string[], request: object): Promise<{ protocol: string; answer: unknown }> {
  const socket = new WebSocket(url, protocols);
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error("no answer within 5 s"));
      }, 5_000);
      socket.once("message", (data: Buffer) => {
        clearTimeout(timer);
        resolve(JSON.parse(data.toString()));
      });
    });
    socket.send(JSON.stringify(request));
    return { protocol: socket.protocol, answer: await answer };
  } finally {
    socket.terminate();
  }
}

for (const runtime of RUNTIMES) {
  describe(`a service on ${runtime} over WebSocket`, () => {
    let server: RunningProcess;
    let url: string;
    let page: string;
    before(async () => {
      const port = await freePort();
      const [command, args] = runCommand(runtime, "test/services/fixtures/websocket_service.ts");
      server = startProcess(command, args, childEnv({ HOST, PORT: String(port) }));
      await server.waitForLine(/serving at/);
      url = `ws://${HOST}:${port}/api`;
      page = `http://${HOST}:${port}/`;
    });
    after(() => server.stop());

    it("Python's websockets: calls, a batch, a notification, a call from the server, a stream read whole, a stream cancelled with rpc.cancel, a bad message", async () => {
      const key = `python-${runtime}`;
      const seen = await runPython(url, key);
      assert.equal(seen["subprotocol"], "jsonrpc");
      assert.deepEqual(seen["add"], { jsonrpc: "2.0", result: 5, id: 1 });
      assert.deepEqual(seen["secret"], { jsonrpc: "2.0", result: "the secret", id: "s" }, "the token of the upgrade's Authorization header counts");
      const batch = byId(seen["batch"]);
      assert.equal(batch.size, 3, "three answers: the notification gets none");
      assert.deepEqual(batch.get(10), { jsonrpc: "2.0", result: 2, id: 10 });
      assert.deepEqual(batch.get(11), { jsonrpc: "2.0", error: { code: -32601, message: "Method not found: nope" }, id: 11 });
      assert.deepEqual(batch.get(12), { jsonrpc: "2.0", result: 21, id: 12 });
      assert.deepEqual(seen["hello_notifications"], [{ jsonrpc: "2.0", method: "greeted", params: ["python"] }], "ctx.notify's notification came before the answer");
      assert.deepEqual(seen["hello"], { jsonrpc: "2.0", result: "hello python", id: 2 });
      assert.deepEqual(seen["server_call"], { jsonrpc: "2.0", method: "confirm", params: ["sure?"], id: "s1" }, "the server's call came within the call");
      assert.deepEqual(seen["ask"], { jsonrpc: "2.0", result: { question: "sure?", answer: { confirmed: true } }, id: 6 }, "the caller's answer reached the handler");
      assert.deepEqual(seen["ticks_items"], [item(3, 1, { i: 1 }), item(3, 2, { i: 2 }), item(3, 3, { i: 3 })]);
      assert.deepEqual(seen["ticks"], { jsonrpc: "2.0", result: "ticked 3", id: 3 }, "the stream's end is the call's answer, with the generator's return value");
      const forever = seen["forever_items"] as unknown[];
      assert.ok(forever.length >= 2, "items came before the cancel");
      forever.forEach((message, index) => assert.deepEqual(message, item(4, index + 1, { i: index + 1 })));
      assert.deepEqual(seen["forever"], { jsonrpc: "2.0", result: null, id: 4 }, "a cancelled stream still answers its call");
      assert.equal((seen["ended"] as { result: unknown }).result, true, "rpc.cancel ended the generator: its finally ran");
      assert.deepEqual(seen["parse_error"], { jsonrpc: "2.0", error: { code: -32700, message: "Parse error: the message is not valid JSON" }, id: null });
      assert.deepEqual(seen["after_parse_error"], { jsonrpc: "2.0", result: 10, id: 5 }, "the connection stayed open after the bad message");
      assert.equal(seen["close_code"], 1000);
      assert.deepEqual(seen["secret_without_token"], { jsonrpc: "2.0", error: DENIED, id: 1 });
    });

    // The `ws` package joins the subprotocols it offers with "," (no space), as RFC 6455 allows
    // (Deno.upgradeWebSocket alone would split them on ", " only); Chromium and Python send ", ".
    it("the ws package's client: the token as a subprotocol, offered as \"jsonrpc,bearer.<token>\"", async () => {
      const seen = await wsPackageCall(url, ["jsonrpc", `bearer.${TOKEN}`], { jsonrpc: "2.0", method: "secret", id: 1 });
      assert.deepEqual(seen, { protocol: "jsonrpc", answer: { jsonrpc: "2.0", result: "the secret", id: 1 } });
    });

    it("Chromium's WebSocket: the token as a subprotocol, calls, a batch, a stream's items", async () => {
      browser ??= await launchChromium();
      const { context, page: tab, watch } = await watchedPage(browser);
      try {
        // A page of the service's own origin: Chromium lets no page from elsewhere reach the loopback address.
        await tab.goto(page);
        // tsx compiles with esbuild's keepNames, which wraps the client's inner functions in a
        // `__name(…)` call that only tsx's runtime defines: the page gets one that does nothing.
        await tab.evaluate("globalThis.__name ??= (target) => target");
        const seen = await tab.evaluate(websocketInterop, [url, TOKEN] as const);
        assert.equal(seen.protocol, "jsonrpc", "the server answered the subprotocol the page asked for, not the token's");
        assert.deepEqual(seen.secret, { jsonrpc: "2.0", result: "the secret", id: 1 }, "the token offered as a subprotocol counts");
        assert.deepEqual(seen.add, { jsonrpc: "2.0", result: 42, id: 2 });
        const batch = byId(seen.batch);
        assert.equal(batch.size, 2);
        assert.deepEqual(batch.get("a"), { jsonrpc: "2.0", result: 3, id: "a" });
        assert.deepEqual(batch.get("b"), { jsonrpc: "2.0", result: "the secret", id: "b" });
        assert.deepEqual(seen.ticksItems, [1, 2, 3, 4].map((i) => item(3, i, { i })));
        assert.deepEqual(seen.ticks, { jsonrpc: "2.0", result: "ticked 4", id: 3 });
        assert.equal(seen.closeCode, 1000);
        assert.equal(seen.anonymousProtocol, "jsonrpc");
        assert.deepEqual(seen.secretWithoutToken, { jsonrpc: "2.0", error: DENIED, id: 1 });
        assert.deepEqual(watch.problems, []);
      } finally {
        await context.close();
      }
    });
  });
}
