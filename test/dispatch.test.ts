// Dispatch of single calls, notifications and batches: ids, invalid shapes, errors and tokens.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import process from "node:process";
import { type CallContext, createClient, ErrorCode, RpcError, Service } from "../mod.ts";
import { whenEnded } from "../src/plugins/when_ended.ts";
import { call, calculatorService, HELLO_TOKEN, helloService, post } from "./helpers.ts";

describe("ids", () => {
  const service = calculatorService();
  for (const id of [0, "", null, 1.5, -7, "abc", 2 ** 53 - 1]) {
    test(`id ${JSON.stringify(id)} is echoed exactly`, async () => {
      const answer = await post(service, JSON.stringify({ jsonrpc: "2.0", method: "subtract", params: [3, 1], id }));
      assert.equal(answer.text, `{"jsonrpc":"2.0","result":2,"id":${JSON.stringify(id)}}`);
    });
  }

  test("a request with id null is a call, not a notification", async () => {
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "get_data", id: null }), {
      jsonrpc: "2.0",
      result: ["hello", 5],
      id: null,
    });
  });

  test("a batch of one call still answers an array", async () => {
    assert.deepEqual(await call(service, [{ jsonrpc: "2.0", method: "get_data", id: 0 }]), [
      { jsonrpc: "2.0", result: ["hello", 5], id: 0 },
    ]);
  });

  test("a batch keeps the order of its calls whatever their finishing order", async () => {
    const slowFirst = new Service({ name: "order" }).publicMethod(
      "wait",
      (ms: number) => new Promise((resolve) => setTimeout(() => { resolve(ms); }, ms)),
    );
    const answer = await call(slowFirst, [30, 1, 15].map((ms, id) => ({ jsonrpc: "2.0", method: "wait", params: [ms], id })));
    assert.deepEqual(answer, [
      { jsonrpc: "2.0", result: 30, id: 0 },
      { jsonrpc: "2.0", result: 1, id: 1 },
      { jsonrpc: "2.0", result: 15, id: 2 },
    ]);
  });
});

describe("invalid requests", () => {
  const service = calculatorService();
  const cases: [string, unknown, RegExp, unknown][] = [
    ["an id that is a boolean", { jsonrpc: "2.0", method: "get_data", id: true }, /"id"/, null],
    ["an id that is an object", { jsonrpc: "2.0", method: "get_data", id: {} }, /"id"/, null],
    ["an id that is an array", { jsonrpc: "2.0", method: "get_data", id: [1] }, /"id"/, null],
    ["no jsonrpc member", { method: "get_data", id: 1 }, /"jsonrpc"/, 1],
    ["jsonrpc 1.0", { jsonrpc: "1.0", method: "get_data", id: 1 }, /"jsonrpc"/, 1],
    ["jsonrpc as a number", { jsonrpc: 2.0, method: "get_data", id: 1 }, /"jsonrpc"/, 1],
    ["no method", { jsonrpc: "2.0", id: 1 }, /"method"/, 1],
    ["params null", { jsonrpc: "2.0", method: "get_data", params: null, id: 1 }, /"params"/, 1],
    ["params a string", { jsonrpc: "2.0", method: "get_data", params: "x", id: 1 }, /"params"/, 1],
    ["params a number", { jsonrpc: "2.0", method: "get_data", params: 3, id: 1 }, /"params"/, 1],
    ["a string", "get_data", /object/, null],
    ["null", null, /object/, null],
  ];
  for (const [name, message, reason, id] of cases) {
    test(`${name} is -32600 with id ${JSON.stringify(id)}`, async () => {
      const answer = await call(service, message) as { error: { code: number; message: string }; id: unknown };
      assert.equal(answer.error.code, ErrorCode.InvalidRequest);
      assert.match(answer.error.message, reason);
      assert.equal(answer.id, id);
    });
  }

  test("an invalid request without an id is still answered (it cannot be known as a notification)", async () => {
    const answer = await call(service, { jsonrpc: "2.0", method: 5 }) as { error: { code: number } };
    assert.equal(answer.error.code, ErrorCode.InvalidRequest);
  });

  test("[null] answers one Invalid Request in an array", async () => {
    const answer = await call(service, [null]) as { error: { code: number } }[];
    assert.equal(answer.length, 1);
    assert.equal(answer[0]!.error.code, ErrorCode.InvalidRequest);
  });

  test("an empty body is a parse error", async () => {
    const answer = await post(service, "");
    assert.equal((answer.json as { error: { code: number } }).error.code, ErrorCode.ParseError);
  });
});

