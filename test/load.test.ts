// A bounded load run on loopback: thousands of calls over 50 kept-alive connections, mixing
// calls, errors, notifications and batches. No answer may be lost or wrong, and the heap after
// the run must come back near where it started (no growth that scales with the number of calls).
// The mix and its checks are shared with test/runtime/load.test.ts, which does the same against
// real servers on Node.js, Deno and Bun.
import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { serve } from "../mod.ts";
import { loadService } from "./load_cases.ts";
import { runLoad } from "./load_runner.ts";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const service = loadService();

function heapAfterGc(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe("load", () => {
  test("24,000 mixed calls over 50 connections: none lost or wrong, heap back near its start", async () => {
    const server = await serve(service, { port: 0 });
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    after(async () => {
      agent.destroy();
      await server.close();
    });
    assert.deepEqual(await runLoad(agent, server.port, 0, 4000), []);
    const before = heapAfterGc();
    assert.deepEqual(await runLoad(agent, server.port, 4000, 20_000), []);
    const growth = heapAfterGc() - before;
    // The heap after a collection wanders by about 2 MiB here (objects awaiting finalisers); a leak
    // of even 400 bytes a call would add 8 MiB over 20,000 calls.
    assert.ok(growth < 8 * 1024 * 1024, `heap grew by ${(growth / 1024 / 1024).toFixed(1)} MiB over 20,000 calls`);
  });
});
