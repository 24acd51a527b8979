// metrics(): Prometheus text and OpenMetrics at GET /metrics, calls counted by method and outcome
// (unknown method names never become series), durations, in-flight calls, batch lengths and body
// sizes, the info metric, escaping, content negotiation, the optional token.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, RpcError, Service } from "../mod.ts";
import { CallMetrics, metrics, negotiateFormat, outcomeOf, writeExposition } from "../src/plugins/metrics/metrics.ts";
import { escapeLabelValue, formatNumber } from "../src/plugins/metrics/exposition.ts";
import { call, post, tickingFeed, until } from "./helpers.ts";

const TOKEN = "token-never-in-metrics-77aa";
const PARAM = "param-never-in-metrics-31bc";

function meteredService(plugin = metrics()): Service {
  return new Service({ name: "metered.service", version: "2.1.0", apiTokenIsValid: (token) => token === TOKEN, timeout: 50 })
    .use(plugin)
    .publicMethod("echo", (text: string) => text)
    .publicMethod("refuse", () => {
      throw new RpcError(42, "refused");
    }, { params: ["text"] })
    .publicMethod("crash", () => {
      throw new TypeError("boom");
    }, { params: ["text"] })
    .publicMethod("slow", () => new Promise(() => {}), { params: ["text"] })
    .privateMethod("secret", (text: string) => text);
}

async function scrape(service: Service, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const response = await service.fetch(new Request("http://localhost/metrics", { headers }));
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

/** The sample lines (not comments) of an exposition. */
function samples(text: string): string[] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
}

