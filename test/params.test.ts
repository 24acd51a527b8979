// Parameter names read from handlers or declared, and the mapping of positional and named params.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bindParams, MAX_ARGUMENTS, paramListFromFunction, paramListFromSpec } from "../src/core/params.ts";
import { createClient, ErrorCode, Service } from "../mod.ts";
import { call } from "./helpers.ts";

describe("reading parameter names from a handler", () => {
  const cases: [string, (...args: never[]) => unknown, string[], number, string | undefined][] = [
    ["an arrow function", (a: number, b: number) => a + b, ["a", "b"], 2, undefined],
    ["a lone arrow parameter", (name: string) => name, ["name"], 1, undefined],
    ["an async arrow", async (first: string) => Promise.resolve(first), ["first"], 1, undefined],
    ["no parameters", () => 1, [], 0, undefined],
    ["a function expression", function named(x: number, y: number) {
      return x * y;
    }, ["x", "y"], 2, undefined],
    ["defaults with commas, brackets and strings", (a: number, b = [1, 2], c = "x,)y", d = { e: [1, 2] }, f = (x: number, y: number) => x + y) => [a, b, c, d, f], ["a", "b", "c", "d", "f"], 1, undefined],
    ["a rest parameter", (head: number, ...tail: number[]) => [head, tail], ["head"], 1, "tail"],
    ["only a rest parameter", (...values: unknown[]) => values, [], 0, "values"],
    ["comments in the list", (/* first */ a: number, // second
      b: number) => a + b, ["a", "b"], 2, undefined],
  ];
  for (const [name, handler, names, required, rest] of cases) {
    test(name, () => {
      const list = paramListFromFunction(handler);
      assert.deepEqual(list.names, names);
      assert.equal(list.required, required);
      assert.equal(list.rest, rest);
      assert.equal(list.named, true);
    });
  }

  test("a method shorthand of an object", () => {
    const object = {
      greet(this: void, greeting: string, name = "you") {
        return `${greeting} ${name}`;
      },
    };
    assert.deepEqual(paramListFromFunction(object.greet), { names: ["greeting", "name"], required: 1, rest: undefined, named: true });
  });

  test("a destructured parameter has no name, so named params are refused", () => {
    const list = paramListFromFunction(({ a }: { a: number }, [b]: number[]) => a + (b ?? 0));
    assert.deepEqual(list.names, [undefined, undefined]);
    assert.equal(list.named, false);
    assert.equal(bindParams(list, { a: 1 }), "this method takes positional params (an array) only");
  });
});

describe("declared parameter names", () => {
  test("required, optional and rest", () => {
    assert.deepEqual(paramListFromSpec(["a", "b?", "...c"]), { names: ["a", "b"], required: 1, rest: "c", named: true });
  });
  for (const [spec, message] of [
    [["a", "a"], /twice/],
    [["...a", "b"], /last/],
    [["a?", "b"], /follows an optional/],
    [[""], /Invalid parameter name/],
    [["has space"], /Invalid parameter name/],
  ] as const) {
    test(`refuses ${JSON.stringify(spec)}`, () => {
      assert.throws(() => paramListFromSpec(spec), message);
    });
  }
});

describe("binding params", () => {
  const list = paramListFromSpec(["minuend", "subtrahend", "note?"]);
  test("positional params pass as they are", () => {
    assert.deepEqual(bindParams(list, [1, 2]), [1, 2]);
  });
  test("named params map to their positions, missing optional ones as undefined", () => {
    assert.deepEqual(bindParams(list, { subtrahend: 2, minuend: 1 }), [1, 2, undefined]);
  });
  test("absent params are an empty positional list", () => {
    assert.deepEqual(bindParams(paramListFromSpec([]), undefined), []);
  });
  for (const [params, message] of [
    [[1], 'missing param "subtrahend"'],
    [[1, 2, 3, 4], "expected at most 3 params, got 4"],
    [{ minuend: 1 }, 'missing param "subtrahend"'],
    [{ minuend: 1, subtrahend: 2, extra: 3 }, 'unknown param "extra"'],
  ] as const) {
    test(`refuses ${JSON.stringify(params)}`, () => {
      assert.equal(bindParams(list, params), message);
    });
  }
  test("a __proto__ key in JSON is an unknown param, not a prototype", () => {
    assert.equal(bindParams(list, JSON.parse('{"minuend":1,"subtrahend":2,"__proto__":{"x":1}}')), 'unknown param "__proto__"');
  });
  test("a named rest param must be an array and is spread", () => {
    const rest = paramListFromSpec(["first", "...others"]);
    assert.deepEqual(bindParams(rest, { first: 1, others: [2, 3] }), [1, 2, 3]);
    assert.equal(bindParams(rest, { first: 1, others: 2 }), 'param "others" must be an array');
    assert.deepEqual(bindParams(rest, [1, 2, 3, 4]), [1, 2, 3, 4]);
  });
  test("a missing unnamed positional param is described by its position", () => {
    assert.equal(bindParams(paramListFromFunction(({ a }: { a: number }) => a), []), "missing param #1");
  });
});

