// The node:http adapter and serve(): real servers on loopback sockets.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { after, describe, test } from "node:test";
import { type CallContext, detectRuntime, serve, Service } from "../mod.ts";
import { serveNode } from "../src/adapters/node.ts";
import { baseUrl } from "../src/adapters/types.ts";
import { HELLO_TOKEN, helloService, until } from "./helpers.ts";

/** Opens a connection, lets `send` write to it, and resolves to all that came back once it closed. */
function untilClosed(port: number, send: (socket: Socket) => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    send(socket);
  });
}

/** Sends raw bytes over a fresh socket and returns everything the server wrote until it closed. */
function rawExchange(port: number, data: string | Buffer, endAfterWrite = true): Promise<string> {
  return untilClosed(port, (socket) => {
    socket.write(data);
    if (endAfterWrite) socket.end();
  });
}

describe("serve() on Node", () => {
  test("detects the runtime as node", () => {
    assert.equal(detectRuntime(), "node");
  });

  test("serves a service on port 0 over a real socket", async () => {
    const service = helloService();
    const server = await serve(service, { port: 0 });
    after(() => server.close());
    assert.equal(server.hostname, "127.0.0.1");
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-token": HELLO_TOKEN },
      body: '[{"jsonrpc":"2.0","method":"say_hello","params":{"name":"world"},"id":1},' +
        '{"jsonrpc":"2.0","method":"say_private_hello","params":["world"],"id":2}]',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.deepEqual(await response.json(), [
      { jsonrpc: "2.0", result: "hello world", id: 1 },
      { jsonrpc: "2.0", result: "this is secret: hello world", id: 2 },
    ]);
    const missing = await fetch(`${server.url}/nothing`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const wrongMethod = await fetch(`${server.url}/api`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    await wrongMethod.body?.cancel();
  });

  test("a port in use is refused", async () => {
    const first = await serveNode({ fetch: () => new Response("one") }, { port: 0 });
    after(() => first.close());
    await assert.rejects(serveNode({ fetch: () => new Response("two") }, { port: first.port }), /EADDRINUSE/);
  });

  test("baseUrl brackets IPv6 addresses", () => {
    assert.equal(baseUrl("::1", 80), "http://[::1]:80");
    assert.equal(baseUrl("localhost", 80), "http://localhost:80");
  });
});

describe("the node adapter", () => {
  test("close() lets a call in flight finish and answers it", async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const service = new Service({ name: "slow" }).publicMethod("slow", async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 150));
      return "done";
    });
    const server = await serve(service, { port: 0 });
    const answer = fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"slow","id":1}',
    }).then((response) => response.json());
    await running;
    await server.close();
    assert.deepEqual(await answer, { jsonrpc: "2.0", result: "done", id: 1 });
    await assert.rejects(fetch(`${server.url}/api`, { method: "POST" }));
  });

  test("close() of an idle server with kept-alive connections resolves, closing them, and then refuses connections", { timeout: 10_000 }, async () => {
    const server = await serve(helloService(), { port: 0 });
    const body = '{"jsonrpc":"2.0","method":"say_hello","params":["a"],"id":1}';
    // HTTP/1.1 keeps the connection alive: once answered, it sits idle.
    const socket = netConnect(server.port, "127.0.0.1");
    const socketClosed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const answered = new Promise<string>((resolve) => {
      let received = "";
      socket.on("data", (chunk) => {
        received += chunk.toString();
        if (received.includes('"id":1}')) resolve(received);
      });
    });
    socket.write(`POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.match(await answered, /^HTTP\/1\.1 200 [\s\S]*"result":"hello a"/);
    assert.equal(socket.destroyed, false);
    await server.close();
    await socketClosed; // the server closed the idle connection
    const refused = await new Promise<string>((resolve) => {
      const probe = netConnect(server.port, "127.0.0.1");
      probe.on("connect", () => {
        probe.destroy();
        resolve("connected");
      });
      probe.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    assert.equal(refused, "ECONNREFUSED");
  });

  test("a chunked body over the limit is 413, and the server serves the next request", async () => {
    const service = new Service({ name: "s", limits: { maxBodyBytes: 100 } }).publicMethod("echo", (value: unknown) => value);
    const server = await serve(service, { port: 0 });
    after(() => server.close());
    const chunk = "x".repeat(60);
    const raw = `POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(5) + "0\r\n\r\n";
    const reply = await rawExchange(server.port, raw);
    assert.match(reply, /^HTTP\/1\.1 413 /);
    assert.match(reply, /exceeds 100 bytes/);
    const next = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}',
    });
    assert.deepEqual(await next.json(), { jsonrpc: "2.0", result: 1, id: 1 });
  });

  test("a body still arriving after requestTimeout + bodyTimeout is cut off by Node.js itself: 408, connection closed", async () => {
    const service = new Service({ name: "s", limits: { bodyTimeout: 50 } }).publicMethod("echo", (value: unknown) => value);
    const server = await serve(service, { port: 0, requestTimeout: 50 });
    after(() => server.close());
    // The client sends part of its body, then nothing: only the timeout can end the exchange.
    const reply = await rawExchange(
      server.port,
      'POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc":"2.0"',
      false,
    );
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.match(reply, /\r\nconnection: close\r\n/i);
    const next = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"echo","params":[1],"id":1}',
    });
    assert.deepEqual(await next.json(), { jsonrpc: "2.0", result: 1, id: 1 });
  });

  test("a client that disconnects aborts the signal its call sees, and nothing throws", async () => {
    let seenSignal: AbortSignal | undefined;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const service = new Service({ name: "s" }).publicMethod(
      "wait",
      (ctx: CallContext) =>
        new Promise((resolve) => {
          seenSignal = ctx.signal;
          entered();
          ctx.signal?.addEventListener("abort", () => resolve("aborted"));
        }),
      { context: true },
    );
    const server = await serve(service, { port: 0 });
    after(() => server.close());
    const body = '{"jsonrpc":"2.0","method":"wait","id":1}';
    const request = httpRequest({ port: server.port, host: "127.0.0.1", method: "POST", path: "/api", headers: { "content-type": "application/json" } });
    request.on("error", () => {});
    request.end(body);
    await inside;
    request.destroy();
    await until(() => seenSignal?.aborted === true);
    const still = await fetch(`${server.url}/api`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","method":"nothing","id":2}' });
    assert.equal(still.status, 200);
    await still.body?.cancel();
  });

  test("request details reach the app: method, path, query, headers and body", async () => {
    let seen = new Request("http://unset/");
    let seenBody = "";
    const server = await serveNode({
      fetch: async (request) => {
        seen = request;
        seenBody = await request.text();
        const headers = new Headers({ "x-answer": "yes" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("ok", { status: 201, headers });
      },
    }, { port: 0 });
    after(() => server.close());
    const reply = await rawExchange(
      server.port,
      "PUT /x/y?z=1 HTTP/1.1\r\nHost: example.test:81\r\nX-Custom: one\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    );
    assert.match(reply, /^HTTP\/1\.1 201 /);
    assert.match(reply, /set-cookie: a=1\r\nset-cookie: b=2/i);
    assert.match(reply, /x-answer: yes/i);
    assert.equal(seen.method, "PUT");
    assert.equal(seen.url, "http://example.test:81/x/y?z=1");
    assert.equal(seen.headers.get("x-custom"), "one");
    assert.equal(seenBody, "hello");
  });

  test("a malformed Host header does not break the request URL", async () => {
    let seenUrl = "";
    const server = await serveNode({
      fetch: (request) => {
        seenUrl = request.url;
        return new Response("ok");
      },
    }, { port: 0 });
    after(() => server.close());
    const reply = await rawExchange(server.port, "GET /p HTTP/1.1\r\nHost: bad host/@x\r\nConnection: close\r\n\r\n");
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.equal(seenUrl, `http://127.0.0.1/p`);
  });

  test("an app that throws answers 500 without details", async () => {
    const server = await serveNode({
      fetch: () => {
        throw new Error("secret detail");
      },
    }, { port: 0 });
    after(() => server.close());
    const response = await fetch(server.url);
    assert.equal(response.status, 500);
    assert.doesNotMatch(await response.text(), /secret/);
  });

  test("a streamed response body reaches the client whole", async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `part${i};`.repeat(2000));
    const server = await serveNode({
      fetch: () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
              controller.close();
            },
          }),
        ),
    }, { port: 0 });
    after(() => server.close());
    const response = await fetch(server.url);
    assert.equal(await response.text(), parts.join(""));
  });
});

