/**
 * A method as an MCP tool: its description for `tools/list` (the named params as one JSON Schema
 * object), and a `tools/call`'s arguments turned back into the method's params.
 *
 * Both come from the method's OpenRPC description (what `rpc.discover` answers), so the `mcp()`
 * plugin, which has the registry, and the `tsmicroservice mcp` bridge, which only has a URL, make
 * the same tools.
 *
 * @module
 */

import type { JsonSchema, OpenRpcMethod } from "../core/introspection.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";

/**
 * A method to offer as a tool: its OpenRPC description and, when known, whether it only reads.
 *
 * @example
 * ```ts
 * import type { ToolMethod } from "./tools.ts";
 * const method: ToolMethod = {
 *   name: "get_order",
 *   params: [{ name: "id", schema: { type: "string" }, required: true }],
 *   result: { name: "result", schema: {} },
 *   paramStructure: "either",
 *   "x-private": false,
 *   readOnly: true,
 * };
 * ```
 */
export type ToolMethod = OpenRpcMethod & {
  /** Whether the method only reads (the method option `readOnly`). */
  readonly readOnly?: boolean | undefined;
};

/**
 * What MCP clients call a tool's behaviour hints.
 *
 * @example
 * ```ts
 * import type { ToolAnnotations } from "./tools.ts";
 * const hints: ToolAnnotations = { readOnlyHint: true, idempotentHint: true };
 * ```
 */
export interface ToolAnnotations {
  /** The tool changes nothing. */
  readonly readOnlyHint?: true;
  /** Calling it twice with the same arguments does no more than once. */
  readonly idempotentHint?: true;
}

/**
 * One entry of a `tools/list` answer.
 *
 * @example
 * ```ts
 * import type { McpTool } from "./tools.ts";
 * const tool: McpTool = {
 *   name: "add",
 *   description: "Adds two numbers.",
 *   inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
 * };
 * ```
 */
export interface McpTool {
  /** The method's name. */
  readonly name: string;
  /** The method's description, or a sentence naming the method and its service. */
  readonly description: string;
  /** The arguments, as a JSON Schema object of the named params. */
  readonly inputSchema: { readonly type: "object"; readonly [keyword: string]: unknown };
  /** The result's JSON Schema, when the method has one and it describes an object. */
  readonly outputSchema?: { readonly type: "object"; readonly [keyword: string]: unknown };
  /** Hints from the method's `readOnly` and `idempotent` options, when either is set. */
  readonly annotations?: ToolAnnotations;
}

/**
 * The argument names of a method's params: each param's own name, `arg1`, `arg2`… for a param
 * the handler destructures (no name of its own; OpenRPC writes `#1`), and the rest param's name.
 *
 * @param method The method.
 * @returns One name per param, in order (the rest param last).
 * @example
 * ```ts
 * import { argumentNames } from "./tools.ts";
 * const method = {
 *   name: "sum",
 *   params: [{ name: "#1", schema: {}, required: true }, { name: "values", schema: {}, "x-rest": true }],
 *   result: { name: "result", schema: {} },
 *   paramStructure: "by-position",
 *   "x-private": false,
 * } as const;
 * argumentNames(method); // ["arg1", "values"]
 * ```
 */
