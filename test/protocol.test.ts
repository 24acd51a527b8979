// The protocol layer's own promises (src/protocol/), seen on the wire or by a caller of its
// exports: the error codes a client receives, what a valid id is, which answers are failures, how
// deep params may nest, and the cross-copy key of errors from another service.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallContext, ErrorCode, Service } from "../mod.ts";
import { FROM_UPSTREAM } from "../src/protocol/errors.ts";
import { errorResponse, isFailure, successResponse } from "../src/protocol/messages.ts";
import { nestsDeeperThan } from "../src/protocol/nesting_depth.ts";
import { isJsonRpcId } from "../src/protocol/validate_request.ts";
import { call } from "./helpers.ts";

describe("protocol", () => {
  test("the error codes, as the JSON-RPC 2.0 specification and the Python original fix them, and the scope refusal", () => {
    assert.deepEqual({ ...ErrorCode }, {
      ParseError: -32700,
      InvalidRequest: -32600,
      MethodNotFound: -32601,
      InvalidParams: -32602,
      InternalError: -32603,
      AccessDenied: -32001,
      Timeout: -32002,
      Forbidden: -32003,
    });
  });

  test("a private method without a token answers -32001, a call past its timeout -32002, on the wire", async () => {
    const service = new Service({ name: "codes", apiTokenIsValid: (token) => token === "t", onError: false })
      .privateMethod("secret", () => 1)
      .publicMethod("slow", (ctx: CallContext) => new Promise((resolve) => ctx.signal?.addEventListener("abort", () => resolve("late"))), { context: true, timeout: 1 });
    const denied = (await call(service, { jsonrpc: "2.0", method: "secret", id: 1 })) as { error: { code: number } };
    assert.equal(denied.error.code, -32001);
    const late = (await call(service, { jsonrpc: "2.0", method: "slow", id: 2 })) as { error: { code: number } };
    assert.equal(late.error.code, -32002);
  });

  test("an id is null, a string or a finite number", () => {
    for (const id of [null, "", "a", 0, -1, 1.5]) assert.equal(isJsonRpcId(id), true, String(id));
    for (const id of [NaN, Infinity, -Infinity, undefined, true, {}, [], 1n]) assert.equal(isJsonRpcId(id), false, typeof id);
  });

  test("a non-finite id given in process is an invalid request", async () => {
    const service = new Service({ name: "ids" }).publicMethod("ping", () => "pong");
    const answer = (await service.handle({ jsonrpc: "2.0", method: "ping", id: NaN })) as { error?: { code: number }; id: unknown };
    assert.equal(answer.error?.code, -32600);
    assert.equal(answer.id, null);
  });

  test("isFailure tells an error answer from a result", () => {
    assert.equal(isFailure(errorResponse(1, { code: -32601, message: "Method not found" })), true);
    assert.equal(isFailure(successResponse(1, "error")), false);
    assert.equal(isFailure(successResponse(1, undefined)), false);
    assert.deepEqual(successResponse(3, undefined), { jsonrpc: "2.0", result: null, id: 3 });
  });

  test("nesting: as deep as the limit passes, one level more does not", () => {
    assert.equal(nestsDeeperThan([1, 2, 3], 1), false);
    assert.equal(nestsDeeperThan([1, [2], 3], 1), true);
    assert.equal(nestsDeeperThan([1, 2, [3]], 1), true, "the last child is looked at too");
    assert.equal(nestsDeeperThan({ a: 1, b: { c: 2 } }, 1), true);
    assert.equal(nestsDeeperThan({ a: 1, b: { c: 2 } }, 2), false);
    assert.equal(nestsDeeperThan("text", 0), false);
    assert.equal(nestsDeeperThan([], 0), true);
  });

  test("errors from another service are marked under a key every copy of the library shares", () => {
    assert.equal(FROM_UPSTREAM, Symbol.for("tsmicroservice.fromUpstream"));
  });
});
