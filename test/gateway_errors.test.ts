// Errors from downstream, through a gateway: a protocol-level error another service answered the
// gateway (its wrong token's -32001, a -32602 about params the gateway sent) is not handed to the
// gateway's own caller, who sent none of it: -32603, reported. An application error passes through,
// and so does an RpcError the gateway's handler makes itself.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient, ErrorCode, RpcError, serve, type ServerHandle, Service } from "../mod.ts";
import { call } from "./helpers.ts";

describe("errors through a gateway", () => {
  let upstream: ServerHandle;
  const reported: string[] = [];
  let gateway: Service;
  before(async () => {
    const service = new Service({ name: "upstream", apiTokenIsValid: (token) => token === "right" })
      .privateMethod("secret", () => "s3cret")
      .publicMethod("strict", (count: number) => count, { params: ["count"] })
      .publicMethod("refuse", () => {
        throw new RpcError(42, "out of stock", { item: "tea" });
      });
    upstream = await serve(service, { port: 0 });
    const wrongToken = createClient(`${upstream.url}/api`, { token: "wrong" });
    gateway = new Service({ name: "gateway", onError: (error, info) => reported.push(`${info.method}: ${(error as Error).message}`) })
      .publicMethod("secret", () => wrongToken.call("secret"))
      .publicMethod("strict", () => wrongToken.call("strict", { nope: 1 }))
      .publicMethod("refuse", () => wrongToken.call("refuse"))
      .publicMethod("own", () => {
        throw new RpcError(ErrorCode.AccessDenied, "the gateway says no");
      });
  });
  after(async () => {
    await upstream.close();
  });

  test("the upstream's -32001 and -32602 become -32603 for the gateway's caller, reported", async () => {
    const internal = { code: ErrorCode.InternalError, message: "Internal error" };
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "secret", id: 1 }), { jsonrpc: "2.0", error: internal, id: 1 });
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "strict", id: 2 }), { jsonrpc: "2.0", error: internal, id: 2 });
    assert.equal(reported.length, 2);
    assert.match(reported[0]!, /^secret: Access denied/);
    assert.match(reported[1]!, /^strict: Invalid params/);
  });

  test("an application error of the upstream passes through, and the gateway's own RpcError too", async () => {
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "refuse", id: 3 }), {
      jsonrpc: "2.0",
      error: { code: 42, message: "out of stock", data: { item: "tea" } },
      id: 3,
    });
    assert.deepEqual(await call(gateway, { jsonrpc: "2.0", method: "own", id: 4 }), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.AccessDenied, message: "the gateway says no" },
      id: 4,
    });
  });
});
