/**
 * `isRpcError`: narrows what a call threw to one of the method's declared errors, by code, with its
 * `data` typed as declared (and as JSON carries it).
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { Jsonified } from "./types.ts";

/**
 * The errors a client method declares, as a union of `{ code, data }` (read from its type-only
 * `"~errors"` member, which a service's method with an `errors` option carries); `never` when it
 * declares none.
 *
 * @typeParam F A client method, such as `typeof remote.methods.get_order`.
 * @example
 * ```ts
 * import type { DeclaredErrorsOf } from "./is_rpc_error.ts";
 * type GetOrder = ((id: string) => Promise<unknown>) & { readonly "~errors"?: { code: 1404; data: { id: string } } };
 * const error: DeclaredErrorsOf<GetOrder> = { code: 1404, data: { id: "42" } };
 * ```
 */
export type DeclaredErrorsOf<F> = F extends { readonly "~errors"?: infer E } ? Exclude<E, undefined> : never;

/**
 * The `RpcError` a client receives for a method's declared error of code `C`: that code, and the
 * declared data as it arrives through JSON.
 *
 * @typeParam F A client method.
 * @typeParam C One of its declared codes.
 * @example
 * ```ts
 * import type { DeclaredRpcError } from "./is_rpc_error.ts";
 * type GetOrder = ((id: string) => Promise<unknown>) & { readonly "~errors"?: { code: 1404; data: { at: Date } } };
 * type NotFound = DeclaredRpcError<GetOrder, 1404>; // RpcError<1404, { at: string }>
 * ```
 */
export type DeclaredRpcError<F, C extends number> = DeclaredErrorsOf<F> extends infer E
  // No data stays no data (Jsonified would make it null, as for a result).
  ? E extends { readonly code: C; readonly data: infer D } ? RpcError<C, [D] extends [undefined] ? undefined : Jsonified<D>> : never
  : never;

/**
 * Tells whether `error` (what a call threw) is an `RpcError` with this code. Given the client
 * method, the code must be one the method declares (a compile error otherwise), and the error is
 * narrowed to that declared error: its `data` is typed.
 *
 * @param error What was thrown.
 * @param method The client method that was called (its type declares the errors; not used at run time).
 * @param code One of the method's declared codes.
 * @returns Whether `error` is an `RpcError` with `code`.
 * @example
 * ```ts
 * import { createClient, isRpcError } from "../../mod.ts";
 * import { Service } from "../core/service.ts";
 * const orders = new Service({ name: "orders" }).publicMethod("get_order", (id: string) => ({ id }), {
 *   errors: { NOT_FOUND: { code: 1404, message: "No such order" } },
 * });
 * const remote = createClient<typeof orders>("http://127.0.0.1:5000/api");
 * try {
 *   await remote.methods.get_order("42");
 * } catch (error) {
 *   if (isRpcError(error, remote.methods.get_order, 1404)) console.log("not found", error.data); // data: undefined
 * }
 * ```
 */
export function isRpcError<F extends { readonly "~errors"?: { readonly code: number } }, const C extends DeclaredErrorsOf<F>["code"]>(
  error: unknown,
  method: F,
  code: C,
): error is DeclaredRpcError<F, C>;
/**
 * Tells whether `error` (what a call threw) is an `RpcError` with this code (its `data` untyped).
 *
 * @param error What was thrown.
 * @param code The code.
 * @returns Whether `error` is an `RpcError` with `code`.
 * @example
 * ```ts
 * import { createClient, isRpcError } from "../../mod.ts";
 * try {
 *   await createClient("http://127.0.0.1:5000/api").call("divide", [1, 0]);
 * } catch (error) {
 *   if (isRpcError(error, 1)) console.log(error.message);
 * }
 * ```
 */
export function isRpcError<const C extends number>(error: unknown, code: C): error is RpcError<C>;
export function isRpcError(error: unknown, ...rest: unknown[]): boolean {
  return error instanceof RpcError && error.code === rest[rest.length - 1];
}
