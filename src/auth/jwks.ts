/**
 * A JSON Web Key Set fetched from a URL (RFC 7517 §5) and kept: a token naming an unknown `kid`
 * fetches it again (a key rotation), at most once per `refreshInterval` however many such tokens
 * come; a set older than `refreshAfter` is fetched again before use; while the issuer is
 * unreachable the last set keeps serving, up to `maxAge`. The document and its key count are
 * limited. `kid` is only ever looked up in the set: never a path or a URL to load.
 *
 * @module
 */

import type { JwsAlgorithm } from "./algorithms.ts";
import { JwtError } from "./errors.ts";
import { fetchJson, keyUrl } from "./fetch_json.ts";
import { keyFromJwk, type KeySet, type VerificationKey } from "./keys.ts";

/**
 * How a {@linkcode RemoteJwks} fetches and keeps its keys. Durations in milliseconds.
 *
 * @example
 * ```ts
 * import { remoteJwks, type JwksOptions } from "./jwks.ts";
 * const options: JwksOptions = { refreshInterval: 30_000, maxKeys: 20 };
 * const keys = remoteJwks("https://issuer.example/.well-known/jwks.json", options);
 * ```
 */
export interface JwksOptions {
  /** The `fetch` to use (tests inject one). Default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly now?: (() => number) | undefined;
  /** The least time between two fetches of the set. Default 60,000 (60 s). */
  readonly refreshInterval?: number | undefined;
  /** After this age the set is fetched again before use. Default 600,000 (10 min). */
  readonly refreshAfter?: number | undefined;
  /** The oldest set used while the issuer cannot be reached. Default 86,400,000 (24 h). */
  readonly maxAge?: number | undefined;
  /** The largest document read, in bytes. Default 1,048,576 (1 MiB). */
  readonly maxBytes?: number | undefined;
  /** The most keys a set may hold; a larger set is refused. Default 100. */
  readonly maxKeys?: number | undefined;
  /** How long one fetch may take. Default 5,000. */
  readonly timeout?: number | undefined;
  /** Only keys that may check one of these algorithms are kept. Default all. */
  readonly algorithms?: readonly JwsAlgorithm[] | undefined;
}

interface KeptSet {
  readonly fetchedAt: number;
  readonly byKid: ReadonlyMap<string, readonly VerificationKey[]>;
  readonly all: readonly VerificationKey[];
  // Each entry's JSON to its key, so that a key unchanged by a refresh keeps its CryptoKeys.
  readonly byJson: ReadonlyMap<string, VerificationKey>;
}

/**
 * A key set fetched from a URL and kept (see the module's description).
 *
 * @example
 * ```ts
 * import { RemoteJwks } from "./jwks.ts";
 * const keys = new RemoteJwks("https://issuer.example/.well-known/jwks.json");
 * const key = await keys.keyFor("2024-01", "RS256");
 * ```
 */
export class RemoteJwks implements KeySet {
  /** The set's URL. */
  readonly url: URL;
  readonly #options: JwksOptions;
  readonly #now: () => number;
  readonly #refreshInterval: number;
  readonly #refreshAfter: number;
  readonly #maxAge: number;
  readonly #maxKeys: number;
  #kept: KeptSet | undefined;
  #lastAttempt = -Infinity;
  #lastError: JwtError | undefined;
  #refreshing: Promise<void> | undefined;

  /**
   * Makes the set; nothing is fetched before the first {@linkcode RemoteJwks.keyFor}.
   *
   * @param url An https URL (http only on a loopback host).
   * @param options How it fetches and keeps.
   * @throws {TypeError} For another URL.
   */
  constructor(url: string, options: JwksOptions = {}) {
    this.url = keyUrl(url, "jwks");
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#refreshInterval = options.refreshInterval ?? 60_000;
    this.#refreshAfter = options.refreshAfter ?? 600_000;
    this.#maxAge = options.maxAge ?? 86_400_000;
    this.#maxKeys = options.maxKeys ?? 100;
  }

  /**
   * The key with a `kid` that may check an algorithm. A token without `kid` gets the one key of
   * the set that may check its algorithm, if there is exactly one.
   *
   * @param kid The token's `kid`, an opaque string.
   * @param algorithm The token's `alg`.
   * @returns The key: at once when the set is fresh and holds it.
   * @throws {JwtError} `"unknown key"` when the set (fetched again if allowed) lacks it,
   *   `"algorithm not allowed"` when the key with that `kid` does not check that algorithm,
   *   `"keys unavailable"` when no set could be fetched, or the last one is older than `maxAge`.
   * @example
   * ```ts
   * import { remoteJwks } from "./jwks.ts";
   * const key = await remoteJwks("https://issuer.example/.well-known/jwks.json").keyFor("2024-01", "ES256");
   * ```
   */
  keyFor(kid: string | undefined, algorithm: JwsAlgorithm): VerificationKey | Promise<VerificationKey> {
    const kept = this.#kept;
    if (kept !== undefined && this.#now() - kept.fetchedAt < this.#refreshAfter) {
      const key = find(kept, kid, algorithm);
      if (key !== undefined) return key;
    }
    return this.#keyForSlowly(kid, algorithm);
  }

