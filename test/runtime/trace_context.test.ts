// W3C trace context over the wire on Node.js, Deno and Bun: a gateway fixture running on each
// runtime receives a traceparent, runs its call in that trace, and its client (propagateTrace, on
// the runtime's AsyncLocalStorage) sends the trace on to an upstream in this process, naming the
// gateway call's own span as parent; also with the trace passed as one explicit argument.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve, Service, type ServerHandle } from "../../mod.ts";
import { traceContext, currentTrace } from "../../src/plugins/trace_context.ts";
import { childEnv, runCommand, type RunningProcess, RUNTIMES, startProcess, stopAll } from "./processes.ts";

after(stopAll);

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";

interface Relayed {
  runtime: string;
  spanId: string;
  empty?: boolean;
  upstream: { traceparent: string | null; tracestate: string | null; traceId: string | undefined; parentSpanId: string | undefined };
}

describe("trace context over the wire on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  let upstream: ServerHandle;
  let upstreamUrl: string;

  before(async () => {
    const service = new Service({ name: "upstream" })
      .use(traceContext())
      .publicMethod("echo", (ctx: { headers: { get(name: string): string | null } }) => ({
        traceparent: ctx.headers.get("traceparent"),
        tracestate: ctx.headers.get("tracestate"),
        traceId: currentTrace()?.traceId,
        parentSpanId: currentTrace()?.parentSpanId,
      }), { context: true });
    upstream = await serve(service, { hostname: "127.0.0.1", port: 0 });
    upstreamUrl = `${upstream.url}/api`;
  });

  after(() => upstream.close());

  for (const runtime of RUNTIMES) {
    describe(runtime, () => {
      let child: RunningProcess;
      let base: string;

      before(async () => {
        const [command, args] = runCommand(runtime, "test/runtime/fixtures/trace_server.ts");
        child = startProcess(command, args, childEnv());
        const [, url] = await child.waitForLine(/^listening at (http:\/\/\S+)$/);
        base = url!;
      });

      const relay = async (method: string): Promise<Relayed> => {
        const response = await fetch(`${base}/api`, {
          method: "POST",
          headers: { "content-type": "application/json", traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: "congo=t61rcWkgMzE" },
          body: JSON.stringify({ jsonrpc: "2.0", method, params: [upstreamUrl], id: 1 }),
        });
        const answer = (await response.json()) as { result?: Relayed; error?: unknown };
        assert.ok(answer.result, JSON.stringify(answer));
        return answer.result;
      };

      test("the call runs in the caller's trace and its client continues it (async context)", async () => {
        const result = await relay("relay");
        assert.equal(result.runtime, runtime);
        assert.match(result.spanId, /^[0-9a-f]{16}$/);
        assert.notEqual(result.spanId, PARENT);
        assert.equal(result.upstream.traceparent, `00-${TRACE}-${result.spanId}-01`);
        assert.equal(result.upstream.tracestate, "congo=t61rcWkgMzE");
        assert.equal(result.upstream.traceId, TRACE);
        assert.equal(result.upstream.parentSpanId, result.spanId);
      });

      test("with the trace as one explicit argument", async () => {
        const result = await relay("relay_explicit");
        assert.equal(result.empty, true);
        assert.equal(result.upstream.traceparent, `00-${TRACE}-${result.spanId}-01`);
      });
    });
  }
});
