/**
 * Verification keys: an HMAC secret, or a public key given as a `CryptoKey`, a JWK or a PEM
 * (SPKI) text, each with the algorithms it may check. A key is bound to its family: a secret
 * checks HS256/384/512 only, an RSA key RS* and PS*, an EC key the ES* of its curve, an Ed25519
 * key EdDSA, so a token signed with HMAC "using" a public key as the secret is refused (algorithm
 * confusion, RFC 8725 §2.1). The `CryptoKey` of each algorithm is imported once and kept.
 *
 * @module
 */

import { ALGORITHM_NAMES, ALGORITHMS, type AlgorithmSpec, algorithmsForKey, type JwsAlgorithm } from "./algorithms.ts";
import { JwtError } from "./errors.ts";

/** The smallest RSA modulus accepted, in bits (RFC 7518 §3.3: "2048 bits or larger MUST be used"). */
const MIN_RSA_BITS = 2048;

type Loader = (spec: AlgorithmSpec) => Promise<CryptoKey>;

/**
 * Options of the functions that make a {@linkcode VerificationKey}.
 *
 * @example
 * ```ts
 * import { secretKey, type KeyOptions } from "./keys.ts";
 * const options: KeyOptions = { algorithms: ["HS256"] };
 * secretKey("a secret of at least thirty-two bytes!!", options).algorithms; // ["HS256"]
 * ```
 */
export interface KeyOptions {
  /** Narrows the algorithms the key may check to these (the key's own stay the upper bound). */
  readonly algorithms?: readonly JwsAlgorithm[] | undefined;
}

/**
 * A key a token's signature is checked with, and the algorithms it may check. Made by
 * {@linkcode secretKey}, {@linkcode importPublicKey} and {@linkcode keyFromJwk}.
 *
 * @example
 * ```ts
 * import { ALGORITHMS } from "./algorithms.ts";
 * import { secretKey } from "./keys.ts";
 * const key = secretKey("a secret of at least thirty-two bytes!!");
 * key.allows("HS256"); // true
 * key.allows("RS256"); // false
 * const cryptoKey = key.cached("HS256") ?? await key.cryptoKey(ALGORITHMS.HS256);
 * ```
 */
export class VerificationKey {
  /** The key's id (a JWK's `kid`), an opaque string; `undefined` when it has none. */
  readonly kid: string | undefined;
  /** The algorithms this key may check. */
  readonly algorithms: readonly JwsAlgorithm[];
  readonly #load: Loader;
  readonly #keys = new Map<string, CryptoKey>();
  readonly #loading = new Map<string, Promise<CryptoKey>>();

  /**
   * Makes a key; use {@linkcode secretKey}, {@linkcode importPublicKey} or {@linkcode keyFromJwk}.
   *
   * @param kid Its id.
   * @param algorithms What it may check.
   * @param load Imports the `CryptoKey` of one of them.
   */
  constructor(kid: string | undefined, algorithms: readonly JwsAlgorithm[], load: Loader) {
    this.kid = kid;
    this.algorithms = Object.freeze([...algorithms]);
    this.#load = load;
  }

  /**
   * Tells whether this key may check an algorithm.
   *
   * @param algorithm The token's `alg`.
   * @returns `true` when it may.
   * @example
   * ```ts
   * import { secretKey } from "./keys.ts";
   * secretKey("a secret of at least thirty-two bytes!!").allows("HS384"); // false: too short for it
   * ```
   */
  allows(algorithm: JwsAlgorithm): boolean {
    return this.algorithms.includes(algorithm);
  }

  /**
   * The `CryptoKey` of an algorithm when it was imported already, without waiting.
   *
   * @param algorithm One of {@linkcode VerificationKey.algorithms}.
   * @returns The key, or `undefined` before {@linkcode VerificationKey.cryptoKey} imported it.
   * @example
   * ```ts
   * import { secretKey } from "./keys.ts";
   * secretKey("a secret of at least thirty-two bytes!!").cached("HS256"); // undefined: not imported yet
   * ```
   */
  cached(algorithm: JwsAlgorithm): CryptoKey | undefined {
    return this.#keys.get(algorithm);
  }