  async #keyForSlowly(kid: string | undefined, algorithm: JwsAlgorithm): Promise<VerificationKey> {
    const kept = this.#kept;
    if (kept === undefined || this.#now() - kept.fetchedAt >= this.#refreshAfter) await this.#refreshIfAllowed();
    let key = find(this.#usable(), kid, algorithm);
    if (key === undefined) {
      await this.#refreshIfAllowed();
      key = find(this.#usable(), kid, algorithm);
    }
    if (key === undefined) throw new JwtError("unknown key", kid === undefined ? "the token names no key (kid) and the key set has not exactly one key for its algorithm" : "no key of the key set has the token's kid");
    return key;
  }

  /** The kept set, if it is young enough to use. */
  #usable(): KeptSet {
    const kept = this.#kept;
    if (kept === undefined) throw this.#lastError ?? new JwtError("keys unavailable", `${this.url.href}: not fetched yet`);
    if (this.#now() - kept.fetchedAt > this.#maxAge) {
      throw new JwtError("keys unavailable", `${this.url.origin}${this.url.pathname}: the last key set is older than maxAge (${this.#maxAge} ms) and could not be fetched again`, { cause: this.#lastError });
    }
    return kept;
  }

  /** Fetches the set again unless it was tried less than `refreshInterval` ago (or joins the fetch under way). */
  async #refreshIfAllowed(): Promise<void> {
    if (this.#refreshing === undefined && this.#now() - this.#lastAttempt >= this.#refreshInterval) {
      this.#lastAttempt = this.#now();
      this.#refreshing = this.#fetch().finally(() => {
        this.#refreshing = undefined;
      });
    }
    await this.#refreshing;
  }

  async #fetch(): Promise<void> {
    try {
      const document = await fetchJson(this.url, this.#options);
      this.#kept = this.#read(document);
    } catch (error) {
      // Kept for the message of the next refusal; the last good set stays until maxAge.
      this.#lastError = error instanceof JwtError ? error : new JwtError("keys unavailable", `${this.url.href}: refused`, { cause: error });
    }
  }

  #read(document: unknown): KeptSet {
    const where = this.url.origin + this.url.pathname;
    const entries = typeof document === "object" && document !== null ? (document as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(entries)) throw new JwtError("keys unavailable", `${where}: not a JWK Set (no keys array)`);
    if (entries.length > this.#maxKeys) {
      throw new JwtError("keys unavailable", `${where}: the JWK Set has ${entries.length} keys, more than maxKeys (${this.#maxKeys})`);
    }
    const before = this.#kept?.byJson;
    const byKid = new Map<string, VerificationKey[]>();
    const byJson = new Map<string, VerificationKey>();
    const all: VerificationKey[] = [];
    for (const entry of entries) {
      const json = JSON.stringify(entry);
      let key = before?.get(json);
      if (key === undefined) {
        try {
          key = keyFromJwk(entry, { algorithms: this.#options.algorithms });
        } catch {
          continue; // not a public signature key this verifier uses (an encryption key, an oct secret…)
        }
      }
      byJson.set(json, key);
      all.push(key);
      if (key.kid !== undefined) byKid.set(key.kid, [...(byKid.get(key.kid) ?? []), key]);
    }
    return { fetchedAt: this.#now(), byKid, all, byJson };
  }
}

function find(kept: KeptSet, kid: string | undefined, algorithm: JwsAlgorithm): VerificationKey | undefined {
  if (kid === undefined) {
    const fitting = kept.all.filter((key) => key.allows(algorithm));
    if (fitting.length > 1) throw new JwtError("unknown key", "the token names no key (kid) and the key set has several keys for its algorithm");
    return fitting[0];
  }
  const keys = kept.byKid.get(kid);
  if (keys === undefined) return undefined;
  const key = keys.find((candidate) => candidate.allows(algorithm));
  if (key === undefined) throw new JwtError("algorithm not allowed", "the key with the token's kid does not check the token's algorithm");
  return key;
}

/**
 * A key set fetched from a URL and kept: `new RemoteJwks(url, options)`.
 *
 * @param url An https URL (http only on a loopback host).
 * @param options How it fetches and keeps.
 * @returns The key set.
 * @throws {TypeError} For another URL.
 * @example
 * ```ts
 * import { remoteJwks } from "./jwks.ts";
 * const keys = remoteJwks("https://issuer.example/.well-known/jwks.json", { refreshInterval: 60_000 });
 * ```
 */
export function remoteJwks(url: string, options: JwksOptions = {}): RemoteJwks {
  return new RemoteJwks(url, options);
}
