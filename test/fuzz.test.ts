// A seeded fuzz test: generated and mutated bodies (and header sets) through service.fetch. Every
// answer must be what an oracle, written from the specification and the README's rules, says it
// is: the status, which entries are answered and in what order, their ids, their error codes (and
// the messages that are fixed), their results. Never a thrown error, and the service still
// answers a normal call afterwards. A failure prints the seed and case to reproduce it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallContext, RpcError, Service } from "../mod.ts";

const SEED = Number(process.env["FUZZ_SEED"] ?? 20261121);
const CASES = Number(process.env["FUZZ_CASES"] ?? 10_000);

/** mulberry32: a small seeded generator, so a failing case reproduces from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const service = new Service({ name: "fuzz", apiTokenIsValid: (token) => token === "t", limits: { maxParamsDepth: 16 } })
  .publicMethod("echo", (value: unknown) => value)
  .publicMethod("sum", (...numbers: number[]) => numbers.reduce((a, b) => a + b, 0))
  .publicMethod("subtract", (minuend: number, subtrahend: number) => minuend - subtrahend)
  .publicMethod("fail", (code: number) => {
    throw new RpcError(Number.isInteger(code) ? code : 1, "failed on purpose");
  })
  .publicMethod("crash", () => {
    throw new Error("unexpected");
  })
  .publicMethod("ctx", (ctx: CallContext) => ctx.isNotification, { context: true })
  .publicMethod("unserialisable", (kind: string) => unserialisable(kind))
  .privateMethod("secret", (x: unknown) => x);

/** Results JSON cannot carry (or carries only changed): what `unserialisable(kind)` returns. */
const CIRCULAR: Record<string, unknown> = {};
CIRCULAR["self"] = CIRCULAR;
const UNSERIALISABLE = new Map<string, () => unknown>([
  ["function", () => () => 1],
  ["symbol", () => Symbol("s")],
  ["toJSON undefined", () => ({ toJSON: () => undefined })],
  ["bigint", () => 10n],
  ["circular", () => CIRCULAR],
  ["nested bigint", () => ({ list: [1, 2n] })],
  ["NaN", () => NaN],
  ["Infinity", () => -Infinity],
  ["invalid Date", () => new Date(Number.NaN)],
  ["undefined member", () => ({ a: undefined, b: 1 })],
  ["undefined in an array", () => [undefined, () => 1]],
  ["undefined", () => undefined],
]);
const UNSERIALISABLE_KINDS = [...UNSERIALISABLE.keys(), "unknown kind", "__proto__"];

function unserialisable(kind: string): unknown {
  const make = UNSERIALISABLE.get(kind);
  return make === undefined ? `no ${kind}` : make();
}

const METHODS = ["echo", "sum", "subtract", "fail", "crash", "ctx", "secret", "unserialisable", "nope", "rpc.discover", "__proto__", "constructor", ""];
const ODD_STRINGS = ["", "\u0000", "\ud800", "\udfff", "\ud83d\ude00", "\u202e", "é", "\uffff", "a".repeat(1000), "\\", '"', "\n"];

function randomScalar(random: () => number): unknown {
  switch (Math.floor(random() * 9)) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return Math.floor(random() * 2000) - 1000;
    case 3: return (random() - 0.5) * 1e308;
    case 4: return [0, -0, 1e-320, 2 ** 53 + 1, Number.MAX_VALUE, 0.1][Math.floor(random() * 6)];
    case 5: return ODD_STRINGS[Math.floor(random() * ODD_STRINGS.length)];
    case 6: return String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 0xffff)));
    case 7: return "2.0";
    default: return METHODS[Math.floor(random() * METHODS.length)];
  }
}

function randomValue(random: () => number, depth: number): unknown {
  if (depth <= 0 || random() < 0.5) return randomScalar(random);
  if (random() < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    const key = random() < 0.3 ? ["__proto__", "constructor", "id", "method", "params", "jsonrpc"][Math.floor(random() * 6)]! : String(randomScalar(random));
    object[key] = randomValue(random, depth - 1);
  }
  return object;
}

