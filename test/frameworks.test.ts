// A service inside the apps people already have, each on a real loopback socket: plain node:http,
// Express (before and after express.json()), Koa and Fastify through tsmicroservice/node-handler,
// hono and a Next.js-shaped route handler through service.fetch. The same wire rules everywhere:
// the service's paths under the mount path, its body limit, its content types, its JSON-RPC errors.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { mount } from "hono/mount";
import Koa from "koa";
import { type CallContext, connect, RpcError, serve, Service } from "../mod.ts";
import { type NodeHandler, toFastifyPlugin, toNodeHandler } from "../src/adapters/node_handler.ts";
import { health } from "../src/plugins/health.ts";

function helloService(options: { path?: string; maxBodyBytes?: number } = {}) {
  return new Service({ name: "hello.service", ...(options.path === undefined ? {} : { path: options.path }), limits: { maxBodyBytes: options.maxBodyBytes ?? 1024 } })
    .use(health())
    .publicMethod("say_hello", (name: string) => `hello ${name}`);
}

/** node:http's listener returns nothing: the handler's promise (which never rejects) is let go. */
function listener(handler: NodeHandler): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => void handler(request, response);
}

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

function rpcBody(name: string, padding = 0): string {
  return JSON.stringify({ jsonrpc: "2.0", method: "say_hello", params: [name], id: 1, pad: "x".repeat(padding) });
}

async function post(url: string, body: string, contentType = "application/json"): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** The wire rules every mounting keeps: a call, the body limit, the content type, a parse error. */
async function checkWireRules(endpoint: string): Promise<void> {
  const remote = await connect<ReturnType<typeof helloService>>(endpoint);
  assert.equal(remote.name, "hello.service");
  assert.equal(await remote.methods.say_hello("world"), "hello world");
  const [a, b] = await remote.batch((batch) => [batch.methods.say_hello("ann"), batch.methods.say_hello("bob")]);
  assert.ok(a.ok && b.ok && a.value === "hello ann" && b.value === "hello bob");
  const tooLarge = await post(endpoint, rpcBody("x", 2048));
  assert.equal(tooLarge.status, 413);
  assert.equal((tooLarge.json as { error: { code: number } }).error.code, -32600);
  assert.equal((await post(endpoint, rpcBody("x"), "text/plain")).status, 415);
  const notJson = await post(endpoint, "{oops");
  assert.equal(notJson.status, 200);
  assert.equal((notJson.json as { error: { code: number } }).error.code, -32700);
}

