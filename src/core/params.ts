/**
 * A method's parameter names, and binding a call's params, positional (`[1, 2]`) or named
 * (`{"a": 1, "b": 2}`), to its handler's arguments, as in the Python original.
 *
 * @module
 */

import { writtenParams } from "./param_source.ts";

/**
 * The parameter list of a method.
 *
 * @example
 * ```ts
 * import { paramListFromSpec } from "./params.ts";
 * const list = paramListFromSpec(["minuend", "subtrahend?", "...rest"]);
 * // { names: ["minuend", "subtrahend"], required: 1, rest: "rest", named: true }
 * ```
 */
export interface ParamList {
  /** The names of the fixed parameters, in order (`undefined` for a destructured one). */
  readonly names: readonly (string | undefined)[];
  /** How many leading parameters a call must give (those before the first optional one). */
  readonly required: number;
  /** The name of the rest parameter (`...values`), if the method has one. */
  readonly rest: string | undefined;
  /** Whether every fixed parameter has a name, so named params can be mapped. */
  readonly named: boolean;
  /**
   * Binds the params instead of the names, when a plugin knows better (an object schema); the
   * names still describe the method.
   */
  readonly bind?: ((params: unknown) => readonly unknown[] | string) | undefined;
}

/**
 * Builds a parameter list from names written the TypeScript way: `"a"` is required, `"b?"` is
 * optional and `"...c"` collects the remaining positional params.
 *
 * @param spec The names, in order; a rest parameter may only come last.
 * @returns The parameter list.
 * @throws {TypeError} When a name is empty, repeated, or a rest parameter is not last.
 * @example
 * ```ts
 * import { paramListFromSpec } from "./params.ts";
 * paramListFromSpec(["minuend", "subtrahend"]); // two required params
 * paramListFromSpec(["first", "...others"]); // one required param and a rest param
 * ```
 */
export function paramListFromSpec(spec: readonly string[]): ParamList {
  const names: string[] = [];
  let required = 0;
  let rest: string | undefined;
  let sawOptional = false;
  for (const [index, raw] of spec.entries()) {
    const isRest = raw.startsWith("...");
    const isOptional = !isRest && raw.endsWith("?");
    const name = isRest ? raw.slice(3) : isOptional ? raw.slice(0, -1) : raw;
    if (!/^[^\s?.][^\s]*$/.test(name)) throw new TypeError(`Invalid parameter name ${JSON.stringify(raw)}`);
    if (names.includes(name) || name === rest) throw new TypeError(`Parameter ${JSON.stringify(name)} is listed twice`);
    if (isRest) {
      if (index !== spec.length - 1) throw new TypeError(`Rest parameter ${JSON.stringify(raw)} must come last`);
      rest = name;
    } else {
      names.push(name);
      if (isOptional) sawOptional = true;
      else if (sawOptional) throw new TypeError(`Required parameter ${JSON.stringify(name)} follows an optional one`);
      else required++;
    }
  }
  return { names, required, rest, named: true };
}

/**
 * Reads a handler's parameter list from its source: names, defaults (optional) and a rest
 * parameter. A destructured parameter has no name, so such a handler takes positional params
 * unless `params` names them; minified code should always pass `params`.
 *
 * @param handler The method's handler.
 * @returns The parameter list read from the source.
 * @example
 * ```ts
 * import { paramListFromFunction } from "./params.ts";
 * paramListFromFunction((a: number, b = 2, ...more: number[]) => a + b + more.length);
 * // names ["a", "b"], required 1, rest "more"
 * ```
 */
export function paramListFromFunction(handler: (...args: never[]) => unknown): ParamList {
  const names: (string | undefined)[] = [];
  let required = 0;
  let rest: string | undefined;
  let sawOptional = false;
  for (const param of writtenParams(Function.prototype.toString.call(handler))) {
    if (param.rest) {
      rest = param.name;
      break;
    }
    names.push(param.name);
    if (param.defaulted) sawOptional = true;
    else if (!sawOptional) required++;
  }
  return { names, required, rest, named: names.every((name) => name !== undefined) };
}

