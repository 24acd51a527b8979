// answerEndpointRequest, the route a Web Request takes to the JSON-RPC endpoint (service.fetch, and
// the Deno and Bun adapters): early answers made at once, bodies without and with a deadline, and
// the hook told of calls that do not answer at once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, Service } from "../mod.ts";
import { answerEndpointRequest, type CallRunning } from "../src/http/endpoint_request.ts";
import { toResponse } from "../src/http/handler.ts";
import type { PlainReply } from "../src/http/rpc_endpoint.ts";

const service = new Service({ name: "route", maxBodyBytes: 64, bodyTimeout: 5_000 })
  .publicMethod("echo", (value: unknown) => value)
  .publicMethod("later", async (value: unknown) => await Promise.resolve(value));
const endpoint = service.rpcEndpoint();

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
