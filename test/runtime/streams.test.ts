// Streams over Server-Sent Events served on Node.js, Deno and Bun (test/runtime/fixtures/
// streams_server.ts), read with our client and with plain fetch: items in order and the final
// response, an error mid-stream, a client that breaks out or goes away (the generator's finally
// runs, ctx.signal aborts), a reader that stalls (the generator waits), the limits (streams at once,
// lifetime), and resume with Last-Event-ID. Then examples/streams.ts runs on each of them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, RpcError } from "../../mod.ts";
import { sseStreams } from "../../src/plugins/streams/streams.ts";
import { childEnv, delay, freePort, HOST, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

interface Seen {
  readonly finallyRan: number;
  readonly aborted: number;
  readonly produced: number;
}

const call = (method: string, params: unknown[] = [], id = 1): string => JSON.stringify({ jsonrpc: "2.0", method, params, id });

for (const runtime of RUNTIMES) {
  describe(`streams on ${runtime}`, { timeout: 60_000 }, () => {
    let server: ChildServer;
    let url: string;
    before(async () => {
      server = await startExample(runtime, "test/runtime/fixtures/streams_server.ts");
      url = `${server.base}/api`;
    });
    after(() => server.process.stop());

    const post = (body: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream", ...headers }, body, signal: signal ?? null });
    const seen = async (): Promise<Seen> => (await (await connect(url, { streams: sseStreams })).call("seen")) as Seen;
    const until = async (check: (seen: Seen) => boolean, what: string): Promise<void> => {
      const end = Date.now() + 5_000;
      while (!check(await seen())) {
        if (Date.now() > end) assert.fail(`still not so after 5 s on ${runtime}: ${what}`);
        await delay(20);
      }
    };

    test("items in order, each with its id, then the final response", async () => {
      const response = await post(call("count", [3], 9));
      assert.equal(response.headers.get("content-type"), "text/event-stream");
      assert.equal(
        (await response.text()).replace(/^(:\n\n)+/gm, ""),
        "retry: 1000\n\n" +
          'id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\nid: 3\ndata: {"n":3}\n\n' +
          'event: response\ndata: {"jsonrpc":"2.0","result":"counted to 3","id":9}\n\n',
      );
      const remote = await connect(url, { streams: sseStreams });
      const items: unknown[] = [];
      for await (const item of remote.stream("count", [5])) items.push(item);
      assert.deepEqual(items, [1, 2, 3, 4, 5].map((n) => ({ n })));
    });

    test("an error thrown mid-stream ends it with the error response, thrown by our client", async () => {
      const remote = await connect(url, { streams: sseStreams });
      const items: unknown[] = [];
      await assert.rejects(async () => {
        for await (const item of remote.stream("fails_after", [2])) items.push(item);
      }, (error: unknown) => error instanceof RpcError && error.code === 4001 && error.message === "Out of items");
      assert.deepEqual(items, [1, 2]);
    });

    test("a client that breaks out: the generator's finally runs and ctx.signal aborts", async () => {
      const before = await seen();
      // connect() learned from rpc.discover that slow streams: its method gives a stream.
      const remote = await connect(url, { streams: sseStreams });
      for await (const item of remote.methods["slow"]?.() as unknown as AsyncIterable<unknown>) if (item === 2) break;
      await until((now) => now.finallyRan === before.finallyRan + 1 && now.aborted === before.aborted + 1, "finally ran, signal aborted");
    });

    test("a client that goes away: the generator's finally runs", async () => {
      const before = await seen();
      const gone = new AbortController();
      const response = await post(call("slow"), {}, gone.signal);
      await (response.body as ReadableStream<Uint8Array>).getReader().read();
      gone.abort();
      await until((now) => now.finallyRan === before.finallyRan + 1, "finally ran");
    });

    test("a reader that stalls holds a fast generator still", async () => {
      const before = await seen();
      const gone = new AbortController();
      const response = await post(call("forever"), {}, gone.signal);
      await (response.body as ReadableStream<Uint8Array>).getReader().read();
      await delay(500);
      const stalled = (await seen()).produced;
      await delay(500);
      const later = (await seen()).produced;
      assert.equal(later, stalled, `the generator kept producing for a reader that reads nothing (${stalled} then ${later})`);
      assert.ok(stalled < 50_000, `${stalled} items of 1 kB produced for a stalled reader`);
      gone.abort();
      await until((now) => now.finallyRan === before.finallyRan + 1, "finally ran");
    });

    test("limits: a third stream at once is refused with -32004; the lifetime ends a stream with -32002", async () => {
      const first = await post(call("slow", [], 1));
      const second = await post(call("slow", [], 2));
      const third = await post(call("slow", [], 3));
      assert.equal((await third.json() as { error: { code: number } }).error.code, -32004);
      for (const [response, id] of [[first, 1], [second, 2]] as const) {
        assert.match(await response.text(), new RegExp(`event: response\\ndata: \\{"jsonrpc":"2.0","error":\\{"code":-32002,"message":"Timeout: the stream lasted its limit of 1500 ms"\\},"id":${id}\\}\\n\\n$`));
      }
    });

    test("resume: Last-Event-ID gives ctx.lastEventId, and the ids go on after it", async () => {
      const text = await (await post(call("feed"), { "last-event-id": "3" })).text();
      assert.match(text.replace(/^(:\n\n)+/gm, ""), /^retry: 1000\n\nid: 4\ndata: "item 4"\n\nid: 5\ndata: "item 5"\n\nevent: response\n/);
    });
  });
}

describe("examples/streams.ts", { timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`on ${runtime}: the client reads four orders as they are placed, and its break ends the stream on the service`, async () => {
      const [command, args] = runCommand(runtime, "examples/streams.ts");
      const child = startProcess(command, args, childEnv({ HOST, PORT: String(await freePort()) }));
      assert.equal(await child.exited, 0, child.output());
      const lines = child.output().split("\n").filter((line) => /^(order \d|watch_orders)/.test(line));
      assert.deepEqual(lines, ["order 1: apple", "order 2: pear", "order 3: plum", "order 4: fig", "watch_orders ended after order 4"]);
    });
  }
});
