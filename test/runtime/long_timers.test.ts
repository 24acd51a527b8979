// Timers longer than any runtime keeps (2^31-1 ms, ~24.8 days), on Node.js, Deno and Bun: each
// runtime's setTimeout fires at once past it (Node.js warns each time). A service or method
// timeout that long, an X-Request-Timeout of 30 days, a periodic task every 30 days and a client
// timeout of 2^31 ms all behave as asked: the calls answer their results, the task does not run,
// and nothing is printed. Infinity means no limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, rpc, startExample } from "./servers.ts";

after(stopAll);

const THIRTY_DAYS = String(30 * 86_400_000);

describe("timers past 2^31-1 ms over real sockets", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;
      before(async () => {
        server = await startExample(runtime, "test/runtime/fixtures/long_timers_server.ts");
      });
      after(() => server.process.stop());

      const result = async (method: string, headers: Record<string, string> = {}): Promise<unknown> =>
        (await rpc(server, JSON.stringify({ jsonrpc: "2.0", method, id: 1 }), headers)).json;

      test("a service timeout of 2^31 ms, a method's of 40 days and Infinity let the calls finish", async () => {
        assert.deepEqual(await result("slow"), { jsonrpc: "2.0", result: "in time", id: 1 });
        assert.deepEqual(await result("slow_own"), { jsonrpc: "2.0", result: "in time", id: 1 });
        assert.deepEqual(await result("unlimited"), { jsonrpc: "2.0", result: "in time", id: 1 });
      });

      test("X-Request-Timeout of 30 days: the call runs, with its deadline 30 days on", async () => {
        assert.deepEqual(await result("slow", { "x-request-timeout": THIRTY_DAYS }), { jsonrpc: "2.0", result: "in time", id: 1 });
        const deadline = (await result("deadline", { "x-request-timeout": THIRTY_DAYS }) as { result: number }).result;
        assert.ok(deadline > Date.now() + 29 * 86_400_000, String(deadline));
      });

      test("a client timeout of 2^31 ms, or of 1e15 ms (the header then says 31 years), calls as asked", async () => {
        assert.deepEqual(await result("self_call"), { jsonrpc: "2.0", result: "in time", id: 1 });
        assert.deepEqual(await result("self_call_forever"), { jsonrpc: "2.0", result: "in time", id: 1 });
      });

      test("an upstream that is down is -32004, without its URL or credentials", async () => {
        assert.deepEqual(await result("down"), {
          jsonrpc: "2.0",
          error: { code: -32004, message: "Unavailable: a service this call needs could not be reached" },
          id: 1,
        });
      });

      test("a task every 30 days has not run; nothing was printed (no TimeoutOverflowWarning)", async () => {
        assert.deepEqual(await result("task_runs"), { jsonrpc: "2.0", result: 0, id: 1 });
        const printed = server.process.output().replace(/^.*serving at .*\n/m, "");
        assert.equal(printed, "");
      });
    });
  }
});
