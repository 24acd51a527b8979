/**
 * What the registry stores for each method.
 *
 * @module
 */

import { type ParamList, paramListFromFunction, paramListFromSpec, withoutLastParam } from "./params.ts";

/**
 * A method's implementation: any function, sync or async. Its arguments are the call's params,
 * positional or mapped from named ones.
 */
// `never[]` accepts every function type, whatever its parameters (parameters are contravariant).
export type Handler = (...args: never[]) => unknown;

/**
 * The signature callers see for a handler: the handler itself, or, for a method registered with
 * `context: true`, the handler without its last (context) parameter.
 */
export type RemoteSignature<H extends Handler, Options> = Options extends { readonly context: true }
  ? H extends (...args: [...infer Params, infer _Context]) => infer Result ? (...args: Params) => Result : H
  : H;

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
  /**
   * When `true`, the handler receives a {@linkcode CallContext} as an extra last argument (headers,
   * token, abort signal), after the call's params. That argument is not a param: callers never
   * send it, and it is left out of the parameter names read from the handler.
   */
  readonly context?: boolean;
  /**
   * How long a call may run, in ms, overriding the service's `timeout`. When it passes, the call
   * answers `-32002 Timeout` and the signal in its context is aborted.
   */
  readonly timeout?: number;
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
  /** Whether the handler takes a {@linkcode CallContext} after its params. */
  readonly takesContext: boolean;
  /** The method's own timeout in ms, if it has one. */
  readonly timeout: number | undefined;
}

/**
 * Checks a method's name and handler and builds its definition.
 *
 * @param name The method's name: not empty, and not starting with `rpc.` (reserved by JSON-RPC).
 * @param handler The implementation.
 * @param isPrivate Whether it needs a valid API token.
 * @param options Parameter names and description.
 * @returns The definition to store in the registry.
 * @throws {TypeError} When the name is empty or reserved, the handler is not a function, or a
 *   handler that takes the context has a rest parameter.
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
  const takesContext = options.context === true;
  let params: ParamList;
  if (options.params !== undefined) params = paramListFromSpec(options.params);
  else if (takesContext) params = withoutLastParam(paramListFromFunction(handler));
  else params = paramListFromFunction(handler);
  if (takesContext && params.rest !== undefined) {
    throw new TypeError(`Method ${name} takes the context, so it cannot have a rest parameter`);
  }
  if (options.timeout !== undefined && !(options.timeout > 0)) {
    throw new TypeError(`The timeout of method ${name} must be a positive number of ms`);
  }
  return { name, handler, isPrivate, params, description: options.description, takesContext, timeout: options.timeout };
}
