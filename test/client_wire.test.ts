// What the client puts on the wire and how it reads what comes back, to the byte: the time it
// announces, the limits of what it reads, the statuses it refuses, and what its observer is told.
// Every server here is a custom fetch in process.
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { connect, createClient, type ExchangeEnd, type FetchFunction, RpcError, TransportError, type Upstream } from "../mod.ts";

const URL_ = "http://127.0.0.1:9/api";

/** A fetch that records each request's headers and body, and answers with `answer(id, body)`. */
function recording(answer: (id: unknown, body: Record<string, unknown>) => Response = (id) => Response.json({ jsonrpc: "2.0", result: "ok", id })): {
  fetch: FetchFunction;
  sent: { headers: Headers; body: Record<string, unknown> }[];
} {
  const sent: { headers: Headers; body: Record<string, unknown> }[] = [];
  const fetch: FetchFunction = (_url, init) => {
    const body = JSON.parse(init.body as string) as Record<string, unknown>;
    sent.push({ headers: new Headers(init.headers), body });
    return Promise.resolve(answer(body["id"], body));
  };
  return { fetch, sent };
}

/** A body that comes in the given chunks, and tells when it is cancelled. */
function chunked(chunks: readonly Uint8Array[]): { body: ReadableStream<Uint8Array>; cancelled: () => boolean } {
  let cancelled = false;
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

const bytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(() => assert.fail("expected a rejection"), (reason: unknown) => reason);
  assert.ok(error instanceof TransportError, String(error));
  return error;
}

describe("what the client sends", () => {
  it("announces the call's time in X-Request-Timeout: 30000 by default, at least 1, at most 12 digits", async () => {
    const { fetch, sent } = recording();
    const remote = createClient(URL_, { fetch });
    assert.equal(await remote.call("a"), "ok");
    assert.equal(await remote.call("b", [], { timeout: 0.4 }), "ok");
    // Past what a timer can wait (24.8 days) the client sets none, and the call still answers.
    assert.equal(await remote.call("c", [], { timeout: 1e15 }), "ok");
    assert.deepEqual(sent.map(({ headers }) => headers.get("x-request-timeout")), ["30000", "1", "999999999999"]);
  });

  it("announces the time to the call's deadline when it comes before the timeout", async (t) => {
    t.mock.method(Date, "now", () => 1_000_000);
    const { fetch, sent } = recording();
    const remote = createClient(URL_, { fetch, timeout: 8_000 });
    await remote.call("a", [], { deadline: 1_005_000 });
    await remote.call("b", [], { deadline: 1_009_000 });
    assert.deepEqual(sent.map(({ headers }) => headers.get("x-request-timeout")), ["5000", "8000"]);
  });

  it("an aborted call says so, with the signal's reason as its cause", async () => {
    const reason = new Error("the user left");
    const fetch: FetchFunction = (_url, init) => Promise.reject(init.signal?.reason as Error);
    const error = await failure(createClient(URL_, { fetch }).call("a", [], { signal: AbortSignal.abort(reason) }));
    assert.equal(error.kind, "aborted");
    assert.equal(error.message, `aborted error calling ${URL_}: the call was aborted`);
    assert.equal(error.cause, reason);
  });

  it("a timeout of 0 fails the call before anything is sent", async () => {
    const { fetch, sent } = recording();
    const error = await failure(createClient(URL_, { fetch }).call("a", [], { timeout: 0 }));
    assert.equal(error.kind, "timeout");
    assert.equal(error.message, `timeout error calling ${URL_}: the call's deadline has passed`);
    assert.equal(sent.length, 0);
  });

  it("drops trailing undefined params, all of them when there is nothing else", async () => {
    const { fetch, sent } = recording();
    const remote = createClient(URL_, { fetch });
    await remote.call("a", [undefined, undefined]);
    await remote.call("b", [1, undefined, 2, undefined]);
    assert.deepEqual(sent.map(({ body }) => body["params"]), [[], [1, null, 2]]);
  });

  it("tells its observer of each exchange, and how it ended; an observer that throws changes nothing", async () => {
    const ends: ExchangeEnd[] = [];
    const seen: string[] = [];
    const { fetch, sent } = recording((id, body) =>
      body["method"] === "fail" ? new Response("down", { status: 503, statusText: "Service Unavailable" }) : Response.json({ jsonrpc: "2.0", result: 7, id })
    );
    const remote = createClient(URL_, {
      fetch,
      observe: (exchange) => {
        seen.push(`${exchange.url} ${(exchange.message as { method: string }).method}`);
        exchange.headers.set("x-observed", "yes");
        return (end) => ends.push(end);
      },
    });
    assert.equal(await remote.call("get"), 7);
    const error = await failure(remote.call("fail"));
    assert.deepEqual(seen, [`${URL_} get`, `${URL_} fail`]);
    assert.equal(sent[0]?.headers.get("x-observed"), "yes");
    assert.equal(ends.length, 2);
    assert.deepEqual(ends[0], { answer: { jsonrpc: "2.0", result: 7, id: sent[0].body["id"] } });
    assert.deepEqual(ends[1], { error });
    const throwing = createClient(URL_, {
      fetch,
      observe: () => () => {
        throw new Error("observer bug");
      },
    });
    assert.equal(await throwing.call("get"), 7);
    const refusing = createClient(URL_, {
      fetch,
      observe: () => {
        throw new Error("observer bug");
      },
    });
    assert.equal(await refusing.call("get"), 7);
  });
});

