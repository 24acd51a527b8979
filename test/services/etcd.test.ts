// etcdRegistry against a real etcd on loopback ports: registration, watch updates, lease expiry
// after a SIGKILLed instance, graceful stop, and etcd killed and started again mid-run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, createClient, type Endpoint, type EndpointSource, serve, type ServerHandle, Service } from "../../mod.ts";
import { cluster } from "../../src/client/cluster/mod.ts";
import { EtcdGateway, etcdRegistry } from "../../src/etcd/mod.ts";
import { BUN, childEnv, DENO, delay, freePort, HOST, runCommand, type RuntimeName, startProcess, stopAll } from "../runtime/processes.ts";
import { type Etcd, startEtcd } from "./servers.ts";

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await delay(50);
  }
}

/** The URLs a source gives now. */
async function urls(source: EndpointSource): Promise<string[]> {
  return (await source.endpoints()).map((endpoint: Endpoint) => endpoint.url).sort();
}

describe("etcdRegistry with etcd", () => {
  let etcd: Etcd;
  const servers: ServerHandle[] = [];
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await stopAll();
    for (const server of servers) await server.close();
    await etcd.stop();
  });

  it("registers instances (a plugin of each service), clients follow them through the watch, and a graceful stop removes one at once", async () => {
    const registry = etcdRegistry({ endpoints: [etcd.url], ttl: 5 });
    const registrations = [];
    const instances = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const registration = registry.register({ url: `http://${HOST}:${port}/api` });
      const service = new Service({ name: "orders.service" })
        .use(registration)
        .publicMethod("whoami", () => `instance-${i}`, { idempotent: true });
      instances.push(await serve(service, { hostname: HOST, port }));
      registrations.push(registration);
    }
    const source = registry.find("orders.service");
    await eventually(async () => (await urls(source)).length === 2, "both instances listed");
    const replicas = cluster(source, { breaker: { openFor: 100, maxOpenFor: 200 } });
    const remote = await connect(replicas);
    const seen = new Set<unknown>();
    for (let i = 0; i < 4; i++) seen.add(await remote.call("whoami"));
    assert.deepEqual([...seen].sort(), ["instance-0", "instance-1"]);
    assert.ok(registrations.every((registration) => registration.registered));
    await instances[0]!.close(); // the service's stop runs the registration's
    assert.equal(registrations[0]!.registered, false);
    await eventually(() => replicas.instances().length === 1, "the stopped instance left the client's list");
    for (let i = 0; i < 3; i++) assert.equal(await remote.call("whoami"), "instance-1");
    await instances[1]!.close();
    await eventually(() => replicas.instances().length === 0, "no instance left");
    await remote.close();
  });

  it("a SIGKILLed instance disappears when its lease expires", async () => {
    const port = await freePort();
    const [command, args] = runCommand("node", "test/services/fixtures/instance.ts");
    const child = startProcess(command, args, childEnv({ HOST, PORT: String(port), INSTANCE: "doomed", ETCD: etcd.url, TTL: "2" }));
    await child.waitForLine(/serving at/);
    const source = etcdRegistry({ endpoints: [etcd.url] }).find("counted.service");
    const url = `http://${HOST}:${port}/api`;
    await eventually(async () => (await urls(source)).includes(url), "the child registered itself");
    process.kill(-child.pid, "SIGKILL");
    await child.stop();
    await eventually(async () => !(await urls(source)).includes(url), "its lease expired and the watch saw it");
    await source.close?.();
  });

  it("keeps serving and the last known instances while etcd is down, and registers again after it comes back", async () => {
    const registry = etcdRegistry({ endpoints: [etcd.url], ttl: 2, maxBackoff: 300, requestTimeout: 1_000 });
    const service = new Service({ name: "billing.service" }).publicMethod("whoami", () => "billing-0", { idempotent: true });
    const server = await serve(service, { hostname: HOST, port: 0 });
    servers.push(server);
    const registration = registry.register({ url: `${server.url}/api` });
    registration.start({ service });
    const source = registry.find("billing.service");
    await eventually(async () => (await urls(source)).length === 1, "registered");
    const replicas = cluster(source);
    const remote = await connect(replicas);
    let pushes = 0;
    const stop = source.subscribe?.(() => pushes++);

    await etcd.kill();
    // The client keeps the instance it knew, and calls still work.
    for (let i = 0; i < 3; i++) assert.equal(await remote.call("whoami"), "billing-0");
    assert.equal((await urls(source)).length, 1);
    // Longer than the lease: etcd, once back, has let it expire (its clock restarts the lease's time)
    // or keeps it; either way the instance must end up listed again.
    await delay(2_500);
    await etcd.start();
    await eventually(async () => (await urls(source)).length === 1 && registration.registered, "listed again after etcd came back");
    // A newcomer registered after the restart is seen through the reconnected watch.
    const other = new Service({ name: "billing.service" }).publicMethod("whoami", () => "billing-1", { idempotent: true });
    const otherServer = await serve(other, { hostname: HOST, port: 0 });
    servers.push(otherServer);
    const otherRegistration = registry.register({ url: `${otherServer.url}/api` });
    otherRegistration.start({ service: other });
    await eventually(() => replicas.instances().length === 2, "the watch saw the newcomer");
    assert.ok(pushes > 0);
    stop?.();
    await otherRegistration.stop();
    await registration.stop();
    await remote.close();
  });

  it("values that are not http(s) URLs to host names are refused and reported, never called, the same on Node.js, Deno and Bun", async () => {
    const gateway = new EtcdGateway([etcd.url]);
    const good = await serve(new Service({ name: "shop.service" }).publicMethod("whoami", () => "good"), { hostname: HOST, port: 0 });
    servers.push(good);
    const prefix = "/tsmicroservice/services/shop.service/";
    const values: Record<string, string> = {
      good: JSON.stringify({ url: `${good.url}/api` }),
      data: JSON.stringify({ url: 'data:application/json,{"jsonrpc":"2.0","result":"forged","id":1}' }),
      file: "file:///etc/passwd",
      js: "javascript:alert(1)",
      junk: "not a url at all",
      creds: JSON.stringify({ url: "http://ann:secret@127.0.0.1:1/api" }),
    };
    for (const [id, value] of Object.entries(values)) await gateway.put(`${prefix}${id}`, value);
    const outputs = new Map<RuntimeName, string>();
    for (const runtime of ["node", "deno", "bun"] as const) {
      const [command, args] = runCommand(runtime, "test/services/fixtures/endpoint_check.ts");
      const child = startProcess(command, args, childEnv({ ETCD: etcd.url, SERVICE: "shop.service" }));
      const [, result] = await child.waitForLine(/^RESULT (.*)$/);
      await child.stop();
      outputs.set(runtime, result ?? "");
    }
    const node = JSON.parse(outputs.get("node") ?? "{}") as { etcd: { urls: string[]; refused: string[] } };
    assert.deepEqual(node.etcd, {
      urls: [`${good.url}/api`],
      refused: [
        'data:application/json,{"jsonrpc":"2.0","result":"forged","id":1}',
        "file:///etc/passwd",
        "http://127.0.0.1:1/api",
        "javascript:alert(1)",
        "not a url at all",
      ],
    });
    assert.equal(outputs.get("deno"), outputs.get("node"), "Deno agrees");
    assert.equal(outputs.get("bun"), outputs.get("node"), "Bun agrees");
    // A client never calls them: every call answers from the good instance.
    const told: Error[] = [];
    const remote = createClient(cluster(etcdRegistry({ endpoints: [etcd.url], onError: (error) => told.push(error) }).find("shop.service")));
    for (let i = 0; i < 4; i++) assert.equal(await remote.call("whoami"), "good");
    assert.equal(told.length, 5);
    await remote.close();
    for (const id of Object.keys(values)) await gateway.delete(`${prefix}${id}`);
  });

  it("an instance whose start failed once (another plugin threw), or that stopped and started again, is listed", async () => {
    const registry = etcdRegistry({ endpoints: [etcd.url], ttl: 5 });
    const port = await freePort();
    const url = `http://${HOST}:${port}/api`;
    let failing = true;
    const service = new Service({ name: "restart.service" })
      .use(registry.register({ url, id: "r1" }))
      .use({ name: "flaky", start: () => {
        if (failing) throw new Error("the database is not up yet");
      } })
      .publicMethod("whoami", () => "r1");
    await assert.rejects(serve(service, { hostname: HOST, port }), /database/);
    failing = false;
    let server = await serve(service, { hostname: HOST, port });
    const source = registry.find("restart.service");
    await eventually(async () => (await urls(source)).includes(url), "listed after the failed start");
    await server.close();
    await eventually(async () => (await urls(source)).length === 0, "gone after the stop");
    server = await serve(service, { hostname: HOST, port });
    await eventually(async () => (await urls(source)).includes(url), "listed again after stop-then-start");
    const remote = createClient(cluster(source));
    assert.equal(await remote.call("whoami"), "r1");
    await server.close();
    await remote.close();
  });

  it("served as a default export by deno serve and bun run: a first start that failed is tried again, and then it is listed", async () => {
    const source = etcdRegistry({ endpoints: [etcd.url] }).find("served.service");
    for (const runtime of ["deno", "bun"] as const) {
      const port = await freePort();
      const url = `http://${HOST}:${port}/api`;
      const fixture = "test/services/fixtures/default_export_registered.ts";
      const [command, args] = runtime === "deno"
        ? [DENO, ["serve", "-A", "--no-remote", "--host", HOST, "--port", String(port), fixture]]
        : [BUN, ["run", fixture]];
      const child = startProcess(command, args, childEnv({ ETCD: etcd.url, URL: url, HOST, PORT: String(port), FLAKY: "1" }));
      try {
        const statuses: number[] = [];
        let status = 0;
        for (let tries = 0; tries < 200 && status !== 200; tries++) {
          status = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"whoami","id":1}' })
            .then((response) => response.status, () => 0);
          if (status !== 0) statuses.push(status);
          if (status !== 200) await delay(50);
        }
        assert.equal(status, 200, `${runtime}: answers`);
        assert.equal(statuses[0], 503, `${runtime}: the first start failed`);
        await eventually(async () => (await urls(source)).includes(url), `${runtime}: listed after its first request`);
      } finally {
        await child.stop();
      }
    }
    await source.close?.();
  });
});
