// The etcd registry without etcd: a registration that never blocks while etcd cannot be reached, what
// etcd may give a client, a followed source, the lease on a mocked clock (test/services/ has the real etcd).
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { type FetchFunction, Service } from "../mod.ts";
import { EndpointError, EtcdError, etcdRegistry } from "../src/etcd/mod.ts";
import { Lifecycle } from "../src/core/lifecycle.ts";
import { fromBase64, toBase64 } from "../src/etcd/gateway.ts";

describe("etcdRegistry without etcd", () => {
  it("start returns at once and keeps trying; stop ends it in bounded time", async () => {
    let tries = 0;
    const fetch: FetchFunction = () => {
      tries++;
      return Promise.reject(new TypeError("fetch failed"));
    };
    const told: Error[] = [];
    const registry = etcdRegistry({ endpoints: ["http://down.test"], fetch, maxBackoff: 20, onError: (error) => told.push(error) });
    const registration = registry.register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    assert.equal(registration.name, "etcd-registration");
    const returned = registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    assert.equal(returned, undefined, "start does not wait for etcd");
    assert.equal(registration.registered, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(tries >= 2, "it tried again");
    assert.equal(registration.key, "/tsmicroservice/services/orders.service/a1");
    assert.deepEqual(told.map((error) => error.message), [
      "etcd registration of /tsmicroservice/services/orders.service/a1 failed, trying again: no etcd endpoint answered",
    ], "told once for the whole run of failures, not per try");
    await registration.stop();
    await registration.stop();
    assert.throws(() => etcdRegistry({ endpoints: ["http://x"], ttl: 0 }), TypeError);
  });

  it("a source rejects its first endpoints() while etcd is down, and closes", async () => {
    const fetch: FetchFunction = () => Promise.reject(new TypeError("fetch failed"));
    const source = etcdRegistry({ endpoints: ["http://down.test"], fetch, maxBackoff: 20 }).find("orders.service");
    await assert.rejects(Promise.resolve(source.endpoints()), EtcdError);
    await source.close?.();
  });

  it("reads instances from JSON values or plain URLs, and follows the watch", async () => {
    const key = (id: string): string => toBase64(`/tsmicroservice/services/orders.service/${id}`);
    let watchBody: ReadableStreamDefaultController<Uint8Array> | undefined;
    const fetch: FetchFunction = (url) => {
      if (url.endsWith("/v3/kv/range")) {
        return Promise.resolve(new Response(JSON.stringify({
          header: { revision: "5" },
          kvs: [
            { key: key("a"), value: toBase64(JSON.stringify({ url: "http://10.0.0.1/api" })) },
            { key: key("b"), value: toBase64("http://10.0.0.2/api") },
            { key: key("c"), value: toBase64("not a url") },
          ],
        })));
      }
      const body = new ReadableStream<Uint8Array>({ start: (controller) => (watchBody = controller) });
      return Promise.resolve(new Response(body));
    };
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch }).find("orders.service");
    const lists: string[][] = [];
    const stop = source.subscribe?.((list) => lists.push(list.map((endpoint) => endpoint.url)));
    assert.deepEqual((await source.endpoints()).map((endpoint) => endpoint.url), ["http://10.0.0.1/api", "http://10.0.0.2/api"]);
    for (let i = 0; i < 50 && watchBody === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const line = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value)}\n`);
    watchBody?.enqueue(line({ result: { created: true } }));
    watchBody?.enqueue(line({ result: { events: [{ type: "DELETE", kv: { key: key("a") } }, { kv: { key: key("d"), value: toBase64("http://10.0.0.4/api") } }] } }));
    for (let i = 0; i < 50 && lists.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(lists.at(-1), ["http://10.0.0.2/api", "http://10.0.0.4/api"]);
    stop?.();
    await source.close?.();
  });
});

/** A fake etcd gateway: range answers `kvs`, the watch streams what the test enqueues, leases and puts are counted. */
function fakeEtcd(kvs: { key: string; value: string }[] = []): {
  fetch: FetchFunction;
  calls: string[];
  watch: () => ReadableStreamDefaultController<Uint8Array> | undefined;
  puts: { key: string; value: string }[];
} {
  const calls: string[] = [];
  const puts: { key: string; value: string }[] = [];
  let watchBody: ReadableStreamDefaultController<Uint8Array> | undefined;
  let lease = 0;
  const fetch: FetchFunction = (url, init) => {
    const path = new URL(url).pathname;
    calls.push(path);
    const body = JSON.parse(init.body as string) as { key?: string; value?: string };
    switch (path) {
      case "/v3/kv/range":
        return Promise.resolve(Response.json({
          header: { revision: "5" },
          kvs: kvs.map((kv) => ({ key: toBase64(kv.key), value: toBase64(kv.value) })),
        }));
      case "/v3/watch":
        return Promise.resolve(new Response(new ReadableStream<Uint8Array>({ start: (controller) => (watchBody = controller) })));
      case "/v3/lease/grant":
        return Promise.resolve(Response.json({ ID: String(++lease), TTL: "5" }));
      case "/v3/kv/put":
        puts.push({ key: fromBase64(body.key ?? ""), value: fromBase64(body.value ?? "") });
        return Promise.resolve(Response.json({ header: {} }));
      case "/v3/lease/keepalive":
        return Promise.resolve(Response.json({ result: { TTL: "5" } }));
      case "/v3/kv/deleterange":
        // A delete that takes a while, as over a network: what may start meanwhile must wait for it.
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            calls.push("deleted");
            resolve(Response.json({ header: {} }));
          }, 20);
          init.signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(init.signal?.reason as Error);
          });
        });
      default:
        return Promise.resolve(Response.json({ header: {} }));
    }
  };
  return { fetch, calls, watch: () => watchBody, puts };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never: ${what}`);
}

