// The JWT verifier of src/auth on Node.js, Deno and Bun: tokens minted by jose here (every family
// of algorithm, each form of key, a JWKS through an injected fetch, and refusals), verified by
// test/runtime/fixtures/auth_verify.ts on each runtime, with the same results everywhere.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { childEnv, runCommand, RUNTIMES, startProcess, stopAll } from "./processes.ts";

after(stopAll);

const SECRET = "a shared secret of thirty-two bytes or more, for HS256";
const NOW = 1_800_000_000;

async function keys(alg: string): Promise<{ privateKey: CryptoKey; jwk: JsonWebKey; pem: string }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey), pem: await exportSPKI(publicKey) };
}

function mint(alg: string, key: CryptoKey | Uint8Array, claims: JWTPayload = {}, kid?: string): Promise<string> {
  return new SignJWT({ sub: `user-${alg}`, scope: "orders:read orders:write", ...claims }).setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) }).sign(key);
}

describe("the JWT verifier on every runtime", { timeout: 90_000 }, () => {
  test("Node.js, Deno and Bun verify and refuse the same tokens, for the same reasons", async () => {
    const [es256, rs256, ps384, eddsa, es512, es384] = await Promise.all(["ES256", "RS256", "PS384", "EdDSA", "ES512", "ES384"].map(keys));
    const secret = new TextEncoder().encode(SECRET);
    const good = await mint("ES256", es256!.privateKey);
    const [head, body, signature = ""] = good.split(".");
    const tampered = Buffer.from(signature, "base64url");
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    const cases = [
      { name: "ES256 JWK", token: good, publicKey: es256!.jwk },
      { name: "RS256 PEM", token: await mint("RS256", rs256!.privateKey), publicKey: rs256!.pem },
      { name: "PS384 JWK", token: await mint("PS384", ps384!.privateKey), publicKey: ps384!.jwk },
      { name: "EdDSA PEM", token: await mint("EdDSA", eddsa!.privateKey), publicKey: eddsa!.pem },
      { name: "ES512 JWK", token: await mint("ES512", es512!.privateKey), publicKey: es512!.jwk },
      { name: "HS256 secret", token: await mint("HS256", secret), secret: SECRET },
      { name: "ES384 JWKS", token: await mint("ES384", es384!.privateKey, {}, "k2"), jwks: { keys: [{ ...es256!.jwk, kid: "k1" }, { ...es384!.jwk, kid: "k2" }] } },
      { name: "expired", token: await mint("ES256", es256!.privateKey, { exp: NOW - 60 }), publicKey: es256!.jwk, now: NOW * 1000 },
      { name: "bad signature", token: `${head}.${body}.${tampered.toString("base64url")}`, publicKey: es256!.jwk },
      { name: "alg none", token: `${Buffer.from('{"alg":"none"}').toString("base64url")}.${body}.`, publicKey: es256!.jwk },
      { name: "HMAC with the PEM", token: await mint("HS256", new TextEncoder().encode(rs256!.pem)), publicKey: rs256!.pem },
      { name: "malformed", token: `${head}=.${body}.${signature}`, publicKey: es256!.jwk },
      { name: "wrong audience", token: await mint("ES256", es256!.privateKey, { aud: "billing" }), publicKey: es256!.jwk, audience: "orders" },
      { name: "too large", token: `${head}.${"A".repeat(10_000)}.${signature}`, publicKey: es256!.jwk },
    ];
    const folder = mkdtempSync(join(tmpdir(), "auth-runtime-"));
    const file = join(folder, "cases.json");
    writeFileSync(file, JSON.stringify(cases));
    const scopes = ["orders:read", "orders:write"];
    const refusal = (reason: string): { reason: string; leaks: boolean } => ({ reason, leaks: false });
    const expected = {
      "ES256 JWK": { subject: "user-ES256", scopes },
      "RS256 PEM": { subject: "user-RS256", scopes },
      "PS384 JWK": { subject: "user-PS384", scopes },
      "EdDSA PEM": { subject: "user-EdDSA", scopes },
      "ES512 JWK": { subject: "user-ES512", scopes },
      "HS256 secret": { subject: "user-HS256", scopes },
      "ES384 JWKS": { subject: "user-ES384", scopes },
      expired: refusal("expired"),
      "bad signature": refusal("bad signature"),
      "alg none": refusal("algorithm not allowed"),
      "HMAC with the PEM": refusal("algorithm not allowed"),
      malformed: refusal("malformed"),
      "wrong audience": refusal("wrong audience"),
      "too large": refusal("too large"),
    };
    try {
      for (const runtime of RUNTIMES) {
        const [command, args] = runCommand(runtime, "test/runtime/fixtures/auth_verify.ts");
        const child = startProcess(command, args, childEnv({ AUTH_CASES: file }));
        const [, result] = await child.waitForLine(/^RESULT (.*)$/, 60_000);
        await child.stop();
        assert.deepEqual(JSON.parse(result ?? "{}"), expected, runtime);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
