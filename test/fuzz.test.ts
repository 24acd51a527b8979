// A seeded fuzz test: generated and mutated bodies through service.fetch. Every answer must be a
// valid JSON-RPC response (or no body for notifications), never a thrown error, and the service
// must still answer a normal call afterwards. A failure prints the seed and case to reproduce it.
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
  .privateMethod("secret", (x: unknown) => x);

const METHODS = ["echo", "sum", "subtract", "fail", "crash", "ctx", "secret", "nope", "rpc.discover", "__proto__", "constructor", ""];
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

function randomBody(random: () => number): string {
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

describe("fuzz", () => {
  test(`${CASES} generated bodies (seed ${SEED}) all get valid answers`, async () => {
    const random = generator(SEED);
    for (let i = 0; i < CASES; i++) {
      const body = randomBody(random);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (random() < 0.2) headers["x-api-token"] = random() < 0.5 ? "t" : "wrong";
      const where = `case ${i} (FUZZ_SEED=${SEED}): ${body.slice(0, 200)}`;
      const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers, body }));
      const text = await response.text();
      if (response.status === 204) {
        assert.equal(text, "", where);
        continue;
      }
      assert.equal(response.status, 200, where);
      assert.equal(response.headers.get("content-type"), "application/json", where);
      const answer: unknown = JSON.parse(text);
      if (Array.isArray(answer)) {
        assert.ok(answer.length > 0, `empty array answered: ${where}`);
        for (const entry of answer) assert.equal(isValidResponse(entry), undefined, where);
      } else {
        assert.equal(isValidResponse(answer), undefined, where);
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
