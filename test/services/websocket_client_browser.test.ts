// The WebSocket client in a real browser (headless Chromium, test/services/browser.ts), where the
// WebSocket constructor takes no headers: the client bundled by esbuild for the browser offers the
// token as the subprotocols ["jsonrpc", "bearer.<token>"], the server answers "jsonrpc", and the
// token counts as it does in a header: against the real webSocket() server (on Deno), a private
// method answers, and calls, a batch, a stream, a server notification and a server call work. The
// `ws` package's server records exactly what the browser offered.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { childEnv, freePort, HOST, ROOT, runCommand, type RunningProcess, startProcess, stopAll } from "../runtime/processes.ts";
import { FixtureServer } from "../websocket_client_fixture.ts";
import { launchChromium } from "./browser.ts";

after(stopAll);

/** The client as a page script: `window.tsmicroservice` with connect and openWebSocket. */
async function clientBundle(): Promise<string> {
  const result = await build({
    stdin: {
      contents: 'export { connect, createClient } from "./src/client/client.ts"; export { openWebSocket } from "./src/websocket/client.ts";',
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    globalName: "tsmicroservice",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("the WebSocket client in Chromium", { timeout: 90_000 }, () => {
  let browser: Browser;
  let bundle: string;
  let server: RunningProcess;
  let url: string;
  before(async () => {
    [browser, bundle] = await Promise.all([launchChromium(), clientBundle()]);
    const port = await freePort();
    const [command, args] = runCommand("deno", "test/runtime/fixtures/websocket_client_server.ts");
    server = startProcess(command, args, childEnv({ HOST, PORT: String(port) }));
    await server.waitForLine(/serving at/);
    url = `ws://${HOST}:${port}/api`;
  });
  after(async () => {
    await browser.close();
    await server.stop();
  });

  const inPage = async <T>(run: string, target: string): Promise<T> => {
    const page = await browser.newPage();
    try {
      await page.addScriptTag({ content: bundle });
      // The page's code, as a browser user writes it (no constructor passed: the browser's own).
      return (await page.evaluate(`(async (url) => { const { connect, openWebSocket } = tsmicroservice; ${run} })(${JSON.stringify(target)})`));
    } finally {
      await page.close();
    }
  };

  test("the token goes as the bearer subprotocol and the server answers jsonrpc", async () => {
    const fixture = new FixtureServer();
    await fixture.start();
    try {
      const answer = await inPage<number>(`
        const socket = openWebSocket(url, { token: "browser_token" });
        const remote = await connect(socket);
        const sum = await remote.call("add", [1, 2]);
        await remote.close();
        return sum;`, fixture.url);
      assert.equal(answer, 3);
      // The subprotocols offered, and no token header (a browser cannot send one).
      assert.deepEqual(fixture.upgrades.map((headers) => [headers["sec-websocket-protocol"], headers["x-api-token"]]), [["jsonrpc, bearer.browser_token", undefined]]);
    } finally {
      await fixture.stop();
    }
  });

  test("against webSocket(): the private method answers with the token, and calls, batch, stream, server notification and call", async () => {
    const outcome = await inPage<unknown>(`
      const socket = openWebSocket(url, { token: "fixture_token" });
      const remote = await connect(socket, { streams: socket.streams });
      const greeted = [];
      socket.on("greeted", (params) => greeted.push(params));
      socket.handle("confirm", (params) => "confirmed " + params[0]);
      const ticks = [];
      for await (const tick of remote.methods.ticks(3)) ticks.push(tick);
      const batch = await remote.batch((b) => [b.call("add", [1, 2]), b.call("fails")]);
      const anonymous = await connect(openWebSocket(url));
      const denied = await anonymous.call("secret").catch((error) => error.code);
      await anonymous.close();
      const outcome = {
        secret: await remote.call("secret"),
        denied,
        ticks,
        batch: batch.map((settled) => settled.ok ? settled.value : settled.error.code),
        hello: await remote.call("hello", ["ann"]),
        asked: await remote.call("ask", ["yes"]),
        greeted,
        state: socket.state,
      };
      await remote.close();
      return outcome;`, url);
    assert.deepEqual(outcome, {
      secret: "only with the token",
      denied: -32001,
      ticks: [{ i: 1 }, { i: 2 }, { i: 3 }],
      batch: [3, 4001],
      hello: "hello ann",
      asked: { result: "confirmed yes" },
      greeted: [["ann"]],
      state: "open",
    });
  });
});
