// Limits: batch length, params nesting, batch concurrency, call timeouts and body deadlines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type CallContext, ErrorCode, Service } from "../mod.ts";
import { DeadlineWatch } from "../src/http/deadline_watch.ts";
import { mapConcurrently } from "../src/core/concurrency.ts";
import { nestsDeeperThan } from "../src/protocol/nesting_depth.ts";
import { call } from "./helpers.ts";
import { endpointFor } from "./helpers.ts";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("batch length", () => {
  const service = new Service({ name: "s", limits: { maxBatchLength: 3 } }).publicMethod("one", () => 1);
  const entry = (id: number): unknown => ({ jsonrpc: "2.0", method: "one", id });

  test("a batch at the limit is served", async () => {
    assert.equal((await call(service, [entry(1), entry(2), entry(3)]) as unknown[]).length, 3);
  });

  test("a longer batch is one Invalid Request error that says the limit, and nothing runs", async () => {
    let runs = 0;
    const counted = new Service({ name: "s", limits: { maxBatchLength: 3 } }).publicMethod("one", () => ++runs);
    const answer = await call(counted, [entry(1), entry(2), entry(3), entry(4)]);
    assert.deepEqual(answer, {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: a batch of 4 entries exceeds the limit of 3" },
      id: null,
    });
    assert.equal(runs, 0);
  });

  test("the default limit is 100", async () => {
    const answer = await call(new Service({ name: "s" }), Array.from({ length: 101 }, (_, i) => entry(i))) as {
      error: { message: string };
    };
    assert.match(answer.error.message, /limit of 100/);
  });
});

describe("params nesting", () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  test("nestsDeeperThan counts arrays and objects", () => {
    assert.equal(nestsDeeperThan(1, 0), false);
    assert.equal(nestsDeeperThan([], 0), true);
    assert.equal(nestsDeeperThan({ a: [1] }, 2), false);
    assert.equal(nestsDeeperThan({ a: [[1]] }, 2), true);
  });

  test("params at the limit are served, deeper ones are -32600 with the call's id", async () => {
    const service = new Service({ name: "s", limits: { maxParamsDepth: 5 } }).publicMethod("echo", (value: unknown) => value);
    const ok = await call(service, { jsonrpc: "2.0", method: "echo", params: nested(5) as unknown[], id: 1 });
    assert.deepEqual(ok, { jsonrpc: "2.0", result: nested(4), id: 1 });
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "echo", params: nested(6) as unknown[], id: 2 }), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: params nest deeper than 5 levels" },
      id: 2,
    });
  });

  test("a hostile depth of 100,000 is refused without overflowing the stack", async () => {
    const service = new Service({ name: "s" }).publicMethod("echo", (value: unknown) => value);
    const body = `{"jsonrpc":"2.0","method":"echo","params":${"[".repeat(100_000)}${"]".repeat(100_000)},"id":1}`;
    const send = async (text: string): Promise<unknown> =>
      (await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body: text }))).json();
    const refused = { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: params nest deeper than 64 levels" }, id: 1 };
    assert.deepEqual(await send(body), refused);
    // In a batch, only that entry is refused.
    assert.deepEqual(await send(`[${body},{"jsonrpc":"2.0","method":"echo","params":[2],"id":2}]`), [refused, { jsonrpc: "2.0", result: 2, id: 2 }]);
  });
});

describe("batch concurrency", () => {
  test("mapConcurrently keeps order and never runs more than the limit", async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 1, 2], 3, async (ms) => {
      running++;
      most = Math.max(most, running);
      await sleep(ms);
      running--;
      return ms * 10;
    });
    assert.deepEqual(results, [50, 10, 40, 20, 30, 10, 20]);
    assert.equal(most, 3);
  });

  test("mapConcurrently fills its pool at once, behind a pending first item; a limit of 1 runs one at a time", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const all = mapConcurrently(["a", "b", "c"], 3, (item) => {
      started.push(item);
      return item === "a" ? gate.then(() => item) : Promise.resolve(item);
    });
    assert.deepEqual(started, ["a", "b", "c"], "b and c start while a is still pending");
    release();
    assert.deepEqual(await all, ["a", "b", "c"]);
    let running = 0;
    let most = 0;
    await mapConcurrently([3, 1, 2], 1, async (ms) => {
      running++;
      most = Math.max(most, running);
      await sleep(ms);
      running--;
    });
    assert.equal(most, 1);
  });

  test("mapConcurrently rejects with the first failure, thrown or rejected, and starts nothing after it", async () => {
    for (const how of ["rejects", "throws"] as const) {
      const started: number[] = [];
      const failing = mapConcurrently([1, 2, 3, 4], 2, (n) => {
        started.push(n);
        if (n === 1) return sleep(10).then(() => n);
        if (n === 2 && how === "throws") throw new Error("two");
        return n === 2 ? Promise.reject(new Error("two")) : Promise.resolve(n);
      });
      await assert.rejects(Promise.race([failing, sleep(1_000).then(() => "still pending")]), /two/, how);
      await sleep(30);
      assert.deepEqual(started, [1, 2], how);
    }
  });

  test("a batch runs at most batchConcurrency calls at once", async () => {
    let running = 0;
    let most = 0;
    const service = new Service({ name: "s", limits: { batchConcurrency: 2 } }).publicMethod("work", async () => {
      running++;
      most = Math.max(most, running);
      await sleep(5);
      running--;
      return "done";
    });
    const answer = await call(service, Array.from({ length: 6 }, (_, id) => ({ jsonrpc: "2.0", method: "work", id }))) as unknown[];
    assert.equal(answer.length, 6);
    assert.equal(most, 2);
  });
});

