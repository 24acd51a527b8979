// openapi(): the OpenAPI 3.1 document (validated by @apidevtools/swagger-parser), its plain routes
// over a real loopback server (results, declared errors and the service's own errors with their
// statuses, tokens, limits, middlewares, timeouts), and a client generated from the document by
// openapi-typescript + openapi-fetch that type-checks (tsc on the generated file and a caller) and
// calls every method, with success and declared errors, against the server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { astToString } from "openapi-typescript";
import { z } from "zod";
import { declareErrors, RpcError, serve, type ServerHandle, Service } from "../mod.ts";
import { cors } from "../src/plugins/cors.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { type OpenApiDocument, openapi, openApiOf, statusOf } from "../src/openapi/openapi.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TOKEN = "shop-token"; // a caller with the scope orders:write
const READER = "reader-token"; // a caller with no scope

interface Tree {
  name: string;
  children: Tree[];
}
const TreeSchema: z.ZodType<Tree> = z.object({ name: z.string(), get children() { return z.array(TreeSchema); } });

const orderErrors = declareErrors({
  NOT_FOUND: { code: 1404, message: "No such order", data: z.object({ id: z.string() }), status: 404 },
  OUT_OF_STOCK: { code: 1409, message: "Out of stock", status: 409 },
  BAD_ID: { code: 1400, message: "Order ids are digits" },
});

/** Every call the middleware saw, as `method:code` (`ok` for a result). */
const seen: string[] = [];

function shopService() {
  const apiTokenIsValid = (token: string) => token === TOKEN ? { scopes: ["orders:write"], claims: {} } : token === READER;
  return new Service({ name: "shop", version: "2.1.0", description: "Orders.", apiTokenIsValid, onError: false, limits: { maxBodyBytes: 2_000 } })
    .use(schemas())
    .use(cors({ origins: ["http://localhost:3000"] }))
    .use({ name: "watcher", call: async (call, next) => {
      const summary = await next();
      seen.push(`${call.method}:${summary.code ?? "ok"}`);
      return summary;
    } })
    .use(openapi())
    .publicMethod("get_order", (id: string) => {
      if (!/^\d+$/.test(id)) throw orderErrors.BAD_ID();
      if (id === "0") throw orderErrors.OUT_OF_STOCK();
      if (id !== "1") throw orderErrors.NOT_FOUND({ id });
      return { id, total: 3 };
    }, { errors: orderErrors, idempotent: true, description: "One order." })
    .publicMethod("create_order", ({ item, quantity }) => ({ id: "2", item, quantity }), {
      input: z.object({ item: z.string(), quantity: z.number().int().min(1) }),
      output: z.object({ id: z.string(), item: z.string(), quantity: z.number() }),
    })
    .publicMethod("sum", (...numbers: number[]) => numbers.reduce((total, value) => total + value, 0))
    .publicMethod("area", ({ width, height }: { width: number; height: number }) => width * height)
    .publicMethod("count_nodes", ({ root }) => {
      const count = (tree: Tree): number => 1 + tree.children.reduce((total, child) => total + count(child), 0);
      return count(root);
    }, { input: z.object({ root: TreeSchema }), output: z.number() })
    .publicMethod("ping", () => "pong")
    .publicMethod("nothing", () => {})
    .publicMethod("big", () => 10n)
    .publicMethod("slow", () => new Promise((resolve) => setTimeout(() => resolve("late"), 2_000)), { timeout: 50 })
    .privateMethod("secret", (key: string) => ({ key, value: 42 }))
    .privateMethod("cancel_order", (id: string) => `cancelled ${id}`, { scopes: ["orders:write"] })
    .publicMethod("audit", () => "audited", { scopes: (caller) => caller.scopes.includes("audit") });
}

async function documentOf(service: Service): Promise<OpenApiDocument> {
  const answer = await service.fetch(new Request("http://localhost/openapi.json"));
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get("content-type"), "application/json; charset=utf-8");
  return await answer.json() as OpenApiDocument;
}

type Operation = Record<string, unknown> & {
  responses: Record<string, { description: string; content: { "application/json": { schema: Record<string, unknown> } } }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: Record<string, unknown> } } };
};
const operation = (document: OpenApiDocument, method: string): Operation => document.paths[`/api/${method}`]?.post as Operation;
const bodySchema = (document: OpenApiDocument, method: string) => operation(document, method).requestBody?.content["application/json"].schema;

