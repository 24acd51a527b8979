// The JWT verifier of src/auth (issue 27, "Who is calling"): tokens minted by an independent
// implementation (jose) for every algorithm, verified with each form of key; a real JWKS and an
// OpenID configuration served on 127.0.0.1 (rotation, an issuer down, floods of unknown kids);
// and the hostile tokens RFC 8725 warns of, each refused with its exact reason and a message that
// never holds the token.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from "jose";
import {
  ALGORITHMS,
  algorithmSpec,
  algorithmsForKey,
  checkClaims,
  checkHeader,
  decodeBase64Url,
  discoveryUrl,
  importPublicKey,
  type JwsAlgorithm,
  JwtError,
  type JwtErrorReason,
  type JwtVerifierOptions,
  jwtVerifier,
  keyFromJwk,
  keyUrl,
  remoteJwks,
  secretKey,
  type VerifiedToken,
} from "../src/auth/mod.ts";

const ASYMMETRIC: readonly JwsAlgorithm[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const HMAC: readonly JwsAlgorithm[] = ["HS256", "HS384", "HS512"];
const SECRET = "a shared secret of sixty-four bytes, for HS256, HS384 and HS512!";
const NOW = 1_800_000_000; // seconds: the clock of the tests that set one

interface KeyPair {
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly pem: string;
}

// One RSA key for RS* and PS* (RSA key generation is slow), imported for each algorithm.
let rsaMaterial: Promise<{ pkcs8: ArrayBuffer; spki: ArrayBuffer }> | undefined;
async function keyPairFor(alg: JwsAlgorithm): Promise<CryptoKeyPair> {
  if (!alg.startsWith("RS") && !alg.startsWith("PS")) return await generateKeyPair(alg, { extractable: true });
  rsaMaterial ??= generateKeyPair("RS256", { extractable: true }).then(async ({ publicKey, privateKey }) => ({
    pkcs8: await crypto.subtle.exportKey("pkcs8", privateKey),
    spki: await crypto.subtle.exportKey("spki", publicKey),
  }));
  const { pkcs8, spki } = await rsaMaterial;
  const params = { name: alg.startsWith("RS") ? "RSASSA-PKCS1-v1_5" : "RSA-PSS", hash: `SHA-${alg.slice(2)}` };
  return {
    privateKey: await crypto.subtle.importKey("pkcs8", pkcs8, params, true, ["sign"]),
    publicKey: await crypto.subtle.importKey("spki", spki, params, true, ["verify"]),
  };
}

const pairs = new Map<JwsAlgorithm, KeyPair>();
async function pair(alg: JwsAlgorithm): Promise<KeyPair> {
  let found = pairs.get(alg);
  if (found === undefined) {
    const { publicKey, privateKey } = await keyPairFor(alg);
    found = { publicKey, privateKey, jwk: await exportJWK(publicKey), pem: await exportSPKI(publicKey) };
    pairs.set(alg, found);
  }
  return found;
}

/** A token signed by jose. */
async function mint(alg: JwsAlgorithm, key: CryptoKey | Uint8Array, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return await new SignJWT({ sub: "user-42", ...claims }).setProtectedHeader({ ...header, alg }).sign(key);
}

const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token signed with HMAC-SHA-256 by hand, header and payload as given (for what jose refuses to make). */
function forgeHs256(header: unknown, payload: unknown, secret: string | Buffer = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Checks a refusal: a JwtError with this reason, whose message (and its causes') holds no part of the token. */
async function refused(promise: Promise<unknown>, reason: JwtErrorReason, token?: string): Promise<JwtError> {
  const error = await promise.then(
    () => assert.fail(`accepted; expected "${reason}"`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof JwtError, `not a JwtError: ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  assert.equal(error.name, "JwtError");
  if (token !== undefined) assertNoTokenIn(error, token);
  return error;
}

function assertNoTokenIn(error: Error, token: string): void {
  const parts = [token, ...token.split(".")].filter((part) => part.length >= 6);
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    for (const part of parts) assert.ok(!current.message.includes(part), `the message holds part of the token: ${current.message}`);
  }
}

function verify(options: JwtVerifierOptions, token: string): Promise<VerifiedToken> {
  return jwtVerifier(options).verify(token);
}

// ---------------------------------------------------------------------------------------------
// A JWKS and OpenID configuration server on 127.0.0.1, counting the hits of each path.

interface Route {
  status?: number;
  body: string | Buffer;
  /** Sent in chunks without a Content-Length. */
  chunked?: boolean;
  location?: string;
  /** Never answers. */
  hang?: boolean;
  /** Sends half the body, then drops the connection. */
  cut?: boolean;
}

class KeyServer {
  readonly routes = new Map<string, Route>();
  readonly hits = new Map<string, number>();
  readonly accepts = new Map<string, string | undefined>();
  #server: Server | undefined;
  base = "";

  async start(): Promise<void> {
    this.#server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? "/";
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      this.accepts.set(path, request.headers.accept);
      const route = this.routes.get(path);
      if (route === undefined) {
        response.writeHead(404).end("{}");
        return;
      }
      if (route.hang === true) return;
      const length = route.chunked === true ? {} : { "content-length": Buffer.byteLength(route.body) };
      response.writeHead(route.status ?? 200, { "content-type": "application/json", ...length, ...(route.location === undefined ? {} : { location: route.location }) });
      if (route.cut === true) {
        response.write(route.body.slice(0, route.body.length >> 1), () => response.socket?.destroy());
      } else if (route.chunked === true) {
        for (let at = 0; at < route.body.length; at += 1024) response.write(route.body.slice(at, at + 1024));
        response.end();
      } else {
        response.end(route.body);
      }
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  serve(path: string, body: unknown, route: Omit<Route, "body"> = {}): string {
    this.routes.set(path, { ...route, body: typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body) });
    return this.base + path;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Hits of every path whose name starts with this. */
  hitsUnder(prefix: string): number {
    return [...this.hits].filter(([path]) => path.startsWith(prefix)).reduce((total, [, count]) => total + count, 0);
  }
}

const server = new KeyServer();
before(() => server.start());
after(() => server.stop());

let pathCount = 0;
/** A fresh path, so that tests do not share hit counts. */
const freshPath = (name: string): string => `/${name}-${++pathCount}`;

async function publicJwk(alg: JwsAlgorithm, kid: string, extra: Record<string, unknown> = {}): Promise<JWK> {
  return { ...(await pair(alg)).jwk, kid, ...extra };
}

/** A clock the test moves, in ms. */
function clock(start = NOW * 1000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

// ---------------------------------------------------------------------------------------------

describe("base64url, strictly", () => {
  const text = (encoded: string): string => Buffer.from(decodeBase64Url(encoded)).toString("latin1");

  test("decodes every length an encoder makes, and the URL-safe characters", () => {
    assert.equal(text(""), "");
    assert.equal(text("Zg"), "f");
    assert.equal(text("Zm8"), "fo");
    assert.equal(text("Zm9v"), "foo");
    assert.equal(text("Zm9vYg"), "foob");
    assert.deepEqual([...decodeBase64Url("-_8")], [0xfb, 0xff]);
    assert.deepEqual([...decodeBase64Url("AAEC_-8")], [0, 1, 2, 255, 239]);
    const all = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    assert.deepEqual(Buffer.from(decodeBase64Url(all.toString("base64url"))), all);
  });

  for (const [name, encoded] of [
    ["padding", "Zg=="],
    ["padding of one", "Zm8="],
    ["+ of base64", "Zm+v"],
    ["/ of base64", "Zm/v"],
    ["a space", "Zm9 v"],
    ["a line break", "Zm9v\nYg"],
    ["a non-ASCII letter", "Zm9é"],
    ["a character past U+00FF", "Zm9\u0100"],
    ["a length of 4n+1", "Zm9vY"],
    ["a lone character", "Z"],
    ["unused bits set after one byte", "Zh"],
    ["unused bits set after two bytes", "Zm9"],
  ] as const) {
    test(`refuses ${name}`, async () => {
      const error = await refused(Promise.resolve().then(() => decodeBase64Url(encoded)), "malformed");
      assert.match(error.message, /^a segment of the token (has an impossible length|has unused bits set|has a character outside the base64url alphabet)$/);
    });
  }

  test("says which rule a segment breaks", () => {
    assert.throws(() => decodeBase64Url("Zm9vY"), { message: "a segment of the token has an impossible length" });
    assert.throws(() => decodeBase64Url("Zh"), { message: "a segment of the token has unused bits set" });
    assert.throws(() => decodeBase64Url("Zm9"), { message: "a segment of the token has unused bits set" });
    assert.throws(() => decodeBase64Url("Zg=="), { message: "a segment of the token has a character outside the base64url alphabet" });
  });
});

describe("the algorithm table", () => {
  test("maps every algorithm to its WebCrypto parameters", () => {
    assert.deepEqual(ALGORITHMS.HS384.importParams, { name: "HMAC", hash: "SHA-384" });
    assert.deepEqual(ALGORITHMS.RS512.importParams, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" });
    assert.deepEqual(ALGORITHMS.PS256.verifyParams, { name: "RSA-PSS", saltLength: 32 });
    assert.deepEqual(ALGORITHMS.PS384.verifyParams, { name: "RSA-PSS", saltLength: 48 });
    assert.deepEqual(ALGORITHMS.PS512.verifyParams, { name: "RSA-PSS", saltLength: 64 });
    assert.deepEqual(ALGORITHMS.ES512.importParams, { name: "ECDSA", namedCurve: "P-521" });
    assert.deepEqual(ALGORITHMS.ES384.verifyParams, { name: "ECDSA", hash: "SHA-384" });
    assert.deepEqual(
      Object.values(ALGORITHMS).map((spec) => spec.signatureBytes),
      [32, 48, 64, undefined, undefined, undefined, undefined, undefined, undefined, 64, 96, 132, 64],
    );
  });

  test("has no none, and looks up own names only", () => {
    for (const name of ["none", "None", "NONE", "hs256", "toString", "__proto__", "constructor", "RSA-OAEP", "Ed448", "", 256, null]) {
      assert.equal(algorithmSpec(name), undefined, String(name));
    }
    assert.equal(algorithmSpec("EdDSA")?.keyType, "OKP");
  });

  test("gives the algorithms of each key type and curve", () => {
    assert.deepEqual(algorithmsForKey("oct", undefined), ["HS256", "HS384", "HS512"]);
    assert.deepEqual(algorithmsForKey("RSA", undefined), ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]);
    assert.deepEqual(algorithmsForKey("EC", "P-521"), ["ES512"]);
    assert.deepEqual(algorithmsForKey("OKP", "Ed25519"), ["EdDSA"]);
    assert.deepEqual(algorithmsForKey("EC", "secp256k1"), []);
  });
});

describe("every algorithm, every form of key, minted by jose", () => {
  for (const alg of ASYMMETRIC) {
    for (const form of ["CryptoKey", "JWK", "PEM"] as const) {
      test(`${alg} with the public key as a ${form}`, async () => {
        const keys = await pair(alg);
        const token = await mint(alg, keys.privateKey, { scope: "orders:read orders:write", iss: "https://issuer.example", aud: "orders" });
        const publicKey = form === "CryptoKey" ? keys.publicKey : form === "JWK" ? keys.jwk : keys.pem;
        const verifier = jwtVerifier({ publicKey, issuer: "https://issuer.example", audience: "orders" });
        const verified = await verifier.verify(token);
        assert.equal(verified.subject, "user-42");
        assert.deepEqual(verified.scopes, ["orders:read", "orders:write"]);
        assert.deepEqual(verified.claims, { sub: "user-42", scope: "orders:read orders:write", iss: "https://issuer.example", aud: "orders" });
        assert.ok(Object.isFrozen(verified.claims) && Object.isFrozen(verified.scopes));
        // Again, with the key kept.
        assert.equal((await verifier.verify(token)).subject, "user-42");
        // One bit of the signature changed.
        const [head, body, signature = ""] = token.split(".");
        const bytes = Buffer.from(signature, "base64url");
        bytes[5] = (bytes[5] ?? 0) ^ 1;
        const tampered = `${head}.${body}.${bytes.toString("base64url")}`;
        await refused(verifier.verify(tampered), "bad signature", tampered);
      });
    }
  }

  for (const alg of HMAC) {
    for (const form of ["string", "bytes"] as const) {
      test(`${alg} with the secret as ${form}`, async () => {
        const bytes = new TextEncoder().encode(SECRET);
        const token = await mint(alg, bytes, { scp: ["a", "b"] });
        const verified = await verify({ secret: form === "string" ? SECRET : bytes }, token);
        assert.deepEqual(verified.scopes, ["a", "b"]);
        assert.equal(verified.subject, "user-42");
        await refused(verify({ secret: `${SECRET}?` }, token), "bad signature", token);
      });
    }
  }

  test("a JWKS holding a key of every algorithm checks each by its kid", async () => {
    const keys = await Promise.all(ASYMMETRIC.map((alg) => publicJwk(alg, `kid-${alg}`, { alg })));
    const path = freshPath("every");
    const url = server.serve(path, { keys }, { chunked: true });
    const verifier = jwtVerifier({ jwks: url });
    for (const alg of ASYMMETRIC) {
      const token = await mint(alg, (await pair(alg)).privateKey, { n: alg }, { kid: `kid-${alg}` });
      assert.equal((await verifier.verify(token)).claims["n"], alg);
    }
    assert.equal(server.accepts.get(path), "application/json");
  });
});

describe("keys", () => {
  test("a secret checks the HMAC algorithms its length allows (RFC 7518 §3.2)", () => {
    assert.deepEqual(secretKey("x".repeat(32)).algorithms, ["HS256"]);
    assert.deepEqual(secretKey("x".repeat(47)).algorithms, ["HS256"]);
    assert.deepEqual(secretKey("x".repeat(48)).algorithms, ["HS256", "HS384"]);
    assert.deepEqual(secretKey(new Uint8Array(63)).algorithms, ["HS256", "HS384"]);
    assert.deepEqual(secretKey(new Uint8Array(64)).algorithms, ["HS256", "HS384", "HS512"]);
    assert.deepEqual(secretKey(new Uint8Array(64), { algorithms: ["HS512", "RS256"] }).algorithms, ["HS512"]);
    assert.throws(() => secretKey("x".repeat(31)), { name: "TypeError", message: "secret has 31 bytes; HMAC needs at least 32 (RFC 7518 §3.2)" });
    assert.throws(() => secretKey(new Uint8Array(64), { algorithms: ["RS256"] }), { name: "TypeError", message: "secret checks none of the allowed algorithms (it checks HS256, HS384, HS512)" });
  });

  test("a key's CryptoKey is imported once per algorithm, then kept", async () => {
    const key = secretKey(SECRET);
    assert.equal(key.cached("HS256"), undefined);
    const [first, again] = await Promise.all([key.cryptoKey(ALGORITHMS.HS256), key.cryptoKey(ALGORITHMS.HS256)]);
    assert.equal(again, first);
    assert.equal(key.cached("HS256"), first);
    assert.equal(await key.cryptoKey(ALGORITHMS.HS256), first);
    assert.equal(key.cached("HS384"), undefined);
    assert.deepEqual(first.algorithm, { name: "HMAC", hash: { name: "SHA-256" }, length: 512 });
    assert.deepEqual(first.usages, ["verify"]);
    assert.equal(first.extractable, false);
  });

  test("a secret that is a PEM key is refused: a public key is no secret", async () => {
    const { pem } = await pair("RS256");
    assert.throws(() => secretKey(pem), { name: "TypeError", message: "secret is a PEM key: a public key goes in publicKey, never in secret" });
    assert.throws(() => jwtVerifier({ secret: `\n  ${pem}` }), TypeError);
  });

  test("a secret given as bytes is copied: changing them later changes nothing", async () => {
    const bytes = new TextEncoder().encode(SECRET);
    const verifier = jwtVerifier({ secret: bytes });
    const token = await mint("HS256", new TextEncoder().encode(SECRET));
    bytes.fill(0);
    assert.equal((await verifier.verify(token)).subject, "user-42");
  });

  test("a CryptoKey checks its own algorithm only", async () => {
    const rs256 = await importPublicKey((await pair("RS256")).publicKey);
    assert.deepEqual(rs256.algorithms, ["RS256"]);
    assert.deepEqual((await importPublicKey((await pair("PS384")).publicKey)).algorithms, ["PS384"]);
    assert.deepEqual((await importPublicKey((await pair("ES512")).publicKey)).algorithms, ["ES512"]);
    assert.deepEqual((await importPublicKey((await pair("EdDSA")).publicKey)).algorithms, ["EdDSA"]);
    const material = await crypto.subtle.exportKey("pkcs8", (await pair("RS256")).privateKey);
    const sameKeyRs384 = await crypto.subtle.importKey("pkcs8", material, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" }, false, ["sign"]);
    const token = await mint("RS384", sameKeyRs384);
    await refused(verify({ publicKey: (await pair("RS256")).publicKey }, token), "algorithm not allowed", token);
  });

  test("a JWK or PEM RSA key checks RS* and PS*; its alg, when given, only that one", async () => {
    const { jwk, pem, privateKey } = await pair("RS256");
    const rsa = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
    assert.deepEqual((await importPublicKey(jwk)).algorithms, rsa);
    assert.deepEqual((await importPublicKey(pem)).algorithms, rsa);
    assert.deepEqual((await importPublicKey({ ...jwk, alg: "PS512" })).algorithms, ["PS512"]);
    assert.deepEqual((await importPublicKey(pem, { algorithms: ["PS256", "ES256"] })).algorithms, ["PS256"]);
    // The same RSA key material, used for RS512 and PS256: both check (a CryptoKey for each).
    const material = await crypto.subtle.exportKey("pkcs8", privateKey);
    for (const [alg, name] of [["RS512", "RSASSA-PKCS1-v1_5"], ["PS256", "RSA-PSS"]] as const) {
      const other = await crypto.subtle.importKey("pkcs8", material, { name, hash: alg === "RS512" ? "SHA-512" : "SHA-256" }, false, ["sign"]);
      const token = await mint(alg, other);
      assert.equal((await verify({ publicKey: pem }, token)).subject, "user-42");
      assert.equal((await verify({ publicKey: jwk }, token)).subject, "user-42");
      await refused(verify({ publicKey: { ...jwk, alg: "RS256" } }, token), "algorithm not allowed", token);
    }
  });

  test("narrowing a key to algorithms it does not check says so; imported keys are not extractable", async () => {
    const { jwk, publicKey, pem } = await pair("ES256");
    assert.throws(() => keyFromJwk(jwk, { algorithms: ["RS256"] }), { name: "TypeError", message: "the JWK checks none of the allowed algorithms (it checks ES256)" });
    await assert.rejects(importPublicKey(publicKey, { algorithms: ["ES384"] }), { name: "TypeError", message: "publicKey checks none of the allowed algorithms (it checks ES256)" });
    assert.equal((await keyFromJwk(jwk).cryptoKey(ALGORITHMS.ES256)).extractable, false);
    assert.equal((await (await importPublicKey(pem)).cryptoKey(ALGORITHMS.ES256)).extractable, false);
    const rsa = await importPublicKey((await pair("RS256")).pem);
    for (const alg of ["RS256", "PS512"] as const) {
      const cryptoKey = await rsa.cryptoKey(ALGORITHMS[alg]);
      assert.equal(cryptoKey.extractable, false);
      assert.deepEqual(cryptoKey.usages, ["verify"]);
    }
    await assert.rejects(importPublicKey({ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }), { name: "TypeError", message: "publicKey: the JWK could not be imported (the key could not be imported for ES256)" });
  });

  test("JWK use and key_ops are respected", async () => {
    const { jwk } = await pair("ES256");
    assert.deepEqual(keyFromJwk({ ...jwk, use: "sig", key_ops: ["verify"] }).algorithms, ["ES256"]);
    assert.throws(() => keyFromJwk({ ...jwk, use: "enc" }), { message: "a JWK whose use is not sig does not check signatures" });
    assert.throws(() => keyFromJwk({ ...jwk, key_ops: ["encrypt"] }), { message: "a JWK whose key_ops lacks verify does not check signatures" });
    assert.throws(() => keyFromJwk({ ...jwk, key_ops: "verify" }), { message: "a JWK whose key_ops lacks verify does not check signatures" });
    assert.throws(() => keyFromJwk({ ...jwk, alg: "ES384" }), { message: "a JWK's alg does not fit its kty and crv" });
    assert.throws(() => keyFromJwk({ ...jwk, alg: "HS256" }), { message: "a JWK's alg does not fit its kty and crv" });
  });

  test("JWKs that are not public signature keys of a supported type are refused, saying why", async () => {
    const { jwk } = await pair("ES256");
    const cases: [unknown, string][] = [
      [null, "a JWK is a JSON object"],
      [[jwk], "a JWK is a JSON object"],
      ["{}", "a JWK is a JSON object"],
      [{ kty: "oct", k: "c2VjcmV0" }, "a JWK of kty oct is a secret, not a public key"],
      [{ ...jwk, kty: "ec" }, "a JWK's kty must be RSA, EC or OKP"],
      [{ ...jwk, d: "private" }, "a JWK with d is a private key: give its public part"],
      [{ ...jwk, kid: 7 }, "a JWK's kid must be a string"],
      [{ ...jwk, crv: "secp256k1" }, "a JWK of kty EC needs a supported crv"],
      [{ kty: "EC", x: jwk.x, y: jwk.y }, "a JWK of kty EC needs a supported crv"],
      [{ kty: "OKP", crv: "Ed448", x: "AA" }, "a JWK of kty OKP needs a supported crv"],
      [{ ...jwk, y: undefined }, "a JWK of kty EC needs y"],
      [{ kty: "RSA", e: "AQAB" }, "a JWK of kty RSA needs n"],
      [{ kty: "RSA", n: "AQAB" }, "a JWK of kty RSA needs e"],
      [{ kty: "OKP", crv: "Ed25519" }, "a JWK of kty OKP needs x"],
    ];
    for (const [input, message] of cases) assert.throws(() => keyFromJwk(input), { name: "TypeError", message }, message);
    assert.deepEqual(keyFromJwk({ ...(await pair("RS256")).jwk, crv: "P-256" }).algorithms.length, 6, "an RSA key's stray crv is ignored");
  });

  test("an RSA key of 1024 bits is refused (RFC 7518 §3.3: 2048 at least), in every form", async () => {
    const small = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
    const message = "publicKey: an RSA key of 1024 bits is refused: 2048 at least (RFC 7518 §3.3)";
    await assert.rejects(importPublicKey(small.publicKey), { name: "TypeError", message });
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(await crypto.subtle.exportKey("spki", small.publicKey)).toString("base64")}\n-----END PUBLIC KEY-----\n`;
    await assert.rejects(importPublicKey(pem), { name: "TypeError", message });
    const jwk = await crypto.subtle.exportKey("jwk", small.publicKey);
    await assert.rejects(importPublicKey({ kty: "RSA", n: jwk.n!, e: jwk.e! }), { name: "TypeError", message: /^publicKey: the JWK could not be imported \(an RSA key of 1024 bits is refused/ });
    // In a JWKS the key is unusable: its tokens find no key.
    // jose refuses to sign with it: signed here.
    const input = `${b64({ alg: "RS256", kid: "small" })}.${b64({ sub: "user-42" })}`;
    const token = `${input}.${Buffer.from(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", small.privateKey, new TextEncoder().encode(input))).toString("base64url")}`;
    const url = server.serve(freshPath("small"), { keys: [{ kty: jwk.kty, n: jwk.n, e: jwk.e, kid: "small" }] });
    const error = await refused(verify({ jwks: url }, token), "unknown key", token);
    assert.equal(error.message, "an RSA key of 1024 bits is refused: 2048 at least (RFC 7518 §3.3)");
  });

  test("publicKey refuses secrets, private keys and PEMs of another kind", async () => {
    const { privateKey, pem } = await pair("ES256");
    const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    await assert.rejects(importPublicKey(hmac), { name: "TypeError", message: "publicKey is a secret CryptoKey: give the public key (an HMAC secret goes in secret)" });
    await assert.rejects(importPublicKey(privateKey), { name: "TypeError", message: "publicKey is a private CryptoKey: give the public key (an HMAC secret goes in secret)" });
    const encrypting = await crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", (await pair("RS256")).publicKey), { name: "RSA-OAEP", hash: "SHA-256" }, true, ["encrypt"]);
    await assert.rejects(importPublicKey(encrypting), { name: "TypeError", message: "publicKey is a CryptoKey without the verify usage" });
    const ecdh = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const ecdhPublic = await crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", ecdh.publicKey), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
    assert.deepEqual((await importPublicKey(ecdhPublic)).algorithms, ["ES256"]);
    const oddHash = await crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", (await pair("RS256")).publicKey), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-1" }, true, ["verify"]);
    await assert.rejects(importPublicKey(oddHash), { name: "TypeError", message: "publicKey is a CryptoKey for RSASSA-PKCS1-v1_5, which no JWS algorithm uses" });
    const pemMessage = "publicKey as text must be a PEM \"PUBLIC KEY\" (SPKI); certificates, PKCS#1 and private keys are refused";
    for (const text of [pem.replace(/PUBLIC KEY/g, "CERTIFICATE"), pem.replace(/PUBLIC KEY/g, "RSA PUBLIC KEY"), pem.replace(/PUBLIC KEY/g, "PRIVATE KEY"), "not a key", `${pem}${pem}`]) {
      await assert.rejects(importPublicKey(text), { name: "TypeError", message: pemMessage });
    }
    await assert.rejects(importPublicKey(pem.replace(/\n(.)/, "\n=$1")), { name: "TypeError", message: "publicKey: the PEM's base64 is invalid" });
    const x25519 = await crypto.subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]) as CryptoKeyPair;
    const x25519Pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(await crypto.subtle.exportKey("spki", x25519.publicKey)).toString("base64")}\n-----END PUBLIC KEY-----`;
    await assert.rejects(importPublicKey(x25519Pem), { name: "TypeError", message: "publicKey: the PEM holds no RSA, P-256, P-384, P-521 or Ed25519 public key" });
    await assert.rejects(importPublicKey(pem, { algorithms: ["RS256"] }), { name: "TypeError", message: "publicKey checks none of the allowed algorithms (it checks ES256)" });
    assert.deepEqual((await importPublicKey(pem.replace(/\n/g, "\r\n"))).algorithms, ["ES256"]);
  });

  test("a verifier whose publicKey cannot be imported refuses every token with \"keys unavailable\"", async () => {
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    const verifier = jwtVerifier({ publicKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" });
    const error = await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(error.message, "publicKey: the PEM holds no RSA, P-256, P-384, P-521 or Ed25519 public key");
    await refused(verifier.verify(token), "keys unavailable", token);
    const rs256 = await mint("RS256", (await pair("RS256")).privateKey);
    const narrowedError = await refused(verify({ publicKey: (await pair("ES256")).pem, algorithms: ["RS256"] }, rs256), "keys unavailable", rs256);
    assert.equal(narrowedError.message, "publicKey checks none of the allowed algorithms (it checks ES256)");
  });
});

describe("jwtVerifier's options", () => {
  test("exactly one key source", () => {
    assert.throws(() => jwtVerifier({}), { name: "TypeError", message: "jwtVerifier needs exactly one of secret, publicKey, jwks or oidc; got none" });
    assert.throws(() => jwtVerifier({ secret: SECRET, jwks: "https://issuer.example/jwks" }), { name: "TypeError", message: "jwtVerifier needs exactly one of secret, publicKey, jwks or oidc; got secret, jwks" });
    assert.throws(() => jwtVerifier({ secret: undefined, publicKey: undefined, jwks: undefined, oidc: undefined }), TypeError);
  });

  test("algorithms must be known (never none); leeway, maxAge and maxTokenBytes 0 or more", () => {
    assert.throws(() => jwtVerifier({ secret: SECRET, algorithms: ["none" as JwsAlgorithm] }), { name: "TypeError", message: /^jwtVerifier: unknown algorithm "none" \(HS256, HS384, HS512, RS256, .*EdDSA; never none\)$/ });
    assert.throws(() => jwtVerifier({ secret: SECRET, leeway: -1 }), { name: "TypeError", message: "jwtVerifier: leeway must be a number of 0 or more" });
    assert.throws(() => jwtVerifier({ secret: SECRET, leeway: Number.NaN }), { name: "TypeError", message: "jwtVerifier: leeway must be a number of 0 or more" });
    assert.throws(() => jwtVerifier({ secret: SECRET, maxAge: -5 }), { name: "TypeError", message: "jwtVerifier: maxAge must be a number of 0 or more" });
    assert.throws(() => jwtVerifier({ secret: SECRET, maxTokenBytes: -5 }), { name: "TypeError", message: "jwtVerifier: maxTokenBytes must be a number of 0 or more" });
    assert.equal(typeof jwtVerifier({ secret: SECRET, leeway: 0, maxAge: 0 }).verify, "function");
  });

  test("jwks and oidc URLs must be https (http only on a loopback host), without credentials", () => {
    for (const url of ["http://issuer.example/jwks", "ftp://127.0.0.1/jwks", "file:///etc/passwd", "jwks.json", "http://127.0.0.1.example/jwks", "http://10.0.0.1/jwks"]) {
      assert.throws(() => jwtVerifier({ jwks: url }), TypeError, url);
      assert.throws(() => jwtVerifier({ oidc: url }), TypeError, url);
    }
    assert.throws(() => jwtVerifier({ jwks: "http://issuer.example/jwks" }), { message: "jwks must be an https URL (http only for a loopback host); got http://issuer.example" });
    assert.throws(() => jwtVerifier({ jwks: "jwks.json" }), { message: "jwks must be an absolute https URL" });
    assert.throws(() => jwtVerifier({ oidc: "http://issuer.example" }), { message: "oidc must be an https URL (http only for a loopback host); got http://issuer.example" });
    assert.throws(() => jwtVerifier({ jwks: "https://user:pass@issuer.example/jwks" }), { message: "jwks must not hold credentials" });
    assert.throws(() => jwtVerifier({ jwks: "https://user@issuer.example/jwks" }), { message: "jwks must not hold credentials" });
    assert.throws(() => jwtVerifier({ jwks: "https://:pass@issuer.example/jwks" }), { message: "jwks must not hold credentials" });
    for (const url of ["https://issuer.example/jwks", "http://localhost:1/jwks", "http://127.0.0.1/jwks", "http://127.1.2.3:8/jwks", "http://[::1]:8/jwks"]) {
      assert.equal(keyUrl(url, "jwks").href, url);
    }
  });

  test("the discovery URL of an issuer, with or without a path or a trailing slash", () => {
    assert.equal(discoveryUrl("https://login.example").href, "https://login.example/.well-known/openid-configuration");
    assert.equal(discoveryUrl("https://login.example/").href, "https://login.example/.well-known/openid-configuration");
    assert.equal(discoveryUrl("https://login.example/tenant/").href, "https://login.example/tenant/.well-known/openid-configuration");
  });
});

describe("hostile tokens", () => {
  test("alg none, in any case, with or without a signature", async () => {
    const verifier = jwtVerifier({ secret: SECRET });
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      for (const token of [`${b64({ alg })}.${b64({ sub: "admin" })}.`, `${b64({ alg })}.${b64({ sub: "admin" })}.${b64("x")}`]) {
        const error = await refused(verifier.verify(token), "algorithm not allowed", token);
        assert.equal(error.message, "the token's alg is not one this verifier accepts");
      }
    }
    for (const header of [{}, { alg: 256 }, { alg: ["HS256"] }, { alg: "RSA-OAEP" }, { alg: "toString" }]) {
      await refused(verifier.verify(`${b64(header)}.${b64({})}.${b64("x")}`), "algorithm not allowed");
    }
  });

  test("HS256 signed with the RSA public key's PEM as the secret, against a publicKey verifier", async () => {
    const { pem, jwk, publicKey } = await pair("RS256");
    const forged = await mint("HS256", new TextEncoder().encode(pem), { sub: "admin" });
    for (const key of [pem, jwk, publicKey]) {
      const error = await refused(verify({ publicKey: key }, forged), "algorithm not allowed", forged);
      assert.equal(error.message, "the token's alg is not one this verifier accepts");
    }
    // Even when the allow-list names HS256, the key does not check it.
    const error = await refused(verify({ publicKey: pem, algorithms: ["RS256", "HS256"] }, forged), "algorithm not allowed", forged);
    assert.equal(error.message, "the token's alg is not one its key checks");
    // Nor does a JWKS's RSA key.
    const url = server.serve(freshPath("confusion"), { keys: [{ ...jwk, kid: "rsa" }] });
    const viaJwks = await mint("HS256", new TextEncoder().encode(pem), { sub: "admin" }, { kid: "rsa" });
    await refused(verify({ jwks: url }, viaJwks), "algorithm not allowed", viaJwks);
    await refused(verify({ jwks: url, algorithms: ["HS256", "RS256"] }, viaJwks), "algorithm not allowed", viaJwks);
  });

  test("the allow-list narrows what is accepted", async () => {
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    assert.equal((await verify({ publicKey: (await pair("ES256")).publicKey, algorithms: ["ES384", "ES256"] }, token)).subject, "user-42");
    const hs512 = await mint("HS512", new TextEncoder().encode(SECRET));
    await refused(verify({ secret: SECRET, algorithms: ["HS256"] }, hs512), "algorithm not allowed", hs512);
    const url = server.serve(freshPath("narrow"), { keys: [await publicJwk("ES256", "k")] });
    const withKid = await mint("ES256", (await pair("ES256")).privateKey, {}, { kid: "k" });
    await refused(verify({ jwks: url, algorithms: ["RS256"] }, withKid), "algorithm not allowed", withKid);
  });

  test("a kid that is a path or a URL is only looked up, never fetched", async () => {
    const path = freshPath("kids");
    const url = server.serve(path, { keys: [await publicJwk("ES256", "real")] });
    const verifier = jwtVerifier({ jwks: url });
    const { privateKey } = await pair("ES256");
    assert.equal((await verifier.verify(await mint("ES256", privateKey, {}, { kid: "real" }))).subject, "user-42");
    server.serve("/evil-jwks", { keys: [await publicJwk("ES256", "evil")] });
    for (const kid of [`${server.base}/evil-jwks`, "/evil-jwks", "../../../../etc/passwd", "file:///etc/passwd", "evil-jwks", "__proto__", "constructor"]) {
      const token = await mint("ES256", privateKey, {}, { kid });
      const error = await refused(verifier.verify(token), "unknown key", token);
      assert.equal(error.message, "no key of the key set has the token's kid");
    }
    assert.equal(server.hitsOf("/evil-jwks"), 0);
    assert.equal(server.hitsOf(path), 1, "one fetch: the refresh interval has not passed");
    const token = await mint("ES256", privateKey, {}, { kid: 42 as unknown as string });
    const error = await refused(verifier.verify(token), "malformed", token);
    assert.equal(error.message, "the token's kid header is not a string");
  });

  test("jku, x5u, x5c and jwk headers are never fetched nor trusted", async () => {
    const attacker = await generateKeyPair("ES256", { extractable: true });
    const attackerJwk = await exportJWK(attacker.publicKey);
    server.serve("/jku", { keys: [{ ...attackerJwk, kid: "real" }] });
    server.serve("/x5u", "-----BEGIN CERTIFICATE-----");
    const header = { kid: "real", jku: `${server.base}/jku`, x5u: `${server.base}/x5u`, jwk: attackerJwk, x5c: ["MIIB"] };
    const forged = await mint("ES256", attacker.privateKey, { sub: "admin" }, header);
    const url = server.serve(freshPath("headers"), { keys: [await publicJwk("ES256", "real")] });
    await refused(verify({ jwks: url }, forged), "bad signature", forged);
    await refused(verify({ publicKey: (await pair("ES256")).publicKey }, forged), "bad signature", forged);
    // The issuer's own token with those headers is checked with the issuer's key, the headers ignored.
    const genuine = await mint("ES256", (await pair("ES256")).privateKey, {}, header);
    assert.equal((await verify({ jwks: url }, genuine)).subject, "user-42");
    assert.equal(server.hitsOf("/jku"), 0);
    assert.equal(server.hitsOf("/x5u"), 0);
  });

  test("a crit header is refused: no extension is understood", async () => {
    for (const header of [
      { alg: "HS256", crit: ["exp"], exp: 1 },
      { alg: "HS256", crit: ["b64"], b64: false },
      { alg: "HS256", crit: ["urn:example:unknown"], "urn:example:unknown": true },
      { alg: "HS256", crit: [] },
      { alg: "HS256", crit: null },
    ]) {
      const token = forgeHs256(header, { sub: "admin" });
      const error = await refused(verify({ secret: SECRET }, token), "unsupported critical header", token);
      assert.equal(error.message, "the token has a crit header: this verifier implements no JWS extension");
    }
  });

  test("typ, when present, is JWT or at+jwt (any case, application/ allowed)", async () => {
    for (const typ of ["JWT", "jwt", "at+jwt", "AT+JWT", "application/jwt", "application/at+JWT", "Application/JWT"]) {
      assert.equal((await verify({ secret: SECRET }, forgeHs256({ alg: "HS256", typ }, { sub: typ }))).subject, typ);
    }
    for (const typ of ["JOSE", "dpop+jwt", "secevent+jwt", "application/json", "jwt ", "xapplication/jwt", "", 1, null]) {
      const token = forgeHs256({ alg: "HS256", typ }, {});
      const error = await refused(verify({ secret: SECRET }, token), "wrong type", token);
      assert.equal(error.message, "the token's typ header is neither JWT nor at+jwt");
    }
  });

  test("a signature over another payload", async () => {
    for (const alg of ["HS256", "ES256", "RS256", "EdDSA"] as const) {
      const key = alg === "HS256" ? new TextEncoder().encode(SECRET) : (await pair(alg)).privateKey;
      const user = await mint(alg, key, { sub: "user" });
      const admin = await mint(alg, key, { sub: "admin" });
      const spliced = `${admin.slice(0, admin.lastIndexOf("."))}${user.slice(user.lastIndexOf("."))}`;
      const options = alg === "HS256" ? { secret: SECRET } : { publicKey: (await pair(alg)).publicKey };
      const error = await refused(verify(options, spliced), "bad signature", spliced);
      assert.equal(error.message, "the token's signature does not match");
    }
  });

  test("signatures of the wrong length, or empty, are bad signatures", async () => {
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    const [head, body, signature = ""] = token.split(".");
    const bytes = Buffer.from(signature, "base64url");
    const { publicKey } = await pair("ES256");
    for (const other of [Buffer.alloc(0), bytes.subarray(0, 63), Buffer.concat([bytes, Buffer.alloc(1)]), Buffer.alloc(64)]) {
      const tampered = `${head}.${body}.${other.toString("base64url")}`;
      const error = await refused(verify({ publicKey }, tampered), "bad signature", tampered);
      assert.equal(error.message, "the token's signature does not match");
    }
    const rsa = await mint("RS256", (await pair("RS256")).privateKey);
    const [rsaHead, rsaBody, rsaSignature = ""] = rsa.split(".");
    const cut = `${rsaHead}.${rsaBody}.${Buffer.from(rsaSignature, "base64url").subarray(1).toString("base64url")}`;
    await refused(verify({ publicKey: (await pair("RS256")).publicKey }, cut), "bad signature", cut);
  });

  test("a token over maxTokenBytes (default 8 KiB) is refused before any decoding or cryptography", async (t) => {
    const verify_ = t.mock.method(crypto.subtle, "verify");
    const importKey = t.mock.method(crypto.subtle, "importKey");
    let fetches = 0;
    const counting = ((...args: Parameters<typeof fetch>) => {
      fetches++;
      return fetch(...args);
    }) as typeof fetch;
    const huge = `${b64({ alg: "ES256" })}.${"A".repeat(1_000_000)}.${b64("x")}`;
    const verifier = jwtVerifier({ jwks: `${server.base}/never`, fetch: counting });
    const error = await refused(verifier.verify(huge), "too large", huge);
    assert.equal(error.message, "the token is longer than maxTokenBytes (8192)");
    assert.equal(fetches, 0);
    assert.equal(verify_.mock.callCount(), 0);
    assert.equal(importKey.mock.callCount(), 0);
    const padded = (length: number): string => forgeHs256({ alg: "HS256" }, { pad: "x".repeat(length) });
    let fits = Math.floor(((8192 - padded(0).length) * 3) / 4) - 8;
    while (padded(fits + 1).length <= 8192) fits++;
    const exact = padded(fits);
    assert.ok(exact.length > 8188, String(exact.length));
    assert.equal((await verify({ secret: SECRET }, exact)).claims["pad"], "x".repeat(fits));
    const over = padded(fits + 1);
    await refused(verify({ secret: SECRET }, over), "too large", over);
    assert.equal((await verify({ secret: SECRET, maxTokenBytes: 20_000 }, over)).subject, undefined);
  });

  test("a WebCrypto verify that throws is a bad signature, not an escape", async (t) => {
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    const verifier = jwtVerifier({ publicKey: (await pair("ES256")).publicKey });
    assert.ok(await verifier.verify(token));
    t.mock.method(crypto.subtle, "verify", () => Promise.reject(new DOMException("The operation failed", "OperationError")));
    const error = await refused(verifier.verify(token), "bad signature", token);
    assert.equal(error.message, "the token's signature does not match");
  });

  test("malformed base64url in any segment", async () => {
    const token = forgeHs256({ alg: "HS256" }, { sub: "x" });
    const [head = "", body = "", signature = ""] = token.split(".");
    for (const bad of [`${head}=.${body}.${signature}`, `${head}.${body}+.${signature}`, `${head}.${body}.${signature}=`, `${head}.${body}.${signature.replace(/[-_]/g, "+")}x`, ` ${token}`, `${token}\n`]) {
      await refused(verify({ secret: SECRET }, bad), "malformed", bad);
    }
  });

  test("the wrong number of segments", async () => {
    const token = forgeHs256({ alg: "HS256" }, { sub: "x" });
    for (const bad of ["", ".", "...", "abc", "abc.def", token.slice(0, token.lastIndexOf(".")), `${token}.`, `${token}..`, `${token}.${b64("x")}.${b64("y")}`, token.replace(".", "")]) {
      const error = await refused(verify({ secret: SECRET }, bad), "malformed", bad);
      assert.equal(error.message, "the token is not three segments separated by dots (JWS compact serialization)");
    }
    const empty = await refused(verify({ secret: SECRET }, ".."), "malformed");
    assert.equal(empty.message, "the token's header is not JSON");
    const notString = await refused(verify({ secret: SECRET }, 42 as unknown as string), "malformed");
    assert.equal(notString.message, "the token is not a string");
  });

  test("a header or payload that is not a JSON object", async () => {
    const sign = (head: string, body: string): string => `${head}.${body}.${createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url")}`;
    const ok = b64({ alg: "HS256" });
    for (const [head, body, message] of [
      [b64("{\"alg\":\"HS256\""), b64({}), "the token's header is not JSON"],
      [b64("[\"HS256\"]"), b64({}), "the token's header is not a JSON object"],
      [b64("null"), b64({}), "the token's header is not a JSON object"],
      [b64("\"HS256\""), b64({}), "the token's header is not a JSON object"],
      [Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url"), b64({}), "the token's header is not JSON"],
      [ok, b64("{sub: secret-user-data}"), "the token's payload is not JSON"],
      [ok, b64("[1]"), "the token's payload is not a JSON object"],
      [ok, b64("null"), "the token's payload is not a JSON object"],
      [ok, "", "the token's payload is not JSON"],
      ["", b64({}), "the token's header is not JSON"],
      [Buffer.concat([Buffer.from('{"alg":"HS256","x":"'), Buffer.from([0xff]), Buffer.from('"}')]).toString("base64url"), b64({}), "the token's header is not JSON"],
    ] as const) {
      const token = sign(head, body);
      const error = await refused(verify({ secret: SECRET }, token), "malformed", token);
      assert.equal(error.message, message);
      assert.ok(!error.message.includes("secret-user-data"));
    }
  });

  test("registered claims of the wrong type are malformed", async () => {
    for (const [claims, message] of [
      [{ exp: "2030" }, "the token's exp is not a NumericDate"],
      [{ nbf: null }, "the token's nbf is not a NumericDate"],
      [{ iat: [1] }, "the token's iat is not a NumericDate"],
      ["{\"exp\":1e400}", "the token's exp is not a NumericDate"],
      [{ sub: 42 }, "the token's sub is not a string"],
      [{ iss: { url: "x" } }, "the token's iss is not a string"],
      [{ aud: 7 }, "the token's aud is neither a string nor an array of strings"],
      [{ aud: ["orders", 7] }, "the token's aud is neither a string nor an array of strings"],
      [{ scope: 3 }, "the token's scope is not a space-separated string (nor its scp an array of strings)"],
      [{ scp: ["a", 1] }, "the token's scope is not a space-separated string (nor its scp an array of strings)"],
      [{ scp: { a: 1 } }, "the token's scope is not a space-separated string (nor its scp an array of strings)"],
    ] as const) {
      const token = forgeHs256({ alg: "HS256" }, claims);
      const error = await refused(verify({ secret: SECRET }, token), "malformed", token);
      assert.equal(error.message, message);
    }
  });
});