/** An answer to the call of exactly `size` bytes (its result padded with x). */
function answerOf(id: unknown, size: number): Uint8Array<ArrayBuffer> {
  const bare = JSON.stringify({ jsonrpc: "2.0", result: "", id });
  return bytes(JSON.stringify({ jsonrpc: "2.0", result: "x".repeat(size - bytes(bare).byteLength), id }));
}

const idOf = (init: RequestInit): unknown => (JSON.parse(init.body as string) as { id?: unknown }).id;

describe("what the client reads", () => {
  it("an answer of exactly maxResponseBytes is read; one byte more is refused, whether declared or streamed", async () => {
    const declared: FetchFunction = (_url, init) => {
      const body = answerOf(idOf(init), 200);
      return Promise.resolve(new Response(body, { headers: { "content-length": String(body.byteLength) } }));
    };
    const streamed: FetchFunction = (_url, init) => {
      const body = answerOf(idOf(init), 200);
      return Promise.resolve(new Response(chunked([body.slice(0, 150), body.slice(150)]).body));
    };
    for (const fetch of [declared, streamed]) {
      assert.match(String(await createClient(URL_, { fetch, maxResponseBytes: 200 }).call("a")), /^x+$/);
      const error = await failure(createClient(URL_, { fetch, maxResponseBytes: 199 }).call("a"));
      assert.equal(error.kind, "bad-response");
      assert.equal(error.message, `bad-response error calling ${URL_}: the answer is larger than 199 bytes (maxResponseBytes)`);
    }
  });

  it("an answer that streams past maxResponseBytes is let go at once", async () => {
    const { body, cancelled } = chunked([bytes("[".repeat(8)), bytes("[".repeat(8)), bytes("[".repeat(8))]);
    const fetch: FetchFunction = () => Promise.resolve(new Response(body));
    const error = await failure(createClient(URL_, { fetch, maxResponseBytes: 10 }).call("a"));
    assert.equal(error.message, `bad-response error calling ${URL_}: the answer is larger than 10 bytes (maxResponseBytes)`);
    assert.ok(cancelled());
  });

  it("reads up to 16 MiB when maxResponseBytes is not given", async () => {
    const declaring = (length: number): FetchFunction => (_url, init) =>
      Promise.resolve(new Response(answerOf(idOf(init), 50), { headers: { "content-length": String(length) } }));
    const remote = (length: number) => createClient(URL_, { fetch: declaring(length) });
    assert.match(String(await remote(16 * 1024 * 1024).call("a")), /^x+$/);
    const error = await failure(remote(16 * 1024 * 1024 + 1).call("a"));
    assert.equal(error.message, `bad-response error calling ${URL_}: the answer is larger than 16777216 bytes (maxResponseBytes)`);
  });

  it("a character split between two chunks is read whole", async () => {
    const fetch: FetchFunction = (_url, init) => {
      const body = bytes(JSON.stringify({ jsonrpc: "2.0", result: "café", id: idOf(init) }));
      const split = body.indexOf(0xc3) + 1; // between the two bytes of é
      return Promise.resolve(new Response(chunked([body.slice(0, split), body.slice(split)]).body));
    };
    assert.equal(await createClient(URL_, { fetch }).call("a"), "café");
  });

  it("any 3xx is a redirect not followed, and its body is let go; a 400 page is an HTTP error", async () => {
    const bodies: (() => boolean)[] = [];
    const answering = (status: number, headers: Record<string, string> = {}): FetchFunction => () => {
      const { body, cancelled } = chunked([bytes("<p>moved</p>")]);
      bodies.push(cancelled);
      return Promise.resolve(new Response(body, { status, headers }));
    };
    for (const status of [300, 399]) {
      const error = await failure(createClient(URL_, { fetch: answering(status) }).call("a"));
      assert.equal(error.message, `http error calling ${URL_}: HTTP ${status}: redirects, not followed`);
      assert.equal(error.status, status);
    }
    const located = await failure(createClient(URL_, { fetch: answering(301, { location: "http://127.0.0.1:10/api" }) }).call("a"));
    assert.equal(located.message, `http error calling ${URL_}: HTTP 301: redirects to http://127.0.0.1:10/api, not followed`);
    assert.deepEqual(bodies.map((cancelled) => cancelled()), [true, true, true]);
    const page: FetchFunction = () => Promise.resolve(new Response("<p>no</p>", { status: 400, statusText: "Bad Request" }));
    const refused = await failure(createClient(URL_, { fetch: page }).call("a"));
    assert.equal(refused.message, `http error calling ${URL_}: HTTP 400 Bad Request`);
    assert.equal(refused.kind, "http");
  });

  it("an answer declared too large is let go unread", async () => {
    const { body, cancelled } = chunked([bytes("{}")]);
    const fetch: FetchFunction = () => Promise.resolve(new Response(body, { headers: { "content-length": "100" } }));
    const error = await failure(createClient(URL_, { fetch, maxResponseBytes: 10 }).call("a"));
    assert.equal(error.kind, "bad-response");
    assert.ok(cancelled());
  });

  it("an error page from a URL without /api blames the URL only for a 404", async () => {
    const page = (status: number, statusText: string): FetchFunction => () => Promise.resolve(new Response("<p>x</p>", { status, statusText }));
    const base = "http://127.0.0.1:9";
    const error = await failure(createClient(base, { fetch: page(500, "Internal Server Error") }).call("a"));
    assert.equal(error.message, `http error calling ${base}: HTTP 500 Internal Server Error`);
    const missing = await failure(createClient(base, { fetch: page(404, "Not Found") }).call("a"));
    assert.equal(missing.message, `http error calling ${base}: HTTP 404 Not Found (is the path, /api by default, in the URL?)`);
  });

  it("reads an error's code, message and data; a message that is not text is empty; error: null beside a result is no error", async () => {
    const answering = (answer: (id: unknown) => unknown): FetchFunction => (_url, init) => Promise.resolve(Response.json(answer(idOf(init))));
    const error = await createClient(URL_, { fetch: answering((id) => ({ jsonrpc: "2.0", error: { code: 7, message: 8, data: [1] }, id })) })
      .call("a").catch((reason: unknown) => reason);
    assert.ok(error instanceof RpcError, String(error));
    assert.deepEqual({ code: error.code, message: error.message, data: error.data }, { code: 7, message: "", data: [1] });
    assert.equal(await createClient(URL_, { fetch: answering((id) => ({ jsonrpc: "2.0", result: 3, error: null, id })) }).call("a"), 3);
    const unreadable = await createClient(URL_, { fetch: answering(() => ({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null })) })
      .call("a").catch((reason: unknown) => reason);
    assert.ok(unreadable instanceof RpcError && unreadable.code === -32700, String(unreadable));
    for (const malformed of [{ code: "7", message: "x" }, { code: 1.5 }, "down"]) {
      const refused = await failure(createClient(URL_, { fetch: answering((id) => ({ jsonrpc: "2.0", error: malformed, id })) }).call("a"));
      assert.equal(refused.message, `bad-response error calling ${URL_}: not a JSON-RPC answer`);
      const notified = await failure(createClient(URL_, { fetch: answering(() => ({ jsonrpc: "2.0", error: malformed, id: null })) }).notify("a"));
      assert.equal(notified.message, `bad-response error calling ${URL_}: not a JSON-RPC answer`);
    }
    const other = await failure(createClient(URL_, { fetch: answering(() => ({ jsonrpc: "2.0", error: { code: 1, message: "x" }, id: 123_456_789 })) }).call("a"));
    assert.equal(other.kind, "bad-response");
    assert.match(other.message, /no JSON-RPC answer to call \d+$/);
  });
});