/** A request that is valid or close to valid, with members replaced by wrong types at random. */
function randomRequest(random: () => number): Record<string, unknown> {
  const request: Record<string, unknown> = { jsonrpc: "2.0", method: METHODS[Math.floor(random() * METHODS.length)] };
  if (random() < 0.8) request["params"] = random() < 0.5 ? [randomValue(random, 3), randomValue(random, 3)] : { value: randomValue(random, 3), minuend: 3, subtrahend: randomScalar(random) };
  if (random() < 0.8) request["id"] = random() < 0.7 ? Math.floor(random() * 100) : randomScalar(random);
  if (random() < 0.3) {
    const member = ["jsonrpc", "method", "params", "id"][Math.floor(random() * 4)]!;
    if (random() < 0.2) Reflect.deleteProperty(request, member);
    else request[member] = randomValue(random, 2);
  }
  return request;
}

const zeros = (count: number): number[] => new Array<number>(count).fill(0);

/** The shapes added for issue 20: huge arrays, named and positional; results JSON cannot carry; oversized batches and bodies. */
function newShape(random: () => number): string {
  const id = Math.floor(random() * 100);
  const big = 1_000 + Math.floor(random() * 99_000); // on both sides of the 65,536-params limit
  switch (Math.floor(random() * 8)) {
    case 0: return JSON.stringify({ jsonrpc: "2.0", method: "sum", params: { numbers: zeros(big) }, id });
    case 1: return JSON.stringify({ jsonrpc: "2.0", method: "sum", params: zeros(big), id });
    case 2: return JSON.stringify({ jsonrpc: "2.0", method: "echo", params: { value: zeros(big * 2) }, id });
    case 3: return JSON.stringify({ jsonrpc: "2.0", method: random() < 0.5 ? "echo" : "subtract", params: zeros(big * 2), id }); // too many
    case 4: {
      const kind = UNSERIALISABLE_KINDS[Math.floor(random() * UNSERIALISABLE_KINDS.length)];
      return JSON.stringify({ jsonrpc: "2.0", method: "unserialisable", params: random() < 0.5 ? [kind] : { kind }, ...(random() < 0.9 ? { id } : {}) });
    }
    case 5: { // a batch of them, with calls that work around them
      return JSON.stringify(Array.from({ length: 1 + Math.floor(random() * 5) }, (_, index) =>
        random() < 0.5
          ? { jsonrpc: "2.0", method: "unserialisable", params: [UNSERIALISABLE_KINDS[Math.floor(random() * UNSERIALISABLE_KINDS.length)]], id: index }
          : { jsonrpc: "2.0", method: "echo", params: [index], id: `e${String(index)}` }));
    }
    case 6: // a batch at or over the length limit (100)
      return JSON.stringify(Array.from({ length: 99 + Math.floor(random() * 3) }, (_, index) => ({ jsonrpc: "2.0", method: "echo", params: [index], ...(index % 7 === 0 ? {} : { id: index }) })));
    default: // at or over the body limit (1 MiB)
      return JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["x".repeat(1024 * 1024 - 60 + Math.floor(random() * 40))], id });
  }
}

function randomBody(random: () => number): string {
  if (random() < 0.012) return newShape(random);
  const kind = Math.floor(random() * 8);
  switch (kind) {
    case 0: return JSON.stringify(randomValue(random, 4));
    case 1: return JSON.stringify(randomRequest(random));
    case 2: return JSON.stringify(Array.from({ length: Math.floor(random() * 6) }, () => randomRequest(random)));
    case 3: { // truncated
      const text = JSON.stringify(random() < 0.5 ? randomRequest(random) : [randomRequest(random), randomRequest(random)]);
      return text.slice(0, Math.floor(random() * text.length));
    }
    case 4: { // a byte flipped
      const text = JSON.stringify(randomRequest(random));
      const at = Math.floor(random() * text.length);
      return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(at + 1);
    }
    case 5: { // deep nesting
      const depth = Math.floor(random() * 3000);
      return `{"jsonrpc":"2.0","method":"echo","params":[${"[".repeat(depth)}${"]".repeat(depth)}],"id":1}`;
    }
    case 6: // huge numbers and odd literals
      return ['{"jsonrpc":"2.0","method":"sum","params":[1e999,-1e999],"id":1e400}', '{"jsonrpc":"2.0","method":"echo","params":[NaN],"id":1}',
        '{"jsonrpc":"2.0","method":"echo","params":["\\ud800"],"id":"\\udfff"}', '\ufeff{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}',
        '{"jsonrpc":"2.0","method":"echo","params":[1],"id":1,"id":2}', ' \n\t', "[[]]", "[{}]", '"just a string"', "123456789012345678901234567890"][Math.floor(random() * 10)]!;
    default: return JSON.stringify(randomRequest(random)).replace(/"2\.0"/, random() < 0.5 ? '"2.0 "' : "2");
  }
}