describe("claims", () => {
  const at = (seconds: number): (() => number) => () => seconds * 1000;
  const hs = (claims: Record<string, unknown>): string => forgeHs256({ alg: "HS256" }, claims);

  test("exp, with the leeway (default 30 s)", async () => {
    const options = { secret: SECRET, now: at(NOW) };
    assert.equal((await verify(options, hs({ exp: NOW - 29 }))).subject, undefined);
    const token = hs({ exp: NOW - 30 });
    const error = await refused(verify(options, token), "expired", token);
    assert.equal(error.message, "the token expired");
    await refused(verify({ ...options, leeway: 0 }, hs({ exp: NOW })), "expired");
    assert.ok(await verify({ ...options, leeway: 0 }, hs({ exp: NOW + 1 })));
    assert.ok(await verify({ ...options, leeway: 0 }, hs({ exp: NOW + 0.5 })));
    assert.ok(await verify({ ...options, leeway: 120 }, hs({ exp: NOW - 119 })));
    await refused(verify({ ...options, leeway: 120 }, hs({ exp: NOW - 120 })), "expired");
  });

  test("expired tokens by the real clock", async () => {
    const token = await mint("ES256", (await pair("ES256")).privateKey, { exp: Math.floor(Date.now() / 1000) - 3600 });
    await refused(verify({ publicKey: (await pair("ES256")).pem }, token), "expired", token);
    const fresh = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).setIssuedAt().setNotBefore("0s").setExpirationTime("2m").sign((await pair("ES256")).privateKey);
    assert.ok(await verify({ publicKey: (await pair("ES256")).pem, maxAge: 60 }, fresh));
  });

  test("nbf, with the leeway", async () => {
    const options = { secret: SECRET, now: at(NOW) };
    assert.ok(await verify(options, hs({ nbf: NOW + 30 })));
    const token = hs({ nbf: NOW + 31 });
    const error = await refused(verify(options, token), "not yet valid", token);
    assert.equal(error.message, "the token is not valid yet (nbf)");
    assert.ok(await verify({ ...options, leeway: 0 }, hs({ nbf: NOW })));
    await refused(verify({ ...options, leeway: 0 }, hs({ nbf: NOW + 1 })), "not yet valid");
  });

  test("iat in the future beyond the leeway", async () => {
    const options = { secret: SECRET, now: at(NOW) };
    assert.ok(await verify(options, hs({ iat: NOW + 30 })));
    const token = hs({ iat: NOW + 31 });
    const error = await refused(verify(options, token), "issued in the future", token);
    assert.equal(error.message, "the token's iat is in the future");
    await refused(verify({ ...options, leeway: 0 }, hs({ iat: NOW + 1 })), "issued in the future");
    assert.ok(await verify({ ...options, leeway: 0 }, hs({ iat: NOW })));
  });

  test("maxAge: iat required, no older than maxAge plus the leeway", async () => {
    const options = { secret: SECRET, now: at(NOW), maxAge: 300 };
    assert.ok(await verify(options, hs({ iat: NOW - 330 })));
    const token = hs({ iat: NOW - 331 });
    const error = await refused(verify(options, token), "too old", token);
    assert.equal(error.message, "the token was issued more than maxAge (300 s) ago");
    await refused(verify({ ...options, leeway: 0 }, hs({ iat: NOW - 301 })), "too old");
    assert.ok(await verify({ ...options, leeway: 0 }, hs({ iat: NOW - 300 })));
    const missing = hs({ exp: NOW + 60 });
    const missingError = await refused(verify(options, missing), "missing claim", missing);
    assert.equal(missingError.message, "maxAge is set and the token has no iat");
    assert.ok(await verify({ ...options, maxAge: undefined }, missing));
  });

  test("iss, exactly", async () => {
    const options = { secret: SECRET, issuer: "https://issuer.example" };
    assert.ok(await verify(options, hs({ iss: "https://issuer.example" })));
    for (const iss of ["https://issuer.example/", "HTTPS://issuer.example", "https://issuer.example.evil", undefined]) {
      const token = hs({ iss });
      const error = await refused(verify(options, token), "wrong issuer", token);
      assert.equal(error.message, "the token's issuer is not https://issuer.example");
    }
    assert.ok(await verify({ secret: SECRET }, hs({ iss: "anyone" })));
  });

  test("aud, a string or an array that contains the audience", async () => {
    const options = { secret: SECRET, audience: "orders" };
    assert.ok(await verify(options, hs({ aud: "orders" })));
    assert.ok(await verify(options, hs({ aud: ["billing", "orders"] })));
    for (const aud of ["billing", ["billing"], [], "Orders", "orders ", undefined]) {
      const token = hs({ aud });
      const error = await refused(verify(options, token), "wrong audience", token);
      assert.equal(error.message, "the token is not meant for orders");
    }
    assert.ok(await verify({ ...options, audience: ["orders", "billing"] }, hs({ aud: "billing" })));
    assert.ok(await verify({ ...options, audience: ["orders", "billing"] }, hs({ aud: ["x", "orders"] })));
    const error = await refused(verify({ ...options, audience: ["orders", "billing"] }, hs({ aud: "x" })), "wrong audience");
    assert.equal(error.message, "the token is not meant for orders or billing");
    assert.ok(await verify({ secret: SECRET }, hs({ aud: "anything" })));
  });

  test("scopes from scope, else scp (array or string); subject from sub", async () => {
    const scopes = async (claims: Record<string, unknown>): Promise<readonly string[]> => (await verify({ secret: SECRET }, hs(claims))).scopes;
    assert.deepEqual(await scopes({ scope: "a b  c" }), ["a", "b", "c"]);
    assert.deepEqual(await scopes({ scope: "" }), []);
    assert.deepEqual(await scopes({ scp: ["x", "y"] }), ["x", "y"]);
    assert.deepEqual(await scopes({ scp: "x y" }), ["x", "y"]);
    assert.deepEqual(await scopes({ scope: "a", scp: ["x"] }), ["a"]);
    assert.deepEqual(await scopes({}), []);
    assert.equal((await verify({ secret: SECRET }, hs({ sub: "user-7" }))).subject, "user-7");
  });

  test("checkHeader and checkClaims on their own", () => {
    checkHeader({ alg: "ES256", typ: "at+jwt", kid: "k" });
    assert.throws(() => checkHeader({ alg: "ES256", crit: ["x"] }), JwtError);
    const policy = { issuer: undefined, audience: undefined, leeway: 0, maxAge: undefined };
    checkClaims({ exp: NOW + 1 }, policy, NOW);
    assert.throws(() => checkClaims({ exp: NOW }, policy, NOW), { reason: "expired" });
  });
});

