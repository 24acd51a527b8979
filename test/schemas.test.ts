// The schemas() plugin's reading of JSON Schemas and of issues, each as a caller or rpc.discover
// sees it: tuple parts (draft-07 `items`/`additionalItems` and 2020-12 `prefixItems`/`items`),
// boolean parts, definitions carried into the parts, the count of required params, issue paths of
// rest params, trailing undefined arguments, and object schemas whose first key takes an object.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Service } from "../mod.ts";
import type { ParamsSchema } from "../src/core/method.ts";
import { paramListFromSpec } from "../src/core/params.ts";
import type { StandardSchemaV1 } from "../src/core/standard_schema.ts";
import { methodSchemas } from "../src/plugins/schemas/json_schema.ts";
import { bindObject } from "../src/plugins/schemas/object_params.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { MAX_REPORTED_ISSUES, ResultValidationError, toParamIssue, validateObjectParams, validateParams, validateResult } from "../src/plugins/schemas/validation.ts";

/** A Standard Schema that accepts anything and says its JSON Schema is `json`. */
function written(json: Record<string, unknown>, seen: unknown[][] = []): StandardSchemaV1 {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (value: unknown) => {
        seen.push(value as unknown[]);
        return { value };
      },
      jsonSchema: { input: () => json, output: () => json },
    },
  };
}

describe("tuple schemas as params", () => {
  test("draft-07: items and additionalItems give the params, the rest and minItems the required count", () => {
    const tuple = z.tuple([z.string(), z.number().optional()]).rest(z.boolean());
    assert.deepEqual(methodSchemas(tuple, undefined, paramListFromSpec(["a", "b?", "...c"])), {
      params: [{ type: "string" }, { type: "number" }],
      rest: { type: "boolean" },
      required: 1,
    });
    assert.deepEqual(methodSchemas(z.tuple([z.string()]), undefined, paramListFromSpec(["a", "b?"])), { params: [{ type: "string" }, {}], required: 1 }, "additionalItems: false is no rest");
  });

  test("2020-12: prefixItems and items; a boolean part stays a boolean; minItems 0 is a count too", () => {
    const schema = written({ type: "array", prefixItems: [true, false, { type: "string" }], items: { type: "integer" }, minItems: 0 });
    assert.deepEqual(methodSchemas(schema, undefined, paramListFromSpec(["a", "b", "c", "d"])), {
      params: [true, false, { type: "string" }, { type: "integer" }],
      rest: { type: "integer" },
      required: 0,
    });
    assert.deepEqual(methodSchemas(written({ type: "array", minItems: -1 }), undefined, paramListFromSpec(["a"])), { params: [{}] }, "a negative minItems says nothing");
  });

  test("definitions ($defs and draft-07's definitions) go with each part, so a $ref still resolves", () => {
    const definitions = { name: { type: "string" } };
    const schema = written({ type: "array", items: [{ $ref: "#/definitions/name" }], definitions, $defs: definitions });
    assert.deepEqual(methodSchemas(schema, undefined, paramListFromSpec(["a"])).params, [{ $defs: definitions, definitions, $ref: "#/definitions/name" }]);
  });
});

