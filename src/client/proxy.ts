/**
 * The objects behind `client.methods` and `client.notifications`: any property name becomes a
 * function that calls the remote method of that name.
 *
 * @module
 */

import type { CallOptions } from "./transport.ts";
import type { CallsWith } from "./types.ts";

/**
 * Makes an object whose properties are made on demand from their names. Symbol keys, `then`,
 * `toJSON` and the names every object has (`toString`, `valueOf`, `constructor`…) are those of an
 * empty object instead, so awaiting, printing or serialising the object never becomes a remote
 * call. (A remote method with one of those names is still reachable through `client.call`.)
 *
 * @param make Makes the property for a method name.
 * @returns The proxy.
 * @example
 * ```ts
 * import { methodProxy } from "./proxy.ts";
 * const echo = methodProxy((name) => () => name);
 * echo["say_hello"]?.(); // "say_hello"
 * echo["then"]; // undefined
 * ```
 */
export function methodProxy<T>(make: (name: string) => T): Readonly<Record<string, T>> {
  return new Proxy<Record<PropertyKey, T>>({}, {
    get: (target, key) =>
      typeof key === "string" && key !== "then" && key !== "toJSON" && !(key in target) ? make(key) : target[key],
  });
}

/**
 * `client.methods` and `client.notifications`, or those of `client.with(options)`: each call is
 * sent with the options.
 *
 * @param call Calls a method with positional params and options.
 * @param notify Sends a notification with positional params and options.
 * @param options The options for every call. Default: none (the client's own).
 * @returns The two proxies.
 * @example
 * ```ts
 * import { callsWith } from "./proxy.ts";
 * const scoped = callsWith((method, args, options) => Promise.resolve([method, args, options]), () => Promise.resolve(), { timeout: 1_000 });
 * await scoped.methods["add"]?.(1, 2); // ["add", [1, 2], { timeout: 1000 }]
 * ```
 */
export function callsWith(
  call: (method: string, args: unknown[], options?: CallOptions) => unknown,
  notify: (method: string, args: unknown[], options?: CallOptions) => Promise<void>,
  options?: CallOptions,
): CallsWith<Record<string, (...args: unknown[]) => unknown>> {
  return {
    // A streaming method's call gives a stream, not a promise: the types of RemoteMethods say which.
    methods: methodProxy((method) => (...args: unknown[]) => call(method, args, options) as Promise<unknown>),
    notifications: methodProxy((method) => (...args: unknown[]) => notify(method, args, options)),
  };
}
