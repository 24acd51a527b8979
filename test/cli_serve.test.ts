// `tsmicroservice serve FILE` as a child process on a free loopback port: a Service or a plain
// `{ fetch }` default export, --host/--port/--path/--token-header, a graceful stop on SIGTERM and
// SIGINT, and the modules it refuses. On Node.js (tsx), Deno and Bun.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { cliCommand, runCli } from "./cli_run.ts";
import { childEnv, freePort, HOST, startProcess, stopAll } from "./runtime/processes.ts";

after(stopAll);

async function startServe(args: readonly string[], runtime: "node" | "deno" | "bun" = "node") {
  const port = await freePort();
  const [command, ...first] = cliCommand(runtime);
  const child = startProcess(command, [...first, "serve", ...args, "--host", HOST, "--port", String(port)], childEnv());
  const [, url] = await child.waitForLine(/serving at (http:\/\/\S+)/);
  return { child, url: url!, base: `http://${HOST}:${port}` };
}

describe("tsmicroservice serve", () => {
  for (const runtime of ["node", "deno", "bun"] as const) {
    test(`serves a module's Service, and stops gracefully on SIGTERM (${runtime})`, async () => {
      const { child, url, base } = await startServe(["test/cli_fixtures/service.ts"], runtime);
      assert.equal(url, `${base}/api`);
      assert.match(child.output(), /^served\.service serving at /);
      assert.equal((await runCli(["call", url, "say_hello", runtime])).stdout, `"hello ${runtime}"\n`);
      assert.equal((await runCli(["call", url, "secret", "--token", "served-token"])).stdout, '"s3cret"\n');
      process.kill(child.pid, "SIGTERM");
      assert.equal(await child.exited, 0);
      assert.match(child.output(), /served\.service stopped/);
      await child.stop();
    });
  }

  test("--path and --token-header map onto the service's own path and header", async () => {
    const { child, url, base } = await startServe(["test/cli_fixtures/service.ts", "--path", "/rpc", "--token-header", "X-Token"]);
    assert.equal(url, `${base}/rpc`);
    assert.equal((await runCli(["call", url, "say_hello", "ann"])).stdout, '"hello ann"\n');
    assert.equal((await runCli(["call", url, "secret", "--header", "X-Token: served-token"])).stdout, '"s3cret"\n');
    assert.equal((await runCli(["call", url, "secret", "--token", "served-token", "--token-header", "X-Token"])).stdout, '"s3cret"\n');
    // The service's own header and path no longer work.
    assert.equal((await runCli(["call", url, "secret", "--token", "served-token"])).code, 1);
    const old = await runCli(["call", `${base}/api`, "say_hello", "ann"]);
    assert.equal(old.code, 2);
    assert.match(old.stderr, /HTTP 404/);
    // Other paths pass through: the service's health check.
    assert.equal((await fetch(`${base}/health`)).status, 200);
    process.kill(child.pid, "SIGINT");
    assert.equal(await child.exited, 0);
    assert.match(child.output(), /served\.service stopped/);
    await child.stop();
  });

  test("serves a plain { fetch } default export", async () => {
    const { child, url, base } = await startServe(["test/cli_fixtures/fetch_app.ts"]);
    assert.equal(url, base);
    assert.equal(await (await fetch(`${base}/anything`)).text(), "you asked for /anything");
    await child.stop();
  });

  test("refuses a module without a default export, a class, a missing file, a busy port; bad flags are 64", async () => {
    const none = await runCli(["serve", "test/cli_fixtures/no_default.ts", "--port", "0"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no_default\.ts has no default export to serve: export default a Service, or an object with fetch\(request\)/);
    const cls = await runCli(["serve", "test/cli_fixtures/class_export.ts", "--port", "0"]);
    assert.equal(cls.code, 1);
    assert.match(cls.stderr, /\(it exports a function or class: export an instance\)/);
    const missing = await runCli(["serve", "test/cli_fixtures/missing.ts", "--port", "0"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^tsmicroservice: cannot load test\/cli_fixtures\/missing\.ts: /);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, HOST, resolve));
    const port = (busy.address() as { port: number }).port;
    const taken = await runCli(["serve", "test/cli_fixtures/service.ts", "--host", HOST, "--port", String(port)]);
    busy.close();
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^tsmicroservice: cannot serve test\/cli_fixtures\/service\.ts: /);
    for (const [args, message] of [
      [["serve"], /serve needs the module's file/],
      [["serve", "a.ts", "b.ts"], /serve takes one file/],
      [["serve", "a.ts", "--port", "http"], /--port wants a port number/],
      [["serve", "a.ts", "--port", "70000"], /--port wants a port number/],
      [["serve", "a.ts", "--path", "rpc"], /--path must start with "\/"/],
      [["serve", "a.ts", "--token-header", "X Token"], /--token-header wants a header name/],
    ] as const) {
      const run = await runCli(args);
      assert.equal(run.code, 64, args.join(" "));
      assert.match(run.stderr, message);
    }
  });
});
