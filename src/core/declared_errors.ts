/**
 * Declared errors: the application errors a method may answer, named, with a code, a message and
 * the shape of their `data`, as part of its contract. Given as a method's `errors` option, they are
 * listed by `rpc.discover` (OpenRPC's `errors`) and by `openapi()`, and they type the client's
 * `isRpcError(error, remote.methods.m, code)`. `declareErrors()` makes a typed helper of each, so a
 * handler throws one with the data its declaration says.
 *
 * Nothing here runs on a call: the core carries the declarations as data, and the types do the
 * checking (the `data` schema is not run on what a handler throws).
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";
import type { JsonSchema } from "./method_schemas.ts";
import type { InferOutput, StandardSchemaV1 } from "./standard_schema.ts";

/**
 * One application error a method may answer.
 *
 * @example
 * ```ts
 * import type { ErrorDeclaration } from "./declared_errors.ts";
 * const notFound: ErrorDeclaration = { code: 1404, message: "No such order", status: 404 };
 * ```
 */
export interface ErrorDeclaration {
  /** The JSON-RPC error code: an integer outside JSON-RPC's reserved -32768 to -32000. */
  readonly code: number;
  /** The message the error carries, one short sentence. */
  readonly message: string;
  /**
   * The shape of the error's `data`: a Standard Schema (zod, valibot…: it types the data, and
   * `openapi()` shows its JSON Schema) or a JSON Schema (shown as it is; the data is then typed
   * `unknown`). Without it, the error has no data. (OpenRPC's error objects have no place for it.)
   */
  readonly data?: StandardSchemaV1 | JsonSchema | undefined;
  /** The HTTP status `openapi()`'s plain routes answer it with. Default 400. */
  readonly status?: number | undefined;
}

/**
 * A method's declared errors, by name (`NOT_FOUND`, `OUT_OF_STOCK`…): the `errors` method option.
 *
 * @example
 * ```ts
 * import type { ErrorDeclarations } from "./declared_errors.ts";
 * const errors = {
 *   NOT_FOUND: { code: 1404, message: "No such order" },
 *   OUT_OF_STOCK: { code: 1409, message: "Out of stock" },
 * } as const satisfies ErrorDeclarations;
 * ```
 */
export type ErrorDeclarations = Readonly<Record<string, ErrorDeclaration>>;

/**
 * The type of a declared error's `data`: its Standard Schema's output, `unknown` for a JSON
 * Schema, `undefined` without a schema.
 *
 * @typeParam E The declaration.
 * @example
 * ```ts
 * import type { DataOf } from "./declared_errors.ts";
 * const none: DataOf<{ code: 1; message: "m" }> = undefined;
 * ```
 */
export type DataOf<E> = E extends { readonly data: infer S }
  ? S extends undefined ? undefined : S extends StandardSchemaV1 ? InferOutput<S> : unknown
  : undefined;

/**
 * The errors of declarations as a union of `{ code, data }`, each code a literal: what a method's
 * signature carries (type only) for the typed client.
 *
 * @typeParam D The declarations.
 * @example
 * ```ts
 * import type { ErrorUnion } from "./declared_errors.ts";
 * const error: ErrorUnion<{ NOT_FOUND: { code: 1404; message: "No such order" } }> = { code: 1404, data: undefined };
 * ```
 */
export type ErrorUnion<D> = { [K in keyof D]: { readonly code: D[K] extends { readonly code: infer C } ? C : never; readonly data: DataOf<D[K]> } }[keyof D];

/**
 * What a method's type carries when it declares errors (type only, never set at run time): the
 * typed client reads it back in `isRpcError`.
 *
 * @typeParam Options The method's options.
 * @example
 * ```ts
 * import type { ErrorsMark } from "./declared_errors.ts";
 * type Mark = ErrorsMark<{ errors: { GONE: { code: 1410; message: "Gone" } } }>;
 * const mark: Mark = {}; // { readonly "~errors"?: { code: 1410; data: undefined } }
 * ```
 */
