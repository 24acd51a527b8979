/**
 * Token comparison whose time does not reveal where two tokens differ, against guessing a token
 * one character at a time.
 *
 * @module
 */

/**
 * Compares two strings in time depending only on their lengths (a token's length is not the
 * secret). Use it in `apiTokenIsValid` instead of `===`.
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
  // Code units, not encoded bytes: encoding makes lone surrogates U+FFFD, so different strings equal.
  if (given.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < given.length; i++) difference |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return difference === 0;
}