function isValidResponse(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const response = value as Record<string, unknown>;
  if (response["jsonrpc"] !== "2.0") return "jsonrpc is not 2.0";
  if (!Object.hasOwn(response, "id")) return "no id";
  const id = response["id"];
  if (!(id === null || typeof id === "string" || typeof id === "number")) return "illegal id";
  const hasResult = Object.hasOwn(response, "result");
  const hasError = Object.hasOwn(response, "error");
  if (hasResult === hasError) return "not exactly one of result and error";
  if (hasError) {
    const error = response["error"] as Record<string, unknown>;
    if (!Number.isInteger(error["code"]) || typeof error["message"] !== "string") return "bad error object";
    if (JSON.stringify(error).includes("at ") && /\.ts:\d+/.test(JSON.stringify(error))) return "a stack leaked";
  }
  return undefined;
}

/** Header sets, each with what it should get: a content type the endpoint takes (else 415), and a token that grants access. */
const CONTENT_TYPES: readonly (readonly [readonly (readonly [string, string])[], boolean])[] = [
  [[["content-type", "application/json"]], true],
  [[["content-type", "application/json; charset=utf-8"]], true],
  [[["content-type", "application/json;charset=UTF-8"]], true],
  [[["content-type", "application/vnd.api+json"]], true],
  [[], true],
  [[["content-type", "application/json; charset=utf-16"]], false],
  [[["content-type", "text/plain"]], false],
  [[["content-type", "application/json"], ["content-type", "application/json"]], false], // repeated: ambiguous
  [[["content-type", "application/json"], ["content-type", "text/plain"]], false],
];
const TOKENS: readonly (readonly [readonly (readonly [string, string])[], boolean])[] = [
  [[], false],
  [[["x-api-token", "t"]], true],
  [[["x-api-token", "wrong"]], false],
  [[["authorization", "Bearer t"]], true],
  [[["x-api-token", "t"], ["x-api-token", "t"]], false], // repeated credentials are refused
  [[["authorization", "Bearer t"], ["authorization", "Bearer t"]], false],
  [[["x-api-token", "wrong"], ["authorization", "Bearer t"]], false], // X-Api-Token is read first
];

/** What a method does with its arguments (the handlers above, as the oracle runs them). */
interface Model {
  readonly names: readonly string[];
  readonly required: number;
  readonly rest?: string;
  readonly isPrivate?: boolean;
  readonly run: (args: unknown[]) => unknown;
}

const MODELS = new Map<string, Model>([
  ["echo", { names: ["value"], required: 1, run: (args) => args[0] }],
  ["sum", { names: [], required: 0, rest: "numbers", run: (args) => args.reduce((a: unknown, b: unknown) => (a as number) + (b as number), 0) }],
  ["subtract", { names: ["minuend", "subtrahend"], required: 2, run: (args) => (args[0] as number) - (args[1] as number) }],
  ["fail", {
    names: ["code"],
    required: 1,
    run: (args) => {
      throw new RpcError(Number.isInteger(args[0]) ? (args[0] as number) : 1, "failed on purpose");
    },
  }],
  ["crash", {
    names: [],
    required: 0,
    run: () => {
      throw new Error("unexpected");
    },
  }],
  ["ctx", { names: [], required: 0, run: () => false }],
  ["unserialisable", { names: ["kind"], required: 1, run: (args) => unserialisable(args[0] as string) }],
  ["secret", { names: ["x"], required: 1, isPrivate: true, run: (args) => args[0] }],
  ["rpc.discover", { names: [], required: 0, run: () => DISCOVERED }],
]);
const DISCOVERED = Symbol("the rpc.discover document");

