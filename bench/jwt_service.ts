/**
 * What `jwt()` costs a service, per call of a private method, against the same service with the
 * shared API token (target: at least 0.90× its requests per second, single call). In process
 * through `service.fetch` (a real `Request` per call, the HTTP layer included, no sockets), CPU
 * time per request, in alternating rounds (A B, B A, …); the table shows the median ratio of
 * requests per CPU second, jwt ÷ API token.
 *
 * Cases: the same token on every request (a client keeps its token until near expiry: the usual
 * case, which `jwt()`'s cache of verified tokens serves), and a fresh token on every request (the
 * worst case: every call pays a signature check), each for HS256, ES256 and RS256.
 *
 * bench/jwt_http.ts measures the same over HTTP.
 *
 * Run with `npx tsx bench/jwt_service.ts`. Environment: BENCH_ROUNDS (default 7), BENCH_ITERATIONS
 * (5000 requests per run).
 *
 * @module
 */

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { Service, timingSafeEqual } from "../mod.ts";
import { jwt, type JwtOptions } from "../src/auth/mod.ts";
import { runCompiled } from "./compiled.ts";
import { machineLine } from "./machine.ts";

// On Node.js, measure the compiled JavaScript npm users run (see compiled.ts).
runCompiled(import.meta.url);

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const ITERATIONS = Number(process.env["BENCH_ITERATIONS"] ?? 5_000);
const API_TOKEN = "a-shared-api-token-of-some-length";
const SECRET = "a shared secret of at least thirty-two bytes, for HS256";

const body = '{"jsonrpc":"2.0","method":"whoami","id":1}';

function withApiToken(): Service {
  return new Service({ name: "bench", apiTokenIsValid: (token) => timingSafeEqual(token, API_TOKEN) })
    .privateMethod("whoami", () => "me");
}

function withJwt(options: JwtOptions): Service {
  return new Service({ name: "bench" }).use(jwt({ audience: "bench", issuer: "https://issuer.example", ...options })).privateMethod("whoami", () => "me");
}

/** The process's CPU time (user and system, in ms) for one request per token. */
async function time(service: Service, tokens: () => string, iterations: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const response = await service.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${tokens()}` }, body }));
    const text = await response.text();
    if (!text.includes('"result":"me"')) throw new Error(`unexpected answer: ${text}`);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function minted(alg: string, key: CryptoKey | Uint8Array, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(await new SignJWT({ sub: `user-${i}`, scope: "a b" }).setProtectedHeader({ alg }).setIssuer("https://issuer.example").setAudience("bench").setExpirationTime("1h").sign(key));
  }
  return tokens;
}

const cases: { name: string; options: JwtOptions; tokens: string[] }[] = [];
const secret = new TextEncoder().encode(SECRET);
const es = await generateKeyPair("ES256", { extractable: true });
const rs = await generateKeyPair("RS256", { extractable: true });
const fresh = ITERATIONS + ITERATIONS / 4;
for (const [alg, key, options] of [
  ["HS256", secret, { secret: SECRET }],
  ["ES256", es.privateKey, { publicKey: await exportJWK(es.publicKey) }],
  ["RS256", rs.privateKey, { publicKey: await exportJWK(rs.publicKey) }],
] as const) {
  cases.push({ name: `${alg}, the same token`, options, tokens: await minted(alg, key, 1) });
  cases.push({ name: `${alg}, a new token per request`, options, tokens: await minted(alg, key, fresh) });
}

console.log(machineLine());
console.log(`in process through service.fetch, a private method, ${ITERATIONS} requests per run, ${ROUNDS} alternating rounds; ${process.version}`);
console.log("| case | API token CPU µs/request | jwt() CPU µs/request | requests per CPU second, jwt ÷ API token: median (min–max) |");
console.log("| --- | ---: | ---: | --- |");
for (const { name, options, tokens } of cases) {
  const plain = withApiToken();
  const checked = withJwt(options);
  let next = 0;
  const jwtTokens = (): string => tokens[next++ % tokens.length]!;
  const apiTokens = (): string => API_TOKEN;
  await time(plain, apiTokens, ITERATIONS / 4);
  await time(checked, jwtTokens, ITERATIONS / 4);
  const ratios: number[] = [];
  const plainTimes: number[] = [];
  const jwtTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // A new token per request means tokens never seen before: a fresh service per round.
    const service = tokens.length === 1 ? checked : withJwt(options);
    next = 0;
    const order = round % 2 === 0 ? [false, true] : [true, false];
    let plainMs = 0;
    let jwtMs = 0;
    for (const isJwt of order) {
      if (isJwt) jwtMs = await time(service, jwtTokens, ITERATIONS);
      else plainMs = await time(plain, apiTokens, ITERATIONS);
    }
    plainTimes.push(plainMs);
    jwtTimes.push(jwtMs);
    ratios.push(plainMs / jwtMs);
  }
  const us = (ms: number): string => ((ms * 1000) / ITERATIONS).toFixed(2);
  console.log(`| ${name} | ${us(median(plainTimes))} | ${us(median(jwtTimes))} | ${median(ratios).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) |`);
}

