// openTelemetry() and openTelemetryClient() with the real OpenTelemetry SDK (BasicTracerProvider,
// in-memory exporter): a call through a gateway (two services on real sockets, as in
// examples/gateway.ts) makes one trace of client and server spans across both services, with the
// right parents, names, kinds and attributes; errors are status ERROR without params or tokens;
// one server span per batch entry; the OpenTelemetry context API option.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Context, type ContextManager, context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { AsyncLocalStorage } from "node:async_hooks";
import { createClient, RpcError, serve, Service, type ServerHandle } from "../mod.ts";
import { MAX_ATTRIBUTE_LENGTH, type OtelSpan, OTHER_METHOD, openTelemetry, openTelemetryClient, SpanKinds } from "../src/plugins/opentelemetry/opentelemetry.ts";
import { EMPTY_CONTEXT, SPAN_KEY, withParent } from "../src/plugins/opentelemetry/otel_context.ts";
import { callLog } from "../src/plugins/call_log.ts";
import { asyncTraceScope } from "../src/tracing/async_scope.ts";
import { childTrace, formatTraceparent } from "../src/tracing/trace_context.ts";
import { call, tickingFeed, until } from "./helpers.ts";

const TOKEN = "token-never-in-spans-0c3d";
const PARAM = "param-never-in-spans-8e1f";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("tsmicroservice-test");
after(() => provider.shutdown());

const SERVER = SpanKind.SERVER;
const CLIENT = SpanKind.CLIENT;
const ERROR = SpanStatusCode.ERROR;

/** The value, which the test needs to be there. */
function must<T>(value: T | undefined): T {
  assert.ok(value !== undefined);
  return value;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}


