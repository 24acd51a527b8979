// client.with(options): the typed methods and notifications with per-call options (signal,
// timeout, deadline), through a real Request to service.fetch.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createClient, Service, TransportError } from "../mod.ts";

describe("client.with(options)", () => {
  const service = new Service({ name: "s" })
    .publicMethod("add", (a: number, b: number) => a + b)
    .publicMethod("record", (line: string) => line.length);
  const seen: Headers[] = [];
  const remote = createClient<typeof service>("http://localhost/api", {
    fetch: (url, init) => {
      const request = new Request(url, init);
      seen.push(request.headers);
      // As the real fetch does: an aborted signal (the client combines ours with its own timer) rejects.
      request.signal.throwIfAborted();
      return service.fetch(request);
    },
  });

  test("an aborted signal fails the typed call and notification, and the client's own calls still work", async () => {
    const aborted = remote.with({ signal: AbortSignal.abort() });
    await assert.rejects(aborted.methods.add(1, 2), (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    await assert.rejects(aborted.notifications.record("x"), (error: unknown) => error instanceof TransportError && error.kind === "aborted");
    assert.equal(await remote.methods.add(1, 2), 3);
  });

  test("the timeout goes with each call (the server is told the time left)", async () => {
    seen.length = 0;
    const scoped = remote.with({ timeout: 5_000 });
    assert.equal(await scoped.methods.add(2, 3), 5);
    await scoped.notifications.record("y");
    assert.equal(seen.length, 2);
    for (const headers of seen) {
      const left = Number(headers.get("x-request-timeout"));
      assert.ok(left > 0 && left <= 5_000, `x-request-timeout ${left}`);
    }
  });

  test("a deadline already past fails before anything is sent", async () => {
    seen.length = 0;
    await assert.rejects(remote.with({ deadline: Date.now() - 1 }).methods.add(1, 2), (error: unknown) =>
      error instanceof TransportError && error.kind === "timeout");
    assert.equal(seen.length, 0);
  });
});