/**
 * Drops the last parameter of a list read from a handler: the call context.
 *
 * @param list A parameter list read from a handler whose last parameter is the context.
 * @returns The list without it.
 * @example
 * ```ts
 * import { paramListFromFunction, withoutLastParam } from "./params.ts";
 * withoutLastParam(paramListFromFunction((name: string, ctx: unknown) => [name, ctx])).names; // ["name"]
 * ```
 */
export function withoutLastParam(list: ParamList): ParamList {
  // A rest parameter cannot be the context: kept, for the caller to refuse.
  if (list.rest !== undefined) return list;
  const names = list.names.slice(0, -1);
  return {
    names,
    required: Math.min(list.required, names.length),
    rest: undefined,
    named: names.every((name) => name !== undefined),
  };
}

/**
 * Turns the params of a call into the handler's argument list.
 *
 * @param list The method's parameter list.
 * @param params The call's params: an array, an object, or `undefined` when absent.
 * @returns The arguments, or a string that says why the params do not fit. Positional params that
 *   fit are returned as they are, not copied: copy them before changing them.
 * @example
 * ```ts
 * import { bindParams, paramListFromSpec } from "./params.ts";
 * const list = paramListFromSpec(["minuend", "subtrahend"]);
 * bindParams(list, { subtrahend: 23, minuend: 42 }); // [42, 23]
 * bindParams(list, [42]); // 'missing param "subtrahend"'
 * ```
 */
export function bindParams(list: ParamList, params: unknown): readonly unknown[] | string {
  if (list.bind !== undefined) return list.bind(params);
  const args = Array.isArray(params) || params === undefined ? bindPositional(list, params ?? NO_PARAMS) : bindNamed(list, params as Record<string, unknown>);
  return typeof args !== "string" && args.length > MAX_ARGUMENTS ? `a call takes at most ${MAX_ARGUMENTS} params, got ${args.length}` : args;
}

/**
 * The most arguments a handler is called with: engines differ (V8 overflows past about 120,000
 * spread arguments, Bun takes millions), so one limit answers -32602 everywhere, not -32603 on some.
 */
export const MAX_ARGUMENTS = 65_536;

const NO_PARAMS: readonly unknown[] = Object.freeze([]);

function bindPositional(list: ParamList, params: readonly unknown[]): readonly unknown[] | string {
  if (params.length < list.required) {
    return `missing param ${describe(list.names[params.length], params.length)}`;
  }
  if (list.rest === undefined && params.length > list.names.length) {
    return `expected at most ${list.names.length} param${list.names.length === 1 ? "" : "s"}, got ${params.length}`;
  }
  // No copy: the handler gets them spread, and dispatch copies them before adding the context.
  return params;
}

function bindNamed(list: ParamList, params: Record<string, unknown>): unknown[] | string {
  if (!list.named) return "this method takes positional params (an array) only";
  const args: unknown[] = [];
  // Every name is a string when the list is named.
  for (const [index, key] of (list.names as string[]).entries()) {
    if (Object.hasOwn(params, key)) args.push(params[key]);
    else if (index < list.required) return `missing param ${describe(key, index)}`;
    else args.push(undefined);
  }
  for (const key of Object.keys(params)) {
    if (!list.names.includes(key) && key !== list.rest) return `unknown param ${JSON.stringify(key)}`;
  }
  if (list.rest !== undefined && Object.hasOwn(params, list.rest)) {
    const rest = params[list.rest];
    if (!Array.isArray(rest)) return `param ${JSON.stringify(list.rest)} must be an array`;
    // concat, not a spread: a spread of a long array overflows the call stack.
    return args.concat(rest as unknown[]);
  }
  return args;
}

function describe(name: string | undefined, index: number): string {
  return name === undefined ? `#${index + 1}` : JSON.stringify(name);
}
