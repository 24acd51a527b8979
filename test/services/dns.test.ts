// dnsSrv against a real dnsmasq on a loopback port: SRV records with priority and weight, A
// records for a plain name, and a record change followed by a running client.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, serve, type ServerHandle, Service } from "../../mod.ts";
import { cluster } from "../../src/client/cluster/mod.ts";
import { dnsSrv } from "../../src/dns/mod.ts";
import { childEnv, delay, runCommand, type RuntimeName, startProcess } from "../runtime/processes.ts";
import { type Dnsmasq, startDnsmasq } from "./servers.ts";

describe("dnsSrv with dnsmasq", () => {
  const servers: ServerHandle[] = [];
  let dns: Dnsmasq;
  before(async () => {
    for (let i = 0; i < 3; i++) {
      const service = new Service({ name: "dns.test.service" }).publicMethod("whoami", () => `instance-${i}`, { idempotent: true });
      servers.push(await serve(service, { hostname: "127.0.0.1", port: 0 }));
    }
    dns = await startDnsmasq({
      ttl: 1,
      srv: {
        "_api._tcp.calc.test": [
          { target: "calc0.test", port: servers[0]!.port, priority: 0, weight: 1 },
          { target: "calc1.test", port: servers[1]!.port, priority: 0, weight: 1 },
          { target: "calc2.test", port: servers[2]!.port, priority: 1, weight: 1 },
        ],
      },
      hosts: { "calc0.test": "127.0.0.1", "calc1.test": "127.0.0.1", "calc2.test": "127.0.0.1", "plain.test": "127.0.0.1" },
    });
  });

  it("SRV targets that are not host names are refused, reported and never called, the same on Node.js, Deno and Bun", async () => {
    const hostile = await startDnsmasq({
      ttl: 1,
      srv: {
        "_api._tcp.evil.test": [
          { target: "localhost/steal?x=.test", port: servers[0]!.port },
          { target: "evil.test:80@attacker", port: servers[0]!.port },
          { target: "good.test", port: servers[1]!.port },
        ],
      },
      hosts: { "good.test": "127.0.0.1", "localhost": "127.0.0.1" },
    });
    try {
      const outputs = new Map<RuntimeName, string>();
      for (const runtime of ["node", "deno", "bun"] as const) {
        const [command, args] = runCommand(runtime, "test/services/fixtures/endpoint_check.ts");
        const child = startProcess(command, args, childEnv({ DNS: hostile.nameserver, SRV: "_api._tcp.evil.test" }));
        const [, result] = await child.waitForLine(/^RESULT (.*)$/m);
        await child.stop();
        outputs.set(runtime, result ?? "");
      }
      const node = JSON.parse(outputs.get("node") ?? "{}") as { dns: { urls: string[]; refused: string[] } };
      assert.deepEqual(node.dns, {
        urls: [`http://127.0.0.1:${servers[1]!.port}/api`],
        refused: ["evil.test:80@attacker", "localhost/steal?x=.test"],
      });
      assert.equal(outputs.get("deno"), outputs.get("node"), "Deno agrees");
      assert.equal(outputs.get("bun"), outputs.get("node"), "Bun agrees");
      // And a client of it only ever calls the good target.
      const told: string[] = [];
      const remote = await connect(cluster(dnsSrv("_api._tcp.evil.test", { nameservers: [hostile.nameserver], onError: (error) => told.push(error.value) })));
      for (let i = 0; i < 4; i++) assert.equal(await remote.call("whoami"), "instance-1");
      assert.deepEqual(told.sort(), ["evil.test:80@attacker", "localhost/steal?x=.test"]);
      await remote.close();
    } finally {
      await hostile.stop();
    }
  });
  after(async () => {
    await dns.stop();
    for (const server of servers) await server.close();
  });

  it("finds the instances from SRV records, with their priority and weight", async () => {
    const source = dnsSrv("_api._tcp.calc.test", { nameservers: [dns.nameserver] });
    const endpoints = await source.endpoints();
    assert.deepEqual(
      endpoints.map((endpoint) => [endpoint.url, endpoint.priority]).sort(),
      servers.map((server, i) => [`http://127.0.0.1:${server.port}/api`, i === 2 ? 1 : 0]).sort(),
    );
    const remote = await connect(cluster(source));
    const seen = new Set<unknown>();
    for (let i = 0; i < 6; i++) seen.add(await remote.call("whoami"));
    // The priority-1 instance is a backup: it gets calls only while both others are down.
    assert.deepEqual([...seen].sort(), ["instance-0", "instance-1"]);
  });

  it("finds a plain name's A records with a port", async () => {
    const remote = await connect(cluster(dnsSrv("plain.test", { port: servers[2]!.port, nameservers: [dns.nameserver] })));
    assert.equal(await remote.call("whoami"), "instance-2");
    assert.throws(() => dnsSrv("plain.test"), TypeError);
  });

  it("follows a record change (dnsmasq restarted with other records) without being rebuilt", async () => {
    const remote = await connect(cluster(dnsSrv("_api._tcp.calc.test", { nameservers: [dns.nameserver], refresh: { min: 200, max: 1_000 } })));
    assert.notEqual(await remote.call("whoami"), "instance-2");
    await dns.restart({
      ttl: 1,
      srv: { "_api._tcp.calc.test": [{ target: "calc2.test", port: servers[2]!.port }] },
      hosts: { "calc2.test": "127.0.0.1" },
    });
    let answer: unknown;
    for (let tries = 0; tries < 100 && answer !== "instance-2"; tries++) {
      answer = await remote.call("whoami");
      if (answer !== "instance-2") await delay(50);
    }
    assert.equal(answer, "instance-2");
    for (let i = 0; i < 5; i++) assert.equal(await remote.call("whoami"), "instance-2", "only the new record's instance");
  });

  it("keeps the last known instances while DNS does not answer", async () => {
    const source = dnsSrv("_api._tcp.calc.test", { nameservers: [dns.nameserver], refresh: { min: 50, max: 50 } });
    const first = await source.endpoints();
    await dns.stop();
    await delay(100);
    assert.equal(await source.endpoints(), first);
    await delay(100);
    assert.equal(await source.endpoints(), first);
    await dns.restart({ ttl: 1, srv: {}, hosts: {} });
  });
});
