/**
 * A method's params and result as JSON Schema, for `rpc.discover` and what is built on it.
 *
 * @module
 */

/**
 * A JSON Schema (draft 7, as OpenRPC uses it); `{}` and `true` accept any value.
 *
 * @example
 * ```ts
 * import type { JsonSchema } from "./method_schemas.ts";
 * const point: JsonSchema = { type: "object", properties: { x: { type: "number" }, y: { type: "number" } } };
 * ```
 */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/**
 * JSON Schemas for a method's params (in order) and result, filled from its Standard Schemas'
 * JSON Schema; any left out is `{}`.
 *
 * @example
 * ```ts
 * import type { MethodSchemas } from "./method_schemas.ts";
 * const schemas: MethodSchemas = { params: [{ type: "number" }, { type: "number" }], result: { type: "number" }, required: 2 };
 * ```
 */
export interface MethodSchemas {
  /** One schema per fixed parameter, in order. */
  readonly params?: readonly (JsonSchema | undefined)[];
  /** The schema of the rest parameter's items. */
  readonly rest?: JsonSchema;
  /** The result's schema. */
  readonly result?: JsonSchema;
  /** Which params are required, when a schema decides: a leading count (tuple) or names (object). */
  readonly required?: number | readonly string[];
}
