// Events on every runtime: examples/billing.ts without $NATS_URL runs orders.service beside itself on
// the in-process transport; each create_order is billed once, on Node.js, Deno and Bun alike.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { RUNTIMES, stopAll } from "./processes.ts";
import { request, startExample } from "./servers.ts";

after(stopAll);

async function rpc(base: string, method: string, params: unknown[] = []): Promise<unknown> {
  const answer = await request(`${base}/api`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }),
  });
  return (answer.json as { result?: unknown }).result;
}

describe("events between two services in one process, on every runtime", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(runtime, async () => {
      const billing = await startExample(runtime, "examples/billing.ts");
      const [, ordersUrl] = await billing.process.waitForLine(/orders\.service serving at (http:\/\/\S+)\/api/);
      assert.ok(ordersUrl !== undefined);
      assert.equal(await rpc(billing.base, "billed_count"), 0);
      for (const item of ["tea", "cups"]) assert.equal(typeof (await rpc(ordersUrl, "create_order", [item, 2])), "string");
      // Delivery is asynchronous: wait (bounded) until both orders are billed, then check none twice.
      for (let i = 0; i < 100 && (await rpc(billing.base, "billed_count")) !== 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await rpc(billing.base, "billed_count"), 2);
      await billing.process.stop();
    });
  }
});
