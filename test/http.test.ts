// The fetch handler: routing, HTTP methods, content types, body limits and response headers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, Service } from "../mod.ts";
import { answerOtherPath, internalServerError, type OtherPaths, pathOf } from "../src/http/handler.ts";
import { isJsonMediaType } from "../src/http/rpc_endpoint.ts";
import { BodyChunks, BodyEncodingError, BodyTimeoutError, BodyTooLargeError } from "../src/http/read_body.ts";
import { readBodyText } from "./helpers.ts";
import { calculatorService, post } from "./helpers.ts";

const body = '{"jsonrpc":"2.0","method":"get_data","id":1}';

describe("routing", () => {
  const service = calculatorService();

  test("POST /api answers JSON-RPC as application/json with nosniff", async () => {
    const answer = await post(service, body);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("content-type"), "application/json");
    assert.equal(answer.headers.get("x-content-type-options"), "nosniff");
    assert.deepEqual(answer.json, { jsonrpc: "2.0", result: ["hello", 5], id: 1 });
  });

  test("a query string does not change the route", async () => {
    assert.equal((await post(service, body, { "content-type": "application/json" }, "/api?trace=1")).status, 200);
  });

  test("an unknown path is 404", async () => {
    assert.equal((await post(service, body, {}, "/apis")).status, 404);
    assert.equal((await service.fetch(new Request("http://localhost/"))).status, 404);
    assert.equal((await service.fetch(new Request("http://localhost"))).status, 404);
  });

  for (const method of ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]) {
    test(`${method} /api is 405 with Allow: POST`, async () => {
      const response = await service.fetch(new Request("http://localhost/api", { method }));
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "POST");
      assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
      if (method !== "HEAD") assert.equal(await response.text(), "Method Not Allowed: use POST");
    });
  }

  test("the path is configurable", async () => {
    const moved = new Service({ name: "s", path: "/rpc/v1" }).publicMethod("ping", () => "pong");
    const ping = '{"jsonrpc":"2.0","method":"ping","id":1}';
    assert.equal((await post(moved, ping, { "content-type": "application/json" }, "/rpc/v1")).status, 200);
    assert.equal((await post(moved, ping, { "content-type": "application/json" }, "/api")).status, 404);
  });

  test("fetch is bound, so it can be passed around alone", async () => {
    const { fetch } = service;
    const response = await fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json" }, body }));
    assert.equal(response.status, 200);
  });
});

describe("content types", () => {
  const service = calculatorService();
  for (const type of ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/json-rpc+json"]) {
    test(`${type} is accepted`, async () => {
      assert.equal((await post(service, body, { "content-type": type })).status, 200);
    });
  }

  test("no content type is accepted", async () => {
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", body: new TextEncoder().encode(body) }));
    assert.equal(response.status, 200);
  });

  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json+xml"]) {
    test(`${type} is 415 with a JSON-RPC error that says what is expected`, async () => {
      const answer = await post(service, body, { "content-type": type });
      assert.equal(answer.status, 415);
      assert.equal(answer.headers.get("content-type"), "application/json");
      assert.deepEqual(answer.json, {
        jsonrpc: "2.0",
        error: { code: ErrorCode.InvalidRequest, message: "Unsupported Content-Type: send application/json" },
        id: null,
      });
    });
  }

  test("isJsonMediaType", () => {
    assert.equal(isJsonMediaType(" application/json ;charset=utf-8"), true);
    assert.equal(isJsonMediaType("application/problem+json"), true);
    assert.equal(isJsonMediaType("text/plain+json"), false);
    assert.equal(isJsonMediaType("application/jsonx"), false);
    // The body is read as UTF-8: another declared charset is refused rather than misread.
    assert.equal(isJsonMediaType('application/json; charset="UTF-8"'), true);
    assert.equal(isJsonMediaType("application/json; charset=utf-16"), false);
    assert.equal(isJsonMediaType("application/json; boundary=x; charset=latin1"), false);
  });
});

