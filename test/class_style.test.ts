// The Python original's class style: a class extending MicroService, with standard decorators,
// served in process through service.fetch (real Request objects), and served by serve() with the
// whole-microservice parts as class members: onStart and onStop as methods, and plugins (periodic
// tasks, static folders, health, get_service_specs) in a `plugins` property.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  type CallContext,
  ErrorCode,
  type JsonRpcResponse,
  MicroService,
  type ClassServiceExtras,
  type OpenRpcDocument,
  privateMethod,
  publicMethod,
  serve,
  type ServiceOptions,
} from "../mod.ts";
import { health } from "../src/plugins/health.ts";
import { pymicroservice, type ServiceSpecs } from "../src/plugins/pymicroservice.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";
import { staticFiles } from "../src/plugins/static/static.ts";
import { periodicTasks } from "../src/plugins/tasks/tasks.ts";
import { paramListFromFunction } from "../src/core/params.ts";
import { call, HELLO_TOKEN, post, until } from "./helpers.ts";
import { rawExchange, rawRequest } from "./runtime/raw_http.ts";

class HelloWorldService extends MicroService {
  name = "hello.world.service";
  plugins = [pymicroservice()];

  @publicMethod
  say_hello(name: string) {
    return `hello ${name}`;
  }

  @privateMethod
  say_private_hello(name: string) {
    return `this is secret: hello ${name}`;
  }

  apiTokenIsValid(token: string) {
    return token === HELLO_TOKEN;
  }
}

/** A class-style service with state, options, schemas, the context and a setting checked by the compiler. */
class CounterService extends MicroService implements ServiceOptions {
  name = "counter.service";
  version = "2.0.0";
  exposeErrors = true;
  plugins = [schemas()];
  count = 0;
  errors: unknown[] = [];

  @publicMethod({ description: "Adds to the counter and answers the new count." })
  add(step = 1) {
    this.count += step;
    return this.count;
  }

  @publicMethod({ input: z.tuple([z.coerce.number().int()]), output: z.number(), description: "Adds twice." })
  add_twice(step: number) {
    return this.add(step) + this.add(step) - this.count;
  }

  @publicMethod({ context: true })
  whoami(ctx: CallContext) {
    return `${ctx.service.name} ${ctx.method} ${this.name}`;
  }

  @publicMethod({ context: true })
  async add_through(step: number, ctx: CallContext) {
    return await ctx.call("add", { step });
  }

  @publicMethod({ params: ["minuend", "subtrahend"] })
  subtract(a: number, b: number) {
    return a - b;
  }

  @publicMethod
  fail() {
    throw new Error("counter broke");
  }

  /** Not decorated: not a remote method. */
  reset() {
    this.count = 0;
  }

  onError(error: unknown) {
    this.errors.push(error);
  }
}

async function rpc(app: { fetch(request: Request): Promise<Response> }, method: string, params?: unknown, headers?: Record<string, string>) {
  const message = params === undefined ? { jsonrpc: "2.0", method, id: 1 } : { jsonrpc: "2.0", method, params, id: 1 };
  return (await call(app, message, headers)) as JsonRpcResponse;
}

describe("the README's hello world, in the class style", () => {
  test("serves public and private methods through service.fetch", async () => {
    const service = new HelloWorldService();
    assert.deepEqual(await rpc(service, "say_hello", ["world"]), { jsonrpc: "2.0", result: "hello world", id: 1 });
    assert.deepEqual(await rpc(service, "say_hello", { name: "world" }), { jsonrpc: "2.0", result: "hello world", id: 1 });
    const denied = await rpc(service, "say_private_hello", ["world"]);
    assert.ok("error" in denied && denied.error.code === ErrorCode.AccessDenied);
    const wrongToken = await rpc(service, "say_private_hello", ["world"], { "x-api-token": "nope" });
    assert.ok("error" in wrongToken && wrongToken.error.code === ErrorCode.AccessDenied);
    assert.deepEqual(await rpc(service, "say_private_hello", ["world"], { "x-api-token": HELLO_TOKEN }), {
      jsonrpc: "2.0",
      result: "this is secret: hello world",
      id: 1,
    });
    const specs = await rpc(service, "get_service_specs", [], { host: "127.0.0.1:5000" });
    assert.deepEqual("result" in specs && specs.result, {
      name: "hello.world.service",
      host: "127.0.0.1",
      port: 5000,
      methods: {
        get_service_specs: "Returns the service's name, address and methods (pymicroservice's shape).",
        say_hello: null,
        say_private_hello: null,
      },
    } satisfies ServiceSpecs);
  });

  test("fetch is bound to the instance, handle() answers in process, and the service is built once", async () => {
    const service = new HelloWorldService();
    const { fetch } = service;
    assert.equal((await post({ fetch }, '{"jsonrpc":"2.0","method":"say_hello","params":["x"],"id":1}')).text, '{"jsonrpc":"2.0","result":"hello x","id":1}');
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "say_hello", params: ["y"], id: 2 }), { jsonrpc: "2.0", result: "hello y", id: 2 });
    assert.equal(service.toService(), service.toService());
    assert.equal(service.toService().name, "hello.world.service");
    assert.equal((await fetch(new Request("http://localhost/elsewhere"))).status, 404);
  });
});

