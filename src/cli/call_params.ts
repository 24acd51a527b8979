/**
 * Turning the words after `call URL METHOD` into JSON-RPC params, in the three ways the command
 * takes them: one JSON array or object, `name=value` pairs (named params), or words (positional
 * params). A value is read as JSON when it is valid JSON, and as a string otherwise, so
 * `call URL add 1 2` sends numbers and `call URL say_hello world` sends a string.
 *
 * @module
 */

import { UsageError } from "./args.ts";

// A pair's name: an identifier-like word (dots and dashes allowed), then `=`.
const PAIR = /^([A-Za-z_$][\w$.-]*)=(.*)$/s;

/**
 * Reads the params of a call from the command line.
 *
 * - No words: no params.
 * - One word that starts with `[` or `{`: that JSON, as it is (positional or named).
 * - Only `name=value` words: named params, `{ name: value, ... }`.
 * - Otherwise: positional params, one per word.
 *
 * A word that is not valid JSON is a string (`world` → `"world"`, `"42"` with its quotes → the
 * string `"42"`). To send a string that looks like a pair (`a=b`) or begins with `[`, write the
 * params as one JSON argument.
 *
 * @param words The words after the method's name.
 * @returns The params, or `undefined` for none.
 * @throws {UsageError} When the JSON argument is not valid JSON, a pair's name repeats, or pairs and
 *   positional words are mixed.
 * @example
 * ```ts
 * import { parseCallParams } from "./call_params.ts";
 * parseCallParams(["42", "23"]); // [42, 23]
 * parseCallParams(["minuend=42", "subtrahend=23"]); // { minuend: 42, subtrahend: 23 }
 * parseCallParams(['{"minuend": 42, "subtrahend": 23}']); // { minuend: 42, subtrahend: 23 }
 * parseCallParams(["world"]); // ["world"]
 * ```
 */
export function parseCallParams(words: readonly string[]): unknown[] | Record<string, unknown> | undefined {
  if (words.length === 0) return undefined;
  const [first] = words;
  if (words.length === 1 && first !== undefined && /^\s*[[{]/.test(first)) {
    try {
      return JSON.parse(first) as unknown[] | Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`the params are not valid JSON (${(error as Error).message}): ${first}`);
    }
  }
  const pairs = words.map((word) => PAIR.exec(word));
  if (pairs.every((pair) => pair !== null)) {
    const named: Record<string, unknown> = {};
    for (const [, name, value] of pairs as (RegExpExecArray & [string, string, string])[]) {
      if (Object.hasOwn(named, name)) throw new UsageError(`the param ${name} is given twice`);
      named[name] = jsonOrString(value);
    }
    return named;
  }
  if (pairs.some((pair) => pair !== null)) {
    throw new UsageError("give either name=value pairs (named params) or plain words (positional params), not both");
  }
  return words.map(jsonOrString);
}

/**
 * Reads one value: as JSON when it is valid JSON, else as the string it is.
 *
 * @param text The word.
 * @returns The value.
 * @example
 * ```ts
 * import { jsonOrString } from "./call_params.ts";
 * jsonOrString("true"); // true
 * jsonOrString("[1,2]"); // [1, 2]
 * jsonOrString("hello"); // "hello"
 * ```
 */
export function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
