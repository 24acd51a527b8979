/**
 * The objects behind `client.methods` and `client.notifications`: any property name becomes a
 * function that calls the remote method of that name.
 *
 * @module
 */

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
