// metrics() checked by the real Prometheus tools: `promtool check metrics` (lint included: exit 3
// on a problem) on every text variant; the OpenMetrics variants read by promtool's OpenMetrics
// parser (its backfill, which wants timestamps: they are added); and a real Prometheus server
// scraping a service (it asks for OpenMetrics) and answering PromQL with the expected call counts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RpcError, serve, Service, type ServerHandle } from "../../mod.ts";
import { metrics, type MetricsPlugin } from "../../src/plugins/metrics/metrics.ts";
import { stopAll } from "../runtime/processes.ts";
import { type PrometheusServer, promtool, startPrometheus, waitFor } from "./prometheus.ts";

after(stopAll);

const json = { "content-type": "application/json" };

/** A service with calls of every outcome answered, and the metrics plugin it uses. */
async function busyService(name = "busy.service", version = "1.2.3", plugin: MetricsPlugin = metrics()): Promise<{ service: Service; plugin: MetricsPlugin }> {
  const service = new Service({ name, version, timeout: 20, onError: false, apiTokenIsValid: (token) => token === "t" })
    .use(plugin)
    .publicMethod("ok", () => 1)
    .publicMethod("app_error", () => {
      throw new RpcError(5, "no");
    })
    .publicMethod("crash", () => {
      throw new Error("x");
    })
    .publicMethod("slow", () => new Promise(() => {}))
    .privateMethod("secret", () => 2);
  const calls = ["ok", "app_error", "crash", "slow", "secret", "no_such_method", 'weird "name"\n\\', "rpc.discover"];
  await service.fetch(new Request("http://localhost/api", {
    method: "POST",
    headers: json,
    body: JSON.stringify(calls.map((method, id) => ({ jsonrpc: "2.0", method, id }))),
  }));
  await service.handle({ jsonrpc: "2.0", method: "ok", params: [1, 2, 3], id: 1 });
  await service.fetch(new Request("http://localhost/api", { method: "POST", headers: json, body: "{" }));
  return { service, plugin };
}

/** OpenMetrics text with a timestamp (seconds) on every sample, as promtool's backfill wants. */
function withTimestamps(text: string): string {
  const now = Math.floor(Date.now() / 1000);
  return text.split("\n").map((line) => (line === "" || line.startsWith("#") ? line : `${line} ${now}`)).join("\n");
}

async function checkOpenMetrics(text: string): Promise<{ code: number | null; output: string }> {
  const folder = await mkdtemp(join(tmpdir(), "tsmicroservice-openmetrics-"));
  try {
    await writeFile(join(folder, "input.om"), withTimestamps(text));
    return await promtool(["tsdb", "create-blocks-from", "openmetrics", join(folder, "input.om"), join(folder, "blocks")]);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

describe("promtool reads every format variant", { timeout: 60_000 }, () => {
  const variants: [string, () => Promise<MetricsPlugin>][] = [
    ["a service that answered nothing yet", () => Promise.resolve((() => {
      const plugin = metrics();
      new Service({ name: "idle.service" }).use(plugin);
      return plugin;
    })())],
    ["a service with calls of every outcome, a batch and a parse error", async () => (await busyService()).plugin],
    ["a name and version that need escaping", async () => (await busyService('odd "svc"\\\nname', 'v"1"\n')).plugin],
    ["custom duration buckets", async () => (await busyService("b", "1", metrics({ durationBuckets: [0.001, 0.5, 2] }))).plugin],
  ];

  for (const [name, make] of variants) {
    test(`text format 0.0.4, promtool check metrics: ${name}`, async () => {
      const text = (await make()).expose("prometheus");
      const run = await promtool(["check", "metrics"], text);
      assert.equal(run.code, 0, `${run.output}\n${text}`);
      assert.equal(run.output.trim(), "");
    });

    test(`OpenMetrics 1.0, promtool's OpenMetrics parser: ${name}`, async () => {
      const text = (await make()).expose("openmetrics");
      const run = await checkOpenMetrics(text);
      assert.equal(run.code, 0, `${run.output}\n${text}`);
    });
  }

  test("the checks are strict: a metric without HELP fails lint (exit 3); OpenMetrics without # EOF fails", async () => {
    const { plugin } = await busyService();
    const withoutHelp = plugin.expose("prometheus").replace(/^# HELP rpc_server_calls_total .*\n/m, "");
    assert.equal((await promtool(["check", "metrics"], withoutHelp)).code, 3);
    const withoutEof = plugin.expose("openmetrics").replace("# EOF\n", "");
    assert.notEqual((await checkOpenMetrics(withoutEof)).code, 0);
  });
});

describe("a real Prometheus scrapes a service", { timeout: 90_000 }, () => {
  let server: ServerHandle;
  let prometheus: PrometheusServer;
  const accepts: string[] = [];

  before(async () => {
    const service = new Service({ name: "scraped.service", version: "3.0.0" })
      .use({ name: "accept spy", intercept: (head) => {
        if (head.path === "/metrics") accepts.push(head.headers.get("accept") ?? "");
        return undefined;
      } })
      .use(metrics({ token: "scrape-secret" }))
      .publicMethod("ping", () => "pong");
    server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    for (let id = 0; id < 7; id++) {
      await fetch(`${server.url}/api`, { method: "POST", headers: json, body: JSON.stringify({ jsonrpc: "2.0", method: "ping", id }) });
    }
    for (let id = 0; id < 3; id++) {
      await fetch(`${server.url}/api`, { method: "POST", headers: json, body: JSON.stringify({ jsonrpc: "2.0", method: `random_${crypto.randomUUID()}`, id }) });
    }
    prometheus = await startPrometheus(`127.0.0.1:${server.port}`, { token: "scrape-secret" });
  });

  after(async () => {
    await prometheus.stop();
    await server.close();
  });

  test("PromQL over the HTTP API answers the call counts; the scrape was OpenMetrics, with the token", async () => {
    let pings: string | undefined;
    await waitFor(async () => {
      const result = await prometheus.query('rpc_server_calls_total{method="ping",outcome="ok"}');
      pings = result[0]?.value[1];
      return pings !== undefined;
    }, 30_000, "the first scrape with the ping counter");
    assert.equal(pings, "7");
    const unknown = await prometheus.query('sum(rpc_server_calls_total{outcome="method_not_found"}) by (method)');
    assert.deepEqual(unknown.map((sample) => [sample.metric["method"], sample.value[1]]), [["unknown", "3"]]);
    const up = await prometheus.query('up{job="service"}');
    assert.equal(up[0]?.value[1], "1");
    const info = await prometheus.query("rpc_server_service_info");
    assert.equal(info[0]?.metric["service"], "scraped.service");
    assert.equal(info[0].metric["version"], "3.0.0");
    const histogram = await prometheus.query('rpc_server_call_duration_seconds_count{method="ping"}');
    assert.equal(histogram[0]?.value[1], "7");
    assert.ok(accepts.length > 0 && accepts.every((accept) => accept.startsWith("application/openmetrics-text")), accepts.join(" | "));
  });
});
