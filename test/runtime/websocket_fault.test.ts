// The fault run of WebSocket streams: a resumable feed (long_feed of test/runtime/fixtures/
// websocket_server.ts) served by two real instances on 127.0.0.1, read over one WebSocket by our
// client (`openWebSocket` with both instances' URLs, the `ws` package's WebSocket on Node.js 20);
// the instance serving the stream is SIGKILLed mid-stream (no close frame, no answer: the socket
// just dies). The client reconnects to the other and asks again with the last event. Counted:
// every item 1..N arrives once, in order, and the instance left alive served the rest. A plain
// call in flight at the kill fails with a TransportError (it may have run), an idempotent one is
// sent again and answers. On each runtime, and across two runtimes.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import WebSocket from "ws";
import { connect, TransportError } from "../../mod.ts";
import { openWebSocket } from "../../src/websocket/mod.ts";
import { runtimePairs, stopAll, within } from "./processes.ts";
import { assertEachOnceInOrder } from "./fault_counts.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

interface Item {
  readonly n: number;
  readonly pid: number;
}

interface FeedService {
  long_feed(to: number): AsyncGenerator<Item, void>;
  sleep(ms: number): number;
}

const N = 300;
const KILL_AT = 100;

const pairs = runtimePairs();

describe("fault run over WebSocket: the instance serving a resumable stream is SIGKILLed", { timeout: 120_000 }, () => {
  for (const [first, second] of pairs) {
    test(`${first} + ${second}: the client reconnects to the other instance, ${N} items, none lost, none twice`, async () => {
      const servers: ChildServer[] = await Promise.all([first, second].map((runtime) => startExample(runtime, "test/runtime/fixtures/websocket_server.ts")));
      try {
        const byPid = new Map(servers.map((server) => [server.process.pid, server]));
        const socket = openWebSocket(servers.map((server) => `ws://${server.base.slice("http://".length)}/api`), {
          WebSocket: WebSocket,
          reconnect: { delay: 20, maxDelay: 200 },
        });
        const remote = await connect<FeedService>(socket, { streams: socket.streams });
        const items: Item[] = [];
        let killed: ChildServer | undefined;
        let plain: Promise<unknown> | undefined;
        let idempotent: Promise<unknown> | undefined;
        const read = (async () => {
          for await (const item of remote.stream("long_feed", [N], { resume: true }) as AsyncGenerator<Item, void>) {
            items.push(item);
            if (items.length === KILL_AT) {
              killed = byPid.get(item.pid);
              assert.ok(killed !== undefined, `item ${item.n} names pid ${item.pid}, not one of ours`);
              // Two calls in flight on the same socket when it dies.
              plain = remote.call("sleep", [200]).then((value) => value, (error: unknown) => error);
              idempotent = remote.call("sleep", [201], { idempotent: true });
              await new Promise((resolve) => setTimeout(resolve, 20));
              process.kill(-killed.process.pid, "SIGKILL");
            }
          }
        })();
        assert.equal(await within(read.then(() => "read"), 30_000, "timed out"), "read", `${items.length} items read`);
        assert.ok(killed !== undefined);
        assert.equal(typeof await within(killed.process.exited, 5_000, undefined), "string", "the serving instance died of a signal");

        assertEachOnceInOrder(items.map((item) => item.n), N);

        const survivor = servers.find((server) => server !== killed) as ChildServer;
        const servedBySurvivor = items.filter((item) => item.pid === survivor.process.pid).length;
        assert.ok(items.slice(0, KILL_AT).every((item) => item.pid === killed?.process.pid), "the first items came from the killed instance");
        const switched = items.findIndex((item) => item.pid === survivor.process.pid);
        assert.ok(switched >= KILL_AT && items.slice(switched).every((item) => item.pid === survivor.process.pid), "after the switch, every item came from the survivor");
        assert.ok(socket.url.includes(`:${survivor.port}/`), `the socket is now at ${socket.url}`);

        // The plain call was in flight on the dead socket: it fails, saying so (it may have run);
        // the idempotent one was sent again on the new socket and answered.
        const failed = await plain;
        assert.ok(failed instanceof TransportError, `the plain call gave ${String(failed)}`);
        assert.match(failed.message, /the connection dropped/);
        assert.equal(await idempotent, 201);
        console.log(`# ${first} + ${second}: ${N} received, 0 missing, 0 twice; killed ${killed.runtime} after item ${switched}, survivor served ${servedBySurvivor}`);
        await remote.close();
      } finally {
        await Promise.all(servers.map((server) => server.process.stop()));
      }
    });
  }
});
