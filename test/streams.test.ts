// Streams over Server-Sent Events (the streams() plugin and the client's streams), on real loopback
// servers: the wire format, the final response, errors mid-stream, what cannot stream (no Accept,
// a batch, a notification, no plugin), cancellation (a client that breaks out or leaves: the
// generator's finally runs, ctx.signal aborts), back-pressure (a reader that stalls holds a fast
// generator still), the limits (streams at once, lifetime, heartbeats), rpc.discover's x-stream,
// resume with Last-Event-ID, a third-party SSE client, and our client against a hand-written SSE
// server that drops the connection mid-stream.
/* eslint-disable @typescript-eslint/require-await -- async generators that never await are streams too */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createEventSource } from "eventsource-client";
import { z } from "zod";
import { type CallContext, connect, createClient, MicroService, publicMethod, RpcError, serve, Service, TransportError } from "../mod.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { cors } from "../src/plugins/cors.ts";
import { sseStreams, streams } from "../src/plugins/streams/streams.ts";
import { testClient } from "../src/testing/mod.ts";
import { cluster } from "../src/client/cluster/mod.ts";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, at most 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not so after 5 s: ${what}`);
    await delay(5);
  }
}

/** Posts a JSON-RPC body, by default accepting an event stream. */
function post(url: string, body: unknown, headers: Record<string, string> = { accept: "text/event-stream" }, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal: signal ?? null });
}

const call = (method: string, params: unknown[] = [], id: number | string | null = 1): unknown => ({ jsonrpc: "2.0", method, params, id });

/** What the service's generators did, for the tests to observe. */
const seen = { finallyRan: 0, aborted: 0, produced: 0, bodyRan: 0 };

function streamingService(options: Parameters<typeof streams>[0] = {}) {
  return new Service({ name: "streams.test", onError: false })
    .use(schemas())
    .use(streams(options))
    .publicMethod("count", async function* (to: number) {
      for (let n = 1; n <= to; n++) yield { n };
      return `counted to ${to}`;
    })
    .publicMethod("fails_after", async function* (items: number, intended: boolean) {
      for (let n = 1; n <= items; n++) yield n;
      if (intended) throw new RpcError(4001, "Out of items", { after: items });
      throw new Error("a secret path /srv/app/feed.ts");
    })
    .publicMethod("forever", async function* (ctx: CallContext) {
      seen.bodyRan++;
      ctx.signal?.addEventListener("abort", () => seen.aborted++);
      try {
        for (let n = 1; ; n++) {
          seen.produced = n;
          yield { n, padding: "x".repeat(1_000) };
        }
      } finally {
        seen.finallyRan++;
      }
    }, { context: true })
    .publicMethod("slow", async function* (ctx: CallContext) {
      seen.bodyRan++;
      try {
        for (let n = 1; ; n++) {
          await delay(20);
          yield n;
        }
      } finally {
        seen.finallyRan++;
        if (ctx.signal?.aborted === true) seen.aborted++;
      }
    }, { context: true })
    .publicMethod("quiet", async function* (ms: number) {
      await delay(ms);
      yield "late";
    })
    .publicMethod("feed", async function* (ctx: CallContext) {
      for (let n = Number(ctx.lastEventId ?? 0) + 1; n <= 5; n++) yield `item ${n}`;
    }, { context: true, resumable: true })
    .publicMethod("iterable", (to: number) => ({
      async *[Symbol.asyncIterator]() {
        for (let n = 1; n <= to; n++) yield n;
      },
    }))
    .publicMethod("checked", async function* (values: number[]) {
      for (const value of values) yield value;
    }, { output: z.number() })
    .publicMethod("plain", () => "not a stream");
}

describe("streams over Server-Sent Events", { timeout: 60_000 }, () => {
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    const server = await serve(streamingService({ heartbeat: 100 }), { hostname: "127.0.0.1", port: 0 });
    url = `${server.url}/api`;
    close = () => server.close();
  });
  after(() => close());

  test("each item an event with an id, then the response as the last event (the wire format)", async () => {
    const response = await post(url, call("count", [3], 7));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    assert.equal(response.headers.get("cache-control"), "no-cache");
    assert.equal(response.headers.get("x-accel-buffering"), "no");
    assert.equal(
      await response.text(),
      ":\n\nretry: 1000\n\n" +
        'id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\nid: 3\ndata: {"n":3}\n\n' +
        'event: response\ndata: {"jsonrpc":"2.0","result":"counted to 3","id":7}\n\n',
    );
  });

  test("a stream's answer has the headers plugins add to the endpoint's answers (CORS), the event stream's over them", async () => {
    const service = new Service({ name: "cors.streams" })
      .use(cors({ origins: ["https://app.example"] }))
      .use(streams())
      .publicMethod("count", async function* (to: number) {
        for (let n = 1; n <= to; n++) yield n;
      });
    const response = await service.fetch(new Request("http://localhost/api", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", origin: "https://app.example" },
      body: JSON.stringify(call("count", [1], 1)),
    }));
    assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    assert.match(await response.text(), /id: 1\ndata: 1\n\nevent: response\n/);
  });

  test("a call with X-Request-Timeout streams too (its deadline read with the taker kept); a malformed one is refused", async () => {
    const response = await post(url, call("count", [2], 1), { accept: "text/event-stream", "x-request-timeout": "5000" });
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    assert.match(await response.text(), /id: 2\ndata: \{"n":2\}\n\nevent: response\n/);
    const refused = await post(url, call("count", [2], 1), { accept: "text/event-stream", "x-request-timeout": "soon" });
    assert.deepEqual(await refused.json(), {
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request: X-Request-Timeout must be a whole number of ms" },
      id: null,
    });
  });

  test("a handler returning any async iterable streams too", async () => {
    const remote = createClient(url, { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of remote.stream("iterable", [3])) items.push(item);
    assert.deepEqual(items, [1, 2, 3]);
  });

  test("an error thrown mid-stream ends it with an error response: intended errors as thrown, others hidden", async () => {
    const intended = await (await post(url, call("fails_after", [2, true]))).text();
    assert.match(intended, /id: 2\ndata: 2\n\nevent: response\ndata: \{"jsonrpc":"2.0","error":\{"code":4001,"message":"Out of items","data":\{"after":2\}\},"id":1\}\n\n$/);
    const hidden = await (await post(url, call("fails_after", [1, false]))).text();
    assert.match(hidden, /event: response\ndata: \{"jsonrpc":"2.0","error":\{"code":-32603,"message":"Internal error"\},"id":1\}\n\n$/);
    assert.doesNotMatch(hidden, /secret|srv/);
    // Our client: the items, then the error thrown.
    const remote = createClient(url, { streams: sseStreams });
    const items: unknown[] = [];
    await assert.rejects(async () => {
      for await (const item of remote.stream("fails_after", [2, true])) items.push(item);
    }, (error: unknown) => error instanceof RpcError && error.code === 4001 && error.message === "Out of items");
    assert.deepEqual(items, [1, 2]);
  });

  test("a caller that does not accept text/event-stream: -32600, and the generator never ran", async () => {
    const before = seen.bodyRan;
    const response = await post(url, call("forever", [], 3), {});
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request: forever streams: call it with the header Accept: text/event-stream (a client's option streams: sseStreams)" },
      id: 3,
    });
    assert.equal(seen.bodyRan, before);
  });

  test("a batch cannot carry a stream: its entry is -32600, the others are answered", async () => {
    const before = seen.bodyRan;
    const response = await post(url, [call("forever", [], 1), call("plain", [], 2)]);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), [
      { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request: forever streams, which a batch cannot carry: call it alone" }, id: 1 },
      { jsonrpc: "2.0", result: "not a stream", id: 2 },
    ]);
    assert.equal(seen.bodyRan, before);
  });

  test("a notification to a streaming method: 204, and the generator never ran", async () => {
    const before = seen.bodyRan;
    const response = await post(url, { jsonrpc: "2.0", method: "forever" });
    assert.equal(response.status, 204);
    assert.equal(seen.bodyRan, before);
  });

  test("a method that does not stream answers JSON, even to a caller accepting event streams", async () => {
    const response = await post(url, call("plain"), { accept: "text/event-stream, application/json" });
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: "not a stream", id: 1 });
  });

  test("our client: typed items in order, the result as the iterator's return value", async () => {
    const remote = await connect<ReturnType<typeof streamingService>>(url, { streams: sseStreams });
    const items: number[] = [];
    // Typed from the generator's yield type: { n: number }.
    for await (const item of remote.methods.count(4)) items.push(item.n);
    assert.deepEqual(items, [1, 2, 3, 4]);
    const stream = remote.methods.count(1);
    assert.deepEqual(await stream.next(), { done: false, value: { n: 1 } });
    assert.deepEqual(await stream.next(), { done: true, value: "counted to 1" });
    // A method that does not stream is still a promise.
    assert.equal(await remote.methods.plain(), "not a stream");
  });

  test("a client that breaks out ends the stream on the service: the generator's finally runs, ctx.signal aborts", async () => {
    const remote = await connect<ReturnType<typeof streamingService>>(url, { streams: sseStreams });
    const finallyBefore = seen.finallyRan;
    const abortedBefore = seen.aborted;
    for await (const item of remote.methods.slow()) if (item === 3) break;
    await until(() => seen.finallyRan === finallyBefore + 1, "the generator's finally ran");
    assert.equal(seen.aborted, abortedBefore + 1);
  });

  test("a client that goes away (its request aborted) ends the stream the same way", async () => {
    const finallyBefore = seen.finallyRan;
    const gone = new AbortController();
    const response = await post(url, call("slow"), undefined, gone.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    gone.abort();
    await until(() => seen.finallyRan === finallyBefore + 1, "the generator's finally ran");
  });

  test("a reader that stalls holds a fast generator still (memory bounded), and leaving ends it", async () => {
    const finallyBefore = seen.finallyRan;
    const gone = new AbortController();
    const response = await post(url, call("forever"), undefined, gone.signal);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    // The generator runs until the socket's buffers are full, then waits for the reader.
    await delay(300);
    const stalled = seen.produced;
    await delay(500);
    assert.equal(seen.produced, stalled, "the generator kept producing for a reader that reads nothing");
    // Roughly what the kernel's and the runtime's buffers hold of 1 kB items, not an unbounded queue.
    assert.ok(stalled < 20_000, `${stalled} items produced for a stalled reader`);
    gone.abort();
    await until(() => seen.finallyRan === finallyBefore + 1, "the generator's finally ran");
  });

  test("heartbeats: a comment while nothing else is sent", async () => {
    const text = await (await post(url, call("quiet", [350]))).text();
    assert.match(text, /^:\n\nretry: 1000\n\n(:\n\n){2,}id: 1\ndata: "late"\n\n/);
  });

  test("an output schema checks each item: one refused ends the stream with -32603", async () => {
    const text = await (await post(url, call("checked", [[1, 2, "three", 4]]))).text();
    assert.match(text, /id: 2\ndata: 2\n\nevent: response\ndata: \{"jsonrpc":"2.0","error":\{"code":-32603,"message":"Internal error"\},"id":1\}\n\n$/);
  });

  test("rpc.discover marks streaming methods with x-stream (resumable, the item schema)", async () => {
    const remote = createClient(url, { streams: sseStreams });
    const document = await remote.call("rpc.discover") as { methods: { name: string; "x-stream"?: unknown }[] };
    const mark = (name: string): unknown => document.methods.find((method) => method.name === name)?.["x-stream"];
    assert.deepEqual(mark("count"), { resumable: false });
    assert.deepEqual(mark("feed"), { resumable: true });
    assert.deepEqual(mark("checked"), { resumable: false, items: { type: "number" } });
    assert.equal(mark("plain"), undefined);
  });

  test("resume: Last-Event-ID gives ctx.lastEventId, and the ids go on after it", async () => {
    const text = await (await post(url, call("feed"), { accept: "text/event-stream", "last-event-id": "3" })).text();
    assert.match(text, /^:\n\nretry: 1000\n\nid: 4\ndata: "item 4"\n\nid: 5\ndata: "item 5"\n\nevent: response\n/);
    const remote = createClient(url, { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of remote.stream("feed", [], { lastEventId: "2" })) items.push(item);
    assert.deepEqual(items, ["item 3", "item 4", "item 5"]);
  });

  test("a third-party SSE client (eventsource-client) reads a stream", async () => {
    const source = createEventSource({
      url,
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(call("count", [3], "es")),
    });
    const events: { event: string | undefined; id: string | undefined; data: string }[] = [];
    for await (const message of source) {
      events.push({ event: message.event, id: message.id, data: message.data });
      if (message.event === "response") break;
    }
    source.close();
    assert.deepEqual(events, [
      { event: undefined, id: "1", data: '{"n":1}' },
      { event: undefined, id: "2", data: '{"n":2}' },
      { event: undefined, id: "3", data: '{"n":3}' },
      { event: "response", id: undefined, data: '{"jsonrpc":"2.0","result":"counted to 3","id":"es"}' },
    ]);
  });
});

describe("stream limits", { timeout: 30_000 }, () => {
  test("streams at once: one more is refused with -32004; a stream's lifetime ends it with -32002", async () => {
    const server = await serve(streamingService({ maxStreams: 1, lifetime: 300, heartbeat: 50 }), { hostname: "127.0.0.1", port: 0 });
    const url = `${server.url}/api`;
    try {
      const first = await post(url, call("slow"));
      const refused = await post(url, call("slow", [], 2));
      assert.deepEqual(await refused.json(), {
        jsonrpc: "2.0",
        error: { code: -32004, message: "Unavailable: too many streams open (at most 1); try again later" },
        id: 2,
      });
      const text = await first.text();
      assert.match(text, /event: response\ndata: \{"jsonrpc":"2.0","error":\{"code":-32002,"message":"Timeout: the stream lasted its limit of 300 ms"\},"id":1\}\n\n$/);
      // The slot is free again.
      const again = await post(url, call("count", [1]));
      assert.match(await again.text(), /"result":"counted to 1"/);
      // Our client throws the refusal as the RpcError it is.
      const remote = createClient(url, { streams: sseStreams });
      const holding = await post(url, call("slow"));
      await assert.rejects(async () => {
        for await (const item of remote.stream("slow")) if (item !== undefined) break;
      }, (error: unknown) => error instanceof RpcError && error.code === -32004);
      await holding.body?.cancel();
    } finally {
      await server.close();
    }
  });

  test("a stream open when the service stops ends with -32004, so the server's close does not wait for it", async () => {
    const server = await serve(streamingService({ heartbeat: 50 }), { hostname: "127.0.0.1", port: 0 });
    const response = await post(`${server.url}/api`, call("slow"));
    const text = response.text();
    await server.close();
    assert.match(await text, /event: response\ndata: \{"jsonrpc":"2.0","error":\{"code":-32004,"message":"Unavailable: the service is stopping"\},"id":1\}\n\n$/);
  });

  test("without streams(), a streaming method is the service's bug: -32603, and onError is told", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "no.streams", onError: (error) => reported.push(error) })
      .publicMethod("ticks", async function* () {
        yield 1;
      });
    const response = await service.fetch(new Request("http://localhost/api", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(call("ticks")),
    }));
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 });
    assert.match(String(reported[0]), /The result of ticks is not JSON \(its toJSON gives nothing\)/);
  });

  test("limits must be positive numbers", () => {
    assert.throws(() => streams({ maxStreams: 0 }), /maxStreams must be a positive number/);
    assert.throws(() => streams({ heartbeat: -1 }), /heartbeat must be a positive number/);
  });
});

describe("our client against a hand-written SSE server (the documented wire format)", { timeout: 30_000 }, () => {
  // Items 1 to 6 of a feed; the first connection drops after item 2, the second after item 4.
  const requests: { lastEventId: string | undefined; accept: string | undefined; body: unknown }[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing) => {
    let text = "";
    incoming.on("data", (chunk: Buffer) => (text += chunk.toString()));
    incoming.on("end", () => {
      const lastEventId = incoming.headers["last-event-id"] as string | undefined;
      requests.push({ lastEventId, accept: incoming.headers.accept, body: JSON.parse(text) });
      outgoing.writeHead(200, { "content-type": "text/event-stream" });
      const from = Number(lastEventId ?? 0) + 1;
      const to = Math.min(from + 1, 6);
      // CRLF line ends and a comment: the format allows both.
      outgoing.write(": hello\r\n\r\n");
      for (let n = from; n <= to; n++) outgoing.write(`id: ${n}\r\ndata: {"n":${n}}\r\n\r\n`);
      if (to === 6) {
        outgoing.end(`event: response\ndata: {"jsonrpc":"2.0","result":"fed","id":${(JSON.parse(text) as { id: number }).id}}\n\n`);
      } else {
        // The connection drops mid-stream.
        setTimeout(() => outgoing.destroy(), 20);
      }
    });
  });
  let url: string;
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a resumable stream that drops is asked for again with Last-Event-ID: nothing lost, nothing twice", async () => {
    requests.length = 0;
    const remote = createClient(url, { streams: sseStreams });
    const stream = remote.stream("feed", [0], { resume: true });
    const items: unknown[] = [];
    let result: IteratorResult<unknown>;
    while (!(result = await stream.next()).done) items.push(result.value);
    assert.deepEqual(items, [1, 2, 3, 4, 5, 6].map((n) => ({ n })));
    assert.equal(result.value, "fed");
    assert.deepEqual(requests.map((request) => request.lastEventId), [undefined, "2", "4"]);
    assert.ok(requests.every((request) => request.accept === "text/event-stream"));
    assert.deepEqual(requests[0]?.body, requests[2]?.body);
  });

  test("a stream that is not resumable throws the drop as a network TransportError", async () => {
    const remote = createClient(url, { streams: sseStreams });
    const items: unknown[] = [];
    await assert.rejects(async () => {
      for await (const item of remote.stream("feed", [0])) items.push(item);
    }, (error: unknown) => error instanceof TransportError && error.kind === "network");
    assert.deepEqual(items, [{ n: 1 }, { n: 2 }]);
  });

  test("resuming gives up after the attempts it was given", async () => {
    const refusing = createServer((_incoming, outgoing) => outgoing.destroy());
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const remote = createClient(`http://127.0.0.1:${(refusing.address() as AddressInfo).port}/api`, { streams: sseStreams });
      await assert.rejects(async () => {
        for await (const item of remote.stream("feed", [], { resume: true, attempts: 2 })) if (item !== undefined) break;
      }, (error: unknown) => error instanceof TransportError && error.kind === "network");
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});

