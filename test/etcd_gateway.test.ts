// The etcd JSON gateway's client with a fetch of the test's own: base64 keys, prefix ranges, the
// requests it sends, etcd's error answers, failover between endpoints, timeouts, the watch stream.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FetchFunction } from "../mod.ts";
import { EtcdError, EtcdGateway } from "../src/etcd/mod.ts";
import { fromBase64, prefixEnd, toBase64 } from "../src/etcd/gateway.ts";

describe("etcd gateway helpers", () => {
  it("base64 of UTF-8 and the end of a prefix's range", () => {
    assert.equal(toBase64("/svc/"), "L3N2Yy8=");
    assert.equal(fromBase64(toBase64("/sérvice/ä")), "/sérvice/ä");
    assert.equal(fromBase64(prefixEnd("/svc/")), "/svc0");
    assert.equal(prefixEnd(""), toBase64("\0"));
  });

  it("answers etcd's errors as EtcdError with the gRPC code, and no JSON as EtcdError", async () => {
    const answers: Response[] = [];
    const fetch: FetchFunction = () => Promise.resolve(answers.shift() ?? new Response("{}"));
    const gateway = new EtcdGateway(["http://etcd.test/"], fetch);
    answers.push(new Response(JSON.stringify({ error: "lease not found", message: "etcdserver: requested lease not found", code: 5 }), { status: 404 }));
    await assert.rejects(gateway.revoke("1"), (error: unknown) => error instanceof EtcdError && error.code === 5);
    answers.push(new Response("<html>", { status: 502 }));
    await assert.rejects(gateway.grant(5), /no JSON/);
    answers.push(new Response(JSON.stringify({ header: {} })));
    await assert.rejects(gateway.grant(5), /granted no lease/);
    answers.push(new Response(JSON.stringify({ result: { ID: "1" } })));
    assert.equal(await gateway.keepAlive("1"), undefined, "an expired lease comes back without TTL");
    answers.push(new Response(JSON.stringify({ header: { revision: "12345678901234567890" }, kvs: [{ key: toBase64("/a"), value: toBase64("v") }] })));
    assert.deepEqual(await gateway.range("/"), { kvs: [{ key: "/a", value: "v" }], revision: "12345678901234567890" });
    assert.throws(() => new EtcdGateway([]), TypeError);
  });

  it("sends each call as a JSON POST to its gateway path, and reads the answers", async () => {
    const sent: { url: string; method: string | undefined; type: string | null; body: unknown }[] = [];
    const answers: Response[] = [];
    const fetch: FetchFunction = (url, init) => {
      sent.push({ url, method: init.method, type: new Headers(init.headers).get("content-type"), body: JSON.parse(init.body as string) });
      return Promise.resolve(answers.shift() ?? Response.json({ header: {} }));
    };
    const gateway = new EtcdGateway(["http://etcd.test//"], fetch);
    answers.push(Response.json({ ID: "9", TTL: "5" }));
    assert.equal(await gateway.grant(5), "9");
    answers.push(Response.json({ result: { ID: "9", TTL: "1" } }));
    assert.equal(await gateway.keepAlive("9"), 1);
    answers.push(Response.json({ result: { ID: "9", TTL: "0" } }));
    assert.equal(await gateway.keepAlive("9"), undefined);
    await gateway.put("/a", "v", "9");
    await gateway.put("/b", "w");
    await gateway.delete("/a");
    await gateway.revoke("9");
    answers.push(Response.json({ header: {} }));
    assert.deepEqual(await gateway.range("/a"), { kvs: [], revision: "0" });
    assert.deepEqual(sent.map((request) => [request.url.slice("http://etcd.test".length), request.body]), [
      ["/v3/lease/grant", { TTL: 5 }],
      ["/v3/lease/keepalive", { ID: "9" }],
      ["/v3/lease/keepalive", { ID: "9" }],
      ["/v3/kv/put", { key: toBase64("/a"), value: toBase64("v"), lease: "9" }],
      ["/v3/kv/put", { key: toBase64("/b"), value: toBase64("w") }],
      ["/v3/kv/deleterange", { key: toBase64("/a") }],
      ["/v3/lease/revoke", { ID: "9" }],
      ["/v3/kv/range", { key: toBase64("/a"), range_end: toBase64("/b") }],
    ]);
    assert.ok(sent.every((request) => request.url.startsWith("http://etcd.test/v3/") && request.method === "POST" && request.type === "application/json"));
  });

  it("an error answer is an EtcdError with etcd's message and code, or the HTTP status", async () => {
    const answers: Response[] = [];
    const gateway = new EtcdGateway(["http://etcd.test"], () => Promise.resolve(answers.shift() ?? Response.json({})));
    const failure = async (): Promise<EtcdError> => {
      const error = await gateway.revoke("1").then(() => undefined, (caught: unknown) => caught);
      assert.ok(error instanceof EtcdError, String(error));
      return error;
    };
    answers.push(Response.json({ error: "x", message: "etcdserver: too many requests", code: 8 }));
    const busy = await failure();
    assert.deepEqual([busy.name, busy.message, busy.code, busy.tooLarge], ["EtcdError", "etcdserver: too many requests", 8, false]);
    answers.push(Response.json({ code: "8" }, { status: 503 }));
    const status = await failure();
    assert.deepEqual([status.message, status.code], ["HTTP 503", undefined]);
    answers.push(new Response("<html>", { status: 502 }));
    assert.equal((await failure()).message, "etcd answered /v3/lease/revoke with HTTP 502 and no JSON");
    assert.throws(() => new EtcdGateway([]), new TypeError("etcd needs at least one endpoint"));
  });

  it("asks the endpoint that answered last first", async () => {
    const asked: string[] = [];
    let down = "http://a.test";
    const fetch: FetchFunction = (url) => {
      asked.push(new URL(url).host);
      return url.startsWith(down) ? Promise.reject(new TypeError("fetch failed")) : Promise.resolve(Response.json({ ID: "1" }));
    };
    const gateway = new EtcdGateway(["http://a.test", "http://b.test", "http://c.test"], fetch);
    await gateway.grant(5);
    await gateway.grant(5);
    down = "http://b.test";
    await gateway.grant(5);
    assert.deepEqual(asked, ["a.test", "b.test", "b.test", "b.test", "c.test"]);
    down = "http://";
    const error = await gateway.grant(5).catch((caught: unknown) => caught);
    assert.ok(error instanceof EtcdError && error.message === "no etcd endpoint answered" && String(error.cause) === "TypeError: fetch failed", String(error));
    assert.deepEqual(asked.slice(5), ["c.test", "a.test", "b.test"]);
    // A watch moves it too.
    const watched: string[] = [];
    const streams: FetchFunction = (url) => {
      watched.push(new URL(url).host);
      if (url.startsWith("http://a.test")) return Promise.reject(new TypeError("fetch failed"));
      return Promise.resolve(url.endsWith("/v3/watch") ? new Response("") : Response.json({ ID: "1" }));
    };
    const follower = new EtcdGateway(["http://a.test", "http://b.test"], streams);
    await follower.watch("/s/", "1", () => {});
    await follower.grant(5);
    assert.deepEqual(watched, ["a.test", "b.test", "b.test"]);
  });

  it("an answer slower than the request timeout is a failure, and the next endpoint is asked", async () => {
    const fetch: FetchFunction = (url, init) => {
      if (url.startsWith("http://slow.test")) {
        return new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason as Error)));
      }
      return Promise.resolve(Response.json({ ID: "2" }));
    };
    assert.equal(await new EtcdGateway(["http://slow.test", "http://up.test"], fetch, 20).grant(5), "2");
    const error = await new EtcdGateway(["http://slow.test"], fetch, 20).grant(5).catch((caught: unknown) => caught);
    assert.ok(error instanceof EtcdError && String(error.cause) === "EtcdError: etcd did not answer within 20 ms", String(error));
  });

  it("a watch asks from a revision, reads one JSON message per line in any chunks, and ends on an error or a cancel", async () => {
    let body: unknown;
    let chunks: string[] = [];
    let status = 200;
    let keepOpen = false;
    let cancelled = 0;
    let path = "";
    const fetch: FetchFunction = (url, init) => {
      path = new URL(url).pathname;
      body = JSON.parse(init.body as string);
      const parts = chunks;
      const open = keepOpen;
      return Promise.resolve(new Response(new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          if (!open) controller.close();
        },
        cancel() {
          cancelled++;
        },
      }), { status }));
    };
    const gateway = new EtcdGateway(["http://etcd.test"], fetch);
    const seen: string[] = [];
    const watch = (maxLine?: number): Promise<unknown> =>
      gateway.watch("/s/", "7", (events) => seen.push(events.map((event) => `${event.type} ${event.kv.key}=${event.kv.value}`).join(" | ")), undefined, maxLine)
        .then(() => "ended", (error: unknown) => error);
    const line = (value: unknown): string => `${JSON.stringify(value)}\n`;
    const put = line({ result: { events: [{ kv: { key: toBase64("/s/a"), value: toBase64("http://10.0.0.1/api") } }, { type: "DELETE", kv: { key: toBase64("/s/b") } }] } });
    const one = line({ result: { events: [{ type: "DELETE", kv: { key: toBase64("/s/c") } }] } });
    chunks = [line({ result: { created: true } }), "\n", put.slice(0, 10), `${put.slice(10)}${line({ result: { events: [] } })}${one}`];
    assert.equal(await watch(), "ended");
    assert.deepEqual(body, { create_request: { key: toBase64("/s/"), range_end: toBase64("/s0"), start_revision: "7" } });
    assert.deepEqual(seen, ["PUT /s/a=http://10.0.0.1/api | DELETE /s/b=", "DELETE /s/c="]);
    assert.equal(path, "/v3/watch");
    chunks = [line({ error: { message: "etcdserver: mvcc: required revision has been compacted" } })];
    assert.match(String(await watch()), /^EtcdError: etcdserver: mvcc: required revision has been compacted$/);
    chunks = [line({ error: {} })];
    assert.match(String(await watch()), /^EtcdError: the watch failed$/);
    chunks = [line({ result: { canceled: true } })];
    assert.match(String(await watch()), /^EtcdError: etcd cancelled the watch$/);
    // A message of exactly maxLine characters still waits for its end; one more is too long.
    chunks = ["x".repeat(10)];
    assert.equal(await watch(10), "ended");
    chunks = ["x".repeat(11)];
    const long = await watch(10);
    assert.ok(long instanceof EtcdError && long.tooLarge && long.message.startsWith("etcd sent a watch message longer than 10 characters"), String(long));
    // A watch that ends on an error lets go of the stream etcd still holds open.
    keepOpen = true;
    chunks = [line({ result: { canceled: true } })];
    assert.match(String(await watch()), /cancelled the watch/);
    assert.equal(cancelled, 1);
    // The default bound: 8 MiB.
    keepOpen = false;
    chunks = ["x".repeat(8 * 1024 * 1024 + 1)];
    assert.match(String(await watch()), /longer than 8388608 characters/);
    status = 500;
    chunks = [];
    assert.match(String(await watch()), /^EtcdError: etcd answered its watch with HTTP 500$/);
    assert.equal(seen.length, 2, "nothing more was delivered");
  });

  it("by default a request may take 3 s; a body that does not come in that time is a failure too; a caller's abort asks no other endpoint", async (t) => {
    const asked: string[] = [];
    const fetch: FetchFunction = (url, init) => {
      asked.push(new URL(url).host);
      const signal = init.signal;
      if (url.startsWith("http://headers.test")) {
        // Headers at once, a body that never ends (until the request is aborted).
        return Promise.resolve(new Response(new ReadableStream<Uint8Array>({
          start: (controller) => signal?.addEventListener("abort", () => controller.error(signal.reason)),
        })));
      }
      return new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error)));
    };
    const body = await new EtcdGateway(["http://headers.test"], fetch, 20).grant(5).catch((error: unknown) => error);
    assert.ok(body instanceof EtcdError && body.message === "no etcd endpoint answered" && String(body.cause) === "EtcdError: etcd did not answer within 20 ms", String(body));
    const caller = new AbortController();
    const aborted = new EtcdGateway(["http://slow.test", "http://other.test"], fetch).grant(5, caller.signal).catch((error: unknown) => error);
    caller.abort(new Error("the caller left"));
    assert.equal(String(await aborted), "Error: the caller left");
    assert.deepEqual(asked, ["headers.test", "slow.test"]);
    t.mock.timers.enable({ apis: ["setTimeout"] });
    const slow = new EtcdGateway(["http://slow.test"], fetch).grant(5).then(() => "answered", (error: unknown) => error);
    let settled = false;
    void slow.then(() => (settled = true));
    t.mock.timers.tick(2_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    t.mock.timers.tick(1);
    const error = await slow;
    assert.ok(error instanceof EtcdError && String(error.cause) === "EtcdError: etcd did not answer within 3000 ms", String(error));
  });

  it("the end of a prefix's range: its last UTF-8 byte plus one; every key for no prefix", () => {
    assert.equal(fromBase64(prefixEnd("a")), "b");
    assert.equal(fromBase64(prefixEnd("a\0")), "a\u0001");
    const bytes = (base64: string): number[] => Array.from(atob(base64), (char) => char.charCodeAt(0));
    assert.deepEqual(bytes(prefixEnd("/é")), [0x2f, 0xc3, 0xaa]);
    assert.deepEqual(bytes(prefixEnd("\u{10FFFF}")), [0xf4, 0x8f, 0xbf, 0xc0]);
    assert.equal(prefixEnd(""), "AA==");
  });

  it("tries the next endpoint when one cannot be reached", async () => {
    const asked: string[] = [];
    const fetch: FetchFunction = (url) => {
      asked.push(url);
      if (url.startsWith("http://down.test")) return Promise.reject(new TypeError("fetch failed"));
      return Promise.resolve(new Response(JSON.stringify({ ID: "7", TTL: "5" })));
    };
    assert.equal(await new EtcdGateway(["http://down.test", "http://up.test"], fetch).grant(5), "7");
    assert.deepEqual(asked, ["http://down.test/v3/lease/grant", "http://up.test/v3/lease/grant"]);
    const none = new EtcdGateway(["http://down.test"], fetch);
    await assert.rejects(none.grant(5), (error: unknown) => error instanceof EtcdError && error.code === undefined);
  });
});
