/**
 * JSON Schemas as an OpenAPI 3.1 document holds them: JSON Schema 2020-12, with every `$ref` into a
 * schema's own definitions moved to the document's `components.schemas` (inside an OpenAPI
 * document, `#/…` points at the document's root).
 *
 * @module
 */

import type { JsonSchema } from "../core/method_schemas.ts";
import { isStandardSchema, type StandardSchemaV1 } from "../core/standard_schema.ts";

/** A JSON Schema object (not `true` or `false`). */
type JsonObject = Readonly<Record<string, unknown>>;

/**
 * The JSON Schema of what a Standard Schema accepts as data (its output side), in 2020-12 when the
 * library writes that dialect, else draft-07; a JSON Schema is taken as it is.
 *
 * @param schema A Standard Schema with the Standard JSON Schema extension, or a JSON Schema.
 * @returns The JSON Schema, or `{}` (any value) when none can be written.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { dataJsonSchema } from "./json_schema.ts";
 * dataJsonSchema(z.object({ id: z.string() }))["type"]; // "object"
 * dataJsonSchema({ type: "integer" }); // { type: "integer" }
 * ```
 */
export function dataJsonSchema(schema: StandardSchemaV1 | JsonSchema): JsonObject {
  if (typeof schema === "boolean") return schema ? {} : { not: {} };
  if (!isStandardSchema(schema)) return schema;
  const converter = schema["~standard"].jsonSchema;
  if (typeof converter !== "object" || typeof converter.output !== "function") return {};
  for (const target of ["draft-2020-12", "draft-07"]) {
    try {
      const written: unknown = converter.output({ target });
      if (isObject(written)) return written;
    } catch {
      // Not every schema can be written in every dialect: try the next.
    }
  }
  return {};
}

/**
 * Rewrites a schema for an OpenAPI 3.1 document: draft-07's tuple form (`items` as an array,
 * `additionalItems`) becomes 2020-12's (`prefixItems`, `items`), `$schema` goes, and the schema's
 * definitions (`$defs`, `definitions`) move to `components` under `prefix`, with the `$ref`s that
 * point at them rewritten.
 *
 * @param schema The schema.
 * @param prefix What the moved definitions' names start with (unique per schema's owner).
 * @param components Where the moved definitions go (`components.schemas`).
 * @returns The rewritten schema.
 * @example
 * ```ts
 * import { forOpenApi } from "./json_schema.ts";
 * const components: Record<string, unknown> = {};
 * forOpenApi({ $ref: "#/$defs/Point", $defs: { Point: { type: "object" } } }, "draw.", components);
 * // { $ref: "#/components/schemas/draw.Point" }; components: { "draw.Point": { type: "object" } }
 * ```
 */
export function forOpenApi(schema: JsonSchema, prefix: string, components: Record<string, unknown>): JsonSchema {
  const safe = prefix.replace(/[^A-Za-z0-9._-]/g, "_");
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, part] of Object.entries(value)) {
      if (key === "$schema") continue;
      if ((key === "$defs" || key === "definitions") && isObject(part)) {
        for (const [name, definition] of Object.entries(part)) components[`${safe}${name}`] = rewrite(definition);
        continue;
      }
      if (key === "$ref" && typeof part === "string") {
        const local = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(part);
        copy[key] = local === null ? part : `#/components/schemas/${safe}${local[1] as string}`;
        continue;
      }
      copy[key] = rewrite(part);
    }
    if (Array.isArray(copy["items"])) {
      copy["prefixItems"] = copy["items"];
      if (copy["additionalItems"] === undefined) delete copy["items"];
      else copy["items"] = copy["additionalItems"];
      delete copy["additionalItems"];
    }
    return copy;
  };
  return rewrite(schema) as JsonSchema;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
