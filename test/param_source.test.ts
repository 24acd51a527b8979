// Parameters read from source text as the runtimes print it (Function.prototype.toString), including
// shapes TypeScript never emits but other compilers and runtimes do.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { writtenParams } from "../src/core/param_source.ts";
import { Service } from "../mod.ts";

/** The names, with "=" after a defaulted one and "..." before a rest one. */
function shape(source: string): string[] {
  return writtenParams(source).map((param) => `${param.rest ? "..." : ""}${param.name ?? "?"}${param.defaulted ? "=" : ""}`);
}

describe("reading parameters from source text", () => {
  const cases: [string, string, string[]][] = [
    ["an arrow without parentheses", "name => name", ["name"]],
    ["an async arrow without parentheses", "async name => name", ["name"]],
    ["a comment before a bare arrow parameter", "async /* a (comment) */ name => name", ["name"]],
    ["a function declaration", "function add(a, b) { return a + b; }", ["a", "b"]],
    ["an async generator method", "async *items(from, to) { yield from; }", ["from", "to"]],
    ["a method with a computed key (Bun prints decorated methods so)", '[Symbol.for("x(y, z)")](first, second) {}', ["first", "second"]],
    ["a trailing comma", "(a, b,) => a", ["a", "b"]],
    ["no parameters", "() => 1", []],
    ["comments holding commas, brackets and =>", "(a /* , ) => */, // b, (\n c) => a", ["a", "c"]],
    ["strings holding quotes, brackets and commas", String.raw`(a = "x\",)", b = 'y\')', c) => a`, ["a=", "b=", "c"]],
    ["a template literal in a default", "(a = `${1 + (2)}, )`, b) => a", ["a=", "b"]],
    ["defaults holding arrows and calls", "(f = (x, y) => x + y, g = h(1, [2, 3]), k) => f", ["f=", "g=", "k"]],
    ["a default compared, not assigned", "(a = b == c, d) => a", ["a=", "d"]],
    ["destructured parameters and a rest", "({ a, b }, [c = 1], ...more) => a", ["?", "?", "...more"]],
    ["a destructured rest", "(a, ...[b, c]) => a", ["a", "...?"]],
    ["a native function", "function () { [native code] }", []],
    ["non-ASCII names have no name (declare them with params)", "(café, naïve = 1, ok) => café", ["?", "?=", "ok"]],
    ["nor have the escapes esbuild (and so tsx) prints for them", String.raw`(caf\u00E9, na\u00EFve) => 1`, ["?", "?"]],
    ["nor an escaped bare arrow parameter", String.raw`async caf\u00E9 => 1`, ["?"]],
    ["nor a bare arrow parameter with a non-ASCII letter", "café => 1", ["?"]],
    ["block comments right after ( and before )", "(/* first */a, b /* last */) => a", ["a", "b"]],
    ["a comment touching both names", "(a/**/,/**/b) => a", ["a", "b"]],
    ["a line comment before )", "(a, b // the last\n) => a", ["a", "b"]],
    ["an empty string default", "(a = '', b) => a", ["a=", "b"]],
  ];
  for (const [name, source, expected] of cases) {
    test(name, () => {
      assert.deepEqual(shape(source), expected);
    });
  }
});

test("a non-ASCII parameter name is positional only, unless params declares it", async () => {
  const service = new Service({ name: "s" })
    .publicMethod("greet", (prénom: string) => `bonjour ${prénom}`)
    .publicMethod("declared", (prénom: string) => `bonjour ${prénom}`, { params: ["prénom"] });
  assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "greet", params: ["Zoé"], id: 1 }), { jsonrpc: "2.0", result: "bonjour Zoé", id: 1 });
  assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "greet", params: { prénom: "Zoé" }, id: 2 }), {
    jsonrpc: "2.0",
    error: { code: -32602, message: "Invalid params: this method takes positional params (an array) only" },
    id: 2,
  });
  assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "declared", params: { prénom: "Zoé" }, id: 3 }), { jsonrpc: "2.0", result: "bonjour Zoé", id: 3 });
});
