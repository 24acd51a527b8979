/**
 * JSON Schemas for `rpc.discover`, through the Standard JSON Schema extension; a schema without it,
 * or not expressible (a transform, say), is `{}`, which accepts anything.
 *
 * @module
 */

import type { JsonSchema, MethodSchemas } from "../../core/introspection.ts";
import type { ParamList } from "../../core/params.ts";
import type { StandardSchemaV1 } from "../../core/standard_schema.ts";

// OpenRPC documents use draft 7; 2020-12 is the fallback.
const TARGETS = ["draft-07", "draft-2020-12"] as const;

/**
 * A JSON Schema object, as a converter gives it.
 *
 * @example
 * ```ts
 * import type { JsonObject } from "./json_schema.ts";
 * const schema: JsonObject = { type: "object", properties: { name: { type: "string" } } };
 * ```
 */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Builds the JSON Schemas of a method's params and result from its Standard Schemas: the argument
 * list's input side split per parameter (`prefixItems` or an `items` array; trailing items go to
 * the rest parameter; `minItems` gives the required count), and the result's output side.
 *
 * @param input The schema of the argument list, if any.
 * @param output The schema of the result, if any.
 * @param params The method's parameter list (its names).
 * @param list The input schema's JSON Schema, when already read. Default: read from `input`.
 * @returns The schemas, with `{}` where none could be read.
 * @example
 * ```ts
 * import { methodSchemas } from "./json_schema.ts";
 * import { paramListFromSpec } from "../../core/params.ts";
 * const result = {
 *   "~standard": {
 *     version: 1 as const,
 *     vendor: "example",
 *     validate: (value: unknown) => ({ value }),
 *     jsonSchema: { input: () => ({ type: "number" }), output: () => ({ type: "number" }) },
 *   },
 * };
 * methodSchemas(undefined, result, paramListFromSpec(["a"])); // { result: { type: "number" } }
 * ```
 */
export function methodSchemas(
  input: StandardSchemaV1 | undefined,
  output: StandardSchemaV1 | undefined,
  params: ParamList,
  list: JsonObject | undefined = input === undefined ? undefined : inputJsonSchema(input),
): MethodSchemas {
  const result = output === undefined ? undefined : jsonSchemaOf(output, "output");
  if (input === undefined) return result === undefined ? {} : { result };
  const parts = list === undefined ? undefined : splitTuple(list, params.names.length);
  return {
    ...(parts?.params === undefined ? {} : { params: parts.params }),
    ...(parts?.rest === undefined ? {} : { rest: parts.rest }),
    ...(result === undefined ? {} : { result }),
    ...(parts?.required === undefined ? {} : { required: Math.min(parts.required, params.names.length) }),
  };
}

/**
 * What an object schema of the params says of them (input side): property names in order, their
 * schemas, the required names.
 *
 * @param input The `input` schema of a method, or its JSON Schema already read (see
 *   {@linkcode inputJsonSchema}).
 * @returns The shape, or `undefined` when the schema is not an object with `properties` (or has no
 *   JSON Schema): then it is a schema of the argument list.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { objectShape } from "./json_schema.ts";
 * objectShape(z.object({ name: z.string(), age: z.number().optional() }));
 * // { keys: ["name", "age"], params: [{ type: "string" }, { type: "number" }], required: ["name"] }
 * ```
 */
export function objectShape(input: StandardSchemaV1 | JsonObject | undefined): ObjectShape | undefined {
  const schema = input === undefined || !("~standard" in input) ? input : jsonSchemaOf(input as StandardSchemaV1, "input");
  const properties = schema?.["properties"];
  if (schema === undefined || schema["type"] !== "object" || !isObject(properties)) return undefined;
  const definitions = definitionsOf(schema);
  const keys = Object.keys(properties);
  const required = Array.isArray(schema["required"]) ? (schema["required"] as unknown[]).filter((key) => typeof key === "string") : [];
  return {
    keys,
    params: keys.map((key) => {
      const part = properties[key];
      return typeof part === "boolean" ? part : !isObject(part) ? {} : definitions === undefined ? part : { ...definitions, ...part };
    }),
    required: required.filter((key) => keys.includes(key)),
  };
}

/**
 * The params of a method whose `input` is an object schema, as {@linkcode objectShape} reads them.
 *
 * @example
 * ```ts
 * import type { ObjectShape } from "./json_schema.ts";
 * const shape: ObjectShape = { keys: ["name"], params: [{ type: "string" }], required: ["name"] };
 * ```
 */
export interface ObjectShape {
  /** The property names, in the schema's order (the order of positional params). */
  readonly keys: readonly string[];
  /** Each property's JSON Schema, in that order. */
  readonly params: readonly JsonSchema[];
  /** The names of the required properties. */
  readonly required: readonly string[];
}

/**
 * The JSON Schema of what a schema accepts (its input side), without `$schema`.
 *
 * @param schema A Standard Schema.
 * @returns Its JSON Schema, or `undefined` when it cannot give one.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { inputJsonSchema } from "./json_schema.ts";
 * inputJsonSchema(z.string()); // { type: "string" }
 * ```
 */
export function inputJsonSchema(schema: StandardSchemaV1): JsonObject | undefined {
  return jsonSchemaOf(schema, "input");
}

function jsonSchemaOf(schema: StandardSchemaV1, side: "input" | "output"): JsonObject | undefined {
  const converter = schema["~standard"].jsonSchema;
  if (typeof converter !== "object" || typeof converter[side] !== "function") return undefined;
  for (const target of TARGETS) {
    try {
      const written: unknown = converter[side]({ target });
      if (isObject(written)) return withoutDialect(written);
    } catch {
      // Not every schema can be written in every dialect: try the next.
    }
  }
  return undefined;
}

function splitTuple(
  list: JsonObject,
  count: number,
): { params?: JsonSchema[]; rest?: JsonSchema; required?: number } {
  const definitions = definitionsOf(list);
  const attach = (part: unknown): JsonSchema | undefined => {
    if (typeof part === "boolean") return part;
    if (!isObject(part)) return undefined;
    // A `$ref` into the list's definitions must still resolve once the part stands alone.
    return definitions === undefined ? part : { ...definitions, ...part };
  };
  let prefix: readonly unknown[] | undefined;
  let trailing: unknown;
  if (Array.isArray(list["prefixItems"])) {
    prefix = list["prefixItems"] as readonly unknown[];
    trailing = list["items"];
  } else if (Array.isArray(list["items"])) {
    prefix = list["items"] as readonly unknown[];
    trailing = list["additionalItems"];
  } else {
    trailing = list["items"];
  }
  const rest = trailing === false ? undefined : attach(trailing);
  const params: JsonSchema[] = [];
  for (let index = 0; index < count; index++) params.push(attach(prefix?.[index]) ?? rest ?? {});
  const minItems = list["minItems"];
  return {
    params,
    ...(rest === undefined ? {} : { rest }),
    ...(typeof minItems === "number" && Number.isInteger(minItems) && minItems >= 0 ? { required: minItems } : {}),
  };
}

function definitionsOf(schema: JsonObject): JsonObject | undefined {
  const found: Record<string, unknown> = {};
  for (const key of ["$defs", "definitions"]) if (isObject(schema[key])) found[key] = schema[key];
  return Object.keys(found).length === 0 ? undefined : found;
}

// The OpenRPC document already says which dialect it uses.
function withoutDialect(schema: JsonObject): JsonObject {
  if (!Object.hasOwn(schema, "$schema")) return schema;
  const copy: Record<string, unknown> = { ...schema };
  delete copy["$schema"];
  return copy;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
