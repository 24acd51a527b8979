// Every example of the JSON-RPC 2.0 specification's examples section, through service.fetch.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { calculatorService, post } from "./helpers.ts";

const service = calculatorService();

async function exchange(body: string): Promise<unknown> {
  const answer = await post(service, body);
  if (answer.json === undefined) assert.equal(answer.status, 204);
  else assert.equal(answer.status, 200);
  return answer.json;
}

describe("the specification's examples", () => {
  test("rpc call with positional parameters", async () => {
    assert.deepEqual(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'),
      { jsonrpc: "2.0", result: 19, id: 1 },
    );
    assert.deepEqual(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}'),
      { jsonrpc: "2.0", result: -19, id: 2 },
    );
  });

  test("rpc call with named parameters", async () => {
    assert.deepEqual(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}'),
      { jsonrpc: "2.0", result: 19, id: 3 },
    );
    assert.deepEqual(
      await exchange('{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}'),
      { jsonrpc: "2.0", result: 19, id: 4 },
    );
  });

  test("a notification", async () => {
    assert.equal(await exchange('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}'), undefined);
    assert.equal(await exchange('{"jsonrpc": "2.0", "method": "foobar"}'), undefined);
  });

  test("rpc call of non-existent method", async () => {
    const answer = await exchange('{"jsonrpc": "2.0", "method": "foobar", "id": "1"}') as Record<string, unknown>;
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: -32601, message: "Method not found: foobar" }, id: "1" });
  });

  test("rpc call with invalid JSON", async () => {
    const answer = await exchange('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]') as { error: { code: number }; id: unknown };
    assert.equal(answer.error.code, -32700);
    assert.equal(answer.id, null);
  });

  test("rpc call with invalid Request object", async () => {
    const answer = await exchange('{"jsonrpc": "2.0", "method": 1, "params": "bar"}') as { error: { code: number; message: string }; id: unknown };
    assert.equal(answer.error.code, -32600);
    assert.match(answer.error.message, /"method" must be a string/);
    assert.equal(answer.id, null);
  });

  test("rpc call Batch, invalid JSON", async () => {
    const answer = await exchange(
      '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method"]',
    ) as { error: { code: number }; id: unknown };
    assert.equal(Array.isArray(answer), false);
    assert.equal(answer.error.code, -32700);
    assert.equal(answer.id, null);
  });

  test("rpc call with an empty Array", async () => {
    const answer = await exchange("[]") as { error: { code: number }; id: unknown };
    assert.equal(Array.isArray(answer), false);
    assert.equal(answer.error.code, -32600);
    assert.equal(answer.id, null);
  });

  test("rpc call with an invalid Batch (but not empty)", async () => {
    const answer = await exchange("[1]") as { error: { code: number }; id: unknown }[];
    assert.equal(answer.length, 1);
    assert.equal(answer[0]!.error.code, -32600);
    assert.equal(answer[0]!.id, null);
  });

  test("rpc call with invalid Batch", async () => {
    const answer = await exchange("[1,2,3]") as { error: { code: number }; id: unknown }[];
    assert.deepEqual(answer.map((entry) => [entry.error.code, entry.id]), [[-32600, null], [-32600, null], [-32600, null]]);
  });

  test("rpc call Batch", async () => {
    const answer = await exchange(`[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`) as Record<string, unknown>[];
    assert.equal(answer.length, 5);
    assert.deepEqual(answer[0], { jsonrpc: "2.0", result: 7, id: "1" });
    assert.deepEqual(answer[1], { jsonrpc: "2.0", result: 19, id: "2" });
    assert.deepEqual((answer[2] as { error: { code: number } }).error.code, -32600);
    assert.equal(answer[2]!["id"], null);
    assert.deepEqual(answer[3], { jsonrpc: "2.0", error: { code: -32601, message: "Method not found: foo.get" }, id: "5" });
    assert.deepEqual(answer[4], { jsonrpc: "2.0", result: ["hello", 5], id: "9" });
  });

  test("rpc call Batch (all notifications)", async () => {
    const answer = await post(service, `[
      {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`);
    assert.equal(answer.status, 204);
    assert.equal(answer.text, "");
  });
});
