// Typed, validated methods: params and results checked with Standard Schemas (a hand-written one
// and zod), issues reported with parameter names, transforms, async validators, rpc.discover, and
// the call context's service and in-process calls; all through the schemas() plugin, which a
// method with schemas cannot be registered without.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  type CallContext,
  createClient,
  ErrorCode,
  isStandardSchema,
  type JsonRpcResponse,
  type OpenRpcDocument,
  RpcError,
  Service,
  type StandardIssue,
  type StandardSchemaV1,
} from "../mod.ts";
import { type InvalidParamsData, MAX_REPORTED_ISSUES, ResultValidationError, schemas } from "../src/plugins/schemas/schemas.ts";
import { post } from "./helpers.ts";

/**
 * A hand-written Standard Schema of a list of integers, no library involved: `count` of them, at
 * least `required`, each doubled on the way in (a transform). Issues use both path forms the
 * specification allows (a plain key, and an object with a `key`), and carry the faulty value in an
 * `input` member, as some validators do, which must never reach the caller.
 */
function integers(count: number, required = count, options: { async?: boolean } = {}): StandardSchemaV1<number[], number[]> {
  const check = (value: unknown) => {
    if (!Array.isArray(value) || value.length < required || value.length > count) {
      return { issues: [{ message: `Expected ${required} to ${count} integers` }] };
    }
    const issues: (StandardIssue & { input: unknown })[] = [];
    value.forEach((item: unknown, index) => {
      if (!Number.isInteger(item)) issues.push({ message: "Expected an integer", path: index % 2 === 0 ? [index] : [{ key: index }], input: item });
    });
    return issues.length > 0 ? { issues } : { value: (value as number[]).map((n) => n * 2) };
  };
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: (value) => (options.async === true ? new Promise((resolve) => setTimeout(() => resolve(check(value)), 1)) : check(value)),
    },
  };
}

async function rpc(service: { handle(message: unknown, ctx?: { headers: Headers }): Promise<unknown> }, method: string, params?: unknown, headers: HeadersInit = {}) {
  const message = params === undefined ? { jsonrpc: "2.0", method, id: 1 } : { jsonrpc: "2.0", method, params, id: 1 };
  return (await service.handle(message, { headers: new Headers(headers) })) as JsonRpcResponse;
}

function errorOf(response: JsonRpcResponse) {
  assert.ok("error" in response, `expected an error, got ${JSON.stringify(response)}`);
  return response.error;
}

function resultOf(response: JsonRpcResponse): unknown {
  assert.ok("result" in response, `expected a result, got ${JSON.stringify(response)}`);
  return response.result;
}

function issuesOf(response: JsonRpcResponse): InvalidParamsData {
  const error = errorOf(response);
  assert.equal(error.code, ErrorCode.InvalidParams);
  return error.data as InvalidParamsData;
}

