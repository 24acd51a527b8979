// The runtime adapters for real, through serve(), on Node.js, Deno and Bun: port 0, a taken port,
// errors thrown by the app, request.signal when the client goes away, a call slower than Bun's
// idle timeout, and close() draining a call in flight. The three runtimes run side by side.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  childEnv,
  delay,
  groupIsAlive,
  HOST,
  runCommand,
  type RunningProcess,
  RUNTIMES,
  type RuntimeName,
  startProcess,
  stopAll,
  tryConnect,
  within,
} from "./processes.ts";
import { request } from "./servers.ts";

after(stopAll);

const post = (base: string, body: string): Promise<Response> =>
  fetch(`${base}/api`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("serve() on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let child: RunningProcess;
      let base: string;

      before(async () => {
        const [command, args] = runCommand(runtime, "test/runtime/fixtures/adapter_server.ts");
        child = startProcess(command, args, childEnv());
        const [, url] = await child.waitForLine(/^listening at (http:\/\/\S+)$/);
        base = url!;
      });

      test("port 0 listens on a free port, on the runtime's own server", async () => {
        const url = new URL(base);
        assert.equal(url.hostname, HOST);
        assert.ok(Number(url.port) > 0, `a real port in ${base}`);
        const answer = await request(`${base}/api`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"jsonrpc":"2.0","method":"runtime","id":1}',
        });
        assert.deepEqual(answer.json, { jsonrpc: "2.0", result: runtime satisfies RuntimeName, id: 1 });
        // Every runtime sends the JSON-RPC answer's headers alike (Deno's included: they are built
        // in two steps there, see denoResponse).
        assert.equal(answer.headers.get("content-type"), "application/json");
        assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
        assert.equal(answer.headers.get("content-length"), String(Buffer.byteLength(answer.text)));
      });

      test("a second server on a taken port is refused", async () => {
        await child.waitForLine(/^second server on the same port: refused$/, 1_000);
      });

      test("an app that throws gets a plain 500, without details", async () => {
        const answer = await request(`${base}/throw`);
        assert.equal(answer.status, 500);
        assert.equal(answer.text, "Internal Server Error");
        assert.doesNotMatch(child.output(), /fixture-secret/, "the error is not printed either");
      });

      test("request.signal aborts when the client goes away", async () => {
        const client = new AbortController();
        const pending = fetch(`${base}/disconnect`, { signal: client.signal }).catch((error: unknown) => error);
        await child.waitForLine(/^waiting for a disconnect$/);
        client.abort();
        assert.equal((await pending as Error).name, "AbortError");
        await child.waitForLine(/^request signal aborted$/, 5_000);
      });

      for (const path of ["/api", "/via-fetch"]) {
        test(`a call slower than Bun's 10 s idle timeout is answered, and run once (${path})`, async () => {
          const response = await fetch(`${base}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: `{"jsonrpc":"2.0","method":"sleep","params":[11000],"id":"${path}"}`,
          });
          assert.equal(response.status, 200);
          assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: 11000, id: path });
          assert.equal(child.output().match(/^sleep 11000 started$/gm)?.length, path === "/api" ? 1 : 2);
        });
      }

      test("close() answers the call in flight, refuses new connections, then the process ends", async () => {
        const inFlight = post(base, '{"jsonrpc":"2.0","method":"sleep","params":[3000],"id":"drain"}');
        let answered = false;
        void inFlight.then(() => (answered = true), () => (answered = true));
        await child.waitForLine(/^sleep 3000 started$/);
        assert.equal((await request(`${base}/close`)).text, "closing");
        await child.waitForLine(/^close called$/);
        // Deno closes its listener a moment after shutdown() is called, not within the call.
        const port = Number(new URL(base).port);
        let connecting = await tryConnect(port);
        for (let tries = 0; connecting === "connected" && tries < 50; tries++) {
          await delay(20);
          connecting = await tryConnect(port);
        }
        assert.equal(connecting, "ECONNREFUSED");
        assert.equal(answered, false, "new connections are refused while the call is still in flight");

        const response = await inFlight;
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: 3000, id: "drain" });
        await child.waitForLine(/^closed$/, 5_000);
        // Nothing is left to keep the runtime alive once the server is closed.
        assert.equal(await within(child.exited, 5_000, "still running"), 0);
        await child.stop();
        assert.equal(groupIsAlive(child.pid), false);
      });
    });
  }
});
