// CORS: off by default; with an allow-list, preflights are answered and answers to allowed origins
// carry Access-Control-Allow-Origin and Vary: Origin, on the JSON-RPC path (through fetch and
// through the Node adapter's direct route, alike) and on routes, static folders and health.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Service } from "../mod.ts";
import { serveNode } from "../src/adapters/node.ts";
import { nodeFileAccess } from "../src/adapters/node_files.ts";
import { cors as corsPlugin, type CorsOptions } from "../src/plugins/cors.ts";
import { health } from "../src/plugins/health.ts";
import { routes } from "../src/plugins/routes/routes.ts";
import { staticFiles } from "../src/plugins/static/static.ts";

const APP = "https://app.example.com";
const EVIL = "https://evil.example";
const CALL = '{"jsonrpc":"2.0","method":"ping","id":1}';

function corsService(cors: CorsOptions = { origins: [APP] }, apiTokenHeader?: string): Service {
  return new Service({ name: "cors.service", ...(apiTokenHeader === undefined ? {} : { apiTokenHeader }) })
    .use(corsPlugin(cors))
    .use(health())
    .use(routes()
      .route("PUT", "/items/:id", () => new Response(null, { status: 204 }))
      .route("GET", "/elsewhere", () => Response.redirect("https://example.com/", 302)))
    .use(staticFiles({ "/static/": "./examples/public" }, { files: nodeFileAccess }))
    .publicMethod("ping", () => "pong");
}

const preflight = (path: string, origin = APP, method = "POST"): Request =>
  new Request(`http://localhost${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "content-type, x-api-token" },
  });

const rpcCall = (headers: Record<string, string>, contentType = "application/json"): Request =>
  new Request("http://localhost/api", { method: "POST", headers: { "content-type": contentType, ...headers }, body: CALL });

/** The CORS-related headers of a response, as a plain object. */
function corsHeaders(response: Response): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of response.headers) if (name.startsWith("access-control-") || name === "vary") picked[name] = value;
  return picked;
}

describe("CORS off (the default)", () => {
  const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");

  test("no CORS headers, and a preflight to /api is 405", async () => {
    const response = await service.fetch(rpcCall({ origin: APP }));
    assert.equal(response.status, 200);
    assert.deepEqual(corsHeaders(response), {});
    assert.equal((await service.fetch(preflight("/api"))).status, 405);
  });
});

describe("CORS on the JSON-RPC path", () => {
  const service = corsService();

  test("a preflight from an allowed origin: 204 with the method and the headers a caller needs", async () => {
    const response = await service.fetch(preflight("/api"));
    assert.equal(response.status, 204);
    assert.deepEqual(corsHeaders(response), {
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "POST",
      "access-control-allow-headers": "Content-Type, Authorization, X-Api-Token",
      "access-control-max-age": "600",
      vary: "Origin",
    });
  });

  test("the service's own token header is allowed", async () => {
    const response = await corsService({ origins: [APP] }, "X-Service-Key").fetch(preflight("/api"));
    assert.equal(response.headers.get("access-control-allow-headers"), "Content-Type, Authorization, X-Service-Key");
  });

  test("a preflight from another origin gets no permission", async () => {
    const response = await service.fetch(preflight("/api", EVIL));
    assert.equal(response.status, 204);
    assert.deepEqual(corsHeaders(response), { vary: "Origin" });
  });

  test("a call from an allowed origin carries the headers; from another, none", async () => {
    const allowed = await service.fetch(rpcCall({ origin: APP }));
    assert.deepEqual(await allowed.json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.deepEqual(corsHeaders(allowed), { "access-control-allow-origin": APP, vary: "Origin" });
    const other = await service.fetch(rpcCall({ origin: EVIL }));
    assert.equal(other.status, 200);
    assert.deepEqual(corsHeaders(other), { vary: "Origin" });
    const none = await service.fetch(rpcCall({}));
    assert.deepEqual(corsHeaders(none), {}, "no Origin, no CORS work");
  });

  test("error answers carry them too, so the page can read them", async () => {
    const refused = await service.fetch(rpcCall({ origin: APP }, "text/plain"));
    assert.equal(refused.status, 415);
    assert.equal(refused.headers.get("access-control-allow-origin"), APP);
    const get = await service.fetch(new Request("http://localhost/api", { headers: { origin: APP } }));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("access-control-allow-origin"), APP);
  });

  test("an OPTIONS that is not a preflight is still a 405", async () => {
    const response = await service.fetch(new Request("http://localhost/api", { method: "OPTIONS", headers: { origin: APP } }));
    assert.equal(response.status, 405);
  });
});

describe("CORS on the other paths", () => {
  const service = corsService();

  test("a preflight lists the methods of the path", async () => {
    assert.equal((await service.fetch(preflight("/items/1", APP, "PUT"))).headers.get("access-control-allow-methods"), "PUT");
    assert.equal((await service.fetch(preflight("/static/style.css", APP, "GET"))).headers.get("access-control-allow-methods"), "GET, HEAD");
    assert.equal((await service.fetch(preflight("/health", APP, "GET"))).headers.get("access-control-allow-methods"), "GET, HEAD");
    assert.equal((await service.fetch(preflight("/nothing", APP, "GET"))).status, 404);
  });

  test("routes, static files and health carry the headers; Vary: Origin even without an Origin", async () => {
    await service.startup(); // health answers 200 once started
    for (const path of ["/static/style.css", "/health"]) {
      const response = await service.fetch(new Request(`http://localhost${path}`, { headers: { origin: APP } }));
      assert.equal(response.status, 200, path);
      assert.deepEqual(corsHeaders(response), { "access-control-allow-origin": APP, vary: "Origin" }, path);
      await response.body?.cancel();
      const plain = await service.fetch(new Request(`http://localhost${path}`));
      assert.deepEqual(corsHeaders(plain), { vary: "Origin" }, path);
      await plain.body?.cancel();
    }
    const put = await service.fetch(new Request("http://localhost/items/9", { method: "PUT", headers: { origin: APP } }));
    assert.equal(put.status, 204);
    assert.equal(put.headers.get("access-control-allow-origin"), APP);
  });

  test("a response with immutable headers (Response.redirect) gets them too", async () => {
    const response = await service.fetch(new Request("http://localhost/elsewhere", { headers: { origin: APP } }));
    assert.equal(response.status, 302);
    assert.equal(response.headers.get("location"), "https://example.com/");
    assert.equal(response.headers.get("access-control-allow-origin"), APP);
  });
});