describe("class-style methods", () => {
  test("run with this as the instance; undecorated methods and settings are not remote methods", async () => {
    const service = new CounterService();
    assert.deepEqual(await rpc(service, "add", [2]), { jsonrpc: "2.0", result: 2, id: 1 });
    assert.deepEqual(await rpc(service, "add"), { jsonrpc: "2.0", result: 3, id: 1 });
    assert.equal(service.count, 3);
    for (const method of ["reset", "onError", "apiTokenIsValid", "toService", "handle", "fetch", "constructor", "count"]) {
      const answer = await rpc(service, method);
      assert.ok("error" in answer && answer.error.code === ErrorCode.MethodNotFound, method);
    }
    assert.deepEqual(service.toService().listMethods().map((method) => method.name), [
      "add",
      "add_twice",
      "whoami",
      "add_through",
      "subtract",
      "fail",
    ]);
  });

  test("take options: schemas, descriptions, parameter names and the context", async () => {
    const service = new CounterService();
    assert.deepEqual(await rpc(service, "add_twice", ["5"]), { jsonrpc: "2.0", result: 5, id: 1 });
    const invalid = await rpc(service, "add_twice", ["five"]);
    assert.ok("error" in invalid);
    assert.equal(invalid.error.code, ErrorCode.InvalidParams);
    assert.deepEqual(invalid.error.data, { issues: [{ path: "step", message: "Invalid input: expected number, received NaN" }] });
    assert.deepEqual(await rpc(service, "whoami"), { jsonrpc: "2.0", result: "counter.service whoami counter.service", id: 1 });
    assert.deepEqual(await rpc(service, "add_through", [4]), { jsonrpc: "2.0", result: 14, id: 1 });
    assert.deepEqual(await rpc(service, "subtract", { minuend: 5, subtrahend: 3 }), { jsonrpc: "2.0", result: 2, id: 1 });

    const document = (await rpc(service, "rpc.discover")) as { result: OpenRpcDocument };
    assert.deepEqual(document.result.info, { title: "counter.service", version: "2.0.0" });
    const addTwice = document.result.methods.find((method) => method.name === "add_twice");
    assert.equal(addTwice?.description, "Adds twice.");
    assert.deepEqual(addTwice.result.schema, { type: "number" });
    assert.deepEqual(addTwice.params.map((param) => param.name), ["step"]);
  });

  test("settings written as methods run with this as the instance", async () => {
    const service = new CounterService();
    const answer = await rpc(service, "fail");
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: ErrorCode.InternalError, message: "Internal error", data: { name: "Error", message: "counter broke" } }, id: 1 });
    assert.equal(service.errors.length, 1);
  });

  test("subclasses inherit decorated methods; an override without a decorator hides its base's", async () => {
    class Base extends MicroService {
      name = "base";
      @publicMethod ping() {
        return "pong";
      }
      @publicMethod hidden() {
        return "base";
      }
    }
    class Derived extends Base {
      override name = "derived";
      @privateMethod secret() {
        return `secret of ${this.name}`;
      }
      override hidden() {
        return "derived";
      }
      apiTokenIsValid = (token: string): boolean => token === "t";
    }
    const service = new Derived();
    assert.deepEqual(service.toService().listMethods().map((method) => [method.name, method.isPrivate]), [
      ["ping", false],
      ["secret", true],
    ]);
    assert.deepEqual(await rpc(service, "ping"), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.deepEqual(await rpc(service, "secret", [], { "x-api-token": "t" }), { jsonrpc: "2.0", result: "secret of derived", id: 1 });
    const hidden = await rpc(service, "hidden");
    assert.ok("error" in hidden && hidden.error.code === ErrorCode.MethodNotFound);
  });
});

