/**
 * Strict base64url decoding (RFC 4648 §5, as RFC 7515 §2 uses it): the URL-safe alphabet, no
 * padding, no whitespace, no length that no encoder makes, and no leftover bits set. One text
 * decodes one way only, so a token cannot be re-encoded into another that checks the same.
 *
 * @module
 */

import { JwtError } from "./errors.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The value of each ASCII character, -1 for those outside the alphabet ("=", "+", "/", spaces).
const VALUES = new Int8Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) VALUES[ALPHABET.charCodeAt(index)] = index;

/**
 * Decodes base64url text without padding, refusing anything else.
 *
 * @param text The encoded text, such as one segment of a JWT.
 * @returns The bytes.
 * @throws {JwtError} `"malformed"` for a character outside the base64url alphabet (padding `=`,
 *   `+`, `/`, whitespace, non-ASCII), a length of 4n+1 characters, or unused trailing bits set.
 * @example
 * ```ts
 * import { decodeBase64Url } from "./base64url.ts";
 * new TextDecoder().decode(decodeBase64Url("eyJhbGciOiJFUzI1NiJ9")); // '{"alg":"ES256"}'
 * ```
 */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const length = text.length;
  const rest = length % 4;
  if (rest === 1) throw malformed("has an impossible length");
  const bytes = new Uint8Array((length * 3) >> 2);
  const whole = length - rest;
  let at = 0;
  for (let index = 0; index < whole; index += 4) {
    const bits = (valueAt(text, index) << 18) | (valueAt(text, index + 1) << 12) | (valueAt(text, index + 2) << 6) | valueAt(text, index + 3);
    bytes[at++] = bits >> 16;
    bytes[at++] = (bits >> 8) & 255;
    bytes[at++] = bits & 255;
  }
  if (rest === 2) {
    const first = valueAt(text, whole);
    const second = valueAt(text, whole + 1);
    if ((second & 15) !== 0) throw malformed("has unused bits set");
    bytes[at] = (first << 2) | (second >> 4);
  } else if (rest === 3) {
    const first = valueAt(text, whole);
    const second = valueAt(text, whole + 1);
    const third = valueAt(text, whole + 2);
    if ((third & 3) !== 0) throw malformed("has unused bits set");
    bytes[at] = (first << 2) | (second >> 4);
    bytes[at + 1] = ((second & 15) << 4) | (third >> 2);
  }
  return bytes;
}

function valueAt(text: string, index: number): number {
  const value = VALUES[text.charCodeAt(index)] ?? -1;
  if (value < 0) throw malformed("has a character outside the base64url alphabet");
  return value;
}

function malformed(what: string): JwtError {
  return new JwtError("malformed", `a segment of the token ${what}`);
}
