// Type tests of validated methods and the class style, checked by `npx tsc --noEmit -p .` (never
// run). Handler types follow the input schema's output; client types follow the input schema's
// input and the result schema's output. Each `@ts-expect-error` line must fail to compile.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unnecessary-type-parameters --
   the @ts-expect-error lines call what does not exist on purpose, and the checks live in type arguments */
import { z } from "zod";
import {
  type CallContext,
  createClient,
  type FitsOptions,
  type InferInput,
  type InferOutput,
  MicroService,
  privateMethod,
  publicMethod,
  Service,
  type StandardSchemaV1,
} from "../../mod.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

/** A hand-written schema: the client sends strings, the handler receives numbers. */
declare const numericText: StandardSchemaV1<[text: string], [value: number]>;

export const service = new Service({ name: "typed.validation" })
  .publicMethod(
    "subtract",
    (minuend, subtrahend) => {
      expectTrue<Equal<typeof minuend, number>>();
      expectTrue<Equal<typeof subtrahend, number>>();
      return minuend - subtrahend;
    },
    { input: z.tuple([z.number(), z.number()]) },
  )
  .publicMethod(
    "parse",
    (value) => {
      // The handler gets the schema's output (after the transform)…
      expectTrue<Equal<typeof value, number>>();
      return value.toFixed(1);
    },
    { input: numericText },
  )
  .publicMethod(
    "greet",
    (name, greeting, ctx) => {
      expectTrue<Equal<typeof greeting, string | undefined>>();
      const plain: CallContext = ctx; // typed by the service's methods so far, and a CallContext
      void ctx.call("subtract", [1, 2]).then((difference) => expectTrue<Equal<typeof difference, number>>() ?? difference);
      console.log(plain.method);
      return `${greeting ?? "hi"} ${name} (${ctx.method})`;
    },
    { input: z.tuple([z.string(), z.string().optional()]), context: true },
  )
  .publicMethod("today", () => "2024-01-02", { output: z.string().transform((text) => new Date(text)) })
  .publicMethod("count", async (items) => Promise.resolve(items.length), {
    input: z.tuple([z.array(z.string())]),
    output: z.number().int(),
  })
  .publicMethod("sum", (...numbers) => numbers.reduce((total, n) => total + n, 0), { input: z.array(z.number()) })
  .privateMethod("secret", (key) => ({ key }), { input: z.tuple([z.string().min(1)]), description: "A secret." });

// @ts-expect-error -- a handler whose annotation contradicts the schema
new Service({ name: "x" }).publicMethod("bad", (a: string) => a, { input: z.tuple([z.number()]) });
// @ts-expect-error -- a handler whose result does not fit the result schema
new Service({ name: "x" }).publicMethod("bad", () => 42, { output: z.string() });
new Service({ name: "x" }).publicMethod("async_ok", () => Promise.resolve("text"), { output: z.string() });
// @ts-expect-error -- an input schema must give back an array (the arguments) or an object (named params)
new Service({ name: "x" }).publicMethod("bad", (a: unknown) => a, { input: z.string() });
// @ts-expect-error -- a handler that asks for more params than the schema gives
new Service({ name: "x" }).publicMethod("bad", (a: number, b: number) => a + b, { input: z.tuple([z.number()]) });

/** The Standard Schema inference helpers read declared types. */
export function inference(): void {
  expectTrue<Equal<InferInput<typeof numericText>, [text: string]>>();
  expectTrue<Equal<InferOutput<typeof numericText>, [value: number]>>();
  const untyped = { "~standard": { version: 1 as const, vendor: "me", validate: (value: unknown) => ({ value }) } };
  expectTrue<Equal<InferOutput<typeof untyped>, unknown>>();
  // A schema that does not declare its types gives the handler `unknown` arguments.
  new Service({ name: "x" }).publicMethod(
    "loose",
    (...args) => {
      expectTrue<Equal<typeof args, unknown[]>>();
      return args.length;
    },
    { input: untyped as StandardSchemaV1<unknown, unknown[]> },
  );
}

/** The client sees the input schema's input types and the result schema's output type. */
export async function client(): Promise<void> {
  const remote = createClient<typeof service>("http://127.0.0.1:5000/api");
  expectTrue<Equal<Parameters<typeof remote.methods.parse>, [text: string]>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.parse>>, string>>();
  // The result schema's output is a Date on the service; the client gets what JSON made of it.
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.today>>, string>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.count>>, number>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.subtract>>, number>>();
  expectTrue<Equal<Parameters<typeof remote.methods.sum>, number[]>>();

  await remote.methods.subtract(42, 23);
  await remote.methods.parse("1.5");
  await remote.methods.greet("ann");
  await remote.methods.greet("ann", "hello");
  await remote.methods.sum(1, 2, 3);
  await remote.methods.secret("k");
  await remote.call("subtract", { minuend: 42, subtrahend: 23 });

  // @ts-expect-error -- the client sends the schema's input (a string), not the handler's number
  await remote.methods.parse(1.5);
  // @ts-expect-error -- a missing param the schema requires
  await remote.methods.subtract(42);
  // @ts-expect-error -- the context is never sent by callers
  await remote.methods.greet("ann", "hello", {} as CallContext);
  // @ts-expect-error -- a Date arrives as a string (its toJSON), so it is typed as one
  const wrong: Date = await remote.methods.today();
  // @ts-expect-error -- rest items are numbers
  await remote.methods.sum(1, "2");
  console.log(wrong);
}

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

  @publicMethod({ context: true })
  whoami(ctx: CallContext) {
    return ctx.method;
  }

  @publicMethod({ input: z.tuple([z.number(), z.number()]), output: z.number() })
  add(a: number, b: number) {
    return a + b;
  }

  apiTokenIsValid(token: string) {
    return token === "hello_world_token";
  }
}