describe("the OpenAPI document", () => {
  const service = shopService();

  test("is a valid OpenAPI 3.1 document (swagger-parser)", async () => {
    const document = await documentOf(service);
    assert.equal(document.openapi, "3.1.0");
    // validate() dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(document) as never);
    assert.deepEqual(document.info, { title: "shop", version: "2.1.0", description: "Orders." });
  });

  test("one POST {path}/{method} per registered method, named after it; rpc.discover is not one", async () => {
    const document = await documentOf(service);
    assert.deepEqual(Object.keys(document.paths), [
      "/api/get_order", "/api/create_order", "/api/sum", "/api/area", "/api/count_nodes", "/api/ping", "/api/nothing", "/api/big", "/api/slow", "/api/secret", "/api/cancel_order", "/api/audit",
    ]);
    assert.equal(operation(document, "get_order")["operationId"], "get_order");
    assert.equal(operation(document, "get_order")["description"], "One order.");
    assert.equal(operation(document, "get_order")["x-idempotent"], true);
    assert.equal(operation(document, "ping")["x-idempotent"], undefined);
  });

  test("the body is the named params, from the handler or the schema; an array where names are unknown; none without params", async () => {
    const document = await documentOf(service);
    assert.deepEqual(operation(document, "get_order").requestBody, {
      required: true,
      content: { "application/json": { schema: { type: "object", properties: { id: {} }, required: ["id"] } } },
    });
    assert.deepEqual(bodySchema(document, "create_order"), {
      type: "object",
      properties: { item: { type: "string" }, quantity: { type: "integer", minimum: 1, maximum: 9007199254740991 } },
      required: ["item", "quantity"],
    });
    // A rest parameter is a list under its name, and optional.
    assert.deepEqual(operation(document, "sum").requestBody, {
      required: false,
      content: { "application/json": { schema: { type: "object", properties: { numbers: { type: "array", items: {} } } } } },
    });
    // A destructured parameter has no name: the params go by position.
    assert.deepEqual(bodySchema(document, "area"), {
      type: "array",
      description: "The params, by position (this method's parameter names are not known).",
      prefixItems: [{}],
      items: false,
      minItems: 1,
    });
    assert.equal(operation(document, "ping").requestBody, undefined);
  });

  test("a schema's definitions move to components, and its $refs follow them", async () => {
    const document = await documentOf(service);
    const root = bodySchema(document, "count_nodes")?.["properties"] as Record<string, unknown>;
    assert.deepEqual(root["root"], { $ref: "#/components/schemas/count_nodes.__schema0" });
    const schemasOf = document.components["schemas"] as Record<string, { properties: { children: unknown } }>;
    assert.deepEqual(schemasOf["count_nodes.__schema0"]?.properties.children, { type: "array", items: { $ref: "#/components/schemas/count_nodes.__schema0" } });
    assert.doesNotMatch(JSON.stringify(document), /"\$schema"|#\/definitions|#\/\$defs/);
  });

  test("the result's schema answers 200; declared errors answer their status, 400 also the service's own", async () => {
    const document = await documentOf(service);
    const responses = operation(document, "get_order").responses;
    assert.deepEqual(Object.keys(responses), ["200", "400", "404", "409", "default"]);
    assert.deepEqual(operation(document, "create_order").responses["200"]?.content["application/json"].schema, {
      type: "object",
      properties: { id: { type: "string" }, item: { type: "string" }, quantity: { type: "number" } },
      required: ["id", "item", "quantity"],
      additionalProperties: false,
    });
    assert.deepEqual(responses["404"], {
      description: "NOT_FOUND (1404): No such order",
      content: { "application/json": { schema: {
        type: "object",
        title: "NOT_FOUND",
        description: "No such order",
        required: ["code", "message", "data"],
        properties: {
          code: { const: 1404 },
          message: { type: "string" },
          data: { type: "object", properties: { id: { type: "string" } }, required: ["id"], additionalProperties: false },
        },
      } } },
    });
    assert.equal(responses["400"]?.description, "Invalid params or body. BAD_ID (1400): Order ids are digits");
    assert.deepEqual(responses["400"].content["application/json"].schema, {
      anyOf: [
        { type: "object", title: "BAD_ID", description: "Order ids are digits", required: ["code", "message"], properties: { code: { const: 1400 }, message: { type: "string" } } },
        { $ref: "#/components/schemas/RpcError" },
      ],
    });
    assert.deepEqual(responses["default"]?.content["application/json"].schema, { $ref: "#/components/schemas/RpcError" });
  });

  test("private methods want the bearer token or the API token, with their scopes; public ones neither", async () => {
    const document = await documentOf(service);
    assert.deepEqual(document.components["securitySchemes"], {
      bearerAuth: { type: "http", scheme: "bearer", description: "A token the service accepts, as `Authorization: Bearer …`." },
      apiToken: { type: "apiKey", in: "header", name: "X-Api-Token", description: "The service's API token." },
    });
    assert.deepEqual(operation(document, "secret")["security"], [{ bearerAuth: [] }, { apiToken: [] }]);
    assert.deepEqual(Object.keys(operation(document, "secret").responses), ["200", "400", "401", "default"]);
    assert.deepEqual(operation(document, "cancel_order")["security"], [{ bearerAuth: ["orders:write"] }, { apiToken: ["orders:write"] }]);
    assert.equal(operation(document, "cancel_order").responses["403"]?.description, "Forbidden: the caller lacks a scope (orders:write).");
    // A predicate cannot be shown: the method wants a token, and may answer 403.
    assert.deepEqual(operation(document, "audit")["security"], [{ bearerAuth: [] }, { apiToken: [] }]);
    assert.equal(operation(document, "audit").responses["403"]?.description, "Forbidden: the method's check of the caller said no.");
    assert.equal(operation(document, "ping")["security"], undefined);
    // A service without private methods has no security schemes.
    const open = openApiOf(new Service({ name: "open" }).publicMethod("ping", () => "pong"));
    assert.equal(open.components["securitySchemes"], undefined);
  });

  test("options: the document's path, which methods; HEAD, 405, and paths it does not serve", async () => {
    const chosen = new Service({ name: "s", apiTokenIsValid: () => true })
      .use(openapi({ path: "/v1/spec.json", methods: (method) => !method.isPrivate }))
      .publicMethod("ping", () => "pong")
      .privateMethod("secret", () => 1);
    const document = await (await chosen.fetch(new Request("http://localhost/v1/spec.json"))).json() as OpenApiDocument;
    assert.deepEqual(Object.keys(document.paths), ["/api/ping"]);
    assert.equal((await chosen.fetch(new Request("http://localhost/openapi.json"))).status, 404);
    // A method left out has no plain route either.
    assert.equal((await chosen.fetch(new Request("http://localhost/api/secret", { method: "POST" }))).status, 404);
    const head = await chosen.fetch(new Request("http://localhost/v1/spec.json", { method: "HEAD" }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    assert.equal(Number(head.headers.get("content-length")), new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`).byteLength);
    const posted = await chosen.fetch(new Request("http://localhost/v1/spec.json", { method: "POST" }));
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get("allow"), "GET, HEAD");
    const got = await chosen.fetch(new Request("http://localhost/api/ping"));
    assert.equal(got.status, 405);
    assert.equal(got.headers.get("allow"), "POST");
    assert.equal((await chosen.fetch(new Request("http://localhost/api/%E0%A4%A", { method: "POST" }))).status, 404);
    assert.equal((await chosen.fetch(new Request("http://localhost/api/nope", { method: "POST" }))).status, 404);
    assert.equal(chosen.allowedMethods("/v1/spec.json"), "GET, HEAD");
    assert.equal(chosen.allowedMethods("/api/ping"), "POST");
    assert.equal(chosen.allowedMethods("/api/secret"), undefined);
    // rpc.discover says where the document is, relative to the JSON-RPC endpoint.
    const discovered = await chosen.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 }) as { result: Record<string, unknown> };
    assert.equal(discovered.result["x-openapi"], "./v1/spec.json");
    const nested = new Service({ name: "n", path: "/svc/rpc" }).use(openapi());
    assert.equal((await nested.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 }) as { result: Record<string, unknown> }).result["x-openapi"], "../openapi.json");
    assert.throws(() => openapi({ path: "spec.json" }), /must start with "\/"/);
    assert.throws(() => new Service({ name: "s" }).use(openapi({ path: "/api" })), /must differ from the service path/);
  });

  test("the status table: declared statuses first, then the library's codes, reserved codes 500, others 400", () => {
    const declared = new Map([[1404, 404]]);
    assert.deepEqual(
      [1404, 1405, -32700, -32600, -32602, -32001, -32003, -32601, -32603, -32004, -32002, -32050, -32768, -31999].map((code) => statusOf(code, declared)),
      [404, 400, 400, 400, 400, 401, 403, 404, 500, 503, 504, 500, 500, 400],
    );
  });
});

describe("the plain routes, on a real server", () => {
  let server: ServerHandle;
  let base: string;
  before(async () => {
    server = await serve(shopService(), { hostname: "127.0.0.1", port: 0 });
    base = server.url;
  });
  after(() => server.close());

  async function post(method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
    const answer = await fetch(`${base}/api/${method}`, {
      method: "POST",
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await answer.text();
    return { status: answer.status, json: text === "" ? undefined : JSON.parse(text), headers: answer.headers };
  }

  test("a result is 200 and the plain JSON value, for named and positional bodies and none", async () => {
    assert.deepEqual(await post("get_order", '{"id":"1"}'), { status: 200, json: { id: "1", total: 3 }, headers: (await post("get_order", '{"id":"1"}')).headers });
    assert.deepEqual((await post("create_order", '{"item":"book","quantity":2}')).json, { id: "2", item: "book", quantity: 2 });
    assert.equal((await post("sum", '{"numbers":[1,2,3]}')).json, 6);
    assert.equal((await post("sum", "[1,2,3,4]")).json, 10);
    assert.equal((await post("area", '[{"width":2,"height":3}]')).json, 6);
    assert.equal((await post("count_nodes", JSON.stringify({ root: { name: "a", children: [{ name: "b", children: [] }] } }))).json, 2);
    assert.deepEqual(await post("ping").then(({ status, json }) => ({ status, json })), { status: 200, json: "pong" });
    assert.deepEqual(await post("nothing", "").then(({ status, json }) => ({ status, json })), { status: 200, json: null });
    const answer = await post("ping");
    assert.equal(answer.headers.get("content-type"), "application/json; charset=utf-8");
  });

  test("a declared error answers its status and the error object", async () => {
    assert.deepEqual(await post("get_order", '{"id":"7"}').then(({ status, json }) => ({ status, json })), {
      status: 404,
      json: { code: 1404, message: "No such order", data: { id: "7" } },
    });
    assert.deepEqual(await post("get_order", '{"id":"0"}').then(({ status, json }) => ({ status, json })), { status: 409, json: { code: 1409, message: "Out of stock" } });
    assert.deepEqual(await post("get_order", '{"id":"x"}').then(({ status, json }) => ({ status, json })), { status: 400, json: { code: 1400, message: "Order ids are digits" } });
  });

  test("the service's own errors: bad params 400, no token 401 (WWW-Authenticate), a missing scope 403, timeout 504, internal 500", async () => {
    const invalid = await post("create_order", '{"item":"book","quantity":0}');
    assert.equal(invalid.status, 400);
    assert.equal((invalid.json as { code: number }).code, -32602);
    assert.equal((await post("get_order", "{}")).status, 400);
    assert.equal((await post("get_order", '{"id":"1","extra":1}')).status, 400);
    const denied = await post("secret", '{"key":"k"}');
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), "Bearer");
    assert.deepEqual(denied.json, { code: -32001, message: "Access denied: a valid API token is required" });
    assert.deepEqual((await post("secret", '{"key":"k"}', { "x-api-token": TOKEN })).json, { key: "k", value: 42 });
    assert.deepEqual((await post("secret", '{"key":"k"}', { authorization: `Bearer ${TOKEN}` })).json, { key: "k", value: 42 });
    assert.equal((await post("secret", '{"key":"k"}', { "x-api-token": "wrong" })).status, 401);
    // A caller without the method's scope: 403, the scope named.
    const forbidden = await post("cancel_order", '{"id":"9"}', { "x-api-token": READER });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.json as { code: number }).code, -32003);
    assert.deepEqual((await post("cancel_order", '{"id":"9"}', { "x-api-token": TOKEN })).json, "cancelled 9");
    assert.equal((await post("audit", undefined, { "x-api-token": TOKEN })).status, 403);
    const slow = await post("slow");
    assert.equal(slow.status, 504);
    assert.equal((slow.json as { code: number }).code, -32002);
    // A result JSON cannot carry is the service's bug: 500, no detail.
    assert.deepEqual(await post("big").then(({ status, json }) => ({ status, json })), { status: 500, json: { code: -32603, message: "Internal error" } });
  });

  test("what the route refuses before any call: not JSON, not an object or array, another content type, too deep, too large", async () => {
    assert.deepEqual(await post("get_order", "{").then(({ status, json }) => ({ status, json })), { status: 400, json: { code: -32700, message: "Parse error: the body is not JSON" } });
    assert.deepEqual(await post("get_order", '"1"').then(({ status, json }) => ({ status, json })), {
      status: 400,
      json: { code: -32600, message: "The body must be an object of named params (or an array of positional ones)" },
    });
    const text = await fetch(`${base}/api/get_order`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"id":"1"}' });
    assert.equal(text.status, 415);
    assert.deepEqual(await text.json(), { code: -32600, message: "Unsupported Content-Type: send application/json" });
    // The service's params depth limit holds: dispatch checks it, as for POST /api.
    const deep = await post("get_order", `{"id":${"[".repeat(100)}${"]".repeat(100)}}`);
    assert.deepEqual({ status: deep.status, code: (deep.json as { code: number }).code }, { status: 400, code: -32600 });
    const large = await post("sum", JSON.stringify({ numbers: Array.from({ length: 1_000 }, () => 1) }));
    assert.deepEqual({ status: large.status, json: large.json }, { status: 413, json: { code: -32600, message: "Request body too large (over 2000 bytes)" } });
  });

  test("every call goes through the service's middlewares, as at the JSON-RPC endpoint; CORS applies", async () => {
    seen.length = 0;
    await post("ping");
    await post("get_order", '{"id":"7"}');
    await post("secret", "{}");
    assert.deepEqual(seen, ["ping:ok", "get_order:1404", "secret:-32001"]);
    const preflight = await fetch(`${base}/api/ping`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    const called = await post("ping", undefined, { origin: "http://localhost:3000" });
    assert.equal(called.headers.get("access-control-allow-origin"), "http://localhost:3000");
  });
});

describe("a client generated from the document (openapi-typescript + openapi-fetch)", () => {
  let server: ServerHandle;
  let directory: string;
  before(async () => {
    server = await serve(shopService(), { hostname: "127.0.0.1", port: 0 });
    directory = mkdtempSync(join(tmpdir(), "tsmicroservice-openapi-"));
    symlinkSync(join(ROOT, "node_modules"), join(directory, "node_modules"));
  });
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test("type-checks, wrong calls do not, and it calls every method: results and declared errors", { timeout: 120_000 }, async () => {
    const document = await (await fetch(`${server.url}/openapi.json`)).json() as Record<string, unknown>;
    writeFileSync(join(directory, "shop.d.ts"), astToString(await openapiTS(document as never)));
    writeFileSync(join(directory, "caller.ts"), CALLER);
    writeFileSync(join(directory, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [], skipLibCheck: false, allowImportingTsExtensions: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true },
      files: ["caller.ts", "shop.d.ts"],
    }));
    const compiled = await promisify(execFile)(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", directory], { cwd: directory }).then(
      () => "",
      (error: unknown) => (error as { stdout?: string }).stdout ?? String(error as Error),
    );
    assert.equal(compiled, "", "tsc found errors in the generated client or its caller");
    const { run } = await import(pathToFileURL(join(directory, "caller.ts")).href) as { run: (base: string, token: string) => Promise<unknown[]> };
    assert.deepEqual(await run(server.url, TOKEN), [
      { id: "1", total: 3 },
      { status: 404, code: 1404, id: "7" },
      { status: 409, code: 1409 },
      { status: 400, code: 1400 },
      { id: "2", item: "book", quantity: 2 },
      { status: 400, code: -32602 },
      6,
      6,
      2,
      "pong",
      null,
      { status: 500, code: -32603 },
      { status: 504, code: -32002 },
      { key: "k", value: 42 },
      { status: 401, code: -32001 },
      "cancelled 9",
      { status: 403, code: -32003 },
    ]);
  });
});

// The caller: typed by the generated `paths`, it calls every operation. Its `@ts-expect-error`
// lines must fail to compile (tsc says so otherwise), so wrong bodies and undeclared fields are
// caught by the generated types.
const CALLER = `
import createClient from "openapi-fetch";
import type { paths } from "./shop.d.ts";

export async function run(baseUrl: string, token: string): Promise<unknown[]> {
  const client = createClient<paths>({ baseUrl });
  const out: unknown[] = [];
  const failed = (status: number, error: { code: number }): unknown => ({ status, code: error.code });

  const found = await client.POST("/api/get_order", { body: { id: "1" } });
  if (found.data !== undefined) out.push(found.data);
  const missing = await client.POST("/api/get_order", { body: { id: "7" } });
  // The error is the union of every error response (\`default\` takes any code); the 404's own
  // type is the declared error's, its data typed by the declared schema.
  type NotFound = paths["/api/get_order"]["post"]["responses"][404]["content"]["application/json"];
  if (missing.error !== undefined && missing.response.status === 404) {
    const error = missing.error as NotFound;
    const code: 1404 = error.code;
    const id: string = error.data.id;
    out.push({ status: 404, code, id });
    // @ts-expect-error -- the declared data has no such member
    console.log(error.data.total);
  }
  const stock = await client.POST("/api/get_order", { body: { id: "0" } });
  if (stock.error !== undefined) {
    const code: number = stock.error.code;
    out.push({ status: stock.response.status, code });
  }
  const bad = await client.POST("/api/get_order", { body: { id: "x" } });
  if (bad.error !== undefined) out.push(failed(bad.response.status, bad.error));

  const created = await client.POST("/api/create_order", { body: { item: "book", quantity: 2 } });
  if (created.data !== undefined) {
    const quantity: number = created.data.quantity;
    out.push({ id: created.data.id, item: created.data.item, quantity });
  }
  const refused = await client.POST("/api/create_order", { body: { item: "book", quantity: 0 } });
  if (refused.error !== undefined) out.push(failed(refused.response.status, refused.error));
  // @ts-expect-error -- quantity is a number
  await client.POST("/api/create_order", { body: { item: "book", quantity: "2" } });
  // @ts-expect-error -- item is required
  await client.POST("/api/create_order", { body: { quantity: 2 } });
  // @ts-expect-error -- no such operation
  await client.POST("/api/nope", { body: {} });

  out.push((await client.POST("/api/sum", { body: { numbers: [1, 2, 3] } })).data);
  out.push((await client.POST("/api/area", { body: [{ width: 2, height: 3 }] })).data);
  out.push((await client.POST("/api/count_nodes", { body: { root: { name: "a", children: [{ name: "b", children: [] }] } } })).data);
  // @ts-expect-error -- a tree's children are trees
  await client.POST("/api/count_nodes", { body: { root: { name: "a", children: [1] } } });
  out.push((await client.POST("/api/ping")).data);
  out.push((await client.POST("/api/nothing")).data);
  const big = await client.POST("/api/big");
  if (big.error !== undefined) out.push(failed(big.response.status, big.error));
  const slow = await client.POST("/api/slow");
  if (slow.error !== undefined) out.push(failed(slow.response.status, slow.error));

  const secret = await client.POST("/api/secret", { body: { key: "k" }, headers: { "X-Api-Token": token } });
  out.push(secret.data);
  const denied = await client.POST("/api/secret", { body: { key: "k" } });
  if (denied.error !== undefined) out.push(failed(denied.response.status, denied.error));
  const cancelled = await client.POST("/api/cancel_order", { body: { id: "9" }, headers: { Authorization: "Bearer " + token } });
  out.push(cancelled.data);
  const audit = await client.POST("/api/audit", { headers: { "X-Api-Token": token } });
  if (audit.error !== undefined) out.push(failed(audit.response.status, audit.error));
  return out;
}
`;

test("a method name that is not a plain path segment is escaped in the document and found by its route", async () => {
  const service = new Service({ name: "s", path: "/" }).use(openapi())
    .publicMethod("say hello/ä", (name: string) => `hello ${name}`);
  const document = await documentOf(service);
  assert.deepEqual(Object.keys(document.paths), ["/say%20hello%2F%C3%A4"]);
  await SwaggerParser.validate(structuredClone(document) as never);
  const answer = await service.fetch(new Request("http://localhost/say%20hello%2F%C3%A4", { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"ann"}' }));
  assert.deepEqual([answer.status, await answer.json()], [200, "hello ann"]);
  // A service at "/" still serves its document and JSON-RPC path.
  assert.equal((await service.fetch(new Request("http://localhost/openapi.json"))).status, 200);
});

// An RpcError thrown by hand with a declared code is answered as the declared one.
test("a declared code thrown with new RpcError answers the declared status too", async () => {
  const service = new Service({ name: "s" }).use(openapi())
    .publicMethod("gone", () => {
      throw new RpcError(1410, "Gone");
    }, { errors: { GONE: { code: 1410, message: "Gone", status: 410 } } });
  const answer = await service.fetch(new Request("http://localhost/api/gone", { method: "POST" }));
  assert.equal(answer.status, 410);
  assert.deepEqual(await answer.json(), { code: 1410, message: "Gone" });
});
