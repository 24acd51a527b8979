/**
 * How deeply a parsed JSON value nests, stopping once past a limit so a hostile body costs little.
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
  // Indexed and for-in loops: no array of children made per call.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (nestsDeeperThan(value[i], limit - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && nestsDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  }
  return false;
}
