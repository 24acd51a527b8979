// Introspection: the built-in rpc.discover (OpenRPC), and get_service_specs (the Python original's,
// the pymicroservice() plugin), answered in process and over HTTP.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  describeMethod,
  type JsonRpcResponse,
  type JsonRpcSuccess,
  OPENRPC_VERSION,
  type OpenRpcDocument,
  serve,
  type ServerHandle,
  Service,
} from "../mod.ts";
import type { MethodDefinition } from "../src/core/method.ts";
import { pymicroservice, type ServiceSpecs } from "../src/plugins/pymicroservice.ts";

function makeService(options: { pymicroservice?: boolean } = {}) {
  const service = new Service({ name: "intro.service", version: "1.2.3", apiTokenIsValid: (token) => token === "t" });
  return (options.pymicroservice === false ? service : service.use(pymicroservice()))
    .publicMethod("add", (a: number, b = 1) => a + b, { description: "Adds two numbers." })
    .publicMethod("sum", (first: number, ...others: number[]) => others.reduce((t, n) => t + n, first))
    .publicMethod("area", ({ width, height }: { width: number; height: number }) => width * height)
    .publicMethod("subtract", (x: number, y: number) => x - y, { params: ["minuend", "subtrahend"] })
    .privateMethod("secret", () => 42, { description: "Only with a token." });
}

async function callIn(service: Service, method: string, params?: unknown, headers: HeadersInit = {}): Promise<JsonRpcResponse> {
  const message = params === undefined ? { jsonrpc: "2.0", method, id: 1 } : { jsonrpc: "2.0", method, params, id: 1 };
  return (await service.handle(message, { headers: new Headers(headers) })) as JsonRpcResponse;
}

function resultOf(response: JsonRpcResponse): unknown {
  assert.ok("result" in response, `expected a result, got ${JSON.stringify(response)}`);
  return response.result;
}

describe("rpc.discover", () => {
  it("answers an OpenRPC document with the service's name, version and methods", async () => {
    const document = resultOf(await callIn(makeService(), "rpc.discover")) as OpenRpcDocument;
    assert.equal(document.openrpc, OPENRPC_VERSION);
    assert.equal(document.openrpc, "1.3.2");
    assert.deepEqual(document.info, { title: "intro.service", version: "1.2.3" });
    assert.deepEqual(document.methods.map((method) => method.name), ["get_service_specs", "add", "sum", "area", "subtract", "secret"]);
  });

  it("carries the service's description, and marks idempotent methods", async () => {
    const service = new Service({ name: "d", description: "Describes itself." })
      .publicMethod("read", () => 1, { idempotent: true })
      .publicMethod("write", () => 2);
    const document = resultOf(await callIn(service, "rpc.discover")) as OpenRpcDocument;
    assert.deepEqual(document.info, { title: "d", version: "0.0.0", description: "Describes itself." });
    assert.equal(document.methods[0]?.["x-idempotent"], true);
    assert.equal("x-idempotent" in (document.methods[1] ?? {}), false);
  });

  it("describes each method's params, result, paramStructure and privacy", async () => {
    const document = resultOf(await callIn(makeService({ pymicroservice: false }), "rpc.discover", [])) as OpenRpcDocument;
    const [add, sum, area, subtract, secret] = document.methods;
    assert.deepEqual(add, {
      name: "add",
      description: "Adds two numbers.",
      params: [
        { name: "a", required: true, schema: {} },
        { name: "b", required: false, schema: {} },
      ],
      result: { name: "result", schema: {} },
      paramStructure: "either",
      "x-private": false,
    });
    assert.deepEqual(sum?.params, [
      { name: "first", required: true, schema: {} },
      { name: "others", required: false, schema: {}, "x-rest": true },
    ]);
    assert.equal(sum.description, undefined);
    assert.equal(Object.hasOwn(sum, "description"), false);
    // A destructured parameter has no name: positional params only.
    assert.equal(area?.paramStructure, "by-position");
    assert.deepEqual(area.params, [{ name: "#1", required: true, schema: {} }]);
    // Names given with the `params` option win over the handler's own.
    assert.deepEqual(subtract?.params.map((param) => param.name), ["minuend", "subtrahend"]);
    assert.equal(secret?.["x-private"], true);
    assert.equal(secret.description, "Only with a token.");
  });

  it("is answered without a token, with named or no params, and lists methods registered later", async () => {
    const service = new Service({ name: "late" });
    assert.deepEqual((resultOf(await callIn(service, "rpc.discover", {})) as OpenRpcDocument).methods, []);
    service.publicMethod("ping", () => "pong");
    const document = resultOf(await callIn(service, "rpc.discover")) as OpenRpcDocument;
    assert.deepEqual(document.methods.map((method) => method.name), ["ping"]);
  });

  it("refuses params it does not take", async () => {
    const response = await callIn(makeService(), "rpc.discover", [1]);
    assert.ok("error" in response);
    assert.equal(response.error.code, -32602);
  });

  it("stays out of the registry: not listed, not registrable, still found", () => {
    const service = makeService({ pymicroservice: false });
    assert.equal(service.listMethods().some((method) => method.name.startsWith("rpc.") || method.name === "get_service_specs"), false);
    assert.throws(() => service.publicMethod("rpc.discover", () => 1), TypeError);
    assert.equal(service.findMethod("rpc.discover")?.name, "rpc.discover");
    assert.equal(service.findMethod("rpc.other"), undefined);
  });

  it("uses a method's schemas when its definition carries them", () => {
    const service = makeService();
    const add = service.findMethod("add");
    assert.ok(add);
    const withSchemas: MethodDefinition = {
      ...add,
      schemas: { params: [{ type: "number" }], result: { type: "number" } },
    };
    const described = describeMethod(withSchemas);
    assert.deepEqual(described.params.map((param) => param.schema), [{ type: "number" }, {}]);
    assert.deepEqual(described.result.schema, { type: "number" });
  });
});