describe("params checked with a hand-written Standard Schema", () => {
  const service = new Service({ name: "hand" }).use(schemas())
    .publicMethod("add", (a, b) => a + b, { input: integers(2) })
    .publicMethod("slow_add", (a, b) => a + b, { input: integers(2, 2, { async: true }) })
    .publicMethod("sum", (...numbers) => numbers.reduce((total, n) => total + n, 0), { input: integers(10, 0) });

  test("the handler receives the schema's output (transformed), positional or named", async () => {
    assert.equal(resultOf(await rpc(service, "add", [1, 2])), 6);
    assert.equal(resultOf(await rpc(service, "add", { b: 2, a: 1 })), 6);
    assert.equal(resultOf(await rpc(service, "sum", [1, 2, 3])), 12);
    assert.equal(resultOf(await rpc(service, "sum")), 0);
  });

  test("an async validator is awaited", async () => {
    assert.equal(resultOf(await rpc(service, "slow_add", [3, 4])), 14);
    assert.deepEqual(issuesOf(await rpc(service, "slow_add", [3, 4.5])).issues, [{ path: "b", message: "Expected an integer" }]);
  });

  test("issues answer -32602 with each path (the parameter's name first) and message", async () => {
    const error = errorOf(await rpc(service, "add", [1.5, "x"]));
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.equal(error.message, "Invalid params: a: Expected an integer (and 1 more issue)");
    assert.deepEqual(error.data, {
      issues: [
        { path: "a", message: "Expected an integer" },
        { path: "b", message: "Expected an integer" },
      ],
    });
    // Rest parameter items are named by the rest parameter and their place in it.
    assert.deepEqual(issuesOf(await rpc(service, "sum", [1, 2, 0.5])).issues, [{ path: "numbers.2", message: "Expected an integer" }]);
    // An issue about the whole list has an empty path.
    assert.deepEqual(issuesOf(await rpc(service, "add", [1])).issues, [{ path: "", message: "Expected 2 to 2 integers" }]);
  });

  test("the value that was sent is never echoed back, even when the validator's issue carries it", async () => {
    const secret = "do-not-echo-4f9c";
    const answer = await post(service, JSON.stringify({ jsonrpc: "2.0", method: "add", params: [secret, { secret }], id: 1 }));
    assert.equal(answer.status, 200);
    assert.equal((answer.json as { error: { code: number } }).error.code, ErrorCode.InvalidParams);
    assert.equal(answer.text.includes(secret), false, answer.text);
    assert.equal(answer.text.includes("input"), false, answer.text);
  });

  test("a notification with invalid params gets no answer, and its handler does not run", async () => {
    let runs = 0;
    const counted = new Service({ name: "n" }).use(schemas()).publicMethod("count", (n) => (runs += n), { input: integers(1) });
    assert.equal((await post(counted, '{"jsonrpc":"2.0","method":"count","params":["x"]}')).status, 204);
    assert.equal(runs, 0);
  });

  test("at most MAX_REPORTED_ISSUES issues are reported; the rest are counted", async () => {
    const many = new Service({ name: "many" }).use(schemas()).publicMethod("sum", (...numbers) => numbers.length, { input: integers(100, 0) });
    const data = issuesOf(await rpc(many, "sum", Array.from({ length: 50 }, () => "x")));
    assert.equal(data.issues.length, MAX_REPORTED_ISSUES);
    assert.equal(data.omittedIssues, 50 - MAX_REPORTED_ISSUES);
  });
});