describe("issues and arguments", () => {
  test("an issue's path names the param; past the fixed ones, the rest param and its index, or #n", () => {
    const withRest = paramListFromSpec(["a", "b", "...more"]);
    const path = (step: number, list = withRest): string => toParamIssue({ message: "bad", path: [step] }, list).path;
    assert.deepEqual([path(0), path(1), path(2), path(3)], ["a", "b", "more.0", "more.1"]);
    assert.deepEqual([path(1, paramListFromSpec(["a", "b"])), path(2, paramListFromSpec(["a", "b"]))], ["b", "#3"]);
  });

  test("a param without a name (a destructured one) is #n in an issue's path, counted from 1", async () => {
    const service = new Service({ name: "s" })
      .use(schemas())
      .publicMethod("first", ([a]: [number], [b]: [number]) => a + b, { input: z.tuple([z.tuple([z.number()]), z.tuple([z.number()])]) });
    const answer = (await service.handle({ jsonrpc: "2.0", method: "first", params: [[1], ["x"]], id: 1 })) as { error: { data: { issues: { path: string }[] } } };
    assert.deepEqual(answer.error.data.issues.map((issue) => issue.path), ["#2.0"]);
  });

  test("trailing undefined arguments are not given to the schema", async () => {
    const seen: unknown[][] = [];
    const schema = written({ type: "array" }, seen);
    assert.deepEqual(await validateParams(schema, paramListFromSpec(["a?", "b?"]), [1, undefined, undefined]), [1]);
    assert.deepEqual(await validateParams(schema, paramListFromSpec(["a?"]), [undefined]), []);
    assert.deepEqual(seen, [[1], []]);
  });

  test("a schema that gives back no array is refused with a message that says so", async () => {
    const notAList = { "~standard": { version: 1, vendor: "test", validate: () => ({ value: "text" }) } } as StandardSchemaV1;
    await assert.rejects(validateParams(notAList, paramListFromSpec(["a"]), [1]), { name: "TypeError", message: "The input schema of a method must give back an array (the arguments)" });
  });

  test("at most 20 issues are listed", async () => {
    assert.equal(MAX_REPORTED_ISSUES, 20);
    const many = { "~standard": { version: 1, vendor: "test", validate: () => ({ issues: Array.from({ length: 25 }, (_, index) => ({ message: `bad ${index}`, path: [0] })) }) } } as StandardSchemaV1;
    const answer = await validateParams(many, paramListFromSpec(["a"]), [1]);
    assert.ok(!Array.isArray(answer));
    assert.equal((answer.data as { issues: unknown[] }).issues.length, 20);
  });

  test("a result the output schema refuses reaches onError as a ResultValidationError", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "s", onError: (error) => reported.push(error) })
      .use(schemas())
      .publicMethod("count", () => "not a number" as unknown as number, { output: z.number() });
    await service.handle({ jsonrpc: "2.0", method: "count", id: 1 });
    assert.equal(reported.length, 1);
    assert.ok(reported[0] instanceof ResultValidationError);
    assert.equal(reported[0].name, "ResultValidationError");
  });
});

describe("validators that answer oddly, and how issues are told", () => {
  const answering = (answer: unknown): StandardSchemaV1 => ({ "~standard": { version: 1, vendor: "test", validate: () => answer } }) as unknown as StandardSchemaV1;

  test("an answer that is not a result object is refused, saying so", async () => {
    for (const answer of [null, 5, "text"]) {
      await assert.rejects(validateParams(answering(answer), paramListFromSpec(["a"]), [1]), { name: "TypeError", message: "A Standard Schema's validate answered no result object" }, String(answer));
    }
  });

  test("issues that are not objects still count, as \"invalid\"", async () => {
    const answer = await validateParams(answering({ issues: [null, "text"] }), paramListFromSpec(["a"]), [1]);
    assert.ok(!Array.isArray(answer));
    assert.deepEqual(answer.data, { issues: [{ path: "", message: "invalid" }, { path: "", message: "invalid" }] });
  });

  test("the message gives the first issue and counts the others, one issue or several", async () => {
    const issues = (count: number): StandardSchemaV1 => answering({ issues: Array.from({ length: count }, (_, index) => ({ message: `bad ${index}`, path: [0] })) });
    const message = async (count: number): Promise<string> => {
      const answer = await validateParams(issues(count), paramListFromSpec(["a"]), [1]);
      assert.ok(!Array.isArray(answer));
      return answer.message;
    };
    assert.equal(await message(1), "Invalid params: a: bad 0");
    assert.equal(await message(2), "Invalid params: a: bad 0 (and 1 more issue)");
    assert.equal(await message(3), "Invalid params: a: bad 0 (and 2 more issues)");
  });

  test("paths of an object schema's and a result's issues are dotted; a symbol without a description is written \"symbol\"", async () => {
    const objectAnswer = await validateObjectParams(answering({ issues: [{ message: "bad", path: ["order", { key: 0 }, Symbol()] }] }), [{}]);
    assert.ok(!Array.isArray(objectAnswer));
    assert.deepEqual(objectAnswer.data, { issues: [{ path: "order.0.symbol", message: "bad" }] });
    await assert.rejects(validateResult(answering({ issues: [{ message: "not a number", path: ["total", Symbol("cents")] }] }), "pay", {}), {
      name: "ResultValidationError",
      message: "Method pay returned a result its output schema refuses: total.cents: not a number",
    });
  });
});