describe("call timeouts", () => {
  test("a call over the service's timeout answers -32002 and its signal is aborted", async () => {
    let signal: AbortSignal | undefined;
    const service = new Service({ name: "s", timeout: 20 }).publicMethod(
      "slow",
      async (ctx: CallContext) => {
        signal = ctx.signal;
        await sleep(200);
        return "late";
      },
      { context: true },
    );
    const answer = await call(service, { jsonrpc: "2.0", method: "slow", id: 1 });
    assert.deepEqual(answer, {
      jsonrpc: "2.0",
      error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 20 ms" },
      id: 1,
    });
    assert.equal(signal?.aborted, true);
  });

  test("a method's own timeout wins over the service's, and fast calls are unaffected", async () => {
    const service = new Service({ name: "s", timeout: 1000 })
      .publicMethod("slow", () => sleep(100).then(() => "late"), { timeout: 10 })
      .publicMethod("fast", (n: number) => n + 1)
      .publicMethod("failing", () => Promise.reject(new Error("x")), { timeout: 50 });
    const answer = await call(service, [
      { jsonrpc: "2.0", method: "slow", id: 1 },
      { jsonrpc: "2.0", method: "fast", params: [1], id: 2 },
      { jsonrpc: "2.0", method: "failing", id: 3 },
    ]) as { error?: { code: number }; result?: unknown }[];
    assert.equal(answer[0]!.error?.code, ErrorCode.Timeout);
    assert.equal(answer[1]!.result, 2);
    assert.equal(answer[2]!.error?.code, ErrorCode.InternalError);
  });

  test("a handler that throws synchronously under a timeout is an internal error", async () => {
    const service = new Service({ name: "s", timeout: 1000 }).publicMethod("boom", () => {
      throw new Error("x");
    });
    const answer = await call(service, { jsonrpc: "2.0", method: "boom", id: 1 }) as { error: { code: number } };
    assert.equal(answer.error.code, ErrorCode.InternalError);
  });

  test("the caller's own abort still reaches a handler that has a timeout", async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const service = new Service({ name: "s", timeout: 1000 }).publicMethod(
      "wait",
      (ctx: CallContext) => {
        seen = ctx.signal;
        return "ok";
      },
      { context: true },
    );
    await service.handle({ jsonrpc: "2.0", method: "wait", id: 1 }, { headers: new Headers(), signal: caller.signal });
    caller.abort();
    assert.equal(seen?.aborted, true);
  });

  for (const [name, options] of [
    ["a zero timeout", { name: "s", timeout: 0 }],
    ["a negative batch length", { name: "s", limits: { maxBatchLength: -1 } }],
    ["a NaN depth", { name: "s", limits: { maxParamsDepth: Number.NaN } }],
    ["a zero body timeout", { name: "s", limits: { bodyTimeout: 0 } }],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => new Service(options), /must be a positive number/);
    });
  }

  test("a limit of exactly 1 is positive", () => {
    assert.doesNotThrow(() => new Service({ name: "s", timeout: 1, limits: { maxBatchLength: 1, batchConcurrency: 1 } }));
  });

  test("refuses a method timeout that is not positive", () => {
    assert.throws(() => new Service({ name: "s" }).publicMethod("x", () => 1, { timeout: 0 }), /positive number of ms/);
  });
});

