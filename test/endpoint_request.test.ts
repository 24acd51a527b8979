// answerEndpointRequest, the route a Web Request takes to the JSON-RPC endpoint (service.fetch, and
// the Deno and Bun adapters): early answers made at once, bodies without and with a deadline, and
// the hook told of calls that do not answer at once.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { ErrorCode, Service } from "../mod.ts";
import { answerEndpointRequest, type CallRunning } from "../src/http/endpoint_request.ts";
import { toResponse } from "../src/http/handler.ts";
import { endpointOf } from "../src/http/endpoint_of.ts";
import { BodyTooLargeError } from "../src/http/read_body.ts";
import { mergeHeaders, type PlainReply } from "../src/http/rpc_endpoint.ts";
import { endpointFor, until } from "./helpers.ts";

const service = new Service({ name: "route", limits: { maxBodyBytes: 64, bodyTimeout: 5_000 } })
  .publicMethod("echo", (value: unknown) => value)
  .publicMethod("later", async (value: unknown) => await Promise.resolve(value));
const endpoint = endpointFor(service);

function post(body: BodyInit): Request {
  return new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
}

/** A body of no declared length, sent in pieces. */
function streamed(...pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
      controller.close();
    },
  });
}

describe("answerEndpointRequest", () => {
  test("an answer that needs no body is made at once, not promised", () => {
    const answer = answerEndpointRequest(endpoint, new Request("http://localhost/api"), toResponse, endpoint.bodyDeadline);
    assert.ok(answer instanceof Response);
    assert.equal(answer.status, 405);
  });

  for (const deadline of ["without", "with"] as const) {
    test(`${deadline} a deadline: bodies over the limit are 413, bodies not UTF-8 a parse error, others answered`, async () => {
      const within = deadline === "with" ? endpoint.bodyDeadline : undefined;
      const answer = (request: Request) => Promise.resolve(answerEndpointRequest(endpoint, request, toResponse, within));
      const tooLarge = await answer(post(streamed("[", " ".repeat(40), " ".repeat(40), "]")));
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.headers.get("connection"), "close");
      const notUtf8 = await answer(post(new Uint8Array([0x22, 0xff, 0x22])));
      assert.equal(((await notUtf8.json()) as { error: { code: number } }).error.code, ErrorCode.ParseError);
      const echoed = await answer(post(streamed('{"jsonrpc":"2.0","method":"echo",', '"params":[1],"id":1}')));
      assert.deepEqual(await echoed.json(), { jsonrpc: "2.0", result: 1, id: 1 });
      assert.equal(endpoint.bodyDeadline?.size, 0, "nothing is left watched");
    });
  }

  test("with a deadline, an answer that cannot be made rejects, never hangs, and is no longer watched", async () => {
    const failing = (reply: PlainReply): Response => {
      if (reply.status === 200) throw new TypeError("cannot make it");
      return toResponse(reply);
    };
    const request = post('{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}');
    await assert.rejects(Promise.resolve(answerEndpointRequest(endpoint, request, failing, endpoint.bodyDeadline)), /cannot make it/);
    assert.equal(endpoint.bodyDeadline?.size, 0);
  });

  test("with a deadline, an answer that cannot be made for an unread or late body rejects, never hangs", async () => {
    const failing = (reply: PlainReply): Response => {
      if (reply.status === 413 || reply.status === 408) throw new TypeError(`cannot make ${reply.status}`);
      return toResponse(reply);
    };
    const tooLarge = post(streamed("[", " ".repeat(80), "]"));
    await assert.rejects(Promise.resolve(answerEndpointRequest(endpoint, tooLarge, failing, endpoint.bodyDeadline)), /cannot make 413/);
    const keepAlive = setInterval(() => {}, 1000);
    try {
      const short = endpointFor(new Service({ name: "short", limits: { bodyTimeout: 20 } }));
      const stalled = post(new ReadableStream({ start: (controller) => controller.enqueue(new Uint8Array([0x5b])) }));
      await assert.rejects(Promise.resolve(answerEndpointRequest(short, stalled, failing, short.bodyDeadline)), /cannot make 408/);
    } finally {
      clearInterval(keepAlive);
    }
  });

  test("running is told of the calls that do not answer at once, and its promise is the one waited for", async () => {
    const told: string[] = [];
    const running: CallRunning = (answer, request) => {
      told.push(request.url);
      return answer.then((reply) => ({ ...reply, headers: { ...reply.headers, "x-watched": "yes" } }));
    };
    const sync = await answerEndpointRequest(endpoint, post('{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}'), toResponse, undefined, running);
    assert.equal(sync.headers.get("x-watched"), null);
    const slow = await answerEndpointRequest(endpoint, post('{"jsonrpc":"2.0","method":"later","params":[2],"id":2}'), toResponse, undefined, running);
    assert.equal(slow.headers.get("x-watched"), "yes");
    assert.deepEqual(await slow.json(), { jsonrpc: "2.0", result: 2, id: 2 });
    assert.deepEqual(told, ["http://localhost/api"]);
  });
});