describe("a JWKS over HTTP", () => {
  const esKey = async (kid: string): Promise<{ jwk: JWK; sign: (claims?: Record<string, unknown>) => Promise<string> }> => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    return { jwk: { ...(await exportJWK(publicKey)), kid }, sign: (claims = {}) => mint("ES256", privateKey, claims, { kid }) };
  };

  test("rotation: a new kid is fetched, a removed one is refused", async () => {
    const path = freshPath("rotation");
    const [first, second] = [await esKey("2024-01"), await esKey("2024-02")];
    const url = server.serve(path, { keys: [first.jwk] });
    const time = clock();
    const verifier = jwtVerifier({ jwks: url, now: time.now });
    assert.equal((await verifier.verify(await first.sign())).subject, "user-42");
    assert.equal((await verifier.verify(await first.sign())).subject, "user-42");
    assert.equal(server.hitsOf(path), 1);
    server.serve(path, { keys: [second.jwk] });
    time.advance(60_000);
    assert.equal((await verifier.verify(await second.sign())).subject, "user-42");
    assert.equal(server.hitsOf(path), 2);
    const old = await first.sign();
    const error = await refused(verifier.verify(old), "unknown key", old);
    assert.equal(error.message, "no key of the key set has the token's kid");
    assert.equal(server.hitsOf(path), 2, "within the refresh interval: not fetched again");
  });

  test("a flood of unknown kids fetches the set once per refresh interval", async () => {
    const path = freshPath("flood");
    const known = await esKey("known");
    const url = server.serve(path, { keys: [known.jwk] });
    const time = clock();
    const verifier = jwtVerifier({ jwks: url, now: time.now, keyCache: { refreshInterval: 10_000 } });
    await verifier.verify(await known.sign());
    const { privateKey } = await pair("ES256");
    const flood = await Promise.all(Array.from({ length: 40 }, (_, index) => mint("ES256", privateKey, {}, { kid: `unknown-${index}` })));
    time.advance(10_000);
    const results = await Promise.allSettled(flood.map((token) => verifier.verify(token)));
    assert.ok(results.every((result) => result.status === "rejected" && (result.reason as JwtError).reason === "unknown key"));
    assert.equal(server.hitsOf(path), 2, "one refresh for the whole flood");
    for (const token of flood.slice(0, 10)) await refused(verifier.verify(token), "unknown key", token);
    assert.equal(server.hitsOf(path), 2);
    time.advance(9_999);
    await refused(verifier.verify(flood[0]!), "unknown key");
    assert.equal(server.hitsOf(path), 2);
    time.advance(1);
    await refused(verifier.verify(flood[0]!), "unknown key");
    assert.equal(server.hitsOf(path), 3, "a refresh interval later: once more");
    assert.equal((await verifier.verify(await known.sign())).subject, "user-42");
    assert.equal(server.hitsOf(path), 3);
  });

  test("the issuer down: the kept keys still verify, up to maxAge; then keys unavailable", async () => {
    const path = freshPath("down");
    const key = await esKey("k");
    const url = server.serve(path, { keys: [key.jwk] });
    const time = clock();
    const verifier = jwtVerifier({ jwks: url, now: time.now, keyCache: { refreshAfter: 600_000, maxAge: 3_600_000 } });
    await verifier.verify(await key.sign());
    server.serve(path, "down for maintenance", { status: 503 });
    time.advance(599_999);
    await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 1, "young enough: not fetched");
    time.advance(1);
    assert.equal((await verifier.verify(await key.sign())).subject, "user-42");
    assert.equal(server.hitsOf(path), 2, "old enough to fetch again; the failure keeps the old set");
    for (let index = 0; index < 5; index++) await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 2, "tried once per refresh interval");
    time.advance(60_000);
    await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 3);
    time.advance(3_600_000 - 660_000);
    assert.ok(await verifier.verify(await key.sign()), "exactly maxAge old: still used");
    time.advance(1);
    const token = await key.sign();
    const error = await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(error.message, `${server.base}${path}: the last key set is older than maxAge (3600000 ms) and could not be fetched again`);
    assert.match((error.cause as Error).message, /answered HTTP 503$/);
    // Back up: the next attempt (a refresh interval on) gets a new set.
    server.serve(path, { keys: [key.jwk] });
    time.advance(60_000);
    assert.equal((await verifier.verify(token)).subject, "user-42");
  });

  test("the default cache times: 10 min fresh, 60 s between fetches, 24 h at most", async () => {
    const path = freshPath("defaults");
    const key = await esKey("k");
    const url = server.serve(path, { keys: [key.jwk] });
    const time = clock();
    const verifier = jwtVerifier({ jwks: url, now: time.now });
    await verifier.verify(await key.sign());
    time.advance(600_000 - 1);
    await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 1);
    time.advance(1);
    await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 2);
    server.routes.delete(path);
    time.advance(86_400_000);
    await verifier.verify(await key.sign());
    assert.equal(server.hitsOf(path), 3);
    time.advance(1);
    await refused(verifier.verify(await key.sign()), "keys unavailable");
  });

  test("no set yet and the issuer down: keys unavailable, tried once per refresh interval", async () => {
    const path = freshPath("never");
    const key = await esKey("k");
    const time = clock();
    const verifier = jwtVerifier({ jwks: `${server.base}${path}`, now: time.now });
    const token = await key.sign();
    const error = await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(error.message, `${server.base}${path}: answered HTTP 404`);
    await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(server.hitsOf(path), 1);
    server.serve(path, { keys: [key.jwk] });
    time.advance(59_999);
    await refused(verifier.verify(token), "keys unavailable", token);
    time.advance(1);
    assert.equal((await verifier.verify(token)).subject, "user-42");
    assert.equal(server.hitsOf(path), 2);
  });

  test("an unreachable issuer: keys unavailable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    const error = await refused(verify({ jwks: `http://127.0.0.1:${port}/jwks` }, token), "keys unavailable", token);
    assert.equal(error.message, `http://127.0.0.1:${port}/jwks: could not be fetched`);
  });

  test("a JWKS of 10,000 keys is refused", async () => {
    const path = freshPath("huge");
    const keys = Array.from({ length: 10_000 }, (_, index) => ({ kty: "EC", kid: String(index) }));
    const url = server.serve(path, { keys });
    const token = await mint("ES256", (await pair("ES256")).privateKey, {}, { kid: "1" });
    const error = await refused(verify({ jwks: url }, token), "keys unavailable", token);
    assert.equal(error.message, `${url}: the JWK Set has 10000 keys, more than maxKeys (100)`);
    server.serve(path, { keys: keys.slice(0, 100) });
    await refused(verify({ jwks: url }, token), "unknown key", token);
    server.serve(path, { keys: keys.slice(0, 101) });
    await refused(verify({ jwks: url }, token), "keys unavailable", token);
    await refused(verify({ jwks: url, keyCache: { maxKeys: 101 } }, token), "unknown key", token);
  });

  test("a JWKS larger than maxBytes (default 1 MiB) is refused, declared or chunked", async () => {
    const key = await esKey("k");
    const document = JSON.stringify({ keys: [key.jwk], padding: "x".repeat(1_048_576) });
    for (const chunked of [false, true]) {
      const url = server.serve(freshPath("bytes"), document, { chunked });
      const token = await key.sign();
      const error = await refused(verify({ jwks: url }, token), "keys unavailable", token);
      assert.equal(error.message, chunked ? `${url}: is more than the limit of 1048576 bytes` : `${url}: is ${document.length} bytes, more than the limit of 1048576`);
    }
    const small = JSON.stringify({ keys: [key.jwk] });
    for (const chunked of [false, true]) {
      const url = server.serve(freshPath("exact"), small, { chunked });
      assert.ok(await verify({ jwks: url, keyCache: { maxBytes: small.length } }, await key.sign()));
      await refused(verify({ jwks: url, keyCache: { maxBytes: small.length - 1 } }, await key.sign()), "keys unavailable");
    }
  });

  test("a JWKS of exactly 1 MiB is read; one byte more is refused", async () => {
    const key = await esKey("k");
    const bare = JSON.stringify({ keys: [key.jwk], padding: "" });
    const exact = JSON.stringify({ keys: [key.jwk], padding: "x".repeat(1_048_576 - bare.length) });
    assert.equal(exact.length, 1_048_576);
    for (const chunked of [false, true]) {
      assert.ok(await verify({ jwks: server.serve(freshPath("mib"), exact, { chunked }) }, await key.sign()));
      await refused(verify({ jwks: server.serve(freshPath("mib"), `${exact} `, { chunked }) }, await key.sign()), "keys unavailable");
    }
  });

  test("a JWKS that does not come within the timeout, or breaks off", async () => {
    const key = await esKey("k");
    const token = await key.sign();
    const hanging = server.serve(freshPath("hang"), "", { hang: true });
    const error = await refused(verify({ jwks: hanging, keyCache: { timeout: 50 } }, token), "keys unavailable", token);
    assert.equal(error.message, `${hanging}: could not be fetched`);
    const cut = server.serve(freshPath("cut"), JSON.stringify({ keys: [key.jwk], padding: "x".repeat(200_000) }), { chunked: true, cut: true });
    const cutError = await refused(verify({ jwks: cut }, token), "keys unavailable", token);
    assert.equal(cutError.message, `${cut}: could not be read`);
  });

  test("a key unchanged by a refresh keeps its imported CryptoKey", async () => {
    const [kept, added] = [await publicJwk("ES256", "kept"), await publicJwk("ES384", "added")];
    let document: unknown = { keys: [kept] };
    const time = clock();
    const keys = remoteJwks("https://issuer.example/jwks.json", { now: time.now, fetch: () => Promise.resolve(Response.json(document)) });
    const before = await keys.keyFor("kept", "ES256");
    document = { keys: [added, kept] };
    time.advance(600_000);
    assert.equal(await keys.keyFor("kept", "ES256"), before);
    assert.deepEqual((await keys.keyFor("added", "ES384")).algorithms, ["ES384"]);
  });

  test("a document that is not a JWK Set, a redirect, an error status", async () => {
    const key = await esKey("k");
    const token = await key.sign();
    for (const [body, message] of [
      ["not json", "is not JSON"],
      ["{\"keys\":\"k\"}", "not a JWK Set (no keys array)"],
      ["null", "not a JWK Set (no keys array)"],
      ["[]", "not a JWK Set (no keys array)"],
    ] as const) {
      const url = server.serve(freshPath("odd"), body);
      const error = await refused(verify({ jwks: url }, token), "keys unavailable", token);
      assert.equal(error.message, `${url}: ${message}`);
    }
    const target = freshPath("target");
    server.serve(target, { keys: [key.jwk] });
    const url = server.serve(freshPath("redirect"), "", { status: 302, location: target });
    const error = await refused(verify({ jwks: url }, token), "keys unavailable", token);
    assert.equal(error.message, `${url}: could not be fetched`);
    assert.equal(server.hitsOf(target), 0, "redirects are not followed");
    const failing = server.serve(freshPath("failing"), { keys: [key.jwk] }, { status: 500 });
    assert.equal((await refused(verify({ jwks: failing }, token), "keys unavailable", token)).message, `${failing}: answered HTTP 500`);
  });

  test("a JWKS that is not UTF-8 is refused", async () => {
    const key = await esKey("k");
    const json = JSON.stringify({ keys: [key.jwk], note: "@" });
    const bytes = Buffer.from(json);
    bytes[bytes.indexOf("@")] = 0xff;
    const url = server.serve(freshPath("latin1"), bytes);
    const token = await key.sign();
    const error = await refused(verify({ jwks: url }, token), "keys unavailable", token);
    assert.equal(error.message, `${url}: is not JSON`);
    assert.ok(await verify({ jwks: server.serve(freshPath("utf8"), json) }, token));
  });

  test("entries that are not public signature keys are skipped, the others used", async () => {
    const key = await esKey("good");
    const url = server.serve(freshPath("mixed"), {
      keys: [
        { kty: "oct", kid: "good", k: "c2VjcmV0" },
        { ...key.jwk, use: "enc" },
        { ...key.jwk, kid: "private", d: "AAAA" },
        "not a key",
        { kty: "EC", crv: "P-256", kid: "broken", x: "!!", y: "!!" },
        key.jwk,
      ],
    });
    const verifier = jwtVerifier({ jwks: url });
    assert.equal((await verifier.verify(await key.sign())).subject, "user-42");
    const broken = await mint("ES256", (await pair("ES256")).privateKey, {}, { kid: "broken" });
    const error = await refused(verifier.verify(broken), "unknown key", broken);
    assert.equal(error.message, "the key could not be imported for ES256");
  });

  test("a token without kid: the one key for its algorithm, else unknown key", async () => {
    const es = await pair("ES256");
    const rs = await pair("RS256");
    const noKid = await mint("ES256", es.privateKey);
    const one = server.serve(freshPath("one"), { keys: [{ ...es.jwk, kid: "e" }, { ...rs.jwk, kid: "r" }] });
    assert.equal((await verify({ jwks: one }, noKid)).subject, "user-42");
    const other = await generateKeyPair("ES256", { extractable: true });
    const two = server.serve(freshPath("two"), { keys: [{ ...es.jwk, kid: "e" }, { ...(await exportJWK(other.publicKey)), kid: "f" }] });
    const error = await refused(verify({ jwks: two }, noKid), "unknown key", noKid);
    assert.equal(error.message, "the token names no key (kid) and the key set has several keys for its algorithm");
    const none = server.serve(freshPath("none"), { keys: [{ ...rs.jwk, kid: "r" }] });
    const noneError = await refused(verify({ jwks: none }, noKid), "unknown key", noKid);
    assert.equal(noneError.message, "the token names no key (kid) and the key set has not exactly one key for its algorithm");
  });

  test("a kid whose key checks another algorithm", async () => {
    const url = server.serve(freshPath("other-alg"), { keys: [await publicJwk("RS256", "shared"), await publicJwk("ES256", "shared")] });
    const es = await mint("ES256", (await pair("ES256")).privateKey, {}, { kid: "shared" });
    assert.equal((await verify({ jwks: url }, es)).subject, "user-42", "two keys of one kid: the one for the algorithm");
    const eddsa = await mint("EdDSA", (await pair("EdDSA")).privateKey, {}, { kid: "shared" });
    const error = await refused(verify({ jwks: url }, eddsa), "algorithm not allowed", eddsa);
    assert.equal(error.message, "the key with the token's kid does not check the token's algorithm");
  });

  test("a fetch that fails is the cause of the refusal; an error status has none", async () => {
    const token = await mint("ES256", (await pair("ES256")).privateKey);
    const failing = new TypeError("fetch failed: connection refused");
    const error = await refused(verify({ jwks: "https://issuer.example/jwks.json", fetch: () => Promise.reject(failing) }, token), "keys unavailable", token);
    assert.equal(error.message, "https://issuer.example/jwks.json: could not be fetched");
    assert.equal(error.cause, failing);
    const status = await refused(verify({ jwks: "https://issuer.example/jwks.json", fetch: () => Promise.resolve(new Response("no", { status: 502 })) }, token), "keys unavailable", token);
    assert.equal(status.message, "https://issuer.example/jwks.json: answered HTTP 502");
    assert.equal(status.cause, undefined);
    assert.ok(!("cause" in status));
  });

  test("remoteJwks on its own, with an injected fetch", async () => {
    const jwk = await publicJwk("ES256", "k");
    const calls: string[] = [];
    const keys = remoteJwks("https://issuer.example/jwks.json", {
      fetch: (input) => {
        calls.push(input as string);
        return Promise.resolve(Response.json({ keys: [jwk] }));
      },
    });
    assert.equal(keys.url.href, "https://issuer.example/jwks.json");
    const key = await keys.keyFor("k", "ES256");
    assert.deepEqual(key.algorithms, ["ES256"]);
    assert.equal(keys.keyFor("k", "ES256"), key, "known and fresh: at once");
    assert.deepEqual(calls, ["https://issuer.example/jwks.json"]);
  });
});