describe("get_service_specs", () => {
  it("answers the Python original's shape, host and port from the Host header", async () => {
    const specs = resultOf(await callIn(makeService(), "get_service_specs", [], { host: "10.0.0.7:8123" }));
    assert.deepEqual(specs, {
      name: "intro.service",
      host: "10.0.0.7",
      port: 8123,
      methods: {
        get_service_specs: "Returns the service's name, address and methods (pymicroservice's shape).",
        add: "Adds two numbers.",
        sum: null,
        area: null,
        subtract: null,
        secret: "Only with a token.",
      },
    } satisfies ServiceSpecs);
  });

  it("reads IPv6 and port-less Host headers, and answers nulls without a usable one", async () => {
    const service = makeService();
    const specsWith = async (headers: HeadersInit) => resultOf(await callIn(service, "get_service_specs", undefined, headers)) as ServiceSpecs;
    assert.deepEqual(await specsWith({ host: "[::1]:9000" }), { ...(await specsWith({})), host: "::1", port: 9000 });
    const portless = await specsWith({ host: "example.com" });
    assert.equal(portless.host, "example.com");
    assert.equal(portless.port, null);
    const none = await specsWith({});
    assert.equal(none.host, null);
    assert.equal(none.port, null);
    const garbage = await specsWith({ host: "bad host/../x" });
    assert.equal(garbage.host, null);
  });

  it("is answered only with the plugin, while rpc.discover always is", async () => {
    const service = makeService({ pymicroservice: false });
    const response = await callIn(service, "get_service_specs");
    assert.ok("error" in response);
    assert.equal(response.error.code, -32601);
    assert.ok("result" in (await callIn(service, "rpc.discover")));
  });

  it("cannot be registered twice: the plugin's and a method of the service's own", () => {
    assert.throws(() => makeService().publicMethod("get_service_specs", () => "mine"), /already registered/);
  });
});

describe("introspection over HTTP", () => {
  const service = makeService();
  let server: ServerHandle;
  before(async () => {
    server = await serve(service, { port: 0 });
  });
  after(async () => {
    await server.close();
  });

  it("get_service_specs reports the address the caller used", async () => {
    const response = await fetch(`${server.url}/api`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "get_service_specs", params: [], id: 1 }),
    });
    const specs = ((await response.json()) as JsonRpcSuccess).result as ServiceSpecs;
    assert.equal(specs.host, "127.0.0.1");
    assert.equal(specs.port, server.port);
  });
});
