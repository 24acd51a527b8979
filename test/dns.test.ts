// dnsSrv with a resolver of the test's own (the suite in test/services/ asks a real dnsmasq).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DnsResolver, type EndpointError, dnsSrv, type SrvRecord } from "../src/dns/mod.ts";
import { endpointUrlProblem, isHostName, isIpv6 } from "../src/client/cluster/endpoints.ts";
import { parseServer, systemResolver } from "../src/dns/resolver.ts";

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
    fake.addresses.set("odd.test", ["127.0.0.1/x", "10.0.0.4"]);
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
    ]);
    assert.ok(told.every((error) => error.source === "dns" && error.key === "_api._tcp.x.test"));
    // Looked up again: told once, not per look-up.
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.endpoints();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(told.length, 5);
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
