// The examples, unchanged, on Node.js (tsx), Deno (`deno run -A`) and Bun (`bun`): every case of
// the JSON-RPC 2.0 specification's examples section against the calculator, the hello world
// service's private methods and HTTP rules, and the fetch-handler example. Every case goes to all
// three runtimes, which must also give the same answers as each other.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ErrorCode } from "../../mod.ts";
import { groupIsAlive, RUNTIMES, type RuntimeName, stopAll } from "./processes.ts";
import { type Answer, type ChildServer, request, rpc, startExample } from "./servers.ts";

type Servers = Map<RuntimeName, ChildServer>;

const calculators: Servers = new Map();
const helloWorlds: Servers = new Map();
const fetchHandlers: Servers = new Map();
const started: ChildServer[] = [];

before(async () => {
  const starts: Promise<void>[] = [];
  for (const runtime of RUNTIMES) {
    for (const [script, servers] of [
      ["examples/calculator.ts", calculators],
      ["examples/hello_world.ts", helloWorlds],
      ["examples/fetch_handler.ts", fetchHandlers],
    ] as const) {
      starts.push(startExample(runtime, script).then((server) => {
        started.push(server);
        servers.set(runtime, server);
      }));
    }
  }
  // Every start is awaited, so a failed one cannot leave the others unrecorded.
  const failures = (await Promise.allSettled(starts)).filter((result) => result.status === "rejected");
  if (failures.length > 0) throw (failures[0] as PromiseRejectedResult).reason;
});

after(async () => {
  await stopAll();
  for (const server of started) assert.equal(groupIsAlive(server.process.pid), false, `${server.process.name} is still running`);
});

/** Sends the same request to the server of every runtime; asserts they all answer alike. */
async function everywhere(servers: Servers, send: (server: ChildServer) => Promise<Answer>): Promise<Answer[]> {
  const answers = await Promise.all(RUNTIMES.map((runtime) => send(servers.get(runtime)!)));
  const [first, ...others] = answers;
  others.forEach((answer, i) => {
    const runtime = RUNTIMES[i + 1]!;
    assert.equal(answer.status, first!.status, `${runtime}'s status differs from node's`);
    assert.deepEqual(answer.json, first!.json, `${runtime}'s answer differs from node's`);
    if (answer.json === undefined) assert.equal(answer.text, first!.text, `${runtime}'s body differs from node's`);
    assert.equal(answer.headers.get("content-type")?.toLowerCase(), first!.headers.get("content-type")?.toLowerCase(), `${runtime}'s content type differs`);
  });
  return answers;
}

/** POSTs one JSON-RPC body to every runtime's server; checks a JSON answer or an empty 204. */
async function exchange(servers: Servers, body: string, headers: Record<string, string> = {}): Promise<unknown> {
  const answers = await everywhere(servers, (server) => rpc(server, body, headers));
  for (const [i, answer] of answers.entries()) {
    if (answer.json === undefined) {
      assert.equal(answer.status, 204, `${RUNTIMES[i]!}: an empty answer must be 204`);
      assert.equal(answer.text, "");
    } else {
      assert.equal(answer.status, 200, `${RUNTIMES[i]!}: status`);
      assert.match(answer.headers.get("content-type") ?? "", /^application\/json/);
    }
  }
  return answers[0]!.json;
}

/** Asserts a JSON-RPC error response: the code, the id, a message, and no `result`. */
function assertError(value: unknown, code: number, id: unknown): void {
  const response = value as { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown }; id?: unknown };
  assert.equal(response.jsonrpc, "2.0");
  assert.equal(response.error?.code, code, `error code in ${JSON.stringify(value)}`);
  assert.equal(typeof response.error.message, "string");
  assert.ok(!Object.hasOwn(response, "result"), "an error response has no result");
  assert.deepEqual(response.id, id);
}

