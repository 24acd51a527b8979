// openapi()'s document and plain routes over real sockets on Node.js, Deno and Bun: the same
// answers everywhere (results, declared errors with their status, bad params, a private method
// with and without its token, the body limit), and the declared error at the JSON-RPC endpoint.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type Answer, type ChildServer, request, rpc, startExample } from "./servers.ts";

after(stopAll);

describe("openapi() on every runtime", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/openapi_server.ts");
      });
      after(() => server.process.stop());

      const post = (method: string, body: string | undefined, headers: Record<string, string> = {}): Promise<Answer> =>
        request(`${server.base}/api/${method}`, {
          method: "POST",
          headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
          ...(body === undefined ? {} : { body }),
        });

      test("GET /openapi.json is the document of the methods", async () => {
        const answer = await request(`${server.base}/openapi.json`);
        assert.equal(answer.status, 200);
        const document = answer.json as { openapi: string; paths: Record<string, unknown> };
        assert.equal(document.openapi, "3.1.0");
        assert.deepEqual(Object.keys(document.paths), ["/api/get_order", "/api/add", "/api/secret"]);
      });

      test("results are 200 and plain JSON", async () => {
        const found = await post("get_order", '{"id":"1"}');
        assert.deepEqual([found.status, found.json], [200, { id: "1", total: 3 }]);
        assert.equal((await post("add", '{"a":1,"b":2}')).json, 3);
        assert.equal((await post("add", "[4,5]")).json, 9);
      });

      test("a declared error answers its status; bad params 400; no token 401; too large 413", async () => {
        const missing = await post("get_order", '{"id":"7"}');
        assert.deepEqual([missing.status, missing.json], [404, { code: 1404, message: "No such order", data: { id: "7" } }]);
        const invalid = await post("add", '{"a":1}');
        assert.equal(invalid.status, 400);
        assert.equal((invalid.json as { code: number }).code, -32602);
        const denied = await post("secret", undefined);
        assert.deepEqual([denied.status, denied.headers.get("www-authenticate"), denied.json], [401, "Bearer", { code: -32001, message: "Access denied: a valid API token is required" }]);
        const allowed = await post("secret", undefined, { "x-api-token": "openapi-token" });
        assert.deepEqual([allowed.status, allowed.json], [200, "s3cret"]);
        const large = await post("add", JSON.stringify({ a: 1, b: 2, padding: "x".repeat(300) }));
        assert.equal(large.status, 413);
      });

      test("at the JSON-RPC endpoint, the declared error is a JSON-RPC error, and rpc.discover lists it", async () => {
        const answer = await rpc(server, '[{"jsonrpc":"2.0","method":"get_order","params":["7"],"id":1},{"jsonrpc":"2.0","method":"rpc.discover","id":2}]');
        const [failed, discovered] = answer.json as [unknown, { result: { methods: { name: string; errors?: unknown }[] } }];
        assert.deepEqual(failed, { jsonrpc: "2.0", error: { code: 1404, message: "No such order", data: { id: "7" } }, id: 1 });
        assert.deepEqual(discovered.result.methods.map((method) => method.errors), [[{ code: 1404, message: "No such order" }], undefined, undefined]);
      });
    });
  }
});
