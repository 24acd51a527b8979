// Type tests of optional params, checked by `npx tsc --noEmit -p .` (never run): the typed client
// lets a caller leave out exactly the params the service lets them leave out. TypeScript erases
// `?` (the service sees `(name, greeting)`), so a param is optional for callers only where the
// `params` option marks it (`"greeting?"`). test/params.test.ts checks the run-time side.
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters -- the checks live in type arguments */
import { type CallContext, createClient, Service } from "../../mod.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

export const service = new Service({ name: "optional" })
  .publicMethod("declared", (name: string, greeting?: string) => `${greeting ?? "hi"} ${name}`, { params: ["name", "greeting?"] })
  .publicMethod("undeclared", (name: string, greeting?: string) => `${greeting ?? "hi"} ${name}`)
  .publicMethod("defaulted", (name: string, greeting = "hi") => `${greeting} ${name}`)
  .publicMethod("fewer", (a: number, b = 1) => a + b, { params: ["a"] })
  .publicMethod("rest", (first: number, ...others: number[]) => first + others.length, { params: ["first", "...others"] })
  .publicMethod("with_context", (name: string, greeting: string | undefined, ctx: CallContext) => `${greeting ?? ctx.method} ${name}`, {
    params: ["name", "greeting?"],
    context: true,
  });

/** What the typed client accepts, method by method. */
export async function optionalParams(): Promise<void> {
  const remote = createClient<typeof service>("http://127.0.0.1:5000/api");
  // The declaration decides, and the parameter names stay in the signature.
  expectTrue<Equal<Parameters<typeof remote.methods.declared>, [name: string, greeting?: string]>>();
  expectTrue<Equal<Parameters<typeof remote.methods.undeclared>, [name: string, greeting: string]>>();
  expectTrue<Equal<Parameters<typeof remote.methods.with_context>, [name: string, greeting?: string]>>();
  expectTrue<Equal<Parameters<typeof remote.methods.rest>, [first: number, ...others: number[]]>>();

  await remote.methods.declared("ann");
  await remote.methods.declared("ann", "hello");
  await remote.methods.undeclared("ann", "hello");
  await remote.methods.defaulted("ann", "hello");
  await remote.methods.fewer(1);
  await remote.methods.rest(1, 2, 3);
  await remote.methods.with_context("ann");
  // @ts-expect-error -- `?` alone is erased: the service requires greeting, so the client does
  await remote.methods.undeclared("ann");
  // @ts-expect-error -- nor can the types see a default: declare it optional with `params: ["name", "greeting?"]`
  await remote.methods.defaulted("ann");
  // @ts-expect-error -- the service takes only the declared params
  await remote.methods.fewer(1, 2);
  // @ts-expect-error -- one too many
  await remote.methods.declared("ann", "hello", "again");
}