describe("params checked with zod", () => {
  const service = new Service({ name: "zod" }).use(schemas())
    .publicMethod("subtract", (minuend, subtrahend) => minuend - subtrahend, { input: z.tuple([z.number(), z.number()]) })
    .publicMethod("scale", (point, factor) => ({ x: point.x * factor, y: point.y * factor }), {
      input: z.tuple([z.object({ x: z.number(), y: z.number() }), z.number().default(1)]),
    })
    .publicMethod("shout", (words) => words.join(" "), { input: z.tuple([z.string().transform((text) => text.toUpperCase().split(" "))]) })
    .publicMethod("greet", (name, greeting) => `${greeting ?? "hello"} ${name}`, { input: z.tuple([z.string(), z.string().optional()]) })
    .publicMethod("positive", (n) => n, {
      input: z.tuple([z.number().refine(async (value) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return value > 0;
      }, "Must be positive")]),
    });

  test("valid params reach the handler, positional or named", async () => {
    assert.equal(resultOf(await rpc(service, "subtract", [42, 23])), 19);
    assert.equal(resultOf(await rpc(service, "subtract", { subtrahend: 23, minuend: 42 })), 19);
  });

  test("issue paths start with the parameter's name", async () => {
    const error = errorOf(await rpc(service, "scale", [{ x: 1, y: "2" }, 3]));
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.match(error.message, /^Invalid params: point\.y: /);
    assert.deepEqual((error.data as InvalidParamsData).issues, [{ path: "point.y", message: "Invalid input: expected number, received string" }]);
    assert.deepEqual(issuesOf(await rpc(service, "subtract", { minuend: 42, subtrahend: "23" })).issues, [
      { path: "subtrahend", message: "Invalid input: expected number, received string" },
    ]);
  });

  test("a missing param is reported by name, positional or named, when the schema says how many are required", async () => {
    for (const params of [[42], { minuend: 42 }]) {
      const error = errorOf(await rpc(service, "subtract", params));
      assert.equal(error.code, ErrorCode.InvalidParams);
      assert.equal(error.message, 'Invalid params: missing param "subtrahend"');
    }
  });

  test("the schema decides what is optional; defaults and transforms reach the handler", async () => {
    assert.deepEqual(resultOf(await rpc(service, "scale", [{ x: 1, y: 2 }])), { x: 1, y: 2 });
    assert.deepEqual(resultOf(await rpc(service, "scale", { point: { x: 1, y: 2 }, factor: 3 })), { x: 3, y: 6 });
    assert.equal(resultOf(await rpc(service, "shout", ["hi there"])), "HI THERE");
    // The handler declares no default for `greeting`: the schema's `.optional()` is what counts.
    assert.equal(resultOf(await rpc(service, "greet", ["ann"])), "hello ann");
    assert.equal(resultOf(await rpc(service, "greet", { name: "ann" })), "hello ann");
    assert.equal(resultOf(await rpc(service, "greet", { greeting: "hi", name: "ann" })), "hi ann");
  });

  test("async refinements are awaited", async () => {
    assert.equal(resultOf(await rpc(service, "positive", [2])), 2);
    assert.deepEqual(issuesOf(await rpc(service, "positive", [-2])).issues, [{ path: "n", message: "Must be positive" }]);
  });

  test("too many params are refused before the schema runs", async () => {
    assert.equal(errorOf(await rpc(service, "subtract", [1, 2, 3])).message, "Invalid params: expected at most 2 params, got 3");
  });

  test("the same checks run when the call has a deadline", async () => {
    const timed = new Service({ name: "timed", timeout: 1000 }).use(schemas())
      .publicMethod("half", (n) => n / 2, { input: z.tuple([z.number()]), output: z.number().int() });
    assert.equal(resultOf(await rpc(timed, "half", [4])), 2);
    assert.deepEqual(issuesOf(await rpc(timed, "half", ["4"])).issues, [{ path: "n", message: "Invalid input: expected number, received string" }]);
    assert.equal(errorOf(await rpc(timed, "half", [3])).code, ErrorCode.InternalError);
  });
});

describe("the context after validated params", () => {
  test("the request's signal is read only by a method that asks for the context (Deno warns on any read)", async () => {
    let reads = 0;
    const controller = new AbortController();
    const ctx = {
      headers: new Headers(),
      get signal() {
        reads++;
        return controller.signal;
      },
    };
    const service = new Service({ name: "lazy" }).use(schemas())
      .publicMethod("checked", (n) => n, { input: z.tuple([z.number()]), output: z.number() })
      .publicMethod("aware", (n, context) => context.signal === controller.signal && n > 0, { input: z.tuple([z.number()]), context: true });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "checked", params: [1], id: 1 }, ctx), { jsonrpc: "2.0", result: 1, id: 1 });
    assert.equal(reads, 0);
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "aware", params: [1], id: 2 }, ctx), { jsonrpc: "2.0", result: true, id: 2 });
    assert.equal(reads, 1);
  });

  test("a method with context: true gets the checked params, then the context", async () => {
    const service = new Service({ name: "ctx" }).use(schemas()).publicMethod(
      "label",
      (count, unit, ctx) => `${count * 2} ${unit ?? "items"} for ${ctx.method}`,
      { input: z.tuple([z.coerce.number(), z.string().optional()]), context: true },
    );
    assert.equal(resultOf(await rpc(service, "label", ["21"])), "42 items for label");
    assert.equal(resultOf(await rpc(service, "label", { count: 1, unit: "apples" })), "2 apples for label");
    assert.equal(errorOf(await rpc(service, "label", [1, "x", "extra"])).code, ErrorCode.InvalidParams);
  });
});

