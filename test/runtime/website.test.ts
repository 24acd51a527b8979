// A whole microservice over real sockets on Node.js (tsx), Deno and Bun: examples/website.ts's
// static folder (ETag, 304, HEAD, index.html), route, health, CORS and periodic task, and a SIGTERM
// during a slow call that is still answered before the process exits 0; every way out of a static
// folder, sent raw on the wire to each runtime, refused without the secret next to it ever being
// served; static files of a default export under `deno serve` and `bun run`; and close() cutting a
// call still running at its deadline; SIGINT stopping as gracefully as SIGTERM.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  BUN,
  childEnv,
  DENO,
  delay,
  freePort,
  HOST,
  runCommand,
  type RunningProcess,
  RUNTIMES,
  startProcess,
  stopAll,
} from "./processes.ts";
import { type ChildServer, request, rpc, startExample, waitForAnswer } from "./servers.ts";

after(stopAll);

const APP_ORIGIN = "http://localhost:3000";

/** Sends a GET with the path exactly as given (fetch would normalise `..` and `\`), and reads the answer. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: HOST, port, path, method: "GET", agent: false }, (incoming) => {
      let body = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk: string) => (body += chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body }));
      incoming.on("error", reject);
    });
    outgoing.setTimeout(15_000, () => outgoing.destroy(new Error(`no answer for ${path}`)));
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("examples/website.ts on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    describe(runtime, { concurrency: false }, () => {
      let server: ChildServer;

      before(async () => {
        server = await startExample(runtime, "examples/website.ts");
      });

      test("the static folder: index.html for /static/, a CSS file with ETag, 304 and HEAD", async () => {
        const index = await request(`${server.base}/static/`);
        assert.equal(index.status, 200);
        assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
        assert.match(index.text, /<h1>website\.service<\/h1>/);

        const css = await request(`${server.base}/static/style.css`);
        assert.equal(css.status, 200);
        assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
        assert.match(css.text, /font-family/);
        const etag = css.headers.get("etag");
        assert.match(etag ?? "", /^W\/"/);
        assert.equal(css.headers.get("content-length"), String(Buffer.byteLength(css.text)));

        const notModified = await request(`${server.base}/static/style.css`, { headers: { "if-none-match": etag! } });
        assert.equal(notModified.status, 304);
        assert.equal(notModified.text, "");
        const sinceThen = await request(`${server.base}/static/style.css`, { headers: { "if-modified-since": css.headers.get("last-modified")! } });
        assert.equal(sinceThen.status, 304);

        const head = await request(`${server.base}/static/style.css`, { method: "HEAD" });
        assert.equal(head.status, 200);
        assert.equal(head.text, "");
        assert.equal(head.headers.get("etag"), etag);
        assert.equal(head.headers.get("content-length"), css.headers.get("content-length"));

        assert.equal((await request(`${server.base}/static/missing.css`)).status, 404);
        const folder = await request(`${server.base}/static`, { redirect: "manual" });
        assert.equal(folder.status, 301);
        assert.equal(folder.headers.get("location"), "/static/");
      });

      test("the route GET /hello/:name, and / redirecting to the site", async () => {
        const hello = await request(`${server.base}/hello/w%C3%B6rld`);
        assert.equal(hello.status, 200);
        assert.equal(hello.text, "hello wörld\n");
        const wrongMethod = await request(`${server.base}/hello/x`, { method: "DELETE" });
        assert.equal(wrongMethod.status, 405);
        assert.equal(wrongMethod.headers.get("allow"), "GET, HEAD");
        const home = await request(`${server.base}/`, { redirect: "manual" });
        assert.equal(home.status, 302);
        assert.equal(home.headers.get("location"), "/static/");
      });

      test("the health check", async () => {
        const health = await request(`${server.base}/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(health.json, { status: "ok", name: "website.service", version: "1.0.0" });
      });

      test("CORS: a preflight to /api, and a call from the allowed origin", async () => {
        const preflight = await request(`${server.base}/api`, {
          method: "OPTIONS",
          headers: { origin: APP_ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "content-type, x-api-token" },
        });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get("access-control-allow-origin"), APP_ORIGIN);
        assert.equal(preflight.headers.get("access-control-allow-methods"), "POST");
        assert.equal(preflight.headers.get("access-control-allow-headers"), "Content-Type, Authorization, X-Api-Token");
        assert.equal(preflight.headers.get("vary"), "Origin");
        const answer = await rpc(server, '{"jsonrpc":"2.0","method":"say_hello","params":["cors"],"id":1}', { origin: APP_ORIGIN });
        assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "hello cors", id: 1 });
        assert.equal(answer.headers.get("access-control-allow-origin"), APP_ORIGIN);
        const stranger = await rpc(server, '{"jsonrpc":"2.0","method":"say_hello","params":["x"],"id":2}', { origin: "http://evil.example" });
        assert.equal(stranger.headers.get("access-control-allow-origin"), null);
      });

      test("the periodic task runs while it serves", async () => {
        const ticks = async (): Promise<number> =>
          ((await rpc(server, '{"jsonrpc":"2.0","method":"stats","id":1}')).json as { result: { ticks: number } }).result.ticks;
        // The task runs every second; give it a few.
        for (let tries = 0; (await ticks()) < 1; tries++) {
          assert.ok(tries < 50, "the task never ran");
          await delay(100);
        }
      });

      test("SIGTERM during a slow call: the call is answered, then the process exits 0", async () => {
        await assertStopsGracefully(server, "SIGTERM");
        await server.process.stop();
      });
    });
  }
});

/** Sends `signal` while a slow call runs: the call is answered, onStop runs, the process exits 0 (within 10 s). */
async function assertStopsGracefully(server: ChildServer, signal: NodeJS.Signals): Promise<void> {
  const slow = rpc(server, '{"jsonrpc":"2.0","method":"wait","params":[1500],"id":"slow"}');
  const waiting = async (): Promise<number> =>
    ((await rpc(server, '{"jsonrpc":"2.0","method":"stats","id":1}')).json as { result: { waiting: number } }).result.waiting;
  for (let tries = 0; (await waiting()) < 1; tries++) {
    assert.ok(tries < 100, "the slow call never started");
    await delay(20);
  }
  process.kill(server.process.pid, signal);
  assert.deepEqual((await slow).json, { jsonrpc: "2.0", result: 1500, id: "slow" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tooLong = new Promise<string>((resolve) => (timer = setTimeout(resolve, 10_000, "still running")));
  assert.equal(await Promise.race([server.process.exited, tooLong]), 0);
  clearTimeout(timer);
  assert.match(server.process.output(), /website\.service stopped/);
}

describe("SIGINT stops as gracefully as SIGTERM, on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: a slow call is answered, onStop runs, then the process exits 0`, async () => {
      const server = await startExample(runtime, "examples/website.ts");
      try {
        // Without a handler, SIGINT would end the process at once, by the signal: no answer, no exit code 0.
        await assertStopsGracefully(server, "SIGINT");
      } finally {
        await server.process.stop();
      }
    });
  }
});

