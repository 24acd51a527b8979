// `tsmicroservice call` on a streaming method, run as a child process against a real service with
// streams() on loopback: each item printed as one JSON line as it arrives, then the result; an
// error mid-stream; --timeout; Ctrl-C (SIGINT) ends the stream on the service; a resumable stream
// cut by the service's lifetime goes on, nothing lost or twice. On Node.js, Deno and Bun.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CallContext, RpcError, serve, Service, type ServerHandle } from "../mod.ts";
import { streams } from "../src/plugins/streams/streams.ts";
import { cliCommand, runCli } from "./cli_run.ts";
import { childEnv, delay, RUNTIMES, startProcess, stopAll, within } from "./runtime/processes.ts";

const seen = { finallyRan: 0, aborted: 0 };
// The `gated` stream's second item waits until the test opens the gate.
let openGate: () => void = () => {};
const gate = new Promise<void>((resolve) => (openGate = resolve));

const service = new Service({ name: "feeds", onError: false })
  .use(streams({ heartbeat: 50 }))
  .publicMethod("count", async function* (to: number) {
    for (let n = 1; n <= to; n++) {
      await delay(1);
      yield { n };
    }
    return { counted: to };
  })
  .publicMethod("fails_after", async function* (items: number) {
    for (let n = 1; n <= items; n++) {
      await delay(1);
      yield n;
    }
    throw new RpcError(4001, "Out of items", { after: items });
  })
  .publicMethod("gated", async function* () {
    yield "first";
    await gate;
    yield "second";
  })
  .publicMethod("forever", async function* (ctx: CallContext) {
    try {
      for (let n = 1; ; n++) {
        yield n;
        await delay(20);
      }
    } finally {
      seen.finallyRan++;
      if (ctx.signal?.aborted === true) seen.aborted++;
    }
  }, { context: true })
  .publicMethod("hostile", async function* () {
    await delay(1);
    yield "\u001b]0;pwned\u0007";
    return "\u009b2J";
  })
  .publicMethod("plain", () => "not a stream");

// Each stream lives 150 ms at most: a feed of 40 items 10 ms apart is cut several times.
const shortLived = new Service({ name: "feed", onError: false })
  .use(streams({ lifetime: 150, heartbeat: 50 }))
  .publicMethod("follow", async function* (to: number, ctx: CallContext) {
    for (let n = Number(ctx.lastEventId ?? 0) + 1; n <= to; n++) {
      await delay(10);
      yield n;
    }
    return "followed";
  }, { context: true, resumable: true });

const servers: ServerHandle[] = [];
let api = "";
let feed = "";
before(async () => {
  servers.push(await serve(service, { hostname: "127.0.0.1", port: 0 }), await serve(shortLived, { hostname: "127.0.0.1", port: 0 }));
  api = `${servers[0]?.url}/api`;
  feed = `${servers[1]?.url}/api`;
});
after(async () => {
  await stopAll();
  await Promise.all(servers.map((server) => server.close()));
});

const until = async (check: () => boolean, what: string): Promise<void> => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) assert.fail(`still not so after 5 s: ${what}`);
    await delay(10);
  }
};

describe("call on a streaming method", { timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`on ${runtime}: each item one JSON line, then the result`, async () => {
      const run = await runCli(["call", api, "count", "3"], { runtime });
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
      assert.equal(run.stdout, '{"n":1}\n{"n":2}\n{"n":3}\n{"counted":3}\n');
    });
  }

  test("on a terminal (--pretty): the items still one line each, the result indented as a call's", async () => {
    const run = await runCli(["call", api, "count", "to=2", "--pretty"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '{"n":1}\n{"n":2}\n{\n  "counted": 2\n}\n');
  });

  test("each item is printed as it arrives, before the next one exists", async () => {
    const [command, ...args] = cliCommand();
    const child = startProcess(command, [...args, "call", api, "gated"], childEnv());
    await child.waitForLine(/^"first"$/, 20_000);
    // The service has not made the second item yet: the first was printed on its own.
    assert.doesNotMatch(child.output(), /second/);
    openGate();
    assert.equal(await within(child.exited, 20_000, "still running"), 0, child.output());
    assert.equal(child.output(), '"first"\n"second"\nnull\n');
    await child.stop();
  });

  test("an error mid-stream: the items, then the error on stderr, exit 1", async () => {
    const run = await runCli(["call", api, "fails_after", "2"]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "1\n2\n");
    assert.equal(run.stderr, 'error 4001: Out of items\ndata: {"after":2}\n');
  });

  test("control characters in items and the result are escaped", async () => {
    const run = await runCli(["call", api, "hostile"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '"\\u001b]0;pwned\\u0007"\n"\\u009b2J"\n');
  });

  test("--timeout bounds the whole stream: exit 2, and the stream ends on the service", async () => {
    const before = { ...seen };
    const run = await runCli(["call", api, "forever", "--timeout", "300"]);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /^1\n2\n/);
    assert.match(run.stderr, /^tsmicroservice: timeout error calling http:\/\/127\.0\.0\.1:\d+\/api: the stream did not end within 300 ms\nhint: give the service more time with --timeout/);
    await until(() => seen.finallyRan === before.finallyRan + 1 && seen.aborted === before.aborted + 1, "the generator's finally ran, its signal aborted");
  });

  for (const runtime of RUNTIMES) {
    test(`on ${runtime}: Ctrl-C (SIGINT) ends the command and the stream on the service`, async () => {
      const before = { ...seen };
      const [command, ...args] = cliCommand(runtime);
      const child = startProcess(command, [...args, "call", api, "forever"], childEnv());
      await child.waitForLine(/^3$/, 20_000);
      process.kill(child.pid, "SIGINT");
      assert.notEqual(await within(child.exited, 10_000, "still running"), "still running");
      await until(() => seen.finallyRan === before.finallyRan + 1 && seen.aborted === before.aborted + 1, "the generator's finally ran, its signal aborted");
      await child.stop();
    });
  }

  test("a resumable stream the service cuts (its lifetime) goes on: every item once, in order", async () => {
    const run = await runCli(["call", feed, "follow", "40"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${Array.from({ length: 40 }, (_, index) => index + 1).join("\n")}\n"followed"\n`);
  });

  test("a method that does not stream is called as always", async () => {
    const run = await runCli(["call", api, "plain"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '"not a stream"\n');
  });
});
