// The stand-ins for serve() and fileAccess() in the npm package's build for browsers and workers
// (src/mod_web.ts): they start nothing and reject, saying what to do instead.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileAccess, serve, Service } from "../src/mod_web.ts";

test("serve() rejects with what to do instead, and listens on nothing", async () => {
  const service = new Service({ name: "s" });
  await assert.rejects(serve(service, { port: 0 }), {
    message: /^serve\(\) is not available in this build of tsmicroservice \(picked for browsers, workers .*\): export the service as the default export, or run on Node\.js, Deno or Bun/,
  });
  assert.equal(service.state, "idle");
});

test("fileAccess() rejects with the same advice", async () => {
  await assert.rejects(fileAccess(), { message: /^fileAccess\(\) is not available in this build of tsmicroservice .*export the service as the default export/ });
});
