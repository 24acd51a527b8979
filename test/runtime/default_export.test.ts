// The `export default { fetch }` style: modules whose default export is served by the runtime
// itself, with `deno serve` and `bun run`. examples/fetch_handler.ts must be served once (by the
// runtime, not also by itself), and a bare Service as the default export must work as it is.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { BUN, childEnv, DENO, freePort, HOST, type RunningProcess, startProcess, stopAll, within } from "./processes.ts";
import { request, waitForAnswer } from "./servers.ts";

after(stopAll);

const RUNTIME_CALL = '{"jsonrpc":"2.0","method":"runtime","id":1}';

async function call(port: number, body: string): Promise<unknown> {
  const answer = await request(`http://${HOST}:${port}/api`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  assert.equal(answer.status, 200);
  return answer.json;
}

function servingLines(child: RunningProcess): number {
  return child.output().match(/serving at/g)?.length ?? 0;
}

describe("examples/fetch_handler.ts as a default export", { concurrency: true, timeout: 60_000 }, () => {
  test("deno serve --host --port serves it, and only deno serve does", async () => {
    const port = await freePort();
    const child = startProcess(
      DENO,
      ["serve", "-A", "--no-remote", "--host", HOST, "--port", String(port), "examples/fetch_handler.ts"],
      childEnv(),
    );
    const [, url] = await child.waitForLine(/serving at (http:\/\/\S+)/);
    assert.equal(url, `http://${HOST}:${port}/api`);
    assert.deepEqual(await call(port, RUNTIME_CALL), { jsonrpc: "2.0", result: "deno", id: 1 });
    assert.deepEqual(
      await call(port, '{"jsonrpc":"2.0","method":"add","params":[2,3],"id":2}'),
      { jsonrpc: "2.0", result: 5, id: 2 },
    );
    // The module's own timer (which would start a second server) was due before deno serve
    // printed its line, so it fired before these calls were answered: had it served, a second line
    // (or a crash on the taken port) would be here by now.
    assert.equal(servingLines(child), 1);
    await child.stop();
  });

  test("bun run serves it on the exported hostname and port ($HOST, $PORT), and only Bun does", async () => {
    const port = await freePort();
    const child = startProcess(BUN, ["run", "examples/fetch_handler.ts"], childEnv({ HOST, PORT: String(port) }));
    const [, url] = await child.waitForLine(/serving at (http:\/\/\S+)/);
    assert.equal(url, `http://${HOST}:${port}/api`);
    // Bun's own line: it served the default export itself.
    assert.match(child.output(), new RegExp(`Started (development )?server: http://${HOST}:${port}`));
    assert.deepEqual(await call(port, RUNTIME_CALL), { jsonrpc: "2.0", result: "bun", id: 1 });
    // The line came from the module's own timer, which decides and prints in one go: nothing can follow it.
    assert.equal(servingLines(child), 1);
    await child.stop();
  });
});

describe("a bare Service as the default export", { concurrency: true, timeout: 60_000 }, () => {
  const fixture = "test/runtime/fixtures/default_export.ts";

  test("deno serve serves it (its fetch is an own, bound property)", async () => {
    const port = await freePort();
    const child = startProcess(
      DENO,
      ["serve", "-A", "--no-remote", "--host", HOST, "--port", String(port), fixture],
      childEnv(),
    );
    const answer = await waitForAnswer(`http://${HOST}:${port}`, RUNTIME_CALL);
    assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "deno", id: 1 });
    assert.deepEqual(
      await call(port, '{"jsonrpc":"2.0","method":"subtract","params":{"subtrahend":23,"minuend":42},"id":3}'),
      { jsonrpc: "2.0", result: 19, id: 3 },
    );
    await child.stop();
  });

  test("deno serve drains a call in flight on SIGTERM, then exits", async () => {
    const port = await freePort();
    const child = startProcess(
      DENO,
      ["serve", "-A", "--no-remote", "--host", HOST, "--port", String(port), fixture],
      childEnv(),
    );
    await waitForAnswer(`http://${HOST}:${port}`, RUNTIME_CALL);
    const pending = call(port, '{"jsonrpc":"2.0","method":"sleep","params":[1500],"id":"late"}');
    await child.waitForLine(/^sleep 1500 started$/);
    process.kill(child.pid, "SIGTERM");
    assert.deepEqual(await pending, { jsonrpc: "2.0", result: 1500, id: "late" });
    assert.equal(await within(child.exited, 5_000, "still running"), 0);
    await child.stop();
  });

  test("bun run serves it on $PORT", async () => {
    const port = await freePort();
    const child = startProcess(BUN, ["run", fixture], childEnv({ PORT: String(port) }));
    const answer = await waitForAnswer(`http://${HOST}:${port}`, RUNTIME_CALL);
    assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "bun", id: 1 });
    await child.stop();
  });

  test("bun run prefers $BUN_PORT to $PORT", async () => {
    const [port, otherPort] = [await freePort(), await freePort()];
    const child = startProcess(BUN, ["run", fixture], childEnv({ BUN_PORT: String(port), PORT: String(otherPort) }));
    const answer = await waitForAnswer(`http://${HOST}:${port}`, RUNTIME_CALL);
    assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "bun", id: 1 });
    await child.stop();
  });
});
