/**
 * The JWS algorithms this verifier checks (RFC 7518 §3, RFC 8037 §3.1) and the WebCrypto
 * parameters of each: how to import a key for it and how to verify with it. `none` is not one of
 * them, and never will be.
 *
 * @module
 */

/**
 * The name of a JWS algorithm this verifier checks, as it appears in a token's `alg` header.
 *
 * @example
 * ```ts
 * import type { JwsAlgorithm } from "./algorithms.ts";
 * const algorithm: JwsAlgorithm = "ES256";
 * ```
 */
export type JwsAlgorithm =
  | "HS256" | "HS384" | "HS512"
  | "RS256" | "RS384" | "RS512"
  | "PS256" | "PS384" | "PS512"
  | "ES256" | "ES384" | "ES512"
  | "EdDSA";

/**
 * The JWK key type (`kty`) of the keys an algorithm verifies with: `oct` for HMAC secrets, `RSA`,
 * `EC` (with a `crv`) and `OKP` (Ed25519).
 *
 * @example
 * ```ts
 * import type { KeyType } from "./algorithms.ts";
 * const type: KeyType = "EC";
 * ```
 */
export type KeyType = "oct" | "RSA" | "EC" | "OKP";

/**
 * What WebCrypto needs to check one JWS algorithm.
 *
 * @example
 * ```ts
 * import { ALGORITHMS, type AlgorithmSpec } from "./algorithms.ts";
 * const spec: AlgorithmSpec = ALGORITHMS.ES256;
 * spec.signatureBytes; // 64: r || s, 32 bytes each
 * ```
 */
export interface AlgorithmSpec {
  /** The JWS name. */
  readonly name: JwsAlgorithm;
  /** The JWK `kty` of its keys. */
  readonly keyType: KeyType;
  /** The JWK `crv` of its keys (EC and OKP), else `undefined`. */
  readonly curve: "P-256" | "P-384" | "P-521" | "Ed25519" | undefined;
  /** The parameters of `crypto.subtle.importKey` for a key of this algorithm. */
  readonly importParams: Algorithm | HmacImportParams | RsaHashedImportParams | EcKeyImportParams;
  /** The parameters of `crypto.subtle.verify`. */
  readonly verifyParams: Algorithm | RsaPssParams | EcdsaParams;
  /**
   * The signature's exact length in bytes when it is fixed (HMAC: the hash; ECDSA: r || s as JWS
   * and WebCrypto both write it, RFC 7518 §3.4; Ed25519: 64), `undefined` for RSA (the modulus').
   */
  readonly signatureBytes: number | undefined;
}

function hmac(name: JwsAlgorithm, bits: 256 | 384 | 512): AlgorithmSpec {
  const hash = `SHA-${bits}`;
  return { name, keyType: "oct", curve: undefined, importParams: { name: "HMAC", hash }, verifyParams: { name: "HMAC" }, signatureBytes: bits / 8 };
}

function rsa(name: JwsAlgorithm, bits: 256 | 384 | 512): AlgorithmSpec {
  const hash = `SHA-${bits}`;
  return { name, keyType: "RSA", curve: undefined, importParams: { name: "RSASSA-PKCS1-v1_5", hash }, verifyParams: { name: "RSASSA-PKCS1-v1_5" }, signatureBytes: undefined };
}

// RSA-PSS with MGF1 over the same hash and a salt as long as the hash (RFC 7518 §3.5).
function pss(name: JwsAlgorithm, bits: 256 | 384 | 512): AlgorithmSpec {
  const hash = `SHA-${bits}`;
  const params: RsaPssParams = { name: "RSA-PSS", saltLength: bits / 8 };
  return { name, keyType: "RSA", curve: undefined, importParams: { name: "RSA-PSS", hash }, verifyParams: params, signatureBytes: undefined };
}

function ecdsa(name: JwsAlgorithm, curve: "P-256" | "P-384" | "P-521", bits: 256 | 384 | 512, coordinateBytes: number): AlgorithmSpec {
  const params: EcdsaParams = { name: "ECDSA", hash: `SHA-${bits}` };
  return { name, keyType: "EC", curve, importParams: { name: "ECDSA", namedCurve: curve }, verifyParams: params, signatureBytes: 2 * coordinateBytes };
}

/**
 * Every algorithm this verifier checks, by JWS name.
 *
 * @example
 * ```ts
 * import { ALGORITHMS } from "./algorithms.ts";
 * ALGORITHMS.PS256.verifyParams; // { name: "RSA-PSS", saltLength: 32 }
 * ```
 */
export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = Object.freeze({
  HS256: hmac("HS256", 256),
  HS384: hmac("HS384", 384),
  HS512: hmac("HS512", 512),
  RS256: rsa("RS256", 256),
  RS384: rsa("RS384", 384),
  RS512: rsa("RS512", 512),
  PS256: pss("PS256", 256),
  PS384: pss("PS384", 384),
  PS512: pss("PS512", 512),
  ES256: ecdsa("ES256", "P-256", 256, 32),
  ES384: ecdsa("ES384", "P-384", 384, 48),
  ES512: ecdsa("ES512", "P-521", 512, 66),
  EdDSA: { name: "EdDSA", keyType: "OKP", curve: "Ed25519", importParams: { name: "Ed25519" }, verifyParams: { name: "Ed25519" }, signatureBytes: 64 },
});

/**
 * The names of every algorithm of {@linkcode ALGORITHMS}, HMAC first.
 *
 * @example
 * ```ts
 * import { ALGORITHM_NAMES } from "./algorithms.ts";
 * ALGORITHM_NAMES.includes("none" as never); // false
 * ```
 */
export const ALGORITHM_NAMES: readonly JwsAlgorithm[] = Object.freeze(Object.keys(ALGORITHMS) as JwsAlgorithm[]);

/**
 * Looks up an algorithm by the name a token gives, own names only (`"toString"`, `"none"` and
 * names of another case are not algorithms).
 *
 * @param name The `alg` header.
 * @returns Its parameters, or `undefined` when this verifier does not check it.
 * @example
 * ```ts
 * import { algorithmSpec } from "./algorithms.ts";
 * algorithmSpec("RS256")?.keyType; // "RSA"
 * algorithmSpec("none"); // undefined
 * ```
 */
export function algorithmSpec(name: unknown): AlgorithmSpec | undefined {
  return typeof name === "string" && Object.hasOwn(ALGORITHMS, name) ? ALGORITHMS[name as JwsAlgorithm] : undefined;
}

/**
 * The algorithms whose keys are of one type (and curve), the ones a key of that type may check.
 *
 * @param keyType The key's `kty`.
 * @param curve Its `crv` for EC and OKP keys.
 * @returns The algorithms, possibly none (an unknown curve).
 * @example
 * ```ts
 * import { algorithmsForKey } from "./algorithms.ts";
 * algorithmsForKey("EC", "P-384"); // ["ES384"]
 * algorithmsForKey("RSA", undefined); // ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
 * ```
 */
export function algorithmsForKey(keyType: KeyType, curve: string | undefined): JwsAlgorithm[] {
  return ALGORITHM_NAMES.filter((name) => ALGORITHMS[name].keyType === keyType && ALGORITHMS[name].curve === curve);
}
