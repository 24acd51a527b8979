// Whatever a handler throws, the answer goes out: error data, onError and the call log never fail on it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { asError, describeThrown, errorName, isError } from "../src/core/as_error.ts";
import { callLog } from "../src/plugins/call_log.ts";
import { post } from "./helpers.ts";

/** The hostile shapes, made fresh for each use (a revoked proxy stays revoked). */
function hostile(): Record<string, unknown> {
  const badName = new Error("named badly");
  Object.defineProperty(badName, "name", {
    get() {
      throw new Error("the name getter throws");
    },
  });
  const badMessage = new TypeError("unused");
  Object.defineProperty(badMessage, "message", {
    get() {
      throw new Error("the message getter throws");
    },
  });
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const trap = new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error("the getPrototypeOf trap throws");
      },
    },
  );
  const throwingToString = {
    toString() {
      throw new Error("toString throws");
    },
  };
  return { nullPrototype: Object.create(null), badName, badMessage, revokedProxy: proxy, trap, throwingToString };
}

/** What exposeErrors shows for each shape. */
const EXPOSED: Record<string, unknown> = {
  nullPrototype: { message: "[object Object]" },
  badName: { message: "named badly" },
  badMessage: { name: "TypeError", message: "(unprintable)" },
  revokedProxy: { message: "(unprintable)" },
  trap: { message: "[object Object]" },
  throwingToString: { message: "[object Object]" },
};

const SHAPES = Object.keys(EXPOSED);

/** How a handler throws: at once, after an await, or under a timeout (three different paths). */
const STYLES = ["sync", "async", "timeout"] as const;

function serviceThrowing(exposeErrors: boolean, lines: string[], reported: unknown[]): Service {
  let service = new Service({ name: "s", exposeErrors, onError: (error) => reported.push(error) }).use(
    callLog({ info: () => {}, error: (line) => lines.push(line) }),
  );
  for (const style of STYLES) {
    for (const shape of SHAPES) {
      const name = `${style}_${shape}`;
      if (style === "sync") {
        service = service.publicMethod(name, () => {
          throw hostile()[shape];
        });
      } else {
        service = service.publicMethod(
          name,
          async () => {
            await Promise.resolve();
            throw hostile()[shape];
          },
          style === "timeout" ? { timeout: 10_000 } : {},
        );
      }
    }
  }
  return service;
}

function expectedError(exposeErrors: boolean, shape: string): unknown {
  return exposeErrors ? { code: -32603, message: "Internal error", data: EXPOSED[shape] } : { code: -32603, message: "Internal error" };
}

describe("a hostile thrown value", () => {
  for (const exposeErrors of [false, true]) {
    for (const style of STYLES) {
      test(`answers -32603 alone and in a batch (${style}, exposeErrors ${String(exposeErrors)})`, async () => {
        const lines: string[] = [];
        const reported: unknown[] = [];
        const service = serviceThrowing(exposeErrors, lines, reported);
        for (const [index, shape] of SHAPES.entries()) {
          const method = `${style}_${shape}`;
          const single = await post(service, JSON.stringify({ jsonrpc: "2.0", method, id: index }));
          assert.equal(single.status, 200, method);
          assert.deepEqual(single.json, { jsonrpc: "2.0", error: expectedError(exposeErrors, shape), id: index }, method);
          const batch = await post(
            service,
            JSON.stringify([
              { jsonrpc: "2.0", method, id: "a" },
              { jsonrpc: "2.0", method: "rpc.discover", id: "b" },
              { jsonrpc: "2.0", method, id: "c" },
            ]),
          );
          assert.equal(batch.status, 200, method);
          const answers = batch.json as { id: unknown; error?: unknown; result?: unknown }[];
          assert.deepEqual(
            answers.map((answer) => answer.id),
            ["a", "b", "c"],
            method,
          );
          assert.deepEqual(answers[0]?.error, expectedError(exposeErrors, shape), method);
          assert.equal(typeof answers[1]?.result, "object", method);
          assert.deepEqual(answers[2]?.error, expectedError(exposeErrors, shape), method);
        }
        // Each of the 3 calls per shape was reported and logged.
        assert.equal(reported.length, SHAPES.length * 3);
        assert.equal(lines.length, SHAPES.length * 3);
        assert.ok(lines.every((line) => line.includes(" error -32603 ")), lines.join("\n"));
        assert.ok(lines.some((line) => line.endsWith("Error: named badly")), lines.join("\n"));
      });
    }
  }

  test("a JSON call log writes a line for each", async () => {
    const lines: string[] = [];
    let service = new Service({ name: "s" }).use(callLog({ info: () => {}, error: (line) => lines.push(line) }, { format: "json" }));
    for (const shape of SHAPES) {
      service = service.publicMethod(shape, () => {
        throw hostile()[shape];
      });
    }
    for (const shape of SHAPES) await post(service, JSON.stringify({ jsonrpc: "2.0", method: shape, id: 1 }));
    assert.equal(lines.length, SHAPES.length);
    const records = lines.map((line) => JSON.parse(line) as { error?: string; code: number });
    assert.ok(records.every((record) => record.code === -32603));
    assert.equal(records[SHAPES.indexOf("badName")]?.error, "Error: named badly");
    assert.equal(records[SHAPES.indexOf("badMessage")]?.error, "TypeError: (unprintable)");
  });
});

describe("the helpers", () => {
  test("never throw, whatever they are given", () => {
    for (const [shape, value] of Object.entries(hostile())) {
      assert.ok(asError(value) instanceof Error, shape);
      assert.equal(typeof describeThrown(value).message, "string", shape);
      errorName(value);
      isError(value);
    }
  });

  test("say what a readable value is", () => {
    assert.deepEqual(describeThrown(new RangeError("out")), { name: "RangeError", message: "out" });
    assert.deepEqual(describeThrown("plain"), { message: "plain" });
    assert.equal(errorName(new SyntaxError("x")), "SyntaxError");
    assert.equal(errorName({ name: "RpcError" }), undefined);
    const error = new Error("kept");
    assert.equal(asError(error), error);
    assert.equal(asError(Object.create(null)).message, "[object Object]");
  });
});