/**
 * A few turns of the event loop: what a body's last chunk sets going (the read settling, then a
 * dispatch, had the body not been dropped) is done in microtasks by then.
 */
async function settled(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe("a body that arrives after its 408", { timeout: 10_000 }, () => {
  // The deadline's timer does not keep a process alive (a server's sockets do): a plain timer
  // stands in for them here.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  beforeEach(() => (keepAlive = setInterval(() => {}, 1000)));
  afterEach(() => clearInterval(keepAlive));

  const call = '{"jsonrpc":"2.0","method":"charge","params":[1],"id":1}';
  const charged: number[] = [];
  const late = new Service({ name: "late", limits: { bodyTimeout: 30 } }).publicMethod("charge", (amount: number) => charged.push(amount));

  test("never runs its calls: read whole (declared length), it is dropped when it comes", async () => {
    charged.length = 0;
    let release!: () => void;
    const arrives = new Promise<void>((resolve) => (release = resolve));
    let delivered = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await arrives; // only once the 408 went out
        controller.enqueue(new TextEncoder().encode(call));
        controller.close();
        delivered = true;
      },
    });
    const init = { method: "POST", headers: { "content-type": "application/json", "content-length": String(call.length) }, body, duplex: "half" };
    const response = await late.fetch(new Request("http://localhost/api", init));
    assert.equal(response.status, 408);
    release();
    await until(() => delivered);
    await settled();
    assert.deepEqual(charged, []);
    assert.equal(endpointFor(late).bodyDeadline?.size, 0);
  });

  test("never runs its calls: read in chunks, what came before the deadline is not taken for the whole body", async () => {
    charged.length = 0;
    // A whole call arrives at once, but the body never ends.
    let cancelled = false;
    const response = await late.fetch(post(new ReadableStream({
      start: (controller) => controller.enqueue(new TextEncoder().encode(call)),
      cancel: () => {
        cancelled = true;
      },
    })));
    assert.equal(response.status, 408);
    await until(() => cancelled); // the read was given up
    await settled();
    assert.deepEqual(charged, []);
  });
});

describe("the endpoint's plugins: early answers and added headers", () => {
  const hooked = new Service({ name: "hooked", limits: { maxBodyBytes: 64 } })
    .publicMethod("echo", (value: unknown) => value)
    .use({
      name: "hooks",
      intercept: (head) => head.method === "PUT" ? { status: 418, headers: { "content-type": "text/plain" }, body: "teapot" } : undefined,
      headers: (head) => ({ "x-method": head.method, vary: "Origin" }),
    });
  const hookedEndpoint = endpointFor(hooked);

  test("a plugin's early answer is the head's answer, with the plugins' headers", () => {
    const reply = hookedEndpoint.answerHead("PUT", new Headers());
    assert.equal(reply?.status, 418);
    assert.equal(reply.body, "teapot");
    assert.deepEqual(reply.headers, { "content-type": "text/plain", "x-method": "PUT", vary: "Origin" });
  });

  test("the plugins' headers are told POST for a body's answer and an unread body's", async () => {
    const answered = await hookedEndpoint.answerBody('{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}', { headers: new Headers() });
    assert.equal(answered.status, 200);
    assert.equal(answered.headers["x-method"], "POST");
    const unread = hookedEndpoint.answerUnreadBody(new BodyTooLargeError(64), new Headers());
    assert.equal(unread.status, 413);
    assert.equal(unread.headers["x-method"], "POST");
  });

  test("mergeHeaders appends vary values and replaces the others", () => {
    assert.deepEqual(mergeHeaders({ vary: "Accept", "x-id": "0" }, { vary: "Origin", "x-id": "1" }), { vary: "Accept, Origin", "x-id": "1" });
    assert.deepEqual(mergeHeaders({}, { vary: "Origin", allow: "POST" }), { vary: "Origin", allow: "POST" });
    assert.deepEqual(mergeHeaders({ allow: "GET" }, { allow: "POST" }), { allow: "POST" });
  });
});

test("endpointOf finds the endpoint of an app from another copy of the library, by its registered symbol", () => {
  const app = { [Symbol.for("tsmicroservice.rpcEndpoint")]: () => endpoint };
  assert.equal(endpointOf(app), endpoint);
});
