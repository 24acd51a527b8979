// Options given as `undefined` (as exactOptionalPropertyTypes code passes them on) mean the
// defaults, as absent ones do: the types allow it (test/types/exact_optional.ts), so the code must.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createClient, serve, Service } from "../mod.ts";
import { events, inProcess } from "../src/events/mod.ts";
import { health } from "../src/plugins/health.ts";
import { testClient } from "../src/testing/mod.ts";

test("a service, its methods, a server, a client and plugins given undefined options use the defaults", async () => {
  const service = new Service({
    name: "s",
    version: undefined,
    description: undefined,
    path: undefined,
    apiTokenHeader: undefined,
    apiTokenIsValid: undefined,
    exposeErrors: undefined,
    onError: undefined,
    timeout: undefined,
    limits: { maxBodyBytes: undefined, bodyTimeout: undefined, maxBatchLength: undefined, maxParamsDepth: undefined, batchConcurrency: undefined },
  })
    .use(health({ path: undefined }))
    .use(events({ transport: undefined, emits: undefined }))
    .publicMethod("add", (a: number, b: number) => a + b, { params: undefined, timeout: undefined, idempotent: undefined, description: undefined });
  assert.equal(service.path, "/api");
  assert.equal(service.version, "0.0.0");
  assert.equal(service.limits.maxBodyBytes, 1024 * 1024);
  const server = await serve(service, { hostname: undefined, port: 0, requestTimeout: undefined, closeTimeout: undefined, drainDelay: undefined, signals: undefined });
  try {
    const remote = createClient<typeof service>(`${server.url}/api`, { token: undefined, headers: undefined, timeout: undefined, maxResponseBytes: undefined, fetch: undefined, observe: undefined });
    assert.equal(await remote.methods.add(1, 2), 3);
    assert.equal(await remote.call("add", [2, 3], { timeout: undefined, signal: undefined }), 5);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  } finally {
    await server.close();
  }
  const local = testClient(service, { start: undefined, files: undefined, token: undefined });
  assert.equal(await local.methods.add(3, 4), 7);
  await local.close();
  assert.ok(inProcess({ redeliveryDelay: undefined }));
});