/** A context manager on AsyncLocalStorage, as the Node SDK installs. */
function asyncContextManager(): ContextManager {
  const storage = new AsyncLocalStorage<Context>();
  return {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

describe("OpenTelemetry through a gateway (two services on real sockets)", () => {
  let upstreamServer: ServerHandle;
  let gatewayServer: ServerHandle;
  let gatewayUrl: string;

  before(async () => {
    const upstreamScope = asyncTraceScope();
    const upstream = new Service({ name: "calculator.service", onError: false, apiTokenIsValid: (token) => token === TOKEN })
      .use(openTelemetry({ tracer, scope: upstreamScope }))
      .publicMethod("add", (a: number, b: number) => a + b)
      .privateMethod("divide", (a: number, b: number) => {
        if (b === 0) throw new RpcError(7, "division by zero");
        return a / b;
      })
      .publicMethod("crash", (_text: string) => {
        throw new Error(`boom ${_text}`);
      });
    upstreamServer = await serve(upstream, { hostname: "127.0.0.1", port: 0 });
    const scope = asyncTraceScope();
    const calculator = createClient(`${upstreamServer.url}/api`, {
      token: TOKEN,
      observe: openTelemetryClient({ tracer, scope, service: "calculator.service" }),
    });
    const gateway = new Service({ name: "gateway.service", onError: false })
      .use(openTelemetry({ tracer, scope }))
      .publicMethod("add", async (a: number, b: number) => {
        await new Promise((resolve) => setTimeout(resolve, 1)); // the trace survives an await
        return await calculator.call("add", [a, b]);
      })
      .publicMethod("divide", (a: number, b: number) => calculator.call("divide", [a, b]))
      .publicMethod("crash", (text: string) => calculator.call("crash", [text]))
      .publicMethod("sum_twice", async (a: number, b: number) => {
        const results = await calculator.batch((batch) => [batch.call("add", [a, b]), batch.call("add", [b, a])]);
        return results.map((result) => (result.ok ? result.value : null));
      });
    gatewayServer = await serve(gateway, { hostname: "127.0.0.1", port: 0 });
    gatewayUrl = `${gatewayServer.url}/api`;
  });

  after(async () => {
    await gatewayServer.close();
    await upstreamServer.close();
  });

  test("one trace: caller CLIENT → gateway SERVER → gateway CLIENT → upstream SERVER, attributes per the conventions", async () => {
    exporter.reset();
    const caller = createClient(gatewayUrl, { observe: openTelemetryClient({ tracer, service: "gateway.service" }) });
    assert.equal(await caller.call("add", [2, 3]), 5);
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 4);
    const byName = (name: string, kind: SpanKind) => spans.find((span) => span.name === name && span.kind === kind);
    const callerSpan = byName("gateway.service/add", CLIENT);
    const gatewaySpan = byName("gateway.service/add", SERVER);
    const hopSpan = byName("calculator.service/add", CLIENT);
    const upstreamSpan = byName("calculator.service/add", SERVER);
    assert.ok(callerSpan && gatewaySpan && hopSpan && upstreamSpan, spans.map((span) => `${span.name} ${span.kind}`).join(", "));
    const traceId = callerSpan.spanContext().traceId;
    assert.ok(spans.every((span) => span.spanContext().traceId === traceId));
    assert.equal(parentOf(callerSpan), undefined);
    assert.equal(parentOf(gatewaySpan), callerSpan.spanContext().spanId);
    assert.equal(parentOf(hopSpan), gatewaySpan.spanContext().spanId);
    assert.equal(parentOf(upstreamSpan), hopSpan.spanContext().spanId);
    assert.equal(gatewaySpan.parentSpanContext?.isRemote, true);
    assert.deepEqual({ ...upstreamSpan.attributes }, {
      "rpc.system": "jsonrpc",
      "rpc.service": "calculator.service",
      "rpc.method": "add",
      "rpc.jsonrpc.version": "2.0",
      "rpc.jsonrpc.request_id": hopSpan.attributes["rpc.jsonrpc.request_id"],
      "server.address": "127.0.0.1",
      "server.port": upstreamServer.port,
    });
    assert.equal(hopSpan.attributes["server.address"], "127.0.0.1");
    assert.equal(hopSpan.attributes["server.port"], upstreamServer.port);
    assert.equal(hopSpan.attributes["rpc.system"], "jsonrpc");
    assert.equal(hopSpan.attributes["rpc.method"], "add");
    assert.equal(typeof hopSpan.attributes["rpc.jsonrpc.request_id"], "string");
    assert.ok(spans.every((span) => span.status.code !== ERROR));
  });

  test("errors: status ERROR with the JSON-RPC code and message, never params or tokens", async () => {
    exporter.reset();
    const caller = createClient(gatewayUrl, { observe: openTelemetryClient({ tracer }) });
    await assert.rejects(caller.call("divide", [1, 0]), (error: RpcError) => error.code === 7);
    await assert.rejects(caller.call("crash", [PARAM]), (error: RpcError) => error.code === -32603);
    const spans = exporter.getFinishedSpans();
    const failed = spans.filter((span) => span.status.code === ERROR);
    assert.equal(failed.length, spans.length); // every hop failed
    const upstreamDivide = must(spans.find((span) => span.name === "calculator.service/divide" && span.kind === SERVER));
    assert.equal(upstreamDivide.attributes["rpc.jsonrpc.error_code"], 7);
    assert.equal(upstreamDivide.attributes["rpc.jsonrpc.error_message"], "division by zero");
    assert.equal(upstreamDivide.status.message, "division by zero");
    const upstreamCrash = must(spans.find((span) => span.name === "calculator.service/crash" && span.kind === SERVER));
    assert.equal(upstreamCrash.attributes["rpc.jsonrpc.error_code"], -32603);
    assert.equal(upstreamCrash.attributes["rpc.jsonrpc.error_message"], "Internal error");
    const everything = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })));
    assert.ok(!everything.includes(PARAM) && !everything.includes(TOKEN), everything);
  });

  test("a batch: one client span and one server span per entry, all in the caller's trace", async () => {
    exporter.reset();
    const root = tracer.startSpan("test root");
    const rootTrace = { traceId: root.spanContext().traceId, spanId: root.spanContext().spanId, flags: 1 };
    const caller = createClient(gatewayUrl, { observe: openTelemetryClient({ tracer }) });
    assert.deepEqual(await caller.call("sum_twice", [1, 2], { trace: rootTrace }), [3, 3]);
    root.end();
    const spans = exporter.getFinishedSpans();
    assert.ok(spans.every((span) => span.spanContext().traceId === rootTrace.traceId));
    const gatewaySpan = spans.find((span) => span.name === "gateway.service/sum_twice" && span.kind === SERVER);
    const hops = spans.filter((span) => span.name === "calculator.service/add" && span.kind === CLIENT);
    const entries = spans.filter((span) => span.name === "calculator.service/add" && span.kind === SERVER);
    assert.equal(hops.length, 2);
    assert.equal(entries.length, 2);
    assert.ok(hops.every((span) => parentOf(span) === gatewaySpan?.spanContext().spanId));
    // One request carries the batch: its server spans are children of the gateway's span too.
    assert.ok(entries.every((span) => parentOf(span) === gatewaySpan?.spanContext().spanId));
    assert.deepEqual(new Set(entries.map((span) => span.attributes["rpc.jsonrpc.request_id"])), new Set(hops.map((span) => span.attributes["rpc.jsonrpc.request_id"])));
  });

  test("a transport failure ends the client span with ERROR", async () => {
    exporter.reset();
    const caller = createClient("http://127.0.0.1:1/api", { observe: openTelemetryClient({ tracer }) });
    await assert.rejects(caller.call("add", [1, 2]));
    const span = must(exporter.getFinishedSpans()[0]);
    assert.equal(span.status.code, ERROR);
    assert.equal(span.attributes["error.type"], "network");
    assert.equal(span.name, "add");
  });
});