describe("streams through a client that asked the service nothing", { timeout: 30_000 }, () => {
  test("createClient's methods stream when iterated, answer when awaited; testClient's too", async () => {
    const service = streamingService();
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    try {
      const remote = createClient<typeof service>(`${server.url}/api`, { streams: sseStreams });
      const items: number[] = [];
      for await (const item of remote.methods.count(3)) items.push(item.n);
      assert.deepEqual(items, [1, 2, 3]);
      assert.equal(await remote.methods.plain(), "not a stream");
      // Awaited, a streaming method's call is refused as a caller that does not accept streams is.
      await assert.rejects(remote.methods.count(1) as unknown as Promise<unknown>, (error: unknown) => error instanceof RpcError && error.code === -32600);
    } finally {
      await server.close();
    }
    const local = testClient(streamingService(), { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of local.methods.feed()) items.push(item);
    assert.deepEqual(items, ["item 1", "item 2", "item 3", "item 4", "item 5"]);
    await local.close();
  });

  test("without the streams option, a client carries no streams: the service refuses the call, naming the option", async () => {
    const service = streamingService();
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    try {
      const remote = createClient<typeof service>(`${server.url}/api`);
      assert.equal("stream" in remote, false);
      await assert.rejects(remote.methods.count(1) as unknown as Promise<unknown>, (error: unknown) =>
        error instanceof RpcError && error.code === -32600 && /Accept: text\/event-stream \(a client's option streams: sseStreams\)/.test(error.message));
    } finally {
      await server.close();
    }
  });
});

describe("streams in the class style", () => {
  test("an async *method streams with its this, and rpc.discover marks it", async () => {
    class Feed extends MicroService {
      name = "feed.service";
      plugins = [streams()];
      prefix = "n";
      @publicMethod()
      async *ticks(count: number) {
        for (let n = 1; n <= count; n++) yield `${this.prefix}${n}`;
      }
    }
    const local = testClient(new Feed(), { streams: sseStreams });
    const items: unknown[] = [];
    for await (const item of local.stream("ticks", [2])) items.push(item);
    assert.deepEqual(items, ["n1", "n2"]);
    const document = await (local as { call(method: string): Promise<unknown> }).call("rpc.discover") as { methods: { name: string; "x-stream"?: unknown }[] };
    assert.deepEqual(document.methods.find((method) => method.name === "ticks")?.["x-stream"], { resumable: false });
    await local.close();
  });
});

describe("a stream in process", () => {
  test("ctx.call of a streaming method gives its iterable, read in the calling handler", async () => {
    const service = new Service({ name: "in.process" })
      .use(streams())
      .publicMethod("count", async function* (to: number) {
        for (let n = 1; n <= to; n++) yield n;
      })
      .publicMethod("sum", async (to: number, ctx: CallContext) => {
        let total = 0;
        for await (const n of await ctx.call("count", [to]) as AsyncIterable<number>) total += n;
        return total;
      }, { context: true });
    const local = testClient(service, { streams: sseStreams });
    assert.equal(await local.methods.sum(4), 10);
    await local.close();
  });
});

describe("a resumable stream across the instances of a cluster()", { timeout: 30_000 }, () => {
  test("the instance serving it stops: the client resumes on another with the last id, nothing lost, nothing twice", async () => {
    // The same feed on two instances (a shared log): event n is item n.
    const instance = (name: string) => new Service({ name: "feed.service" })
      .use(streams({ heartbeat: 20 }))
      .publicMethod("whoami", () => name)
      .publicMethod("follow", async function* (ctx: CallContext) {
        for (let n = Number(ctx.lastEventId ?? 0) + 1; ; n++) {
          await delay(5);
          yield { n, from: name };
        }
      }, { context: true, resumable: true });
    const a = await serve(instance("a"), { hostname: "127.0.0.1", port: 0 });
    const b = await serve(instance("b"), { hostname: "127.0.0.1", port: 0 });
    try {
      const remote = await connect<ReturnType<typeof instance>>(cluster([`${a.url}/api`, `${b.url}/api`]), { streams: sseStreams });
      const items: { n: number; from: string }[] = [];
      let stopping: Promise<void> | undefined;
      for await (const item of remote.methods.follow()) {
        items.push(item);
        // The serving instance stops: its stream ends with -32004, which a resumable stream takes as a drop.
        // (The instance that answered last, the stream's: it asked rpc.discover which methods resume.)
        if (items.length === 5) stopping = (remote.url === `${a.url}/api` ? a : b).close();
        if (items.length === 15) break;
      }
      await stopping;
      assert.deepEqual(items.map((item) => item.n), Array.from({ length: 15 }, (_, index) => index + 1));
      const servedBy = new Set(items.map((item) => item.from));
      assert.equal(servedBy.size, 2, `served by ${[...servedBy].join(", ")}`);
      await remote.close();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