describe("bodies", () => {
  const small = new Service({ name: "s", limits: { maxBodyBytes: 64 } }).publicMethod("echo", (value: unknown) => value);

  test("a body over the limit with a Content-Length is 413 with a JSON-RPC error", async () => {
    const answer = await post(small, JSON.stringify({ jsonrpc: "2.0", method: "echo", params: ["x".repeat(100)], id: 1 }));
    assert.equal(answer.status, 413);
    assert.deepEqual(answer.json, {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: The request body exceeds 64 bytes" },
      id: null,
    });
  });

  test("a streamed body over the limit is refused while it streams, without reading it all", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new Uint8Array(32).fill(32));
      },
    });
    const response = await small.fetch(
      new Request("http://localhost/api", { method: "POST", body: stream, duplex: "half" } as RequestInit),
    );
    assert.equal(response.status, 413);
    assert.ok(pulled < 10, `read ${pulled} chunks`);
  });

  test("a streamed body over the limit is cancelled, so its source stops sending", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(32).fill(32));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await small.fetch(new Request("http://localhost/api", { method: "POST", body: stream, duplex: "half" } as RequestInit));
    assert.equal(response.status, 413);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(cancelled, true);
  });

  for (const length of ["-1", "1.5"]) {
    test(`a streamed body declaring an unusable length (${length}) is still refused while it streams`, async () => {
      let pulled = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          if (pulled > 1000) controller.close();
          else controller.enqueue(new Uint8Array(32).fill(32));
        },
      });
      const request = new Request("http://localhost/api", { method: "POST", headers: { "content-length": length }, body: stream, duplex: "half" } as RequestInit);
      assert.equal((await small.fetch(request)).status, 413);
      assert.ok(pulled < 10, `read ${pulled} chunks`);
    });
  }

  test("a POST with no body, or an empty stream, reads as an empty text", async () => {
    assert.equal(await readBodyText(new Request("http://localhost/", { method: "POST" }), 64), "");
    const empty = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.close();
      },
    });
    assert.equal(await readBodyText(new Request("http://localhost/", { method: "POST", body: empty, duplex: "half" } as RequestInit), 64), "");
  });

  test("BodyChunks: nothing added is no bytes; one chunk is given back as it came", () => {
    assert.equal(new BodyChunks(8).bytes().byteLength, 0);
    const chunks = new BodyChunks(8);
    const chunk = new TextEncoder().encode("{}");
    chunks.add(chunk);
    assert.equal(chunks.bytes(), chunk);
  });

  test("the body errors say what was wrong and carry their limit", () => {
    assert.equal(new BodyTooLargeError(64).limit, 64);
    assert.equal(new BodyTimeoutError(10).timeout, 10);
    assert.equal(new BodyTooLargeError(64).message, "The request body exceeds 64 bytes");
    assert.equal(new BodyEncodingError().message, "The request body is not valid UTF-8");
    assert.equal(new BodyTimeoutError(10).message, "The request body did not arrive within 10 ms");
  });

  test("a body exactly at the limit is read", async () => {
    const frame = '{"jsonrpc":"2.0","method":"echo","params":[""],"id":1}';
    const exact = frame.replace('""', `"${"x".repeat(64 - frame.length)}"`);
    assert.equal(new TextEncoder().encode(exact).byteLength, 64);
    assert.equal((await post(small, exact)).status, 200);
    // Declared in a Content-Length too (the whole-body read), as every HTTP/1.1 client sends it.
    assert.equal((await post(small, exact, { "content-type": "application/json", "content-length": "64" })).status, 200);
    assert.equal((await post(small, `${exact} `, { "content-type": "application/json", "content-length": "65" })).status, 413);
  });

  test("a body that is not UTF-8 is a parse error", async () => {
    const response = await small.fetch(new Request("http://localhost/api", { method: "POST", body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }));
    assert.equal(response.status, 200);
    const answer = await response.json() as { error: { code: number; message: string } };
    assert.equal(answer.error.code, ErrorCode.ParseError);
    assert.match(answer.error.message, /UTF-8/);
  });

  test("multi-byte characters split across chunks are decoded", async () => {
    const bytes = new TextEncoder().encode('{"jsonrpc":"2.0","method":"echo","params":["héllo ✓"],"id":1}');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const text = await readBodyText(new Request("http://localhost/", { method: "POST", body: stream, duplex: "half" } as RequestInit), 1024);
    assert.equal(text, new TextDecoder().decode(bytes));
  });

  test("a body that fails while streaming is answered 400", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("connection reset"));
      },
    });
    const response = await small.fetch(new Request("http://localhost/api", { method: "POST", body: stream, duplex: "half" } as RequestInit));
    assert.equal(response.status, 400);
  });

  test("notifications only answer 204 with no body", async () => {
    const answer = await post(small, '{"jsonrpc":"2.0","method":"echo","params":[1]}');
    assert.equal(answer.status, 204);
    assert.equal(answer.text, "");
  });
});