export function argumentNames(method: OpenRpcMethod): string[] {
  const taken = new Set(method.params.map((param) => param.name));
  return method.params.map((param, index) => {
    if (!/^#\d+$/.test(param.name)) return param.name;
    // Agents' tool APIs take names of letters, digits and `_`: `#1` is none of those.
    let name = `arg${index + 1}`;
    while (taken.has(name)) name = `_${name}`;
    taken.add(name);
    return name;
  });
}

/**
 * Describes a method as an MCP tool.
 *
 * @param method The method's OpenRPC description (and `readOnly`).
 * @param serviceName The service's name, for the description of a method that has none.
 * @returns The tool.
 * @example
 * ```ts
 * import { describeMethod } from "../core/introspection.ts";
 * import { defineMethod } from "../core/method.ts";
 * import { toolOf } from "./tools.ts";
 * const tool = toolOf(describeMethod(defineMethod("add", (a: number, b = 0) => a + b, { idempotent: true })), "calculator");
 * tool.inputSchema; // { type: "object", properties: { a: {}, b: {} }, required: ["a"], additionalProperties: false }
 * tool.annotations; // { idempotentHint: true }
 * ```
 */
export function toolOf(method: ToolMethod, serviceName: string): McpTool {
  const names = argumentNames(method);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  method.params.forEach((param, index) => {
    const name = names[index] as string;
    properties[name] = param["x-rest"] === true ? { type: "array", items: param.schema } : param.schema;
    if (param.required === true) required.push(name);
  });
  const annotations: { readOnlyHint?: true; idempotentHint?: true } = {};
  if (method.readOnly === true) annotations.readOnlyHint = true;
  if (method["x-idempotent"] === true) annotations.idempotentHint = true;
  // A streaming method's result schema is its items': its tool answers them all at once.
  const output = method["x-stream"] === undefined ? method.result.schema : streamedSchema(method.result.schema);
  const outputIsObject = typeof output === "object" && output["type"] === "object";
  return {
    name: method.name,
    description: method.description ?? `Calls the method ${method.name} of the service ${serviceName}.`,
    // Params are a closed set: a name the method does not take is refused by the call anyway.
    inputSchema: { type: "object", properties, required, additionalProperties: false },
    ...(outputIsObject ? { outputSchema: output as McpTool["outputSchema"] & object } : {}),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  };
}

/** The schema of a streaming tool's result (see stream_result.ts): its items, their count, whether it was cut. */
function streamedSchema(item: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: { items: { type: "array", items: item }, count: { type: "integer" }, truncated: { type: "boolean" } },
    required: ["items", "count"],
  };
}

/**
 * Turns a `tools/call`'s arguments into the method's params: named params as they are when every
 * param has a name (the service binds them, and its schemas check them), else positional ones in
 * the method's order, the rest param's array spread at the end.
 *
 * @param method The method's OpenRPC description.
 * @param args The call's `arguments` (`undefined` when the client sent none).
 * @returns The params, or a sentence saying what is wrong with the arguments (for the model).
 * @example
 * ```ts
 * import { paramsOf } from "./tools.ts";
 * const sum = {
 *   name: "sum",
 *   params: [{ name: "#1", schema: {}, required: true }, { name: "values", schema: {}, "x-rest": true }],
 *   result: { name: "result", schema: {} },
 *   paramStructure: "by-position",
 *   "x-private": false,
 * } as const;
 * paramsOf(sum, { arg1: 1, values: [2, 3] }); // [1, 2, 3]
 * paramsOf(sum, { values: [2, 3] }); // "missing argument arg1"
 * ```
 */
export function paramsOf(method: OpenRpcMethod, args: Readonly<Record<string, unknown>> | undefined): JsonRpcParams | string {
  const given = args ?? {};
  const hasRest = method.params.some((param) => param["x-rest"] === true);
  if (method.paramStructure !== "by-position" && !hasRest) return given;
  const names = argumentNames(method);
  const unknown = Object.keys(given).filter((key) => !names.includes(key));
  if (unknown.length > 0) return `unknown argument${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} (takes ${names.join(", ") || "none"})`;
  const values: unknown[] = [];
  let skipped: string | undefined; // an optional param left out: no later one may be given
  for (const [index, param] of method.params.entries()) {
    const name = names[index] as string;
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined) {
      if (param.required === true) return `missing argument ${name}`;
      skipped ??= name;
      continue;
    }
    // Positions cannot skip: a later argument needs the ones before it.
    if (skipped !== undefined) return `argument ${name} needs ${skipped} too (the method takes its params by position)`;
    if (param["x-rest"] !== true) values.push(value);
    else if (Array.isArray(value)) values.push(...(value as unknown[]));
    else return `argument ${name} must be an array`;
  }
  return values;
}
