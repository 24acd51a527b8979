// The pymicroservice() plugin as a client learns it from rpc.discover: get_service_specs is
// public, takes no params and is idempotent (a cluster client may retry it on another instance).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { pymicroservice } from "../src/plugins/pymicroservice.ts";

describe("pymicroservice()", () => {
  test("rpc.discover describes get_service_specs: public, no params, idempotent, with its description", async () => {
    const service = new Service({ name: "py" }).use(pymicroservice());
    const answer = (await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 })) as { result: { methods: Record<string, unknown>[] } };
    const specs = answer.result.methods.find((method) => method["name"] === "get_service_specs");
    assert.deepEqual(specs, {
      name: "get_service_specs",
      description: "Returns the service's name, address and methods (pymicroservice's shape).",
      params: [],
      result: { name: "result", schema: {} },
      paramStructure: "either",
      "x-private": false,
      "x-idempotent": true,
    });
  });
});
