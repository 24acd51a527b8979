// Every way a call can fail on the way, triggered for real: a closed port, a slow server, an HTML
// error page, a body that is not JSON, an answer to another call, an aborted call.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { connect, createClient, RpcError, TransportError, type TransportErrorKind } from "../mod.ts";

type Route = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A node:http server (not this library) that answers each path its own way. */
async function rawServer(routes: Record<string, Route>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      const route = routes[request.url ?? ""];
      if (route === undefined) response.writeHead(404).end("no route");
      else route(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function transportError(promise: Promise<unknown>, kind: TransportErrorKind): Promise<TransportError> {
  const error = await promise.then(
    () => assert.fail("expected a rejection"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof TransportError, `expected a TransportError, got ${String(error)}`);
  assert.equal(error.kind, kind);
  assert.equal(error.name, "TransportError");
  return error;
}

function answerJson(status: number, value: unknown): Route {
  return (_request, _body, response) => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
}

describe("transport failures", () => {
  let server: Server;
  let base: string;
  const held: ServerResponse[] = [];

  before(async () => {
    ({ server, url: base } = await rawServer({
      "/html500": (_request, _body, response) => {
        response.writeHead(500, { "content-type": "text/html" }).end("<html><body><h1>Internal Server Error</h1></body></html>");
      },
      "/text200": (_request, _body, response) => {
        response.writeHead(200, { "content-type": "text/plain" }).end("hello, not JSON");
      },
      "/empty502": (_request, _body, response) => {
        response.writeHead(502).end();
      },
      "/json500": answerJson(500, { message: "a JSON error page, not JSON-RPC" }),
      "/rpc500": (_request, body, response) => {
        const { id } = JSON.parse(body) as { id: number };
        answerJson(500, { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id })(_request, body, response);
      },
      "/rpc400null": answerJson(400, { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }),
      "/other-id": answerJson(200, { jsonrpc: "2.0", result: 1, id: "someone else's" }),
      "/no-member": answerJson(200, { jsonrpc: "2.0", id: 1 }),
      "/bad-error": (_request, body, response) => {
        const { id } = JSON.parse(body) as { id: number };
        answerJson(200, { jsonrpc: "2.0", error: { code: "x", message: 1 }, id })(_request, body, response);
      },
      "/slow": (_request, _body, response) => {
        held.push(response); // never answered: the client gives up first
      },
      "/slow-body": (_request, _body, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.write('{"jsonrpc":"2.0",');
        held.push(response);
      },
    }));
  });
  after(async () => {
    await closeServer(server);
  });

  it("a closed port: network, with the URL and the cause", async () => {
    const probe = await rawServer({});
    const closedUrl = `${probe.url}/api`;
    await closeServer(probe.server);
    const error = await transportError(createClient(closedUrl).call("ping"), "network");
    assert.equal(error.url, closedUrl);
    assert.equal(error.status, undefined);
    assert.ok(error.message.includes(closedUrl), error.message);
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(error.cause instanceof Error);
  });

  it("an invalid URL: network, never a bare TypeError", async () => {
    await transportError(createClient("not a url").call("ping"), "network");
  });

  it("an HTML 500 page: http, with the status", async () => {
    const error = await transportError(createClient(`${base}/html500`).call("ping"), "http");
    assert.equal(error.status, 500);
    assert.match(error.message, /HTTP 500/);
    assert.ok(error.message.includes(`${base}/html500`));
    await transportError(createClient(`${base}/empty502`).call("ping"), "http");
    await transportError(createClient(`${base}/json500`).call("ping"), "http");
    await transportError(createClient(`${base}/no-such-path`).call("ping"), "http");
    await transportError(createClient(`${base}/html500`).notify("ping"), "http");
  });

  it("a JSON-RPC error sent with an HTTP error status is an RpcError", async () => {
    const error = await createClient(`${base}/rpc500`).call("ping").catch((reason: unknown) => reason);
    assert.ok(error instanceof RpcError);
    assert.equal(error.code, -32603);
    const parse = await createClient(`${base}/rpc400null`).call("ping").catch((reason: unknown) => reason);
    assert.ok(parse instanceof RpcError);
    assert.equal(parse.code, -32700);
    // A notification the server could not read says so too.
    await assert.rejects(createClient(`${base}/rpc400null`).notify("ping"), RpcError);
  });

  it("a body that is not JSON: bad-response", async () => {
    const error = await transportError(createClient(`${base}/text200`).call("ping"), "bad-response");
    assert.equal(error.status, 200);
    assert.match(error.message, /not JSON/);
  });

  it("JSON that is not the answer to the call: bad-response", async () => {
    await transportError(createClient(`${base}/other-id`).call("ping"), "bad-response");
    await transportError(createClient(`${base}/no-member`).call("ping"), "bad-response");
    await transportError(createClient(`${base}/bad-error`).call("ping"), "bad-response");
  });

  it("a slow server with a timeout: timeout, from the client or per call", async () => {
    const error = await transportError(createClient(`${base}/slow`, { timeout: 50 }).call("ping"), "timeout");
    assert.match(error.message, /within 50 ms/);
    assert.equal(error.url, `${base}/slow`);
    await transportError(createClient(`${base}/slow`).call("ping", [], { timeout: 50 }), "timeout");
    // The per-call timeout wins over the client's.
    await transportError(createClient(`${base}/slow`, { timeout: 60_000 }).call("ping", [], { timeout: 50 }), "timeout");
    // A body that stops halfway is covered too.
    await transportError(createClient(`${base}/slow-body`, { timeout: 50 }).call("ping"), "timeout");
  });

  it("an aborted call: aborted, with the signal's reason as cause", async () => {
    const controller = new AbortController();
    const pending = createClient(`${base}/slow`).call("ping", [], { signal: controller.signal });
    const reason = new Error("caller left");
    setTimeout(() => controller.abort(reason), 20);
    const error = await transportError(pending, "aborted");
    assert.equal(error.cause, reason);
    await transportError(createClient(`${base}/slow`).call("ping", [], { signal: AbortSignal.abort() }), "aborted");
    // With both a signal and a timeout, whichever comes first decides.
    const both = new AbortController();
    await transportError(createClient(`${base}/slow`, { timeout: 50 }).call("ping", [], { signal: both.signal }), "timeout");
    await transportError(createClient(`${base}/slow`).batch((b) => [b.call("ping")], { signal: AbortSignal.abort() }), "aborted");
  });

  it("a custom fetch is used, unbound, and its failures become TransportErrors", async () => {
    const seen: string[] = [];
    const client = createClient(`${base}/other-id`, {
      fetch: function (this: unknown, url, init) {
        seen.push(`${String(this)} ${url} ${new Headers(init.headers).get("x-extra") ?? ""}`);
        return fetch(url, init);
      },
      headers: [["x-extra", "1"]],
    });
    await transportError(client.call("ping"), "bad-response");
    assert.deepEqual(seen, [`undefined ${base}/other-id 1`]);
    const failing = createClient(`${base}/other-id`, { fetch: () => Promise.reject(new TypeError("no network here")) });
    const error = await transportError(failing.call("ping"), "network");
    assert.match(error.message, /no network here/);
  });

  it("params that JSON cannot carry reject with a TypeError before sending", async () => {
    await assert.rejects(createClient(`${base}/other-id`).call("ping", [1n]), TypeError);
  });
});

describe("what the client refuses to do or to read", () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });
  /** A raw node:http server answering every request with `answer`. */
  async function rawServer(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
    const server = createServer(answer);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("a redirect is not followed: the token and the body are not sent on, and the error names the target", async () => {
    const seen: string[] = [];
    const other = await rawServer((request, response) => {
      seen.push(`${request.method ?? "?"} ${String(request.headers["x-api-token"] ?? "-")}`);
      response.writeHead(200, { "content-type": "application/json" }).end('{"jsonrpc":"2.0","result":"stolen","id":1}');
    });
    for (const status of [302, 307, 308]) {
      const base = await rawServer((_request, response) => {
        response.writeHead(status, { location: `${other}/api` }).end();
      });
      const client = createClient(`${base}/api`, { token: "secret-token" });
      await assert.rejects(client.call("say_hello", ["x"]), (error: unknown) =>
        error instanceof TransportError && error.kind === "http" && error.status === status && error.message.includes(`${other}/api`));
    }
    assert.deepEqual(seen, [], "nothing reached the redirect's target");
  });

  it("an answer larger than maxResponseBytes is refused while it streams, declared or not", async () => {
    /** Answers each call with a 5,000-character result, under its own id. */
    const answering = (write: (response: ServerResponse, big: string) => void) => (request: IncomingMessage, response: ServerResponse): void => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const { id } = JSON.parse(body) as { id: number };
        write(response, JSON.stringify({ jsonrpc: "2.0", result: "x".repeat(5_000), id }));
      });
    };
    const declared = await rawServer(answering((response, big) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(big.length) }).end(big);
    }));
    const chunked = await rawServer(answering((response, big) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write(big.slice(0, 3_000));
      response.end(big.slice(3_000));
    }));
    for (const base of [declared, chunked]) {
      const small = createClient(`${base}/api`, { maxResponseBytes: 4_096 });
      await assert.rejects(small.call("anything"), (error: unknown) =>
        error instanceof TransportError && error.kind === "bad-response" && /larger than 4096 bytes/.test(error.message));
      assert.equal(await createClient(`${base}/api`).call("anything"), "x".repeat(5_000), "the default limit (16 MiB) reads it");
    }
  });

  it("a 404 from a URL without the service's path says where services answer", async () => {
    const base = await rawServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
    });
    await assert.rejects(createClient(base).call("x"), /HTTP 404 .*\/api by default/);
    await assert.rejects(createClient(`${base}/api`).call("x"), (error: unknown) => error instanceof Error && !/by default/.test(error.message));
  });
});

describe("connect() to a service that is not up yet", () => {
  it("with wait, asks again with back-off until the service answers; without, fails at once", async () => {
    const { createServer: createNetServer } = await import("node:net");
    // A free port, then nothing listening on it.
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/api`;
    await assert.rejects(connect(url), (error: unknown) => error instanceof TransportError && error.kind === "network");
    const { Service, serve } = await import("../mod.ts");
    const service = new Service({ name: "late.service" }).publicMethod("ping", () => "pong");
    let server: { close(): Promise<void> } | undefined;
    // The service comes up a little later; connect() is already waiting for it.
    const starting = new Promise<void>((resolve) => setTimeout(() => {
      void serve(service, { port }).then((started) => {
        server = started;
        resolve();
      });
    }, 300));
    const remote = await connect<typeof service>(url, { wait: 10_000 });
    assert.equal(remote.name, "late.service");
    assert.equal(await remote.methods.ping(), "pong");
    await starting;
    await server?.close();
    // A service that answers but refuses is not waited for: that is no startup.
    await assert.rejects(connect("http://127.0.0.1:1/api", { wait: 200 }), TransportError);
  });
});
