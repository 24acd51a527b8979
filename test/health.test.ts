// The health() plugin: GET /health answers 200 with the name and version while the service serves,
// and 503 once it is stopping; its path can be moved; a service without it has no health path.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { cors } from "../src/plugins/cors.ts";
import { health as healthCheck } from "../src/plugins/health.ts";

const health = (service: Service, path = "/health", method = "GET"): Promise<Response> =>
  service.fetch(new Request(`http://localhost${path}`, { method }));

async function started(service: Service): Promise<Service> {
  await service.startup();
  return service;
}

describe("health check", () => {
  test("GET /health: 200, JSON, never cached", async () => {
    const response = await health(await started(new Service({ name: "health.service", version: "1.2.3" }).use(healthCheck())));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.deepEqual(await response.json(), { status: "ok", name: "health.service", version: "1.2.3" });
  });

  test("HEAD has the headers and no body; other methods are 405", async () => {
    const service = await started(new Service({ name: "s" }).use(healthCheck()));
    const head = await health(service, "/health", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(JSON.stringify({ status: "ok", name: "s", version: "0.0.0" }).length));
    assert.equal(await head.text(), "");
    const posted = await health(service, "/health", "POST");
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    assert.equal(posted.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(await posted.text(), "Method Not Allowed");
  });

  test("its paths accept GET and HEAD, as a CORS preflight for each of them says", async () => {
    const service = await started(new Service({ name: "s" }).use(cors({ origins: "*" })).use(healthCheck()));
    for (const path of ["/health", "/ready", "/live"]) {
      const preflight = await service.fetch(new Request(`http://localhost${path}`, { method: "OPTIONS", headers: { origin: "https://a.example", "access-control-request-method": "GET" } }));
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get("access-control-allow-methods"), "GET, HEAD", path);
    }
  });

  test("its path can be moved; without the plugin there is none", async () => {
    const moved = await started(new Service({ name: "s" }).use(healthCheck({ path: "/_status" })));
    assert.equal((await health(moved, "/_status")).status, 200);
    assert.equal((await health(moved, "/health")).status, 404);
    assert.equal((await health(new Service({ name: "s" }))).status, 404);
    assert.throws(() => new Service({ name: "s" }).use(healthCheck({ path: "/api" })), /differ from the service path/);
    assert.throws(() => healthCheck({ path: "health" }), TypeError);
  });

  test("not started yet: 503 \"starting\" on /health and /ready (onStart has not run), 200 on /live", async () => {
    const service = new Service({ name: "s" }).use(healthCheck());
    assert.equal(service.state, "idle");
    const idle = await health(service);
    assert.equal(idle.status, 503);
    assert.deepEqual(await idle.json(), { status: "starting", name: "s", version: "0.0.0" });
    assert.equal((await health(service, "/ready")).status, 503);
    assert.equal((await health(service, "/live")).status, 200);
  });

  test("a platform's first request (a second fetch argument, as deno serve and Bun pass) starts the service, then health is 200", async () => {
    const events: string[] = [];
    const service = new Service({ name: "s" }).use(healthCheck()).use({ name: "db", start: () => void events.push("start"), stop: () => void events.push("stop") });
    const response = await service.fetch(new Request("http://localhost/health"), { remoteAddr: { hostname: "127.0.0.1" } });
    assert.deepEqual(events, ["start"]);
    assert.equal(response.status, 200);
    assert.equal(service.state, "serving");
    await service.shutdown();
    assert.deepEqual(events, ["start", "stop"]);
  });

  test("200 while serving, 503 while stopping and once stopped, 200 again after a new start", async () => {
    const service = new Service({ name: "s" }).use(healthCheck());
    await service.startup();
    assert.equal(service.state, "serving");
    assert.equal((await health(service)).status, 200);
    let duringDrain: Response | undefined;
    await service.shutdown(async () => {
      assert.equal(service.state, "stopping");
      duringDrain = await health(service);
    });
    assert.equal(duringDrain?.status, 503);
    assert.deepEqual(await duringDrain.json(), { status: "stopping", name: "s", version: "0.0.0" });
    assert.equal(service.state, "stopped");
    assert.equal((await health(service)).status, 503);
    await service.startup();
    assert.equal((await health(service)).status, 200);
    await service.shutdown();
  });
});

describe("readiness and liveness (the Kubernetes probes)", () => {
  test("/ready is 503 until the start is done and from the moment a stop begins; /live stays 200", async () => {
    let release = (): void => {};
    const started = new Promise<void>((resolve) => (release = resolve));
    const service = new Service({ name: "k8s" }).use(healthCheck()).use({ name: "slow start", start: () => started });
    const status = async (path: string): Promise<[number, string]> => {
      const response = await health(service, path);
      return [response.status, ((await response.json()) as { status: string }).status];
    };
    assert.deepEqual(await status("/ready"), [503, "starting"], "idle: not started by anyone yet");
    const starting = service.startup();
    assert.equal(service.state, "starting");
    assert.deepEqual(await status("/ready"), [503, "starting"]);
    assert.deepEqual(await status("/live"), [200, "ok"]);
    release();
    await starting;
    assert.deepEqual(await status("/ready"), [200, "ok"]);
    let during: [number, string][] = [];
    await service.shutdown(async () => {
      during = [await status("/ready"), await status("/live"), await status("/health")];
    });
    assert.deepEqual(during, [[503, "stopping"], [200, "ok"], [503, "stopping"]]);
  });

  test("the probes' paths can be moved or left out", async () => {
    const service = new Service({ name: "s" }).use(healthCheck({ readyPath: "/readyz", livePath: false }));
    await service.startup();
    assert.equal((await health(service, "/readyz")).status, 200);
    assert.equal((await health(service, "/live")).status, 404);
    assert.equal((await health(service, "/ready")).status, 404);
    await service.shutdown();
    assert.throws(() => new Service({ name: "s", path: "/ready" }).use(healthCheck()), /differ from the service path/);
    assert.throws(() => healthCheck({ readyPath: "ready" }), TypeError);
  });
});
