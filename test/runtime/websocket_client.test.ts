// The WebSocket client against the real server: a Service with webSocket() served by serve()
// (test/runtime/fixtures/websocket_client_server.ts) on each runtime whose upgrade is served (Deno
// and Bun; Node.js once its RFC 6455 side is there). From Node.js with the `ws` package's
// WebSocket: calls, batches, errors, the token at the upgrade, a stream left early (the generator's
// finally runs, its signal aborts), an aborted call (rpc.cancel reaches the handler's signal),
// server notifications and calls, and the fault run: the server SIGKILLed mid-stream and started
// again on the same port, where a resumable feed goes on with nothing lost or repeated, an
// idempotent call in flight is sent again and another call fails. Then the client itself runs on
// Deno and Bun with their own WebSocket (test/runtime/fixtures/websocket_client_script.ts).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";
import { connect, RpcError, TransportError } from "../../mod.ts";
import { openWebSocket, type WebSocketClient } from "../../src/websocket/client.ts";
import { childEnv, delay, freePort, HOST, ROOT, runCommand, type RunningProcess, RUNTIMES, type RuntimeName, startProcess, stopAll } from "./processes.ts";

after(stopAll);

const SERVER = "test/runtime/fixtures/websocket_client_server.ts";
// Node.js serves upgrades once its RFC 6455 side (src/websocket/frames.ts) is there; until then the plugin answers 501.
const SERVED = RUNTIMES.filter((runtime) => runtime !== "node" || existsSync(`${ROOT}src/websocket/frames.ts`));

type Fixture = {
  add(a: number, b: number): number;
  fails(): never;
  secret(): string;
  slow(ms: number): number;
  count(ms: number): number;
  hello(name: string): string;
  ask(question: string): { result?: unknown; error?: { code: number; message: string } };
  ticks(n: number): AsyncGenerator<{ i: number }, string>;
  feed(): AsyncGenerator<string, string>;
  seen(): { aborted: number; finallyRan: number; counted: number };
};

async function startServer(runtime: RuntimeName, port: number): Promise<RunningProcess> {
  const [command, args] = runCommand(runtime, SERVER);
  const child = startProcess(command, args, childEnv({ HOST, PORT: String(port) }));
  await child.waitForLine(/serving at/);
  return child;
}