describe("a static folder cannot be left, on every runtime", { concurrency: true, timeout: 90_000 }, () => {
  const SECRET = "TOP-SECRET-71b9e0";
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tsms-escape-"));
    const site = join(dir, "site");
    mkdirSync(site);
    writeFileSync(join(dir, "secret.txt"), SECRET);
    writeFileSync(join(site, "index.html"), "<h1>inside</h1>");
    writeFileSync(join(site, ".env"), SECRET);
    symlinkSync(join(dir, "secret.txt"), join(site, "link-out.txt"));
    symlinkSync(dir, join(site, "link-dir"));
    symlinkSync(join(site, "index.html"), join(site, "link-in.html"));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const attempts = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/..\\secret.txt",
    "/static/secret.txt%00.html",
    "/static/index.html%00",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%2f..%2fsecret.txt",
    "/static/C:%5csecret.txt",
    "/static/link-out.txt",
    "/static/link-dir/secret.txt",
    "/static/.env",
    "/static/%252e%252e/secret.txt",
  ];

  for (const runtime of RUNTIMES) {
    test(runtime, async () => {
      const [command, args] = runCommand(runtime, "test/runtime/fixtures/static_server.ts");
      const child: RunningProcess = startProcess(command, args, childEnv({ STATIC_ROOT: join(dir, "site") }));
      const [, url] = await child.waitForLine(/^listening at (http:\/\/\S+)$/);
      const port = Number(new URL(url!).port);
      assert.deepEqual(await rawGet(port, "/static/link-in.html"), { status: 200, body: "<h1>inside</h1>" }, "a link inside is served");
      // A request target starting with "//" is a path on this host, never another host's name.
      for (const path of ["//evil.example/static/index.html", "//evil.example/static/link-in.html"]) {
        assert.equal((await rawGet(port, path)).status, 404, `${runtime} ${path}`);
      }
      // The absolute path of the secret, encoded so it is one segment.
      const all = [...attempts, `/static/${encodeURIComponent(join(dir, "secret.txt"))}`];
      for (const path of all) {
        const answer = await rawGet(port, path);
        assert.ok([403, 404].includes(answer.status), `${runtime} ${path}: ${answer.status} ${answer.body}`);
        assert.ok(!answer.body.includes(SECRET), `${runtime} ${path} served the secret`);
      }
      await child.stop();
      assert.ok(!child.output().includes(SECRET));
    });
  }
});