  /**
   * Imports (once) the `CryptoKey` that checks an algorithm.
   *
   * @param spec The algorithm, one of {@linkcode VerificationKey.algorithms}.
   * @returns The key.
   * @throws {JwtError} `"unknown key"` when the key material cannot be imported for it (an RSA
   *   modulus under 2048 bits, say); the failure is kept, not retried.
   * @example
   * ```ts
   * import { ALGORITHMS } from "./algorithms.ts";
   * import { secretKey } from "./keys.ts";
   * const key = await secretKey("a secret of at least thirty-two bytes!!").cryptoKey(ALGORITHMS.HS256);
   * key.algorithm.name; // "HMAC"
   * ```
   */
  cryptoKey(spec: AlgorithmSpec): Promise<CryptoKey> {
    let loading = this.#loading.get(spec.name);
    if (loading === undefined) {
      loading = this.#load(spec).then(
        (key) => {
          this.#keys.set(spec.name, key);
          return key;
        },
        (error: unknown) => {
          throw error instanceof JwtError ? error : new JwtError("unknown key", `the key could not be imported for ${spec.name}`, { cause: error });
        },
      );
      this.#loading.set(spec.name, loading);
    }
    return loading;
  }
}

/**
 * Finds the key of a token, by its `kid` and algorithm: one fixed key, or a key set such as a
 * JWKS ({@linkcode RemoteJwks}).
 *
 * @example
 * ```ts
 * import { type KeySet, secretKey } from "./keys.ts";
 * const key = secretKey("a secret of at least thirty-two bytes!!");
 * const keys: KeySet = { keyFor: () => key };
 * ```
 */
export interface KeySet {
  /**
   * The key that checks a token.
   *
   * @param kid The token's `kid` header, an opaque string (never a path or a URL to load).
   * @param algorithm The token's `alg`.
   * @returns The key, at once when known.
   * @throws {JwtError} `"unknown key"`, `"algorithm not allowed"` or `"keys unavailable"`.
   */
  keyFor(kid: string | undefined, algorithm: JwsAlgorithm): VerificationKey | Promise<VerificationKey>;
}

/**
 * An HMAC secret, for HS256, HS384 and HS512. A secret shorter than an algorithm's hash does not
 * check that algorithm (RFC 7518 §3.2: the key must be at least as long as the hash).
 *
 * @param secret The shared secret: a string (its UTF-8 bytes) or bytes.
 * @param options Narrows the algorithms.
 * @returns The key.
 * @throws {TypeError} For a secret shorter than 32 bytes, one that is a PEM text (a public key is
 *   not a secret), or no algorithm left.
 * @example
 * ```ts
 * import { secretKey } from "./keys.ts";
 * secretKey(new Uint8Array(64).fill(7)).algorithms; // ["HS256", "HS384", "HS512"]
 * ```
 */
export function secretKey(secret: string | Uint8Array, options: KeyOptions = {}): VerificationKey {
  if (typeof secret === "string" && secret.trimStart().startsWith("-----BEGIN")) {
    throw new TypeError("secret is a PEM key: a public key goes in publicKey, never in secret");
  }
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : Uint8Array.from(secret);
  // HS256 needs 256 bits, HS384 384, HS512 512.
  const fitting = algorithmsForKey("oct", undefined).filter((name) => bytes.length * 8 >= Number(name.slice(2)));
  if (fitting.length === 0) throw new TypeError(`secret has ${bytes.length} bytes; HMAC needs at least 32 (RFC 7518 §3.2)`);
  return new VerificationKey(undefined, narrowed(fitting, options, "secret"), (spec) => crypto.subtle.importKey("raw", bytes, spec.importParams, false, ["verify"]));
}

/**
 * A public key, given as a `CryptoKey`, a JWK (a public one, not `oct`) or a PEM `PUBLIC KEY`
 * (SPKI) text. A `CryptoKey` checks its own algorithm only; a JWK the algorithms of its type and
 * curve, or its `alg` when it has one; a PEM those of the key it holds.
 *
 * @param input The key.
 * @param options Narrows the algorithms.
 * @returns The key, imported once to check it.
 * @throws {TypeError} For a secret or private key, a PEM of another kind, a JWK
 *   {@linkcode keyFromJwk} refuses, an RSA key under 2048 bits, or no algorithm left.
 * @example
 * ```ts
 * import { importPublicKey } from "./keys.ts";
 * const { publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
 * (await importPublicKey(publicKey)).algorithms; // ["ES256"]
 * const jwk = await crypto.subtle.exportKey("jwk", publicKey);
 * (await importPublicKey(jwk)).algorithms; // ["ES256"]
 * ```
 */
