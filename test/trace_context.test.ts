// W3C trace context: traceparent/tracestate parsing by the spec's rules, ids, the traceContext()
// plugin (a call runs in the trace of its request), propagateTrace() on the client (a call made
// inside a handler continues the handler's trace, by async context or one explicit argument), and
// the plugin contract's call middleware.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CallStart, type CallSummary, createClient, type Plugin, RpcError, Service } from "../mod.ts";
import {
  childTrace,
  currentTrace,
  formatTraceparent,
  incomingTrace,
  newSpanId,
  newTraceId,
  parseTraceparent,
  parseTracestate,
  propagateTrace,
  syncTraceScope,
  traceContext,
  type TraceContext,
} from "../src/plugins/trace_context.ts";
import { asyncTraceScope } from "../src/tracing/async_scope.ts";
import { call } from "./helpers.ts";
import { whenEnded } from "../src/plugins/when_ended.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${PARENT}-01`;

describe("traceparent", () => {
  test("a valid header of version 00", () => {
    assert.deepEqual(parseTraceparent(VALID), { version: 0, traceId: TRACE, parentId: PARENT, flags: 1 });
    assert.deepEqual(parseTraceparent(`00-${TRACE}-${PARENT}-00`)?.flags, 0);
    assert.deepEqual(parseTraceparent(` ${VALID} `)?.traceId, TRACE);
  });

  test("invalid headers are refused", () => {
    for (const header of [
      null,
      undefined,
      "",
      `00-${TRACE.toUpperCase()}-${PARENT}-01`, // upper case
      `00-${"0".repeat(32)}-${PARENT}-01`, // all-zero trace id
      `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero parent id
      `ff-${TRACE}-${PARENT}-01`, // version ff
      `0g-${TRACE}-${PARENT}-01`, // not hex
      `00-${TRACE}-${PARENT}-01-extra`, // version 00 has exactly four fields
      `00-${TRACE}-${PARENT}-0x`,
      `00_${TRACE}_${PARENT}_01`,
      `00-${TRACE.slice(1)}-${PARENT}1-01`,
      `00-${TRACE}-${PARENT}-1`,
      `01-${TRACE}-${PARENT}-01x`, // a later version's extra fields follow a "-"
      `01-${TRACE}-${PARENT}-1`, // 54 characters: too short for any version
      `00-${TRACE}0${PARENT}-01`, // one separator missing, each in turn
      `00-${TRACE}-${PARENT}001`,
      `000${TRACE}-${PARENT}-01`,
      `01-${TRACE}0${PARENT}-01`,
      `01-${TRACE}-${PARENT}001`,
    ]) assert.equal(parseTraceparent(header), undefined, String(header));
  });

  test("a later version is read by its first four fields", () => {
    assert.equal(parseTraceparent(`01-${TRACE}-${PARENT}-01`)?.version, 1);
    assert.deepEqual(parseTraceparent(`cc-${TRACE}-${PARENT}-1f`), { version: 0xcc, traceId: TRACE, parentId: PARENT, flags: 0x1f }, "version and flags are hex");
    assert.equal(parseTraceparent(`00-${TRACE}-${PARENT}-10`)?.flags, 16, "both digits of the flags");
    assert.equal(parseTraceparent(`cc-${TRACE}-${PARENT}-01-what-the-future-holds`)?.traceId, TRACE);
  });

  test("new ids: always lower-case hex of their length, never all zero, never repeated, however trace and span ids interleave", () => {
    const seen = new Set<string>();
    // Enough ids to go through the pool of random bytes several times, at every offset.
    for (let round = 0; round < 2_000; round++) {
      const ids = round % 3 === 0 ? [newSpanId(), newTraceId()] : [newTraceId(), newSpanId(), newSpanId()];
      for (const id of ids) {
        assert.match(id, id.length === 32 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/);
        assert.ok(!/^0+$/.test(id));
        assert.ok(!seen.has(id), "not repeated");
        seen.add(id);
      }
    }
  });

  test("an all-zero draw of random bytes never becomes an id: new bytes are drawn", (t) => {
    let zeroed = 0;
    const real = crypto.getRandomValues.bind(crypto);
    t.mock.method(crypto, "getRandomValues", <T extends ArrayBufferView | null>(array: T): T => {
      if (zeroed++ === 0 && array instanceof Uint8Array) {
        array.fill(0);
        return array;
      }
      return real(array as unknown as Uint8Array) as unknown as T;
    });
    const ids: string[] = [];
    while (zeroed < 2) ids.push(newTraceId(), newSpanId()); // through the zeroed pool and into the next
    for (const id of ids) assert.ok(!/^0+$/.test(id), id);
  });

  test("written as version 00 with only the sampled flag", () => {
    assert.equal(formatTraceparent({ traceId: TRACE, spanId: PARENT, flags: 0xff }), VALID);
    assert.equal(formatTraceparent({ traceId: TRACE, spanId: PARENT, flags: 2 }), `00-${TRACE}-${PARENT}-00`);
    const root = childTrace(undefined);
    assert.match(formatTraceparent(root), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.notEqual(root.traceId, childTrace(undefined).traceId);
  });
});

describe("tracestate", () => {
  test("valid lists, with empty members and spaces dropped", () => {
    assert.equal(parseTracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assert.equal(parseTracestate(" rojo=1 , ,\tcongo=2 "), "rojo=1,congo=2");
    assert.equal(parseTracestate("tenant1@vendor=x,a_b-c*d/e=value with spaces"), "tenant1@vendor=x,a_b-c*d/e=value with spaces");
    assert.equal(parseTracestate(`k=${"v".repeat(256)}`), `k=${"v".repeat(256)}`);
    assert.equal(parseTracestate(Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(",")), Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(","));
  });

  test("invalid lists are dropped whole", () => {
    for (const header of [
      null,
      "",
      " , ",
      "Rojo=1", // upper-case key
      "1abc=x", // a simple key starts with a letter
      "rojo", // no value
      "=x",
      "rojo=a=b", // "=" in a value
      "rojo=trailing ", // a value does not end with a space... once trimmed it does not
      "rojo=1,rojo=2", // a key twice
      `k=${"v".repeat(257)}`, // value too long
      `${"k".repeat(257)}=v`, // key too long
      "t@Vendor=1",
      "t@vendorwaytoolong=1",
      "rojo=\u00e9",
      Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(","), // 33 members
    ]) {
      const read = parseTracestate(header);
      if (header === "rojo=trailing ") assert.equal(read, "rojo=trailing"); // the space around a member is not part of it
      else assert.equal(read, undefined, String(header));
    }
  });

  test("a tracestate without a valid traceparent is ignored", () => {
    assert.equal(incomingTrace(new Headers({ tracestate: "rojo=1" })), undefined);
    assert.equal(incomingTrace(new Headers({ traceparent: "nonsense", tracestate: "rojo=1" })), undefined);
    assert.deepEqual(incomingTrace(new Headers({ traceparent: VALID, tracestate: "rojo=1" })), { traceId: TRACE, spanId: PARENT, flags: 1, traceState: "rojo=1" });
  });
});

function tracedService(plugin: Plugin, scope = syncTraceScope()) {
  return new Service({ name: "traced" })
    .use(plugin)
    .publicMethod("where", () => scope.current() ?? null)
    .publicMethod("later", async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return scope.current() ?? null;
    });
}

describe("traceContext()", () => {
  test("a call runs in its request's trace, as a child span; without one, in a new trace", async () => {
    const scope = syncTraceScope();
    const service = tracedService(traceContext({ scope }), scope);
    const inTrace = (await call(service, { jsonrpc: "2.0", method: "where", id: 1 }, { traceparent: VALID, tracestate: "rojo=1" })) as { result: TraceContext };
    assert.equal(inTrace.result.traceId, TRACE);
    assert.equal(inTrace.result.parentSpanId, PARENT);
    assert.match(inTrace.result.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(inTrace.result.spanId, PARENT);
    assert.equal(inTrace.result.traceState, "rojo=1");
    const fresh = (await call(service, { jsonrpc: "2.0", method: "where", id: 2 }, { traceparent: `00-${TRACE}-${PARENT}-01-x` })) as { result: TraceContext };
    assert.notEqual(fresh.result.traceId, TRACE);
    assert.equal(fresh.result.parentSpanId, undefined);
    assert.equal(fresh.result.flags, 1);
    // The synchronous scope ends with the synchronous part of the handler.
    assert.equal(((await call(service, { jsonrpc: "2.0", method: "later", id: 3 }, { traceparent: VALID })) as { result: unknown }).result, null);
    assert.equal(scope.current(), undefined);
  });

  test("each entry of a batch is its own span of the request's trace", async () => {
    const scope = syncTraceScope();
    const service = tracedService(traceContext({ scope }), scope);
    const answers = (await call(service, [1, 2].map((id) => ({ jsonrpc: "2.0", method: "where", id })), { traceparent: VALID })) as { result: TraceContext }[];
    assert.equal(answers.length, 2);
    assert.ok(answers.every((answer) => answer.result.traceId === TRACE && answer.result.parentSpanId === PARENT));
    assert.notEqual(answers[0]?.result.spanId, answers[1]?.result.spanId);
  });

  test("with the async scope, the trace follows the handler through await", async () => {
    const scope = asyncTraceScope();
    const service = tracedService(traceContext({ scope }), scope);
    const answer = (await call(service, { jsonrpc: "2.0", method: "later", id: 1 }, { traceparent: VALID })) as { result: TraceContext };
    assert.equal(answer.result.traceId, TRACE);
  });

  test("traceOf(call) tells an observer the trace its call ran in", async () => {
    const tracing = traceContext();
    const seen: (string | undefined)[] = [];
    const service = new Service({ name: "s" })
      .use({ name: "spy", call: (start, next) => whenEnded(next(), () => seen.push(tracing.traceOf(start)?.traceId)) })
      .use(tracing)
      .publicMethod("ping", () => currentTrace()?.traceId);
    const answer = (await call(service, { jsonrpc: "2.0", method: "ping", id: 1 }, { traceparent: VALID })) as { result: string };
    assert.equal(answer.result, TRACE);
    assert.deepEqual(seen, [TRACE]);
  });
});

describe("propagateTrace()", () => {
  /** A fetch that answers every call with the traceparent and tracestate it was sent. */
  function echoFetch(sent: Headers[]) {
    return (_url: string, init: RequestInit): Promise<Response> => {
      sent.push(new Headers(init.headers));
      const body = JSON.parse(init.body as string) as { id: number };
      return Promise.resolve(new Response(JSON.stringify({ jsonrpc: "2.0", result: null, id: body.id }), { headers: { "content-type": "application/json" } }));
    };
  }

  test("a client called in a handler continues the handler's trace (async scope: no ids passed by hand)", async () => {
    const scope = asyncTraceScope();
    const sent: Headers[] = [];
    const upstream = createClient("http://upstream.test/api", { observe: propagateTrace({ scope }), fetch: echoFetch(sent) });
    const service = new Service({ name: "gateway" })
      .use(traceContext({ scope }))
      .publicMethod("relay", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await upstream.call("anything");
        return scope.current()?.spanId;
      });
    const answer = (await call(service, { jsonrpc: "2.0", method: "relay", id: 1 }, { traceparent: VALID, tracestate: "rojo=1" })) as { result: string };
    const parent = parseTraceparent(sent[0]?.get("traceparent"));
    assert.equal(parent?.traceId, TRACE);
    assert.equal(parent.parentId, answer.result); // the gateway's own span is the upstream call's parent
    assert.equal(sent[0]?.get("tracestate"), "rojo=1");
  });

  test("two asyncTraceScope() calls (one for the service, one for the client) still carry the trace, nested calls nest", async () => {
    const sent: Headers[] = [];
    const upstream = createClient("http://upstream.test/api", { observe: propagateTrace({ scope: asyncTraceScope() }), fetch: echoFetch(sent) });
    const service = new Service({ name: "gateway" })
      .use(traceContext({ scope: asyncTraceScope() }))
      .publicMethod("relay", async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await upstream.call("anything");
        return asyncTraceScope().current()?.spanId;
      });
    const answer = (await call(service, { jsonrpc: "2.0", method: "relay", id: 1 }, { traceparent: VALID })) as { result: string };
    assert.equal(sent[0]?.get("traceparent"), `00-${TRACE}-${answer.result}-01`);
    const outer = { traceId: TRACE, spanId: PARENT, flags: 1 };
    const inner = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", flags: 0 };
    const seen = await asyncTraceScope().run(outer, async () => {
      const nested = await asyncTraceScope().run(inner, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return asyncTraceScope().current();
      });
      return [nested, asyncTraceScope().current()];
    });
    assert.deepEqual(seen, [inner, outer]);
    assert.equal(asyncTraceScope().current(), undefined);
  });

  test("one explicit argument where there is no async context; nothing sent outside a trace", async () => {
    const sent: Headers[] = [];
    const upstream = createClient("http://upstream.test/api", { observe: propagateTrace(), fetch: echoFetch(sent) });
    const service = new Service({ name: "edge" })
      .use(traceContext())
      .publicMethod("relay", async () => {
        const trace = currentTrace(); // before the first await
        await new Promise((resolve) => setTimeout(resolve, 1));
        await upstream.call("anything", [], { trace });
        return trace?.spanId;
      });
    const answer = (await call(service, { jsonrpc: "2.0", method: "relay", id: 1 }, { traceparent: VALID })) as { result: string };
    assert.equal(sent[0]?.get("traceparent"), `00-${TRACE}-${answer.result}-01`);
    assert.equal(sent[0].get("tracestate"), null);
    await upstream.call("outside");
    assert.equal(sent[1]?.get("traceparent"), null);
  });
});

describe("call middleware", () => {
  test("middlewares nest in use() order, each gets the same call object, the call runs once", async () => {
    const order: string[] = [];
    const starts: CallStart[] = [];
    const wrap = (name: string): Plugin => ({
      name,
      call(start, next) {
        starts.push(start);
        order.push(`${name} in`);
        const ended = next();
        order.push(`${name} out`);
        return ended;
      },
    });
    let runs = 0;
    const service = new Service({ name: "s" })
      .use(wrap("outer"))
      .use(wrap("inner"))
      .use({ name: "twice", call: (_start, next) => {
        void next();
        return next();
      } })
      .publicMethod("ping", () => {
        runs++;
        order.push("ping");
        return "pong";
      });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "ping", id: 7 }), { jsonrpc: "2.0", result: "pong", id: 7 });
    assert.deepEqual(order, ["outer in", "inner in", "ping", "inner out", "outer out"]);
    assert.equal(starts[0], starts[1], "both got the one call object");
    assert.equal(starts[0]?.id, 7);
    assert.equal(runs, 1, "a middleware calling next() twice runs the call once");
  });

  test("a middleware that throws before next() refuses the call: an RpcError is the answer, anything else an internal error, reported", async () => {
    const reported: unknown[] = [];
    let runs = 0;
    const refusing = (thrown: unknown) => new Service({ name: "s", onError: (error) => reported.push(error) })
      .use({ name: "gate", call: () => {
        throw thrown;
      } })
      .publicMethod("ping", () => ++runs);
    assert.deepEqual(await refusing(new RpcError(-32003, "Forbidden: needs orders:write")).handle({ jsonrpc: "2.0", method: "ping", id: 1 }),
      { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden: needs orders:write" }, id: 1 });
    assert.deepEqual(reported, []);
    const bug = new TypeError("gate broke");
    assert.deepEqual(await refusing(bug).handle({ jsonrpc: "2.0", method: "ping", id: 2 }), { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 2 });
    assert.deepEqual(reported, [bug]);
    const rejecting = new Service({ name: "s", onError: false })
      .use({ name: "gate", call: () => Promise.reject(new RpcError(-32001, "Access denied")) })
      .publicMethod("ping", () => ++runs);
    assert.deepEqual(await rejecting.handle({ jsonrpc: "2.0", method: "ping", id: 3 }), { jsonrpc: "2.0", error: { code: -32001, message: "Access denied" }, id: 3 });
    assert.equal(runs, 0);
  });

  test("what a middleware throws after next() is reported and changes no answer (sync and async calls)", async () => {
    for (const kind of ["sync", "async"] as const) {
      const reported: unknown[] = [];
      let runs = 0;
      const late = new Error("after");
      const service = new Service({ name: "s", onError: (error) => reported.push(error) })
        .use({ name: "late", call: (_start, next) => whenEnded(next(), () => {
          throw late;
        }) })
        .publicMethod("ping", kind === "sync" ? () => ++runs : async () => await Promise.resolve(++runs));
      assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), { jsonrpc: "2.0", result: 1, id: 1 }, kind);
      assert.deepEqual(reported, [late], kind);
    }
  });

  test("a middleware that returns without calling next() answers an internal error, reported; one that does not wait still gets the call's answer", async () => {
    const reported: unknown[] = [];
    const skipping = new Service({ name: "s", onError: (error) => reported.push(error) })
      .use({ name: "skip", call: () => ({ method: "ping", duration: 0, notification: false, ok: true }) })
      .publicMethod("ping", () => "pong");
    assert.deepEqual(await skipping.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 });
    assert.match(String(reported[0]), /next\(\) not called/);
    const hasty = new Service({ name: "s" })
      .use({ name: "hasty", call: (start, next) => {
        void next();
        return { method: start.method, duration: 0, notification: false, ok: true };
      } })
      .publicMethod("later", async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return "done";
      });
    assert.deepEqual(await hasty.handle({ jsonrpc: "2.0", method: "later", id: 2 }), { jsonrpc: "2.0", result: "done", id: 2 });
  });

  test("an outer middleware sees the summary of a call a later one refused (metrics count it, nothing stays in flight)", async () => {
    for (const kind of ["sync", "async"] as const) {
      const counted = metrics();
      const seen: (CallSummary | undefined)[] = [];
      const service = new Service({ name: "s", onError: false })
        .use(counted)
        .use({ name: "watch", call: (_start, next) => whenEnded(next(), (summary) => seen.push(summary)) })
        .use({ name: "gate", call: (start, next) => {
          if (start.method !== "open") {
            if (kind === "sync") throw new RpcError(-32003, "Forbidden");
            return Promise.reject(new RpcError(-32003, "Forbidden"));
          }
          return next();
        } })
        .publicMethod("open", () => 1)
        .publicMethod("closed", () => 2);
      assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "closed", id: 1 }), { jsonrpc: "2.0", error: { code: -32003, message: "Forbidden" }, id: 1 }, kind);
      assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "open", id: 2 }), { jsonrpc: "2.0", result: 1, id: 2 }, kind);
      assert.deepEqual(seen.map((summary) => [summary?.method, summary?.ok, summary?.code]), [["closed", false, -32003], ["open", true, undefined]], kind);
      const text = counted.expose("prometheus");
      assert.match(text, /rpc_server_calls_in_flight 0\n/, kind);
      assert.match(text, /rpc_server_calls_total\{method="closed",outcome="forbidden"\} 1\n/, kind);
    }
  });

  test("what an inner middleware throws after next() is reported once; outer ones see the call's own summary, nothing is left unhandled", async () => {
    const reported: unknown[] = [];
    const seen: (boolean | undefined)[] = [];
    const late = new Error("inner threw after next");
    const service = new Service({ name: "s", onError: (error) => reported.push(error) })
      .use({ name: "hasty", call: (start, next) => {
        void next();
        return { method: start.method, duration: 0, notification: false, ok: true };
      } })
      .use({ name: "watch", call: (_start, next) => whenEnded(next(), (summary) => seen.push(summary.ok)) })
      .use({ name: "late", call: async (_start, next) => {
        await next();
        throw late;
      } })
      .publicMethod("ping", async () => await Promise.resolve("pong"));
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), { jsonrpc: "2.0", result: "pong", id: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(seen, [true]);
    assert.deepEqual(reported, [late]);
  });

  test("next() runs the later middlewares once however often it is called, and not at all after the answer", async () => {
    let inner = 0;
    let runs = 0;
    let later: (() => unknown) | undefined;
    const twice = new Service({ name: "s" })
      .use({ name: "twice", call: (_start, next) => {
        void next();
        return next();
      } })
      .use({ name: "inner", call: (_start, next) => {
        inner++;
        return next();
      } })
      .publicMethod("ping", () => ++runs);
    assert.deepEqual(await twice.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), { jsonrpc: "2.0", result: 1, id: 1 });
    assert.deepEqual([inner, runs], [1, 1]);
    const skipping = new Service({ name: "s", onError: false })
      .use({ name: "keep", call: (start, next) => {
        later = next;
        return { method: start.method, duration: 0, notification: false, ok: true };
      } })
      .publicMethod("ping", () => ++runs);
    assert.equal(((await skipping.handle({ jsonrpc: "2.0", method: "ping", id: 2 })) as { error?: { code: number } }).error?.code, -32603);
    later?.();
    assert.equal(runs, 1, "a next() called after the answer runs nothing");
  });

  test("a call that throws where dispatch did not foresee it answers -32603 through middlewares too, as without them", async () => {
    const headers = { get: (name: string): string | null => {
      if (name.toLowerCase() === "x-api-token") throw new Error("unreadable header");
      return null;
    } };
    for (const withMiddleware of [false, true]) {
      const service = new Service({ name: "s", onError: false, apiTokenIsValid: () => true });
      if (withMiddleware) service.use({ name: "pass", call: (_start, next) => next() });
      service.privateMethod("secret", () => "s");
      const answer = await service.handle({ jsonrpc: "2.0", method: "secret", id: 1 }, { headers });
      assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 }, `with middleware: ${String(withMiddleware)}`);
    }
  });
});
