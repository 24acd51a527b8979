// examples/class_style.ts, standard decorators and all, run for real on Node.js (tsx), Deno and Bun,
// each on a free port, and called over HTTP. No runtime gets `experimentalDecorators`. Then a
// class-style service with onStart, onStop, a periodic task and a static folder, on each runtime.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { childEnv, freePort, HOST, RUNTIMES, runCommand, type RunningProcess, startProcess, stopAll } from "./runtime/processes.ts";
import { startExample } from "./runtime/servers.ts";

const HELLO_TOKEN = "hello_world_token";

async function rpc(endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return await response.json();
}

const servers = new Map<string, { child: RunningProcess; endpoint: string }>();

before(async () => {
  await Promise.all(RUNTIMES.map(async (runtime) => {
    const port = await freePort();
    const [command, args] = runCommand(runtime, "examples/class_style.ts");
    const child = startProcess(command, args, childEnv({ PORT: String(port), HOST }));
    const [, endpoint] = await child.waitForLine(/serving at (\S+)/, 60_000);
    servers.set(runtime, { child, endpoint: endpoint ?? "" });
  }));
});

after(stopAll);

for (const runtime of RUNTIMES) {
  describe(`examples/class_style.ts on ${runtime}`, () => {
    const endpointOf = (): string => {
      const server = servers.get(runtime);
      assert.ok(server, `${runtime} did not start`);
      return server.endpoint;
    };

    test("prints its URL and answers public methods, positional and named", async () => {
      const endpoint = endpointOf();
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/api$/);
      assert.deepEqual(await rpc(endpoint, { jsonrpc: "2.0", method: "say_hello", params: ["world"], id: 1 }), {
        jsonrpc: "2.0",
        result: "hello world",
        id: 1,
      });
      // Named params need the parameter names read from the decorated method's source, which each
      // runtime's decorator transform writes differently.
      assert.deepEqual(await rpc(endpoint, { jsonrpc: "2.0", method: "say_hello", params: { name: "bun" }, id: 2 }), {
        jsonrpc: "2.0",
        result: "hello bun",
        id: 2,
      });
    });

    test("guards private methods with apiTokenIsValid, a method of the class", async () => {
      const endpoint = endpointOf();
      const call = { jsonrpc: "2.0", method: "say_private_hello", params: { name: "world" }, id: 3 };
      assert.deepEqual(await rpc(endpoint, call), {
        jsonrpc: "2.0",
        error: { code: -32001, message: "Access denied: a valid API token is required" },
        id: 3,
      });
      assert.deepEqual(await rpc(endpoint, call, { "X-Api-Token": HELLO_TOKEN }), {
        jsonrpc: "2.0",
        result: "this is secret: hello world",
        id: 3,
      });
    });

    test("prints only its own lines: no runtime warning about decorators or signals", async () => {
      const endpoint = endpointOf();
      await rpc(endpoint, { jsonrpc: "2.0", method: "say_hello", params: ["again"], id: 5 });
      const lines = servers.get(runtime)?.child.output().trim().split("\n") ?? [];
      assert.equal(lines.length, 2, lines.join("\n"));
      assert.equal(lines[0], `hello.world.service serving at ${endpoint}`);
      assert.match(lines[1] ?? "", /^try: curl -s /);
    });

    test("lists exactly the decorated methods", async () => {
      const answer = (await rpc(endpointOf(), { jsonrpc: "2.0", method: "rpc.discover", id: 4 })) as {
        result: { info: { title: string }; methods: { name: string; "x-private": boolean; params: { name: string }[] }[] };
      };
      assert.equal(answer.result.info.title, "hello.world.service");
      assert.deepEqual(
        answer.result.methods.map((method) => [method.name, method["x-private"], method.params.map((param) => param.name)]),
        [
          ["say_hello", false, ["name"]],
          ["say_private_hello", true, ["name"]],
        ],
      );
    });
  });
}

// A class-style service's whole-microservice settings, on every runtime: onStart and onStop as
// methods, a periodic task and a static folder as properties, all driven by serve() and a SIGTERM.
describe("a class-style service's lifecycle and static folder under serve()", { concurrency: true }, () => {
  for (const runtime of RUNTIMES) {
    test(runtime, async () => {
      const server = await startExample(runtime, "test/runtime/fixtures/class_lifecycle_server.ts");
      const child = server.process;
      await child.waitForLine(/^ticked$/);
      const answer = await rpc(`${server.base}/api`, { jsonrpc: "2.0", method: "ticks_so_far", id: 1 }) as { result: number };
      assert.ok(answer.result >= 1);

      const index = await fetch(`${server.base}/static/`);
      assert.equal(index.status, 200);
      assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await index.text(), /<h1>website\.service<\/h1>/);
      const css = await fetch(`${server.base}/static/style.css`);
      assert.equal(css.status, 200);
      assert.match(await css.text(), /font-family/);
      assert.equal((await fetch(`${server.base}/static/missing.css`)).status, 404);

      // SIGTERM: signals: true closes the server gracefully, which runs onStop, then exits 0.
      process.kill(child.pid, "SIGTERM");
      assert.equal(await child.exited, 0, child.output());
      const lines = child.output().trim().split("\n");
      // onStart runs before serve() listens; "ticked" may come either side of "serving at".
      assert.equal(lines[0], "started", child.output());
      assert.deepEqual(lines.slice(1, -1).sort(), ["serving at " + server.base + "/api", "ticked"], child.output());
      assert.equal(lines.at(-1), "stopped", child.output());
      await child.stop();
    });
  }
});