describe("openTelemetry() in process", () => {
  test("unknown methods are named _OTHER; notifications have no request id; an invalid traceparent starts a new trace", async () => {
    exporter.reset();
    const service = new Service({ name: "s" }).use(openTelemetry({ tracer })).publicMethod("ping", () => "pong");
    await call(service, { jsonrpc: "2.0", method: `random_${PARAM}`, id: null }, { traceparent: "00-not-valid" });
    await call(service, { jsonrpc: "2.0", method: "ping" });
    service.publicMethod("late", () => "registered after use()" as const);
    await call(service, { jsonrpc: "2.0", method: "late", id: "x" });
    const spans = exporter.getFinishedSpans();
    const [unknown, notification, late] = [must(spans[0]), must(spans[1]), must(spans[2])];
    assert.equal(unknown.name, `s/${OTHER_METHOD}`);
    assert.equal(unknown.attributes["rpc.method"], OTHER_METHOD);
    assert.equal(unknown.attributes["rpc.jsonrpc.request_id"], "");
    assert.equal(unknown.attributes["rpc.jsonrpc.error_code"], -32601);
    assert.equal(unknown.parentSpanContext, undefined);
    assert.equal(notification.attributes["rpc.jsonrpc.request_id"], undefined);
    assert.equal(late.name, "s/late");
    assert.equal(late.attributes["rpc.jsonrpc.request_id"], "x");
  });

  test("with OpenTelemetry's context API, the handler runs with its span active; tracestate is kept", async () => {
    assert.ok(otelContext.setGlobalContextManager(asyncContextManager()));
    try {
      exporter.reset();
      let activeSpanId: string | undefined;
      const service = new Service({ name: "ctx" })
        .use(openTelemetry({ tracer, context: otelContext }))
        .publicMethod("inner", async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
          const child = tracer.startSpan("db query");
          child.end();
          return true;
        });
      const parent = childTrace(undefined);
      await call(service, { jsonrpc: "2.0", method: "inner", id: 1 }, { traceparent: formatTraceparent(parent), tracestate: "vendor=abc" });
      const spans = exporter.getFinishedSpans();
      const server = spans.find((span) => span.name === "ctx/inner");
      const child = spans.find((span) => span.name === "db query");
      assert.equal(activeSpanId, server?.spanContext().spanId);
      assert.equal(parentOf(child!), server?.spanContext().spanId);
      assert.equal(server?.spanContext().traceState?.serialize(), "vendor=abc");
      // A client that reads the active span continues it.
      const sent: Headers[] = [];
      const client = createClient("http://upstream.test/api", {
        observe: openTelemetryClient({ tracer, context: otelContext }),
        fetch: (_url, init) => {
          sent.push(new Headers(init.headers));
          return Promise.resolve(new Response('{"jsonrpc":"2.0","result":1,"id":' + String((JSON.parse(init.body as string) as { id: number }).id) + "}"));
        },
      });
      const outer = tracer.startSpan("outer");
      await otelContext.with(trace.setSpan(otelContext.active(), outer), () => client.call("x"));
      outer.end();
      assert.equal(sent[0]?.get("traceparent")?.split("-")[1], outer.spanContext().traceId);
    } finally {
      otelContext.disable();
    }
  });
});


