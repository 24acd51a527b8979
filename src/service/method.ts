/**
 * What the registry stores for each method.
 *
 * @module
 */

import { type ParamList, paramListFromFunction, paramListFromSpec } from "./params.ts";

/**
 * A method's implementation: any function, sync or async. Its arguments are the call's params,
 * positional or mapped from named ones.
 */
// `never[]` accepts every function type, whatever its parameters (parameters are contravariant).
export type Handler = (...args: never[]) => unknown;

/** Options of one method. */
export interface MethodOptions {
  /**
   * The parameter names, written the TypeScript way (`"a"`, `"b?"` optional, `"...rest"`). When
   * absent they are read from the handler's source, which a minifier defeats: bundled code that is
   * minified should list them here.
   */
  readonly params?: readonly string[];
  /** One or two sentences for the service's description of itself. */
  readonly description?: string;
}

/** One registered method. */
export interface MethodDefinition {
  /** The name callers use. */
  readonly name: string;
  /** The implementation. */
  readonly handler: Handler;
  /** Whether a valid API token is needed to call it. */
  readonly isPrivate: boolean;
  /** How params map to the handler's arguments. */
  readonly params: ParamList;
  /** The method's description, if it has one. */
  readonly description: string | undefined;
}

/**
 * Checks a method's name and handler and builds its definition.
 *
 * @param name The method's name: not empty, and not starting with `rpc.` (reserved by JSON-RPC).
 * @param handler The implementation.
 * @param isPrivate Whether it needs a valid API token.
 * @param options Parameter names and description.
 * @returns The definition to store in the registry.
 * @throws {TypeError} When the name is empty or reserved, or the handler is not a function.
 * @example
 * ```ts
 * import { defineMethod } from "./method.ts";
 * defineMethod("say_hello", (name: string) => `hello ${name}`, false);
 * ```
 */
export function defineMethod(
  name: string,
  handler: Handler,
  isPrivate: boolean,
  options: MethodOptions = {},
): MethodDefinition {
  if (typeof name !== "string" || name === "") throw new TypeError("A method name must be a non-empty string");
  if (name.startsWith("rpc.")) throw new TypeError(`Method names starting with "rpc." are reserved: ${name}`);
  if (typeof handler !== "function") throw new TypeError(`The handler of method ${name} must be a function`);
  return {
    name,
    handler,
    isPrivate,
    params: options.params === undefined ? paramListFromFunction(handler) : paramListFromSpec(options.params),
    description: options.description,
  };
}
