// Deno prints "request.signal aborts on successful responses (legacy behavior)" the first time a
// request's signal is read. A service on Deno called by a plain connect() (whose timeout sends
// X-Request-Timeout, so every call has a deadline) must never read it unless a handler reads
// ctx.signal: the service's output stays empty until such a handler runs, and then it shows the
// notice (so the check can see it at all).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "../../mod.ts";
import { stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

describe("Deno's request.signal notice", { timeout: 60_000 }, () => {
  let server: ChildServer;
  before(async () => {
    server = await startExample("deno", "test/runtime/fixtures/long_timers_server.ts");
  });
  after(() => server.process.stop());

  const printed = (): string => server.process.output().replace(/^.*serving at .*\n/m, "");

  test("calls with a deadline, with and without a context, print nothing", async () => {
    const remote = await connect(`${server.base}/api`);
    assert.equal(await remote.call("slow"), "in time");
    assert.equal(typeof await remote.call("deadline"), "number");
    await remote.batch((batch) => [batch.call("slow"), batch.call("deadline")]);
    await remote.notify("slow");
    assert.equal(await remote.call("task_runs"), 0);
    assert.equal(printed(), "");
  });

  test("a handler that reads ctx.signal asks for it: then Deno's notice shows", async () => {
    const remote = await connect(`${server.base}/api`);
    assert.equal(await remote.call("reads_signal"), false);
    for (let tries = 0; tries < 50 && printed() === ""; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(printed(), /request\.signal|legacy/i);
  });
});
