// The client of several instances, in process: each instance is a Service whose fetch a custom
// `fetch` calls, and faults (refused, reset after sending, 503 pages, slow answers) are made by that
// fetch, so the failover rules are checked exactly: which calls move, which are sent twice.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import {
  type BreakerOptions,
  type ClusterOptions,
  type ClusterTimers,
  connect,
  createClient,
  type Endpoint,
  type EndpointSource,
  type FetchFunction,
  REQUEST_TIMEOUT_HEADER,
  RpcError,
  serve,
  Service,
  TransportError,
  type Upstream,
} from "../mod.ts";
import { CircuitBreaker, Cluster, cluster, instanceFailed, isEndpointSource, mayRetry, neverSent, staticEndpoints } from "../src/client/cluster/mod.ts";
import { sendBatch } from "../src/client/batch.ts";
import { type ClientOptions, post } from "../src/client/transport.ts";
import { Balancer } from "../src/client/cluster/balancer.ts";
import { answerProblem, batchAnswerProblem, describedIdempotent, safeText } from "../src/client/cluster/answers.ts";
import { backoffDelay, retryPolicy, sleep } from "../src/client/cluster/retry.ts";
import { EndpointError, endpointUrlProblem, isHostName, isIpv6 } from "../src/client/cluster/endpoints.ts";

type Fault = "refuse" | "reset-after" | "503" | "500" | "404" | "413" | "429" | "html" | "wrong-id" | "hang" | undefined;

/**
 * Three (or n) instances of one service in process, with a fault switch per instance. The
 * instances listed in `hostile` declare `record` idempotent (another version, or a hostile one).
 * `sent` lists every request but discoveries, as `<url> <method>`.
 */
function instances(n = 3, hostile: readonly number[] = []): {
  urls: string[];
  fetch: FetchFunction;
  executed: Map<string, string[]>;
  faults: Map<string, Fault>;
  headers: Headers[];
  sent: string[];
} {
  const executed = new Map<string, string[]>();
  const faults = new Map<string, Fault>();
  const headers: Headers[] = [];
  const sent: string[] = [];
  const services = new Map<string, Service>();
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const url = `http://instance-${i}.test/api`;
    urls.push(url);
    executed.set(url, []);
    services.set(
      url,
      new Service({ name: "cluster.test.service" })
        .publicMethod("whoami", () => `instance-${i}`, { idempotent: true })
        .publicMethod("record", (key: string) => {
          executed.get(url)?.push(key);
          return `instance-${i}`;
        }, { idempotent: hostile.includes(i) })
        .publicMethod("fail", () => {
          throw new RpcError(9, "fails on purpose");
        }, { idempotent: true }),
    );
  }
  const refused = (): Error =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  const fetch: FetchFunction = async (url, init) => {
    headers.push(new Headers(init.headers));
    const method = (JSON.parse(init.body as string) as { method?: string }).method;
    if (method !== "rpc.discover") sent.push(`${url} ${method}`);
    const fault = faults.get(url);
    if (fault === "refuse") throw refused();
    if (fault === "hang") {
      // The call runs, and its answer never comes back. A real socket keeps the event loop alive
      // while it waits; so does this timer.
      const service = services.get(url);
      if (service !== undefined) await service.fetch(new Request(url, { ...init, signal: null }));
      return new Promise((_resolve, reject) => {
        const alive = setTimeout(() => reject(new Error("hung for 10 s")), 10_000);
        init.signal?.addEventListener("abort", () => {
          clearTimeout(alive);
          reject(init.signal?.reason as Error);
        });
      });
    }
    const service = services.get(url);
    if (service === undefined) throw refused();
    const response = await service.fetch(new Request(url, init));
    if (fault === "reset-after") throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    if (fault === "503") return new Response("<h1>Service Unavailable</h1>", { status: 503 });
    if (fault === "500") return new Response("<h1>Internal Server Error</h1>", { status: 500 });
    // Another program now at that address: it never ran the call, but the client cannot know.
    if (fault === "404") return new Response("Not Found", { status: 404 });
    // A proxy in front of every instance that refuses the call itself (too large, rate limited).
    if (fault === "413" || fault === "429") return new Response("<h1>Refused</h1>", { status: Number(fault), headers: { "content-type": "text/html" } });
    if (fault === "html") return new Response("<!doctype html><p>Welcome</p>", { status: 200, headers: { "content-type": "text/html" } });
    if (fault === "wrong-id") {
      const answer = (await response.json()) as { id: number };
      return Response.json({ ...answer, id: answer.id + 1_000 });
    }
    return response;
  };
  return { urls, fetch, executed, faults, headers, sent };
}

const total = (executed: Map<string, string[]>, key: string): number =>
  [...executed.values()].reduce((sum, keys) => sum + keys.filter((k) => k === key).length, 0);

/** Waits (bounded) until `n` instances of a cluster have told what they declare idempotent. */
async function declared(replicas: Cluster, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (replicas.instances().filter((instance) => instance.idempotent !== undefined).length >= n) return;
    await sleep(5);
  }
  throw new Error(`only ${replicas.instances().filter((instance) => instance.idempotent !== undefined).length} of ${n} instances were discovered`);
}

/** A clock for the breakers that moves only when told. */
function fakeClock(): { timers: ClusterTimers; advance(ms: number): void; waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    timers: { now: () => now, sleep: (ms) => (waits.push(ms), Promise.resolve()) },
    advance: (ms) => void (now += ms),
    waits,
  };
}