export type ErrorsMark<Options> = Options extends { readonly errors: infer D extends ErrorDeclarations }
  ? { readonly "~errors"?: ErrorUnion<D> }
  : unknown;

/**
 * A declared error's helper: call it (with the data, when the declaration has a schema) to get the
 * `RpcError` to throw. It carries the declaration's members too, so the helpers serve as the
 * method's `errors` option.
 *
 * @typeParam E The declaration.
 * @example
 * ```ts
 * import { declareErrors, type ErrorHelper } from "./declared_errors.ts";
 * const gone: ErrorHelper<{ readonly code: 1410; readonly message: "Gone" }> = declareErrors({ GONE: { code: 1410, message: "Gone" } }).GONE;
 * throw gone();
 * ```
 */
export type ErrorHelper<E extends ErrorDeclaration> = E & (DataOf<E> extends undefined
  ? () => RpcError<E["code"], undefined>
  : (data: DataOf<E>) => RpcError<E["code"], DataOf<E>>);

/**
 * What {@linkcode declareErrors} gives: one helper per declared error, by the same names.
 *
 * @typeParam D The declarations.
 * @example
 * ```ts
 * import { declareErrors, type DeclaredErrors } from "./declared_errors.ts";
 * const errors: DeclaredErrors<{ readonly GONE: { readonly code: 1410; readonly message: "Gone" } }> =
 *   declareErrors({ GONE: { code: 1410, message: "Gone" } });
 * ```
 */
export type DeclaredErrors<D extends ErrorDeclarations> = { readonly [K in keyof D]: ErrorHelper<D[K]> };

/**
 * Checks a method's error declarations and makes a typed helper of each: `errors.NOT_FOUND({ id })`
 * is the `RpcError` (code, message and data as declared) for a handler to throw, and a wrong data
 * shape is a compile error. Give the result as the method's `errors` option too.
 *
 * @param declarations The errors by name: code, message, and optionally a `data` schema and the
 *   HTTP `status` for `openapi()`.
 * @returns One helper per error, carrying its declaration.
 * @throws {TypeError} When a code is not an integer or falls in JSON-RPC's reserved range (-32768
 *   to -32000, the protocol's own errors), two errors share a code, or a message is not a string.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { declareErrors } from "./declared_errors.ts";
 * import { Service } from "./service.ts";
 * import { schemas } from "../plugins/schemas/schemas.ts";
 *
 * const orderErrors = declareErrors({
 *   NOT_FOUND: { code: 1404, message: "No such order", data: z.object({ id: z.string() }), status: 404 },
 * });
 * const orders = new Service({ name: "orders" })
 *   .use(schemas())
 *   .publicMethod("get_order", (id: string) => {
 *     throw orderErrors.NOT_FOUND({ id }); // answers {"code":1404,"message":"No such order","data":{"id":…}}
 *   }, { errors: orderErrors });
 * ```
 */
export function declareErrors<const D extends ErrorDeclarations>(declarations: D): DeclaredErrors<D> {
  const helpers: Record<string, unknown> = {};
  const codes = new Set<number>();
  for (const [name, declaration] of Object.entries(declarations)) {
    const { code, message } = declaration;
    if (!Number.isInteger(code) || (code >= -32768 && code <= -32000)) {
      throw new TypeError(`Error ${name}: the code must be an integer outside -32768 to -32000 (JSON-RPC's own), got ${String(code)}`);
    }
    if (codes.has(code)) throw new TypeError(`Error ${name}: code ${code} is declared twice`);
    codes.add(code);
    if (typeof message !== "string") throw new TypeError(`Error ${name}: the message must be a string`);
    const helper = (data?: unknown): RpcError => new RpcError(code, message, data);
    // The declaration's members on the helper, so the helpers are a declaration themselves.
    helpers[name] = Object.assign(helper, declaration);
  }
  return helpers as DeclaredErrors<D>;
}