describe("object schemas", () => {
  test("too many positional params: the message counts param or params", () => {
    assert.equal(bindObject(["a"], false, [1, 2]), "expected at most 1 param, got 2");
    assert.equal(bindObject(["a", "b"], false, [1, 2, 3]), "expected at most 2 params, got 3");
  });

  test("a list of one object is the first key's value when that key takes an object (an object, a nullable object, or anything)", async () => {
    const echo = (input: unknown): unknown => input;
    const service = new Service({ name: "s" })
      .use(schemas())
      .publicMethod("object_first", echo, { input: z.object({ meta: z.object({ a: z.number() }).loose(), note: z.string().optional() }) })
      .publicMethod("nullable_first", echo, { input: z.object({ meta: z.object({ a: z.number() }).loose().nullable(), note: z.string().optional() }) })
      .publicMethod("any_first", echo, { input: z.object({ meta: z.any(), note: z.string().optional() }) })
      .publicMethod("string_first", echo, { input: z.object({ name: z.string(), note: z.string().optional() }).loose() });
    const call = async (method: string, params: unknown): Promise<unknown> => ((await service.handle({ jsonrpc: "2.0", method, params, id: 1 })) as { result?: unknown; error?: unknown }).result;
    assert.deepEqual(await call("object_first", [{ a: 1 }]), { meta: { a: 1 } });
    assert.deepEqual(await call("nullable_first", [{ a: 1 }]), { meta: { a: 1 } });
    assert.deepEqual(await call("any_first", [{ a: 1 }]), { meta: { a: 1 } });
    assert.deepEqual(await call("string_first", [{ name: "ann", extra: 1 }]), { name: "ann", extra: 1 });
  });

  test("a JSON Schema written by hand: a first key of schema true, or of type [\"object\", \"null\"], takes a list of one object", async () => {
    const echo = (...args: unknown[]): unknown => args[0];
    const objectInput = (meta: unknown): ParamsSchema => written({ type: "object", properties: { meta, note: { type: "string" } } }) as unknown as ParamsSchema;
    const service = new Service({ name: "s" })
      .use(schemas())
      .publicMethod("anything_first", echo, { input: objectInput(true) })
      .publicMethod("nullable_first", echo, { input: objectInput({ type: ["object", "null"] }) })
      .publicMethod("string_first", echo, { input: objectInput({ type: ["string", "null"] }) });
    const call = async (method: string): Promise<unknown> => ((await service.handle({ jsonrpc: "2.0", method, params: [{ a: 1 }], id: 1 })) as { result?: unknown }).result;
    assert.deepEqual(await call("anything_first"), { meta: { a: 1 } });
    assert.deepEqual(await call("nullable_first"), { meta: { a: 1 } });
    assert.deepEqual(await call("string_first"), { a: 1 });
  });

  test("an object schema whose keys are all optional takes no params at all", async () => {
    const service = new Service({ name: "s" }).use(schemas()).publicMethod("find", (query: { text?: string | undefined }) => query, { input: z.object({ text: z.string().optional() }) });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "find", id: 1 }), { jsonrpc: "2.0", result: {}, id: 1 });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "find", params: [], id: 2 }), { jsonrpc: "2.0", result: {}, id: 2 });
    const described = (await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 3 })) as { result: { methods: { name: string; params: { name: string; required: boolean }[] }[] } };
    assert.deepEqual(described.result.methods.find((method) => method.name === "find")?.params.map(({ name, required }) => ({ name, required })), [{ name: "text", required: false }]);
  });
});
