/**
 * Who is calling: JWT verification on WebCrypto alone, for Node.js, Deno, Bun and browsers:
 * `tsmicroservice/auth`. An HMAC secret, a public key (`CryptoKey`, JWK or PEM), a JWKS URL kept
 * and refreshed on key rotation, or an OpenID issuer found by discovery; the algorithms of RFC
 * 7518 and EdDSA (never `none`); the claims checked as RFC 8725 recommends.
 *
 * @example
 * ```ts
 * import { JwtError, jwtVerifier } from "./mod.ts";
 * const token = new Request("https://orders.example/api").headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
 * const verifier = jwtVerifier({ jwks: "https://issuer.example/.well-known/jwks.json", issuer: "https://issuer.example", audience: "orders" });
 * try {
 *   const { subject, scopes } = await verifier.verify(token);
 * } catch (error) {
 *   if (error instanceof JwtError) console.log(error.reason); // "expired", "wrong audience", …
 * }
 * ```
 *
 * @module
 */

export { ALGORITHM_NAMES, ALGORITHMS, type AlgorithmSpec, algorithmSpec, algorithmsForKey, type JwsAlgorithm, type KeyType } from "./algorithms.ts";
export { decodeBase64Url } from "./base64url.ts";
export { checkClaims, checkHeader, type ClaimsPolicy } from "./claims.ts";
export { JwtError, type JwtErrorReason } from "./errors.ts";
export { fetchJson, type FetchJsonOptions, keyUrl } from "./fetch_json.ts";
export { type JwksOptions, RemoteJwks, remoteJwks } from "./jwks.ts";
export { importPublicKey, type KeyOptions, keyFromJwk, type KeySet, secretKey, VerificationKey } from "./keys.ts";
export { discoverJwksUri, discoveryUrl, OidcKeys, oidcKeys } from "./oidc.ts";
export { type JwtVerifier, jwtVerifier, type JwtVerifierOptions, type VerifiedToken } from "./verifier.ts";
// The client side: tokens that are renewed, for a client's `token` option.
export { clientCredentials, type ClientCredentialsOptions } from "./client_credentials.ts";
export { fileToken, type FileTokenOptions } from "./file_token.ts";
// The service side: callers identified by their tokens.
export { jwt, type JwtOptions, type JwtPlugin, PROTECTED_RESOURCE_PATH, type ProtectedResourceOptions } from "./jwt_plugin.ts";
export type { Caller, MethodScopes } from "../../mod.ts";