describe("result schemas", () => {
  test("the result is checked and possibly transformed before it is sent", async () => {
    const service = new Service({ name: "r" }).use(schemas())
      .publicMethod("now", () => "2024-01-02", { output: z.string().transform((text) => text.split("-").map(Number)) })
      .publicMethod("count", async (text: string) => Promise.resolve(text.length), { output: z.number().int() });
    assert.deepEqual(resultOf(await rpc(service, "now")), [2024, 1, 2]);
    assert.equal(resultOf(await rpc(service, "count", ["abc"])), 3);
  });

  test("a result the schema refuses is a server bug: -32603 for the caller, the details for onError", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "r", onError: (error) => reported.push(error) }).use(schemas())
      .publicMethod("broken", () => "not a number" as unknown as number, { output: z.number() });
    const error = errorOf(await rpc(service, "broken"));
    assert.deepEqual(error, { code: ErrorCode.InternalError, message: "Internal error" });
    assert.equal(reported.length, 1);
    assert.ok(reported[0] instanceof ResultValidationError);
    assert.match(reported[0].message, /^Method broken returned a result its output schema refuses: Invalid input: expected number/);
    assert.deepEqual(reported[0].issues, [{ path: "", message: "Invalid input: expected number, received string" }]);
  });
});

describe("schemas that misbehave", () => {
  test("a validator that throws, or gives back no array, is an internal error reported to onError", async () => {
    const reported: unknown[] = [];
    const throwing: StandardSchemaV1<unknown[], unknown[]> = {
      "~standard": { version: 1, vendor: "test", validate: () => { throw new Error("validator bug"); } },
    };
    const notAList = { "~standard": { version: 1 as const, vendor: "test", validate: (value: unknown) => ({ value: { value } }) } };
    const nothing = { "~standard": { version: 1 as const, vendor: "test", validate: () => null } };
    const service = new Service({ name: "m", onError: (error) => reported.push(error) }).use(schemas())
      .publicMethod("a", () => 1, { input: throwing })
      .publicMethod("b", () => 1, { input: notAList as unknown as StandardSchemaV1<unknown[], unknown[]> })
      .publicMethod("c", () => 1, { input: nothing as unknown as StandardSchemaV1<unknown[], unknown[]> });
    for (const method of ["a", "b", "c"]) assert.equal(errorOf(await rpc(service, method, [])).code, ErrorCode.InternalError);
    assert.equal(reported.length, 3);
  });

  test("issues that are not shaped like issues still answer Invalid params, with nothing of theirs echoed", async () => {
    const odd = { "~standard": { version: 1 as const, vendor: "test", validate: () => ({ issues: ["secret-value", { message: 7, path: "nope" }] }) } };
    const notAList = { "~standard": { version: 1 as const, vendor: "test", validate: () => ({ issues: "secret-value" }) } };
    const service = new Service({ name: "o" }).use(schemas())
      .publicMethod("odd", () => 1, { input: odd as unknown as StandardSchemaV1<unknown[], unknown[]> })
      .publicMethod("none", () => 1, { input: notAList as unknown as StandardSchemaV1<unknown[], unknown[]> });
    assert.deepEqual(issuesOf(await rpc(service, "odd", [])).issues, [{ path: "", message: "invalid" }, { path: "", message: "invalid" }]);
    assert.deepEqual(errorOf(await rpc(service, "none", [])), { code: ErrorCode.InvalidParams, message: "Invalid params: refused by the schema", data: { issues: [] } });
  });

  test("a symbol in an issue's path is written out by its description", async () => {
    const withSymbol = {
      "~standard": { version: 1 as const, vendor: "test", validate: () => ({ issues: [{ message: "bad", path: [0, Symbol("inner"), { key: "x" }] }] }) },
    };
    const service = new Service({ name: "s" }).use(schemas()).publicMethod("f", (a: unknown) => a, { input: withSymbol as unknown as StandardSchemaV1<unknown[], unknown[]>, params: ["a?"] });
    assert.deepEqual(issuesOf(await rpc(service, "f", [1])).issues, [{ path: "a.inner.x", message: "bad" }]);
  });

  test("options that are not Standard Schemas are refused when the method is registered", () => {
    const service = new Service({ name: "s" }).use(schemas());
    assert.throws(() => service.publicMethod("f", () => 1, { input: {} as never }), /input of method f is not a Standard Schema/);
    assert.throws(() => service.publicMethod("g", () => 1, { output: { "~standard": { version: 2 } } as never }), /output of method g/);
    assert.equal(isStandardSchema(z.string()), true);
    assert.equal(isStandardSchema(null), false);
    assert.equal(isStandardSchema({ "~standard": null }), false);
  });

  test("a method with schemas needs the schemas() plugin, used before it is registered", () => {
    const bare = new Service({ name: "s" }).publicMethod("plain", (a: number) => a);
    assert.throws(() => bare.publicMethod("checked", (a) => a, { input: z.tuple([z.number()]) }), /has schemas: use\(schemas\(\)\)/);
    assert.throws(() => bare.privateMethod("out", () => 1, { output: z.number() }), /tsmicroservice\/schemas/);
    assert.equal(bare.findMethod("checked"), undefined, "nothing was registered");
    // Used later, the plugin still sees the methods registered before it (they have no schemas).
    const later = bare.use(schemas()).publicMethod("checked", (a) => a, { input: z.tuple([z.number()]) });
    assert.ok(later.findMethod("checked")?.checks?.params);
    assert.equal(later.findMethod("plain")?.checks, undefined);
  });

  test("a method without schemas carries no validation, so dispatch does no checking for it", () => {
    const service = new Service({ name: "s" }).use(schemas()).publicMethod("plain", (a: number) => a).publicMethod("checked", (a) => a, { input: z.tuple([z.number()]) });
    assert.equal(service.findMethod("plain")?.validation, undefined);
    assert.equal(service.findMethod("plain")?.schemas, undefined);
    assert.ok(service.findMethod("checked")?.validation?.input);
  });
});