describe("examples/calculator.ts: the specification's examples", () => {
  test("its pure methods are declared idempotent, and rpc.discover says so", async () => {
    const answer = await exchange(calculators, '{"jsonrpc": "2.0", "method": "rpc.discover", "id": 0}') as {
      result: { methods: { name: string; "x-idempotent"?: boolean }[] };
    };
    const idempotent = answer.result.methods.filter((method) => method["x-idempotent"] === true).map((method) => method.name);
    assert.deepEqual(idempotent.sort(), ["divide", "get_data", "subtract", "sum"]);
  });

  test("rpc call with positional parameters", async () => {
    assert.deepEqual(
      await exchange(calculators, '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}'),
      { jsonrpc: "2.0", result: 19, id: 1 },
    );
    assert.deepEqual(
      await exchange(calculators, '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}'),
      { jsonrpc: "2.0", result: -19, id: 2 },
    );
  });

  test("rpc call with named parameters", async () => {
    assert.deepEqual(
      await exchange(calculators, '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}'),
      { jsonrpc: "2.0", result: 19, id: 3 },
    );
    assert.deepEqual(
      await exchange(calculators, '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}'),
      { jsonrpc: "2.0", result: 19, id: 4 },
    );
  });

  test("a notification gives no body (HTTP 204)", async () => {
    assert.equal(await exchange(calculators, '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}'), undefined);
    assert.equal(await exchange(calculators, '{"jsonrpc": "2.0", "method": "foobar"}'), undefined);
  });

  test("rpc call of non-existent method", async () => {
    assertError(await exchange(calculators, '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}'), -32601, "1");
  });

  test("rpc call with invalid JSON", async () => {
    assertError(await exchange(calculators, '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'), -32700, null);
  });

  test("rpc call with invalid Request object", async () => {
    assertError(await exchange(calculators, '{"jsonrpc": "2.0", "method": 1, "params": "bar"}'), -32600, null);
  });

  test("rpc call Batch, invalid JSON", async () => {
    const answer = await exchange(
      calculators,
      '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"}, {"jsonrpc": "2.0", "method"]',
    );
    assert.ok(!Array.isArray(answer), "one error, not an array");
    assertError(answer, -32700, null);
  });

  test("rpc call with an empty Array", async () => {
    const answer = await exchange(calculators, "[]");
    assert.ok(!Array.isArray(answer), "one error, not an array");
    assertError(answer, -32600, null);
  });

  test("rpc call with an invalid Batch (but not empty): [1]", async () => {
    const answer = await exchange(calculators, "[1]");
    assert.ok(Array.isArray(answer));
    assert.equal(answer.length, 1);
    assertError(answer[0], -32600, null);
  });

  test("rpc call with invalid Batch: [1,2,3]", async () => {
    const answer = await exchange(calculators, "[1,2,3]");
    assert.ok(Array.isArray(answer));
    assert.equal(answer.length, 3);
    for (const entry of answer) assertError(entry, -32600, null);
  });

  test("rpc call Batch: calls, a notification, an invalid entry and an unknown method", async () => {
    const answer = await exchange(calculators, `[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`);
    assert.ok(Array.isArray(answer));
    // The specification lets a batch's responses come in any order: find each by its id.
    assert.equal(answer.length, 5, "one response per entry but the notification");
    const byId = (id: unknown): unknown => answer.find((entry: { id?: unknown }) => entry.id === id);
    assert.deepEqual(byId("1"), { jsonrpc: "2.0", result: 7, id: "1" });
    assert.deepEqual(byId("2"), { jsonrpc: "2.0", result: 19, id: "2" });
    assertError(byId(null), -32600, null);
    assertError(byId("5"), -32601, "5");
    assert.deepEqual(byId("9"), { jsonrpc: "2.0", result: ["hello", 5], id: "9" });
  });

  test("rpc call Batch (all notifications) gives no body (HTTP 204)", async () => {
    const answer = await exchange(calculators, `[
      {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`);
    assert.equal(answer, undefined);
  });
});