class Mismatched extends MicroService {
  name = "mismatched";

  // @ts-expect-error -- the method's parameters must take the schema's output
  @publicMethod({ input: z.tuple([z.number()]) })
  wrong_params(text: string) {
    return text;
  }

  // @ts-expect-error -- the method's result must fit the result schema
  @publicMethod({ output: z.string() })
  wrong_result() {
    return 42;
  }

  // @ts-expect-error -- a method that asks for the context must declare it last
  @publicMethod({ input: z.tuple([z.number()]), context: true })
  no_context(n: number, ctx: string) {
    return n + ctx.length;
  }
}

class NotAService {
  // @ts-expect-error -- the decorators mark methods of MicroService classes only
  @publicMethod
  hello() {
    return "hi";
  }
}

/** A class-style service types a client too: its own methods, without the context, without its settings. */
export async function classClient(): Promise<void> {
  const remote = createClient<HelloWorldService>("http://127.0.0.1:5000/api");
  expectTrue<Equal<Parameters<typeof remote.methods.say_hello>, [name: string]>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.say_private_hello>>, string>>();
  expectTrue<Equal<Parameters<typeof remote.methods.whoami>, []>>();
  expectTrue<Equal<Awaited<ReturnType<typeof remote.methods.add>>, number>>();
  await remote.methods.say_hello("world");
  // @ts-expect-error -- a number where a string goes
  await remote.methods.say_hello(1);
  // @ts-expect-error -- settings are not remote methods
  await remote.methods.apiTokenIsValid("t");
  // @ts-expect-error -- nor are the base class's members
  await remote.methods.toService();
  console.log(new Mismatched(), new NotAService());
}

/** An object schema: the handler takes the checked object, callers send one object (named params). */
export async function objectSchemas(): Promise<void> {
  const people = new Service({ name: "people" }) // eslint-disable-line @typescript-eslint/no-unused-vars -- its type is the test
    .publicMethod(
      "describe",
      (person) => {
        expectTrue<Equal<typeof person, { name: string; age: number; nick?: string | undefined }>>();
        return `${person.nick ?? person.name} is ${person.age}`;
      },
      { input: z.object({ name: z.string(), age: z.number(), nick: z.string().optional() }) },
    )
    .publicMethod(
      "greet",
      ({ name }, ctx) => {
        const plain: CallContext = ctx; // a context typed by the service's methods is a CallContext
        console.log(plain.method);
        return `hi ${name} (${ctx.method})`;
      },
      { input: z.object({ name: z.string() }), context: true },
    )
    .publicMethod("age_in", (input) => input.years + 1, { input: z.object({ years: z.string().transform(Number) }) });
  const remote = createClient<typeof people>("http://127.0.0.1:5000/api");
  // The names show in the client's signature: one object, the schema's input.
  expectTrue<Equal<Parameters<typeof remote.methods.describe>, [params: { name: string; age: number; nick?: string | undefined }]>>();
  expectTrue<Equal<Parameters<typeof remote.methods.greet>, [params: { name: string }]>>();
  expectTrue<Equal<Parameters<typeof remote.methods.age_in>, [params: { years: string }]>>();
  await remote.methods.describe({ name: "ann", age: 30 });
  await remote.methods.greet({ name: "ann" });
  // @ts-expect-error -- a missing key
  await remote.methods.describe({ name: "ann" });
  // @ts-expect-error -- positional arguments are not the object
  await remote.methods.describe("ann", 30);
  // @ts-expect-error -- the client sends the schema's input (a string), not the handler's number
  await remote.methods.age_in({ years: 3 });
  // @ts-expect-error -- a handler that asks for a key the schema does not have
  new Service({ name: "x" }).publicMethod("bad", ({ missing }: { missing: string }) => missing, { input: z.object({ name: z.string() }) });
}

/** Class style: helpers kept private, protected or #private are not remote methods, nor typed as such. */
export async function classHelpers(): Promise<void> {
  class Orders extends MicroService {
    name = "orders";
    @publicMethod total(prices: number[]) {
      return this.sum(prices) + this.tax() + this.#rounding();
    }
    @publicMethod({ params: ["name", "greeting?"] })
    greet(name: string, greeting?: string) {
      return `${greeting ?? "hi"} ${name}`;
    }
    protected sum(prices: number[]) {
      return prices.reduce((total, price) => total + price, 0);
    }
    private tax() {
      return 0;
    }
    #rounding() {
      return 0;
    }
  }
  const remote = createClient<Orders>("http://127.0.0.1:5000/api");
  expectTrue<Equal<keyof typeof remote.methods, "total" | "greet">>();
  // Every parameter is required: the class's type cannot carry the decorator's `params`.
  expectTrue<Equal<Parameters<typeof remote.methods.greet>, [name: string, greeting: string]>>();
  await remote.methods.total([1, 2]);
  // @ts-expect-error -- a protected helper is not a remote method
  await remote.methods.sum([1]);
  // @ts-expect-error -- nor a private one
  await remote.methods.tax();
}

/** A decorator whose options the method does not fit: the error names what does not fit. */
export function decoratorMismatch(): void {
  type Input = { readonly input: z.ZodTuple<[z.ZodNumber], null> };
  type Output = { readonly output: z.ZodString };
  expectTrue<Equal<FitsOptions<(a: number) => string, Input>, unknown>>();
  expectTrue<Equal<FitsOptions<(text: string) => string, Input>["~mismatch"],
    "the method's parameters do not take the input schema's output, then the context with context: true (see expected)">>();
  expectTrue<Equal<FitsOptions<() => number, Output>["~mismatch"], "the method's result does not fit the output schema (see expected)">>();
}
