/**
 * Our JWT verifier (src/auth) against jose's `jwtVerify`, in process, on the same tokens and the
 * same public `CryptoKey`s: ES256 and RS256, the issuer and audience checked by both. Rounds
 * alternate (ours first, then jose first, …) and the table shows the median of the per-round
 * ratios of our time to jose's (target: at most 1.10×).
 *
 * On Node.js our code runs compiled by `tsc` into a temporary folder, as npm users run it (tsx's
 * `keepNames` would wrap our closures, see compiled.ts); jose is its published JavaScript.
 *
 * Run: `npx tsx bench/jwt_verify.ts` (ROUNDS and ITERATIONS in the environment change the sizes).
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generateKeyPair, jwtVerify, SignJWT } from "jose";
import type * as Auth from "../src/auth/mod.ts";
import { machineLine } from "./machine.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const ROUNDS = Number(process.env["ROUNDS"] ?? 15);
const ITERATIONS = Number(process.env["ITERATIONS"] ?? 2_000);
const ISSUER = "https://issuer.example";
const AUDIENCE = "orders";

/** Compiles src/auth alone (it imports nothing else) with tsc, into a folder of ES modules. */
function compileAuth(): string {
  const out = join(tmpdir(), `tsmicroservice-auth-bench-${process.pid}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  execFileSync(process.execPath, [
    join(ROOT, "node_modules/typescript/bin/tsc"),
    "--outDir", out, "--rootDir", join(ROOT, "src/auth"), "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext",
    "--lib", "ES2023,DOM", "--strict", "--skipLibCheck", "--rewriteRelativeImportExtensions", "--allowImportingTsExtensions",
    join(ROOT, "src/auth/mod.ts"),
  ], { stdio: "inherit" });
  return out;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(verify: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let index = 0; index < ITERATIONS; index++) await verify();
  return performance.now() - start;
}

const compiled = compileAuth();
const auth = await import(pathToFileURL(join(compiled, "mod.js")).href) as typeof Auth;
rmSync(compiled, { recursive: true, force: true });

console.log(`JWT verification in process, ${ITERATIONS} sequential verifications per run, ${ROUNDS} alternating rounds`);
console.log(machineLine());
console.log("| algorithm | ours µs/verify | jose µs/verify | ours / jose: median (min–max) |");
console.log("| --- | ---: | ---: | --- |");

for (const alg of ["ES256", "RS256"] as const) {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const token = await new SignJWT({ sub: "user-42", scope: "orders:read" })
    .setProtectedHeader({ alg, typ: "JWT" }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime("2h").sign(privateKey);
  const ours = auth.jwtVerifier({ publicKey, issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
  const oursVerify = (): Promise<unknown> => ours.verify(token);
  const joseVerify = (): Promise<unknown> => jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
  if ((await ours.verify(token)).subject !== (await jwtVerify(token, publicKey)).payload.sub) throw new Error("the two disagree");
  await timed(oursVerify);
  await timed(joseVerify);
  const oursTimes: number[] = [];
  const joseTimes: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let oursTime: number;
    let joseTime: number;
    if (round % 2 === 0) {
      oursTime = await timed(oursVerify);
      joseTime = await timed(joseVerify);
    } else {
      joseTime = await timed(joseVerify);
      oursTime = await timed(oursVerify);
    }
    oursTimes.push(oursTime);
    joseTimes.push(joseTime);
    ratios.push(oursTime / joseTime);
  }
  const us = (ms: number): string => ((ms * 1000) / ITERATIONS).toFixed(1);
  console.log(`| ${alg} | ${us(median(oursTimes))} | ${us(median(joseTimes))} | ${median(ratios).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}) |`);
}
