/**
 * What a token says, checked once its signature is: the header's `typ` and `crit` (RFC 7515
 * §4.1, RFC 8725 §3.11), and the claims `iss`, `aud`, `exp`, `nbf`, `iat` (RFC 7519 §4.1), with
 * a leeway for clocks that disagree. `jku`, `x5u`, `x5c` and `jwk` headers are ignored: never
 * fetched, never trusted; `kid` is only looked up in a key set.
 *
 * @module
 */

import { JwtError } from "./errors.ts";

/**
 * What {@linkcode checkClaims} requires of a token's claims.
 *
 * @example
 * ```ts
 * import type { ClaimsPolicy } from "./claims.ts";
 * const policy: ClaimsPolicy = { issuer: "https://issuer.example", audience: "orders", leeway: 30, maxAge: undefined };
 * ```
 */
export interface ClaimsPolicy {
  /** The `iss` a token must have, exactly; `undefined` accepts any. */
  readonly issuer: string | undefined;
  /** An audience the token's `aud` must name (one of these); `undefined` accepts any. */
  readonly audience: string | readonly string[] | undefined;
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. */
  readonly leeway: number;
  /** The oldest token accepted, in seconds since its `iat` (then required); `undefined` for no limit. */
  readonly maxAge: number | undefined;
}

/**
 * Checks a token's protected header beyond its algorithm: a `typ`, when present, must be `JWT` or
 * `at+jwt` (RFC 9068), with or without `application/`, in any case; a `crit` header is refused
 * (this verifier understands no extension, RFC 7515 §4.1.11); a `kid` must be a string.
 *
 * @param header The decoded header.
 * @throws {JwtError} `"wrong type"`, `"unsupported critical header"` or `"malformed"`.
 * @example
 * ```ts
 * import { checkHeader } from "./claims.ts";
 * checkHeader({ alg: "ES256", typ: "application/at+JWT", kid: "2024-01" }); // accepted
 * ```
 */
export function checkHeader(header: Readonly<Record<string, unknown>>): void {
  const { typ, kid } = header;
  if (typ !== undefined) {
    const type = typeof typ === "string" ? typ.toLowerCase().replace(/^application\//, "") : "";
    if (type !== "jwt" && type !== "at+jwt") throw new JwtError("wrong type", "the token's typ header is neither JWT nor at+jwt");
  }
  if (Object.hasOwn(header, "crit")) throw new JwtError("unsupported critical header", "the token has a crit header: this verifier implements no JWS extension");
  if (kid !== undefined && typeof kid !== "string") throw new JwtError("malformed", "the token's kid header is not a string");
}

/**
 * Checks a token's registered claims against a policy, at a time.
 *
 * @param claims The decoded payload.
 * @param policy The issuer, audience, leeway and maximum age required.
 * @param now The current time in seconds since the epoch.
 * @throws {JwtError} `"expired"`, `"not yet valid"`, `"issued in the future"`, `"too old"`,
 *   `"missing claim"`, `"wrong issuer"`, `"wrong audience"`, or `"malformed"` for a registered
 *   claim of the wrong type.
 * @example
 * ```ts
 * import { checkClaims } from "./claims.ts";
 * const now = Date.now() / 1000;
 * checkClaims({ iss: "https://issuer.example", aud: ["orders", "billing"], exp: now + 60 }, { issuer: "https://issuer.example", audience: "orders", leeway: 30, maxAge: undefined }, now);
 * ```
 */
export function checkClaims(claims: Readonly<Record<string, unknown>>, policy: ClaimsPolicy, now: number): void {
  const { iss, aud, sub, exp, nbf, iat } = claims;
  const leeway = policy.leeway;
  if (sub !== undefined && typeof sub !== "string") throw new JwtError("malformed", "the token's sub is not a string");
  if (iss !== undefined && typeof iss !== "string") throw new JwtError("malformed", "the token's iss is not a string");
  if (exp !== undefined && now - leeway >= numericDate(exp, "exp")) throw new JwtError("expired", "the token expired");
  if (nbf !== undefined && now + leeway < numericDate(nbf, "nbf")) throw new JwtError("not yet valid", "the token is not valid yet (nbf)");
  if (iat !== undefined && numericDate(iat, "iat") > now + leeway) throw new JwtError("issued in the future", "the token's iat is in the future");
  if (policy.maxAge !== undefined) {
    if (iat === undefined) throw new JwtError("missing claim", "maxAge is set and the token has no iat");
    if (now - (iat as number) > policy.maxAge + leeway) throw new JwtError("too old", `the token was issued more than maxAge (${policy.maxAge} s) ago`);
  }
  const audiences = typeof aud === "string" ? [aud] : aud;
  if (audiences !== undefined && !(Array.isArray(audiences) && audiences.every((item) => typeof item === "string"))) {
    throw new JwtError("malformed", "the token's aud is neither a string nor an array of strings");
  }
  if (policy.issuer !== undefined && iss !== policy.issuer) throw new JwtError("wrong issuer", `the token's issuer is not ${policy.issuer}`);
  const wanted = policy.audience;
  if (wanted !== undefined) {
    const accepted = typeof wanted === "string" ? [wanted] : wanted;
    if (audiences === undefined || !accepted.some((audience) => audiences.includes(audience))) {
      throw new JwtError("wrong audience", `the token is not meant for ${accepted.join(" or ")}`);
    }
  }
}

function numericDate(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new JwtError("malformed", `the token's ${name} is not a NumericDate`);
  return value;
}