describe("slow clients", () => {
  test("a client trickling its headers is cut off after requestTimeout, and others are still served", async () => {
    const server = await serve(helloService(), { port: 0, requestTimeout: 200 });
    after(() => server.close());
    const started = Date.now();
    const reply = await untilClosed(server.port, (socket) => {
      socket.write("POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      // Never finish the headers.
    });
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 5000);
    const response = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"say_hello","params":["a"],"id":1}',
    });
    assert.deepEqual(await response.json(), { jsonrpc: "2.0", result: "hello a", id: 1 });
  });
});

describe("the default requestTimeout (30 s)", () => {
  test("headers that take 2 s to arrive are still answered", async () => {
    // A default much shorter than the documented 30 s would cut this client off with a 408.
    const server = await serve(helloService(), { port: 0 });
    after(() => server.close());
    const body = '{"jsonrpc":"2.0","method":"say_hello","params":["slow"],"id":1}';
    const parts = ["POST /api HTTP/1.1\r\n", "Host: 127.0.0.1\r\n", "Content-Type: application/json\r\n", `Content-Length: ${body.length}\r\n`, "Connection: close\r\n", `\r\n${body}`];
    const reply = await untilClosed(server.port, (socket) => {
      const next = (index: number): void => {
        if (socket.destroyed) return;
        socket.write(parts[index] as string);
        if (index + 1 < parts.length) setTimeout(next, 400, index + 1);
      };
      next(0);
    });
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.match(reply, /"result":"hello slow"/);
  });
});

