/**
 * Measures how deeply a parsed JSON value nests, stopping as soon as a limit is passed, so a
 * hostile body costs no more than the limit allows.
 *
 * @module
 */

/**
 * Tells whether a JSON value nests arrays and objects deeper than `limit` levels. A scalar has
 * depth 0, `[1]` depth 1, `{"a": [1]}` depth 2.
 *
 * @param value A value produced by `JSON.parse`.
 * @param limit The deepest nesting allowed.
 * @returns `true` when the value nests deeper than the limit.
 * @example
 * ```ts
 * import { nestsDeeperThan } from "./nesting_depth.ts";
 * nestsDeeperThan([[1]], 1); // true
 * nestsDeeperThan([[1]], 2); // false
 * ```
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (limit <= 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    if (nestsDeeperThan(child, limit - 1)) return true;
  }
  return false;
}
