// The client of several instances, in process: each instance is a Service whose fetch a custom
// `fetch` calls, and faults (refused, reset after sending, 503 pages, slow answers) are made by that
// fetch, so the failover rules are checked exactly: which calls move, which are sent twice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CircuitBreaker,
  Cluster,
  cluster,
  connect,
  createClient,
  type Endpoint,
  type EndpointSource,
  type FetchFunction,
  instanceFailed,
  isEndpointSource,
  mayRetry,
  neverSent,
  REQUEST_TIMEOUT_HEADER,
  RpcError,
  Service,
  staticEndpoints,
  TransportError,
  type Upstream,
} from "../mod.ts";
import { sendBatch } from "../src/client/batch.ts";
import { post } from "../src/client/transport.ts";
import { Balancer } from "../src/client/cluster/balancer.ts";
import { backoffDelay, retryPolicy, sleep } from "../src/client/cluster/retry.ts";

type Fault = "refuse" | "reset-after" | "503" | "hang" | undefined;

/** Three (or n) instances of one service in process, with a fault switch per instance. */
function instances(n = 3): {
  urls: string[];
  fetch: FetchFunction;
  executed: Map<string, string[]>;
  faults: Map<string, Fault>;
  headers: Headers[];
} {
  const executed = new Map<string, string[]>();
  const faults = new Map<string, Fault>();
  const headers: Headers[] = [];
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
        })
        .publicMethod("fail", () => {
          throw new RpcError(9, "fails on purpose");
        }, { idempotent: true }),
    );
  }
  const refused = (): Error =>
    new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
  const fetch: FetchFunction = async (url, init) => {
    headers.push(new Headers(init.headers));
    const fault = faults.get(url);
    if (fault === "refuse") throw refused();
    if (fault === "hang") {
      // A real socket keeps the event loop alive while it waits; so does this timer.
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
    return response;
  };
  return { urls, fetch, executed, faults, headers };
}

const total = (executed: Map<string, string[]>, key: string): number =>
  [...executed.values()].reduce((sum, keys) => sum + keys.filter((k) => k === key).length, 0);

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

  it("learns from rpc.discover which methods are idempotent", async () => {
    const { urls, fetch, faults } = instances(2);
    const remote = await connect(cluster(urls), { fetch });
    faults.set(urls[0]!, "reset-after");
    faults.set(urls[1]!, undefined);
    // whoami is declared idempotent: a reset after sending moves it, and it succeeds.
    for (let i = 0; i < 4; i++) assert.equal(await remote.call("whoami"), "instance-1");
    // record is not: a reset after sending is the caller's failure, never a second execution.
    const error = await remote.call("record", ["k"]).then(() => undefined, (reason: unknown) => reason);
    // Instance 1 answers unless round-robin sent it to instance 0, where it fails once for good.
    assert.ok(error === undefined || (error instanceof TransportError && error.kind === "network"));
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
    await assert.rejects(createClient(cluster(empty, { retry: { attempts: 2, backoff: 1 } })).call("x"), /no instance is known/);
    const broken: EndpointSource = { endpoints: () => Promise.reject(new Error("registry down")) };
    await assert.rejects(createClient(cluster(broken, { retry: { attempts: 1 } })).call("x"), /registry down/);
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
    const e = await call.catch((x: unknown) => x);
    console.log("T12", e, replicas.instances());
    await assert.rejects(Promise.reject(e), (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    console.log("A");
    assert.deepEqual(replicas.instances().map((instance) => instance.breaker), ["closed", "closed"]);
    console.log("B");
    const e2 = await remote.call("whoami", [], { signal: AbortSignal.abort() }).catch((x: unknown) => x);
    console.log("C", e2);
    await assert.rejects(Promise.reject(e2), TransportError);
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

  it("retry policy and back-off", async () => {
    assert.deepEqual(retryPolicy(), { attempts: 3, backoff: 25, maxBackoff: 1_000 });
    assert.throws(() => retryPolicy({ attempts: 0 }), TypeError);
    assert.throws(() => retryPolicy({ backoff: -1 }), TypeError);
    const policy = retryPolicy({ backoff: 100, maxBackoff: 300 });
    assert.equal(backoffDelay(policy, 2, 1), 100);
    assert.equal(backoffDelay(policy, 3, 1), 200);
    assert.equal(backoffDelay(policy, 9, 0.5), 150);
    await sleep(1, AbortSignal.abort());
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await waiting;
  });

  it("endpoint lists and sources", () => {
    const source = staticEndpoints(["http://a/api", { url: "http://b/api", weight: 2 }]);
    assert.equal(source.endpoints(), source.endpoints(), "the same array every time");
    assert.deepEqual(source.endpoints(), [{ url: "http://a/api" }, { url: "http://b/api", weight: 2 }]);
    assert.ok(isEndpointSource(source));
    assert.equal(isEndpointSource("http://a/api"), false);
    assert.throws(() => staticEndpoints([]), TypeError);
    assert.throws(() => staticEndpoints([{ url: "" }]), TypeError);
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

  it("a custom Upstream: the client sends through it with its own options, connect tells it the idempotent methods, close closes it", async () => {
    const { urls, fetch } = instances(1);
    const url = urls[0]!;
    const seen: { method: string; token: string | undefined; timeout: number | undefined }[] = [];
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
