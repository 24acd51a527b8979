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
 * string `"42"`). To send a string that looks like a pair (`a=b`) or begins with `[`, or an array
 * or object among other params, write the params as one JSON argument. Nothing is dropped or
 * overwritten silently: a `[`/`{` word among other words, and a param named twice (as two pairs or
 * as two keys of the JSON object), are usage errors.
 *
 * @param words The words after the method's name.
 * @returns The params, or `undefined` for none.
 * @throws {UsageError} When the JSON argument is not valid JSON or names a param twice, a pair's
 *   name repeats, pairs and positional words are mixed, or a word starting with `[` or `{` comes
 *   with other words.
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
  if (words.length === 1 && first !== undefined && JSON_START.test(first)) {
    let params: unknown[] | Record<string, unknown>;
    try {
      params = JSON.parse(first) as unknown[] | Record<string, unknown>;
    } catch (error) {
      throw new UsageError(`the params are not valid JSON (${(error as Error).message}): ${first}`);
    }
    const twice = repeatedKey(first);
    if (twice !== undefined) throw new UsageError(`the param ${twice} is given twice in ${first}`);
    return params;
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
  const json = words.find((word) => JSON_START.test(word));
  if (json !== undefined) {
    throw new UsageError(`${json} starts with ${json.trimStart()[0] ?? ""} but is not the only param: write all the params as one JSON argument, such as '${JSON.stringify(words.map(jsonOrString))}'`);
  }
  return words.map(jsonOrString);
}

// A word that is a JSON array or object (or is meant as one).
const JSON_START = /^\s*[[{]/;

/**
 * The first key a JSON object names twice at its top level (`JSON.parse` keeps the last silently).
 *
 * @param json Valid JSON text.
 * @returns The key, or `undefined` when none repeats (or the text is not an object).
 */
function repeatedKey(json: string): string | undefined {
  if (!json.trimStart().startsWith("{")) return undefined;
  const seen = new Set<string>();
  let depth = 0;
  for (let index = 0; index < json.length; index++) {
    const character = json[index];
    if (character === "{" || character === "[") depth++;
    else if (character === "}" || character === "]") depth--;
    else if (character === '"') {
      let end = index + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      // A string at the top object's level followed by a colon is one of its keys.
      if (depth === 1 && /^\s*:/.test(json.slice(end + 1))) {
        const key = JSON.parse(json.slice(index, end + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      index = end;
    }
  }
  return undefined;
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
