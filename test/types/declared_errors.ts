// Type tests of declared errors, checked by `npx tsc --noEmit -p .` (never run): a declared
// error's helper takes the data its schema says; the typed client narrows an RpcError to a declared
// code with its data typed as JSON carries it; an undeclared code, or data of the wrong shape, is a
// compile error. Each `@ts-expect-error` line must fail to compile.
/* eslint-disable @typescript-eslint/no-unnecessary-type-parameters, @typescript-eslint/no-unused-vars --
   the checks live in type arguments, and values exist for their types */
import { z } from "zod";
import { createClient, declareErrors, isRpcError, RpcError, Service } from "../../mod.ts";
import { schemas } from "../../src/plugins/schemas/schemas.ts";
import { testClient } from "../../src/testing/mod.ts";

/** True when two types are the same. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when given `true`. */
function expectTrue<T extends true>(): T | undefined {
  return undefined;
}

const orderErrors = declareErrors({
  NOT_FOUND: { code: 1404, message: "No such order", data: z.object({ id: z.string(), at: z.date() }), status: 404 },
  OUT_OF_STOCK: { code: 1409, message: "Out of stock" },
  ODD: { code: 1422, message: "Odd", data: { type: "object" } },
});

// The helpers: data as the schema says, none without a schema.
const notFound = orderErrors.NOT_FOUND({ id: "42", at: new Date() });
expectTrue<Equal<typeof notFound, RpcError<1404, { id: string; at: Date }>>>();
const outOfStock = orderErrors.OUT_OF_STOCK();
expectTrue<Equal<typeof outOfStock, RpcError<1409, undefined>>>();
expectTrue<Equal<typeof outOfStock.code, 1409>>();
const odd = orderErrors.ODD({ anything: true }); // a JSON Schema types nothing
expectTrue<Equal<typeof odd, RpcError<1422>>>();
expectTrue<Equal<typeof orderErrors.NOT_FOUND.code, 1404>>();
// @ts-expect-error -- data of the wrong shape
orderErrors.NOT_FOUND({ id: 42, at: new Date() });
// @ts-expect-error -- data missing
orderErrors.NOT_FOUND();
// @ts-expect-error -- an error without a data schema takes no data
orderErrors.OUT_OF_STOCK({ id: "42" });
// @ts-expect-error -- an error that is not declared
console.log(orderErrors.GONE);

export const orders = new Service({ name: "orders" })
  .use(schemas())
  .publicMethod("get_order", (id: string) => {
    if (id === "") throw orderErrors.OUT_OF_STOCK();
    throw orderErrors.NOT_FOUND({ id, at: new Date() });
  }, { errors: orderErrors })
  // A plain record is a declaration too (literal codes come through `const` options).
  .publicMethod("cancel", (id: string) => id, { errors: { GONE: { code: 1410, message: "Gone", data: z.object({ since: z.number() }) } } })
  .publicMethod("plain", () => 1);

/** The client narrows by declared code, with typed data. */
export async function narrowing(): Promise<void> {
  const remote = createClient<typeof orders>("http://127.0.0.1:5000/api");
  try {
    await remote.methods.get_order("42");
  } catch (error) {
    if (isRpcError(error, remote.methods.get_order, 1404)) {
      // A Date arrives as a string, as for results.
      expectTrue<Equal<typeof error, RpcError<1404, { id: string; at: string }>>>();
      expectTrue<Equal<typeof error.data.id, string>>();
    }
    if (isRpcError(error, remote.methods.get_order, 1409)) expectTrue<Equal<typeof error.data, undefined>>();
    if (isRpcError(error, remote.methods.cancel, 1410)) expectTrue<Equal<typeof error.data.since, number>>();
    // @ts-expect-error -- a code the method does not declare
    isRpcError(error, remote.methods.get_order, 1410);
    // @ts-expect-error -- a method that declares no errors has no declared codes
    isRpcError(error, remote.methods.plain, 1404);
    // Any code, untyped data, without the method.
    if (isRpcError(error, -32602)) expectTrue<Equal<typeof error, RpcError<-32602>>>();
  }
  // The same through with(options), connect() and testClient().
  const scoped = remote.with({ timeout: 1_000 });
  try {
    await scoped.methods.get_order("42");
  } catch (error) {
    if (isRpcError(error, scoped.methods.get_order, 1404)) expectTrue<Equal<typeof error.data.at, string>>();
  }
  const local = testClient(orders);
  try {
    await local.methods.get_order("42");
  } catch (error) {
    if (isRpcError(error, local.methods.get_order, 1409)) expectTrue<Equal<typeof error.code, 1409>>();
  }
  // Methods without errors keep their plain function type.
  expectTrue<Equal<typeof remote.methods.plain, () => Promise<number>>>();
}
