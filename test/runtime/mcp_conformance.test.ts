// The MCP conformance runner (@modelcontextprotocol/conformance) against mcp() served on Node.js:
// the server scenarios that apply to a service's methods as tools. It runs on Bun here: its
// command needs `fs.globSync`, which Node.js has from 22 on only. Not run: scenarios of features
// a JSON-RPC service does not have (resources, prompts, completion, logging, sampling,
// elicitation, image/audio/embedded content), and json-schema-2020-12,
// which asks for a tool of its own with `$defs` (see docs/mcp.md).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { BUN, childEnv, ROOT, RUNTIMES, stopAll } from "./processes.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

const RUNNER = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/conformance/dist/index.js", import.meta.url));

const SCENARIOS = ["server-initialize", "ping", "tools-list", "tools-call-simple-text", "tools-call-error", "server-sse-multiple-streams", "dns-rebinding-protection", "tools-call-with-progress"];

describe("the MCP conformance runner", { skip: !RUNTIMES.includes("bun") && "needs Bun to run the runner", timeout: 120_000 }, () => {
  let server: ChildServer;
  before(async () => {
    server = await startExample("node", "test/runtime/fixtures/mcp_server.ts");
  });
  after(() => server.process.stop());

  for (const scenario of SCENARIOS) {
    test(scenario, () => {
      // localhost, not 127.0.0.1: dns-rebinding-protection only tests servers named so.
      const run = spawnSync(BUN, [RUNNER, "server", "--url", `http://localhost:${server.port}/mcp`, "--scenario", scenario], {
        cwd: ROOT,
        env: childEnv(),
        encoding: "utf8",
        timeout: 60_000,
      });
      const output = `${run.stdout}${run.stderr}`;
      const summary = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(output);
      assert.ok(summary !== null, output);
      assert.equal(summary[3], "0", output);
      assert.ok(Number(summary[1]) > 0, output);
    });
  }
});