describe("OpenTelemetry and hostile thrown values", () => {
  test("a revoked proxy or an RpcError whose message getter throws still ends its span with ERROR", async () => {
    exporter.reset();
    const badRpc = new RpcError(7, "unused");
    Object.defineProperty(badRpc, "message", {
      get() {
        throw new Error("the message getter throws");
      },
    });
    const service = new Service({ name: "hostile", onError: false })
      .use(openTelemetry({ tracer }))
      .publicMethod("revoked", () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the hostile shape under test
        throw proxy;
      })
      .publicMethod("bad_rpc", () => {
        throw badRpc;
      });
    await call(service, { jsonrpc: "2.0", method: "revoked", id: 1 });
    await call(service, { jsonrpc: "2.0", method: "bad_rpc", id: 2 });
    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((span) => [span.name, span.status.code, span.attributes["rpc.jsonrpc.error_code"], span.attributes["rpc.jsonrpc.error_message"]]),
      [
        ["hostile/revoked", ERROR, -32603, "Internal error"],
        ["hostile/bad_rpc", ERROR, -32603, "Internal error"],
      ],
    );
  });
});

describe("OpenTelemetry and caller-chosen values", () => {
  test("a 200,000-character request id, Host and method name are clipped in spans; unknown names are _OTHER", async () => {
    exporter.reset();
    const service = new Service({ name: "clip" }).use(openTelemetry({ tracer })).publicMethod("ping", () => "pong");
    const long = "i".repeat(200_000);
    const response = await service.fetch(new Request("http://localhost/api", {
      method: "POST",
      headers: { "content-type": "application/json", host: `${"h".repeat(10_000)}:5000` },
      body: JSON.stringify([{ jsonrpc: "2.0", method: "ping", id: long }, { jsonrpc: "2.0", method: long, id: 1 }]),
    }));
    const answers = await response.json() as { id: unknown }[];
    assert.ok(answers[0]?.id === long, "the answer still echoes the id whole");
    const spans = exporter.getFinishedSpans();
    assert.equal(spans.length, 2);
    for (const span of spans) {
      for (const [name, value] of Object.entries(span.attributes)) {
        assert.ok(String(value).length <= MAX_ATTRIBUTE_LENGTH, `${name} is ${String(value).length} characters`);
      }
      assert.ok(span.name.length <= 64, span.name);
    }
    const ping = must(spans.find((span) => span.name === "clip/ping"));
    assert.ok(ping.attributes["rpc.jsonrpc.request_id"] === `${long.slice(0, MAX_ATTRIBUTE_LENGTH - 1)}…`, "the id's first characters, then …");
    assert.equal(ping.attributes["server.port"], 5000);
    assert.equal(must(spans.find((span) => span.name === `clip/${OTHER_METHOD}`)).attributes["rpc.method"], OTHER_METHOD);
  });

  test("a method registered after use() is known; an unknown name never rescans the registry", async () => {
    exporter.reset();
    const service = new Service({ name: "late" }).use(openTelemetry({ tracer }));
    let listed = 0;
    const listMethods = service.listMethods.bind(service);
    service.listMethods = () => {
      listed++;
      return listMethods();
    };
    service.publicMethod("added_later", () => 1);
    for (let index = 0; index < 50; index++) await service.handle({ jsonrpc: "2.0", method: `missing_${index}`, id: index });
    await service.handle({ jsonrpc: "2.0", method: "added_later", id: 1 });
    await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 2 });
    const names = exporter.getFinishedSpans().map((span) => span.name);
    assert.ok(names.includes("late/added_later") && names.includes("late/rpc.discover"), names.join());
    assert.equal(names.filter((name) => name === `late/${OTHER_METHOD}`).length, 50);
    assert.equal(listed, 1, "listed once, by rpc.discover itself");
  });

  test("each batch entry's client span gets its own entry's answer", async () => {
    exporter.reset();
    const client = createClient("http://upstream.test/api", {
      observe: openTelemetryClient({ tracer }),
      fetch: (_url, init) => {
        const [first, second] = JSON.parse(init.body as string) as { id: number }[];
        // Answered out of order: the error belongs to the second entry.
        return Promise.resolve(Response.json([
          { jsonrpc: "2.0", error: { code: 7, message: "second failed" }, id: second?.id },
          { jsonrpc: "2.0", result: 1, id: first?.id },
        ]));
      },
    });
    await client.batch((batch) => [batch.call("first"), batch.call("second")]);
    const spans = exporter.getFinishedSpans();
    const first = must(spans.find((span) => span.name === "first"));
    const second = must(spans.find((span) => span.name === "second"));
    assert.equal(first.status.code, SpanStatusCode.UNSET);
    assert.equal(first.attributes["rpc.jsonrpc.error_code"], undefined);
    assert.equal(second.status.code, ERROR);
    assert.equal(second.attributes["rpc.jsonrpc.error_code"], 7);
    assert.equal(second.attributes["rpc.jsonrpc.error_message"], "second failed");
  });

  test("server.port of a URL without a port: 80 for http, 443 for https", async () => {
    exporter.reset();
    const fetch = (_url: string, init: RequestInit) =>
      Promise.resolve(Response.json({ jsonrpc: "2.0", result: 1, id: (JSON.parse(init.body as string) as { id: number }).id }));
    await createClient("http://plain.test/api", { observe: openTelemetryClient({ tracer }), fetch }).call("plain");
    await createClient("https://secure.test/api", { observe: openTelemetryClient({ tracer }), fetch }).call("secure");
    const spans = exporter.getFinishedSpans();
    assert.equal(must(spans.find((span) => span.name === "plain")).attributes["server.port"], 80);
    assert.equal(must(spans.find((span) => span.name === "secure")).attributes["server.port"], 443);
    assert.equal(must(spans.find((span) => span.name === "secure")).attributes["server.address"], "secure.test");
  });

  test("a client span clips a method name it is handed (a gateway passing its caller's on)", async () => {
    exporter.reset();
    const fetch = (_url: string, init: RequestInit) =>
      Promise.resolve(Response.json({ jsonrpc: "2.0", result: 1, id: (JSON.parse(init.body as string) as { id: number }).id }));
    await createClient("http://plain.test/api", { observe: openTelemetryClient({ tracer, service: "plain" }), fetch }).call("m".repeat(10_000));
    const [span] = exporter.getFinishedSpans();
    assert.equal(String(must(span).attributes["rpc.method"]).length, MAX_ATTRIBUTE_LENGTH);
    assert.ok(must(span).name.length <= MAX_ATTRIBUTE_LENGTH + "plain/".length);
  });

  test("an upstream's protocol error let through is recorded as the caller was told it: Internal error", async () => {
    exporter.reset();
    const upstream = createClient("http://upstream.test/api", {
      fetch: (_url, init) => Promise.resolve(Response.json({
        jsonrpc: "2.0",
        error: { code: -32001, message: "Access denied: upstream detail" },
        id: (JSON.parse(init.body as string) as { id: number }).id,
      })),
    });
    const service = new Service({ name: "gw", onError: false }).use(openTelemetry({ tracer })).publicMethod("relay", () => upstream.call("secret"));
    const answer = await service.handle({ jsonrpc: "2.0", method: "relay", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 });
    const span = must(exporter.getFinishedSpans().find((each) => each.name === "gw/relay"));
    assert.equal(span.attributes["rpc.jsonrpc.error_message"], "Internal error");
  });

  test("an unavailable upstream is -32004 in the server span", async () => {
    exporter.reset();
    const down = createClient("http://127.0.0.1:9/api");
    const service = new Service({ name: "shop", onError: false }).use(openTelemetry({ tracer })).publicMethod("checkout", () => down.call("charge"));
    await service.handle({ jsonrpc: "2.0", method: "checkout", id: 1 });
    const span = must(exporter.getFinishedSpans().find((each) => each.name === "shop/checkout"));
    assert.equal(span.attributes["rpc.jsonrpc.error_code"], -32004);
    assert.equal(span.attributes["rpc.jsonrpc.error_message"], "Unavailable: a service this call needs could not be reached");
  });
});