export async function importPublicKey(input: CryptoKey | JsonWebKey | string, options: KeyOptions = {}): Promise<VerificationKey> {
  if (typeof input === "string") return await importPem(input, options);
  if (input instanceof CryptoKey) return fromCryptoKey(input, options);
  const key = keyFromJwk(input, options);
  const first = key.algorithms[0];
  try {
    if (first !== undefined) await key.cryptoKey(ALGORITHMS[first]);
  } catch (error) {
    throw new TypeError(`publicKey: the JWK could not be imported (${messageOf(error)})`, { cause: error });
  }
  return key;
}

/**
 * A key of a JWK Set entry (RFC 7517 §4), or a JWK given as `publicKey`: RSA, EC (P-256, P-384,
 * P-521) or OKP (Ed25519), public only. Its `use` must be `sig` and its `key_ops` hold `verify`
 * when present; its `alg`, when present, is the one algorithm it checks. Only the members of the
 * public key are imported (`kty`, `crv`, `n`, `e`, `x`, `y`); `x5c`, `x5u` and the like are
 * ignored, never fetched nor trusted.
 *
 * @param jwk The JWK.
 * @param options Narrows the algorithms.
 * @returns The key; its `CryptoKey`s are imported when first used.
 * @throws {TypeError} For a JWK that is not a public signature key of a supported type.
 * @example
 * ```ts
 * import { keyFromJwk } from "./keys.ts";
 * const key = keyFromJwk({ kty: "RSA", kid: "2024-01", alg: "PS256", n: "…", e: "AQAB" });
 * key.kid; // "2024-01"
 * key.algorithms; // ["PS256"]
 * ```
 */
export function keyFromJwk(jwk: unknown, options: KeyOptions = {}): VerificationKey {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new TypeError("a JWK is a JSON object");
  const fields = jwk as Record<string, unknown>;
  const { kty, crv, kid, alg, use } = fields;
  const keyOps = fields["key_ops"];
  if (kty === "oct") throw new TypeError("a JWK of kty oct is a secret, not a public key");
  if (kty !== "RSA" && kty !== "EC" && kty !== "OKP") throw new TypeError("a JWK's kty must be RSA, EC or OKP");
  if ("d" in fields) throw new TypeError("a JWK with d is a private key: give its public part");
  if (kid !== undefined && typeof kid !== "string") throw new TypeError("a JWK's kid must be a string");
  if (use !== undefined && use !== "sig") throw new TypeError("a JWK whose use is not sig does not check signatures");
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes("verify"))) throw new TypeError("a JWK whose key_ops lacks verify does not check signatures");
  const members: Record<string, string> = kty === "RSA" ? pick(fields, ["n", "e"]) : kty === "EC" ? pick(fields, ["x", "y"]) : pick(fields, ["x"]);
  const own = algorithmsForKey(kty, kty === "RSA" || typeof crv !== "string" ? undefined : crv);
  if (own.length === 0) throw new TypeError(`a JWK of kty ${kty} needs a supported crv`);
  const algorithms = alg === undefined ? own : own.filter((name) => name === alg);
  if (algorithms.length === 0) throw new TypeError("a JWK's alg does not fit its kty and crv");
  const material: JsonWebKey = { kty, ...members, ...(kty === "RSA" ? {} : { crv: crv as string }) };
  return new VerificationKey(kid, narrowed(algorithms, options, "the JWK"), async (spec) => {
    return checkedSize(await crypto.subtle.importKey("jwk", material, spec.importParams, false, ["verify"]));
  });
}

function pick(fields: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = fields[name];
    if (typeof value !== "string") throw new TypeError(`a JWK of kty ${String(fields["kty"])} needs ${name}`);
    picked[name] = value;
  }
  return picked;
}

