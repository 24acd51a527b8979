// The defaults of serve() on Node.js, Deno and Bun, seen from outside: the port (8000) and the
// close deadline (10 s: a call of 1.5 s is still answered, one of a minute is cut).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, describe, test } from "node:test";
import { childEnv, freePort, HOST, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";
import { request } from "./servers.ts";

after(stopAll);

const FIXTURE = "test/runtime/fixtures/defaults_server.ts";

/** Holds a port on the loopback address; `undefined` when something else holds it already. */
async function hold(port: number): Promise<Server | undefined> {
  const server = createServer();
  return await new Promise((resolve) => {
    server.once("error", () => {
      resolve(undefined);
    });
    server.listen(port, HOST, () => {
      resolve(server);
    });
  });
}

describe("the default port is 8000, on every runtime", { timeout: 90_000 }, () => {
  // While 8000 is taken, serve() without a port fails with "address in use": a default of 0 or of
  // any other port would listen. (Run one runtime after the other: they would take 8000 from each other.)
  for (const runtime of RUNTIMES) {
    test(runtime, async () => {
      const holder = await hold(8000); // undefined: another program holds it, which does as well
      const [command, args] = runCommand(runtime, FIXTURE);
      const child = startProcess(command, args, childEnv());
      try {
        const [line] = await child.waitForLine(/^(serve failed: .*|listening at .*)$/);
        assert.match(line, /^serve failed: .*(in use|EADDRINUSE|AddrInUse)/i, child.output());
        assert.equal(await child.exited, 3);
      } finally {
        // A child that listened elsewhere must not hold that port for the next runtime's test.
        await child.stop();
        await new Promise((resolve) => holder === undefined ? resolve(undefined) : holder.close(resolve));
      }
    });
  }
});

describe("the default close deadline is 10 s, on every runtime", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: a call of 1.5 s is answered, one of a minute is cut (Deno: 503), and close() resolves`, async () => {
      const [command, args] = runCommand(runtime, FIXTURE);
      const child = startProcess(command, args, childEnv({ PORT: String(await freePort()) }));
      const [, url] = await child.waitForLine(/^listening at (http:\/\/\S+)$/);
      const hang = (ms: number): Promise<unknown> =>
        fetch(`${url!}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: `{"jsonrpc":"2.0","method":"hang","params":[${ms}],"id":1}` })
          .then(async (response) => (response.status === 200 ? ((await response.json()) as { result: unknown }).result : response.status), () => "cut");
      const short = hang(1_500);
      const long = hang(60_000);
      await child.waitForLine(/^hang 1500 started$/);
      await child.waitForLine(/^hang 60000 started$/);
      assert.equal((await request(`${url!}/close`)).text, "closing");
      assert.equal(await short, 1_500);
      await child.waitForLine(/^closed$/, 30_000);
      assert.equal(await long, runtime === "deno" ? 503 : "cut");
      await child.stop();
    });
  }
});
