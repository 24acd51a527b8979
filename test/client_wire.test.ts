// What the client puts on the wire and how it reads what comes back, to the byte: the time it
// announces, the limits of what it reads, the statuses it refuses, and what its observer is told.
// Every server here is a custom fetch in process.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClient, type ExchangeEnd, type FetchFunction, TransportError } from "../mod.ts";

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

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

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
function answerOf(id: unknown, size: number): Uint8Array {
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

  it("reads up to 16 MiB when maxResponseBytes is not given", async () => {
    const declaring = (length: number): FetchFunction => (_url, init) =>
      Promise.resolve(new Response(answerOf(idOf(init), 50), { headers: { "content-length": String(length) } }));
    const remote = (length: number) => createClient(URL_, { fetch: declaring(length) });
    assert.match(String(await remote(16 * 1024 * 1024).call("a")), /^x+$/);
    const error = await failure(remote(16 * 1024 * 1024 + 1).call("a"));
    assert.equal(error.message, `bad-response error calling ${URL_}: the answer is larger than 16777216 bytes (maxResponseBytes)`);
  });
});