describe("timingSafeEqual", () => {
  test("equal strings are equal, and any difference or length is not", async () => {
    const { timingSafeEqual } = await import("../mod.ts");
    assert.equal(timingSafeEqual("hello_world_token", "hello_world_token"), true);
    assert.equal(timingSafeEqual("hello_world_tokem", "hello_world_token"), false);
    assert.equal(timingSafeEqual("Hello_world_token", "hello_world_token"), false);
    assert.equal(timingSafeEqual("short", "hello_world_token"), false);
    assert.equal(timingSafeEqual("", ""), true);
    assert.equal(timingSafeEqual("é", "e\u0301"), false);
    // Lone surrogates would both encode to U+FFFD: they are compared as they were given.
    assert.equal(timingSafeEqual("tok\uD800", "tok\uDBFF"), false);
    assert.equal(timingSafeEqual("tok\uD800", "tok\uD800"), true);
  });
});

describe("body deadlines", { timeout: 10_000 }, () => {
  // The deadline's timer does not keep a process alive (a server's sockets do): here a plain timer
  // stands in for them while a test waits for a deadline.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  beforeEach(() => (keepAlive = setInterval(() => {}, 1000)));
  afterEach(() => clearInterval(keepAlive));

  /** A POST to /api whose body sends `first`, then nothing more, until cancelled. */
  function stalled(first: string): Request {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(first));
      },
    });
    const init = { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" };
    return new Request("http://localhost/api", init);
  }

  test("a body that stops arriving is answered 408 with a JSON-RPC error once bodyTimeout passes", async () => {
    const service = new Service({ name: "s", limits: { bodyTimeout: 30 } }).publicMethod("echo", (value: unknown) => value);
    const response = await service.fetch(stalled('{"jsonrpc":"2.0","method":"echo","params":["'));
    assert.equal(response.status, 408);
    assert.equal(response.headers.get("connection"), "close");
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: The request body did not arrive within 30 ms" },
      id: null,
    });
    const next = await call(service, { jsonrpc: "2.0", method: "echo", params: ["ok"], id: 1 });
    assert.deepEqual(next, { jsonrpc: "2.0", result: "ok", id: 1 });
  });

  test("the default is 30 s, Infinity means no deadline, and a body that arrives in time is answered", async () => {
    assert.equal(new Service({ name: "s" }).limits.bodyTimeout, 30_000);
    assert.equal(endpointFor(new Service({ name: "s" })).bodyDeadline?.timeout, 30_000);
    assert.equal(endpointFor(new Service({ name: "s", limits: { bodyTimeout: Infinity } })).bodyDeadline, undefined);
    const patient = new Service({ name: "s", limits: { bodyTimeout: 5_000 } }).publicMethod("echo", (value: unknown) => value);
    const late = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await sleep(40);
        controller.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":[7],"id":1}'));
        controller.close();
      },
    });
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: late, duplex: "half" };
    const response = await patient.fetch(new Request("http://localhost/api", init));
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: 7, id: 1 });
    assert.equal(endpointFor(patient).bodyDeadline?.size, 0);
  });

  test("DeadlineWatch gives up on the waits still watched when their time is up, and only on those", async () => {
    const deadline = new DeadlineWatch(20);
    const expired: string[] = [];
    const waits = ["first", "answered", "third"].map((name) => ({ expire: () => expired.push(name) }));
    for (const wait of waits) deadline.watch(wait);
    deadline.done(waits[1] as { expire: () => number });
    await sleep(80);
    assert.deepEqual(expired, ["first", "third"]);
    // Watching starts the timer again after it stopped with nothing left to watch.
    const later = { expire: () => expired.push("later") };
    deadline.watch(later);
    await sleep(80);
    assert.deepEqual(expired, ["first", "third", "later"]);
  });

  test("DeadlineWatch tells a thing when its time is up, not before, and counts what it watches", async (t) => {
    const time = { now: 0 };
    t.mock.method(performance, "now", () => time.now);
    const watch = new DeadlineWatch(20); // checked every 10 ms
    const expired: string[] = [];
    watch.watch({ expire: () => expired.push("job") });
    assert.equal(watch.size, 1);
    await sleep(40);
    time.now = 19;
    await sleep(40);
    assert.deepEqual(expired, []);
    assert.equal(watch.size, 1);
    time.now = 20;
    for (let wait = 0; wait < 100 && expired.length === 0; wait++) await sleep(10);
    assert.deepEqual(expired, ["job"]);
    assert.equal(watch.size, 0);
  });

  test("DeadlineWatch does not keep the process alive while it watches", () => {
    const module = new URL("../src/http/deadline_watch.ts", import.meta.url).href;
    const code = `import { DeadlineWatch } from ${JSON.stringify(module)};
      new DeadlineWatch(600_000).watch({ expire: () => console.log("expired") });
      console.log("watching");`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", timeout: 20_000 });
    assert.equal(child.signal, null, "the process was still running");
    assert.equal(child.stdout, "watching\n");
    assert.equal(child.status, 0);
  });
});