for (const runtime of SERVED) {
  describe(`the WebSocket client against webSocket() on ${runtime}`, { timeout: 90_000 }, () => {
    let port: number;
    let server: RunningProcess;
    let url: string;
    const sockets: WebSocketClient[] = [];
    const open = (token?: string): WebSocketClient => {
      const socket = openWebSocket(url, { WebSocket, reconnect: { delay: 50, maxDelay: 500 }, ...(token === undefined ? {} : { token }) });
      sockets.push(socket);
      return socket;
    };
    before(async () => {
      port = await freePort();
      url = `ws://${HOST}:${port}/api`;
      server = await startServer(runtime, port);
    });
    after(async () => {
      await Promise.all(sockets.map((socket) => socket.close()));
      await server.stop();
    });

    test("calls, named params, a batch in one message, errors, and the token at the upgrade", async () => {
      const socket = open("fixture_token");
      const remote = await connect<Fixture>(socket);
      assert.equal(remote.name, "websocket.fixture");
      assert.equal(await remote.methods.add(1, 2), 3);
      assert.equal(await remote.call("add", { a: 40, b: 2 }), 42);
      assert.equal(await remote.methods.secret(), "only with the token");
      await assert.rejects(remote.methods.fails(), (error: unknown) => error instanceof RpcError && error.code === 4001 && (error.data as { item: string }).item === "apple");
      const [sum, failed] = await remote.batch((batch) => [batch.methods.add(2, 2), batch.methods.fails()]);
      assert.deepEqual(sum, { ok: true, value: 4 });
      assert.equal((failed as { error?: RpcError }).error?.code, 4001);
      const anonymous = await connect<Fixture>(open());
      await assert.rejects(anonymous.methods.secret(), (error: unknown) => error instanceof RpcError && error.code === -32001);
    });

    test("streams: items then the result; leaving early ends the generator (finally, signal); an aborted call's signal aborts", async () => {
      const socket = open();
      const remote = await connect<Fixture>(socket, { streams: socket.streams });
      const items: { i: number }[] = [];
      for await (const tick of remote.methods.ticks(3)) items.push(tick);
      assert.deepEqual(items, [{ i: 1 }, { i: 2 }, { i: 3 }]);
      const before = await remote.methods.seen();
      for await (const tick of remote.methods.ticks(1_000)) if (tick.i === 2) break;
      const controller = new AbortController();
      const slow = remote.with({ signal: controller.signal }).methods.slow(10_000);
      await delay(100);
      controller.abort();
      await assert.rejects(slow, (error: unknown) => error instanceof TransportError && error.kind === "aborted");
      const end = Date.now() + 5_000;
      let now = await remote.methods.seen();
      while (!(now.finallyRan === before.finallyRan + 1 && now.aborted === before.aborted + 2)) {
        if (Date.now() > end) assert.fail(`rpc.cancel not seen: ${JSON.stringify([before, now])}`);
        await delay(20);
        now = await remote.methods.seen();
      }
    });

    test("server notifications and server calls", async () => {
      const socket = open();
      const remote = await connect<Fixture>(socket);
      const greeted: unknown[] = [];
      socket.on("greeted", (params) => {
        greeted.push(params);
      });
      socket.handle("confirm", (params) => (params as string[])[0] === "yes");
      assert.equal(await remote.methods.hello("ann"), "hello ann");
      assert.deepEqual(greeted, [["ann"]]);
      assert.deepEqual(await remote.methods.ask("yes"), { result: true });
      socket.handle("confirm", () => {
        throw new RpcError(4100, "Not now");
      });
      assert.deepEqual(await remote.methods.ask("yes"), { error: { code: 4100, message: "Not now" } });
    });

    test("fault run: the server SIGKILLed mid-stream and started again on the same port", async () => {
      const socket = open();
      const remote = await connect<Fixture>(socket, { streams: socket.streams }); // learns feed is resumable, count idempotent
      const items: string[] = [];
      let counted: Promise<number> | undefined;
      let plain: Promise<unknown> | undefined;
      let restarted: Promise<void> | undefined;
      const stream = remote.methods.feed();
      for (;;) {
        const step = await stream.next();
        if (step.done === true) {
          assert.equal(step.value, "fed");
          break;
        }
        items.push(step.value);
        if (items.length === 5) {
          counted = remote.methods.count(500);
          plain = remote.methods.slow(5_000).then(() => assert.fail("answered"), (error: unknown) => error);
          await delay(100);
          process.kill(-server.pid, "SIGKILL");
          restarted = (async () => {
            await server.exited;
            server = await startServer(runtime, port);
          })();
        }
      }
      await restarted;
      assert.deepEqual(items, Array.from({ length: 30 }, (_, i) => `item ${i + 1}`));
      const failure = await plain;
      assert.ok(failure instanceof TransportError && failure.kind === "network" && /dropped/.test(failure.message), String(failure));
      // Sent again to the new instance, which counts from zero.
      assert.equal(await counted, 1);
    });
  });
}

for (const runtime of RUNTIMES.filter((name) => name !== "node")) {
  test(`the client on ${runtime}, with its own WebSocket: connect, calls, a batch, a stream, a notification and a call from the server`, { timeout: 60_000 }, async () => {
    const server = await startServer(SERVED.includes(runtime) ? runtime : "deno", await freePort());
    const port = /127\.0\.0\.1:(\d+)/.exec(server.output())?.[1] ?? "";
    const [command, args] = runCommand(runtime, "test/runtime/fixtures/websocket_client_script.ts");
    const client = startProcess(command, args, childEnv({ WS_URL: `ws://${HOST}:${port}/api` }));
    const [, outcome] = await client.waitForLine(/^outcome (.*)$/, 30_000);
    assert.deepEqual(JSON.parse(outcome ?? ""), {
      name: "websocket.fixture",
      sum: 3,
      secret: "only with the token",
      batch: [3, 5, 4001],
      failure: 4001,
      ticks: [{ i: 1 }, { i: 2 }, { i: 3 }],
      hello: "hello ann",
      asked: { result: "confirmed yes" },
      greeted: [["ann"]],
    });
    await client.exited;
    await server.stop();
  });
}
