// dnsSrv with a resolver of the test's own (the suite in test/services/ asks a real dnsmasq).
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { Buffer } from "node:buffer";
import { describe, it } from "node:test";
import { type DnsResolver, type EndpointError, dnsSrv, type SrvRecord } from "../src/dns/mod.ts";
import { endpointUrlProblem, isHostName, isIpv6 } from "../src/client/cluster/endpoints.ts";
import { fromPresentation, parseServer, systemResolver } from "../src/dns/resolver.ts";

function fakeResolver(): { resolver: DnsResolver; srv: SrvRecord[]; addresses: Map<string, string[]>; fail: { now: boolean }; lookups: () => number } {
  const srv: SrvRecord[] = [];
  const addresses = new Map<string, string[]>();
  const fail = { now: false };
  let lookups = 0;
  return {
    srv,
    addresses,
    fail,
    lookups: () => lookups,
    resolver: {
      srv: () => {
        lookups++;
        return fail.now ? Promise.reject(new Error("SERVFAIL")) : Promise.resolve([...srv]);
      },
      addresses: (name) => Promise.resolve((addresses.get(name) ?? []).map((address) => ({ address, ttl: 0 }))),
    },
  };
}

describe("dnsSrv", () => {
  it("turns SRV records into endpoints, IPv6 in brackets, with the path and scheme", async () => {
    const fake = fakeResolver();
    fake.srv.push({ name: "a.test", port: 5001, priority: 0, weight: 5 }, { name: "b.test", port: 5002, priority: 1, weight: 0 });
    fake.addresses.set("a.test", ["10.0.0.1"]);
    fake.addresses.set("b.test", ["::1"]);
    const source = dnsSrv("_api._tcp.x.test", { resolver: fake.resolver, path: "/rpc", scheme: "https" });
    assert.deepEqual(await source.endpoints(), [
      { url: "https://10.0.0.1:5001/rpc", priority: 0, weight: 5 },
      { url: "https://[::1]:5002/rpc", priority: 1, weight: 0 },
    ]);
  });

  it("a target without addresses is left to the system resolver by name", async () => {
    const fake = fakeResolver();
    fake.srv.push({ name: "pod-0.orders.test", port: 80, priority: 0, weight: 1 });
    const source = dnsSrv("_api._tcp.orders.test", { resolver: fake.resolver });
    assert.deepEqual(await source.endpoints(), [{ url: "http://pod-0.orders.test:80/api", priority: 0, weight: 1 }]);
  });

  it("gives the same array while fresh, looks up again once stale, keeps the last list on failure", async () => {
    const fake = fakeResolver();
    fake.srv.push({ name: "a.test", port: 1, priority: 0, weight: 1 });
    fake.addresses.set("a.test", ["10.0.0.1"]);
    const source = dnsSrv("_api._tcp.x.test", { resolver: fake.resolver, refresh: { min: 20, max: 20 } });
    const first = await source.endpoints();
    assert.equal(source.endpoints(), first, "fresh: the same array, no look-up");
    assert.equal(fake.lookups(), 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(source.endpoints(), first, "stale: the last list at once, a look-up behind it");
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(fake.lookups(), 2);
    assert.equal(source.endpoints(), first, "same records, same array");
    fake.srv.push({ name: "a.test", port: 2, priority: 0, weight: 1 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = source.endpoints() as readonly { url: string }[];
    assert.equal(second.length, 2);
    fake.fail.now = true;
    await new Promise((resolve) => setTimeout(resolve, 30));
    source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(source.endpoints(), second, "a failed look-up keeps the last list");
    fake.fail.now = false;
    fake.srv.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 30));
    source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(source.endpoints(), second, "an empty answer keeps the last list too");
  });

  it("a list stays fresh for its records' smallest TTL, within refresh.min and max (1 s and 30 s by default), 5 s when a TTL is unknown, 1 s after a failure", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 0 });
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const ttls: (number | undefined)[] = [10, 15];
    let failing = false;
    let lookups = 0;
    const resolver: DnsResolver = {
      srv: () => Promise.reject(new Error("no SRV here")),
      addresses: () => {
        lookups++;
        if (failing) return Promise.reject(new Error("SERVFAIL"));
        return Promise.resolve(ttls.map((ttl, i) => ({ address: `10.0.0.${i + 1}`, ttl })));
      },
    };
    const source = dnsSrv("x.test", { resolver, port: 80 });
    assert.deepEqual(await source.endpoints(), [{ url: "http://10.0.0.1:80/api" }, { url: "http://10.0.0.2:80/api" }]);
    const staysFreshFor = async (span: number): Promise<void> => {
      const before = lookups;
      t.mock.timers.tick(span - 1);
      source.endpoints();
      await settle();
      assert.equal(lookups, before, `still fresh ${span - 1} ms after the look-up`);
      t.mock.timers.tick(1);
      source.endpoints();
      await settle();
      assert.equal(lookups, before + 1, `stale ${span} ms after the look-up`);
    };
    // Each step: the span of the look-up before it, and what the next look-up will find.
    ttls.splice(0, 2, 30, undefined);
    await staysFreshFor(10_000); // TTLs 10 and 15 s: the smallest
    ttls.splice(0, 2, 0, 0);
    await staysFreshFor(5_000); // one TTL unknown
    ttls.splice(0, 2, 100, 200);
    await staysFreshFor(1_000); // 0 s, raised to refresh.min
    failing = true;
    await staysFreshFor(30_000); // 100 s, cut to refresh.max
    failing = false;
    ttls.splice(0, 2, 12);
    await staysFreshFor(1_000); // a failed look-up: tried again after refresh.min
    ttls.splice(0, 1);
    await staysFreshFor(12_000); // one record: its TTL
    await staysFreshFor(5_000); // no record at all: no TTL to go by
    assert.deepEqual(source.endpoints(), [{ url: "http://10.0.0.1:80/api" }], "an empty answer keeps the last list");
  });

  it("a first look-up that fails rejects; a plain name needs a port", async () => {
    const fake = fakeResolver();
    fake.fail.now = true;
    await assert.rejects(Promise.resolve(dnsSrv("_api._tcp.x.test", { resolver: fake.resolver }).endpoints()), /SERVFAIL/);
    assert.throws(() => dnsSrv("x.test"), /needs a port/);
    fake.addresses.set("x.test", ["10.0.0.9"]);
    assert.deepEqual(await dnsSrv("x.test", { resolver: fake.resolver, port: 81 }).endpoints(), [{ url: "http://10.0.0.9:81/api" }]);
  });

  it("name servers are read as host, host:port, [v6] and [v6]:port", () => {
    assert.deepEqual(parseServer("127.0.0.1:5353"), { ipAddr: "127.0.0.1", port: 5353 });
    assert.deepEqual(parseServer("10.0.0.1"), { ipAddr: "10.0.0.1", port: 53 });
    assert.deepEqual(parseServer("[::1]:54"), { ipAddr: "::1", port: 54 });
    assert.deepEqual(parseServer("[::1]"), { ipAddr: "::1", port: 53 });
  });

  it("on Deno: asks Deno.resolveDns for SRV, then A, then AAAA when there is no A, at each name server in turn", async () => {
    const asked: string[] = [];
    const answers: Record<string, unknown[]> = {
      "SRV _api._tcp.x.test": [{ target: "a\\.b.x.test.", port: 5001, priority: 1, weight: 2 }],
      "A a.test": ["10.0.0.1"],
      "AAAA a.test": ["::9"],
      "AAAA v6.test": ["::1"],
    };
    const resolveDns = (query: string, type: string, options?: { nameServer?: { ipAddr: string; port?: number } }): Promise<unknown[]> => {
      const server = options?.nameServer;
      asked.push(`${type} ${query}${server === undefined ? "" : ` @${server.ipAddr}:${String(server.port)}`}`);
      if (server?.ipAddr === "10.9.9.9" || query === "gone.test") return Promise.reject(new Error("unreachable"));
      return Promise.resolve(answers[`${type} ${query}`] ?? []);
    };
    const global = globalThis as { Deno?: unknown };
    const before = global.Deno;
    global.Deno = { resolveDns };
    try {
      const plain = systemResolver([]);
      assert.deepEqual(await plain.srv("_api._tcp.x.test"), [{ name: "a.b.x.test", port: 5001, priority: 1, weight: 2 }]);
      assert.deepEqual(await plain.addresses("a.test"), [{ address: "10.0.0.1", ttl: undefined }]);
      assert.deepEqual(await plain.addresses("v6.test"), [{ address: "::1", ttl: undefined }]);
      assert.deepEqual(await plain.addresses("gone.test"), []);
      assert.deepEqual(asked, ["SRV _api._tcp.x.test", "A a.test", "A v6.test", "AAAA v6.test", "A gone.test", "AAAA gone.test"]);
      asked.length = 0;
      const servers = systemResolver(["10.9.9.9", "127.0.0.1:5353"]);
      assert.deepEqual(await servers.addresses("a.test"), [{ address: "10.0.0.1", ttl: undefined }]);
      assert.deepEqual(asked, ["A a.test @10.9.9.9:53", "A a.test @127.0.0.1:5353"]);
      const down = systemResolver(["10.9.9.9"]);
      await assert.rejects(down.srv("_api._tcp.x.test"), /^Error: unreachable$/);
    } finally {
      global.Deno = before;
    }
  });

  it("names in DNS presentation format are decoded: \\. and \\DDD", () => {
    assert.equal(fromPresentation("a\\.b\\032c\\\\d.test"), "a.b c\\d.test");
    assert.equal(fromPresentation("plain.test"), "plain.test");
  });

  it("a name server without a port is asked on 53, with one on that port", () => {
    assert.deepEqual(parseServer("::1"), { ipAddr: "::1", port: 53 });
    assert.deepEqual(parseServer("[2001:db8::1]:5300"), { ipAddr: "2001:db8::1", port: 5300 });
  });

  it("the system resolver answers for a name that does not exist with an error, and no addresses", async () => {
    const resolver = systemResolver(["127.0.0.1:1"]);
    assert.deepEqual(await resolver.addresses("nothing.invalid"), []);
    await assert.rejects(resolver.srv("_x._tcp.nothing.invalid"));
  });
});