describe("OpenID Connect discovery", () => {
  test("the configuration's jwks_uri, once its issuer is the configured one", async () => {
    const issuer = `${server.base}/tenant-a`;
    const jwksPath = freshPath("oidc-jwks");
    server.serve("/tenant-a/.well-known/openid-configuration", { issuer, jwks_uri: server.serve(jwksPath, { keys: [await publicJwk("RS256", "r")] }) });
    const verifier = jwtVerifier({ oidc: issuer, audience: "orders" });
    const token = await mint("RS256", (await pair("RS256")).privateKey, { iss: issuer, aud: "orders" }, { kid: "r" });
    assert.equal((await verifier.verify(token)).subject, "user-42");
    assert.equal((await verifier.verify(token)).subject, "user-42");
    assert.equal(server.hitsOf("/tenant-a/.well-known/openid-configuration"), 1);
    assert.equal(server.hitsOf(jwksPath), 1);
    // The issuer defaults to the oidc one.
    const stranger = await mint("RS256", (await pair("RS256")).privateKey, { iss: "https://other.example", aud: "orders" }, { kid: "r" });
    await refused(verifier.verify(stranger), "wrong issuer", stranger);
  });

  test("a configuration naming another issuer is refused, its jwks_uri never fetched", async () => {
    const jwksPath = freshPath("mismatch-jwks");
    const issuer = `${server.base}/tenant-b`;
    server.serve("/tenant-b/.well-known/openid-configuration", { issuer: "https://evil.example", jwks_uri: `${server.base}${jwksPath}` });
    const token = await mint("RS256", (await pair("RS256")).privateKey, { iss: issuer }, { kid: "r" });
    const error = await refused(verify({ oidc: issuer }, token), "keys unavailable", token);
    assert.equal(error.message, `${issuer}/.well-known/openid-configuration: the configuration's issuer is not ${issuer} (OIDC Discovery §4.3)`);
    assert.equal(server.hitsOf(jwksPath), 0);
    // A trailing slash is part of the issuer: it must match too.
    server.serve("/tenant-c/.well-known/openid-configuration", { issuer: `${server.base}/tenant-c`, jwks_uri: `${server.base}${jwksPath}` });
    await refused(verify({ oidc: `${server.base}/tenant-c/` }, token), "keys unavailable", token);
    assert.equal(server.hitsOf(jwksPath), 0);
  });

  test("a configuration without a usable jwks_uri", async () => {
    const token = await mint("RS256", (await pair("RS256")).privateKey);
    for (const [name, jwksUri, message] of [
      ["tenant-d", undefined, "the configuration has no jwks_uri"],
      ["tenant-e", "http://keys.example/jwks", "jwks_uri must be an https URL (http only for a loopback host); got http://keys.example"],
      ["tenant-f", 42, "the configuration has no jwks_uri"],
    ] as const) {
      const issuer = `${server.base}/${name}`;
      server.serve(`/${name}/.well-known/openid-configuration`, { issuer, jwks_uri: jwksUri });
      const error = await refused(verify({ oidc: issuer }, token), "keys unavailable", token);
      assert.equal(error.message, `${issuer}/.well-known/openid-configuration: ${message}`);
    }
    const issuer = `${server.base}/tenant-g`;
    server.serve("/tenant-g/.well-known/openid-configuration", "[]");
    await refused(verify({ oidc: issuer }, token), "keys unavailable", token);
    const nullIssuer = `${server.base}/tenant-i`;
    server.serve("/tenant-i/.well-known/openid-configuration", "null");
    const error = await refused(verify({ oidc: nullIssuer }, token), "keys unavailable", token);
    assert.equal(error.message, `${nullIssuer}/.well-known/openid-configuration: the configuration's issuer is not ${nullIssuer} (OIDC Discovery §4.3)`);
  });

  test("a failed discovery is tried again once per refresh interval", async () => {
    const issuer = `${server.base}/tenant-h`;
    const path = "/tenant-h/.well-known/openid-configuration";
    const time = clock();
    const verifier = jwtVerifier({ oidc: issuer, now: time.now });
    const token = await mint("RS256", (await pair("RS256")).privateKey, { iss: issuer }, { kid: "r" });
    const first = await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(first.message, `${issuer}/.well-known/openid-configuration: answered HTTP 404`);
    const again = await refused(verifier.verify(token), "keys unavailable", token);
    assert.equal(again, first);
    assert.equal(server.hitsOf(path), 1);
    server.serve(path, { issuer, jwks_uri: server.serve(freshPath("h-jwks"), { keys: [await publicJwk("RS256", "r")] }) });
    time.advance(59_999);
    await refused(verifier.verify(token), "keys unavailable", token);
    time.advance(1);
    const [one, two] = await Promise.all([verifier.verify(token), verifier.verify(token)]);
    assert.equal(one.subject, "user-42");
    assert.equal(two.subject, "user-42");
    assert.equal(server.hitsOf(path), 2, "two calls at once share one discovery");
  });
});