describe("caller-chosen text in error reports", () => {
  test("a plugin failing on a 10,000-character path is reported with the path clipped; a batch entry's long method too", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) })
      .use({ name: "fails", fetch: () => {
        throw new Error("down");
      } });
    const path = `/${"p".repeat(10_000)}`;
    assert.equal((await service.fetch(new Request(`http://localhost${path}`))).status, 500);
    assert.equal(reported.length, 1);
    assert.ok(reported[0]!.length < 260, `${reported[0]!.length} characters`);
    assert.equal(reported[0], `fails (GET /${"p".repeat(199)})`);
    // An entry whose dispatch throws (hostile params in process) is reported under its method
    // name as the caller gave it: clipped too.
    const hostile = new Proxy({}, { ownKeys: () => {
      throw new Error("no keys");
    } });
    await service.handle({ jsonrpc: "2.0", method: "m".repeat(10_000), params: hostile, id: 1 });
    assert.equal(reported.length, 2);
    assert.equal(reported[1], "m".repeat(100));
  });
});

describe("other paths", () => {
  const noHooks = { intercept: undefined, headers: undefined };
  const hello = { name: "hello", fetch: (_request: Request, path: string) => path === "/hello" ? new Response("hi") : undefined };
  const others = (parts: Partial<OtherPaths>, reported: string[] = []): OtherPaths => ({
    hooks: noHooks,
    fetchers: [],
    report: (_error, where) => reported.push(where),
    ...parts,
  });
  const get = (path: string): Request => new Request(`http://localhost${path}`);

  test("a plugin's fetch answers its path; a path nobody answers is a plain 404, nobody reported", async () => {
    const reported: string[] = [];
    const only = others({ fetchers: [hello] }, reported);
    assert.equal(await (await answerOtherPath(only, get("/hello"), "/hello")).text(), "hi");
    const missing = await answerOtherPath(only, get("/nope"), "/nope");
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "Not Found");
    assert.deepEqual(reported, []);
  });

  test("the first plugin that answers wins", async () => {
    const second = { name: "second", fetch: () => new Response("second") };
    assert.equal(await (await answerOtherPath(others({ fetchers: [hello, second] }), get("/hello"), "/hello")).text(), "hi");
    assert.equal(await (await answerOtherPath(others({ fetchers: [hello, second] }), get("/x"), "/x")).text(), "second");
  });

  test("with no fetcher, a plugin's early answer or added headers still apply", async () => {
    const early = others({ hooks: { intercept: () => ({ status: 418, headers: {}, body: "teapot" }), headers: undefined } });
    const answered = await answerOtherPath(early, get("/x"), "/x");
    assert.equal(answered.status, 418);
    assert.equal(await answered.text(), "teapot");
    const headed = others({ hooks: { intercept: undefined, headers: () => ({ "x-served-by": "s" }) } });
    const missing = await answerOtherPath(headed, get("/x"), "/x");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-served-by"), "s");
  });

  test("the plugins' headers: vary appended, others replaced, on a fetched response and on one with immutable headers", async () => {
    const headers = () => ({ vary: "Origin", "x-a": "2" });
    const own = { name: "own", fetch: () => new Response("hi", { headers: { vary: "Accept", "x-a": "1" } }) };
    const response = await answerOtherPath(others({ hooks: { intercept: undefined, headers }, fetchers: [own] }), get("/x"), "/x");
    assert.equal(response.headers.get("vary"), "Accept, Origin");
    assert.equal(response.headers.get("x-a"), "2");
    const redirect = { name: "redirect", fetch: () => Response.redirect("http://localhost/elsewhere", 302) };
    const moved = await answerOtherPath(others({ hooks: { intercept: undefined, headers }, fetchers: [redirect] }), get("/x"), "/x");
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.get("location"), "http://localhost/elsewhere");
    assert.equal(moved.headers.get("x-a"), "2");
    assert.equal(moved.headers.get("vary"), "Origin");
  });

  test("the plain 500 says nothing more than Internal Server Error", async () => {
    const response = internalServerError();
    assert.equal(response.status, 500);
    assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(await response.text(), "Internal Server Error");
  });

  test("pathOf: an empty host, no path, a query or a fragment", () => {
    assert.equal(pathOf("file:///api"), "/api");
    assert.equal(pathOf("http://localhost"), "/");
    assert.equal(pathOf("http://localhost/api?x=1"), "/api");
    assert.equal(pathOf("http://localhost/api#top"), "/api");
    assert.equal(pathOf("/api#top"), "/api");
  });
});