describe("method lookup", () => {
  const service = calculatorService();
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "rpc.anything", "Subtract"]) {
    test(`${name} is Method not found`, async () => {
      const answer = await call(service, { jsonrpc: "2.0", method: name, id: 1 }) as { error: { code: number } };
      assert.equal(answer.error.code, ErrorCode.MethodNotFound);
    });
  }
});

describe("errors thrown by handlers", () => {
  test("an RpcError reaches the caller exactly", async () => {
    const answer = await call(calculatorService(), { jsonrpc: "2.0", method: "divide", params: [1, 0], id: 9 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: 1, message: "Division by zero", data: { dividend: 1 } }, id: 9 });
  });

  test("an RpcError made by another copy of the library is still recognised", async () => {
    class ForeignRpcError extends Error {
      constructor(readonly code: number, message: string) {
        super(message);
        this.name = "RpcError";
      }
    }
    const service = new Service({ name: "s" }).publicMethod("fail", () => {
      throw new ForeignRpcError(42, "foreign");
    });
    const answer = await call(service, { jsonrpc: "2.0", method: "fail", id: 1 });
    assert.deepEqual(answer, { jsonrpc: "2.0", error: { code: 42, message: "foreign" }, id: 1 });
  });

  test("any other exception is -32603 with no message, stack or path", async () => {
    const reported: unknown[] = [];
    const service = new Service({ name: "s", onError: (error, info) => reported.push([error, info.method]) })
      .publicMethod("crash", () => {
        throw new Error("secret database password in /srv/app/db.ts");
      })
      .publicMethod("reject", () => Promise.reject(new TypeError("async secret")));
    for (const method of ["crash", "reject"]) {
      const answer = await post(service, JSON.stringify({ jsonrpc: "2.0", method, id: 1 }));
      assert.equal(answer.text, '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":1}');
    }
    assert.equal(reported.length, 2);
    assert.equal((reported[0] as [Error, string])[1], "crash");
  });

  test("exposeErrors shows the class and message, never the stack", async () => {
    const service = new Service({ name: "s", exposeErrors: true })
      .publicMethod("crash", () => {
        throw new RangeError("out of range");
      })
      .publicMethod("throw_string", () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless code does
        throw "plain";
      });
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "crash", id: 1 }), {
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error", data: { name: "RangeError", message: "out of range" } },
      id: 1,
    });
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "throw_string", id: 2 }), {
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error", data: { message: "plain" } },
      id: 2,
    });
  });

  test("a failing error reporter does not break the answer", async () => {
    const service = new Service({
      name: "s",
      onError: () => {
        throw new Error("logger down");
      },
    }).publicMethod("crash", () => {
      throw new Error("x");
    });
    const answer = await call(service, { jsonrpc: "2.0", method: "crash", id: 1 }) as { error: { code: number } };
    assert.equal(answer.error.code, ErrorCode.InternalError);
  });

  test("a result JSON cannot carry is -32603 for that call only", async () => {
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    const service = new Service({ name: "s" })
      .publicMethod("big", () => 10n)
      .publicMethod("loop", () => circular)
      .publicMethod("fine", () => "ok");
    const answer = await call(service, [
      { jsonrpc: "2.0", method: "big", id: 1 },
      { jsonrpc: "2.0", method: "fine", id: 2 },
      { jsonrpc: "2.0", method: "loop", id: 3 },
    ]);
    assert.deepEqual(answer, [
      { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 1 },
      { jsonrpc: "2.0", result: "ok", id: 2 },
      { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 3 },
    ]);
  });

  test("a result JSON would drop (a function, a symbol, a toJSON giving nothing) is -32603, reported, sync or async, in a batch too", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (error, info) => reported.push(`${info.method}: ${(error as Error).message}`) })
      .publicMethod("fn", () => () => 1)
      .publicMethod("sym", async () => await Promise.resolve(Symbol("x")))
      .publicMethod("nothing_json", () => ({ toJSON: () => undefined }))
      .publicMethod("odd_numbers", () => [Number.NaN, Infinity, new Date(Number.NaN)])
      .publicMethod("fine", () => "ok");
    const internal = { code: -32603, message: "Internal error" };
    assert.deepEqual(await call(service, [
      { jsonrpc: "2.0", method: "fn", id: 1 },
      { jsonrpc: "2.0", method: "sym", id: 2 },
      { jsonrpc: "2.0", method: "nothing_json", id: 3 },
      { jsonrpc: "2.0", method: "fine", id: 4 },
      { jsonrpc: "2.0", method: "fn" },
    ]), [
      { jsonrpc: "2.0", error: internal, id: 1 },
      { jsonrpc: "2.0", error: internal, id: 2 },
      { jsonrpc: "2.0", error: internal, id: 3 },
      { jsonrpc: "2.0", result: "ok", id: 4 },
    ]);
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "fn", id: 5 }), { jsonrpc: "2.0", error: internal, id: 5 });
    // (The async call settles last, so its report comes after the sync ones of its batch.)
    assert.deepEqual(reported.sort(), [
      "fn: The result of fn is not JSON (a function)",
      "fn: The result of fn is not JSON (a function)",
      "nothing_json: The result of nothing_json is not JSON (its toJSON gives nothing)",
      "sym: The result of sym is not JSON (a symbol)",
    ], "every answered call is reported once; the notification's result is nobody's");
    // What JSON turns into null is sent as null, as the README says.
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "odd_numbers", id: 6 }), { jsonrpc: "2.0", result: [null, null, null], id: 6 });
  });

  test("a huge rest param, named or positional, fails that entry only (-32602, past the params limit), never the reply", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) })
      .publicMethod("sum", (...numbers: number[]) => numbers.length);
    const big = new Array<number>(200_000).fill(0);
    for (const params of [{ numbers: big }, big]) {
      const answer = await post(service, JSON.stringify([{ jsonrpc: "2.0", method: "sum", params, id: 1 }, { jsonrpc: "2.0", method: "sum", params: [1, 2], id: 2 }]));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, [
        { jsonrpc: "2.0", error: { code: -32602, message: "Invalid params: a call takes at most 65536 params, got 200000" }, id: 1 },
        { jsonrpc: "2.0", result: 2, id: 2 },
      ]);
    }
    assert.deepEqual(reported, [], "the caller's mistake is not an unexpected error");
  });

  test("whatever throws while an entry is dispatched answers that entry only (handle() takes any value)", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) }).publicMethod("echo", (value: unknown) => value);
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error("no keys"); } });
    const answer = await service.handle([
      { jsonrpc: "2.0", method: "echo", params: hostile, id: 7 },
      { jsonrpc: "2.0", method: "echo", params: ["fine"], id: 8 },
      { jsonrpc: "2.0", method: "echo", params: hostile },
    ]);
    assert.deepEqual(answer, [
      { jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: 7 },
      { jsonrpc: "2.0", result: "fine", id: 8 },
    ]);
    assert.deepEqual(reported, ["echo", "echo"]);
  });

  test("a handler returning nothing or null answers null", async () => {
    const service = new Service({ name: "s" }).publicMethod("nothing", () => undefined).publicMethod("null", () => null);
    assert.equal((await post(service, '{"jsonrpc":"2.0","method":"nothing","id":1}')).text, '{"jsonrpc":"2.0","result":null,"id":1}');
    assert.equal((await post(service, '{"jsonrpc":"2.0","method":"null","id":2}')).text, '{"jsonrpc":"2.0","result":null,"id":2}');
  });

  test("a failing notification answers nothing and is reported", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) }).publicMethod("crash", () => {
      throw new Error("x");
    });
    const answer = await post(service, '{"jsonrpc":"2.0","method":"crash"}');
    assert.equal(answer.status, 204);
    assert.deepEqual(reported, ["crash"]);
  });
});

