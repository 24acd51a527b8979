/**
 * Token comparison whose time does not depend on where two equal-length tokens differ, so an
 * attacker cannot guess a token one character at a time by timing the answers.
 *
 * @module
 */

const encoder = new TextEncoder();

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
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  if (a.byteLength !== b.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < a.byteLength; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}
