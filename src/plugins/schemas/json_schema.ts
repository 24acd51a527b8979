/**
 * JSON Schemas for `rpc.discover`, read from a method's Standard Schemas through the Standard JSON
 * Schema extension (`~standard.jsonSchema`). A schema that lacks the extension, or cannot be written
 * as JSON Schema (a transform, say), is described as `{}`, which accepts anything.
 *
 * @module
 */

import type { JsonSchema, MethodSchemas } from "../../core/introspection.ts";
import type { ParamList } from "../../core/params.ts";
import type { StandardSchemaV1 } from "../../core/standard_schema.ts";

/** The dialects asked for, in order: OpenRPC documents use draft 7; 2020-12 is the fallback. */
const TARGETS = ["draft-07", "draft-2020-12"] as const;

type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Builds the JSON Schemas of a method's params and result from its Standard Schemas.
 *
 * The params' schema is the input side of the argument list's schema (what callers send), split
 * into one schema per parameter: from `prefixItems` (draft 2020-12) or an `items` array (draft 7),
 * the trailing items schema going to the rest parameter. How many params are required comes from
 * `minItems` (at most the count of fixed params), and is left out when the schema does not say. The
 * result's schema is the output side of the result schema (what callers receive).
 *
 * @param input The schema of the argument list, if any.
 * @param output The schema of the result, if any.
 * @param params The method's parameter list (its names).
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
): MethodSchemas {
  const result = output === undefined ? undefined : jsonSchemaOf(output, "output");
  if (input === undefined) return result === undefined ? {} : { result };
  const list = jsonSchemaOf(input, "input");
  const parts = list === undefined ? undefined : splitTuple(list, params.names.length);
  return {
    ...(parts?.params === undefined ? {} : { params: parts.params }),
    ...(parts?.rest === undefined ? {} : { rest: parts.rest }),
    ...(result === undefined ? {} : { result }),
    ...(parts?.required === undefined ? {} : { required: Math.min(parts.required, params.names.length) }),
  };
}

/** The JSON Schema of one side of a schema, or `undefined` when it cannot give one. */
function jsonSchemaOf(schema: StandardSchemaV1, side: "input" | "output"): JsonObject | undefined {
  const converter = schema["~standard"].jsonSchema;
  if (typeof converter !== "object" || typeof converter[side] !== "function") return undefined;
  for (const target of TARGETS) {
    try {
      const written: unknown = converter[side]({ target });
      if (isObject(written)) return withoutDialect(written);
    } catch {
      // Not every schema can be written as JSON Schema, nor in every dialect: try the next one.
    }
  }
  return undefined;
}

/** One schema per fixed parameter, the rest parameter's item schema, and the count of required params. */
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

/** The `$defs` and `definitions` of a schema, to carry into its parts; `undefined` when it has none. */
function definitionsOf(schema: JsonObject): JsonObject | undefined {
  const found: Record<string, unknown> = {};
  for (const key of ["$defs", "definitions"]) if (isObject(schema[key])) found[key] = schema[key];
  return Object.keys(found).length === 0 ? undefined : found;
}

/** The schema without its `$schema` keyword: the OpenRPC document already says which dialect it uses. */
function withoutDialect(schema: JsonObject): JsonObject {
  if (!Object.hasOwn(schema, "$schema")) return schema;
  const copy: Record<string, unknown> = { ...schema };
  delete copy["$schema"];
  return copy;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