describe("rpc.discover with schemas", () => {
  const plain = integers(2);
  const service = new Service({ name: "described" }).use(schemas())
    .publicMethod("subtract", (minuend, subtrahend) => minuend - subtrahend, {
      input: z.tuple([z.number(), z.number().int()]),
      output: z.number(),
      description: "Subtracts.",
    })
    .publicMethod("join", (first, ...others) => [first, ...others].join(","), { input: z.tuple([z.string()]).rest(z.string()) })
    .publicMethod("greet", (name, greeting) => `${greeting ?? "hi"} ${name}`, { input: z.tuple([z.string(), z.string().optional()]) })
    .publicMethod("total", (...numbers) => numbers.length, { input: z.array(z.number()) })
    .publicMethod("hand", (a, b) => a + b, { input: plain })
    .publicMethod("when", () => "2024", { output: z.string().transform((text) => Number(text)) });

  test("zod schemas give each param's JSON Schema, which are required, and the result's", async () => {
    const document = resultOf(await rpc(service, "rpc.discover")) as OpenRpcDocument;
    const [subtract, join, greet, total, hand, when] = document.methods;
    assert.deepEqual(subtract, {
      name: "subtract",
      description: "Subtracts.",
      params: [
        { name: "minuend", required: true, schema: { type: "number" } },
        { name: "subtrahend", required: true, schema: { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 } },
      ],
      result: { name: "result", schema: { type: "number" } },
      paramStructure: "either",
      "x-private": false,
    });
    assert.deepEqual(join?.params, [
      { name: "first", required: true, schema: { type: "string" } },
      { name: "others", required: false, schema: { type: "string" }, "x-rest": true },
    ]);
    // `.optional()` in the schema makes the param optional, whatever the handler says.
    assert.deepEqual(greet?.params.map((param) => param.required), [true, false]);
    assert.deepEqual(total?.params, [{ name: "numbers", required: false, schema: { type: "number" }, "x-rest": true }]);
    // No Standard JSON Schema: `{}`, and the handler's parameter list decides what is required.
    assert.deepEqual(hand?.params, [
      { name: "a", required: true, schema: {} },
      { name: "b", required: true, schema: {} },
    ]);
    // A transform cannot be written as JSON Schema: `{}`.
    assert.deepEqual(when?.result, { name: "result", schema: {} });
  });

  test("draft-07 schemas are asked for first, then draft 2020-12; definitions follow the parts they serve", async () => {
    const asked: string[] = [];
    const schema = (written: Record<string, unknown>) => {
      const converter = (side: string) => (options: { target: string }) => {
        asked.push(`${side}:${options.target}`);
        if (options.target !== "draft-2020-12") throw new Error("unsupported target");
        return written;
      };
      return {
        "~standard": {
          version: 1 as const,
          vendor: "test",
          validate: (value: unknown) => ({ value: value as unknown[] }),
          jsonSchema: { input: converter("input"), output: converter("output") },
        },
      };
    };
    const list = schema({ $schema: "x", prefixItems: [{ $ref: "#/$defs/Point" }], items: false, minItems: 1, $defs: { Point: { type: "object" } } });
    const result = schema({ $schema: "x", type: "boolean" });
    const custom = new Service({ name: "c" }).use(schemas()).publicMethod("f", (point: unknown) => point !== undefined, { input: list, output: result });
    // The params' schema is what callers send (the input side), the result's what they receive (the output side).
    assert.deepEqual(asked.filter((entry) => entry.startsWith("input")), ["input:draft-07", "input:draft-2020-12"]);
    assert.deepEqual(asked.filter((entry) => entry.startsWith("output")), ["output:draft-07", "output:draft-2020-12"]);
    const [method] = (resultOf(await rpc(custom, "rpc.discover")) as OpenRpcDocument).methods;
    assert.deepEqual(method?.params, [{ name: "point", required: true, schema: { $defs: { Point: { type: "object" } }, $ref: "#/$defs/Point" } }]);
    assert.deepEqual(method.result.schema, { type: "boolean" });
  });
});

