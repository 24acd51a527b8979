// Extra HTTP routes: the routes() plugin, `.route(method, pattern, handler)`, through service.fetch with real
// Requests: params, decoding, HEAD, 405 with Allow, order, errors, and where routes sit among the
// other paths.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { decodeSegment, Router } from "../src/plugins/routes/router.ts";
import { routes } from "../src/plugins/routes/routes.ts";
import { cors } from "../src/plugins/cors.ts";
import { health } from "../src/plugins/health.ts";
import { staticFiles } from "../src/plugins/static/static.ts";
import { post } from "./helpers.ts";

const get = (service: { fetch(request: Request): Promise<Response> }, path: string, init: RequestInit = {}): Promise<Response> =>
  service.fetch(new Request(`http://localhost${path}`, init));

describe("routes", () => {
  const service = new Service({ name: "routes.service" })
    .publicMethod("ping", () => "pong")
    .use(routes()
    .route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}`))
    .route("GET", "/users/me", () => new Response("me"))
    .route("GET", "/users/:id", (_request, ctx) => Response.json({ id: ctx.params.id }))
    .route("POST", "/users/:id", async (request, ctx) => Response.json({ id: ctx.params.id, body: await request.text() }, { status: 201 }))
    .route("get", "/a/:x/b/:y", (_request, ctx) => Response.json(ctx.params))
    .route("GET", "/who", (_request, ctx) => new Response(ctx.service.name))
    .route("GET", "/keys/:__proto__", (_request, ctx) => Response.json(Object.keys(ctx.params))));

  test("a route answers, with its params", async () => {
    const response = await get(service, "/hello/world");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "hello world");
    assert.deepEqual(await (await get(service, "/a/1/b/two")).json(), { x: "1", y: "two" });
  });

  test("params are decoded once, safely", async () => {
    assert.equal(await (await get(service, "/hello/w%C3%B6rld%20%2F%20x")).text(), "hello wörld / x");
    assert.equal(await (await get(service, "/hello/%252e")).text(), "hello %2e", "decoded once, not twice");
    // A malformed escape matches no route: 404, not a crash.
    assert.equal((await get(service, "/hello/%E0%A4%A")).status, 404);
    assert.equal((await get(service, "/hello/%zz")).status, 404);
  });

  test("the handler sees the service, and a param named __proto__ is just a name", async () => {
    assert.equal(await (await get(service, "/who")).text(), "routes.service");
    assert.deepEqual(await (await get(service, "/keys/x")).json(), ["__proto__"]);
  });

  test("segments match exactly: no trailing slash folding, no empty param, no extra segment", async () => {
    for (const path of ["/hello/world/", "/hello/", "/hello", "/hello/a/b", "/Hello/world", "//hello/world"]) {
      assert.equal((await get(service, path)).status, 404, path);
    }
  });

  test("a query string does not change the route", async () => {
    assert.equal(await (await get(service, "/hello/you?x=1#frag")).text(), "hello you");
  });

  test("routes are tried in the order they were added", async () => {
    assert.equal(await (await get(service, "/users/me")).text(), "me");
    assert.deepEqual(await (await get(service, "/users/42")).json(), { id: "42" });
  });

  test("another method on the same pattern has its own handler", async () => {
    const response = await get(service, "/users/7", { method: "POST", body: "data" });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { id: "7", body: "data" });
  });

  test("HEAD falls back to GET, without the body", async () => {
    const response = await get(service, "/hello/world", { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(await response.text(), "");
  });

  test("HEAD cancels the GET route's body stream (its source stops)", async () => {
    let cancelled: unknown = "not cancelled";
    const streaming = new Service({ name: "s" }).use(routes().route("GET", "/stream", () => new Response(new ReadableStream({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("chunk")),
      cancel: (reason) => {
        cancelled = reason;
      },
    }))));
    const response = await get(streaming, "/stream", { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.body, null);
    assert.equal(cancelled, undefined, "the stream's cancel ran");
  });

  test("an explicit HEAD route wins over the GET fallback", async () => {
    const headed = new Service({ name: "s" }).use(routes()
      .route("GET", "/x", () => new Response("get"))
      .route("HEAD", "/x", () => new Response(null, { headers: { "x-head": "yes" } })));
    assert.equal((await get(headed, "/x", { method: "HEAD" })).headers.get("x-head"), "yes");
  });

  test("a path routed only for other methods is 405 with Allow", async () => {
    const response = await get(service, "/users/7", { method: "DELETE" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, POST, HEAD");
    assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(await response.text(), "Method Not Allowed");
    const helloPut = await get(service, "/hello/x", { method: "PUT", body: "" });
    assert.equal(helloPut.status, 405);
    assert.equal(helloPut.headers.get("allow"), "GET, HEAD");
  });

  test("a CORS preflight for a routed path names the path's methods", async () => {
    const withCors = new Service({ name: "s" }).use(cors({ origins: "*" })).use(routes()
      .route("GET", "/users/:id", () => new Response("get"))
      .route("POST", "/users/:id", () => new Response("post")));
    const preflight = await withCors.fetch(new Request("http://localhost/users/7", { method: "OPTIONS", headers: { origin: "https://a.example", "access-control-request-method": "POST" } }));
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET, POST, HEAD");
  });

  test("every HTTP method of RFC 9110, PATCH and QUERY can be routed, in any case", () => {
    const all = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY"];
    const site = routes();
    for (const method of all) site.route(method.toLowerCase(), `/m/${method}`, () => new Response(method));
    const routed = new Service({ name: "s" }).use(site);
    assert.deepEqual(all.map((method) => routed.allowedMethods(`/m/${method}`)), all.map((method) => (method === "GET" ? "GET, HEAD" : method)));
    assert.throws(() => site.route("GTE", "/y", () => new Response()), {
      name: "TypeError",
      message: 'Not an HTTP method: "GTE" (one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, QUERY)',
    });
  });

  test("the JSON-RPC path is untouched", async () => {
    const answer = await post(service, '{"jsonrpc":"2.0","method":"ping","id":1}');
    assert.deepEqual(answer.json, { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.equal((await get(service, "/nothing")).status, 404);
  });
});

describe("route errors", () => {
  test("a handler that throws is a plain 500, reported with the route", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "s", onError: (error, info) => reported.push([(error as Error).message, info.method]) })
      .use(routes().route("GET", "/boom/:id", () => {
        throw new Error("secret detail");
      }));
    const response = await get(service, "/boom/1");
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.equal(text, "Internal Server Error");
    assert.deepEqual(reported, [["secret detail", "GET /boom/:id"]]);
  });

  test("a handler that returns no Response is a 500", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) })
      .use(routes().route("GET", "/nothing", (() => "text") as never));
    assert.equal((await get(service, "/nothing")).status, 500);
    assert.deepEqual(reported, ["GET /nothing"]);
  });

  test("bad registrations are refused", () => {
    const service = routes().route("GET", "/x/:id", () => new Response());
    new Service({ name: "s" }).use(service);
    assert.throws(() => service.route("GET", "x", () => new Response()), TypeError);
    assert.throws(() => service.route("GET", "/x?y", () => new Response()), TypeError);
    assert.throws(() => service.route("GET /", "/y", () => new Response()), TypeError);
    assert.throws(() => service.route("GTE", "/y", () => new Response()), /Not an HTTP method: "GTE" \(one of GET, HEAD/);
    assert.throws(() => service.route("GET", "/y/:1bad", () => new Response()), TypeError);
    assert.throws(() => service.route("GET", "/y/:a/:a", () => new Response()), TypeError);
    assert.throws(() => service.route("GET", "/x/:id", () => new Response()), /already routed/);
    assert.throws(() => service.route("get", "/x/:id", () => new Response()), /already routed/);
    assert.throws(() => service.route("POST", "/api", () => new Response()), /JSON-RPC path/);
    assert.throws(() => service.route("GET", "/z", "nope" as never), TypeError);
  });

  test("params are typed from the pattern", async () => {
    const service = new Service({ name: "s" }).use(routes().route("GET", "/a/:first/b/:second", (_request, ctx) => {
      const both: string = ctx.params.first + ctx.params.second;
      // @ts-expect-error -- not a param of the pattern
      return new Response(`${both} ${String(ctx.params.third)}`);
    }));
    assert.equal(await (await get(service, "/a/x/b/y")).text(), "xy undefined");
  });

  test("a route on the JSON-RPC path is refused when the routes are used", () => {
    assert.throws(() => new Service({ name: "s" }).use(routes().route("GET", "/api", () => new Response())), /JSON-RPC path/);
    assert.throws(() => new Service({ name: "s", path: "/rpc" }).use(routes().route("GET", "/rpc", () => new Response())), /JSON-RPC path/);
  });
});

describe("where routes sit", () => {
  test("plugins answer in the order they were used", async () => {
    const service = new Service({ name: "s" })
      .use(health())
      .use(routes()
        .route("GET", "/health", () => new Response("mine"))
        .route("GET", "/static/style.css", () => new Response("routed")))
      .use(staticFiles({ "/static/": "./examples/public" }));
    assert.equal((await (await get(service, "/health")).json() as { name: string }).name, "s");
    assert.equal(await (await get(service, "/static/style.css")).text(), "routed");
    const reversed = new Service({ name: "s" })
      .use(routes().route("GET", "/health", () => new Response("mine")))
      .use(health());
    assert.equal(await (await get(reversed, "/health")).text(), "mine");
  });
});

describe("Router and decodeSegment", () => {
  test("allowedAt lists the methods of a path", () => {
    const router = new Router();
    router.add("PUT", "/items/:id", () => new Response());
    router.add("GET", "/items/:id", () => new Response());
    assert.equal(router.allowedAt("/items/1"), "PUT, GET, HEAD");
    assert.equal(router.allowedAt("/other"), undefined);
    assert.equal(router.size, 2);
  });

  test("decodeSegment", () => {
    assert.equal(decodeSegment("plain"), "plain");
    assert.equal(decodeSegment("caf%C3%A9"), "café");
    assert.equal(decodeSegment("%"), undefined);
    assert.equal(decodeSegment("%C3"), undefined, "invalid UTF-8");
  });
});
