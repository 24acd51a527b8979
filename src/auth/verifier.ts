/**
 * The JWT verifier (RFC 7519, JWS compact serialization of RFC 7515) on WebCrypto alone: one key
 * source (an HMAC secret, a public key, a JWKS URL or an OpenID issuer), an allow-list of
 * algorithms, and the claims checked as RFC 8725 recommends. What it refuses it refuses with a
 * {@linkcode JwtError} whose `reason` says why and whose message never holds the token.
 *
 * @module
 */

import { ALGORITHM_NAMES, algorithmSpec, type JwsAlgorithm } from "./algorithms.ts";
import { decodeBase64Url } from "./base64url.ts";
import { checkClaims, checkHeader, type ClaimsPolicy } from "./claims.ts";
import { JwtError } from "./errors.ts";
import { type JwksOptions, RemoteJwks } from "./jwks.ts";
import { importPublicKey, type KeySet, secretKey, type VerificationKey } from "./keys.ts";
import { OidcKeys } from "./oidc.ts";

/**
 * Options of {@linkcode jwtVerifier}: exactly one of `secret`, `publicKey`, `jwks` and `oidc`.
 *
 * @example
 * ```ts
 * import { jwtVerifier, type JwtVerifierOptions } from "./verifier.ts";
 * const options: JwtVerifierOptions = { jwks: "https://issuer.example/.well-known/jwks.json", issuer: "https://issuer.example", audience: "orders" };
 * const verifier = jwtVerifier(options);
 * ```
 */
export interface JwtVerifierOptions {
  /** An HMAC secret shared with the issuer (HS256/384/512), at least 32 bytes. */
  readonly secret?: string | Uint8Array | undefined;
  /** The issuer's public key: a `CryptoKey`, a public JWK, or a PEM `PUBLIC KEY` text. */
  readonly publicKey?: CryptoKey | JsonWebKey | string | undefined;
  /** The URL of the issuer's JWK Set (https; http only on a loopback host). */
  readonly jwks?: string | undefined;
  /** The issuer, for OpenID Connect Discovery of its JWK Set; also the default `issuer`. */
  readonly oidc?: string | undefined;
  /** The `iss` every token must have, exactly. Default: the `oidc` issuer, else any. */
  readonly issuer?: string | undefined;
  /** The audience a token's `aud` must name (any of them, given several). Default: any. */
  readonly audience?: string | readonly string[] | undefined;
  /** The algorithms accepted. Default: all those the key source's keys check (never `none`). */
  readonly algorithms?: readonly JwsAlgorithm[] | undefined;
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. Default 30. */
  readonly leeway?: number | undefined;
  /** The oldest token accepted, in seconds since its `iat` (then required). Default: no limit. */
  readonly maxAge?: number | undefined;
  /** The longest token accepted, refused before any decoding. Default 8,192 (8 KiB). */
  readonly maxTokenBytes?: number | undefined;
  /** The `fetch` of `jwks` and `oidc` (tests inject one). Default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** How the key set of `jwks` and `oidc` is fetched and kept (see {@linkcode JwksOptions}). */
  readonly keyCache?: Omit<JwksOptions, "fetch" | "now" | "algorithms"> | undefined;
}

/**
 * A token accepted: who it names, what it allows, and all it says.
 *
 * @example
 * ```ts
 * import type { VerifiedToken } from "./verifier.ts";
 * const token: VerifiedToken = { subject: "user-42", scopes: ["orders:read"], claims: { sub: "user-42", scope: "orders:read" } };
 * ```
 */
