// The client's token may be a function: asked before each request (tokens that expire are renewed
// without a new client), its promise awaited, its failure the call's failure; the token it gives is
// what the service checks, in batches and notifications too.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createClient, RpcError, Service } from "../mod.ts";

describe("a token function", () => {
  const valid = new Set(["token-1", "token-2"]);
  const service = new Service({ name: "s", apiTokenIsValid: (token) => valid.has(token) })
    .privateMethod("whoami", (ctx: { token: string | undefined }) => ctx.token, { context: true })
    .privateMethod("record", () => null);
  const sent: (string | null)[] = [];
  const fetch = (url: string, init: RequestInit): Promise<Response> => {
    const request = new Request(url, init);
    sent.push(request.headers.get("x-api-token"));
    return service.fetch(request);
  };

  test("is asked before each request, so a renewed token is sent from then on", async () => {
    let current = "token-1";
    let asked = 0;
    const remote = createClient<typeof service>("http://localhost/api", { fetch, token: () => (asked++, current) });
    assert.equal(await remote.methods.whoami(), "token-1");
    current = "token-2";
    assert.equal(await remote.methods.whoami(), "token-2");
    assert.equal(asked, 2);
  });

  test("may give a promise, and is asked once per batch and per notification", async () => {
    sent.length = 0;
    let asked = 0;
    const remote = createClient<typeof service>("http://localhost/api", { fetch, token: async () => (asked++, await Promise.resolve("token-2")) });
    const answers = await remote.batch((b) => [b.methods.whoami(), b.methods.whoami()]);
    assert.deepEqual(answers, [{ ok: true, value: "token-2" }, { ok: true, value: "token-2" }]);
    await remote.notifications.record();
    assert.equal(asked, 2);
    assert.deepEqual(sent, ["token-2", "token-2"]);
  });

  test("that fails fails the call with its own error, and nothing is sent", async () => {
    sent.length = 0;
    const expired = new Error("the refresh token has expired");
    const remote = createClient<typeof service>("http://localhost/api", { fetch, token: () => Promise.reject(expired) });
    await assert.rejects(remote.methods.whoami(), (error: unknown) => error === expired);
    assert.deepEqual(sent, []);
  });

  test("a token the service refuses is -32001, as a string token is", async () => {
    const remote = createClient<typeof service>("http://localhost/api", { fetch, token: () => "revoked" });
    await assert.rejects(remote.methods.whoami(), (error: unknown) => error instanceof RpcError && error.code === -32001);
  });
});