describe("examples/hello_world.ts: public and private methods", () => {
  const call = (method: string): string => JSON.stringify({ jsonrpc: "2.0", method, params: ["world"], id: 7 });

  test("a public method needs no token", async () => {
    assert.deepEqual(await exchange(helloWorlds, call("say_hello")), { jsonrpc: "2.0", result: "hello world", id: 7 });
  });

  test("a private method without a token is refused, with the request's id", async () => {
    assertError(await exchange(helloWorlds, call("say_private_hello")), ErrorCode.AccessDenied, 7);
  });

  test("a private method with a wrong token is refused, and the token is not echoed", async () => {
    const answers = await everywhere(helloWorlds, (server) =>
      rpc(server, call("say_private_hello"), { "X-Api-Token": "not_the_token_0451" }));
    for (const answer of answers) {
      assertError(answer.json, ErrorCode.AccessDenied, 7);
      assert.ok(!answer.text.includes("not_the_token_0451"), "the token must not be echoed");
    }
  });

  test("a private method with the token in X-Api-Token", async () => {
    assert.deepEqual(
      await exchange(helloWorlds, call("say_private_hello"), { "X-Api-Token": "hello_world_token" }),
      { jsonrpc: "2.0", result: "this is secret: hello world", id: 7 },
    );
  });

  test("a private method with the token in Authorization: Bearer", async () => {
    assert.deepEqual(
      await exchange(helloWorlds, call("say_private_hello"), { Authorization: "Bearer hello_world_token" }),
      { jsonrpc: "2.0", result: "this is secret: hello world", id: 7 },
    );
  });
});

describe("examples/hello_world.ts: HTTP", () => {
  test("an unknown path is 404", async () => {
    const answers = await everywhere(helloWorlds, (server) =>
      request(`${server.base}/nope`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }));
    for (const answer of answers) assert.equal(answer.status, 404);
  });

  test("GET /api is 405 with Allow: POST", async () => {
    const answers = await everywhere(helloWorlds, (server) => request(`${server.base}/api`));
    for (const answer of answers) {
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.get("allow"), "POST");
    }
  });

  test("a text/plain body is 415", async () => {
    const answers = await everywhere(helloWorlds, (server) =>
      rpc(server, call(), { "content-type": "text/plain" }));
    for (const answer of answers) assert.equal(answer.status, 415);
  });

  test("JSON declared in a charset other than UTF-8 is 415, on every runtime", async () => {
    for (const contentType of ["application/json; charset=utf-16", "application/json; charset=iso-8859-1"]) {
      const answers = await everywhere(helloWorlds, (server) => rpc(server, call(), { "content-type": contentType }));
      for (const answer of answers) assert.equal(answer.status, 415, contentType);
    }
    const utf8 = await everywhere(helloWorlds, (server) => rpc(server, call(), { "content-type": "application/json; charset=UTF-8" }));
    for (const answer of utf8) assert.equal(answer.status, 200);
  });

  function call(): string {
    return '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}';
  }
});

describe("examples/fetch_handler.ts: serves itself where nothing serves its default export", () => {
  test("each runtime answers, and it is the runtime it was started on", async () => {
    for (const runtime of RUNTIMES) {
      const answer = await rpc(fetchHandlers.get(runtime)!, '{"jsonrpc":"2.0","method":"runtime","id":1}');
      assert.deepEqual(answer.json, { jsonrpc: "2.0", result: runtime, id: 1 });
    }
  });

  test("its methods answer alike everywhere", async () => {
    assert.deepEqual(
      await exchange(fetchHandlers, '{"jsonrpc":"2.0","method":"add","params":{"a":2,"b":3},"id":"x"}'),
      { jsonrpc: "2.0", result: 5, id: "x" },
    );
    assert.deepEqual(
      await exchange(fetchHandlers, '{"jsonrpc":"2.0","method":"echo","params":["héllo ✓"],"id":0}'),
      { jsonrpc: "2.0", result: "héllo ✓", id: 0 },
    );
  });
});

describe("what the servers printed", () => {
  // Runs last: every case above has been served. A library prints nothing of its own, and on Deno
  // merely reading request.signal would print a warning about its old abort behaviour.
  test("the calculator and hello world printed only their own lines on every runtime", () => {
    // (`deno run` of examples/fetch_handler.ts warns on purpose: it suggests `deno serve`.)
    for (const server of [...calculators.values(), ...helloWorlds.values()]) {
      const lines = server.process.output().split("\n").filter((line) => line !== "");
      assert.deepEqual(lines.filter((line) => !/ serving at http|^try: curl /.test(line)), [], server.process.name);
    }
  });
});