/** An entry's expected answer: its id, and its result or error (`message` only where it is fixed). */
type Expected = { id: unknown; result: unknown } | { id: unknown; code: number; message?: string };

function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return 1 + deepest;
}

const isId = (value: unknown): boolean => value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));

/** The spec's rules for one entry: `undefined` when nothing is answered (a valid notification). */
function expectedEntry(entry: unknown, granted: boolean): Expected | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return { id: null, code: -32600 };
  const request = entry as Record<string, unknown>;
  const hasId = Object.hasOwn(request, "id");
  if (hasId && !isId(request["id"])) return { id: null, code: -32600 };
  const id = hasId ? request["id"] : null;
  const params = request["params"];
  if (request["jsonrpc"] !== "2.0" || typeof request["method"] !== "string" || (params !== undefined && (typeof params !== "object" || params === null))) {
    return { id, code: -32600 };
  }
  if (depthOf(params) > 16) return { id, code: -32600 }; // answered even without an id: the request is invalid
  const answer = outcome(request["method"], params, granted);
  return hasId ? { id, ...answer } : undefined;
}

function outcome(method: string, params: unknown, granted: boolean): { result: unknown } | { code: number; message?: string } {
  const model = MODELS.get(method);
  if (model === undefined) return { code: -32601 };
  if (model.isPrivate === true && !granted) return { code: -32001, message: "Access denied: a valid API token is required" };
  const args = bound(model, params);
  if (args === undefined) return { code: -32602 };
  let result: unknown;
  try {
    result = model.run(args);
  } catch (error) {
    if (error instanceof RpcError) return { code: error.code, message: error.message };
    return { code: -32603, message: "Internal error" };
  }
  if (result === DISCOVERED) return { result: DISCOVERED };
  // What JSON can carry goes as JSON carries it (NaN is null); what it cannot is an internal error.
  let text: string | undefined;
  try {
    text = stringify(result === undefined ? null : result);
  } catch {
    return { code: -32603, message: "Internal error" };
  }
  return text === undefined ? { code: -32603, message: "Internal error" } : { result: JSON.parse(text) as unknown };
}

/** JSON.stringify as it is: `undefined` for a function, a symbol, or a `toJSON` that gives nothing. */
const stringify = JSON.stringify as (value: unknown) => string | undefined;

/** The README's binding rules: a count within the names (or any, with a rest), every required name, no unknown name. */
/** The README's rule: a call takes at most 65,536 params (rest ones included). */
const MOST_ARGUMENTS = 65_536;

function bound(model: Model, params: unknown): unknown[] | undefined {
  const args = boundAll(model, params);
  return args !== undefined && args.length > MOST_ARGUMENTS ? undefined : args;
}

function boundAll(model: Model, params: unknown): unknown[] | undefined {
  if (params === undefined) return model.required === 0 ? [] : undefined;
  if (Array.isArray(params)) {
    if (params.length < model.required || (model.rest === undefined && params.length > model.names.length)) return undefined;
    return params as unknown[];
  }
  const named = params as Record<string, unknown>;
  const args: unknown[] = [];
  for (const [index, name] of model.names.entries()) {
    if (Object.hasOwn(named, name)) args.push(named[name]);
    else if (index < model.required) return undefined;
    else args.push(undefined);
  }
  if (Object.keys(named).some((key) => !model.names.includes(key) && key !== model.rest)) return undefined;
  if (model.rest !== undefined && Object.hasOwn(named, model.rest)) {
    const rest = named[model.rest];
    return Array.isArray(rest) ? args.concat(rest) : undefined;
  }
  return args;
}

