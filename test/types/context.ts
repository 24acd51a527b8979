// Type tests of the call context, checked by `npx tsc --noEmit -p .` (never run): an unannotated
// `ctx` of a handler that takes only the context is typed; `ctx.call` is typed by the methods
// registered before; client.with(options) keeps the typed methods. Each `@ts-expect-error` line
// must fail to compile.
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters, @typescript-eslint/no-unused-vars --
   the checks live in type arguments, and values exist for their types */
import { type CallContext, type ContextOf, createClient, Service } from "../../mod.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

const base = new Service({ name: "context", apiTokenIsValid: (token) => token === "t" })
  .publicMethod("add", (a: number, b: number) => a + b)
  .publicMethod("when", () => new Date());

export const service = base
  .publicMethod("who", (ctx) => {
    expectTrue<Equal<typeof ctx.method, string>>();
    const plain: CallContext = ctx;
    return plain.method;
  }, { context: true })
  .privateMethod("four", async (ctx) => {
    // In process: the handler's own result type, a Date stays a Date.
    const sum = await ctx.call("add", [2, 2]);
    expectTrue<Equal<typeof sum, number>>();
    const when = await ctx.call("when");
    expectTrue<Equal<typeof when, Date>>();
    // Named params, and any other name (registered later, say), with an unknown result.
    await ctx.call("add", { a: 1, b: 2 });
    const later = await ctx.call("later");
    expectTrue<Equal<typeof later, unknown>>();
    // @ts-expect-error -- positional params of a known method are checked
    await ctx.call("add", ["2", 2]);
    return sum;
  }, { context: true })
  .publicMethod("double", async (n: number, ctx: ContextOf<typeof base>) => {
    const sum = await ctx.call("add", [n, n]);
    expectTrue<Equal<typeof sum, number>>();
    return sum;
  }, { context: true });

/** The client never sends the context, and with(options) keeps the typed methods. */
export async function calls(): Promise<void> {
  const remote = createClient<typeof service>("http://127.0.0.1:5000/api");
  expectTrue<Equal<Parameters<typeof remote.methods.who>, []>>();
  expectTrue<Equal<Parameters<typeof remote.methods.double>, [n: number]>>();
  const controller = new AbortController();
  const scoped = remote.with({ signal: controller.signal, timeout: 1_000 });
  const sum = await scoped.methods.add(1, 2);
  expectTrue<Equal<typeof sum, number>>();
  await scoped.notifications.who();
  // @ts-expect-error -- the options are not an argument of the method
  await scoped.methods.add(1, 2, { signal: controller.signal });
  // @ts-expect-error -- nor are wrong arguments accepted through with()
  await scoped.methods.add("1", 2);
  // @ts-expect-error -- an unknown option
  remote.with({ retries: 3 });
}

// @ts-expect-error -- params before the context: annotate the context (TypeScript cannot type a last parameter after others)
new Service({ name: "x" }).publicMethod("bad", (n: number, ctx) => `${n} ${String(ctx)}`, { context: true });