describe("the call context's service", () => {
  test("ctx.service is the service; ctx.call calls its other methods in process, with the same headers", async () => {
    const service = new Service({ name: "calls", apiTokenIsValid: (token) => token === "t" }).use(schemas())
      .publicMethod("add", (a, b) => a + b, { input: z.tuple([z.number(), z.number()]) })
      .privateMethod("secret", () => 42)
      .publicMethod("double_sum", async (a: number, b: number, ctx: CallContext) => 2 * (await ctx.call("add", [a, b]) as number), { context: true })
      .publicMethod("named", (ctx: CallContext) => ctx.call("add", { b: 2, a: 1 }), { context: true })
      .publicMethod("whoami", (ctx: CallContext) => ctx.service.name, { context: true })
      .publicMethod("peek", (ctx: CallContext) => ctx.call("secret"), { context: true })
      .publicMethod("wrong", (ctx: CallContext) => ctx.call("add", ["x", 1]), { context: true })
      .publicMethod("caught", async (ctx: CallContext) => {
        try {
          await ctx.call("nope");
          return "no error";
        } catch (error) {
          return error instanceof RpcError ? error.code : "other";
        }
      }, { context: true })
      .publicMethod("batch", (ctx: CallContext) => ctx.service.handle([{ jsonrpc: "2.0", method: "add", params: [1, 1], id: 9 }]), { context: true });

    assert.equal(resultOf(await rpc(service, "double_sum", [1, 2])), 6);
    assert.equal(resultOf(await rpc(service, "named")), 3);
    assert.equal(resultOf(await rpc(service, "whoami")), "calls");
    // The inner call is checked like any other: without the caller's token, the private method refuses.
    assert.equal(errorOf(await rpc(service, "peek")).code, ErrorCode.AccessDenied);
    assert.equal(resultOf(await rpc(service, "peek", undefined, { "x-api-token": "t" })), 42);
    // An error of the inner call is thrown as an RpcError; unhandled, it reaches the caller as it is.
    assert.equal(errorOf(await rpc(service, "wrong")).code, ErrorCode.InvalidParams);
    assert.equal(resultOf(await rpc(service, "caught")), ErrorCode.MethodNotFound);
    assert.deepEqual(resultOf(await rpc(service, "batch")), [{ jsonrpc: "2.0", result: 2, id: 9 }]);
  });
});

