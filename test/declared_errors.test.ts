// Declared errors: a method's `errors` option and declareErrors()'s helpers, on the wire (a real
// server on a loopback port and the typed client), in rpc.discover (OpenRPC's `errors`), and the
// declarations declareErrors() refuses. Their types are test/types/declared_errors.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { z } from "zod";
import {
  connect,
  declareErrors,
  isRpcError,
  type OpenRpcDocument,
  type OpenRpcMethod,
  RpcError,
  serve,
  type ServerHandle,
  Service,
} from "../mod.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { createClient } from "../src/client/client.ts";
import { formatDescription } from "../src/cli/describe_command.ts";
import { describeService } from "../src/cli/service_description.ts";

const orderErrors = declareErrors({
  NOT_FOUND: { code: 1404, message: "No such order", data: z.object({ id: z.string() }), status: 404 },
  OUT_OF_STOCK: { code: 1409, message: "Out of stock" },
});

function ordersService() {
  return new Service({ name: "orders", onError: false })
    .use(schemas())
    .publicMethod("get_order", (id: string) => {
      if (id === "none") throw orderErrors.OUT_OF_STOCK();
      if (id !== "1") throw orderErrors.NOT_FOUND({ id });
      return { id, total: 3 };
    }, { errors: orderErrors, description: "One order." })
    .publicMethod("cancel", (id: string) => {
      throw new RpcError(1410, "Gone", { id });
    }, { errors: { GONE: { code: 1410, message: "Gone", data: { type: "object" } } } })
    .publicMethod("ping", () => "pong");
}

describe("declared errors on the wire", () => {
  let server: ServerHandle;
  before(async () => {
    server = await serve(ordersService(), { hostname: "127.0.0.1", port: 0 });
  });
  after(() => server.close());

  test("a helper's error answers its code, message and data; the client narrows it by code", async () => {
    const remote = await connect<ReturnType<typeof ordersService>>(`${server.url}/api`);
    assert.deepEqual(await remote.methods.get_order("1"), { id: "1", total: 3 });
    const error = await remote.methods.get_order("7").then(() => assert.fail("expected an error"), (reason: unknown) => reason);
    assert.ok(isRpcError(error, remote.methods.get_order, 1404));
    assert.equal(error.message, "No such order");
    assert.deepEqual(error.data, { id: "7" });
    assert.equal(isRpcError(error, remote.methods.get_order, 1409), false);
    const noData = await remote.methods.get_order("none").then(() => assert.fail("expected an error"), (reason: unknown) => reason);
    assert.ok(isRpcError(noData, remote.methods.get_order, 1409));
    assert.equal(noData.data, undefined);
    assert.ok(isRpcError(noData, 1409));
    assert.equal(isRpcError(new Error("x"), 1409), false);
  });

  test("the raw answer is a plain JSON-RPC error (no data member when there is none)", async () => {
    const answer = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { jsonrpc: "2.0", method: "get_order", params: ["7"], id: 1 },
        { jsonrpc: "2.0", method: "get_order", params: { id: "none" }, id: 2 },
      ]),
    });
    assert.deepEqual(await answer.json(), [
      { jsonrpc: "2.0", error: { code: 1404, message: "No such order", data: { id: "7" } }, id: 1 },
      { jsonrpc: "2.0", error: { code: 1409, message: "Out of stock" }, id: 2 },
    ]);
  });

  test("rpc.discover lists each method's errors as OpenRPC Error Objects (code and message only)", async () => {
    const remote = await connect(`${server.url}/api`);
    const document = await remote.call("rpc.discover") as OpenRpcDocument;
    const [getOrder, cancel, ping] = document.methods as [OpenRpcMethod, OpenRpcMethod, OpenRpcMethod];
    assert.deepEqual(getOrder.errors, [{ code: 1404, message: "No such order" }, { code: 1409, message: "Out of stock" }]);
    assert.deepEqual(cancel.errors, [{ code: 1410, message: "Gone" }]);
    // A method that declares none has no `errors` member at all.
    assert.equal("errors" in ping, false);
    // OpenRPC's errorObject allows code, message and data, nothing else.
    for (const error of [...getOrder.errors ?? [], ...cancel.errors ?? []]) {
      assert.deepEqual(Object.keys(error).sort(), ["code", "message"]);
      assert.ok(Number.isInteger(error.code));
    }
  });


  test("the CLI's describe lists each method's declared errors after the methods", async () => {
    const description = await describeService(createClient(`${server.url}/api`));
    assert.deepEqual(description.methods.map((method) => method.errors), [
      [{ code: 1404, message: "No such order" }, { code: 1409, message: "Out of stock" }],
      [{ code: 1410, message: "Gone" }],
      undefined,
    ]);
    const text = formatDescription(description);
    assert.match(text, /\nMETHOD\s+ERROR\s+MESSAGE\nget_order\s+1404\s+No such order\nget_order\s+1409\s+Out of stock\ncancel\s+1410\s+Gone\n$/);
  });
});

describe("declareErrors()", () => {
  test("each helper carries its declaration, so the helpers are a method's errors option", () => {
    const errors = declareErrors({ GONE: { code: 1410, message: "Gone", status: 410 } });
    assert.equal(errors.GONE.code, 1410);
    assert.equal(errors.GONE.message, "Gone");
    assert.equal(errors.GONE.status, 410);
    const thrown = errors.GONE();
    assert.ok(thrown instanceof RpcError);
    assert.deepEqual(thrown.toJSON(), { code: 1410, message: "Gone" });
    const service = new Service({ name: "s" }).publicMethod("m", () => 1, { errors });
    assert.equal(service.findMethod("m")?.errors, errors);
  });

  test("refuses codes JSON-RPC reserves, codes that are not integers, a code twice, a message that is not text", () => {
    for (const code of [-32000, -32602, -32768]) {
      assert.throws(() => declareErrors({ BAD: { code, message: "m" } }), { name: "TypeError", message: new RegExp(`Error BAD: the code must be an integer outside -32768 to -32000 .*got ${code}`) });
    }
    assert.throws(() => declareErrors({ BAD: { code: 1.5, message: "m" } }), /got 1\.5/);
    assert.throws(() => declareErrors({ A: { code: 1, message: "a" }, B: { code: 1, message: "b" } }), /Error B: code 1 is declared twice/);
    assert.throws(() => declareErrors({ A: { code: 1, message: 2 as unknown as string } }), /Error A: the message must be a string/);
    // Just outside the reserved range is an application code.
    assert.equal(declareErrors({ LOW: { code: -32769, message: "low" }, HIGH: { code: -31999, message: "high" } }).HIGH.code, -31999);
  });
});
