/**
 * The one error a JWT verification throws: {@linkcode JwtError}, with a `reason` a caller can
 * switch on. Its message never repeats the token or any part of it (a log line must not become a
 * credential), only what the verifier was configured with.
 *
 * @module
 */

/**
 * Why a token was refused.
 *
 * - `"malformed"`: not three base64url segments of JSON objects, or a claim of the wrong type.
 * - `"too large"`: longer than `maxTokenBytes`, refused before any decoding or cryptography.
 * - `"algorithm not allowed"`: `alg` is `none`, unknown, outside the allow-list, or not one the
 *   key may check (an HMAC token against a public key: algorithm confusion).
 * - `"unknown key"`: no key of the key set has the token's `kid` (or the key could not be used).
 * - `"bad signature"`: the signature does not match.
 * - `"expired"`, `"not yet valid"`, `"issued in the future"`, `"too old"`: `exp`, `nbf`, `iat`
 *   and `maxAge`, with the leeway.
 * - `"wrong issuer"`, `"wrong audience"`: `iss` and `aud` against the configured ones.
 * - `"wrong type"`: a `typ` header other than `JWT` or `at+jwt`.
 * - `"unsupported critical header"`: a `crit` header naming an extension this verifier does not
 *   implement (it implements none).
 * - `"missing claim"`: a claim the options require (`iat` with `maxAge`) is absent.
 * - `"keys unavailable"`: the key set (JWKS, OIDC discovery) could not be loaded or was refused.
 *
 * @example
 * ```ts
 * import type { JwtErrorReason } from "./errors.ts";
 * const reason: JwtErrorReason = "expired";
 * ```
 */
export type JwtErrorReason =
  | "malformed"
  | "too large"
  | "algorithm not allowed"
  | "unknown key"
  | "bad signature"
  | "expired"
  | "not yet valid"
  | "issued in the future"
  | "too old"
  | "wrong issuer"
  | "wrong audience"
  | "wrong type"
  | "unsupported critical header"
  | "missing claim"
  | "keys unavailable";

/**
 * A token refused, or keys that could not be loaded to check it.
 *
 * @example
 * ```ts
 * import { JwtError } from "./errors.ts";
 * try {
 *   throw new JwtError("expired", "the token expired");
 * } catch (error) {
 *   if (error instanceof JwtError && error.reason === "expired") console.log("ask for a new token");
 * }
 * ```
 */
export class JwtError extends Error {
  /** Why the token was refused. */
  readonly reason: JwtErrorReason;

  /**
   * Makes the error.
   *
   * @param reason Why the token was refused.
   * @param message The details; never the token or a part of it.
   * @param options The underlying error, for a key set that could not be loaded.
   */
  constructor(reason: JwtErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JwtError";
    this.reason = reason;
  }
}
