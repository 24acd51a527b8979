/**
 * Keys found through OpenID Connect Discovery 1.0: the issuer's
 * `<issuer>/.well-known/openid-configuration` names its `jwks_uri`, once its `issuer` member is
 * checked to be exactly the configured issuer (§4.3: a document for another issuer is refused).
 * The key set is then a {@linkcode RemoteJwks}.
 *
 * @module
 */

import type { JwsAlgorithm } from "./algorithms.ts";
import { JwtError } from "./errors.ts";
import { fetchJson, type FetchJsonOptions, keyUrl } from "./fetch_json.ts";
import { type JwksOptions, RemoteJwks } from "./jwks.ts";
import type { KeySet, VerificationKey } from "./keys.ts";

/**
 * Where an issuer publishes its OpenID Provider configuration (OIDC Discovery §4): the issuer's
 * URL, without a trailing slash, followed by `/.well-known/openid-configuration`.
 *
 * @param issuer The issuer's URL.
 * @returns The configuration's URL.
 * @throws {TypeError} For an issuer that is not an https URL (http on a loopback host).
 * @example
 * ```ts
 * import { discoveryUrl } from "./oidc.ts";
 * discoveryUrl("https://login.example/tenant/").href; // "https://login.example/tenant/.well-known/openid-configuration"
 * ```
 */
export function discoveryUrl(issuer: string): URL {
  return keyUrl(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, "oidc");
}

/**
 * Fetches an issuer's configuration and gives its `jwks_uri`.
 *
 * @param issuer The issuer, exactly as its tokens' `iss` and its configuration's `issuer` say it.
 * @param options The `fetch`, the byte limit and the timeout.
 * @returns The `jwks_uri`, checked by the same rules as the issuer's URL.
 * @throws {JwtError} `"keys unavailable"` when the configuration cannot be fetched, names another
 *   issuer or has no usable `jwks_uri`.
 * @example
 * ```ts
 * import { discoverJwksUri } from "./oidc.ts";
 * await discoverJwksUri("https://accounts.google.com"); // "https://www.googleapis.com/oauth2/v3/certs"
 * ```
 */
export async function discoverJwksUri(issuer: string, options: FetchJsonOptions = {}): Promise<string> {
  const url = discoveryUrl(issuer);
  const document = await fetchJson(url, options);
  const fields = typeof document === "object" && document !== null ? (document as Record<string, unknown>) : {};
  if (fields["issuer"] !== issuer) {
    throw new JwtError("keys unavailable", `${url.href}: the configuration's issuer is not ${issuer} (OIDC Discovery §4.3)`);
  }
  const jwksUri = fields["jwks_uri"];
  if (typeof jwksUri !== "string") throw new JwtError("keys unavailable", `${url.href}: the configuration has no jwks_uri`);
  try {
    keyUrl(jwksUri, "jwks_uri");
  } catch (error) {
    throw new JwtError("keys unavailable", `${url.href}: ${(error as Error).message}`);
  }
  return jwksUri;
}

/**
 * The keys of an OpenID Provider: discovered on first use, then a {@linkcode RemoteJwks}. A
 * failed discovery is tried again at most once per `refreshInterval`.
 *
 * @example
 * ```ts
 * import { OidcKeys } from "./oidc.ts";
 * const keys = new OidcKeys("https://accounts.google.com");
 * const key = await keys.keyFor("a-kid", "RS256");
 * ```
 */
export class OidcKeys implements KeySet {
  /** The issuer. */
  readonly issuer: string;
  readonly #options: JwksOptions;
  #jwks: RemoteJwks | undefined;
  // The discovery under way, done, or failed: a failed one is given to every call until
  // refreshInterval has passed since it started.
  #discovery: Promise<RemoteJwks> | undefined;
  #failedAt = Infinity;

  /**
   * Makes the key set; nothing is fetched before the first {@linkcode OidcKeys.keyFor}.
   *
   * @param issuer The issuer's URL, exactly as its tokens' `iss` says it.
   * @param options How the configuration and the key set are fetched and kept.
   * @throws {TypeError} For an issuer that is not an https URL (http on a loopback host).
   */
  constructor(issuer: string, options: JwksOptions = {}) {
    discoveryUrl(issuer);
    this.issuer = issuer;
    this.#options = options;
  }

  /**
   * The key with a `kid` that may check an algorithm (see {@linkcode RemoteJwks.keyFor}).
   *
   * @param kid The token's `kid`, an opaque string.
   * @param algorithm The token's `alg`.
   * @returns The key.
   * @throws {JwtError} As {@linkcode RemoteJwks.keyFor}, and `"keys unavailable"` while the
   *   configuration cannot be discovered.
   * @example
   * ```ts
   * import { oidcKeys } from "./oidc.ts";
   * const key = await oidcKeys("https://accounts.google.com").keyFor("a-kid", "RS256");
   * ```
   */
  keyFor(kid: string | undefined, algorithm: JwsAlgorithm): VerificationKey | Promise<VerificationKey> {
    return this.#jwks !== undefined ? this.#jwks.keyFor(kid, algorithm) : this.#discover().then((jwks) => jwks.keyFor(kid, algorithm));
  }

  #discover(): Promise<RemoteJwks> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#discovery === undefined || now - this.#failedAt >= (this.#options.refreshInterval ?? 60_000)) {
      this.#failedAt = Infinity;
      this.#discovery = discoverJwksUri(this.issuer, this.#options).then(
        (jwksUri) => (this.#jwks = new RemoteJwks(jwksUri, this.#options)),
        (error: unknown) => {
          this.#failedAt = now;
          throw error;
        },
      );
    }
    return this.#discovery;
  }
}

/**
 * The keys of an OpenID Provider: `new OidcKeys(issuer, options)`.
 *
 * @param issuer The issuer's URL, exactly as its tokens' `iss` says it.
 * @param options How the configuration and the key set are fetched and kept.
 * @returns The key set.
 * @throws {TypeError} For an issuer that is not an https URL (http on a loopback host).
 * @example
 * ```ts
 * import { oidcKeys } from "./oidc.ts";
 * const keys = oidcKeys("https://login.example/tenant", { maxKeys: 20 });
 * ```
 */
export function oidcKeys(issuer: string, options: JwksOptions = {}): OidcKeys {
  return new OidcKeys(issuer, options);
}