export interface VerifiedToken {
  /** The `sub` claim. */
  readonly subject: string | undefined;
  /** The `scope` claim split on spaces (RFC 8693 §4.2), else the `scp` claim (an array or a string). */
  readonly scopes: readonly string[];
  /** Every claim of the payload, frozen. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Checks tokens: see {@linkcode jwtVerifier}.
 *
 * @example
 * ```ts
 * import { type JwtVerifier, jwtVerifier } from "./verifier.ts";
 * const verifier: JwtVerifier = jwtVerifier({ secret: "a secret of at least thirty-two bytes!!" });
 * ```
 */
export interface JwtVerifier {
  /**
   * Verifies a token: its size, form, algorithm, key, signature, header and claims, in that
   * order (nothing of the payload is read before the signature is checked).
   *
   * @param token The JWT in compact form (`header.payload.signature`), without `Bearer `.
   * @returns The verified token.
   * @throws {JwtError} Why it was refused.
   */
  verify(token: string): Promise<VerifiedToken>;
}

const KEY_SOURCES = ["secret", "publicKey", "jwks", "oidc"] as const;
const ASYMMETRIC = ALGORITHM_NAMES.filter((name) => !name.startsWith("HS"));
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Makes a JWT verifier. Nothing is fetched or imported before the first token.
 *
 * @param options The key source (exactly one of `secret`, `publicKey`, `jwks`, `oidc`) and what
 *   tokens must say.
 * @returns The verifier.
 * @throws {TypeError} For no key source or several, an algorithm this verifier does not know, a
 *   secret that is too short or a PEM, a URL that is not https (http on a loopback host), or a
 *   negative leeway, maxAge or maxTokenBytes.
 * @example
 * ```ts
 * import { jwtVerifier } from "./verifier.ts";
 * const verifier = jwtVerifier({ oidc: "https://accounts.google.com", audience: "my-client-id" });
 * const token = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl";
 * const { subject, scopes } = await verifier.verify(token);
 * ```
 */
export function jwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const given = KEY_SOURCES.filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(`jwtVerifier needs exactly one of secret, publicKey, jwks or oidc; got ${given.length === 0 ? "none" : given.join(", ")}`);
  }
  const requested = options.algorithms;
  for (const name of requested ?? []) {
    if (algorithmSpec(name) === undefined) throw new TypeError(`jwtVerifier: unknown algorithm ${JSON.stringify(name)} (${ALGORITHM_NAMES.join(", ")}; never none)`);
  }
  const leeway = nonNegative(options.leeway, 30, "leeway");
  const maxAge = nonNegative(options.maxAge, undefined, "maxAge");
  const maxTokenBytes = nonNegative(options.maxTokenBytes, 8_192, "maxTokenBytes");
  const now = options.now ?? Date.now;
  const policy: ClaimsPolicy = { issuer: options.issuer ?? options.oidc, audience: options.audience, leeway, maxAge };
  const keyOptions = { algorithms: requested };
  const cacheOptions: JwksOptions = { ...options.keyCache, fetch: options.fetch, now, algorithms: requested };

  let keys: KeySet;
  let allowed: readonly JwsAlgorithm[];
  if (options.secret !== undefined) {
    const key = secretKey(options.secret, keyOptions);
    keys = { keyFor: () => key };
    allowed = key.algorithms;
  } else if (options.publicKey !== undefined) {
    keys = publicKeySet(options.publicKey, keyOptions);
    allowed = requested ?? ASYMMETRIC;
  } else {
    keys = options.jwks !== undefined ? new RemoteJwks(options.jwks, cacheOptions) : new OidcKeys(options.oidc ?? "", cacheOptions);
    allowed = requested ?? ASYMMETRIC;
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (typeof token !== "string") throw new JwtError("malformed", "the token is not a string");
      if (token.length > maxTokenBytes) throw new JwtError("too large", `the token is longer than maxTokenBytes (${maxTokenBytes})`);
      const firstDot = token.indexOf(".");
      const secondDot = token.indexOf(".", firstDot + 1);
      if (secondDot < 0 || token.includes(".", secondDot + 1)) {
        throw new JwtError("malformed", "the token is not three segments separated by dots (JWS compact serialization)");
      }
      const header = parseObject(decodeBase64Url(token.slice(0, firstDot)), "header");
      const spec = algorithmSpec(header["alg"]);
      if (spec === undefined || !allowed.includes(spec.name)) throw new JwtError("algorithm not allowed", "the token's alg is not one this verifier accepts");
      checkHeader(header);
      const payload = decodeBase64Url(token.slice(firstDot + 1, secondDot));
      const signature = decodeBase64Url(token.slice(secondDot + 1));
      const found = keys.keyFor(header["kid"] as string | undefined, spec.name);
      const key = found instanceof Promise ? await found : found;
      if (!key.allows(spec.name)) throw new JwtError("algorithm not allowed", "the token's alg is not one its key checks");
      const cryptoKey = key.cached(spec.name) ?? await key.cryptoKey(spec);
      if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) throw new JwtError("bad signature", "the token's signature does not match");
      let valid: boolean;
      try {
        valid = await crypto.subtle.verify(spec.verifyParams, cryptoKey, signature, encoder.encode(token.slice(0, secondDot)));
      } catch {
        valid = false;
      }
      if (!valid) throw new JwtError("bad signature", "the token's signature does not match");
      const claims = parseObject(payload, "payload");
      checkClaims(claims, policy, now() / 1000);
      return { subject: claims["sub"] as string | undefined, scopes: scopesOf(claims), claims: Object.freeze(claims) };
    },
  };
}

/** A key set of one public key, imported on first use (a failure is kept and given to every call). */
function publicKeySet(input: CryptoKey | JsonWebKey | string, keyOptions: { algorithms: readonly JwsAlgorithm[] | undefined }): KeySet {
  let imported: VerificationKey | undefined;
  let importing: Promise<VerificationKey> | undefined;
  return {
    keyFor(): VerificationKey | Promise<VerificationKey> {
      if (imported !== undefined) return imported;
      importing ??= importPublicKey(input, keyOptions).then(
        (key) => (imported = key),
        (error: unknown) => {
          throw new JwtError("keys unavailable", (error as Error).message, { cause: error });
        },
      );
      return importing;
    },
  };
}

function nonNegative<Fallback extends number | undefined>(value: number | undefined, fallback: Fallback, name: string): number | Fallback {
  if (value === undefined) return fallback;
  if (!(value >= 0)) throw new TypeError(`jwtVerifier: ${name} must be a number of 0 or more`);
  return value;
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    // Not the parser's message: it quotes the text it could not read.
    throw new JwtError("malformed", `the token's ${what} is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new JwtError("malformed", `the token's ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function scopesOf(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const { scope, scp } = claims;
  const value = scope ?? scp;
  if (value === undefined) return Object.freeze([]);
  const scopes = typeof value === "string" ? value.split(" ") : value;
  if (!Array.isArray(scopes) || !scopes.every((item) => typeof item === "string")) {
    throw new JwtError("malformed", "the token's scope is not a space-separated string (nor its scp an array of strings)");
  }
  return Object.freeze(scopes.filter((item) => item !== ""));
}