describe("what DNS may give a client", () => {
  it("an SRV target that is not a host name, a port out of range or an address that is not an IP is told to onError once and left out", async () => {
    const fake = fakeResolver();
    fake.srv.push(
      { name: "localhost/steal?x=.test", port: 5001, priority: 0, weight: 1 },
      { name: "evil.test:80@x", port: 5001, priority: 0, weight: 1 },
      { name: "a b.test", port: 5001, priority: 0, weight: 1 },
      { name: "good.test", port: 70_000, priority: 0, weight: 1 },
      { name: "good.test", port: 5002, priority: 0, weight: 1 },
      { name: "named.test", port: 5003, priority: 0, weight: 1 },
      { name: "odd.test", port: 5004, priority: 0, weight: 1 },
    );
    fake.addresses.set("good.test", ["10.0.0.1"]);
    fake.addresses.set("odd.test", ["127.0.0.1/x", "name.test", "1.2.3", "10.0.0.4"]);
    const told: EndpointError[] = [];
    const source = dnsSrv("_api._tcp.x.test", { resolver: fake.resolver, onError: (error) => told.push(error), refresh: { min: 1, max: 1 } });
    assert.deepEqual((await source.endpoints()).map((endpoint) => endpoint.url), [
      "http://10.0.0.1:5002/api",
      "http://10.0.0.4:5004/api",
      "http://named.test:5003/api",
    ]);
    assert.deepEqual(told.map((error) => [error.value, error.message.split(": ").at(-1)]), [
      ["localhost/steal?x=.test", "an SRV target that is not a host name"],
      ["evil.test:80@x", "an SRV target that is not a host name"],
      ["a b.test", "an SRV target that is not a host name"],
      ["good.test:70000", "an SRV port out of range"],
      ["127.0.0.1/x", "an address that is not an IP address"],
      ["name.test", "an address that is not an IP address"],
      ["1.2.3", "an address that is not an IP address"],
    ]);
    assert.ok(told.every((error) => error.source === "dns" && error.key === "_api._tcp.x.test"));
    // Looked up again: told once, not per look-up.
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(told.length, 7);
  });

  it("ports 1 to 65535 make URLs, in SRV records and the port option alike; the URLs come sorted", async () => {
    const fake = fakeResolver();
    fake.srv.push(
      { name: "c.test", port: 65_535, priority: 0, weight: 1 },
      { name: "b.test", port: 1, priority: 0, weight: 1 },
      { name: "a.test", port: 0, priority: 0, weight: 1 },
      { name: "a.test", port: 65_536, priority: 0, weight: 1 },
      { name: "a.test", port: 80.5, priority: 0, weight: 1 },
    );
    fake.addresses.set("b.test", ["10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.1"]);
    const told: string[] = [];
    const source = dnsSrv("_api._tcp.x.test", { resolver: fake.resolver, onError: (error) => told.push(error.value) });
    assert.deepEqual((await source.endpoints()).map((endpoint) => endpoint.url), [
      "http://10.0.0.1:1/api",
      "http://10.0.0.1:1/api",
      "http://10.0.0.2:1/api",
      "http://10.0.0.3:1/api",
      "http://c.test:65535/api",
    ]);
    assert.deepEqual(told, ["a.test:0", "a.test:65536", "a.test:80.5"]);
    fake.addresses.set("x.test", ["10.0.0.9"]);
    for (const port of [1, 65_535]) {
      assert.deepEqual(await dnsSrv("x.test", { resolver: fake.resolver, port }).endpoints(), [{ url: `http://10.0.0.9:${port}/api` }]);
    }
    assert.throws(() => dnsSrv("x.test", { port: 80.5 }), new TypeError("dnsSrv: port must be an integer from 1 to 65535"));
  });

  it("without onError, what is refused is written with console.warn", async (t) => {
    const warn = t.mock.method(console, "warn", () => {});
    const fake = fakeResolver();
    fake.srv.push({ name: "a b.test", port: 1, priority: 0, weight: 1 });
    assert.deepEqual(await dnsSrv("_api._tcp.x.test", { resolver: fake.resolver }).endpoints(), []);
    assert.deepEqual(warn.mock.calls.map((call) => String(call.arguments[0]).split(": ").at(-1)), ["an SRV target that is not a host name"]);
  });

  it("what was refused is remembered up to 1000 values, then forgotten: a flood is told again, never kept for ever", async () => {
    const fake = fakeResolver();
    for (let i = 0; i < 1_001; i++) fake.srv.push({ name: `bad ${i}.test`, port: 1, priority: 0, weight: 1 });
    const told: string[] = [];
    const source = dnsSrv("_api._tcp.x.test", { resolver: fake.resolver, onError: (error) => told.push(error.value), refresh: { min: 1, max: 1 } });
    await source.endpoints();
    assert.equal(told.length, 1_001);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(told.length, 2_002);
  });

  it("refuses a scheme, path or port that no URL can carry, at once", () => {
    assert.throws(() => dnsSrv("_api._tcp.x.test", { scheme: "file" as "http" }), /scheme must be "http" or "https"/);
    assert.throws(() => dnsSrv("_api._tcp.x.test", { path: "api" }), /path must start with \//);
    assert.throws(() => dnsSrv("_api._tcp.x.test", { path: "/a b" }), /printable ASCII/);
    assert.throws(() => dnsSrv("x.test", { port: 0 }), /port must be an integer from 1 to 65535/);
    assert.throws(() => dnsSrv("x.test", { port: 65_536 }), /port/);
  });

  it("host names and endpoint URLs: what is accepted, checked on the text", () => {
    for (const name of ["a.test", "pod-0.orders.default.svc.cluster.local", "calc1.test.", "127.0.0.1", "xn--bcher-kva.test"]) assert.equal(isHostName(name), true, name);
    for (const name of ["", "localhost/steal?x=.test", "-a.test", "a-.test", "a..test", "under_score.test", "1.2.3", "0x7f.1", "256.1.1.1", "01.2.3.4", "bücher.test", "a".repeat(64) + ".test"]) {
      assert.equal(isHostName(name), false, name);
    }
    assert.equal(isIpv6("::1"), true);
    assert.equal(isIpv6("fe80::1:2"), true);
    assert.equal(isIpv6("::1]/x"), false);
    assert.equal(isIpv6("10.0.0.1"), false);
    assert.equal(endpointUrlProblem("http://[::1]:5001/api"), undefined);
    assert.equal(endpointUrlProblem("https://a.test"), undefined);
    assert.equal(endpointUrlProblem("http://a.test:0/api"), "a port out of range");
    assert.equal(endpointUrlProblem("http://a.test:65536/api"), "a port out of range");
    assert.equal(endpointUrlProblem("http://a.test:65535/api"), undefined);
    assert.equal(endpointUrlProblem(`http://a.test/${"x".repeat(2_100)}`), "longer than 2048 characters");
    assert.equal(endpointUrlProblem("http://%6c%6fcalhost/api"), "not a host name or IP address");
    assert.equal(endpointUrlProblem(42 as unknown as string), "not a string");
  });
});

/** A DNS server on loopback (UDP) answering A, AAAA and SRV from a table, with the TTLs given; anything else has no records. */
async function loopbackDns(records: Record<string, { type: "A" | "AAAA" | "SRV"; ttl: number; data: string | { priority: number; weight: number; port: number; target: string[] } }[]>): Promise<{ server: string; close: () => Promise<void> }> {
  const TYPES = { A: 1, AAAA: 28, SRV: 33 } as const;
  const socket = createSocket("udp4");
  const labels = (parts: readonly string[]): Buffer => Buffer.concat([...parts.map((part) => Buffer.concat([Buffer.from([Buffer.byteLength(part)]), Buffer.from(part)])), Buffer.from([0])]);
  socket.on("message", (query, peer) => {
    const parts: string[] = [];
    let at = 12;
    while (query[at] !== 0) {
      const length = query[at] ?? 0;
      parts.push(query.subarray(at + 1, at + 1 + length).toString());
      at += length + 1;
    }
    const type = query.readUInt16BE(at + 1);
    const question = query.subarray(12, at + 5);
    const answers = (records[parts.join(".").toLowerCase()] ?? []).filter((record) => TYPES[record.type] === type).map((record) => {
      let data: Buffer;
      if (record.type === "A") data = Buffer.from((record.data as string).split(".").map(Number));
      else if (record.type === "AAAA") {
        data = Buffer.alloc(16);
        (record.data as string).split(":").forEach((group, i) => data.writeUInt16BE(Number.parseInt(group || "0", 16), i * 2));
      } else {
        const srv = record.data as { priority: number; weight: number; port: number; target: string[] };
        const head = Buffer.alloc(6);
        head.writeUInt16BE(srv.priority, 0);
        head.writeUInt16BE(srv.weight, 2);
        head.writeUInt16BE(srv.port, 4);
        data = Buffer.concat([head, labels(srv.target)]);
      }
      const fixed = Buffer.alloc(12);
      fixed.writeUInt16BE(0xc00c, 0);
      fixed.writeUInt16BE(type, 2);
      fixed.writeUInt16BE(1, 4);
      fixed.writeUInt32BE(record.ttl, 6);
      fixed.writeUInt16BE(data.length, 10);
      return Buffer.concat([fixed, data]);
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, question, ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

describe("the system resolver on Node.js, against a DNS server on loopback", () => {
  it("reads SRV records (names decoded), A records with their TTL, AAAA only when there is no A, and nothing for a name without either", async () => {
    const dns = await loopbackDns({
      "_api._tcp.x.test": [{ type: "SRV", ttl: 60, data: { priority: 1, weight: 5, port: 5001, target: ["a.b", "x", "test"] } }],
      "a.test": [{ type: "A", ttl: 30, data: "10.0.0.1" }, { type: "A", ttl: 40, data: "10.0.0.2" }, { type: "AAAA", ttl: 50, data: "fd00:0:0:0:0:0:0:1" }],
      "v6.test": [{ type: "AAAA", ttl: 20, data: "fd00:0:0:0:0:0:0:2" }],
      "one.test": [{ type: "A", ttl: 10, data: "10.0.0.3" }, { type: "AAAA", ttl: 10, data: "fd00:0:0:0:0:0:0:3" }],
    });
    try {
      const resolver = systemResolver([dns.server]);
      assert.deepEqual(await resolver.srv("_api._tcp.x.test"), [{ name: "a.b.x.test", port: 5001, priority: 1, weight: 5 }]);
      const both = [...(await resolver.addresses("a.test"))].sort((x, y) => x.address.localeCompare(y.address));
      assert.deepEqual(both, [{ address: "10.0.0.1", ttl: 30 }, { address: "10.0.0.2", ttl: 40 }]);
      assert.deepEqual(await resolver.addresses("v6.test"), [{ address: "fd00::2", ttl: 20 }]);
      assert.deepEqual(await resolver.addresses("one.test"), [{ address: "10.0.0.3", ttl: 10 }]);
      assert.deepEqual(await resolver.addresses("none.test"), []);
    } finally {
      await dns.close();
    }
  });
});