describe("a client of several instances", () => {
  it("a list of URLs or a source given to createClient or connect is a TypeError that names cluster()", async () => {
    const { urls, fetch } = instances();
    const misuses = [urls, staticEndpoints(urls)] as unknown as string[];
    for (const target of misuses) {
      assert.throws(() => createClient(target, { fetch }), { name: "TypeError", message: /Several instances: pass cluster\(urls or source\) from tsmicroservice\/cluster/ });
      await assert.rejects(connect(target, { fetch }), { name: "TypeError", message: /cluster\(/ });
    }
  });

  it("a call's explicit trace reaches the observers through a cluster, as through one URL", async () => {
    const { urls, fetch } = instances();
    const trace = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 };
    for (const target of [urls[0] as string, cluster(urls)]) {
      const seen: unknown[] = [];
      const remote = createClient(target, { fetch, observe: (exchange) => void seen.push(exchange.call.trace) });
      await remote.call("whoami", [], { trace });
      assert.deepEqual(seen, [trace]);
    }
  });

  it("spreads calls round-robin and says which instance answered", async () => {
    const { urls, fetch } = instances();
    const replicas = cluster(urls);
    const remote = await connect(replicas, { fetch });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await remote.call("whoami"));
    assert.deepEqual(answers.slice(0, 3).sort(), ["instance-0", "instance-1", "instance-2"]);
    assert.deepEqual(answers.slice(3), answers.slice(0, 3));
    assert.ok(urls.includes(remote.url));
    assert.equal(replicas.instances().length, 3);
    assert.equal(replicas.url, remote.url);
    await remote.close();
  });

  it("learns from rpc.discover which methods are idempotent: those are sent again, the others run exactly once", async () => {
    const { urls, fetch, faults, executed, sent } = instances(2);
    const replicas = cluster(urls, { breaker: { failureThreshold: 100 } });
    const remote = await connect(replicas, { fetch });
    await declared(replicas, 2);
    faults.set(urls[0]!, "reset-after");
    // whoami is declared idempotent by both instances: a reset after sending moves it, and it succeeds.
    for (let i = 0; i < 4; i++) assert.equal(await remote.call("whoami"), "instance-1");
    // record is not: a reset after sending is the caller's failure, never a second execution.
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      sent.length = 0;
      const outcome = await remote.call("record", [`k${i}`]).then(String, (error: unknown) =>
        error instanceof TransportError ? `${error.kind} from ${error.url}` : `unexpected ${String(error)}`
      );
      outcomes.push(outcome);
      assert.equal(total(executed, `k${i}`), 1, `k${i} ran once`);
      assert.equal(sent.length, 1, `k${i} was sent once: ${sent.join(", ")}`);
    }
    assert.deepEqual([...new Set(outcomes)].sort(), ["instance-1", `network from ${urls[0]}`], "some reached the resetting instance, and failed there");
  });

  it("never runs a non-idempotent call twice: a reset after sending is not retried", async () => {
    const { urls, fetch, faults, executed } = instances(3);
    const remote = await connect(cluster(urls), { fetch });
    for (const url of urls) faults.set(url, "reset-after");
    for (let i = 0; i < 5; i++) {
      const key = `key-${i}`;
      await assert.rejects(remote.call("record", [key]), (error: unknown) => error instanceof TransportError && error.kind === "network");
      assert.equal(total(executed, key), 1, "ran once, on the instance it reached");
    }
  });

  it("moves a call that was never sent (connection refused), idempotent or not", async () => {
    const { urls, fetch, faults, executed } = instances(3);
    const replicas = cluster(urls);
    const remote = await connect(replicas, { fetch });
    faults.set(urls[0]!, "refuse");
    for (let i = 0; i < 9; i++) {
      const answer = await remote.call("record", [`r${i}`]);
      assert.notEqual(answer, "instance-0");
      assert.equal(total(executed, `r${i}`), 1);
    }
    // The refusing instance's breaker opened at once.
    assert.equal(replicas.instances().find((instance) => instance.url === urls[0])?.breaker, "open");
  });

  it("retries an idempotent call after a 503 page or a timeout, on another instance", async () => {
    const { urls, fetch, faults } = instances(2);
    const remote = await connect(cluster(urls, { attemptTimeout: 50 }), { fetch, timeout: 5_000 });
    faults.set(urls[0]!, "503");
    for (let i = 0; i < 3; i++) assert.equal(await remote.call("whoami"), "instance-1");
    faults.set(urls[0]!, "hang");
    for (let i = 0; i < 3; i++) assert.equal(await remote.call("whoami"), "instance-1");
    // Not idempotent: the timed-out attempt may have run, so it is not sent again.
    faults.set(urls[1]!, "hang");
    await assert.rejects(remote.call("record", ["slow"]), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
  });

  it("an idempotent call per call option, or the client's option, is retried", async () => {
    const { urls, fetch, faults, executed } = instances(2);
    const plain = createClient(cluster(urls), { fetch });
    faults.set(urls[0]!, "reset-after");
    const first = await plain.call("record", ["x1"], { idempotent: true });
    assert.equal(first, "instance-1");
    assert.equal(total(executed, "x1"), 2, "sent twice, as asked");
    const listed = createClient(cluster(urls, { idempotent: ["record"] }), { fetch });
    assert.equal(await listed.call("record", ["x2"]), "instance-1");
    const everything = createClient(cluster(urls, { idempotent: true }), { fetch });
    assert.equal(await everything.call("record", ["x3"]), "instance-1");
    // And a per-call false wins over the service's declaration.
    const remote = await connect(cluster(urls), { fetch });
    await assert.rejects(remote.call("whoami", [], { idempotent: false }), TransportError);
  });

  it("answers unavailable when no instance can take the call, within bounded attempts", async () => {
    const { urls, fetch, faults } = instances(2);
    const remote = createClient(cluster(urls, { retry: { attempts: 3, backoff: 1 } }), { fetch });
    for (const url of urls) faults.set(url, "refuse");
    let sent = 0;
    const counting: FetchFunction = (url, init) => {
      sent++;
      return fetch(url, init);
    };
    const counted = createClient(cluster(urls, { retry: { attempts: 3, backoff: 1 } }), { fetch: counting });
    await assert.rejects(counted.call("whoami"), (error: unknown) => error instanceof TransportError && error.kind === "unavailable");
    assert.equal(sent, 2, "each refusing instance was tried once, then both breakers were open");
    await assert.rejects(remote.call("record", ["z"]), TransportError);
    const empty: EndpointSource = { endpoints: () => [] };
    await assert.rejects(createClient(cluster(empty, { retry: { attempts: 2, backoff: 1 } })).call("x"), {
      message: "unavailable error calling the cluster: no instance is known: its endpoint source gave none",
    });
    const broken: EndpointSource = { endpoints: () => Promise.reject(new Error("registry down")) };
    await assert.rejects(createClient(cluster(broken, { retry: { attempts: 1 } })).call("x"), {
      message: "unavailable error calling the cluster: its endpoint source failed: Error: registry down",
    });
  });

  it("the breaker brings an instance back after its open time, through one trial call", async () => {
    const { urls, fetch, faults } = instances(2);
    const replicas = cluster(urls, { breaker: { openFor: 20, maxOpenFor: 40 } });
    const remote = await connect(replicas, { fetch });
    faults.set(urls[0]!, "refuse");
    await remote.call("whoami");
    await remote.call("whoami");
    assert.equal(replicas.instances()[0]?.breaker, "open");
    faults.set(urls[0]!, undefined);
    const seen = new Set<unknown>();
    for (let i = 0; i < 200 && !seen.has("instance-0"); i++) {
      seen.add(await remote.call("whoami"));
      await sleep(2);
    }
    assert.ok(seen.has("instance-0"), "the instance came back");
    assert.equal(replicas.instances()[0]?.breaker, "closed");
  });

  it("sends the remaining time as X-Request-Timeout, and refuses a deadline already past", async () => {
    const { urls, fetch, headers } = instances(1);
    const remote = createClient(cluster(urls), { fetch, timeout: 4_000 });
    await remote.call("whoami");
    const sent = Number(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER));
    assert.ok(Number.isInteger(sent) && sent > 0 && sent <= 4_000, `header ${sent}`);
    await remote.call("whoami", [], { deadline: Date.now() + 1_000 });
    const second = Number(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER));
    assert.ok(second > 0 && second <= 1_000);
    const before = headers.length;
    await assert.rejects(remote.call("whoami", [], { deadline: Date.now() - 1 }), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
    assert.equal(headers.length, before, "nothing was sent");
    const single = createClient(urls[0]!, { fetch });
    await single.call("whoami", [], { timeout: 3_000 });
    assert.equal(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER), "3000");
    await single.call("whoami");
    assert.equal(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER), "30000", "the default timeout: 30 s");
    await createClient(urls[0]!, { fetch, timeout: Infinity }).call("whoami");
    assert.equal(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER), null, "no limit, no header");
    await assert.rejects(single.call("whoami", [], { deadline: Date.now() - 5 }), /deadline has passed/);
  });

  it("an aborted call stops at once and does not count against the instance", async () => {
    const { urls, fetch, faults } = instances(2);
    const replicas = cluster(urls, { idempotent: true });
    const remote = createClient(replicas, { fetch });
    faults.set(urls[0]!, "hang");
    faults.set(urls[1]!, "hang");
    const controller = new AbortController();
    const call = remote.call("whoami", [], { signal: controller.signal });
    await sleep(5);
    controller.abort();
    await assert.rejects(call, (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    assert.deepEqual(replicas.instances().map((instance) => instance.breaker), ["closed", "closed"]);
    await assert.rejects(remote.call("whoami", [], { signal: AbortSignal.abort() }), TransportError);
  });

  it("notifications follow the same rules", async () => {
    const { urls, fetch, faults, executed } = instances(2);
    const remote = await connect(cluster(urls), { fetch });
    faults.set(urls[0]!, "refuse");
    await remote.notify("record", ["n1"]);
    await remote.notify("record", ["n2"]);
    assert.equal(total(executed, "n1") + total(executed, "n2"), 2);
    faults.set(urls[1]!, "reset-after");
    await assert.rejects(remote.notify("record", ["n3"]), TransportError);
    assert.equal(total(executed, "n3"), 1);
  });

  it("batches: entries re-sent only when idempotent; moved whole when never sent", async () => {
    const { urls, fetch, faults, executed } = instances(2);
    // No discovery first, so round-robin's first pick is instance 0: the batch reaches it, then the
    // connection resets.
    const remote = createClient<{ whoami(): string; record(key: string): string; fail(): never }>(
      cluster(urls, { idempotent: ["whoami", "fail"] }),
      { fetch },
    );
    faults.set(urls[0]!, "reset-after");
    const [who, recorded, noted, failed] = await remote.batch((b) => [
      b.methods.whoami(),
      b.methods.record("b1"),
      b.notifications.record("b2"),
      b.methods.fail(),
    ]);
    assert.deepEqual(who, { ok: true, value: "instance-1" });
    assert.ok(!recorded.ok && recorded.error instanceof TransportError);
    assert.equal(noted, undefined);
    assert.ok(!failed.ok && failed.error instanceof RpcError && failed.error.code === 9);
    assert.equal(total(executed, "b1"), 1, "the non-idempotent entry ran once");
    assert.equal(total(executed, "b2"), 1);
    // Never sent: the whole batch moves.
    faults.set(urls[0]!, "refuse");
    const [again, rec] = await remote.batch((b) => [b.methods.whoami(), b.methods.record("b3")]);
    assert.deepEqual(again, { ok: true, value: "instance-1" });
    assert.deepEqual(rec, { ok: true, value: "instance-1" });
    // Nothing ever answered: the failure is thrown, as for one call.
    faults.set(urls[1]!, "reset-after");
    faults.set(urls[0]!, "reset-after");
    await assert.rejects(remote.batch((b) => [b.methods.record("b4")]), TransportError);
    assert.deepEqual(await remote.batch(() => []), []);
    // Only notifications, answered with no body.
    faults.set(urls[0]!, undefined);
    faults.set(urls[1]!, undefined);
    assert.deepEqual(await remote.batch((b) => [b.notifications.record("b5")]), [undefined]);
  });

  it("sendBatch with the caller's own word per entry: those entries go again, the others keep the failure", async () => {
    const { urls, fetch, faults, executed } = instances(2);
    const replicas = new Cluster(staticEndpoints(urls), {}, () => 0.5, fakeClock().timers);
    faults.set(urls[0]!, "reset-after");
    const results = await replicas.sendBatch(
      [
        { method: "record", params: ["k1"], notification: false },
        { method: "whoami", params: [], notification: false },
        { method: "record", params: ["k2"], notification: true },
      ],
      { fetch },
      {},
      (entry) => entry.method === "record",
    );
    assert.deepEqual(results[0], { ok: true, value: "instance-1" });
    assert.ok(results[1]?.ok === false && results[1].error instanceof TransportError && results[1].error.kind === "network", "whoami is the caller's to declare here");
    assert.equal(results[2], undefined);
    assert.equal(total(executed, "k1"), 2, "declared by the caller: sent again, and run twice");
    assert.equal(total(executed, "k2"), 2);
    assert.deepEqual(await replicas.sendBatch([], { fetch }), []);
  });

  it("a batch answered with JSON that answers none of its calls counts against the instance, and moves when idempotent", async () => {
    const { urls, fetch, faults } = instances(2);
    const replicas = cluster(urls, { idempotent: true });
    faults.set(urls[0]!, "wrong-id");
    const [first, second] = await createClient(replicas, { fetch }).batch((b) => [b.call("whoami"), b.call("whoami")]);
    assert.deepEqual([first, second], [{ ok: true, value: "instance-1" }, { ok: true, value: "instance-1" }]);
    assert.equal(replicas.instances()[0]?.lastFailure, "bad-response: no JSON-RPC answer to the batch");
  });

  it("sendBatch: an entry the caller's word leaves out moves between instances that declare it, unless the call says idempotent: false", async () => {
    // connect asked instance 0, so the batch goes to instance 1 first (reset), then moves to instance 0.
    for (const [call, expected] of [[{}, "instance-0"], [{ idempotent: false }, undefined]] as const) {
      const { urls, fetch } = instances(2, [0, 1]);
      let resetNext = false;
      const resetting: FetchFunction = async (url, init) => {
        const response = await fetch(url, init);
        if (!resetNext || !Array.isArray(JSON.parse(init.body as string))) return response;
        resetNext = false;
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
      };
      const replicas = new Cluster(staticEndpoints(urls), {}, () => 0.5, fakeClock().timers);
      await connect(replicas, { fetch: resetting });
      await declared(replicas, 2);
      resetNext = true;
      const sending = replicas.sendBatch([{ method: "record", params: ["k"], notification: false }], { fetch: resetting }, call, () => false);
      // Not sent again: nothing of the batch was answered, so its failure is thrown.
      if (expected === undefined) await assert.rejects(sending, { name: "TransportError", message: /other side closed/ });
      else assert.deepEqual(await sending, [{ ok: true, value: expected }]);
      await replicas.close();
    }
  });

  it("follows a source that changes, without being rebuilt", async () => {
    const { urls, fetch } = instances(3);
    let current: readonly Endpoint[] = [{ url: urls[0]! }];
    let push: ((list: readonly Endpoint[]) => void) | undefined;
    let closed = false;
    const source: EndpointSource = {
      endpoints: () => current,
      subscribe(listener) {
        push = listener;
        return () => (push = undefined);
      },
      close: () => {
        closed = true;
      },
    };
    const remote = await connect(cluster(source), { fetch });
    assert.equal(await remote.call("whoami"), "instance-0");
    current = [{ url: urls[1]! }, { url: urls[2]! }];
    push?.(current);
    const seen = new Set([await remote.call("whoami"), await remote.call("whoami")]);
    assert.deepEqual([...seen].sort(), ["instance-1", "instance-2"]);
    await remote.close();
    assert.ok(closed);
    assert.equal(push, undefined);
    // A source without subscribe is asked before each call.
    let pulled: readonly Endpoint[] = [{ url: urls[0]! }];
    const pulling = createClient(cluster({ endpoints: () => Promise.resolve(pulled) }), { fetch });
    assert.equal(await pulling.call("whoami"), "instance-0");
    pulled = [{ url: urls[2]! }];
    assert.equal(await pulling.call("whoami"), "instance-2");
  });

  it("a watched source is not asked again once it has pushed a list; closing twice closes it once", async () => {
    const { urls, fetch } = instances(2);
    let asked = 0;
    let closed = 0;
    let push: ((list: readonly Endpoint[]) => void) | undefined;
    const source: EndpointSource = {
      endpoints: () => (asked++, [{ url: urls[0]! }]),
      subscribe(listener) {
        push = listener;
        return () => (push = undefined);
      },
      close: () => {
        closed++;
      },
    };
    const replicas = cluster(source);
    const remote = createClient(replicas, { fetch });
    assert.equal(await remote.call("whoami"), "instance-0");
    assert.equal(await remote.call("whoami"), "instance-0");
    assert.equal(asked, 2, "asked before each call until it pushes");
    push?.([{ url: urls[1]! }]);
    assert.equal(await remote.call("whoami"), "instance-1");
    assert.equal(await remote.call("whoami"), "instance-1");
    assert.equal(asked, 2);
    await remote.close();
    await replicas.close();
    assert.equal(closed, 1);
    assert.equal(push, undefined, "unsubscribed");
  });

  it("a client made without connect never asks the instances what they declare", async () => {
    const { urls, fetch } = instances(2);
    const methods: string[] = [];
    const remote = createClient(cluster(urls), {
      fetch: (url, init) => {
        methods.push((JSON.parse(init.body as string) as { method: string }).method);
        return fetch(url, init);
      },
    });
    for (let i = 0; i < 4; i++) await remote.call("whoami");
    await sleep(10);
    assert.deepEqual(methods, ["whoami", "whoami", "whoami", "whoami"]);
  });

  it("each attempt announces the smaller of attemptTimeout and the call's time left", async (t) => {
    t.mock.method(Date, "now", () => 1_000_000);
    const cases: [ClusterOptions, number, string | null][] = [
      [{ attemptTimeout: 700 }, 5_000, "700"],
      [{ attemptTimeout: 9_000 }, 5_000, "5000"],
      [{}, 5_000, "5000"],
      [{ attemptTimeout: 700 }, Infinity, "700"],
      [{}, Infinity, null],
    ];
    for (const [options, timeout, expected] of cases) {
      const { urls, fetch, headers } = instances(1);
      await createClient(cluster(urls, options), { fetch, timeout }).call("whoami");
      assert.equal(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER), expected, JSON.stringify([options, timeout]));
    }
    assert.equal(cluster(["http://a/api"], { attemptTimeout: 1 }).url, "", "1 ms is a time");
    for (const attemptTimeout of [0, -1, Number.NaN]) {
      assert.throws(() => cluster(["http://a/api"], { attemptTimeout }), { name: "TypeError", message: "attemptTimeout must be a positive number of ms" });
    }
  });

  it("a deadline that passes while the source looks up fails the call before sending, and leaves the instance as it was", async (t) => {
    let now = 1_000_000;
    t.mock.method(Date, "now", () => now);
    const { urls, fetch, sent, faults, headers } = instances(1);
    let lookUp = 0;
    const slowSource: EndpointSource = {
      endpoints: () => {
        now += lookUp; // how long the look-up takes
        return Promise.resolve([{ url: urls[0]! }]);
      },
    };
    const clock = fakeClock();
    const replicas = new Cluster(slowSource, { breaker: { failureThreshold: 1, openFor: 1_000 } }, () => 0.5, clock.timers);
    const remote = createClient(replicas, { fetch, timeout: 500 });
    const passed = { name: "TransportError", message: `timeout error calling ${urls[0]}: the call's deadline has passed` };
    for (const took of [1_000, 500]) {
      lookUp = took;
      await assert.rejects(remote.call("whoami"), passed, `a look-up of ${took} ms`);
      assert.deepEqual(sent, []);
      assert.deepEqual(replicas.instances(), [{ url: urls[0], breaker: "closed", inFlight: 0 }]);
    }
    lookUp = 499;
    assert.equal(await remote.call("whoami"), "instance-0", "1 ms left is time enough");
    assert.equal(headers.at(-1)?.get(REQUEST_TIMEOUT_HEADER), "1");
    // The trial of a half-open breaker whose deadline passes during the look-up lets the next call be the trial.
    lookUp = 0;
    faults.set(urls[0]!, "refuse");
    await assert.rejects(remote.call("whoami"), /ECONNREFUSED/);
    faults.set(urls[0]!, undefined);
    clock.advance(1_000);
    lookUp = 500;
    await assert.rejects(remote.call("whoami"), passed);
    lookUp = 0;
    assert.equal(await remote.call("whoami"), "instance-0");
    assert.equal(replicas.instances()[0]?.breaker, "closed");
  });

  it("an aborted call names the instance that answered last, and carries the signal's reason", async () => {
    const { urls, fetch } = instances(1);
    const remote = createClient(cluster(urls), { fetch });
    await remote.call("whoami");
    const reason = new Error("the caller left");
    const error = await remote.call("whoami", [], { signal: AbortSignal.abort(reason) }).catch((caught: unknown) => caught);
    assert.ok(error instanceof TransportError);
    assert.equal(error.message, `aborted error calling ${urls[0]}: the call was aborted`);
    assert.equal(error.cause, reason);
  });

  it("prefers the best priority, spreads by weight, and least-in-flight picks the idler one", async () => {
    const { urls, fetch } = instances(3);
    const remote = createClient(cluster([
      { url: urls[0]!, priority: 1 },
      { url: urls[1]!, priority: 0, weight: 3 },
      { url: urls[2]!, priority: 0, weight: 1 },
    ]), { fetch });
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 40; i++) {
      const who = await remote.call("whoami");
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    assert.equal(counts.get("instance-0"), undefined);
    assert.equal(counts.get("instance-1"), 30);
    assert.equal(counts.get("instance-2"), 10);
    const balancer = new Balancer("least-in-flight", {}, () => 0.1);
    balancer.update([{ url: "a" }, { url: "b" }, { url: "c" }]);
    const busy = balancer.pick(0, new Set());
    assert.ok(busy);
    busy.inFlight = 5;
    for (let i = 0; i < 5; i++) assert.notEqual(balancer.pick(0, new Set())?.endpoint.url, busy.endpoint.url);
    const kept = balancer.statuses().find((status) => status.url === busy.endpoint.url);
    balancer.update([{ url: busy.endpoint.url }, { url: "d" }]);
    assert.equal(balancer.statuses()[0]?.inFlight, kept?.inFlight);
    assert.equal(balancer.size, 2);
    const zero = new Balancer("round-robin", {});
    zero.update([{ url: "z1", weight: 0 }, { url: "z2", weight: 0 }]);
    assert.ok(zero.pick(0, new Set()));
    assert.throws(() => new Balancer("random" as never, {}), TypeError);
  });
});