describe("object schemas as named params", () => {
  const person = z.object({ name: z.string(), age: z.number().int(), nick: z.string().optional() });
  const service = new Service({ name: "people" }).use(schemas())
    .publicMethod("describe", ({ name, age, nick }) => `${nick ?? name} is ${age}`, { input: person, output: z.string() })
    .publicMethod("greet", (input, ctx) => `${input.greeting ?? "hi"} ${input.name} (${ctx.method})`, {
      input: z.object({ name: z.string(), greeting: z.string().optional() }),
      context: true,
    })
    .publicMethod("move", ({ point }) => point.x + point.y, { input: z.object({ point: z.object({ x: z.number(), y: z.number() }) }) })
    .publicMethod("strict", ({ name }) => name, { input: z.strictObject({ name: z.string() }) });
  const remote = createClient<typeof service>("http://localhost/api", { fetch: (url, init) => service.fetch(new Request(url, init)) });

  test("named params are the object the schema checks; positional ones follow the schema's key order", async () => {
    for (const params of [{ name: "ann", age: 30 }, ["ann", 30], [{ name: "ann", age: 30 }], { age: 30, name: "ann", nick: "annie" }]) {
      const expected = Array.isArray(params) ? "ann is 30" : params.nick === undefined ? "ann is 30" : "annie is 30";
      assert.equal(resultOf(await rpc(service, "describe", params)), expected);
    }
  });

  test("a list of one object whose keys are not the schema's is the first param, by key order", async () => {
    assert.equal(resultOf(await rpc(service, "move", [{ x: 1, y: 2 }])), 3);
    assert.equal(resultOf(await rpc(service, "move", { point: { x: 1, y: 2 } })), 3);
  });

  test("when the first key cannot hold an object, a list of one object is the params object, extra keys and all", async () => {
    // What the typed client sends for an object with a property its type does not name (passed as a variable).
    const withExtra = { name: "ann", age: 30, extra: true };
    assert.equal(resultOf(await rpc(service, "describe", [withExtra])), "ann is 30");
    assert.equal(await remote.methods.describe(withExtra), "ann is 30");
  });

  test("issues name the keys; too many positional params are refused before the schema runs", async () => {
    assert.deepEqual(issuesOf(await rpc(service, "describe", { name: "ann", age: 1.5 })).issues, [
      { path: "age", message: "Invalid input: expected int, received number" },
    ]);
    assert.deepEqual(issuesOf(await rpc(service, "describe", { name: "ann" })).issues, [
      { path: "age", message: "Invalid input: expected number, received undefined" },
    ]);
    assert.equal(errorOf(await rpc(service, "describe", ["ann", 30, "annie", 4])).message, "Invalid params: expected at most 3 params, got 4");
    // Unknown names: the schema decides (z.object drops them, z.strictObject refuses them).
    assert.equal(resultOf(await rpc(service, "describe", { name: "ann", age: 3, extra: 1 })), "ann is 3");
    assert.equal(errorOf(await rpc(service, "strict", { name: "ann", extra: 1 })).code, ErrorCode.InvalidParams);
  });

  test("the context comes right after the object", async () => {
    assert.equal(resultOf(await rpc(service, "greet", { name: "ann" })), "hi ann (greet)");
    assert.equal(resultOf(await rpc(service, "greet", ["ann"])), "hi ann (greet)");
  });

  test("the typed client takes the object and the service answers it", async () => {
    assert.equal(await remote.methods.describe({ name: "ann", age: 30 }), "ann is 30");
    assert.equal(await remote.methods.greet({ name: "bob" }), "hi bob (greet)");
    assert.equal(await remote.call("describe", { name: "ann", age: 30, nick: "annie" }), "annie is 30");
  });

  test("rpc.discover lists the keys as params, with their schemas and which are required", async () => {
    const document = resultOf(await rpc(service, "rpc.discover")) as OpenRpcDocument;
    const describeMethod = document.methods.find((method) => method.name === "describe");
    assert.ok(describeMethod);
    assert.deepEqual(describeMethod.params, [
      { name: "name", required: true, schema: { type: "string" } },
      { name: "age", required: true, schema: { type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 } },
      { name: "nick", required: false, schema: { type: "string" } },
    ]);
    assert.equal(describeMethod.paramStructure, "either");
    assert.deepEqual(describeMethod.result, { name: "result", schema: { type: "string" } });
  });
});
