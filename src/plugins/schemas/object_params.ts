/**
 * Binding params to a method whose `input` is an object schema: one argument, the params object.
 *
 * @module
 */

/**
 * Makes the object an object schema checks from a call's params:
 *
 * - named params (`{"name": "ann", "age": 3}`) are that object, as they are;
 * - positional params (`["ann", 3]`) are mapped to the schema's keys in order;
 * - a list of one object (the typed client's `methods.x({ name })`) is that object, unless the
 *   first key can hold an object and the object has keys the schema lacks (then it is that key's value);
 * - no params are `{}`.
 *
 * @param keys The schema's property names, in order.
 * @param firstTakesObject Whether the first key's schema may accept an object.
 * @param params The call's params.
 * @returns The handler's arguments (the object alone), or why the params do not fit.
 * @example
 * ```ts
 * import { bindObject } from "./object_params.ts";
 * bindObject(["name", "age"], false, ["ann", 3]); // [{ name: "ann", age: 3 }]
 * bindObject(["name", "age"], false, [{ name: "ann", extra: 1 }]); // [{ name: "ann", extra: 1 }]
 * bindObject(["meta", "note"], true, [{ a: 1 }]); // [{ meta: { a: 1 } }]
 * bindObject(["name"], false, ["ann", 3]); // "expected at most 1 param, got 2"
 * ```
 */
export function bindObject(keys: readonly string[], firstTakesObject: boolean, params: unknown): [unknown] | string {
  if (params === undefined) return [{}];
  if (!Array.isArray(params)) return [params];
  const [first] = params as unknown[];
  if (params.length === 1 && typeof first === "object" && first !== null && !Array.isArray(first) && (!firstTakesObject || Object.keys(first).every((key) => keys.includes(key)))) {
    return [first];
  }
  if (params.length > keys.length) return `expected at most ${keys.length} param${keys.length === 1 ? "" : "s"}, got ${params.length}`;
  // fromEntries defines properties, so a key named __proto__ is a key, never the prototype.
  return [Object.fromEntries((params as unknown[]).map((value, index) => [keys[index], value]))];
}
