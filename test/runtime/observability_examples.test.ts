// The examples' observability on every runtime: examples/website.ts serves Prometheus metrics at
// /metrics; examples/gateway.ts runs each call in its caller's trace and sends it on to its
// upstream (here a service in this process that tells what traceparent it got).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve, Service, type ServerHandle } from "../../mod.ts";
import { childEnv, freePort, HOST, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";
import { request, rpc, startExample } from "./servers.ts";

after(stopAll);

const TRACE = "0af7651916cd43dd8448eb211c80319c";

describe("the examples' metrics and trace context on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  let upstream: ServerHandle;
  const seen: (string | null)[] = [];

  before(async () => {
    const hello = new Service({ name: "hello.world.service", apiTokenIsValid: (token) => token === "hello_world_token" })
      .publicMethod("say_hello", (name: string, ctx: { headers: { get(name: string): string | null } }) => {
        seen.push(ctx.headers.get("traceparent"));
        return `hello ${name}`;
      }, { context: true, params: ["name"] });
    hello.privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
    upstream = await serve(hello, { hostname: "127.0.0.1", port: 0 });
  });

  after(() => upstream.close());

  for (const runtime of RUNTIMES) {
    test(`${runtime}: website.ts serves /metrics with its calls counted`, async () => {
      const server = await startExample(runtime, "examples/website.ts");
      try {
        await rpc(server, '{"jsonrpc":"2.0","method":"say_hello","params":["x"],"id":1}');
        const answer = await request(`${server.base}/metrics`, { method: "GET" });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        assert.match(answer.text, /^rpc_server_calls_total\{method="say_hello",outcome="ok"\} 1$/m);
        assert.match(answer.text, /^rpc_server_service_info\{service="website.service",version="1.0.0"\} 1$/m);
      } finally {
        await server.process.stop();
      }
    });

    test(`${runtime}: gateway.ts continues the caller's trace and passes its token to its upstream`, async () => {
      // The gateway prints "serving at <url>, calling <upstream>": started here, not by startExample.
      const port = await freePort();
      const [command, args] = runCommand(runtime, "examples/gateway.ts");
      const child = startProcess(command, args, childEnv({ HOST, PORT: String(port), SERVICE_URL: `${upstream.url}/api` }));
      await child.waitForLine(/serving at http:\/\//);
      const server = { process: child, runtime, port, base: `http://${HOST}:${port}` };
      try {
        const parent = `00-${TRACE}-${crypto.getRandomValues(new Uint8Array(8)).reduce((text, byte) => text + byte.toString(16).padStart(2, "0"), "")}-01`;
        const answer = await rpc(server, `{"jsonrpc":"2.0","method":"greet","params":["${runtime}"],"id":1}`, { traceparent: parent });
        assert.deepEqual(answer.json, { jsonrpc: "2.0", result: `hello ${runtime}`, id: 1 });
        const sent = seen.find((header) => header?.startsWith(`00-${TRACE}-`) && header !== parent);
        assert.ok(sent, seen.join(", "));
        assert.match(sent, new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
        // The caller's token goes upstream as it came; an anonymous caller stays anonymous there.
        const whisper = `{"jsonrpc":"2.0","method":"whisper_as_caller","params":["${runtime}"],"id":2}`;
        assert.deepEqual((await rpc(server, whisper, { "x-api-token": "hello_world_token" })).json, { jsonrpc: "2.0", result: `this is secret: hello ${runtime}`, id: 2 });
        assert.deepEqual((await rpc(server, whisper)).json, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 2 });
      } finally {
        await server.process.stop();
      }
    });
  }
});
