/**
 * `schemas()`: methods whose params and result are checked with Standard Schemas (zod, valibot,
 * arktype…), given as the `input` and `output` options of `publicMethod` and `privateMethod`. The
 * library depends on none of those libraries; a service that uses no schemas carries none of this.
 *
 * - `input` is an object schema (`z.object({ name, age })`): named params are the object it checks
 *   and positional ones follow its key order (from its JSON Schema); the handler takes the checked
 *   object. Or `input` is a schema of the argument list, as a tuple. Params are bound to positions as usual
 *   (named ones by the parameter names), then checked: a failure answers `-32602 Invalid params`
 *   with each issue's path (starting with the parameter's name) and message in
 *   `error.data.issues`, never the value that was sent; on success the handler receives the
 *   schema's output values. The schema decides which params are required.
 * - `output` is a schema of the result: a result it refuses is a bug of the service, so the caller
 *   gets `-32603 Internal error` and `onError` is told.
 * - `rpc.discover` shows each parameter's and the result's JSON Schema when the schema library
 *   can produce one (Standard JSON Schema).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { Service } from "../../core/service.ts";
 * import { schemas } from "./schemas.ts";
 * const calculator = new Service({ name: "calculator" })
 *   .use(schemas())
 *   .publicMethod("subtract", (minuend, subtrahend) => minuend - subtrahend, {
 *     input: z.tuple([z.number(), z.number()]),
 *     output: z.number(),
 *   });
 * ```
 *
 * @module
 */

import type { MethodDefinition } from "../../core/method.ts";
import type { Plugin } from "../../core/plugin.ts";
import { inputJsonSchema, methodSchemas, objectShape } from "./json_schema.ts";
import { bindObject } from "./object_params.ts";
import { validateObjectParams, validateParams, validateResult } from "./validation.ts";

/**
 * Checks the `input` and `output` schemas of every method of the service (use it before the methods
 * that have them are registered).
 *
 * @returns The plugin.
 * @example
 * ```ts
 * import { z } from "zod";
 * import { Service } from "../../core/service.ts";
 * import { schemas } from "./schemas.ts";
 * const users = new Service({ name: "users" })
 *   .use(schemas())
 *   .publicMethod("greet", (name) => `hello ${name}`, { input: z.tuple([z.string().min(1)]) });
 * await users.handle({ jsonrpc: "2.0", method: "greet", params: [""], id: 1 }); // -32602, with the issue
 * ```
 */
export function schemas(): Plugin {
  return { name: "schemas", prepare: withChecks };
}

/** A method's definition with the checks made of its schemas (unchanged without schemas). */
function withChecks(method: MethodDefinition): MethodDefinition {
  const validation = method.validation;
  if (validation === undefined || method.checks !== undefined) return method;
  const { input, output } = validation;
  const json = input === undefined ? undefined : inputJsonSchema(input);
  const shape = objectShape(json);
  if (input !== undefined && shape !== undefined) {
    // An object schema: the handler takes the params as one object, checked as a whole.
    const { keys } = shape;
    const first = shape.params[0];
    const type = typeof first === "object" ? first["type"] : undefined;
    // A boolean schema (`true`) has no type: like `{}`, it takes anything, an object included.
    const firstTakesObject = type === undefined || type === "object" || (Array.isArray(type) && type.includes("object"));
    const result = output === undefined ? {} : methodSchemas(undefined, output, method.params);
    return {
      ...method,
      params: { names: keys, required: 0, rest: undefined, named: true, bind: (params: unknown) => bindObject(keys, firstTakesObject, params) },
      schemas: { ...result, params: shape.params, required: shape.required },
      checks: {
        params: (args: unknown[]) => validateObjectParams(input, args),
        ...(output === undefined ? {} : { result: (value: unknown) => validateResult(output, method.name, value) }),
      },
    };
  }
  let params = method.params;
  let described = methodSchemas(input, output, params, json);
  if (input !== undefined) {
    // The schema decides which params are required. When its JSON Schema says how many
    // (`minItems`), binding reports a missing one by name; otherwise the validator finds it.
    const required = described.required as number | undefined; // a tuple's: how many lead
    described = { ...described, required: required ?? params.required };
    params = { ...params, required: required ?? 0 };
  }
  const bound = params;
  return {
    ...method,
    params,
    schemas: described,
    checks: {
      ...(input === undefined ? {} : { params: (args: unknown[]) => validateParams(input, bound, args) }),
      ...(output === undefined ? {} : { result: (result: unknown) => validateResult(output, method.name, result) }),
    },
  };
}

export { type InvalidParamsData, MAX_REPORTED_ISSUES, type ParamIssue, ResultValidationError } from "./validation.ts";