describe("private methods and tokens", () => {
  const service = helloService();
  const privateCall = { jsonrpc: "2.0", method: "say_private_hello", params: ["world"], id: 7 };

  test("a public method needs no token", async () => {
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "say_hello", params: ["world"], id: 1 }), {
      jsonrpc: "2.0",
      result: "hello world",
      id: 1,
    });
  });

  test("the token in X-Api-Token opens a private method", async () => {
    assert.deepEqual(await call(service, privateCall, { "x-api-token": HELLO_TOKEN }), {
      jsonrpc: "2.0",
      result: "this is secret: hello world",
      id: 7,
    });
  });

  test("the token in Authorization: Bearer opens a private method", async () => {
    assert.deepEqual(await call(service, privateCall, { authorization: `Bearer ${HELLO_TOKEN}` }), {
      jsonrpc: "2.0",
      result: "this is secret: hello world",
      id: 7,
    });
  });

  test("an empty X-Api-Token header does not hide a valid Authorization: Bearer token", async () => {
    assert.deepEqual(await call(service, privateCall, { "x-api-token": "", authorization: `Bearer ${HELLO_TOKEN}` }), {
      jsonrpc: "2.0",
      result: "this is secret: hello world",
      id: 7,
    });
  });

  test("Authorization: Bearer <token> <junk> is no token: the validator is never asked", async () => {
    const asked: string[] = [];
    const guarded = new Service({ name: "g", apiTokenIsValid: (token) => {
      asked.push(token);
      return token === HELLO_TOKEN;
    } }).privateMethod("secret", () => "s3cret");
    for (const authorization of [`Bearer ${HELLO_TOKEN} junk`, `Bearer ${HELLO_TOKEN} ${HELLO_TOKEN}`, `Bearer  ${HELLO_TOKEN}\tjunk`]) {
      const answer = await call(guarded, { jsonrpc: "2.0", method: "secret", id: 1 }, { authorization });
      assert.equal((answer as { error?: { code: number } }).error?.code, ErrorCode.AccessDenied, authorization);
    }
    assert.deepEqual(asked, []);
    await call(guarded, { jsonrpc: "2.0", method: "secret", id: 1 }, { authorization: `bearer \t${HELLO_TOKEN} ` });
    assert.deepEqual(asked, [HELLO_TOKEN], "the token alone, without the spaces around it");
  });

  for (const [name, headers] of [
    ["no token", {}],
    ["a wrong token", { "x-api-token": "guess" }],
    ["a wrong bearer token", { authorization: "Bearer guess" }],
    ["a Basic authorization", { authorization: `Basic ${HELLO_TOKEN}` }],
  ] as const) {
    test(`${name} is -32001 Access denied with the call's id, and the token is not echoed`, async () => {
      const answer = await post(service, JSON.stringify(privateCall), { "content-type": "application/json", ...headers });
      assert.deepEqual(answer.json, {
        jsonrpc: "2.0",
        error: { code: ErrorCode.AccessDenied, message: "Access denied: a valid API token is required" },
        id: 7,
      });
      assert.doesNotMatch(answer.text, /guess/);
    });
  }

  test("the token is checked before the params", async () => {
    const answer = await call(service, { ...privateCall, params: [1, 2, 3] }) as { error: { code: number } };
    assert.equal(answer.error.code, ErrorCode.AccessDenied);
  });

  test("a service with private methods and no validator refuses them all", async () => {
    const open = new Service({ name: "s" }).privateMethod("secret", () => 42);
    const answer = await call(open, { jsonrpc: "2.0", method: "secret", id: 1 }, { "x-api-token": "anything" }) as {
      error: { code: number };
    };
    assert.equal(answer.error.code, ErrorCode.AccessDenied);
  });

  test("an async validator works, sees the method and headers, and only a real true grants", async () => {
    const seen: string[] = [];
    const service = new Service({
      name: "s",
      apiTokenHeader: "X-Key",
      apiTokenIsValid: async (token, ctx) => {
        seen.push(`${ctx.method}:${ctx.headers.get("x-tenant") ?? ""}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return (token === "good" ? true : "yes") as boolean;
      },
    }).privateMethod("secret", () => 42);
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "secret", id: 1 }, { "x-key": "good", "x-tenant": "t1" }), {
      jsonrpc: "2.0",
      result: 42,
      id: 1,
    });
    const denied = await call(service, { jsonrpc: "2.0", method: "secret", id: 2 }, { "x-key": "other" }) as { error: { code: number } };
    assert.equal(denied.error.code, ErrorCode.AccessDenied);
    assert.deepEqual(seen, ["secret:t1", "secret:"]);
  });

  test("a sync validator grants only with a real true: a truthy non-boolean denies", async () => {
    for (const verdict of ["yes", 1, {}, [true]]) {
      const service = new Service({ name: "s", apiTokenIsValid: () => verdict as unknown as boolean }).privateMethod("secret", () => 42);
      const answer = await call(service, { jsonrpc: "2.0", method: "secret", id: 1 }, { "x-api-token": "any" }) as { error?: { code: number } };
      assert.equal(answer.error?.code, ErrorCode.AccessDenied, JSON.stringify(verdict));
    }
    const granted = new Service({ name: "s", apiTokenIsValid: () => true }).privateMethod("secret", () => 42);
    assert.deepEqual(await call(granted, { jsonrpc: "2.0", method: "secret", id: 1 }, { "x-api-token": "any" }), { jsonrpc: "2.0", result: 42, id: 1 });
  });

  test("a validator that throws is an internal error, not access", async () => {
    const service = new Service({
      name: "s",
      apiTokenIsValid: () => {
        throw new Error("db down");
      },
    }).privateMethod("secret", () => 42);
    const answer = await call(service, { jsonrpc: "2.0", method: "secret", id: 1 }, { "x-api-token": "t" }) as {
      error: { code: number };
    };
    assert.equal(answer.error.code, ErrorCode.InternalError);
  });

  test("a private notification without a token is not run", async () => {
    let runs = 0;
    const service = new Service({ name: "s", apiTokenIsValid: (token) => token === "t" }).privateMethod("count", () => ++runs);
    assert.equal((await post(service, '{"jsonrpc":"2.0","method":"count"}')).status, 204);
    assert.equal(runs, 0);
    await post(service, '{"jsonrpc":"2.0","method":"count"}', { "content-type": "application/json", "x-api-token": "t" });
    assert.equal(runs, 1);
  });
});

describe("the call context", () => {
  test("a method that asks for it gets headers, token, signal and notification flag after its params", async () => {
    const seen: CallContext[] = [];
    const service = new Service({ name: "s", apiTokenIsValid: () => true }).privateMethod(
      "whoami",
      (greeting: string, ctx: CallContext) => {
        seen.push(ctx);
        return `${greeting} ${ctx.headers.get("x-user") ?? "?"}`;
      },
      { context: true },
    );
    assert.deepEqual(
      await call(service, { jsonrpc: "2.0", method: "whoami", params: { greeting: "hi" }, id: 1 }, { "x-user": "ann", "x-api-token": "tok" }),
      { jsonrpc: "2.0", result: "hi ann", id: 1 },
    );
    assert.equal(seen[0]!.method, "whoami");
    assert.equal(seen[0]!.token, "tok");
    assert.equal(seen[0]!.isNotification, false);
    assert.ok(seen[0]!.signal instanceof AbortSignal);
    const tooMany = await call(service, { jsonrpc: "2.0", method: "whoami", params: ["hi", "extra"], id: 2 }, { "x-api-token": "t" }) as {
      error: { code: number };
    };
    assert.equal(tooMany.error.code, ErrorCode.InvalidParams, "the context is not a param callers can fill");
  });

  test("optional params before the context keep their defaults", async () => {
    const service = new Service({ name: "s" }).publicMethod(
      "greet",
      // Annotated: an unannotated first parameter would be taken for the context `(ctx) => …`.
      (name: string | undefined = "world", ctx?: CallContext) => `${name}:${String(ctx?.isNotification)}`,
      { context: true },
    );
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "greet", id: 1 }), { jsonrpc: "2.0", result: "world:false", id: 1 });
  });

  test("a handler with a rest parameter cannot take the context", () => {
    assert.throws(
      () => new Service({ name: "s" }).publicMethod("bad", (...all: unknown[]) => all, { context: true }),
      /rest parameter/,
    );
  });
});

describe("in-process handle()", () => {
  test("answers a parsed message without HTTP", async () => {
    const service = calculatorService();
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "subtract", params: { minuend: 5, subtrahend: 2 }, id: 1 }), {
      jsonrpc: "2.0",
      result: 3,
      id: 1,
    });
    assert.equal(await service.handle({ jsonrpc: "2.0", method: "update", params: [1] }), undefined);
  });

  test("RpcError rejects a code that is not an integer", () => {
    assert.throws(() => new RpcError(1.5, "x"), TypeError);
  });
});

describe("batches and what plugins are told of bodies", () => {
  const notification = { jsonrpc: "2.0", method: "update", params: [1] };

  test("an empty batch is one Invalid Request error, not an array", async () => {
    assert.deepEqual(await calculatorService().handle([]), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.InvalidRequest, message: "Invalid Request: an empty batch" },
      id: null,
    });
  });

  test("a batch of notifications only answers nothing; one answer among notifications is an array of one", async () => {
    const service = calculatorService();
    assert.equal(await service.handle([notification, notification]), undefined);
    assert.deepEqual(await service.handle([notification, { jsonrpc: "2.0", method: "get_data", id: 1 }, notification]), [
      { jsonrpc: "2.0", result: ["hello", 5], id: 1 },
    ]);
  });

  test("received is told each body's size and batch length, refused the code of each message that never became a call", async () => {
    const received: unknown[] = [];
    const refused: number[] = [];
    const service = new Service({ name: "s" })
      .use({ name: "count", received: (body) => received.push(body), refused: (code) => refused.push(code) })
      .publicMethod("ping", () => "pong");
    const notJson = await post(service, "{not json");
    assert.equal(notJson.text, '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: the body is not valid JSON"},"id":null}');
    const batch = '[{"jsonrpc":"2.0","method":"ping","id":1},{"jsonrpc":"1.0","method":"ping","id":2}]';
    assert.deepEqual((await post(service, batch)).json, [
      { jsonrpc: "2.0", result: "pong", id: 1 },
      { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request: "jsonrpc" must be exactly "2.0"' }, id: 2 },
    ]);
    const single = '{"jsonrpc":"2.0","method":"ping","id":"é"}';
    assert.equal((await post(service, single)).text, '{"jsonrpc":"2.0","result":"pong","id":"é"}');
    assert.deepEqual(received, [
      { bytes: 9, batch: undefined },
      { bytes: batch.length, batch: 2 },
      { bytes: new TextEncoder().encode(single).length, batch: undefined },
    ]);
    assert.deepEqual(refused, [ErrorCode.ParseError, ErrorCode.InvalidRequest]);
  });
});

describe("what a call middleware is told", () => {
  test("each call's summary: method, notification, ok, the code of a failure and what was thrown (undefined when nothing was)", async () => {
    const seen: unknown[] = [];
    const durations: number[] = [];
    const boom = new Error("boom");
    const service = new Service({ name: "s", onError: false })
      .use({ name: "spy", call: (_call, next) => whenEnded(next(), ({ duration, ...rest }) => {
        durations.push(duration);
        seen.push(rest);
      }) })
      .publicMethod("ping", () => "pong")
      .publicMethod("boom", () => {
        throw boom;
      });
    const before = performance.now();
    await service.handle([
      { jsonrpc: "2.0", method: "ping", id: 1 },
      { jsonrpc: "2.0", method: "nope", id: 2 },
      { jsonrpc: "2.0", method: "boom" },
    ]);
    const elapsed = performance.now() - before;
    assert.deepEqual(seen, [
      { method: "ping", notification: false, ok: true, code: undefined, error: undefined },
      { method: "nope", notification: false, ok: false, code: ErrorCode.MethodNotFound, error: undefined },
      { method: "boom", notification: true, ok: false, code: ErrorCode.InternalError, error: boom },
    ]);
    assert.ok(durations.every((duration) => duration >= 0 && duration <= elapsed), "each duration is ms spent within handle()");
  });
});

describe("answers that cannot be sent as they are", () => {
  test("a response JSON cannot serialise (a BigInt, a toJSON that throws) is -32603, reported under (serialising a response)", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) })
      .publicMethod("big", () => 10n)
      .publicMethod("bad_json", () => ({
        toJSON() {
          throw new Error("cannot");
        },
      }));
    const internal = { code: -32603, message: "Internal error" };
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "big", id: 1 }), { jsonrpc: "2.0", error: internal, id: 1 });
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "bad_json", id: 2 }), { jsonrpc: "2.0", error: internal, id: 2 });
    assert.deepEqual(reported, ["(serialising a response)", "(serialising a response)"]);
  });

  test("an entry whose dispatch throws is reported under its method name, clipped to 100 characters", async () => {
    const reported: string[] = [];
    const name = "m".repeat(150);
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) }).publicMethod(name, (value: unknown) => value);
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error("no keys"); } });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: name, params: hostile, id: 1 }), {
      jsonrpc: "2.0",
      error: { code: -32603, message: "Internal error" },
      id: 1,
    });
    assert.deepEqual(reported, ["m".repeat(100)]);
  });
});

describe("deadlines and timeouts", () => {
  test("a call with 1 ms of its caller's time left still runs (a frozen clock)", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
    const service = new Service({ name: "s" }).publicMethod("ping", () => "pong");
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "ping", id: 1 }, { "x-request-timeout": "1" }), { jsonrpc: "2.0", result: "pong", id: 1 });
  });

  test("a caller's budget equal to the method's own timeout is the method's timeout (a frozen clock)", async (t) => {
    t.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
    const service = new Service({ name: "s" }).publicMethod(
      "wait",
      (ctx: CallContext) => new Promise((resolve) => ctx.signal?.addEventListener("abort", resolve)),
      { context: true, timeout: 20 },
    );
    assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "wait", id: 1 }, { "x-request-timeout": "20" }), {
      jsonrpc: "2.0",
      error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 20 ms" },
      id: 1,
    });
  });

  test("a caller going away under an X-Request-Timeout aborts the handler's signal", async () => {
    const caller = new AbortController();
    const service = new Service({ name: "s" }).publicMethod(
      "wait",
      (ctx: CallContext) => new Promise((resolve) => ctx.signal?.addEventListener("abort", () => resolve("stopped"))),
      { context: true },
    );
    const answer = service.handle({ jsonrpc: "2.0", method: "wait", id: 1 }, { headers: new Headers({ "x-request-timeout": "5000" }), signal: caller.signal });
    setTimeout(() => caller.abort(), 5);
    assert.deepEqual(await answer, { jsonrpc: "2.0", result: "stopped", id: 1 });
  });

  test("what a handler throws because its caller went away is the call's timeout, not reported", async () => {
    for (const thrown of ["reason", "TransportError"] as const) {
      const reported: unknown[] = [];
      const summaries: unknown[] = [];
      const caller = new AbortController();
      const service = new Service({ name: "s", timeout: 5_000, onError: (error) => reported.push(error) })
        .use({ name: "spy", call: (_call, next) => whenEnded(next(), ({ code, error }) => summaries.push({ code, error })) })
        .publicMethod("wait", (ctx: CallContext) => new Promise((_resolve, reject) => {
          ctx.signal?.addEventListener("abort", () => {
            const transport = Object.assign(new Error("cut"), { name: "TransportError" });
            // The signal's reason is what an aborted fetch or timer rejects with (a DOMException).
            reject(thrown === "reason" ? (ctx.signal?.reason as Error) : transport);
          });
        }), { context: true });
      const answer = service.handle({ jsonrpc: "2.0", method: "wait", id: 1 }, { headers: new Headers(), signal: caller.signal });
      setTimeout(() => caller.abort(), 5);
      assert.deepEqual(await answer, { jsonrpc: "2.0", error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 5000 ms" }, id: 1 }, thrown);
      assert.deepEqual(reported, [], thrown);
      assert.equal((summaries[0] as { code: number }).code, ErrorCode.Timeout, thrown);
      assert.notEqual((summaries[0] as { error: unknown }).error, undefined, `${thrown}: the summary keeps what was thrown`);
    }
  });

  test("a handler that fails after its deadline passed leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", listener);
    try {
      const service = new Service({ name: "s" }).publicMethod("late", async () => {
        await new Promise((resolve) => setTimeout(resolve, 40));
        throw new Error("too late");
      }, { timeout: 10 });
      assert.deepEqual(await call(service, { jsonrpc: "2.0", method: "late", id: 1 }), {
        jsonrpc: "2.0",
        error: { code: ErrorCode.Timeout, message: "Timeout: the call took longer than 10 ms" },
        id: 1,
      });
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  test("ctx.call() runs the inner call as a call, not a notification", async () => {
    const service = new Service({ name: "s" })
      .publicMethod("inner", (ctx: CallContext) => ctx.isNotification, { context: true })
      .publicMethod("outer", (ctx: CallContext) => ctx.call("inner"), { context: true });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "outer", id: 1 }), { jsonrpc: "2.0", result: false, id: 1 });
  });
});

describe("errors another service answered", () => {
  /** A client whose upstream answers every call with this error (no network). */
  const upstreamAnswering = (error: unknown) =>
    createClient("http://upstream.test/api", {
      fetch: (_url: string, init: RequestInit) => {
        const { id } = JSON.parse(init.body as string) as { id: number };
        return Promise.resolve(new Response(JSON.stringify({ jsonrpc: "2.0", error, id }), { headers: { "content-type": "application/json" } }));
      },
    });

  test("its protocol-level codes (-32768 to -32000) are an internal error here, reported; other codes pass on", async () => {
    const internal = { code: ErrorCode.InternalError, message: "Internal error" };
    for (const [code, passes] of [[-32769, true], [-32768, false], [-32600, false], [-32000, false], [-31999, true], [-5, true]] as const) {
      const reported: unknown[] = [];
      const upstream = upstreamAnswering({ code, message: "upstream says" });
      const gateway = new Service({ name: "gateway", onError: (error) => reported.push(error) }).publicMethod("relay", () => upstream.call("anything"));
      const answer = await gateway.handle({ jsonrpc: "2.0", method: "relay", id: 1 });
      assert.deepEqual(answer, { jsonrpc: "2.0", error: passes ? { code, message: "upstream says" } : internal, id: 1 }, String(code));
      assert.equal(reported.length, passes ? 0 : 1, String(code));
    }
  });

  test("its -32002 and -32004 pass on with their first 200 characters, without data", async () => {
    for (const code of [ErrorCode.Timeout, -32004]) {
      const message = `Upstream: ${"y".repeat(300)}`;
      const upstream = upstreamAnswering({ code, message, data: { internal: "db-7.prod:5432" } });
      const gateway = new Service({ name: "gateway" }).publicMethod("relay", () => upstream.call("anything"));
      assert.deepEqual(await gateway.handle({ jsonrpc: "2.0", method: "relay", id: 1 }), {
        jsonrpc: "2.0",
        error: { code, message: message.slice(0, 200) },
        id: 1,
      });
    }
  });

  test("an RpcError of another copy of the library keeps its data, and has none when it has none", async () => {
    class ForeignRpcError extends Error {
      constructor(readonly code: number, message: string, readonly data?: unknown) {
        super(message);
        this.name = "RpcError";
      }
    }
    const service = new Service({ name: "s" })
      .publicMethod("with_data", () => {
        throw new ForeignRpcError(42, "foreign", { field: "x" });
      })
      .publicMethod("without", () => {
        throw new ForeignRpcError(43, "bare");
      });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "with_data", id: 1 }), { jsonrpc: "2.0", error: { code: 42, message: "foreign", data: { field: "x" } }, id: 1 });
    assert.deepEqual(await service.handle({ jsonrpc: "2.0", method: "without", id: 2 }), { jsonrpc: "2.0", error: { code: 43, message: "bare" }, id: 2 });
  });
});
