// The etcd registry's pieces that need no etcd: base64 keys, prefix ranges, errors, and a
// registration that never blocks while etcd cannot be reached (test/services/ has the real etcd).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FetchFunction } from "../mod.ts";
import { EtcdError, EtcdGateway, etcdRegistry } from "../src/etcd/mod.ts";
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

describe("etcdRegistry without etcd", () => {
  it("start returns at once and keeps trying; stop ends it in bounded time", async () => {
    let tries = 0;
    const fetch: FetchFunction = () => {
      tries++;
      return Promise.reject(new TypeError("fetch failed"));
    };
    const registry = etcdRegistry({ endpoints: ["http://down.test"], fetch, maxBackoff: 20 });
    const registration = registry.register({ url: "http://10.0.0.5:5000/api", id: "a1" });
    assert.equal(registration.name, "etcd-registration");
    const returned = registration.start({ service: { name: "orders.service", version: "1.0.0" } });
    assert.equal(returned, undefined, "start does not wait for etcd");
    assert.equal(registration.registered, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(tries >= 2, "it tried again");
    assert.equal(registration.key, "/tsmicroservice/services/orders.service/a1");
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