describe("CORS settings", () => {
  test('"*" allows any origin without echoing it', async () => {
    const response = await corsService({ origins: "*" }).fetch(rpcCall({ origin: EVIL }));
    assert.deepEqual(corsHeaders(response), { "access-control-allow-origin": "*" });
  });

  test('"*" with credentials echoes the origin (the standard forbids * then)', async () => {
    const response = await corsService({ origins: "*", credentials: true }).fetch(rpcCall({ origin: EVIL }));
    assert.deepEqual(corsHeaders(response), {
      "access-control-allow-origin": EVIL,
      "access-control-allow-credentials": "true",
      vary: "Origin",
    });
  });

  test("a function decides, and only a real true allows", async () => {
    const service = corsService({ origins: (origin) => origin.endsWith(".example.com") });
    assert.equal((await service.fetch(rpcCall({ origin: APP }))).headers.get("access-control-allow-origin"), APP);
    assert.equal((await service.fetch(rpcCall({ origin: EVIL }))).headers.get("access-control-allow-origin"), null);
    const truthy = corsService({ origins: (() => "yes") as never });
    assert.equal((await truthy.fetch(rpcCall({ origin: EVIL }))).headers.get("access-control-allow-origin"), null);
  });

  test("origins are normalised; extra headers, exposed headers and max age are settable", async () => {
    const service = corsService({
      origins: ["HTTPS://App.Example.com:443/"],
      allowHeaders: ["X-Trace"],
      exposeHeaders: ["X-Request-Id"],
      maxAge: 60,
    });
    const response = await service.fetch(preflight("/api"));
    assert.equal(response.headers.get("access-control-allow-origin"), APP);
    assert.equal(response.headers.get("access-control-allow-headers"), "Content-Type, Authorization, X-Api-Token, X-Trace");
    assert.equal(response.headers.get("access-control-max-age"), "60");
    assert.equal((await service.fetch(rpcCall({ origin: APP }))).headers.get("access-control-expose-headers"), "X-Request-Id");
  });

  test('"null" is allowed only when listed', async () => {
    assert.equal((await corsService().fetch(rpcCall({ origin: "null" }))).headers.get("access-control-allow-origin"), null);
    assert.equal((await corsService({ origins: ["null"] }).fetch(rpcCall({ origin: "null" }))).headers.get("access-control-allow-origin"), "null");
  });

  test("bad settings are refused, saying what is expected", () => {
    assert.throws(() => corsService({} as CorsOptions), { name: "TypeError", message: 'cors.origins must be a list of origins, "*" or a function' });
    assert.throws(() => corsService({ origins: ["not an origin"] }), { name: "TypeError", message: "Not an origin: not an origin (write it as https://host:port)" });
    assert.throws(() => corsService({ origins: ["file:///tmp"] }), TypeError);
  });

  test("several exposed headers are listed comma-separated", async () => {
    const service = corsService({ origins: [APP], exposeHeaders: ["X-Request-Id", "X-Trace"] });
    assert.equal((await service.fetch(rpcCall({ origin: APP }))).headers.get("access-control-expose-headers"), "X-Request-Id, X-Trace");
  });

  test('a preflight answered for "*" still varies by Origin (another origin may get another answer later)', async () => {
    const response = await corsService({ origins: "*" }).fetch(preflight("/api", EVIL));
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(response.headers.get("vary"), "Origin");
  });
});

describe("the Node adapter's direct route answers CORS as fetch does", () => {
  test("preflight, allowed call, other origin, no origin", async () => {
    const service = corsService();
    const server = await serveNode(service, { port: 0 });
    after(() => server.close());
    const cases: [string, RequestInit][] = [
      ["preflight", { method: "OPTIONS", headers: { origin: APP, "access-control-request-method": "POST" } }],
      ["allowed", { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: CALL }],
      ["other", { method: "POST", headers: { origin: EVIL, "content-type": "application/json" }, body: CALL }],
      ["none", { method: "POST", headers: { "content-type": "application/json" }, body: CALL }],
    ];
    for (const [name, init] of cases) {
      const overSocket = await fetch(`${server.url}/api`, init);
      const inProcess = await service.fetch(new Request("http://localhost/api", init));
      assert.equal(overSocket.status, inProcess.status, name);
      assert.deepEqual(corsHeaders(overSocket), corsHeaders(inProcess), name);
      assert.equal(await overSocket.text(), await inProcess.text(), name);
    }
  });
});
