// The Service class: configuration, registration and lookup.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";

describe("Service configuration", () => {
  test("a service needs a name", () => {
    assert.throws(() => new Service({ name: "" }), /needs a name/);
    assert.throws(() => new Service({} as { name: string }), /needs a name/);
  });

  test("defaults follow the Python original", () => {
    const service = new Service({ name: "s" });
    assert.equal(service.path, "/api");
    assert.equal(service.apiTokenHeader, "X-Api-Token");
    assert.equal(service.version, "0.0.0");
    assert.deepEqual(service.limits, {
      maxBodyBytes: 1024 * 1024,
      bodyTimeout: 30_000,
      maxBatchLength: 100,
      maxParamsDepth: 64,
      batchConcurrency: 10,
    });
  });

  test("the path must start with a slash", () => {
    assert.throws(() => new Service({ name: "s", path: "api" }), /must start with "\/"/);
  });
});

describe("registration", () => {
  test("methods are found by name, in registration order, public or private", () => {
    const service = new Service({ name: "s" }).publicMethod("b", () => 1).privateMethod("a", () => 2, { description: "secret" });
    assert.deepEqual(service.listMethods().map((m) => [m.name, m.isPrivate, m.description]), [
      ["b", false, undefined],
      ["a", true, "secret"],
    ]);
    assert.equal(service.findMethod("a")?.isPrivate, true);
    assert.equal(service.findMethod("toString"), undefined);
  });

  test("registration returns the same service, so unchained calls register too", () => {
    const service = new Service({ name: "s" });
    const chained = service.publicMethod("x", () => 1);
    assert.equal(chained, service);
    assert.notEqual(service.findMethod("x"), undefined);
  });

  for (const [name, register, message] of [
    ["an empty name", (s: Service) => s.publicMethod("", () => 1), /non-empty/],
    ["a reserved rpc. name", (s: Service) => s.publicMethod("rpc.discover", () => 1), /reserved/],
    ["a handler that is not a function", (s: Service) => s.publicMethod("x", 5 as unknown as () => 1), /must be a function/],
    ["a name registered twice", (s: Service) => s.publicMethod("x", () => 1).privateMethod("x", () => 1), /already registered/],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => register(new Service({ name: "s" })), message);
    });
  }
});