/** The whole expected answer: the status, and the body as entries (one object, or a batch's list). */
function expectedAnswer(body: string, contentTypeOk: boolean, granted: boolean): { status: number; body?: Expected | Expected[] } {
  // What the server receives: the body as UTF-8 (a lone surrogate becomes U+FFFD), a byte order mark dropped.
  const bytes = new TextEncoder().encode(body);
  if (!contentTypeOk) return { status: 415, body: { id: null, code: -32600 } };
  if (bytes.length > 1024 * 1024) return { status: 413, body: { id: null, code: -32600 } };
  const text = new TextDecoder().decode(bytes).replace(/^\ufeff/, "");
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { status: 200, body: { id: null, code: -32700 } };
  }
  if (!Array.isArray(message)) {
    const one = expectedEntry(message, granted);
    return one === undefined ? { status: 204 } : { status: 200, body: one };
  }
  if (message.length === 0 || message.length > 100) return { status: 200, body: { id: null, code: -32600 } };
  const answered = message.map((entry) => expectedEntry(entry, granted)).filter((entry) => entry !== undefined);
  return answered.length === 0 ? { status: 204 } : { status: 200, body: answered };
}

/** An answer in the oracle's terms (a message kept only where the oracle fixes one). */
function asExpected(response: Record<string, unknown>, like: Expected | undefined): Expected {
  const id = response["id"];
  if (Object.hasOwn(response, "result")) {
    const result = response["result"] as { openrpc?: unknown } | null;
    return { id, result: like !== undefined && "result" in like && like.result === DISCOVERED && result?.openrpc === "1.3.2" ? DISCOVERED : result };
  }
  const error = response["error"] as { code: number; message: string };
  return like !== undefined && "message" in like ? { id, code: error.code, message: error.message } : { id, code: error.code };
}

describe("fuzz", () => {
  test(`${CASES} generated bodies (seed ${SEED}) all get the answers the oracle expects`, async () => {
    const random = generator(SEED);
    for (let i = 0; i < CASES; i++) {
      const body = randomBody(random);
      const [typeHeaders, contentTypeOk] = random() < 0.1 ? CONTENT_TYPES[Math.floor(random() * CONTENT_TYPES.length)]! : CONTENT_TYPES[0]!;
      const [tokenHeaders, granted] = random() < 0.3 ? TOKENS[Math.floor(random() * TOKENS.length)]! : TOKENS[0]!;
      const headers = new Headers();
      for (const [name, value] of [...typeHeaders, ...tokenHeaders]) headers.append(name, value);
      const where = `case ${i} (FUZZ_SEED=${SEED}), headers ${JSON.stringify([...typeHeaders, ...tokenHeaders])}: ${body.slice(0, 200)}`;
      // Bytes, not a string: a string body would get a Content-Type of text/plain from Request itself.
      const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers, body: new TextEncoder().encode(body) }));
      const text = await response.text();
      const expected = expectedAnswer(body, contentTypeOk, granted);
      assert.equal(response.status, expected.status, `${where}\n${text.slice(0, 300)}`);
      if (expected.status === 204) {
        assert.equal(text, "", where);
        continue;
      }
      assert.equal(response.headers.get("content-type"), "application/json", where);
      const answer: unknown = JSON.parse(text);
      if (Array.isArray(answer)) {
        const entries = expected.body as Expected[];
        assert.ok(Array.isArray(entries), `a batch answered, one answer expected: ${where}`);
        assert.equal(answer.length, entries.length, `batch entry count: ${where}`);
        for (const entry of answer) assert.equal(isValidResponse(entry), undefined, where);
        assert.deepEqual(answer.map((entry, index) => asExpected(entry as Record<string, unknown>, entries[index])), entries, where);
      } else {
        assert.ok(!Array.isArray(expected.body), `one answer, a batch expected: ${where}`);
        assert.equal(isValidResponse(answer), undefined, where);
        assert.deepEqual(asExpected(answer as Record<string, unknown>, expected.body), expected.body, where);
      }
      assert.doesNotMatch(text, /unexpected/, `an internal message leaked: ${where}`);
    }
    const after = await service.fetch(new Request("http://localhost/api", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}',
    }));
    assert.deepEqual(await after.json(), { jsonrpc: "2.0", result: 19, id: 1 });
  });
});