describe("toNodeHandler() on plain node:http", { timeout: 30_000 }, () => {
  test("serves the service as serve() does, and 404 elsewhere", async () => {
    const service = helloService();
    await service.startup();
    const server = createServer(listener(toNodeHandler(service)));
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/api`);
      assert.equal((await fetch(`${base}/health`)).status, 200);
      assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
    } finally {
      await stop(server);
      await service.shutdown();
    }
  });

  test("with a prefix, serves under it only", async () => {
    const server = createServer(listener(toNodeHandler(helloService(), { prefix: "/rpc/" })));
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/rpc/api`);
      assert.equal((await post(`${base}/rpc/api?x=1`, rpcBody("q"))).status, 200);
      assert.equal((await post(`${base}/api`, rpcBody("x"))).status, 404);
      assert.equal((await post(`${base}/rpcx/api`, rpcBody("x"))).status, 404);
    } finally {
      await stop(server);
    }
  });

  test("with a prefix, a service with path '/' answers at the prefix itself", async () => {
    const server = createServer(listener(toNodeHandler(helloService({ path: "/" }), { prefix: "/rpc" })));
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/rpc`);
      assert.equal((await post(`${base}/rpc?trace=1`, rpcBody("q"))).status, 200);
    } finally {
      await stop(server);
    }
  });

  test("writes every header of the answer, each Set-Cookie on its own", async () => {
    const service = new Service({ name: "site" }).use({
      name: "login",
      fetch: (_request, path) => path === "/login" ? new Response("ok", { headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-extra", "yes"]] }) : undefined,
    });
    const server = createServer(listener(toNodeHandler(service)));
    const base = await listen(server);
    try {
      const response = await fetch(`${base}/login`);
      assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
      assert.equal(response.headers.get("x-extra"), "yes");
      assert.equal(await response.text(), "ok");
    } finally {
      await stop(server);
    }
  });

  test("without next: a consumed body is a 500 saying why, an app that throws a plain 500", async () => {
    const rpc = toNodeHandler(helloService());
    const throwing = toNodeHandler({ fetch: () => { throw new Error("broken app"); } });
    const server = createServer((request, response) => {
      if (request.url === "/broken") {
        void throwing(request, response);
        return;
      }
      request.resume(); // something read the body before the handler, and kept nothing
      request.once("end", () => void rpc(request, response));
    });
    const base = await listen(server);
    try {
      const consumed = await post(`${base}/api`, rpcBody("x"));
      assert.equal(consumed.status, 500);
      assert.match(consumed.text, /mount toNodeHandler\(\) before the body parser/);
      const broken = await fetch(`${base}/broken`);
      assert.equal(broken.status, 500);
      assert.equal(await broken.text(), "Internal Server Error");
    } finally {
      await stop(server);
    }
  });

  test("streams a large answer whole, waiting for the socket as it fills", async () => {
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const count = 256; // 16 MiB: more than the socket's buffers take at once
    const service = new Service({ name: "big" }).use({
      name: "download",
      fetch: (_request, path) => {
        if (path !== "/download") return undefined;
        let sent = 0;
        return new Response(new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ === count) controller.close();
            else controller.enqueue(chunk);
          },
        }));
      },
    });
    const server = createServer(listener(toNodeHandler(service)));
    const base = await listen(server);
    try {
      const response = await fetch(`${base}/download`);
      let received = 0;
      for await (const part of response.body ?? []) received += (part as Uint8Array).byteLength;
      assert.equal(received, chunk.byteLength * count);
    } finally {
      await stop(server);
    }
  });

  test("a client that goes away aborts the signal its call sees", { timeout: 10_000 }, async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let aborted!: () => void;
    const sawAbort = new Promise<void>((resolve) => (aborted = resolve));
    const service = new Service({ name: "slow" }).publicMethod("wait", (ctx: CallContext) =>
      new Promise<null>((resolve) => {
        ctx.signal?.addEventListener("abort", () => {
          aborted();
          resolve(null);
        });
        started();
      }), { context: true });
    const server = createServer(listener(toNodeHandler(service)));
    const base = await listen(server);
    try {
      const caller = new AbortController();
      const call = fetch(`${base}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"wait","id":1}', signal: caller.signal });
      await running;
      caller.abort();
      await assert.rejects(call);
      await sawAbort;
    } finally {
      await stop(server);
    }
  });
});

describe("toNodeHandler() in Express", { timeout: 30_000 }, () => {
  test("mounted with app.use(path): the service's paths under it, the rest of the app after it", async () => {
    const service = helloService();
    await service.startup();
    const app = express();
    app.use("/rpc", toNodeHandler(service));
    app.get("/rpc/other", (_request, response) => {
      response.send("the app's own route");
    });
    const server = createServer(app);
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/rpc/api`);
      assert.equal((await fetch(`${base}/rpc/health`)).status, 200);
      const other = await fetch(`${base}/rpc/other`);
      assert.equal(await other.text(), "the app's own route");
      assert.equal((await post(`${base}/api`, rpcBody("x"))).status, 404); // outside the mount path
    } finally {
      await stop(server);
      await service.shutdown();
    }
  });

  test("a service with path '/' answers JSON-RPC at the mount path itself", async () => {
    const app = express();
    app.use("/rpc", toNodeHandler(helloService({ path: "/" })));
    const server = createServer(app);
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/rpc`);
    } finally {
      await stop(server);
    }
  });

  test("after express.json(): takes the parsed body, still with the service's limit and content types", async () => {
    const app = express();
    app.use(express.json({ limit: "1mb" }));
    app.use(express.text({ type: "application/x-rpc-text" }));
    app.use("/rpc", toNodeHandler(helloService({ maxBodyBytes: 1024 })));
    const server = createServer(app);
    const base = await listen(server);
    try {
      const remote = await connect<ReturnType<typeof helloService>>(`${base}/rpc/api`);
      assert.equal(await remote.methods.say_hello("parsed"), "hello parsed");
      // Parsed by express.json(), 2 kB: within the parser's limit, over the service's.
      assert.equal((await post(`${base}/rpc/api`, rpcBody("x", 2048))).status, 413);
      // The service sees the body written again, not the one sent: 2 kB of white space are gone.
      const spaced = `{"jsonrpc":"2.0","method":"say_hello","params":["spaced"],"id":1${" ".repeat(2048)}}`;
      assert.deepEqual((await post(`${base}/rpc/api`, spaced)).json, { jsonrpc: "2.0", result: "hello spaced", id: 1 });
      // Left unread by express.json() (not JSON): the service reads and refuses it.
      assert.equal((await post(`${base}/rpc/api`, rpcBody("x"), "text/plain")).status, 415);
      // Kept as text by express.text(): the service still refuses the content type.
      assert.equal((await post(`${base}/rpc/api`, rpcBody("x"), "application/x-rpc-text")).status, 415);
    } finally {
      await stop(server);
    }
  });

  test("after a middleware that read the body and kept nothing: an error for Express's error handler", async () => {
    const app = express();
    app.use((request, _response, next) => {
      request.resume();
      request.once("end", () => next());
    });
    app.use("/rpc", toNodeHandler(helloService()));
    let seen: unknown;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- Express tells an error handler by its four parameters
    app.use((error: unknown, _request: express.Request, response: express.Response, _next: express.NextFunction) => {
      seen = error;
      response.status(500).send("handled");
    });
    const server = createServer(app);
    const base = await listen(server);
    try {
      const answer = await post(`${base}/rpc/api`, rpcBody("x"));
      assert.equal(answer.status, 500);
      assert.equal(answer.text, "handled");
      assert.ok(seen instanceof Error);
      assert.match(seen.message, /mount toNodeHandler\(\) before the body parser/);
    } finally {
      await stop(server);
    }
  });
});