describe("connect", () => {
  const refused = (): TypeError => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  const description = { info: { title: "wire.service" }, methods: [{ name: "get", "x-idempotent": true }, { name: "put" }, { name: "list", "x-idempotent": false }] };

  /** The clock connect reads and the waits it makes, moved by the waits themselves. */
  function clock(t: TestContext): number[] {
    let now = 1_000_000;
    const waits: number[] = [];
    t.mock.method(Date, "now", () => now);
    t.mock.method(Math, "random", () => 0.5);
    t.mock.method(globalThis, "setTimeout", (callback: () => void, ms: number) => {
      waits.push(ms);
      now += ms;
      callback();
      return 0;
    });
    return waits;
  }

  it("without wait, asks once", async () => {
    let tries = 0;
    const fetch: FetchFunction = () => (tries++, Promise.reject(refused()));
    const error = await failure(connect(URL_, { fetch }));
    assert.equal(error.kind, "network");
    assert.equal(tries, 1);
  });

  it("with wait, asks again after waits that double from 100 ms, drawn at random up to that, at most 2 s, until the wait is over", async (t) => {
    const waits = clock(t);
    let tries = 0;
    const fetch: FetchFunction = () => (tries++, Promise.reject(refused()));
    const error = await failure(connect(URL_, { fetch, wait: 5_000 }));
    assert.equal(error.kind, "network");
    // Half of 100, 200, 400, 800, 1600, then of 2000; the last wait ends with the time left.
    assert.deepEqual(waits, [50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 450]);
    assert.equal(tries, 10);
    // With 1 ms left after a wait, it asks once more.
    waits.length = 0;
    tries = 0;
    await failure(connect(URL_, { fetch, wait: 5_551 }));
    assert.deepEqual(waits, [50, 100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000, 1]);
    assert.equal(tries, 11);
  });

  it("waits for an upstream that has no instance yet or does not answer in time, closes it when giving up, and tells it what the service declares idempotent", async (t) => {
    clock(t);
    const failures = [new TransportError(URL_, "unavailable", "no instance"), new TransportError(URL_, "timeout", "no answer")];
    let learned: readonly string[] | undefined;
    let closed = 0;
    const upstream: Upstream = {
      url: URL_,
      send: (message) => {
        const failure = failures.shift();
        if (failure !== undefined) return Promise.reject(failure);
        return Promise.resolve({ answer: { jsonrpc: "2.0", result: description, id: message.id }, url: URL_ });
      },
      sendBatch: () => Promise.resolve([]),
      learnIdempotent: (methods) => void (learned = methods),
      close: () => {
        closed++;
      },
    };
    const remote = await connect(upstream, { wait: 10_000 });
    assert.equal(remote.name, "wire.service");
    assert.deepEqual(remote.methodNames, ["get", "put", "list"]);
    assert.deepEqual(learned, ["get"]);
    assert.equal(closed, 0);
    failures.push(new TransportError(URL_, "unavailable", "no instance"));
    await assert.rejects(connect(upstream), (error: unknown) => error instanceof TransportError && error.kind === "unavailable");
    assert.equal(closed, 1, "the upstream of a client that was never made is closed");
  });

  it("refuses what describes no service, with the same words, and a client closes its upstream", async () => {
    const answering = (result: unknown): FetchFunction => (_url, init) => Promise.resolve(Response.json({ jsonrpc: "2.0", result, id: idOf(init) }));
    for (const result of [{ info: { title: 5 }, methods: [] }, { info: { title: "x" }, methods: [{ name: 1 }] }, { info: { title: "x" } }]) {
      const error = await failure(connect(URL_, { fetch: answering(result) }));
      assert.equal(error.message, `bad-response error calling ${URL_}: the service did not describe itself`);
    }
    assert.throws(() => createClient(["http://127.0.0.1:9/api"] as unknown as string), {
      name: "TypeError",
      message: "Several instances: pass cluster(urls or source) from tsmicroservice/cluster",
    });
    // A WebSocket URL (any case) names the client that speaks it, on both entry points.
    for (const url of ["ws://127.0.0.1:9/api", "WSS://example.com/api"]) {
      const refusal = { name: "TypeError", message: "For ws://, pass openWebSocket(url) from tsmicroservice/websocket" };
      assert.throws(() => createClient(url), refusal);
      await assert.rejects(connect(url), refusal);
    }
    let closed = 0;
    const upstream: Upstream = {
      url: "",
      send: (message) => Promise.resolve({ answer: { jsonrpc: "2.0", result: "up", id: message.id }, url: URL_ }),
      sendBatch: () => Promise.resolve([]),
      close: () => {
        closed++;
      },
    };
    const remote = createClient(upstream);
    assert.equal(await remote.call("a"), "up");
    await remote.close();
    assert.equal(closed, 1);
  });
});