describe("class-style mistakes", () => {
  test("a class without a name fails when the service is assembled, with the class's name in the message", async () => {
    class Nameless extends MicroService {
      @publicMethod ping() {
        return "pong";
      }
    }
    const service = new Nameless();
    assert.throws(() => service.toService(), /Nameless needs a name/);
    await assert.rejects(service.handle({ jsonrpc: "2.0", method: "ping", id: 1 }), TypeError);
    await assert.rejects(service.fetch(new Request("http://localhost/api", { method: "POST", body: "{}" })), /Nameless needs a name/);
  });

  test("decorators refuse what is not a public instance method, and bad options, when the class is defined", () => {
    const context = (overrides: Partial<ClassMethodDecoratorContext>) => ({ kind: "method", name: "m", static: false, private: false, ...overrides }) as ClassMethodDecoratorContext<MicroService>;
    const method = function m() {
      return 1;
    };
    assert.throws(() => {
      publicMethod(method, context({ static: true }));
    }, /not static method m/);
    assert.throws(() => {
      privateMethod(method, context({ private: true, name: "#m" }));
    }, /not #private method #m/);
    assert.throws(() => {
      publicMethod(method, context({ kind: "getter" } as never));
    }, /not getter m/);
    assert.throws(() => {
      publicMethod(method, context({ name: Symbol("s") }));
    }, /not method Symbol\(s\)/);
    assert.throws(() => {
      publicMethod({ timeout: -1 })(method, context({}));
    }, /timeout of method m/);
    assert.throws(() => {
      publicMethod({ input: {} as never })(method, context({}));
    }, /Standard Schema/);
    assert.throws(() => publicMethod("m" as never), /takes the method's options/);
    // A legacy (experimentalDecorators) call passes a prototype, a key and a property descriptor.
    assert.throws(() => (publicMethod as (...args: unknown[]) => unknown)({}, "m", { value: method }), /turn off "experimentalDecorators"/);
  });

  test("reads parameter names from methods written with a computed key, as Bun emits decorated methods", () => {
    const note = (text: string) => text.length;
    class Computed {
      // Bun writes `@publicMethod say(…)` as `[(_dec = [publicMethod], "say")](…)`: code, brackets and strings in the key.
      [(note("a (b) [c]"), "say")](name: string, greeting = "hi") {
        return `${greeting} ${name}`;
      }
      async ["later"](when: number) {
        return Promise.resolve(when);
      }
    }
    const methodOf = (key: string) => Object.getOwnPropertyDescriptor(Computed.prototype, key)?.value as (...args: never[]) => unknown;
    assert.deepEqual(paramListFromFunction(methodOf("say")), { names: ["name", "greeting"], required: 1, rest: undefined, named: true });
    assert.deepEqual(paramListFromFunction(methodOf("later")).names, ["when"]);
  });
});


/** A whole microservice in the class style: lifecycle hooks as methods, plugins as a property. */
class SiteService extends MicroService implements ServiceOptions, ClassServiceExtras {
  name = "site.service";
  events: string[] = [];
  ticks = 0;
  plugins = [
    health(),
    staticFiles({ "/static/": new URL("../examples/public/", import.meta.url) }),
    periodicTasks([{
      name: "tick",
      every: 10,
      run: () => {
        this.ticks++;
      },
    }]),
  ];

  @publicMethod
  status() {
    return { events: this.events, ticks: this.ticks };
  }

  async onStart() {
    await Promise.resolve();
    this.events.push(`start (${this.toService().state})`);
  }

  onStop() {
    this.events.push(`stop (${this.toService().state})`);
  }
}

describe("a class-style service served by serve()", () => {
  test("runs onStart before listening, its periodic tasks while serving, and onStop after close()", async () => {
    const service = new SiteService();
    const server = await serve(service, { port: 0 });
    try {
      assert.deepEqual(service.events, ["start (starting)"]);
      assert.equal(service.toService().state, "serving");
      await until(() => service.ticks >= 2);
      const answer = await fetch(`${server.url}/api`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "status", id: 1 }),
      });
      const status = (await answer.json()) as { result: { events: string[]; ticks: number } };
      assert.deepEqual(status.result.events, ["start (starting)"]);
      assert.ok(status.result.ticks >= 2);
      const health = await fetch(`${server.url}/health`);
      assert.deepEqual(await health.json(), { status: "ok", name: "site.service", version: "0.0.0" });
    } finally {
      await server.close();
    }
    assert.deepEqual(service.events, ["start (starting)", "stop (stopping)"]);
    assert.equal(service.toService().state, "stopped");
    const ticks = service.ticks;
    // Five of the task's periods, counted by a timer of the same period: a loaded machine slows both alike.
    await new Promise<void>((resolve) => {
      let periods = 0;
      const timer = setInterval(() => {
        if (++periods < 5) return;
        clearInterval(timer);
        resolve();
      }, 10);
    });
    assert.equal(service.ticks, ticks, "the periodic task stopped with the server");
  });

  test("serves its static folder with the runtime's file access that serve() hands in", async () => {
    const service = new SiteService();
    const server = await serve(service, { port: 0 });
    try {
      const index = await fetch(`${server.url}/static/`);
      assert.equal(index.status, 200);
      assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
      assert.match(await index.text(), /<h1>website\.service<\/h1>/);
      const css = await fetch(`${server.url}/static/style.css`);
      assert.equal(css.status, 200);
      assert.match(await css.text(), /font-family/);
      // On the wire as written (fetch would resolve the dots before sending): no way out reaches package.json.
      for (const path of ["/static/../package.json", "/static/../../package.json", "/static/..%2f..%2fpackage.json", "/static/%2e%2e%2f%2e%2e%2fpackage.json", "/static/%2e%2e/package.json", "/static/..%2fpackage.json", "/static/..%5cpackage.json", "/static\\..\\package.json"]) {
        const answer = await rawExchange(server.port, rawRequest("GET", path));
        assert.equal(answer.status, 404, path);
        assert.ok(!answer.body.toString().includes("tsmicroservice"), path);
      }
      assert.equal((await fetch(`${server.url}/static/missing.css`)).status, 404);
    } finally {
      await server.close();
    }
  });

  test("startup() and shutdown() drive the lifecycle without serve(), with drain between the stop and onStop", async () => {
    const service = new SiteService();
    await service.startup();
    assert.equal(service.toService().state, "serving");
    await service.shutdown(() => {
      service.events.push("drained");
      return Promise.resolve();
    });
    assert.deepEqual(service.events, ["start (starting)", "drained", "stop (stopping)"]);
  });

  test("as a default export: the platform's first request (deno serve and Bun pass a second argument) runs onStart", async () => {
    const service = new SiteService();
    const health = await service.fetch(new Request("http://localhost/health"), { remoteAddr: { hostname: "127.0.0.1" } });
    assert.deepEqual(await health.json(), { status: "ok", name: "site.service", version: "0.0.0" });
    assert.deepEqual(service.events, ["start (starting)"]);
    await until(() => service.ticks >= 1);
    await service.shutdown();
    assert.deepEqual(service.events, ["start (starting)", "stop (stopping)"]);
  });

  test("serve() rejects when onStart throws or the class has no name", async () => {
    class Broken extends MicroService {
      name = "broken";
      onStart(): void {
        throw new Error("no database");
      }
    }
    // Should serve() resolve after all, the server is closed, so a failure cannot leave it running.
    const serveAndClose = async (app: MicroService): Promise<void> => {
      await (await serve(app, { port: 0 })).close();
    };
    await assert.rejects(serveAndClose(new Broken()), /no database/);
    class Nameless extends MicroService {}
    await assert.rejects(serveAndClose(new Nameless()), /Nameless needs a name/);
    await assert.rejects(new Nameless().shutdown(), /Nameless needs a name/);
  });

  test("startup, shutdown and the lifecycle settings are not remote methods", async () => {
    const service = new SiteService();
    for (const method of ["startup", "shutdown", "onStart", "onStop", "plugins"]) {
      const answer = await rpc(service, method);
      assert.ok("error" in answer && answer.error.code === ErrorCode.MethodNotFound, method);
    }
    assert.deepEqual(service.toService().listMethods().map((method) => method.name), ["status"]);
  });
});