describe("params through a service", () => {
  const service = new Service({ name: "s" })
    .publicMethod("say_hello", (name: string) => `hello ${name}`)
    .publicMethod("minified", (a: number, b: number) => a - b, { params: ["minuend", "subtrahend"] });

  test("say_hello answers positional and named params alike", async () => {
    for (const params of [["world"], { name: "world" }]) {
      assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "say_hello", params, id: 1 }), {
        jsonrpc: "2.0",
        result: "hello world",
        id: 1,
      });
    }
  });

  test("declared names win over the handler's own", async () => {
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "minified", params: { subtrahend: 2, minuend: 5 }, id: 1 }), {
      jsonrpc: "2.0",
      result: 3,
      id: 1,
    });
  });

  test(`a rest param takes ${MAX_ARGUMENTS} params, and more are -32602 on every runtime (not an engine's stack overflow)`, async () => {
    let reported = 0;
    const summing = new Service({ name: "s", onError: () => reported++ })
      .publicMethod("sum", (...numbers: number[]) => numbers.reduce((a, b) => a + b, 0))
      .publicMethod("count", (first: number, ...more: number[]) => first + more.length);
    const ones = (count: number): number[] => new Array<number>(count).fill(1);
    for (const [method, params] of [["sum", ones(MAX_ARGUMENTS)], ["sum", { numbers: ones(MAX_ARGUMENTS) }], ["count", { first: 0, more: ones(MAX_ARGUMENTS - 1) }]] as const) {
      assert.deepEqual(await call(summing, { jsonrpc: "2.0", method, params, id: 1 }), { jsonrpc: "2.0", result: MAX_ARGUMENTS - (method === "count" ? 1 : 0), id: 1 });
    }
    for (const [method, params, count] of [["sum", ones(MAX_ARGUMENTS + 1), MAX_ARGUMENTS + 1], ["sum", { numbers: ones(200_000) }, 200_000], ["count", { first: 0, more: ones(MAX_ARGUMENTS) }, MAX_ARGUMENTS + 1]] as const) {
      assert.deepEqual(await call(summing, { jsonrpc: "2.0", method, params, id: 1 }), {
        jsonrpc: "2.0",
        error: { code: ErrorCode.InvalidParams, message: `Invalid params: a call takes at most ${MAX_ARGUMENTS} params, got ${count}` },
        id: 1,
      });
    }
    assert.equal(reported, 0, "refused params are the caller's error, not an unexpected one");
  });

  for (const params of [[], ["a", "b"], {}, { nom: "x" }, { name: "x", extra: 1 }]) {
    test(`say_hello with ${JSON.stringify(params)} is -32602 Invalid params`, async () => {
      const answer = await call(service, { jsonrpc: "2.0", method: "say_hello", params, id: 1 }) as {
        error: { code: number; message: string };
      };
      assert.equal(answer.error.code, ErrorCode.InvalidParams);
      assert.match(answer.error.message, /^Invalid params: /);
    });
  }
});

describe("optional params: the typed client and the service agree", () => {
  // TypeScript erases `?`: the service sees `(name, greeting)`. test/types/params.ts checks the
  // client side of the same rule: optional only where `params` says so.
  const service = new Service({ name: "s" })
    .publicMethod("declared", (name: string, greeting?: string) => `${greeting ?? "hi"} ${name}`, { params: ["name", "greeting?"] })
    .publicMethod("undeclared", (name: string, greeting?: string) => `${greeting ?? "hi"} ${name}`);
  const remote = createClient<typeof service>("http://localhost/api", { fetch: (url, init) => service.fetch(new Request(url, init)) });

  for (const params of [["ann"], { name: "ann" }]) {
    test(`a param declared "greeting?" may be left out: ${JSON.stringify(params)}`, async () => {
      assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "declared", params, id: 1 }), { jsonrpc: "2.0", result: "hi ann", id: 1 });
    });
    test(`a param TypeScript alone marks optional is required, as the typed client says: ${JSON.stringify(params)}`, async () => {
      assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "undeclared", params, id: 1 }), {
        jsonrpc: "2.0",
        error: { code: ErrorCode.InvalidParams, message: 'Invalid params: missing param "greeting"' },
        id: 1,
      });
    });
  }

  test("the typed client calls a declared optional param with and without it", async () => {
    assert.equal(await remote.methods.declared("ann"), "hi ann");
    assert.equal(await remote.methods.declared("ann", "hello"), "hello ann");
    assert.equal(await remote.methods.undeclared("ann", "hello"), "hello ann");
  });
});
