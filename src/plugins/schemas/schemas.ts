/**
 * `schemas()`: checks params and results with the Standard Schemas (zod, valibot, arktype…) given
 * as a method's `input` and `output` options. No schema library is a dependency, and a service
 * without schemas carries none of this.
 *
 * - `input`, an object schema (`z.object({ name, age })`): the handler takes the checked object;
 *   positional params follow its key order (from its JSON Schema). Or a tuple schema of the
 *   argument list: params are bound as usual, then checked. A failure answers `-32602 Invalid
 *   params` with each issue's path (parameter name first) and message in `error.data.issues`,
 *   never the value sent; the schema decides which params are required.
 * - `output`: a refused result is a service bug: `-32603 Internal error`, and `onError` is told.
 * - `rpc.discover` shows the JSON Schemas when the library can produce them (Standard JSON Schema).
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
 * Checks the `input` and `output` schemas of the service's methods (use it before registering them).
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

function withChecks(method: MethodDefinition): MethodDefinition {
  const validation = method.validation;
  if (validation === undefined || method.checks !== undefined) return method;
  const { input, output } = validation;
  const json = input === undefined ? undefined : inputJsonSchema(input);
  const shape = objectShape(json);
  if (input !== undefined && shape !== undefined) {
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
    // With `minItems`, binding reports a missing param by name; otherwise the validator finds it.
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