describe("OpenTelemetry span details a collector shows", () => {
  /** A fetch that answers each call with a result, keeping the headers it was sent. */
  const answering = (sent: Headers[]) => (_url: string, init: RequestInit): Promise<Response> => {
    sent.push(new Headers(init.headers));
    const body = JSON.parse(init.body as string) as { id: number } | { id: number }[];
    const reply = (id: number) => ({ jsonrpc: "2.0", result: 1, id });
    return Promise.resolve(Response.json(Array.isArray(body) ? body.map((entry) => reply(entry.id)) : reply(body.id)));
  };

  test("a failed call's span: the message its caller was told, its code as error.type, an unknown method as _OTHER", async () => {
    exporter.reset();
    const service = new Service({ name: "s", apiTokenIsValid: () => false })
      .use(openTelemetry({ tracer }))
      .publicMethod("add", (a: number, b: number) => a + b)
      .publicMethod("wait", () => new Promise(() => {}), { timeout: 5 })
      .privateMethod("secret", () => 1);
    await service.handle([
      { jsonrpc: "2.0", method: "nope", id: 1 },
      { jsonrpc: "2.0", method: "add", params: [1, 2, 3], id: 2 },
      { jsonrpc: "2.0", method: "secret", id: 3 },
      { jsonrpc: "2.0", method: "wait", id: 4 },
    ]);
    const spans = exporter.getFinishedSpans();
    const errors = ["s/_OTHER", "s/add", "s/secret", "s/wait"].map((name) => {
      const span = must(spans.find((found) => found.name === name));
      return [span.attributes["rpc.method"], span.attributes["rpc.jsonrpc.error_code"], span.attributes["error.type"], span.attributes["rpc.jsonrpc.error_message"], span.status.message];
    });
    assert.deepEqual(errors, [
      ["_OTHER", -32601, "-32601", "Method not found", "Method not found"],
      ["add", -32602, "-32602", "Invalid params", "Invalid params"],
      ["secret", -32001, "-32001", "Access denied", "Access denied"],
      ["wait", -32002, "-32002", "Timeout", "Timeout"],
    ]);
  });

  test("a request id of 256 characters is kept whole, one of 257 is cut to 256 with …", async () => {
    exporter.reset();
    const service = new Service({ name: "s" }).use(openTelemetry({ tracer })).publicMethod("ping", () => "pong");
    await service.handle([{ jsonrpc: "2.0", method: "ping", id: "a".repeat(256) }, { jsonrpc: "2.0", method: "ping", id: "b".repeat(257) }]);
    const ids = exporter.getFinishedSpans().map((span) => span.attributes["rpc.jsonrpc.request_id"]);
    assert.deepEqual(ids, ["a".repeat(256), `${"b".repeat(255)}…`]);
  });

  test("server.address comes from each request's own Host: a request without one has none", async () => {
    exporter.reset();
    const service = new Service({ name: "s" }).use(openTelemetry({ tracer })).publicMethod("ping", () => "pong");
    await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }, { headers: new Headers({ host: "api.example:8080" }) });
    await service.handle({ jsonrpc: "2.0", method: "ping", id: 2 }, { headers: new Headers() });
    const [first, second] = exporter.getFinishedSpans().map((span) => [span.attributes["server.address"], span.attributes["server.port"]]);
    assert.deepEqual(first, ["api.example", 8080]);
    assert.deepEqual(second, [undefined, undefined]);
  });

  test("traceOf(call) tells a call log the call's span", async () => {
    exporter.reset();
    const lines: string[] = [];
    const otel = openTelemetry({ tracer });
    const service = new Service({ name: "s" })
      .use(callLog({ info: (line) => lines.push(line), error: (line) => lines.push(line) }, { format: "json", traces: otel }))
      .use(otel)
      .publicMethod("ping", () => "pong");
    await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
    const span = must(exporter.getFinishedSpans()[0]).spanContext();
    const record = JSON.parse(must(lines[0])) as { trace_id?: string; span_id?: string };
    assert.deepEqual([record.trace_id, record.span_id], [span.traceId, span.spanId]);
  });

  test("a client span: rpc.service and rpc.jsonrpc.version; the caller's tracestate sent on", async () => {
    exporter.reset();
    const sent: Headers[] = [];
    const client = createClient("http://upstream.test/api", { observe: openTelemetryClient({ tracer, service: "calculator" }), fetch: answering(sent) });
    const trace = { ...childTrace(undefined), traceState: "vendor=abc" };
    await client.call("add", [1, 2], { trace });
    const span = must(exporter.getFinishedSpans()[0]);
    assert.equal(span.name, "calculator/add");
    assert.equal(span.attributes["rpc.service"], "calculator");
    assert.equal(span.attributes["rpc.jsonrpc.version"], "2.0");
    assert.equal(sent[0]?.get("tracestate"), "vendor=abc");
    assert.equal(must(sent[0]).get("traceparent")?.split("-")[1], trace.traceId);
  });

  test("a client's batch outside any trace names OpenTelemetry's active span as its parent", async () => {
    assert.ok(otelContext.setGlobalContextManager(asyncContextManager()));
    try {
      const sent: Headers[] = [];
      const client = createClient("http://upstream.test/api", { observe: openTelemetryClient({ tracer, context: otelContext }), fetch: answering(sent) });
      const outer = tracer.startSpan("outer");
      await otelContext.with(trace.setSpan(otelContext.active(), outer), () => client.batch((batch) => [batch.call("a"), batch.call("b")]));
      outer.end();
      const [, traceId, parentId] = sent[0]?.get("traceparent")?.split("-") ?? [];
      assert.deepEqual([traceId, parentId], [outer.spanContext().traceId, outer.spanContext().spanId]);
    } finally {
      otelContext.disable();
    }
  });

  test("the parent context made from a traceparent behaves as OpenTelemetry's: tracestate, a span that records nothing, values removed", () => {
    const parentTrace = { ...childTrace(undefined), traceState: "a=1,b=2" };
    const context = withParent(EMPTY_CONTEXT, parentTrace);
    const span = context.getValue(SPAN_KEY) as OtelSpan & { isRecording(): boolean };
    const state = must(span.spanContext().traceState);
    assert.equal(state.serialize(), "a=1,b=2");
    assert.deepEqual([state.get("a"), state.get("b"), state.get("c")], ["1", "2", undefined]);
    assert.equal(state.set("a", "3").serialize(), "a=3,b=2");
    assert.equal(state.unset("a").serialize(), "b=2");
    assert.equal(span.isRecording(), false);
    assert.equal(span.setAttribute("x", 1), span);
    assert.equal(span.setStatus({ code: ERROR }), span);
    assert.equal(span.updateName("other"), span);
    assert.equal(context.deleteValue(SPAN_KEY).getValue(SPAN_KEY), undefined);
    assert.deepEqual(SpanKinds, { INTERNAL: SpanKind.INTERNAL, SERVER: SpanKind.SERVER, CLIENT: SpanKind.CLIENT });
  });
});

