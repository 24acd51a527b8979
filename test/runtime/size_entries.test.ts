// The size entries run as `npm run size` measures them: bench/size_entries/minimal.ts bundled and
// minified by esbuild and run with plain node, and minimal_fetch.ts bundled the same way and served
// by `bun run`, each answer the hello world exactly as examples/hello_world.ts does: positional and
// named params (the minifier renames parameters; the `params` option keeps the names), and the
// private method only with the token. The client entry bundles without the cluster's modules, and
// its minified bundle connects, calls and batches.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, test } from "node:test";
import { serve, Service } from "../../mod.ts";
import { BUN, childEnv, freePort, HOST, ROOT, startProcess, stopAll } from "./processes.ts";
import { request, waitForAnswer } from "./servers.ts";

const out = mkdtempSync(join(tmpdir(), "tsmicroservice-size-entries-"));
after(async () => {
  await stopAll();
  rmSync(out, { recursive: true, force: true });
});

function bundle(entry: string, platform: "node" | "neutral"): string {
  const file = join(out, `${entry}.mjs`);
  execFileSync(`${ROOT}node_modules/esbuild/bin/esbuild`, [
    `${ROOT}bench/size_entries/${entry}.ts`,
    "--bundle",
    "--minify",
    "--format=esm",
    `--platform=${platform}`,
    "--external:node:*",
    `--outfile=${file}`,
    `--metafile=${file}.json`,
    "--log-level=error",
  ]);
  return file;
}

async function helloWorldAnswers(base: string): Promise<void> {
  const rpc = async (body: unknown, headers: Record<string, string> = {}): Promise<unknown> =>
    (await request(`${base}/api`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })).json;
  assert.deepEqual(await rpc({ jsonrpc: "2.0", method: "say_hello", params: ["world"], id: 1 }), { jsonrpc: "2.0", result: "hello world", id: 1 });
  assert.deepEqual(await rpc({ jsonrpc: "2.0", method: "say_hello", params: { name: "world" }, id: 2 }), { jsonrpc: "2.0", result: "hello world", id: 2 });
  const denied = await rpc({ jsonrpc: "2.0", method: "say_private_hello", params: { name: "world" }, id: 3 });
  assert.equal((denied as { error: { code: number } }).error.code, -32001);
  assert.deepEqual(await rpc({ jsonrpc: "2.0", method: "say_private_hello", params: { name: "world" }, id: 4 }, { "x-api-token": "hello_world_token" }), {
    jsonrpc: "2.0",
    result: "this is secret: hello world",
    id: 4,
  });
}

describe("the size entries, bundled and minified", { timeout: 60_000 }, () => {
  test("minimal.ts runs with plain node and serves the hello world", async () => {
    const port = await freePort();
    const child = startProcess(process.execPath, [bundle("minimal", "node")], childEnv({ HOST, PORT: String(port) }));
    await child.waitForLine(/serving at/);
    await helloWorldAnswers(`http://${HOST}:${port}`);
    await child.stop();
  });

  test("client.ts bundles none of the cluster's modules, and the minified client calls a service", async () => {
    const file = bundle("client", "neutral");
    const meta = JSON.parse(readFileSync(`${file}.json`, "utf8")) as { inputs: Record<string, unknown> };
    const inputs = Object.keys(meta.inputs);
    assert.ok(inputs.some((input) => input.endsWith("src/client/client.ts")));
    assert.deepEqual(inputs.filter((input) => input.includes("src/client/cluster/")), [], "a client of one URL carries no balancing, breaker or retry code");
    const { connect, createClient } = (await import(pathToFileURL(file).href)) as typeof import("../../src/client/client.ts");
    const service = new Service({ name: "size.client.service", apiTokenIsValid: (token) => token === "t" })
      .publicMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] })
      .privateMethod("secret", () => 42);
    const server = await serve(service, { hostname: HOST, port: 0 });
    try {
      const remote = await connect(`${server.url}/api`, { token: "t" });
      assert.equal(remote.name, "size.client.service");
      assert.equal(await remote.call("say_hello", { name: "world" }), "hello world");
      assert.equal(await remote.methods.secret?.(), 42);
      const [one] = await createClient(`${server.url}/api`).batch((b) => [b.call("say_hello", ["ann"])]);
      assert.deepEqual(one, { ok: true, value: "hello ann" });
    } finally {
      await server.close();
    }
  });

  test("npm run size prints every bundle within its budget and exits 0 (the budgets may not grow)", () => {
    const printed = execFileSync(process.execPath, ["--import", "tsx", `${ROOT}bench/size.ts`], { cwd: ROOT, encoding: "utf8" });
    for (const name of ["minimal service + node adapter", "minimal service, fetch only", "client", "everything (mod.ts)"]) {
      assert.match(printed, new RegExp(`^\\| ${name.replace(/[()+.]/g, "\\$&")} \\| \\d+ B \\| \\d+ B \\| \\d+ B \\(within\\) \\|$`, "m"));
    }
  });

  test("minimal_fetch.ts is served by bun run and serves the hello world", async () => {
    const port = await freePort();
    const child = startProcess(BUN, ["run", bundle("minimal_fetch", "neutral")], childEnv({ PORT: String(port) }));
    await waitForAnswer(`http://${HOST}:${port}`, '{"jsonrpc":"2.0","method":"say_hello","params":["x"],"id":0}');
    await helloWorldAnswers(`http://${HOST}:${port}`);
    await child.stop();
  });
});