function narrowed(own: readonly JwsAlgorithm[], options: KeyOptions, what: string): JwsAlgorithm[] {
  const wanted = options.algorithms;
  const algorithms = wanted === undefined ? [...own] : own.filter((name) => wanted.includes(name));
  if (algorithms.length === 0) throw new TypeError(`${what} checks none of the allowed algorithms (it checks ${own.join(", ")})`);
  return algorithms;
}

function checkedSize(key: CryptoKey): CryptoKey {
  const problem = sizeProblem(key);
  if (problem !== undefined) throw new JwtError("unknown key", problem);
  return key;
}

function sizeProblem(key: CryptoKey): string | undefined {
  const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
  return bits !== undefined && bits < MIN_RSA_BITS ? `an RSA key of ${bits} bits is refused: ${MIN_RSA_BITS} at least (RFC 7518 §3.3)` : undefined;
}

function checkedPublicSize(key: CryptoKey): void {
  const problem = sizeProblem(key);
  if (problem !== undefined) throw new TypeError(`publicKey: ${problem}`);
}

/** The JWS algorithm a `CryptoKey` was made for: its name with its hash, or its curve. */
function algorithmOf(key: CryptoKey): JwsAlgorithm | undefined {
  const algorithm = key.algorithm as Partial<RsaHashedKeyAlgorithm & EcKeyAlgorithm>;
  return ALGORITHM_NAMES.find((name) => {
    const params = ALGORITHMS[name].importParams as Partial<RsaHashedImportParams & EcKeyImportParams>;
    return params.name === algorithm.name && params.hash === algorithm.hash?.name && params.namedCurve === algorithm.namedCurve;
  });
}

function fromCryptoKey(key: CryptoKey, options: KeyOptions): VerificationKey {
  if (key.type !== "public") throw new TypeError(`publicKey is a ${key.type} CryptoKey: give the public key (an HMAC secret goes in secret)`);
  if (!key.usages.includes("verify")) throw new TypeError("publicKey is a CryptoKey without the verify usage");
  const algorithm = algorithmOf(key);
  if (algorithm === undefined) throw new TypeError(`publicKey is a CryptoKey for ${key.algorithm.name}, which no JWS algorithm uses`);
  checkedPublicSize(key);
  return new VerificationKey(undefined, narrowed([algorithm], options, "publicKey"), () => Promise.resolve(key));
}

// The ways to read an SPKI, tried in turn: the first import that succeeds tells the key's type.
const SPKI_TRIALS: readonly { readonly spec: AlgorithmSpec; readonly algorithms: readonly JwsAlgorithm[] }[] = [
  // An rsaEncryption key (RSASSA-PSS-only keys, of OID id-RSASSA-PSS, are not importable everywhere).
  { spec: ALGORITHMS.RS256, algorithms: algorithmsForKey("RSA", undefined) },
  { spec: ALGORITHMS.ES256, algorithms: ["ES256"] },
  { spec: ALGORITHMS.ES384, algorithms: ["ES384"] },
  { spec: ALGORITHMS.ES512, algorithms: ["ES512"] },
  { spec: ALGORITHMS.EdDSA, algorithms: ["EdDSA"] },
];

async function importPem(pem: string, options: KeyOptions): Promise<VerificationKey> {
  const match = /^\s*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/.exec(pem);
  if (match === null) throw new TypeError("publicKey as text must be a PEM \"PUBLIC KEY\" (SPKI); certificates, PKCS#1 and private keys are refused");
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob((match[1] ?? "").replace(/\r?\n/g, "")), (char) => char.charCodeAt(0));
  } catch {
    throw new TypeError("publicKey: the PEM's base64 is invalid");
  }
  for (const { spec, algorithms } of SPKI_TRIALS) {
    let first: CryptoKey;
    try {
      first = await crypto.subtle.importKey("spki", der, spec.importParams, false, ["verify"]);
    } catch {
      continue;
    }
    checkedPublicSize(first);
    const key = new VerificationKey(undefined, narrowed(algorithms, options, "publicKey"), async (other) => {
      return other.name === spec.name ? first : await crypto.subtle.importKey("spki", der, other.importParams, false, ["verify"]);
    });
    return key;
  }
  throw new TypeError("publicKey: the PEM holds no RSA, P-256, P-384, P-521 or Ed25519 public key");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