describe("openTelemetry() and streams", () => {
  test("a stream's span ends with the stream: its duration, its items, an error mid-stream, a caller that left", { timeout: 10_000 }, async () => {
    exporter.reset();
    // openTelemetry() before streams(): its middleware, inside the span's, tells each stream's end.
    const feed = await tickingFeed(openTelemetry({ tracer }));
    const { open } = feed;
    try {
      const whole = await open([3, 0]);
      assert.equal(exporter.getFinishedSpans().length, 0, "the span is open while the stream is");
      await whole.text();
      await until(() => exporter.getFinishedSpans().length === 1);
      await (await open([5, 2])).text();
      await until(() => exporter.getFinishedSpans().length === 2);
      await feed.leave();
      await until(() => exporter.getFinishedSpans().length === 3 && feed.finished() === 3);
      const [ok, failed, left] = exporter.getFinishedSpans().map((span) => ({
        ms: span.duration[0] * 1000 + span.duration[1] / 1e6,
        items: span.attributes["rpc.jsonrpc.stream.items"],
        left: span.attributes["rpc.jsonrpc.stream.left"],
        code: span.attributes["rpc.jsonrpc.error_code"],
        status: span.status.code,
      })) as [{ ms: number; items: unknown; left: unknown; code: unknown; status: SpanStatusCode }, { ms: number; items: unknown; left: unknown; code: unknown; status: SpanStatusCode }, { ms: number; items: unknown; left: unknown; code: unknown; status: SpanStatusCode }];
      assert.ok(ok.ms >= 110, `the span lasts the stream: ${ok.ms} ms`);
      assert.deepEqual([ok.items, ok.left, ok.code, ok.status === ERROR], [3, undefined, undefined, false]);
      assert.ok(failed.ms >= 70, `to the error: ${failed.ms} ms`);
      assert.deepEqual([failed.items, failed.code, failed.status], [1, 4000, ERROR]);
      assert.equal(left.left, true);
      assert.ok(left.items === 1 || left.items === 2, String(left.items));
      assert.notEqual(left.status, ERROR, "a caller that leaves is not an error");
    } finally {
      await feed.close();
    }
  });
});
