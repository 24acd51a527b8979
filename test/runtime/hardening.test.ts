// Issue 24's service-side fixes over real sockets on Node.js, Deno and Bun: malformed traffic
// (a body that is not JSON, an invalid batch entry, a malformed X-Request-Timeout, a body over the
// limit declared in its Content-Length) is counted in rpc_server_calls_total; a gateway that
// passes its deadline on answers -32002 in every round, whichever timer fires first, never
// -32603, and prints no reported stack.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, request, rpc, startExample } from "./servers.ts";

after(stopAll);

describe("hardening over real sockets", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/hardening_server.ts");
      });
      after(() => server.process.stop());

      const count = async (outcome: string, method = "unknown"): Promise<number> => {
        const text = (await request(`${server.base}/metrics`)).text;
        const line = text.split("\n").find((each) => each.startsWith(`rpc_server_calls_total{method="${method}",outcome="${outcome}"} `));
        return line === undefined ? 0 : Number(line.split(" ").at(-1));
      };

      test("malformed traffic is counted under method=unknown", async () => {
        await rpc(server, "{not json");
        await rpc(server, '[{"jsonrpc":"2.0","method":"echo","params":[1],"id":1},{"foo":1}]');
        await rpc(server, '{"jsonrpc":"2.0","method":"echo","params":[1],"id":2}', { "x-request-timeout": "soon" });
        const tooLarge = await rpc(server, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["x".repeat(300)], id: 3 }));
        assert.equal(tooLarge.status, 413);
        assert.equal(await count("parse_error"), 1);
        assert.equal(await count("invalid_request"), 3);
        assert.equal(await count("ok", "echo"), 1);
      });

      test("a deadline passed on: -32002 in each of 15 rounds, none internal, nothing printed", async () => {
        for (let round = 0; round < 15; round++) {
          const answer = await rpc(server, JSON.stringify({ jsonrpc: "2.0", method: "relay", id: round }), { "x-request-timeout": String(5 + (round % 4)) });
          assert.equal((answer.json as { error?: { code?: number } }).error?.code, -32002, `round ${round}: ${answer.text}`);
        }
        assert.equal(await count("timeout", "relay"), 15);
        assert.equal(await count("internal", "relay"), 0);
        // The handler reads ctx.signal (it passes it on): on Deno that asks for Deno's notice, and
        // only that may show; no reported stack.
        const printed = server.process.output().replace(/^.*serving at .*\n/m, "").replace(/^Deno\.serve: request\.signal aborts on successful responses.*\n/m, "");
        assert.equal(printed, "");
      });
    });
  }
});