describe("static files of a default export, served by deno serve and bun run", { concurrency: true, timeout: 60_000 }, () => {
  const fixture = "test/runtime/fixtures/default_export_static.ts";
  const commands: [string, (port: number) => [string, string[], NodeJS.ProcessEnv]][] = [
    ["deno serve", (port) => [DENO, ["serve", "-A", "--no-remote", "--host", HOST, "--port", String(port), fixture], childEnv()]],
    ["bun run", (port) => [BUN, ["run", fixture], childEnv({ PORT: String(port) })]],
  ];
  for (const [name, command] of commands) {
    test(`${name}: files: await fileAccess() gives the service the runtime's file access`, async () => {
      const port = await freePort();
      const [program, args, env] = command(port);
      const child = startProcess(program, args, env);
      const base = `http://${HOST}:${port}`;
      await waitForAnswer(base, '{"jsonrpc":"2.0","method":"ping","id":1}');
      const css = await request(`${base}/static/style.css`);
      assert.equal(css.status, 200);
      assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
      assert.match(css.text, /font-family/);
      await child.stop();
    });
  }
});

describe("close() at its deadline, on every runtime", { concurrency: true, timeout: 60_000 }, () => {
  for (const runtime of RUNTIMES) {
    test(`${runtime}: a call still running at closeTimeout is cut (Deno: answered 503), close() resolves, onStop runs`, async () => {
      const [command, args] = runCommand(runtime, "test/runtime/fixtures/close_deadline.ts");
      const child = startProcess(command, args, childEnv());
      const [, url] = await child.waitForLine(/^listening at (http:\/\/\S+)$/);
      const hang = fetch(`${url!}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"hang","id":1}' })
        .then((response) => response.status, () => "cut");
      await child.waitForLine(/^hang started$/);
      assert.equal((await request(`${url!}/close`)).text, "closing");
      await child.waitForLine(/^closed after \d+ ms$/, 4_000);
      // Deno cannot cut a connection once it is shutting down: the adapter answers 503 instead.
      assert.equal(await hang, runtime === "deno" ? 503 : "cut");
      assert.match(child.output(), /^onStop ran$/m);
      await child.stop();
    });
  }
});