describe("the parts", () => {
  it("a breaker: opens after its threshold, half-opens for one trial, backs off longer each time", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openFor: 100, maxOpenFor: 300 }, () => 0.5);
    assert.equal(breaker.state, "closed");
    breaker.failure(0, false);
    assert.ok(breaker.allows(0));
    breaker.failure(0, false);
    assert.equal(breaker.state, "open");
    assert.equal(breaker.allows(50), false);
    assert.ok(breaker.allows(100));
    breaker.begin(100);
    assert.equal(breaker.state, "half-open");
    assert.equal(breaker.allows(100), false, "one trial at a time");
    breaker.failure(100, false);
    assert.equal(breaker.state, "open");
    assert.equal(breaker.allows(250), false, "open for 200 ms the second time");
    assert.ok(breaker.allows(300));
    breaker.begin(300);
    breaker.release();
    assert.ok(breaker.allows(300), "an aborted trial frees the slot");
    breaker.success();
    assert.equal(breaker.state, "closed");
    const definite = new CircuitBreaker({ failureThreshold: 5 });
    definite.failure(0, true);
    assert.equal(definite.state, "open");
    assert.throws(() => new CircuitBreaker({ openFor: 0 }), TypeError);
  });

  it("a breaker's defaults: 3 failures open it for 1 s, doubling up to 30 s; an answer closes it and starts over", () => {
    const breaker = new CircuitBreaker({}, () => 0.5); // no jitter: 0.8 + 0.4 × 0.5
    breaker.failure(0, false);
    breaker.failure(0, false);
    assert.equal(breaker.state, "closed");
    breaker.failure(0, false);
    assert.equal(breaker.state, "open");
    const openings: number[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      const opened = now;
      for (let step = 0; step < 1_000 && !breaker.allows(now); step++) now += 100;
      openings.push(now - opened);
      const trial = breaker.begin(now);
      assert.equal(breaker.state, "half-open");
      assert.equal(trial.trial, true);
      breaker.failure(now, false, trial);
      assert.equal(breaker.state, "open");
    }
    assert.deepEqual(openings, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    for (let step = 0; step < 1_000 && !breaker.allows(now); step++) now += 100;
    breaker.begin(now);
    breaker.success();
    assert.equal(breaker.state, "closed");
    // Closed again, it counts from zero: two failures do not open it, and the next opening is 1 s again.
    breaker.failure(now, false);
    breaker.failure(now, false);
    assert.equal(breaker.state, "closed");
    breaker.success();
    breaker.failure(now, false);
    breaker.failure(now, false);
    assert.equal(breaker.state, "closed", "an answer between failures starts the count again");
    breaker.failure(now, false);
    assert.equal(breaker.state, "open");
    assert.equal(breaker.allows(now + 999), false);
    assert.equal(breaker.allows(now + 1_000), true);
  });

  it("a breaker's open time varies by a fifth either way; a maxOpenFor below openFor is openFor", () => {
    const at = (random: number, options: BreakerOptions = { failureThreshold: 1, openFor: 1_000 }): number => {
      const breaker = new CircuitBreaker(options, () => random);
      breaker.failure(0, false);
      let now = 0;
      for (let step = 0; step < 10_000 && !breaker.allows(now); step++) now++;
      return now;
    };
    assert.equal(at(0), 800);
    assert.equal(at(0.75), 1_100);
    const capped = new CircuitBreaker({ failureThreshold: 1, openFor: 500, maxOpenFor: 100 }, () => 0.5);
    capped.failure(0, true);
    capped.failure(500, false, capped.begin(500));
    assert.equal(capped.allows(999), false, "the second opening is 500 ms, not 1 s, nor 100 ms");
    assert.equal(capped.allows(1_000), true);
    for (const name of ["failureThreshold", "openFor", "maxOpenFor"]) {
      for (const value of [0, -1, Number.NaN, "3"]) {
        assert.throws(() => new CircuitBreaker({ [name]: value }), { name: "TypeError", message: `The breaker's ${name} must be a positive number` });
      }
    }
  });

  it("a half-open breaker: only the trial's outcome counts, only the trial's release frees its place, and calls from before it opened change nothing", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openFor: 100 }, () => 0.5);
    const before = breaker.begin(0);
    assert.equal(before.trial, false);
    breaker.failure(0, true);
    assert.equal(breaker.state, "open");
    breaker.failure(50, false);
    assert.equal(breaker.allows(100), true, "a failure while open does not open it for longer");
    const trial = breaker.begin(100);
    const other = breaker.begin(100);
    assert.deepEqual([trial.trial, other.trial], [true, false]);
    breaker.failure(100, false, other);
    breaker.failure(100, false, before);
    assert.equal(breaker.state, "half-open", "neither a call beside the trial nor one from before decides");
    breaker.release(other);
    assert.equal(breaker.allows(100), false, "the trial is still under way");
    breaker.release(before);
    assert.equal(breaker.allows(100), false);
    breaker.release(trial);
    assert.equal(breaker.allows(100), true, "the trial let go: another call may be the trial");
    const second = breaker.begin(100);
    assert.equal(second.trial, true);
    breaker.failure(100, false);
    assert.equal(breaker.state, "open", "a failure without a ticket counts as the trial's");
    breaker.release(second);
    assert.equal(breaker.allows(250), false, "a trial from before the breaker opened again frees nothing");
  });

  it("the balancer's turns: in order, by weight (smoothly interleaved), new instances joining the turns", () => {
    const picks = (balancer: Balancer, n: number): string => Array.from({ length: n }, () => balancer.pick(0, new Set())?.endpoint.url ?? "-").join("");
    const plain = new Balancer("round-robin", {});
    plain.update([{ url: "a" }, { url: "b" }, { url: "c" }]);
    assert.equal(picks(plain, 7), "abcabca");
    const weighted = new Balancer("round-robin", {});
    weighted.update([{ url: "a", weight: 5 }, { url: "b" }, { url: "c", weight: 1 }]);
    assert.equal(picks(weighted, 14), "aabacaaaabacaa");
    const unlisted = new Balancer("round-robin", {});
    unlisted.update([{ url: "a" }, { url: "b", weight: 2 }]);
    assert.equal(picks(unlisted, 6), "babbab", "weight 1 when not given");
    const zero = new Balancer("round-robin", {});
    zero.update([{ url: "a", weight: 0 }, { url: "b", weight: 1 }, { url: "c", weight: -3 }]);
    assert.equal(picks(zero, 4), "bbbb", "weight 0 (or less) gets no calls beside a weighted one");
    const allZero = new Balancer("round-robin", {});
    allZero.update([{ url: "a", weight: 0 }, { url: "b", weight: 0 }]);
    assert.equal(picks(allZero, 3), "aba");
    const growing = new Balancer("round-robin", {});
    growing.update([{ url: "a", weight: 2 }, { url: "b", weight: 1 }]);
    assert.equal(picks(growing, 3), "aba");
    growing.update([{ url: "a", weight: 2 }, { url: "b", weight: 1 }, { url: "c", weight: 1 }]);
    assert.equal(picks(growing, 8), "abcaabca");
  });

  it("the balancer's choice: the best priority that can take the call, untried instances first, eligible ones only", () => {
    const balancer = new Balancer("round-robin", { failureThreshold: 1, openFor: 100 }, () => 0.5);
    const list = [{ url: "a", priority: 1 }, { url: "b" }, { url: "c", priority: -1 }, { url: "b" }];
    balancer.update(list);
    assert.equal(balancer.size, 3, "a URL listed twice is one instance");
    const url = (tried: string[] = [], eligible?: (instance: { endpoint: { url: string } }) => boolean): string | undefined =>
      balancer.pick(0, new Set(tried), eligible)?.endpoint.url;
    assert.equal(url(), "c");
    assert.equal(url(["c"]), "b", "the next priority for a call that tried the best one");
    assert.equal(url(["c", "b"]), "a");
    assert.equal(url(["c", "b", "a"]), "c", "every one tried: the best again");
    assert.equal(url([], (instance) => instance.endpoint.url !== "c"), "b");
    assert.equal(url([], () => false), undefined);
    balancer.all().find((instance) => instance.endpoint.url === "c")?.breaker.failure(0, true);
    assert.equal(url(), "b", "an open breaker's instance is skipped");
    assert.equal(balancer.hasUntried(0, new Set(["b"])), true);
    assert.equal(balancer.hasUntried(0, new Set(["b", "a"])), false, "c is untried, but its breaker is open");
    assert.equal(balancer.hasUntried(200, new Set(["b", "a"])), true, "and open no more");
    assert.equal(balancer.hasUntried(0, new Set(), (instance) => instance.endpoint.url === "c"), false);
    assert.equal(balancer.hasUntried(0, new Set(), (instance) => instance.endpoint.url === "a"), true);
    // An instance that stays takes its new priority; one that leaves is dropped.
    balancer.update([{ url: "a", priority: -5 }, { url: "b" }]);
    assert.equal(url(), "a");
    balancer.update(balancer.all().map((instance) => instance.endpoint));
    const taken = balancer.take(0, new Set());
    assert.equal(taken?.instance.endpoint.url, "a");
    assert.equal(taken.ticket.trial, false);
    assert.deepEqual(balancer.statuses(), [{ url: "a", breaker: "closed", inFlight: 1 }, { url: "b", breaker: "closed", inFlight: 0 }]);
    assert.equal(balancer.take(0, new Set(), () => false), undefined);
    const [a, b] = balancer.all();
    if (a === undefined || b === undefined) throw new Error("two instances");
    a.lastFailure = "timeout: no answer";
    b.idempotent = new Set(["z", "y"]);
    assert.deepEqual(balancer.statuses(), [
      { url: "a", breaker: "closed", inFlight: 1, lastFailure: "timeout: no answer" },
      { url: "b", breaker: "closed", inFlight: 0, idempotent: ["y", "z"] },
    ]);
    assert.throws(() => new Balancer("random" as never, {}), { name: "TypeError", message: 'Unknown balancing random: "round-robin" or "least-in-flight"' });
    assert.throws(() => new Balancer("least-in-flight", { openFor: -1 }), TypeError, "the breaker's options are checked at once");
  });

  it("least-in-flight: of two drawn at random, the one with fewer calls in flight, the first on a tie", () => {
    const drawn = (randoms: number[]): Balancer => {
      const balancer = new Balancer("least-in-flight", {}, () => randoms.shift() ?? 0);
      balancer.update([{ url: "a" }, { url: "b" }, { url: "c" }]);
      return balancer;
    };
    const pick = (balancer: Balancer): string | undefined => balancer.pick(0, new Set())?.endpoint.url;
    assert.equal(pick(drawn([0, 0])), "a", "a and b, a tie: the first drawn");
    const busyA = drawn([0, 0]);
    busyA.all()[0]!.inFlight = 2;
    assert.equal(pick(busyA), "b");
    const middle = drawn([0.5, 0.5]); // b, then c (the second draw skips the first)
    middle.all()[2]!.inFlight = 0;
    middle.all()[1]!.inFlight = 1;
    assert.equal(pick(middle), "c");
    const last = drawn([0.99, 0.99]); // c, then b
    last.all()[2]!.inFlight = 3;
    assert.equal(pick(last), "b");
    const one = new Balancer("least-in-flight", {}, () => assert.fail("no draw for one instance"));
    one.update([{ url: "only" }]);
    assert.equal(pick(one), "only");
  });

  it("failure kinds: never sent, counts against the instance, may retry", () => {
    const url = "http://x/api";
    const deno = new TransportError(url, "network", "x", undefined, new TypeError("fetch failed", {
      cause: new Error("error sending request for url: client error (Connect): tcp connect error: Connection refused (os error 111)"),
    }));
    assert.ok(neverSent(deno));
    const bun = new TransportError(url, "network", "x", undefined, Object.assign(new TypeError("refused"), { code: "ConnectionRefused" }));
    assert.ok(neverSent(bun));
    const reset = new TransportError(url, "network", "x", undefined, new TypeError("fetch failed", { cause: new Error("other side closed") }));
    assert.equal(neverSent(reset), false);
    assert.equal(neverSent(new Error("x")), false);
    assert.ok(neverSent(new TransportError(url, "unavailable", "none")));
    assert.equal(neverSent(new TransportError(url, "timeout", "x")), false);
    assert.ok(instanceFailed(reset));
    // Not JSON-RPC (another program at that address, a wrong id): counts against the instance.
    assert.equal(instanceFailed(new TransportError(url, "http", "404", 404)), true);
    assert.equal(instanceFailed(new TransportError(url, "bad-response", "the answer is not JSON", 200)), true);
    assert.equal(instanceFailed(new TransportError(url, "bad-response", "the answer is larger than 10 bytes (maxResponseBytes)", 200)), false);
    assert.equal(instanceFailed(new TransportError(url, "aborted", "x")), false);
    assert.equal(instanceFailed("x"), false);
    assert.equal(mayRetry(new TransportError(url, "bad-response", "x")), true);
    assert.equal(mayRetry(new TransportError(url, "bad-response", "larger than 1 bytes (maxResponseBytes)")), false);
    assert.ok(mayRetry(new TransportError(url, "unavailable", "x")));
  });

  it("never sent: every way Node.js, Bun and NATS say no connection was made, found up to five causes deep", () => {
    const url = "http://x/api";
    const failed = (cause: unknown): TransportError => new TransportError(url, "network", "x", undefined, cause);
    const coded = (code: string): Error => Object.assign(new Error("x"), { code });
    const codes = ["ECONNREFUSED", "ConnectionRefused", "ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT", "NATS_NO_RESPONDERS"];
    for (const code of codes) assert.equal(neverSent(failed(new TypeError("fetch failed", { cause: coded(code) }))), true, code);
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "ETIMEDOUT", ""]) assert.equal(neverSent(failed(coded(code))), false, code);
    assert.equal(neverSent(failed(new Error("connect ECONNREFUSED 127.0.0.1:9"))), true, "said in words");
    assert.equal(neverSent(failed({ code: 111, message: 111 })), false);
    const nested = (depth: number, innermost: unknown): unknown => (depth === 0 ? innermost : new Error("wrapped", { cause: nested(depth - 1, innermost) }));
    assert.equal(neverSent(failed(nested(4, coded("ECONNREFUSED")))), true, "the fifth cause is read");
    assert.equal(neverSent(failed(nested(5, coded("ECONNREFUSED")))), false, "the sixth is not");
    const loop: { cause?: unknown } = new Error("loop");
    loop.cause = loop;
    assert.equal(neverSent(failed(loop)), false, "a cause that is its own cause ends the search");
    // Only a network failure or no instance at all was certainly never sent.
    assert.equal(neverSent(new TransportError(url, "http", "x", 503, coded("ECONNREFUSED"))), false);
    assert.equal(neverSent(new TransportError(url, "bad-response", "x", 200, coded("ECONNREFUSED"))), false);
  });

  it("which statuses take an instance out: 5xx, 3xx, 404, 405 and 421 do; 400, 401, 403, 408, 413, 429 blame the call", () => {
    const url = "http://x/api";
    const against = (status: number | undefined): boolean => instanceFailed(new TransportError(url, "http", `HTTP ${status}`, status));
    for (const status of [undefined, 300, 302, 399, 404, 405, 421, 500, 502, 503, 599]) assert.equal(against(status), true, String(status));
    for (const status of [400, 401, 403, 406, 408, 413, 422, 429, 499]) assert.equal(against(status), false, String(status));
    assert.equal(instanceFailed(new TransportError(url, "network", "x")), true);
    assert.equal(instanceFailed(new TransportError(url, "timeout", "x")), true);
    assert.equal(instanceFailed(new TransportError(url, "unavailable", "x")), false, "no instance is no instance's failure");
    assert.equal(mayRetry(new TransportError(url, "unavailable", "x")), true);
    assert.equal(mayRetry(new TransportError(url, "http", "HTTP 413", 413)), false);
    assert.equal(mayRetry(new TransportError(url, "aborted", "x")), false);
    assert.equal(mayRetry(new Error("x")), false);
    assert.equal(mayRetry(new TransportError(url, "timeout", "x")), true);
  });

  it("what counts as an answer to a call, a notification or a batch; messages without credentials or controls", () => {
    assert.equal(answerProblem({ jsonrpc: "2.0", result: null, id: 3 }, 3), undefined);
    assert.equal(answerProblem({ jsonrpc: "2.0", error: { code: 1, message: "x" }, id: 3 }, 3), undefined);
    assert.equal(answerProblem({ jsonrpc: "2.0", error: { code: -32700, message: "x" }, id: null }, 3), undefined);
    assert.equal(answerProblem({ jsonrpc: "2.0", result: 1, id: 4 }, 3), "no JSON-RPC answer to call 3");
    assert.equal(answerProblem({ jsonrpc: "2.0", id: 3 }, 3), "no JSON-RPC answer to call 3");
    assert.equal(answerProblem([{ jsonrpc: "2.0", result: 1, id: 3 }], 3), "no JSON-RPC answer to call 3");
    assert.equal(answerProblem("<html>", 3), "no JSON-RPC answer to call 3");
    assert.equal(answerProblem(undefined, undefined), undefined, "a notification: no body");
    assert.equal(answerProblem({ jsonrpc: "2.0", result: null, id: null }, undefined), undefined, "or a JSON-RPC object");
    assert.equal(answerProblem("welcome", undefined), "an answer to a notification that is not JSON-RPC");
    assert.equal(answerProblem([1], undefined), "an answer to a notification that is not JSON-RPC");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: 4 }, { jsonrpc: "2.0", error: { code: 1 }, id: null }], [4, undefined, 5]), undefined);
    assert.equal(batchAnswerProblem({ jsonrpc: "2.0", error: { code: -32600, message: "x" }, id: null }, [4]), undefined);
    assert.equal(batchAnswerProblem(undefined, [undefined]), undefined, "only notifications: no body");
    assert.equal(batchAnswerProblem(undefined, [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: 9 }], [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([], [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([null], [4]), "no JSON-RPC answer to the batch");
    assert.deepEqual(describedIdempotent({ id: 1, result: { methods: [{ name: "a", "x-idempotent": true }, { name: "b" }, null, { name: 5, "x-idempotent": true }] } }, 1), new Set(["a"]));
    assert.equal(describedIdempotent({ id: 2, result: { methods: [] } }, 1), undefined);
    assert.equal(describedIdempotent({ id: 1, result: {} }, 1), undefined);
    assert.equal(safeText("http://ann:secret@db/x \u001b[2J \u202e"), "http://db/x \\x1b[2J \\u202e");
    assert.equal(safeText("x".repeat(400)).length, 301);
  });

  it("an answer is one when it has the call's id and a result or an error; a notification's, when it is a JSON-RPC object", () => {
    for (const reply of [{ jsonrpc: "2.0" }, { result: 1 }, { error: { code: 1, message: "x" } }]) assert.equal(answerProblem(reply, undefined), undefined, JSON.stringify(reply));
    for (const reply of [{ other: 1 }, null, "", 0]) assert.equal(answerProblem(reply, undefined), "an answer to a notification that is not JSON-RPC", JSON.stringify(reply));
    assert.equal(answerProblem({ jsonrpc: "2.0", error: null, id: 3 }, 3), "no JSON-RPC answer to call 3", "error: null is no error");
    assert.equal(answerProblem({ jsonrpc: "2.0", result: null, error: null, id: 3 }, 3), undefined, "a result beside error: null");
    assert.equal(answerProblem({ jsonrpc: "2.0", error: null, id: null }, 3), "no JSON-RPC answer to call 3");
    assert.equal(answerProblem(null, 3), "no JSON-RPC answer to call 3");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", error: null, id: null }], [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: null }], [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: 4 }, "x"], [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem({ jsonrpc: "2.0", error: null, id: null }, [4]), "no JSON-RPC answer to the batch");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", error: { code: 1 }, id: null }], [undefined]), undefined, "one error for a batch of notifications");
    assert.equal(batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: 4 }], [undefined]), "no JSON-RPC answer to the batch", "an answer to no call of the batch");
    assert.equal(batchAnswerProblem({}, [undefined]), "no JSON-RPC answer to the batch");
    assert.deepEqual(describedIdempotent({ id: 1, result: { methods: [{ name: "a", "x-idempotent": "yes" }, { name: "b", "x-idempotent": true }] } }, 1), new Set(["b"]));
    assert.deepEqual(describedIdempotent({ id: 1, result: { methods: [{ name: "a" }] } }, 1), new Set(), "a description that declares nothing");
  });

  it("text in messages: controls escaped in two or four hex digits, at most 300 characters", () => {
    assert.equal(safeText("a\u0001b\u007fc\u0085d\u009fe\u2028f\u2066"), "a\\x01b\\x7fc\\x85d\\x9fe\\u2028f\\u2066");
    assert.equal(safeText("ü and 日本 stay"), "ü and 日本 stay");
    assert.equal(safeText("x".repeat(300)), "x".repeat(300));
    assert.equal(safeText("y".repeat(301)), `${"y".repeat(300)}…`);
    assert.equal(safeText("see https://user@host/x"), "see https://host/x");
  });

  it("retry policy and back-off", async () => {
    assert.deepEqual(retryPolicy(), { attempts: 3, backoff: 25, maxBackoff: 1_000 });
    assert.deepEqual(retryPolicy({ attempts: 1, backoff: 0, maxBackoff: 0 }), { attempts: 1, backoff: 0, maxBackoff: 0 });
    for (const attempts of [0, 1.5, Number.NaN]) {
      assert.throws(() => retryPolicy({ attempts }), { name: "TypeError", message: "retry.attempts must be a positive integer" });
    }
    for (const retry of [{ backoff: -1 }, { maxBackoff: -1 }, { backoff: Number.NaN }]) {
      assert.throws(() => retryPolicy(retry), { name: "TypeError", message: "retry.backoff and retry.maxBackoff must not be negative" });
    }
    assert.equal(backoffDelay(retryPolicy(), 2, 0.5), 12.5, "half of the default 25 ms");
    assert.equal(backoffDelay(retryPolicy(), 9, 0.5), 500, "half of the default 1000 ms at most");
    const policy = retryPolicy({ backoff: 100, maxBackoff: 300 });
    assert.equal(backoffDelay(policy, 2, 1), 100);
    assert.equal(backoffDelay(policy, 3, 1), 200);
    assert.equal(backoffDelay(policy, 9, 0.5), 150);
    await sleep(60_000, AbortSignal.abort()); // an aborted signal: no wait at all
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await waiting;
    // A wait that ran its course leaves nothing on the caller's signal, however many it made.
    const patient = new AbortController();
    for (let i = 0; i < 3; i++) await sleep(1, patient.signal);
    assert.equal(getEventListeners(patient.signal, "abort").length, 0);
  });

  it("endpoint lists and sources", () => {
    const source = staticEndpoints(["http://a/api", { url: "http://b/api", weight: 2 }]);
    assert.equal(source.endpoints(), source.endpoints(), "the same array every time");
    assert.deepEqual(source.endpoints(), [{ url: "http://a/api" }, { url: "http://b/api", weight: 2 }]);
    assert.ok(isEndpointSource(source));
    assert.equal(isEndpointSource("http://a/api"), false);
    for (const urls of [[], "http://a/api"]) {
      assert.throws(() => staticEndpoints(urls as never), { name: "TypeError", message: "A list of endpoints needs at least one URL" });
    }
    for (const entry of [{ url: "" }, { url: 5 }, {}]) {
      assert.throws(() => staticEndpoints([entry as never]), { name: "TypeError", message: "Every endpoint needs a URL" });
    }
    assert.ok(Object.isFrozen((source.endpoints() as readonly Endpoint[])[1]), "an endpoint given cannot be changed behind the client's back");
    assert.throws(() => cluster(["http://a/api"], { attemptTimeout: 0 }), TypeError);
    assert.throws(() => cluster([]), TypeError);
    const replicas = new Cluster(source, { idempotent: ["get"] });
    assert.ok(replicas.isIdempotent("get"));
    assert.ok(replicas.isIdempotent("rpc.discover"));
    assert.equal(replicas.isIdempotent("put"), false);
    // What an instance declares counts for that instance only, never as the caller's word.
    replicas.learnIdempotent(["put"]);
    assert.equal(replicas.isIdempotent("put"), false);
    assert.equal(replicas.url, "");
  });

  it("host names to the character: labels of 63 at most, 253 in all (254 with the trailing dot), dotted quads only where the last label is a number", () => {
    const label = (n: number): string => "a".repeat(n);
    const longest = [label(63), label(63), label(63), label(61)].join(".");
    assert.equal(longest.length, 253);
    for (const name of [longest, `${longest}.`, label(63), "1.2.3.4", "a-b.c0", "x", "x.", "a.b."]) assert.equal(isHostName(name), true, name);
    for (const name of [`${longest}a`, `${longest}a.`, `${longest}..`, label(64), "", ".", "1.2.3.256", "a.1", "-a", 5 as unknown as string]) {
      assert.equal(isHostName(name), false, name);
    }
    const mapped = "0000:0000:0000:0000:0000:ffff:255.255.255.255";
    assert.equal(mapped.length, 45);
    assert.equal(isIpv6(mapped), true);
    assert.equal(isIpv6(`0${mapped}`), false, "46 characters");
    for (const address of ["::", "::1", "1::"]) assert.equal(isIpv6(address), true, address);
    for (const address of [":", "1234", "::g", "1:2:3", 6 as unknown as string]) assert.equal(isIpv6(address), false, address);
  });

  it("an endpoint's URL: each refusal in its own words", () => {
    const long = `http://a.test/${"x".repeat(2_048 - 14)}`;
    assert.equal(long.length, 2_048);
    for (const url of [long, "HTTPS://A.test", "http://a.test", "http://a.test?x=1", "http://a.test#top", "http://a.test/x@y", "http://a.test:1/", "http://a.test:00080/api", "http://[::1]/api", "http://10.0.0.5:5000/api", "http://a.test:5", "http://10.0.0.5"]) {
      assert.equal(endpointUrlProblem(url), undefined, url);
    }
    const refused: [string, string][] = [
      [`${long}x`, "longer than 2048 characters"],
      ["ftp://a.test/", "not an http(s) URL"],
      ["http:/a.test/", "not an http(s) URL"],
      ["http://ann@a.test/", "a URL with a user name or password"],
      ["http://ann:pw@a.test?x", "a URL with a user name or password"],
      ["http://a.test:/api", "not a host name with an optional port"],
      ["http://[::1/api", "not a host name with an optional port"],
      ["http://a.test:123456/", "not a host name with an optional port"],
      ["http://[10.0.0.1]/", "not a host name or IP address"],
      ["http://a_b.test/", "not a host name or IP address"],
      ["http://[::1g]/", "not a host name or IP address"],
      ["http://xn--a.test/", "not a URL"],
      ["http://a.test:0/", "a port out of range"],
      ["http://a.test:65536/", "a port out of range"],
      ["http://a.test/a b", "characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)"],
      ["http://a.test/a\\b", "characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)"],
      ["http://a.test?é", "characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)"],
    ];
    for (const [url, problem] of refused) assert.equal(endpointUrlProblem(url), problem, url);
  });

  it("a refused endpoint's report: where it came from, the value escaped, without credentials, cut at 200 characters", () => {
    const error = new EndpointError("dns", "_api._tcp.\u0007x.test", "http://ann:pw@a.test/\u001b[2J\u2028", "not a host name");
    assert.equal(error.name, "EndpointError");
    assert.equal(error.source, "dns");
    assert.equal(error.key, "_api._tcp.\\u0007x.test");
    assert.equal(error.value, "http://a.test/\\u001b[2J\\u2028");
    assert.equal(error.message, 'dns: refused the endpoint "http://a.test/\\u001b[2J\\u2028" of _api._tcp.\\u0007x.test: not a host name');
    assert.equal(new EndpointError("etcd", "k", "v".repeat(200), "r").value, "v".repeat(200));
    assert.equal(new EndpointError("etcd", "k".repeat(201), "v".repeat(201), "r").value, `${"v".repeat(200)}…`);
    assert.equal(new EndpointError("etcd", "k".repeat(201), "v", "r").key, `${"k".repeat(200)}…`);
  });

  it("a custom Upstream: the client sends through it with its own options, connect tells it the idempotent methods, close closes it", async () => {
    const { urls, fetch } = instances(1);
    const url = urls[0]!;
    const seen: { method: string; token: ClientOptions["token"]; timeout: number | undefined }[] = [];
    let learned: readonly string[] = [];
    let closed = 0;
    const upstream: Upstream = {
      url: "",
      async send(message, options, call) {
        seen.push({ method: message.method, token: options.token, timeout: call?.timeout });
        return { answer: await post(url, options, message, call), url };
      },
      sendBatch(entries, options, call) {
        seen.push({ method: `batch of ${entries.length}`, token: options.token, timeout: call?.timeout });
        return sendBatch(url, options, entries, call);
      },
      learnIdempotent(methods) {
        learned = methods;
      },
      close() {
        closed++;
      },
    };
    const remote = await connect(upstream, { fetch, token: "t0" });
    assert.equal(remote.name, "cluster.test.service");
    assert.deepEqual([...learned].sort(), ["fail", "whoami"], "what rpc.discover declares idempotent");
    assert.equal(await remote.call("whoami", [], { timeout: 1_234 }), "instance-0");
    const [who] = await remote.batch((b) => [b.call("whoami")]);
    assert.deepEqual(who, { ok: true, value: "instance-0" });
    assert.deepEqual(seen, [
      { method: "rpc.discover", token: "t0", timeout: undefined },
      { method: "whoami", token: "t0", timeout: 1_234 },
      { method: "batch of 1", token: "t0", timeout: undefined },
    ]);
    await remote.close();
    assert.equal(closed, 1);
    // A client of one URL has nothing to close.
    await createClient(url, { fetch }).close();
  });

  it("connect closes the source when the service cannot describe itself", async () => {
    let closed = false;
    const source: EndpointSource = {
      endpoints: () => [{ url: "http://nothing.test/api" }],
      close: () => {
        closed = true;
      },
    };
    const fetch: FetchFunction = () => Promise.resolve(new Response("{}", { headers: { "content-type": "application/json" } }));
    await assert.rejects(connect(cluster(source), { fetch }), TransportError);
    assert.ok(closed);
  });
});

