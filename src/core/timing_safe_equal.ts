/**
 * Token comparison whose time does not depend on where two equal-length tokens differ, so an
 * attacker cannot guess a token one character at a time by timing the answers.
 *
 * @module
 */

/**
 * Compares two strings in time that depends only on their lengths. Use it in `apiTokenIsValid`
 * instead of `===`. Strings of different lengths are unequal at once (a token's length is not
 * the secret).
 *
 * @param given The token a caller sent.
 * @param expected The token it must match.
 * @returns `true` when the strings are equal.
 * @example
 * ```ts
 * import { timingSafeEqual } from "./timing_safe_equal.ts";
 * const apiTokenIsValid = (token: string): boolean => timingSafeEqual(token, "hello_world_token");
 * apiTokenIsValid("hello_world_token"); // true
 * ```
 */
export function timingSafeEqual(given: string, expected: string): boolean {
  // UTF-16 code units as they are: encoding first would turn every lone surrogate into U+FFFD and
  // make different strings equal.
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
