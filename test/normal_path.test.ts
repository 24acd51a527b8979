// One path rule: a path is read as the URL standard has it, also when the runtime (Deno) hands it
// over as it was sent. (The same requests on the wire of all three runtimes: test/runtime/parity.test.ts.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { needsNormalising, normalisedRequest } from "../src/http/normal_path.ts";
import { routes } from "../src/plugins/routes/routes.ts";

/** A request as Deno makes one: its URL exactly as sent (a `Request` built here would normalise it). */
function sentAsIs(url: string, init: RequestInit = {}): Request {
  const request = new Request("http://localhost/placeholder", init);
  return new Proxy(request, {
    get: (target, name) => (name === "url" ? url : (Reflect.get(target, name, target) as unknown)),
  });
}

describe("normal paths", () => {
  test("what the URL standard would change is found, and nothing else", () => {
    for (const path of ["/api/../api", "/./api", "/a/.", "/a/..", "/hello/%2e%2e", "/hello/%2E", "/x/.%2e/y", "/a\\b", "/a b", "/a/{x}", "/é"]) {
      assert.equal(needsNormalising(path), true, path);
    }
    for (const path of ["/api", "/static/style.css", "/a/.env", "/a/..x", "/a/%2e%2ex", "/a%2f..%2fb", "//evil.com/x", "/"]) {
      assert.equal(needsNormalising(path), false, path);
    }
  });

  test("a request is rebuilt only when its path changes", () => {
    const plain = new Request("http://localhost/api");
    assert.equal(normalisedRequest(plain, "/api").request, plain);
    const { request, path } = normalisedRequest(sentAsIs("http://localhost/a/%2e%2e/b?x=/../"), "/a/%2e%2e/b");
    assert.equal(path, "/b");
    assert.equal(request.url, "http://localhost/b?x=/../");
  });

  test("a service answers a path sent as it is as the URL standard has it", async () => {
    const service = new Service({ name: "s" })
      .use(routes().route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}`)).route("GET", "/", () => new Response("root")))
      .publicMethod("echo", (text: string) => text);
    const api = await service.fetch(sentAsIs("http://localhost/x/../api", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","method":"echo","params":["through"],"id":1}',
    }));
    assert.deepEqual(await api.json(), { jsonrpc: "2.0", result: "through", id: 1 });
    assert.equal(await (await service.fetch(sentAsIs("http://localhost/hello/%2e%2e"))).text(), "root");
    assert.equal(await (await service.fetch(sentAsIs("http://localhost/hello/x"))).text(), "hello x");
  });
});