describe("who may make a call run twice (idempotency across instances)", () => {
  it("an instance that declares a method idempotent cannot make an honest instance run it twice", async () => {
    // Instance 0 (another version, or a hostile one) declares `record` idempotent; 1 and 2 do not.
    const { urls, fetch, faults, executed, sent } = instances(3, [0]);
    const replicas = cluster(urls, { attemptTimeout: 50 });
    const remote = await connect(replicas, { fetch, timeout: 5_000 });
    assert.equal(remote.url, urls[0], "discovery was answered by the hostile instance");
    await declared(replicas, 3);
    assert.deepEqual(replicas.instances().map((instance) => instance.idempotent), [["fail", "record", "whoami"], ["fail", "whoami"], ["fail", "whoami"]]);
    // The honest instances reset the connection after running the call, then stop answering.
    for (const fault of ["reset-after", "hang"] as const) {
      faults.set(urls[1]!, fault);
      faults.set(urls[2]!, fault);
      for (let i = 0; i < 6; i++) {
        const key = `${fault}-${i}`;
        sent.length = 0;
        const outcome = await remote.call("record", [key]).then(String, (error: unknown) => (error as TransportError).kind);
        assert.equal(total(executed, key), 1, `${key} ran exactly once (${outcome})`);
        assert.equal(sent.length, 1, `${key} was sent once: ${sent.join(", ")}`);
        assert.equal(outcome, sent[0]?.startsWith(urls[0]!) ? "instance-0" : fault === "hang" ? "timeout" : "network");
      }
    }
    // What every instance declares is still sent again: whoami moves off a resetting instance.
    faults.set(urls[1]!, "reset-after");
    faults.set(urls[2]!, undefined);
    for (let i = 0; i < 3; i++) assert.notEqual(await remote.call("whoami"), "instance-1");
    await remote.close();
  });

  it("a method declared by some instances moves only between instances that declare it", async () => {
    // Instances 0 and 1 declare `record`; 2 does not. A reset on 0 may move it to 1, never to 2.
    const { urls, fetch, faults, executed, sent } = instances(3, [0, 1]);
    const replicas = cluster(urls);
    const remote = await connect(replicas, { fetch });
    await declared(replicas, 3);
    faults.set(urls[0]!, "reset-after");
    for (let i = 0; i < 6; i++) {
      sent.length = 0;
      const outcome = await remote.call("record", [`d${i}`]).then(String, (error: unknown) => (error as TransportError).kind);
      const order = sent.map((line) => urls.indexOf(line.split(" ")[0]!));
      if (order[0] === 0) assert.deepEqual([order, outcome], [[0, 1], "instance-1"], "from 0 (declares) to 1 (declares)");
      else assert.equal(sent.length, 1);
      assert.equal(executed.get(urls[2]!)?.filter((key) => key === `d${i}`).length ?? 0, order[0] === 2 ? 1 : 0, "never moved to 2");
    }
    // A batch follows the same rule, entry by entry.
    faults.set(urls[0]!, "reset-after");
    faults.set(urls[1]!, "reset-after");
    sent.length = 0;
    const batch = createClient(replicas, { fetch });
    const results = await batch.batch((b) => [b.call("record", ["b1"]), b.call("whoami")]).catch((error: unknown) => error);
    const order = sent.map((line) => urls.indexOf(line.split(" ")[0]!));
    if (order[0] === 2) {
      // Sent first to the instance that does not declare it: it answers, and nothing moves.
      assert.deepEqual(order, [2]);
      assert.ok(Array.isArray(results), String(results));
    } else {
      // From 0 or 1 it may move only between 0 and 1; both reset, so the caller is told.
      assert.ok(order.length >= 2 && order.length <= 3 && !order.includes(2), `moved only between 0 and 1: ${order.join(" → ")}`);
      assert.ok(results instanceof TransportError, String(results));
    }
    // Each instance ran the entry exactly as often as the batch was sent to it.
    for (const [index, url] of urls.entries()) {
      const runs = executed.get(url)?.filter((key) => key === "b1").length ?? 0;
      assert.equal(runs, order.filter((sentTo) => sentTo === index).length, `b1 on instance ${index}`);
    }
  });

  it("when no instance that declares the method can take it, the error says which ones do not declare it", async () => {
    // Instances 0 and 1 declare `record`; 2 does not. Both that declare it reset, and their breakers open.
    for (const batch of [false, true]) {
      const { urls, fetch, faults } = instances(3, [0, 1]);
      const clock = fakeClock();
      const replicas = new Cluster(staticEndpoints(urls), { breaker: { failureThreshold: 1 }, retry: { attempts: 3 } }, () => 0.5, clock.timers);
      const remote = await connect(replicas, { fetch });
      await declared(replicas, 3);
      // Round-robin: once instance 2 has answered, the next call goes to instance 0.
      for (let i = 0; i < 3 && (await remote.call("whoami")) !== "instance-2"; i++);
      faults.set(urls[0]!, "reset-after");
      faults.set(urls[1]!, "reset-after");
      const sending = batch ? remote.batch((b) => [b.call("record", ["r"]), b.call("whoami")]) : remote.call("record", ["r"]);
      const error = await sending.catch((caught: unknown) => caught);
      assert.ok(error instanceof TransportError, String(error));
      const reset = "last failure: network: other side closed";
      assert.equal(
        error.message,
        `unavailable error calling ${urls[0]}: no instance could take the call (3 attempts): ` +
          `${urls[0]} (breaker open; ${reset}), ${urls[1]} (breaker open; ${reset}), ${urls[2]} (does not declare ${batch ? "record, whoami" : "record"} idempotent). ` +
          "A service that is still starting: connect(…, { wait: ms }) keeps asking it for that long",
      );
      // Instance 2 was never tried, but it cannot take the call: a back-off before the third attempt.
      assert.deepEqual(clock.waits, [25]);
      assert.deepEqual(replicas.instances().map((instance) => instance.inFlight), [0, 0, 0]);
    }
  });

  it("asks each instance what it declares with the client's token, and close() ends a discovery under way", async () => {
    const { urls, fetch: inner, faults } = instances(2);
    const discoveries: { url: string; token: string | null; signal: AbortSignal | null | undefined }[] = [];
    const fetch: FetchFunction = (url, init) => {
      if ((init.body as string).includes('"rpc.discover"')) discoveries.push({ url, token: new Headers(init.headers).get("x-api-token"), signal: init.signal });
      return inner(url, init);
    };
    faults.set(urls[1]!, "hang");
    const replicas = cluster(urls);
    const remote = await connect(replicas, { fetch, token: "t1" });
    await sleep(5);
    assert.deepEqual(discoveries.map((discovery) => [discovery.url, discovery.token]), [[urls[0], "t1"], [urls[1], "t1"]]);
    assert.equal(replicas.instances()[1]?.idempotent, undefined, "not heard from yet");
    await remote.close();
    assert.equal(discoveries[1]?.signal?.aborted, true, "the discovery of the hung instance was ended");
  });

  it("the caller's word (per call, or the cluster's option) moves a call to any instance", async () => {
    const { urls, fetch, faults, executed } = instances(2);
    faults.set(urls[0]!, "reset-after");
    const remote = await connect(cluster(urls, { idempotent: ["record"] }), { fetch });
    for (let i = 0; i < 4; i++) assert.equal(await remote.call("record", [`c${i}`]), "instance-1");
    assert.equal(total(executed, "c0") + total(executed, "c1") + total(executed, "c2") + total(executed, "c3"), 6, "two reached the resetting instance first");
  });
});

