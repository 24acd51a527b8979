// The Python original's class style: a class extending MicroService, with standard decorators,
// served in process through service.fetch (real Request objects).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  type CallContext,
  ErrorCode,
  type JsonRpcResponse,
  MicroService,
  type OpenRpcDocument,
  privateMethod,
  publicMethod,
  type ServiceOptions,
  type ServiceSpecs,
} from "../mod.ts";
import { paramListFromFunction } from "../src/service/params.ts";
import { call, HELLO_TOKEN, post } from "./helpers.ts";

class HelloWorldService extends MicroService {
  name = "hello.world.service";

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
      methods: { say_hello: null, say_private_hello: null },
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