describe("toNodeHandler() in Koa", { timeout: 30_000 }, () => {
  test("under a prefix, with ctx.respond = false; other paths go on to the next middleware", async () => {
    const service = helloService();
    const rpc = toNodeHandler(service, { prefix: "/rpc" });
    const app = new Koa();
    app.use(async (ctx, next) => {
      if (ctx.path !== "/rpc" && !ctx.path.startsWith("/rpc/")) {
        await next();
        return;
      }
      ctx.respond = false; // the handler writes the answer itself
      await rpc(ctx.req, ctx.res);
    });
    app.use((ctx) => {
      ctx.body = "koa's own";
    });
    const callback = app.callback();
    const server = createServer((request, response) => void callback(request, response));
    const base = await listen(server);
    try {
      await checkWireRules(`${base}/rpc/api`);
      assert.equal(await (await fetch(`${base}/other`)).text(), "koa's own");
    } finally {
      await stop(server);
    }
  });
});

describe("toFastifyPlugin()", { timeout: 30_000 }, () => {
  test("registered with a prefix: the service reads its own bodies; the app's other routes keep Fastify's parser", async () => {
    const fastify = Fastify({ bodyLimit: 100 });
    await fastify.register(toFastifyPlugin(helloService({ maxBodyBytes: 1024 })), { prefix: "/rpc" });
    fastify.post("/echo", (request) => ({ got: request.body }));
    const base = await fastify.listen({ port: 0, host: "127.0.0.1" });
    try {
      await checkWireRules(`${base}/rpc/api`);
      // 400 bytes: over Fastify's bodyLimit, within the service's.
      assert.equal((await post(`${base}/rpc/api`, rpcBody("x", 400))).status, 200);
      assert.equal((await fetch(`${base}/rpc/elsewhere`)).status, 404);
      const echoed = await post(`${base}/echo`, '{"a":1}');
      assert.deepEqual(echoed.json, { got: { a: 1 } });
    } finally {
      await fastify.close();
    }
  });
});

describe("service.fetch in Web-standard frameworks", { timeout: 30_000 }, () => {
  test("hono: app.all(\"/rpc/*\", mount(request => service.fetch(request)))", async () => {
    const service = helloService();
    const app = new Hono();
    app.all("/rpc/*", mount((request) => service.fetch(request)));
    app.get("/", (c) => c.text("hono's own"));
    const server = await serve({ fetch: app.fetch }, { port: 0 });
    try {
      await checkWireRules(`${server.url}/rpc/api`);
      assert.equal(await (await fetch(`${server.url}/`)).text(), "hono's own");
    } finally {
      await server.close();
    }
  });

  test("a Next.js route handler: export const POST = (request) => service.fetch(request), at the service's path", async () => {
    // app/api/rpc/route.ts: the service's path is the route's.
    const service = helloService({ path: "/api/rpc" });
    const POST = (request: Request): Promise<Response> => service.fetch(request);
    // What Next.js does with the module: POSTs to /api/rpc go to POST.
    const server = await serve({
      fetch: (request) => new URL(request.url).pathname === "/api/rpc" && request.method === "POST" ? POST(request) : new Response(null, { status: 404 }),
    }, { port: 0 });
    try {
      await checkWireRules(`${server.url}/api/rpc`);
      await assert.rejects(connect(`${server.url}/api/other`), (error: unknown) => !(error instanceof RpcError));
    } finally {
      await server.close();
    }
  });
});
