// A stream's idleTimeout, against real servers on loopback: a service that goes silent (an
// instance that froze: nothing sent, nothing closed) drops the stream after idleTimeout, while
// heartbeats keep a quiet stream open and a reader slower than idleTimeout loses nothing (only the
// time spent waiting on the service counts). The fault run (test/runtime/stream_fault.test.ts)
// freezes a real instance under cluster().
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createClient, serve, Service, type ServerHandle, TransportError } from "../mod.ts";
import { sseStreams, streams } from "../src/plugins/streams/streams.ts";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let silent: Server | undefined;
let silentUrl = "";
let handle: ServerHandle | undefined;
let api = "";

before(async () => {
  // Sends its headers and one item, then nothing, and keeps the connection open.
  silent = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write('id: 1\ndata: "only"\n\n');
  });
  await new Promise<void>((resolve) => silent?.listen(0, "127.0.0.1", resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/api`;
  const service = new Service({ name: "quiet", onError: false })
    .use(streams({ heartbeat: 50 }))
    .publicMethod("quiet", async function* () {
      // Longer between items than the reader's idleTimeout: only heartbeats fill the gaps.
      for (let n = 1; n <= 3; n++) {
        await delay(400);
        yield n;
      }
    })
    .publicMethod("count", async function* (to: number) {
      for (let n = 1; n <= to; n++) {
        await delay(1);
        yield n;
      }
    });
  handle = await serve(service, { hostname: "127.0.0.1", port: 0 });
  api = `${handle.url}/api`;
});
after(async () => {
  silent?.closeAllConnections();
  await new Promise((resolve) => silent?.close(resolve));
  await handle?.close();
});

describe("a stream's idleTimeout", { timeout: 30_000 }, () => {
  test("a service silent past idleTimeout: the stream is dropped (a network TransportError), not left waiting", async () => {
    const client = createClient(silentUrl, { streams: sseStreams });
    const items: unknown[] = [];
    const started = Date.now();
    await assert.rejects(async () => {
      for await (const item of client.stream("anything", [], { resume: false, idleTimeout: 200 })) items.push(item);
    }, (error: unknown) => error instanceof TransportError && error.kind === "network" && /silent for 200 ms \(idleTimeout\)/.test(error.message));
    assert.deepEqual(items, ["only"]);
    assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  });

  test("heartbeats keep a quiet stream open past idleTimeout", async () => {
    const client = createClient(api, { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of client.stream("quiet", [], { resume: false, idleTimeout: 200 })) items.push(item);
    assert.deepEqual(items, [1, 2, 3]);
  });

  test("a reader slower than idleTimeout loses nothing: only waiting on the service is timed", async () => {
    const client = createClient(api, { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of client.stream("count", [3], { resume: false, idleTimeout: 100 })) {
      items.push(item);
      await delay(300);
    }
    assert.deepEqual(items, [1, 2, 3]);
  });
});