function value(text: string, series: string): number | undefined {
  const line = samples(text).find((sample) => sample.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("metrics()", () => {
  test("counts calls by method and outcome, with durations, and never shows params or tokens", async () => {
    const service = meteredService();
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM], id: 1 });
    await call(service, { jsonrpc: "2.0", method: "echo", params: [PARAM], id: 2 });
    await call(service, { jsonrpc: "2.0", method: "echo", params: [1, 2, 3], id: 3 });
    await call(service, { jsonrpc: "2.0", method: "refuse", params: [PARAM], id: 4 });
    await call(service, { jsonrpc: "2.0", method: "crash", params: [PARAM], id: 5 });
    await call(service, { jsonrpc: "2.0", method: "secret", params: [PARAM], id: 6 }, { "x-api-token": "wrong" });
    await call(service, { jsonrpc: "2.0", method: "secret", params: [PARAM], id: 7 }, { "x-api-token": TOKEN });
    await call(service, { jsonrpc: "2.0", method: "slow", params: [PARAM], id: 8 });
    await call(service, { jsonrpc: "2.0", method: `no_such_${PARAM}`, id: 9 });
    await call(service, { jsonrpc: "2.0", method: "rpc.discover", id: 10 });
    const { status, type, text } = await scrape(service);
    assert.equal(status, 200);
    assert.equal(type, "text/plain; version=0.0.4; charset=utf-8");
    const count = (method: string, outcome: string) => value(text, `rpc_server_calls_total{method="${method}",outcome="${outcome}"}`);
    assert.equal(count("echo", "ok"), 2);
    assert.equal(count("echo", "invalid_params"), 1);
    assert.equal(count("refuse", "application"), 1);
    assert.equal(count("crash", "internal"), 1);
    assert.equal(count("secret", "access_denied"), 1);
    assert.equal(count("secret", "ok"), 1);
    assert.equal(count("slow", "timeout"), 1);
    assert.equal(count("unknown", "method_not_found"), 1);
    assert.equal(count("rpc.discover", "ok"), 1);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_count{method="echo",outcome="ok"}'), 2);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_bucket{method="echo",outcome="ok",le="+Inf"}'), 2);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_count{method="slow",outcome="timeout"}'), 1);
    assert.equal(value(text, "rpc_server_calls_in_flight"), 0);
    assert.equal(value(text, 'rpc_server_service_info{service="metered.service",version="2.1.0"}'), 1);
    assert.ok(!text.includes(PARAM) && !text.includes(TOKEN));
    for (const name of ["rpc_server_calls_total", "rpc_server_call_duration_seconds", "rpc_server_calls_in_flight", "rpc_server_batch_size", "rpc_server_request_body_bytes", "rpc_server_service_info"]) {
      assert.match(text, new RegExp(`^# HELP ${name} .+$`, "m"));
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, "m"));
    }
  });

  test("10,000 calls to random unknown method names leave the series count unchanged", async () => {
    const service = meteredService();
    await call(service, { jsonrpc: "2.0", method: "nothing_here", id: 0 });
    const before = samples((await scrape(service)).text).length;
    for (let index = 0; index < 10_000; index++) {
      const method = `m_${crypto.randomUUID()}`;
      const answer = await service.handle({ jsonrpc: "2.0", method, id: index });
      assert.equal((answer as { error?: { code: number } }).error?.code, ErrorCode.MethodNotFound);
    }
    const after = (await scrape(service)).text;
    assert.equal(samples(after).length, before);
    assert.equal(value(after, 'rpc_server_calls_total{method="unknown",outcome="method_not_found"}'), 10_001);
  });

  test("counts calls in flight while they run", async () => {
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const service = new Service({ name: "s" }).use(metrics()).publicMethod("wait", () => blocked);
    const running = service.handle({ jsonrpc: "2.0", method: "wait", id: 1 });
    assert.equal(value((await scrape(service)).text, "rpc_server_calls_in_flight"), 1);
    release();
    await running;
    assert.equal(value((await scrape(service)).text, "rpc_server_calls_in_flight"), 0);
  });

  test("batch lengths and body sizes, one observation per HTTP body", async () => {
    const service = meteredService();
    const batch = JSON.stringify([1, 2, 3].map((id) => ({ jsonrpc: "2.0", method: "echo", params: ["é"], id })));
    await post(service, batch);
    await post(service, '{"jsonrpc":"2.0","method":"echo","params":["x"],"id":1}');
    await post(service, "{not json");
    const { text } = await scrape(service);
    assert.equal(value(text, "rpc_server_batch_size_count"), 3);
    assert.equal(value(text, "rpc_server_batch_size_sum"), 5);
    assert.equal(value(text, 'rpc_server_batch_size_bucket{le="1"}'), 2);
    assert.equal(value(text, 'rpc_server_batch_size_bucket{le="5"}'), 3);
    assert.equal(value(text, "rpc_server_request_body_bytes_count"), 3);
    // Bytes, not characters: each "é" is two bytes.
    const bytes = new TextEncoder().encode(batch).byteLength + '{"jsonrpc":"2.0","method":"echo","params":["x"],"id":1}'.length + "{not json".length;
    assert.equal(value(text, "rpc_server_request_body_bytes_sum"), bytes);
  });

  test("OpenMetrics when Accept asks for it: family names, info type, units, canonical bounds, # EOF", async () => {
    const service = meteredService();
    await call(service, { jsonrpc: "2.0", method: "echo", params: ["x"], id: 1 });
    const accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    const { type, text } = await scrape(service, { accept });
    assert.equal(type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert.ok(text.endsWith("# EOF\n"));
    assert.match(text, /^# TYPE rpc_server_calls counter$/m);
    assert.match(text, /^rpc_server_calls_total\{method="echo",outcome="ok"\} 1$/m);
    assert.match(text, /^# TYPE rpc_server_service info$/m);
    assert.match(text, /^rpc_server_service_info\{service="metered.service",version="2.1.0"\} 1$/m);
    assert.match(text, /^# UNIT rpc_server_call_duration_seconds seconds$/m);
    assert.match(text, /^rpc_server_batch_size_bucket\{le="1.0"\} 1$/m);
    assert.ok(!/^# TYPE rpc_server_calls_total/m.test(text));
  });

  test("content negotiation", () => {
    assert.equal(negotiateFormat(null), "prometheus");
    assert.equal(negotiateFormat("text/plain;version=0.0.4"), "prometheus");
    assert.equal(negotiateFormat("application/openmetrics-text"), "openmetrics");
    assert.equal(negotiateFormat("application/openmetrics-text; version=1.0.0"), "openmetrics");
    assert.equal(negotiateFormat("application/openmetrics-text;version=0.0.1"), "prometheus");
    assert.equal(negotiateFormat("application/openmetrics-text;q=0"), "prometheus");
    assert.equal(negotiateFormat("application/openmetrics-text;q=0.3, text/plain;q=0.9"), "prometheus");
    assert.equal(negotiateFormat("text/plain;q=0.5, application/openmetrics-text;q=0.9"), "openmetrics");
  });

  test("label values and help are escaped per each format; numbers written as both read them", () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(escapeLabelValue("plain"), "plain");
    assert.equal(formatNumber(Infinity), "+Inf");
    assert.equal(formatNumber(-Infinity), "-Inf");
    assert.equal(formatNumber(Number.NaN), "NaN");
    assert.equal(formatNumber(2, true), "2.0");
    assert.equal(formatNumber(0.25, true), "0.25");
    const family = { name: "x_total", help: 'say "hi" \\ \n bye', type: "counter" as const, series: [{ labels: [["k", 'v"\n']] as const, value: 1 }] };
    const text = writeExposition([family], "prometheus");
    assert.match(text, /^# HELP x_total say "hi" \\\\ \\n bye$/m);
    assert.match(text, /^x_total\{k="v\\"\\n"\} 1$/m);
    const open = writeExposition([family], "openmetrics");
    assert.match(open, /^# HELP x say \\"hi\\" \\\\ \\n bye$/m);
    assert.match(open, /^x_total\{k="v\\"\\n"\} 1$/m);
  });

  test("the service's name and version are escaped in the info metric", async () => {
    const service = new Service({ name: 'odd "name"\\', version: "1\n2" }).use(metrics());
    assert.match((await scrape(service)).text, /^rpc_server_service_info\{service="odd \\"name\\"\\\\",version="1\\n2"\} 1$/m);
  });

  test("outcome classes", () => {
    assert.equal(outcomeOf(-32700), "parse_error");
    assert.equal(outcomeOf(-32600), "invalid_request");
    assert.equal(outcomeOf(-32050), "server_error");
    assert.equal(outcomeOf(-32000), "server_error");
    assert.equal(outcomeOf(-31999), "application");
    assert.equal(outcomeOf(undefined), "application");
    // The ends of the implementation range are server errors, just past them the application's.
    assert.equal(outcomeOf(-32099), "server_error");
    assert.equal(outcomeOf(-32100), "application");
    assert.equal(outcomeOf(-32003), "forbidden");
    assert.equal(outcomeOf(-32004), "unavailable");
  });

  test("-32099 is counted as a server error in a scrape, not as the application's", async () => {
    const service = new Service({ name: "s" }).use(metrics()).publicMethod("edge", () => {
      throw new RpcError(-32099, "edge of the range");
    });
    await service.handle({ jsonrpc: "2.0", method: "edge", id: 1 });
    const text = (await scrape(service)).text;
    assert.equal(value(text, 'rpc_server_calls_total{method="edge",outcome="server_error"}'), 1);
    assert.equal(value(text, 'rpc_server_calls_total{method="edge",outcome="application"}'), undefined);
  });

  test("durations are recorded in seconds under _seconds: 250 ms is 0.25, in the le=0.25 bucket", () => {
    const numbers = new CallMetrics({ service: "s", version: "1" });
    numbers.started();
    numbers.ended({ method: "m", duration: 250, notification: false, ok: true });
    const text = writeExposition(numbers.families(), "prometheus");
    assert.equal(value(text, 'rpc_server_call_duration_seconds_sum{method="m",outcome="ok"}'), 0.25);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_bucket{method="m",outcome="ok",le="0.1"}'), 0);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_bucket{method="m",outcome="ok",le="0.25"}'), 1);
  });

  test("malformed traffic is counted: parse errors, invalid requests (each batch entry), bad headers, oversized bodies", async () => {
    const service = new Service({ name: "s", limits: { maxBodyBytes: 200 } }).use(metrics()).publicMethod("echo", (text: string) => text);
    await post(service, "{not json");
    await post(service, JSON.stringify([{ jsonrpc: "2.0", method: "echo", params: ["a"], id: 1 }, { foo: 1 }, { jsonrpc: "1.0", method: `x_${PARAM}`, id: 2 }]));
    await post(service, "[]");
    await post(service, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["a"], id: 3 }), { "content-type": "application/json", "x-request-timeout": "soon" });
    await post(service, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["x".repeat(300)], id: 4 }));
    await post(service, "{}", { "content-type": "text/plain" });
    const text = (await scrape(service)).text;
    assert.equal(value(text, 'rpc_server_calls_total{method="unknown",outcome="parse_error"}'), 1);
    assert.equal(value(text, 'rpc_server_calls_total{method="unknown",outcome="invalid_request"}'), 6);
    assert.equal(value(text, 'rpc_server_calls_total{method="echo",outcome="ok"}'), 1);
    assert.ok(!text.includes(PARAM), "an invalid request's method never becomes a label");
    assert.equal(value(text, "rpc_server_calls_in_flight"), 0);
  });

  test("the refused hook: a plugin's method keeps its this; one that throws changes no answer", async () => {
    class Counter {
      readonly name = "counter";
      readonly codes: number[] = [];
      refused(code: number): void {
        this.codes.push(code);
      }
    }
    const counter = new Counter();
    const service = new Service({ name: "s" }).use(counter).use({ name: "broken", refused: () => {
      throw new Error("counter down");
    } });
    const answer = await post(service, "{not json");
    assert.equal(answer.status, 200);
    assert.equal((answer.json as { error: { code: number } }).error.code, ErrorCode.ParseError);
    assert.deepEqual(counter.codes, [ErrorCode.ParseError]);
  });

  test("duplicate bucket bounds are refused (they would write duplicate le series)", () => {
    assert.throws(() => metrics({ durationBuckets: [0.1, 0.1, 1] }), /durationBuckets must be finite numbers in ascending order/);
    assert.throws(() => metrics({ durationBuckets: [0.1, 1, 1] }), TypeError);
  });

  test("token: process.env.X with X unset is a configuration error, not open metrics", () => {
    assert.throws(() => metrics({ token: undefined }), /metrics: token is given but empty or undefined/);
    assert.throws(() => metrics({ token: "" }), TypeError);
    assert.doesNotThrow(() => metrics({}));
  });

  test("the scrape token is exactly the one Bearer credential: trailing junk or a second word is refused", async () => {
    const service = new Service({ name: "s" }).use(metrics({ token: "scrape-token" }));
    const status = async (authorization: string) => (await scrape(service, { authorization })).status;
    assert.equal(await status("Bearer scrape-token junk"), 401);
    assert.equal(await status("Bearer scrape-token scrape-token"), 401);
    assert.equal(await status("Bearer scrape-tokenX"), 401);
    assert.equal(await status("bearer \tscrape-token "), 200);
  });

  test("a token guards the metrics path; HEAD, 405, a custom path, and the JSON-RPC path refused", async () => {
    const service = new Service({ name: "s" }).use(metrics({ token: "scrape-token", path: "/internal/metrics" }));
    const at = (headers: Record<string, string> = {}, method = "GET") =>
      service.fetch(new Request("http://localhost/internal/metrics", { method, headers }));
    assert.equal((await at()).status, 401);
    assert.equal((await at()).headers.get("www-authenticate"), 'Bearer realm="metrics"');
    assert.equal((await at({ authorization: "Bearer wrong-token" })).status, 401);
    assert.equal((await at({ authorization: "Basic c2NyYXBlLXRva2Vu" })).status, 401);
    assert.equal((await at({ authorization: "Bearer scrape-token" })).status, 200);
    const head = await at({ authorization: "Bearer scrape-token" }, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    assert.equal((await at({}, "POST")).status, 405);
    assert.equal((await service.fetch(new Request("http://localhost/metrics"))).status, 404);
    assert.equal(service.allowedMethods("/internal/metrics"), "GET, HEAD");
    assert.throws(() => new Service({ name: "s" }).use(metrics({ path: "/api" })), TypeError);
    assert.throws(() => metrics({ path: "metrics" }), TypeError);
    assert.throws(() => metrics({ durationBuckets: [1, 0.5] }), TypeError);
    assert.throws(() => metrics({ durationBuckets: [] }), TypeError);
  });

  test("custom duration buckets; expose() gives what a scrape gets", async () => {
    const plugin = metrics({ durationBuckets: [0.1, 1] });
    const service = new Service({ name: "s" }).use(plugin).publicMethod("ping", () => "pong");
    await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
    const text = plugin.expose("prometheus");
    assert.equal(text, (await scrape(service)).text);
    assert.deepEqual(
      samples(text).filter((line) => line.startsWith("rpc_server_call_duration_seconds_bucket")).map((line) => /le="([^"]+)"/.exec(line)?.[1]),
      ["0.1", "1", "+Inf"],
    );
  });
});

describe("metrics() buckets", () => {
  test("the bounds a scrape lists: durations from 0.5 ms to 10 s, batch lengths from 1 to 1000, body sizes from 128 B to 4 MiB", async () => {
    const service = new Service({ name: "s" }).use(metrics()).publicMethod("ping", () => "pong");
    await post(service, '{"jsonrpc":"2.0","method":"ping","id":1}');
    const { text } = await scrape(service);
    const bounds = (family: string): (string | undefined)[] =>
      [...text.matchAll(new RegExp(`^${family}_bucket\\{(?:[^}]*,)?le="([^"]+)"\\}`, "gm"))].map((match) => match[1]);
    assert.deepEqual(bounds("rpc_server_call_duration_seconds"), ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]);
    assert.deepEqual(bounds("rpc_server_batch_size"), ["1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "+Inf"]);
    assert.deepEqual(bounds("rpc_server_request_body_bytes"), ["128", "512", "1024", "4096", "16384", "65536", "262144", "1048576", "4194304", "+Inf"]);
  });

  test("a duration past the last bound counts in +Inf only; OpenMetrics gives the body sizes' unit", () => {
    const numbers = new CallMetrics({ service: "s", version: "1" });
    numbers.started();
    numbers.ended({ method: "m", duration: 20_000, notification: false, ok: true });
    const text = writeExposition(numbers.families(), "prometheus");
    assert.equal(value(text, 'rpc_server_call_duration_seconds_bucket{method="m",outcome="ok",le="10"}'), 0);
    assert.equal(value(text, 'rpc_server_call_duration_seconds_bucket{method="m",outcome="ok",le="+Inf"}'), 1);
    assert.match(writeExposition(numbers.families(), "openmetrics"), /^# UNIT rpc_server_request_body_bytes bytes$/m);
  });

  test("content negotiation: a tie goes to OpenMetrics, a wildcard or text/* preferred keeps the text format, a range without q weighs 1", () => {
    assert.equal(negotiateFormat("application/openmetrics-text, text/plain"), "openmetrics");
    assert.equal(negotiateFormat("application/openmetrics-text;q=0.5, */*"), "prometheus");
    assert.equal(negotiateFormat("application/openmetrics-text;q=0.5, text/*"), "prometheus");
    assert.equal(negotiateFormat("text/plain, application/openmetrics-text;q=1"), "openmetrics");
  });

  test("OpenMetrics names: a counter's _total and an info's _info are dropped from the family name only when there, other families keep theirs", () => {
    const text = writeExposition([
      { name: "jobs", help: "Jobs.", type: "counter", series: [{ labels: [], value: 1 }] },
      { name: "build", help: "Build.", type: "info", series: [{ labels: [], value: 1 }] },
      { name: "queue_total", help: "Queue.", type: "gauge", series: [{ labels: [], value: 2 }] },
      { name: "host_info", help: "Host.", type: "gauge", series: [{ labels: [], value: 3 }] },
    ], "openmetrics");
    assert.deepEqual(text.split("\n").filter((line) => line.startsWith("# TYPE")), [
      "# TYPE jobs counter",
      "# TYPE build info",
      "# TYPE queue_total gauge",
      "# TYPE host_info gauge",
    ]);
  });

  test("what a scraper is answered: 405 and 401 say why, a scrape is never cached and varies by Accept", async () => {
    const service = new Service({ name: "s" }).use(metrics({ token: "scrape-token" }));
    const post405 = await service.fetch(new Request("http://localhost/metrics", { method: "POST" }));
    assert.deepEqual([post405.status, await post405.text(), post405.headers.get("allow")], [405, "Method Not Allowed", "GET, HEAD"]);
    const denied = await service.fetch(new Request("http://localhost/metrics"));
    assert.deepEqual([denied.status, await denied.text()], [401, "Unauthorized"]);
    const scraped = await service.fetch(new Request("http://localhost/metrics", { headers: { authorization: "Bearer scrape-token" } }));
    assert.deepEqual([scraped.headers.get("cache-control"), scraped.headers.get("vary")], ["no-store", "Accept"]);
  });
});

describe("metrics() and streams", () => {
  test("a stream counts in flight until its end; its duration is to its end; its items are counted, an error's and a leaver's too", { timeout: 10_000 }, async () => {
    // metrics() before streams(): its middleware, inside metrics', tells each stream's end.
    const feed = await tickingFeed(metrics());
    const { service, open } = feed;
    try {
      const whole = await open([3, 0]);
      assert.equal(value((await scrape(service)).text, "rpc_server_calls_in_flight"), 1, "in flight while it streams");
      await whole.text();
      await until(() => feed.finished() === 1);
      await (await open([5, 3])).text();
      await until(() => feed.finished() === 2);
      await feed.leave();
      await until(() => feed.finished() === 3);
      let text = "";
      for (let tries = 0; tries < 50; tries++) {
        text = (await scrape(service)).text;
        if (value(text, "rpc_server_calls_in_flight") === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(value(text, "rpc_server_calls_in_flight"), 0);
      assert.equal(value(text, 'rpc_server_calls_total{method="ticks",outcome="ok"}'), 2, "the whole stream, and the one its caller left");
      assert.equal(value(text, 'rpc_server_calls_total{method="ticks",outcome="application"}'), 1);
      assert.ok((value(text, 'rpc_server_call_duration_seconds_sum{method="ticks",outcome="application"}') ?? 0) >= 0.11, "to the error, after three waits");
      assert.ok((value(text, 'rpc_server_call_duration_seconds_sum{method="ticks",outcome="ok"}') ?? 0) >= 0.15, "both streams, each to its end");
      const leftItems = (value(text, 'rpc_server_stream_items_total{method="ticks",outcome="ok"}') ?? 0) - 3;
      assert.ok(leftItems >= 1 && leftItems <= 2, `3 items, then the leaver's 1 or 2: ${leftItems}`);
      assert.equal(value(text, 'rpc_server_stream_items_total{method="ticks",outcome="application"}'), 2);
      assert.match(text, /^# TYPE rpc_server_stream_items_total counter$/m);
      // A service without streams shows no stream family.
      assert.doesNotMatch((await scrape(meteredService())).text, /stream_items/);
    } finally {
      await feed.close();
    }
  });
});
