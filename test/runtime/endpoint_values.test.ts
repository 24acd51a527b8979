// What an endpoint source accepts as an instance's URL is checked on the text, so Node.js, Deno and
// Bun refuse the same values (issue 24 #3). test/services/{dns,etcd}.test.ts run the same fixture
// against a real dnsmasq and etcd.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { childEnv, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";

after(stopAll);

describe("endpoint values on every runtime", { timeout: 60_000 }, () => {
  test("Node.js, Deno and Bun accept and refuse the same values, with the same reasons", async () => {
    const outputs = new Map<string, Record<string, string>>();
    for (const runtime of RUNTIMES) {
      const [command, args] = runCommand(runtime, "test/services/fixtures/endpoint_check.ts");
      const child = startProcess(command, args, childEnv());
      const [, result] = await child.waitForLine(/^RESULT (.*)$/);
      await child.stop();
      outputs.set(runtime, (JSON.parse(result ?? "{}") as { values: Record<string, string> }).values);
    }
    const node = outputs.get("node") ?? {};
    assert.equal(node["data:application/json,{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1}"], "not an http(s) URL");
    assert.equal(node["file:///etc/passwd"], "not an http(s) URL");
    assert.equal(node["javascript:alert(1)"], "not an http(s) URL");
    assert.equal(node["http://127.0.0.1:5001/api"], "ok");
    assert.equal(node["http://[::1]:5001/api"], "ok");
    assert.deepEqual(outputs.get("deno"), node, "Deno agrees");
    assert.deepEqual(outputs.get("bun"), node, "Bun agrees");
  });
});