describe("what etcd may give a client", () => {
  it("only http(s) URLs to host names: data:, file:, javascript: and the rest are told to onError once and never called", async () => {
    const key = (id: string): string => `/tsmicroservice/services/orders.service/${id}`;
    const hostile = {
      data: 'data:application/json,{"jsonrpc":"2.0","result":"forged","id":1}',
      file: "file:///etc/passwd",
      js: "javascript:alert(1)",
      junk: "not a url",
      json: JSON.stringify({ url: "data:,{}" }),
      creds: JSON.stringify({ url: "http://ann:secret@10.0.0.9/api" }),
      brokenJson: '{"url": "http://10.0.0.8/api"',
      escape: "http://10.0.0.7/api\u001b]52;c;aGk=\u0007",
    };
    const etcd = fakeEtcd([
      { key: key("good"), value: JSON.stringify({ url: "http://10.0.0.1:5000/api" }) },
      { key: key("plain"), value: "https://orders.internal/api" },
      ...Object.entries(hostile).map(([id, value]) => ({ key: key(id), value })),
    ]);
    const told: Error[] = [];
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, onError: (error) => told.push(error), maxBackoff: 20 })
      .find("orders.service");
    const lists: string[][] = [];
    source.subscribe?.((list) => lists.push(list.map((endpoint) => endpoint.url)));
    assert.deepEqual((await source.endpoints()).map((endpoint) => endpoint.url), ["http://10.0.0.1:5000/api", "https://orders.internal/api"]);
    await until(() => etcd.watch() !== undefined, "the watch");
    const line = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value)}\n`);
    etcd.watch()?.enqueue(line({ result: { events: [{ kv: { key: toBase64(key("later")), value: toBase64("javascript:fetch('//x')") } }] } }));
    etcd.watch()?.enqueue(line({ result: { events: [{ kv: { key: toBase64(key("ok2")), value: toBase64("http://10.0.0.2/api") } }] } }));
    await until(() => lists.at(-1)?.length === 3, "the watch's good value");
    assert.deepEqual(lists.at(-1), ["http://10.0.0.1:5000/api", "http://10.0.0.2/api", "https://orders.internal/api"]);
    assert.equal(told.length, Object.keys(hostile).length + 1, told.map((error) => error.message).join("\n"));
    assert.ok(told.every((error) => error instanceof EndpointError && error.source === "etcd"));
    const messages = told.map((error) => error.message).join("\n");
    assert.match(messages, /refused the endpoint "data:application\/json.*not an http\(s\) URL/);
    assert.match(messages, /"file:\/\/\/etc\/passwd" of \/tsmicroservice\/services\/orders\.service\/file: not an http\(s\) URL/);
    assert.match(messages, /"javascript:alert\(1\)"/);
    assert.match(messages, /\/brokenJson: not JSON, nor an http\(s\) URL/);
    assert.match(messages, /"http:\/\/10\.0\.0\.9\/api".*user name or password/, "credentials are told as absent");
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(messages, /secret|\u001b|\u0007/, "no credentials, no terminal escapes");
    // Read again after the watch ends (etcd restarted): the same refused values are not told again.
    etcd.watch()?.close();
    await until(() => etcd.calls.filter((path) => path === "/v3/kv/range").length >= 2, "the values read again");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(told.length, Object.keys(hostile).length + 1);
    await source.close?.();
    assert.throws(() => etcdRegistry({ endpoints: ["http://etcd.test"] }).register({ url: "file:///x" }), /not an http\(s\) URL/);
  });

  it("a watch message over maxWatchMessage ends the watch with a clear error, and the source reads everything again", async () => {
    const etcd = fakeEtcd([{ key: "/tsmicroservice/services/s/a", value: "http://10.0.0.1/api" }]);
    const told: Error[] = [];
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, onError: (error) => told.push(error), maxBackoff: 20, maxWatchMessage: 1_000 })
      .find("s");
    await source.endpoints();
    await until(() => etcd.watch() !== undefined, "the watch");
    const first = etcd.watch();
    // No newline: one message that never ends.
    for (let i = 0; i < 3; i++) first?.enqueue(new TextEncoder().encode("x".repeat(400)));
    await until(() => told.length > 0, "the error told");
    assert.ok(told[0] instanceof EtcdError && told[0].tooLarge, String(told[0]));
    assert.match(told[0].message, /watch message longer than 1000 characters \(the registry's maxWatchMessage\)/);
    await until(() => etcd.calls.filter((path) => path === "/v3/kv/range").length >= 2, "read again");
    assert.equal((await source.endpoints()).length, 1, "the instances stay known");
    await source.close?.();
    assert.throws(() => etcdRegistry({ endpoints: ["http://x"], maxWatchMessage: 0 }), TypeError);
  });
});

describe("a registration after a stop or a failed start", () => {
  it("registers again when started after a stop", async () => {
    const etcd = fakeEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    const service = { name: "orders.service", version: "1.0.0" };
    registration.start({ service });
    await until(() => registration.registered, "registered");
    await registration.stop();
    assert.equal(registration.registered, false);
    assert.equal(etcd.calls.filter((path) => path === "deleted").length, 1);
    registration.start({ service });
    await until(() => registration.registered, "registered again after stop-then-start");
    assert.equal(etcd.puts.length, 2);
    // Started again while a stop is still deleting the key: the new registration waits for it, so
    // the key is written after the delete and the instance stays listed.
    const stopping = registration.stop();
    registration.start({ service });
    await stopping;
    await until(() => registration.registered, "registered again after a start during the stop");
    const lastDelete = etcd.calls.lastIndexOf("deleted");
    assert.equal(etcd.calls.lastIndexOf("/v3/kv/put") > lastDelete, true, `the put comes after the delete: ${etcd.calls.join(" ")}`);
    await registration.stop();
  });

  it("a service whose start failed (another plugin threw) registers once a later start succeeds", async () => {
    const etcd = fakeEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch }).register({ url: "http://10.0.0.5:5000/api" });
    let failing = true;
    const service = new Service({ name: "orders.service" })
      .use(registration)
      .use({ name: "flaky", start: () => {
        if (failing) throw new Error("the database is not up yet");
      } })
      .publicMethod("ping", () => "pong");
    await assert.rejects(service.startup(), /database/);
    failing = false;
    await service.startup();
    await until(() => registration.registered, "registered after the second start");
    await service.shutdown();
    assert.equal(registration.registered, false);
  });

  it("the default-export style: a failed first-request start answers 503, is not retried per request, and a later start registers", async () => {
    const etcd = fakeEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch }).register({ url: "http://10.0.0.5:5000/api" });
    let starts = 0;
    let failing = true;
    const reported: unknown[] = [];
    const service = new Service({ name: "orders.service", onError: (error) => reported.push(error) })
      .use(registration)
      .use({ name: "flaky", start: () => {
        starts++;
        if (failing) throw new Error("the database is not up yet");
      } })
      .publicMethod("ping", () => "pong");
    const call = (): Promise<Response> =>
      service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"ping","id":1}' }), { platform: true });
    assert.equal((await call()).status, 503);
    for (let i = 0; i < 5; i++) assert.equal((await call()).status, 503);
    assert.equal(starts, 1, "no new start per request within the back-off");
    failing = false;
    let status = 503;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await call()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(status, 200);
    assert.equal(starts, 2, "tried again once the back-off was over");
    await until(() => registration.registered, "registered");
    await service.shutdown();
  });

  it("a start on the first request that hangs answers unavailable after startWait; the start goes on", async () => {
    let finish: () => void = () => {};
    const lifecycle = new Lifecycle({ onStart: () => new Promise<void>((resolve) => (finish = resolve)), startWait: 30 });
    await assert.rejects(lifecycle.startForRequest(() => {}) ?? Promise.resolve(), /still starting after 30 ms/);
    await assert.rejects(lifecycle.startForRequest(() => {}) ?? Promise.resolve(), /still starting/);
    finish();
    await until(() => lifecycle.state === "serving", "started");
    assert.equal(lifecycle.startForRequest(() => {}), undefined);
    let tries = 0;
    const failing = new Lifecycle({ onStart: () => {
      tries++;
      throw new Error("no");
    }, startBackoff: 40 });
    const told: unknown[] = [];
    const failed = await failing.startForRequest((error) => told.push(error))?.catch((error: unknown) => error);
    assert.match(String(failed), /no/);
    const refused = await failing.startForRequest((error) => told.push(error))?.catch((error: unknown) => error);
    assert.equal(refused, failed, "within the back-off: refused with the start's own error");
    assert.equal(tries, 1, "no new try within the back-off");
    await until(() => {
      failing.startForRequest(() => {})?.catch(() => {});
      return tries === 2;
    }, "tried again after the back-off");
    assert.equal(told.length, 1);
  });
});

describe("a registration's lease, on a mocked clock", () => {
  /** etcd as the registration sees it: every call in order, keep-alives answered as told. */
  function leaseEtcd() {
    const calls: string[] = [];
    const state = { keepAlive: "ok" as "ok" | "expired" | "down", lease: 0, failGrants: 0 };
    const fetch: FetchFunction = (url, init) => {
      const path = new URL(url).pathname;
      const body = JSON.parse(init.body as string) as Record<string, string>;
      const shown = path === "/v3/kv/put" ? `${fromBase64(body["key"] ?? "")} ${fromBase64(body["value"] ?? "")} lease ${body["lease"] ?? "none"}` : JSON.stringify(body);
      calls.push(`${path.slice(4)} ${shown}`);
      if (path === "/v3/lease/grant") {
        if (state.failGrants > 0) {
          state.failGrants--;
          return Promise.reject(new TypeError("fetch failed"));
        }
        return Promise.resolve(Response.json({ ID: String(++state.lease), TTL: body["TTL"] }));
      }
      if (path === "/v3/lease/keepalive") {
        if (state.keepAlive === "down") return Promise.reject(new TypeError("fetch failed"));
        return Promise.resolve(Response.json({ result: state.keepAlive === "ok" ? { ID: body["ID"], TTL: "3" } : { ID: body["ID"] } }));
      }
      return Promise.resolve(Response.json({ header: {} }));
    };
    return { fetch, calls, state };
  }

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  /** Moves the mocked clock to 1 ms before `wait` (no new try yet), then to it (exactly one more). */
  const expectRetryAfter = async (t: TestContext, grants: () => number, wait: number): Promise<void> => {
    const before = grants();
    t.mock.timers.tick(wait - 1);
    await settle();
    assert.equal(grants(), before, `not before ${wait} ms`);
    t.mock.timers.tick(1);
    await settle();
    assert.equal(grants(), before + 1, `tried again after ${wait} ms`);
  };

  it("puts the instance under a lease of ttl seconds, renews it every third of that, starts over when it expired or cannot be renewed for ttl", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    const etcd = leaseEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, ttl: 3 }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    registration.start({ service: { name: "orders.service", version: "1.2.0" } });
    await settle();
    assert.equal(registration.registered, true);
    assert.deepEqual(etcd.calls.splice(0), [
      'lease/grant {"TTL":3}',
      'kv/put /tsmicroservice/services/orders.service/a1 {"url":"http://10.0.0.5:5000/api","service":"orders.service","version":"1.2.0","id":"a1"} lease 1',
    ]);
    const tick = async (ms: number): Promise<string[]> => {
      t.mock.timers.tick(ms);
      await settle();
      return etcd.calls.splice(0);
    };
    assert.deepEqual(await tick(999), []);
    assert.deepEqual(await tick(1), ['lease/keepalive {"ID":"1"}']);
    assert.deepEqual(await tick(1_000), ['lease/keepalive {"ID":"1"}']);
    // etcd lost the lease: a new one at once, and the key put again under it.
    etcd.state.keepAlive = "expired";
    assert.deepEqual((await tick(1_000)).map((call) => call.split(" lease ")[0]?.split(" {")[0]), ["lease/keepalive", "lease/grant", "kv/put /tsmicroservice/services/orders.service/a1"]);
    etcd.state.keepAlive = "ok";
    assert.deepEqual(await tick(1_000), ['lease/keepalive {"ID":"2"}']);
    etcd.state.keepAlive = "down";
    // Renewals that fail are tried again until the lease's time to live has passed since the last one that worked.
    for (let i = 0; i < 3; i++) assert.deepEqual(await tick(1_000), ['lease/keepalive {"ID":"2"}']);
    assert.equal(registration.registered, true);
    // The fourth, 4 s after the last renewal, is past the 3 s: a new lease.
    assert.deepEqual((await tick(1_000)).map((call) => call.split(" {")[0]), ["lease/keepalive", "lease/grant", "kv/put /tsmicroservice/services/orders.service/a1"]);
    assert.equal(registration.registered, true);
    etcd.state.keepAlive = "ok";
    const stopping = registration.stop();
    assert.equal(registration.registered, false, "not registered from the moment the stop begins");
    await settle();
    await stopping;
    assert.deepEqual(etcd.calls.splice(0), ['kv/deleterange {"key":"L3RzbWljcm9zZXJ2aWNlL3NlcnZpY2VzL29yZGVycy5zZXJ2aWNlL2Ex"}', 'lease/revoke {"ID":"3"}']);
    assert.deepEqual(await tick(10_000), [], "nothing after the stop");
  });

  it("a registration that fails waits longer after each failure (100 ms doubled, at most maxBackoff, times 0.5 to 1), told once", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    t.mock.method(Math, "random", () => 0.999_999);
    const etcd = leaseEtcd();
    etcd.state.failGrants = 5;
    const told: string[] = [];
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, maxBackoff: 1_000, onError: (error) => told.push(error.message) })
      .register({ url: "http://10.0.0.5:5000/api", service: "billing.service", id: "b1" });
    registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    await settle();
    const grants = (): number => etcd.calls.filter((call) => call.startsWith("lease/grant")).length;
    assert.equal(grants(), 1);
    // The waits after failures 1 to 5: 200, 400, 800, then maxBackoff (1000) twice, each times (just under) 1.
    for (const wait of [200, 400, 800, 1_000, 1_000]) await expectRetryAfter(t, grants, wait);
    assert.equal(registration.registered, true);
    assert.equal(registration.key, "/tsmicroservice/services/billing.service/b1");
    assert.deepEqual(told, ["etcd registration of /tsmicroservice/services/billing.service/b1 failed, trying again: no etcd endpoint answered"]);
    assert.deepEqual(etcd.calls.at(-1)?.split(" lease ")[0]?.split(" ").slice(0, 2), ["kv/put", "/tsmicroservice/services/billing.service/b1"]);
    await registration.stop();
  });

  it("by default the waits between tries grow to 5 s (2.5 s at the least random); the doubling stops at the 16th failure", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    t.mock.method(Math, "random", () => 0); // the shortest waits: half of each
    const tries = async (fetchOptions: { maxBackoff?: number }, waits: number[]): Promise<void> => {
      const etcd = leaseEtcd();
      etcd.state.failGrants = waits.length;
      const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, onError: () => {}, ...fetchOptions }).register({ url: "http://10.0.0.5:5000/api" });
      registration.start({ service: { name: "orders.service", version: "1.0.0" } });
      await settle();
      const grants = (): number => etcd.calls.filter((call) => call.startsWith("lease/grant")).length;
      for (const wait of waits) await expectRetryAfter(t, grants, wait);
      await registration.stop();
    };
    // Seventeen waits on one run's signal: each lets go of its abort listener (else Node.js warns of a leak).
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      if (warning.name === "MaxListenersExceededWarning") warnings.push(warning.message);
    };
    process.on("warning", onWarning);
    try {
      await tries({}, [100, 200, 400, 800, 1_600, 2_500, 2_500]);
      const doubling = Array.from({ length: 15 }, (_, i) => 50 * 2 ** (i + 1));
      await tries({ maxBackoff: Infinity }, [...doubling, 50 * 2 ** 16, 50 * 2 ** 16]);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it("a run of failures is told once, and a new run after a success once more", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    t.mock.method(Math, "random", () => 0);
    const etcd = leaseEtcd();
    etcd.state.failGrants = 2;
    const told: string[] = [];
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, ttl: 3, onError: (error) => told.push(error.message) }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    await settle();
    for (const wait of [100, 200]) {
      t.mock.timers.tick(wait);
      await settle();
    }
    assert.equal(registration.registered, true);
    assert.equal(told.length, 1);
    etcd.state.keepAlive = "expired";
    etcd.state.failGrants = 1;
    t.mock.timers.tick(1_000);
    await settle();
    assert.equal(registration.registered, false);
    assert.equal(told.length, 2);
    t.mock.timers.tick(100);
    await settle();
    assert.equal(registration.registered, true);
    await registration.stop();
  });

  it("by default the lease lives 10 s and is renewed every 3.3 s", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    const etcd = leaseEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    await settle();
    assert.equal(etcd.calls.splice(0)[0], 'lease/grant {"TTL":10}');
    t.mock.timers.tick(3_333);
    await settle();
    assert.deepEqual(etcd.calls.splice(0), []);
    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(etcd.calls.splice(0), ['lease/keepalive {"ID":"1"}']);
    await registration.stop();
  });
});

/** etcd for a source: range answers what `kvs` holds now, each watch is a stream the test writes to or ends; every call is kept. */
function sourceEtcd(kvs: Map<string, string>) {
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  const watches: ReadableStreamDefaultController<Uint8Array>[] = [];
  let revision = 5;
  const fetch: FetchFunction = (url, init) => {
    const path = new URL(url).pathname;
    calls.push({ path, body: JSON.parse(init.body as string) as Record<string, unknown> });
    if (path === "/v3/kv/range") {
      return Promise.resolve(Response.json({ header: { revision: String(revision++) }, kvs: [...kvs].map(([key, value]) => ({ key: toBase64(key), value: toBase64(value) })) }));
    }
    if (path === "/v3/watch") return Promise.resolve(new Response(new ReadableStream<Uint8Array>({ start: (controller) => void watches.push(controller) })));
    return Promise.resolve(Response.json({ header: {} }));
  };
  const put = (key: string, value: string): void => {
    watches.at(-1)?.enqueue(new TextEncoder().encode(`${JSON.stringify({ result: { events: [{ type: "PUT", kv: { key: toBase64(key), value: toBase64(value) } }] } })}\n`));
  };
  return { fetch, calls, watches, put, paths: () => calls.map((call) => call.path) };
}

describe("a source of instances, followed", () => {
  it("watches from the revision after the one read, tells its listeners only of changes, and forgets what is gone when it reads again", async () => {
    const key = (id: string): string => `/tsmicroservice/services/orders.service/${id}`;
    const kvs = new Map([[key("a"), "http://10.0.0.1/api"], [key("b"), "http://10.0.0.2/api"]]);
    const etcd = sourceEtcd(kvs);
    const told: Error[] = [];
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, maxBackoff: 1, onError: (error) => told.push(error) }).find("orders.service");
    const lists: string[][] = [];
    const unsubscribe = source.subscribe?.((list) => lists.push(list.map((endpoint) => endpoint.url)));
    const other: string[][] = [];
    source.subscribe?.((list) => other.push(list.map((endpoint) => endpoint.url)));
    await source.endpoints();
    await source.endpoints();
    await until(() => etcd.watches.length === 1, "the watch");
    assert.deepEqual(etcd.calls.find((call) => call.path === "/v3/watch")?.body, {
      create_request: { key: toBase64("/tsmicroservice/services/orders.service/"), range_end: toBase64("/tsmicroservice/services/orders.service0"), start_revision: "6" },
    });
    assert.deepEqual(lists, [["http://10.0.0.1/api", "http://10.0.0.2/api"]]);
    // The same URL under another key changes nothing: no one is told.
    etcd.put(key("c"), "http://10.0.0.2/api");
    etcd.put(key("d"), JSON.stringify({ service: "orders.service" }));
    etcd.put(key("e"), "http://10.0.0.5/api");
    await until(() => lists.length === 2, "the change");
    assert.deepEqual(lists, [["http://10.0.0.1/api", "http://10.0.0.2/api"], ["http://10.0.0.1/api", "http://10.0.0.2/api", "http://10.0.0.5/api"]]);
    assert.deepEqual(told.map((error) => error.message.split(": ").at(-1)), ["no url"]);
    unsubscribe?.();
    // etcd restarts: the watch ends, everything is read again, and what is gone is gone.
    kvs.delete(key("a"));
    etcd.watches[0]?.close();
    await until(() => etcd.watches.length === 2, "the second watch");
    assert.deepEqual(other.at(-1), ["http://10.0.0.2/api"]);
    assert.equal(lists.length, 2, "an unsubscribed listener is not told");
    assert.deepEqual(etcd.paths().filter((path) => path === "/v3/watch").length, 2, "one watch at a time");
    assert.deepEqual(await source.endpoints(), [{ url: "http://10.0.0.2/api" }]);
    await source.close?.();
    etcd.watches[1]?.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(etcd.paths().filter((path) => path === "/v3/kv/range").length, 2, "nothing read after close");
  });

  it("a source tries again after 100 ms, doubling while etcd stays away, and from 100 ms again once etcd answered", async (t) => {
    t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
    t.mock.method(Math, "random", () => 0); // the shortest waits: half of 200, 400, 800…
    let up = false;
    let ranges = 0;
    const fetch: FetchFunction = (url) => {
      if (url.endsWith("/v3/kv/range")) {
        ranges++;
        return up ? Promise.resolve(Response.json({ header: { revision: "1" }, kvs: [] })) : Promise.reject(new TypeError("fetch failed"));
      }
      return Promise.reject(new TypeError("fetch failed")); // the watch
    };
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch, onError: () => {} }).find("s");
    const lists: number[] = [];
    source.subscribe?.((list) => lists.push(list.length));
    const after = async (ms: number): Promise<number> => {
      t.mock.timers.tick(ms);
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      return ranges;
    };
    assert.equal(await after(0), 1, "a subscription starts following");
    assert.equal(await after(99), 1);
    assert.equal(await after(1), 2);
    assert.equal(await after(199), 2);
    assert.equal(await after(1), 3);
    assert.equal(await after(399), 3);
    up = true;
    assert.equal(await after(1), 4);
    assert.deepEqual(lists, [0]);
    // Read, then the watch failed: the next try 100 ms on, not 800.
    assert.equal(await after(99), 4);
    assert.equal(await after(1), 5);
    await source.close?.();
  });

  it("a watch that fails because etcd is away is retried quietly", async () => {
    let calls = 0;
    const fetch: FetchFunction = (url) => {
      calls++;
      if (url.endsWith("/v3/kv/range")) return Promise.resolve(Response.json({ header: { revision: "1" }, kvs: [] }));
      return Promise.reject(new TypeError("fetch failed"));
    };
    const told: Error[] = [];
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch, maxBackoff: 1, onError: (error) => told.push(error) }).find("s");
    assert.deepEqual(await source.endpoints(), []);
    await until(() => calls >= 6, "tried again");
    await source.close?.();
    assert.deepEqual(told, []);
  });

  it("what was refused is remembered up to 1000 values, then forgotten: a flood is told again, never kept for ever", async () => {
    const kvs = new Map<string, string>();
    for (let i = 0; i < 1_001; i++) kvs.set(`/tsmicroservice/services/s/${i}`, "not a url");
    const etcd = sourceEtcd(kvs);
    const told: Error[] = [];
    const source = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch, maxBackoff: 1, onError: (error) => told.push(error) }).find("s");
    await source.endpoints();
    assert.equal(told.length, 1_001);
    await until(() => etcd.watches.length === 1, "the watch");
    etcd.watches[0]?.close();
    await until(() => etcd.watches.length === 2, "read again");
    assert.equal(told.length, 2_002);
    await source.close?.();
  });

  it("the registry's options: ttl a whole number of seconds from 1, maxWatchMessage positive, the URL to register checked, warnings on the console by default", async (t) => {
    const endpoints = ["http://etcd.test"];
    for (const ttl of [0, 1.5, Number.NaN]) {
      assert.throws(() => etcdRegistry({ endpoints, ttl }), new TypeError("etcdRegistry: ttl must be a positive integer of seconds"));
    }
    assert.equal(typeof etcdRegistry({ endpoints, ttl: 1, maxWatchMessage: 1 }).find, "function");
    assert.throws(() => etcdRegistry({ endpoints, maxWatchMessage: Number.NaN }), new TypeError("etcdRegistry: maxWatchMessage must be a positive number of characters"));
    assert.throws(() => etcdRegistry({ endpoints }).register({ url: "file:///x" }), (error: unknown) =>
      error instanceof TypeError && error.message.startsWith('etcdRegistry.register: etcd: refused the endpoint "file:///x" of url: '));
    const warn = t.mock.method(console, "warn", () => {});
    const source = etcdRegistry({ endpoints, fetch: sourceEtcd(new Map([["/tsmicroservice/services/s/a", "javascript:x"]])).fetch }).find("s");
    assert.deepEqual(await source.endpoints(), []);
    await source.close?.();
    assert.deepEqual(warn.mock.calls.map((call) => String(call.arguments[0])), ['etcd: refused the endpoint "javascript:x" of /tsmicroservice/services/s/a: not an http(s) URL']);
  });
});

describe("a registration's start and stop", () => {
  it("a second start while running does nothing; a second stop waits for the first; a stop before any lease deletes nothing", async () => {
    const etcd = fakeEtcd();
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: etcd.fetch }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    const service = { name: "orders.service", version: "1.0.0" };
    registration.start({ service });
    registration.start({ service });
    await until(() => registration.registered, "registered");
    assert.deepEqual(etcd.calls, ["/v3/lease/grant", "/v3/kv/put"]);
    const first = registration.stop();
    await registration.stop();
    assert.deepEqual(etcd.calls.slice(2), ["/v3/kv/deleterange", "deleted", "/v3/lease/revoke"], "the second stop returned once the first was done");
    await first;
    await registration.stop();
    assert.equal(etcd.calls.length, 5);

    let grants = 0;
    // etcd that never answers a grant: the request is given up at its abort.
    const others: string[] = [];
    const away: FetchFunction = (url, init) => {
      if (!url.endsWith("/v3/lease/grant")) {
        others.push(new URL(url).pathname);
        return Promise.reject(new TypeError("fetch failed"));
      }
      grants++;
      return new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason as Error)));
    };
    const never = etcdRegistry({ endpoints: ["http://etcd.test"], fetch: away, requestTimeout: 50 }).register({ url: "http://10.0.0.5:5000/api", id: "a2" });
    never.start({ service });
    await until(() => grants === 1, "asked for a lease");
    await never.stop();
    assert.equal(never.registered, false);
    assert.deepEqual(others, [], "no key to delete, no lease to revoke");
  });

  it("a stop's delete and revoke are bounded by requestTimeout", async () => {
    const paths: string[] = [];
    const fetch: FetchFunction = (url, init) => {
      const path = new URL(url).pathname;
      if (init.signal?.aborted === true) return Promise.reject(init.signal.reason as Error);
      paths.push(path);
      if (path === "/v3/lease/grant") return Promise.resolve(Response.json({ ID: "1" }));
      if (path === "/v3/kv/put") return Promise.resolve(Response.json({ header: {} }));
      // A delete and revoke that never come back.
      return new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason as Error)));
    };
    const registration = etcdRegistry({ endpoints: ["http://etcd.test"], fetch, requestTimeout: 30 }).register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    await until(() => registration.registered, "registered");
    await registration.stop();
    assert.deepEqual(paths, ["/v3/lease/grant", "/v3/kv/put", "/v3/kv/deleterange"], "the revoke shares the delete's bound, already spent");
  });
});