describe("instances that do not speak JSON-RPC, and the breaker's rules", () => {
  for (const fault of ["html", "wrong-id", "404", "500"] as const) {
    it(`an instance answering ${fault} counts against its breaker; idempotent calls move on, others run once`, async () => {
      const { urls, fetch, faults, executed, sent } = instances(2);
      const replicas = cluster(urls, { breaker: { failureThreshold: 2, openFor: 60_000 } });
      const remote = createClient(replicas, { fetch });
      faults.set(urls[0]!, fault);
      sent.length = 0;
      // Idempotent: every call answers, from instance 1.
      for (let i = 0; i < 4; i++) assert.equal(await remote.call("whoami", [], { idempotent: true }), "instance-1");
      assert.equal(replicas.instances()[0]?.breaker, "open", "taken out after two such answers");
      assert.equal(sent.filter((line) => line.startsWith(urls[0]!)).length, 2, "then no more calls went there");
      assert.match(replicas.instances()[0]?.lastFailure ?? "", fault === "404" ? /^http: HTTP 404/ : fault === "500" ? /^http: HTTP 500/ : /^bad-response: /);
      // Not idempotent: the call reached the instance and may have run; it is not sent again.
      const fresh = cluster(urls, { breaker: { failureThreshold: 2 } });
      const plain = createClient(fresh, { fetch });
      const error = await plain.call("record", ["once"]).then(() => undefined, (reason: unknown) => reason);
      assert.ok(error instanceof TransportError && ["http", "bad-response"].includes(error.kind), String(error));
      assert.equal(total(executed, "once"), 1, "ran once");
    });
  }

  for (const fault of ["413", "429"] as const) {
    it(`a proxy's ${fault} page blames the call, not the instance: no breaker opens and the call is not sent again`, async () => {
      const { urls, fetch, faults, sent } = instances(2);
      const replicas = cluster(urls, { breaker: { failureThreshold: 2, openFor: 60_000 } });
      const remote = createClient(replicas, { fetch });
      for (const url of urls) faults.set(url, fault);
      sent.length = 0;
      for (let i = 0; i < 6; i++) {
        await assert.rejects(
          remote.call("whoami", [], { idempotent: true }),
          (error: unknown) => error instanceof TransportError && error.kind === "http" && error.status === Number(fault),
        );
      }
      assert.equal(sent.length, 6, "each call was sent once, not moved to the other instance");
      assert.deepEqual(replicas.instances().map((instance) => instance.breaker), ["closed", "closed"]);
      // Once the proxy lets calls through again, every caller is served at once.
      for (const url of urls) faults.set(url, undefined);
      assert.match(String(await remote.call("whoami")), /^instance-[01]$/);
    });
  }

  it("a half-open breaker lets one trial through, however many calls come at once (real sockets)", async () => {
    let hung = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new Service({ name: "trial.service" }).publicMethod("whoami", async () => {
      hung++;
      await gate;
      return "slow";
    }, { idempotent: true });
    const fast = new Service({ name: "trial.service" }).publicMethod("whoami", () => "fast", { idempotent: true });
    // A short closeTimeout: closing the hung instance otherwise waits about 4 s for a connection the client keeps.
    const servers = [await serve(slow, { hostname: "127.0.0.1", port: 0, closeTimeout: 100 }), await serve(fast, { hostname: "127.0.0.1", port: 0, closeTimeout: 100 })];
    try {
      const clock = fakeClock();
      const replicas = new Cluster(
        staticEndpoints(servers.map((server) => `${server.url}/api`)),
        { breaker: { failureThreshold: 1, openFor: 1_000 }, idempotent: ["whoami"] },
        () => 0.5,
        clock.timers,
      );
      const remote = createClient(replicas, { timeout: 10_000 });
      // A call with a short time of its own times out on the hung instance: its breaker opens.
      await assert.rejects(remote.call("whoami", [], { timeout: 200 }), (error: unknown) => error instanceof TransportError && error.kind === "timeout");
      assert.equal(replicas.instances()[0]?.breaker, "open");
      assert.equal(hung, 1);
      clock.advance(1_001);
      let fast = 0;
      const answers = Promise.all(Array.from({ length: 20 }, () => remote.call("whoami").then((answer) => (answer === "fast" && fast++, answer))));
      // Every call but the trial answers from the other instance; the trial waits on the hung one.
      for (let i = 0; i < 200 && fast < 19; i++) await sleep(10);
      assert.equal(hung, 2, "exactly one trial call reached the hung instance");
      assert.equal(fast, 19);
      release();
      assert.deepEqual((await answers).filter((answer) => answer === "slow").length, 1);
      assert.equal(replicas.instances()[0]?.breaker, "closed", "the trial's answer closed it");
    } finally {
      release();
      for (const server of servers) await server.close();
    }
  });

  it("a failed trial opens the breaker again, and the next open time over lets a new trial through", async () => {
    const { urls, fetch, faults, sent } = instances(1);
    const clock = fakeClock();
    const replicas = new Cluster(staticEndpoints(urls), { breaker: { failureThreshold: 3, openFor: 1_000 }, retry: { attempts: 1 } }, () => 0.5, clock.timers);
    const remote = createClient(replicas, { fetch });
    faults.set(urls[0]!, "refuse");
    await assert.rejects(remote.call("whoami"), /ECONNREFUSED/);
    assert.equal(replicas.instances()[0]?.breaker, "open", "a refusal opens it at once");
    clock.advance(1_000);
    // The trial meets a 503 page: one failure of three, but a trial's failure opens it again.
    faults.set(urls[0]!, "503");
    await assert.rejects(remote.call("whoami"), /HTTP 503/);
    assert.equal(replicas.instances()[0]?.breaker, "open");
    await assert.rejects(remote.call("whoami"), (error: unknown) => error instanceof TransportError && error.kind === "unavailable");
    clock.advance(1_999);
    await assert.rejects(remote.call("whoami"), (error: unknown) => error instanceof TransportError && error.kind === "unavailable", "open twice as long");
    clock.advance(1);
    faults.set(urls[0]!, undefined);
    sent.length = 0;
    assert.equal(await remote.call("whoami"), "instance-0", "a new trial, which closes it");
    assert.equal(replicas.instances()[0]?.breaker, "closed");
    assert.equal(sent.length, 1);
  });

  it("late failures of calls in flight do not open the breaker again once a trial closed it", async () => {
    const { urls, fetch: inner, faults } = instances(1);
    // The first two calls hang until released; everything after answers.
    const held: (() => void)[] = [];
    const fetch: FetchFunction = (url, init) => {
      if (held.length < 2) {
        return new Promise((_resolve, reject) => held.push(() => reject(new TypeError("fetch failed", { cause: new Error("other side closed") }))));
      }
      return inner(url, init);
    };
    const clock = fakeClock();
    const replicas = new Cluster(staticEndpoints(urls), { breaker: { failureThreshold: 1, openFor: 1_000 }, retry: { attempts: 1 } }, () => 0.5, clock.timers);
    const remote = createClient(replicas, { fetch });
    const first = remote.call("whoami", [], { idempotent: false }).catch((error: unknown) => error);
    const second = remote.call("whoami", [], { idempotent: false }).catch((error: unknown) => error);
    while (held.length < 2) await sleep(1);
    held[0]!();
    assert.ok((await first) instanceof TransportError);
    assert.equal(replicas.instances()[0]?.breaker, "open");
    clock.advance(1_000);
    faults.set(urls[0]!, undefined);
    assert.equal(await remote.call("whoami"), "instance-0", "the trial");
    assert.equal(replicas.instances()[0]?.breaker, "closed");
    // The second call was sent before the breaker opened: its failure now says nothing new.
    held[1]!();
    assert.ok((await second) instanceof TransportError);
    assert.equal(replicas.instances()[0]?.breaker, "closed");
    assert.equal(await remote.call("whoami"), "instance-0");
  });

  it("a trial that fails for the call's own reasons (a 413 page, params JSON cannot carry) lets the next call be the trial", async () => {
    const { urls, fetch, faults } = instances(1);
    const clock = fakeClock();
    const replicas = new Cluster(staticEndpoints(urls), { breaker: { failureThreshold: 1, openFor: 1_000 }, retry: { attempts: 1 } }, () => 0.5, clock.timers);
    const remote = createClient(replicas, { fetch });
    faults.set(urls[0]!, "refuse");
    await assert.rejects(remote.call("whoami"), /ECONNREFUSED/);
    clock.advance(1_000);
    faults.set(urls[0]!, "413");
    await assert.rejects(remote.call("whoami"), /HTTP 413/);
    assert.equal(replicas.instances()[0]?.breaker, "half-open");
    faults.set(urls[0]!, undefined);
    await assert.rejects(remote.call("whoami", [1n]), TypeError);
    assert.equal(await remote.call("whoami"), "instance-0", "still a trial to be had");
    assert.equal(replicas.instances()[0]?.breaker, "closed");
  });

  it("asks an instance again what it declares after a discovery that failed, and when it comes back after its breaker opened", async () => {
    const { urls, fetch, faults } = instances(2);
    const discoveries: string[] = [];
    let refuseOnce = true;
    const watching: FetchFunction = (url, init) => {
      if ((JSON.parse(init.body as string) as { method: string }).method === "rpc.discover") {
        discoveries.push(url);
        if (url === urls[1] && refuseOnce) {
          refuseOnce = false;
          return Promise.resolve(new Response("down", { status: 503 }));
        }
      }
      return fetch(url, init);
    };
    const asked = (): number => discoveries.filter((url) => url === urls[1]).length;
    const until = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !done(); i++) await sleep(2);
      await sleep(5);
    };
    const clock = fakeClock();
    const replicas = new Cluster(staticEndpoints(urls), { breaker: { failureThreshold: 1, openFor: 1_000 } }, () => 0.5, clock.timers);
    const remote = await connect(replicas, { fetch: watching });
    await until(() => asked() === 1);
    assert.equal(replicas.instances()[1]?.idempotent, undefined, "its discovery failed");
    for (let i = 0; i < 2; i++) await remote.call("whoami");
    await until(() => asked() === 2);
    assert.deepEqual(replicas.instances()[1]?.idempotent, ["fail", "whoami"], "asked again after its next answer");
    faults.set(urls[1]!, "refuse");
    for (let i = 0; i < 2; i++) await remote.call("whoami");
    assert.equal(replicas.instances()[1]?.breaker, "open");
    faults.set(urls[1]!, undefined);
    clock.advance(1_000);
    for (let i = 0; i < 2; i++) await remote.call("whoami");
    await until(() => asked() === 3);
    assert.equal(asked(), 3, "back after its breaker opened: asked again");
    assert.equal(replicas.instances()[1]?.breaker, "closed");
    await remote.close();
  });

  it("a breaker already open is not opened again (for longer) by failures that come late", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openFor: 1_000 }, () => 0.5);
    breaker.failure(0, false);
    assert.equal(breaker.allows(999), false);
    // A call that was sent before it opened fails after its open time is over, before anyone asked.
    breaker.failure(1_500, false);
    assert.equal(breaker.allows(1_500), true, "still the first open time: not doubled from 1500");
    const ticket = breaker.begin(1_500);
    assert.equal(ticket.trial, true);
    breaker.failure(1_500, false, { epoch: 0, trial: false }); // from before the opening
    assert.equal(breaker.state, "half-open", "the trial is still under way");
    assert.equal(breaker.allows(1_500), false);
    breaker.failure(1_600, false, ticket);
    assert.equal(breaker.state, "open");
    assert.equal(breaker.allows(3_599), false, "twice as long after a failed trial");
    assert.equal(breaker.allows(3_600), true);
  });

  it("an HTTP 500 page counts against the instance and an idempotent call is sent again", async () => {
    const { urls, fetch, faults, sent } = instances(2);
    const replicas = cluster(urls, { breaker: { failureThreshold: 1 } });
    const remote = createClient(replicas, { fetch });
    faults.set(urls[0]!, "500");
    assert.equal(await remote.call("whoami", [], { idempotent: true }), "instance-1");
    assert.deepEqual(sent, [`${urls[0]} whoami`, `${urls[1]} whoami`]);
    assert.equal(replicas.instances()[0]?.breaker, "open");
  });

  it("a retry goes to an instance not tried yet, even one the balancing would not choose next", async () => {
    const { urls, fetch, faults, sent } = instances(2);
    // Weights 10:1: the balancer would choose instance 0 again.
    const replicas = cluster([{ url: urls[0]!, weight: 10 }, { url: urls[1]!, weight: 1 }], { breaker: { failureThreshold: 5 } });
    const remote = createClient(replicas, { fetch });
    faults.set(urls[0]!, "503");
    assert.equal(await remote.call("whoami", [], { idempotent: true }), "instance-1");
    assert.deepEqual(sent, [`${urls[0]} whoami`, `${urls[1]} whoami`]);
  });

  it("makes exactly retry.attempts attempts, not one more", async () => {
    const { urls, fetch, faults, sent } = instances(4);
    for (const url of urls) faults.set(url, "503");
    for (const attempts of [1, 2, 3, 5]) {
      sent.length = 0;
      const clock = fakeClock();
      const remote = createClient(new Cluster(staticEndpoints(urls), { retry: { attempts }, breaker: { failureThreshold: 100 } }, () => 0.5, clock.timers), { fetch });
      await assert.rejects(remote.call("whoami", [], { idempotent: true }), /HTTP 503/);
      assert.equal(sent.length, attempts, `${attempts} attempts`);
    }
  });

  it("backs off before sending to an instance already tried, never before an untried one", async () => {
    const { urls, fetch, faults, sent } = instances(2);
    for (const url of urls) faults.set(url, "503");
    const clock = fakeClock();
    const remote = createClient(
      new Cluster(staticEndpoints(urls), { retry: { attempts: 4, backoff: 100, maxBackoff: 1_000 }, breaker: { failureThreshold: 100 } }, () => 0.5, clock.timers),
      { fetch },
    );
    await assert.rejects(remote.call("whoami", [], { idempotent: true }), /HTTP 503/);
    assert.equal(sent.length, 4);
    // 1st → instance 0; 2nd → instance 1 at once; 3rd and 4th: both tried, so half of 200 and of 400 ms.
    assert.deepEqual(clock.waits, [100, 200]);
  });

  it("the unavailable error, word for word: the attempts made, each instance and why it is out", async () => {
    const { urls, fetch, faults } = instances(2);
    for (const url of urls) faults.set(url, "refuse");
    const out = (url: string): string => `${url} (breaker open; last failure: network: connect ECONNREFUSED)`;
    const hint = "A service that is still starting: connect(…, { wait: ms }) keeps asking it for that long";
    const three = createClient(new Cluster(staticEndpoints(urls), { retry: { attempts: 3 } }, () => 0.5, fakeClock().timers), { fetch });
    await assert.rejects(three.call("whoami"), {
      name: "TransportError",
      message: `unavailable error calling ${urls[0]}: no instance could take the call (3 attempts): ${out(urls[0]!)}, ${out(urls[1]!)}. ${hint}`,
    });
    const one = new Cluster(staticEndpoints(urls), { retry: { attempts: 1 }, breaker: { failureThreshold: 1 } }, () => 0.5, fakeClock().timers);
    for (const instance of one.instances()) assert.equal(instance.breaker, "closed");
    await assert.rejects(createClient(one, { fetch }).call("whoami"), { message: `network error calling ${urls[0]}: connect ECONNREFUSED` });
    await assert.rejects(createClient(one, { fetch }).call("whoami"), { message: `network error calling ${urls[1]}: connect ECONNREFUSED` });
    await assert.rejects(createClient(one, { fetch }).call("whoami"), {
      message: `unavailable error calling ${urls[0]}: no instance could take the call (1 attempt): ${out(urls[0]!)}, ${out(urls[1]!)}. ${hint}`,
    });
    assert.deepEqual(one.instances().map((instance) => instance.lastFailure), ["network: connect ECONNREFUSED", "network: connect ECONNREFUSED"]);
  });

  it("asks each instance what it declares within the attempt's time, the client's, or 10 s at most", async () => {
    for (const [clientTimeout, attemptTimeout, expected] of [[undefined, undefined, "10000"], [4_000, undefined, "4000"], [60_000, undefined, "10000"], [Infinity, undefined, "10000"], [60_000, 700, "700"]] as const) {
      const { urls, fetch, headers } = instances(2);
      const seen: string[] = [];
      const watching: FetchFunction = (url, init) => {
        if ((JSON.parse(init.body as string) as { method: string }).method === "rpc.discover") seen.push(`${url} ${new Headers(init.headers).get(REQUEST_TIMEOUT_HEADER) ?? "-"}`);
        return fetch(url, init);
      };
      const replicas = cluster(urls, attemptTimeout === undefined ? {} : { attemptTimeout });
      await connect(replicas, clientTimeout === undefined ? { fetch: watching } : { fetch: watching, timeout: clientTimeout });
      await declared(replicas, 2);
      assert.equal(seen.length, 2, "connect's own discovery, then the other instance's");
      assert.equal(seen[1], `${urls[1]} ${expected}`, String(clientTimeout));
      assert.ok(headers.length > 0);
      await replicas.close();
    }
  });

  it("a source that empties while a call is under way: the call ends unavailable, with no instance known", async () => {
    const { urls, fetch } = instances(1);
    let current: readonly Endpoint[] = [{ url: urls[0]! }];
    let push: ((list: readonly Endpoint[]) => void) | undefined;
    const source: EndpointSource = {
      endpoints: () => current,
      subscribe(listener) {
        push = listener;
        return () => (push = undefined);
      },
    };
    const emptying: FetchFunction = async (url, init) => {
      await fetch(url, init);
      current = [];
      push?.(current);
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    };
    const remote = createClient(new Cluster(source, { idempotent: true }, () => 0.5, fakeClock().timers), { fetch: emptying });
    await assert.rejects(remote.call("whoami"), {
      name: "TransportError",
      message: "unavailable error calling the cluster: no instance is known: its endpoint source gave none",
    });
  });

  it("names the instance this call failed on first, whatever the source's order", async () => {
    const { urls, fetch, faults } = instances(2);
    const remote = createClient(new Cluster(staticEndpoints(urls), {}, () => 0.5, fakeClock().timers), { fetch });
    assert.equal(await remote.call("whoami"), "instance-0");
    for (const url of urls) faults.set(url, "refuse");
    await assert.rejects(remote.call("whoami"), (error: unknown) => error instanceof TransportError && error.kind === "unavailable" && error.url === urls[1]);
  });

  it("an answer that is not JSON-RPC is a bad-response with the HTTP status it came with", async () => {
    const { urls, fetch, faults } = instances(1);
    faults.set(urls[0]!, "wrong-id");
    const error = await createClient(cluster(urls), { fetch }).call("record", ["x"]).catch((caught: unknown) => caught);
    assert.ok(error instanceof TransportError, String(error));
    assert.deepEqual([error.kind, error.status], ["bad-response", 200]);
    assert.match(error.message, /no JSON-RPC answer to call \d+$/);
  });

  it("gives up instead of backing off past the deadline; a back-off that ends before it is waited", async (t) => {
    for (const [spent, outcome] of [[487.5, "HTTP 503"], [487, "instance-0"]] as const) {
      let now = 1_000_000;
      t.mock.method(Date, "now", () => now);
      const { urls, fetch } = instances(1);
      let first = true;
      const slowFailure: FetchFunction = (url, init) => {
        if (!first) return fetch(url, init);
        first = false;
        now += spent; // the first attempt takes that long, then fails
        return Promise.resolve(new Response("<h1>busy</h1>", { status: 503 }));
      };
      const clock = fakeClock();
      const remote = createClient(new Cluster(staticEndpoints(urls), { idempotent: true }, () => 0.5, clock.timers), { fetch: slowFailure, timeout: 500 });
      // The back-off before the second attempt: 12.5 ms (half of 25); 12.5 ms were left after 487.5.
      const answer = await remote.call("whoami").catch((error: unknown) => (error as Error).message);
      assert.ok(String(answer).includes(outcome), `${spent}: ${String(answer)}`);
      assert.deepEqual(clock.waits, spent === 487 ? [12.5] : []);
      t.mock.restoreAll();
    }
  });

  it("with nothing listening, the error names every instance, its last failure and the wait option (real sockets)", async () => {
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const server = await serve(new Service({ name: "gone" }), { hostname: "127.0.0.1", port: 0 });
      ports.push(server.port);
      await server.close();
    }
    const urls = ports.map((port) => `http://127.0.0.1:${port}/api`);
    const error = await connect(cluster(urls)).then(() => undefined, (reason: unknown) => reason);
    assert.ok(error instanceof TransportError && error.kind === "unavailable", String(error));
    for (const url of urls) assert.match(error.message, new RegExp(`${url.replaceAll(".", "\\.")} \\(breaker open; last failure: network: [^)]*(ECONNREFUSED|refused)`));
    assert.match(error.message, /connect\(…, \{ wait: ms \}\)/);
    assert.equal(error.url, urls[0]);
    assert.doesNotMatch(error.message, /calling :/);
  });
});
