/**
 * What `jwt()` costs a service over HTTP, as its target is stated (at least 0.90× the requests per
 * second of the same service with the shared API token, Node.js, single call): two Node.js servers
 * (bench/servers/token_server.ts, pinned to CPU 0 when `taskset` is there) on loopback, one with
 * the API token and one with `jwt()` (ES256, the same token on every request, as a client keeps
 * its token), loaded in alternating rounds by the load generator (on the other CPU). The table
 * gives requests per second and the servers' CPU time per request, jwt ÷ API token.
 *
 * Run with `npx tsx bench/jwt_http.ts`. Environment: BENCH_ROUNDS (default 7), BENCH_SECONDS (3 per
 * run), BENCH_CONNECTIONS (50).
 *
 * @module
 */

import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { runLoad } from "./load_generator.ts";
import { machineLine } from "./machine.ts";
import { cpuMicros, median, type Running, start, stop } from "./processes.ts";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 7);
const API_TOKEN = "a-shared-api-token-of-some-length";
const body = '{"jsonrpc":"2.0","method":"whoami","id":1}';
const es = await generateKeyPair("ES256", { extractable: true });
const esToken = await new SignJWT({ sub: "user", scope: "a b" }).setProtectedHeader({ alg: "ES256" }).setIssuer("https://issuer.example").setAudience("bench").setExpirationTime("1h").sign(es.privateKey);
console.log(machineLine());

// Over HTTP: the same token on every request, on two real servers.
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 3);
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 50);
const servers: Running[] = [];
try {
  Object.assign(process.env, { AUTH: "api-token", API_TOKEN });
  servers.push(await start("node", "bench/servers/token_server.ts"));
  Object.assign(process.env, { AUTH: "jwt", JWT_PUBLIC_KEY: JSON.stringify(await exportJWK(es.publicKey)) });
  servers.push(await start("node", "bench/servers/token_server.ts"));
  const [plainServer, jwtServer] = servers as [Running, Running];
  const load = async (server: Running, token: string, seconds: number): Promise<{ rps: number; cpu: number }> => {
    const cpuBefore = cpuMicros(server.child.pid);
    const result = await runLoad({ port: server.port, path: "/api", body, connections: CONNECTIONS, durationMs: seconds * 1000, expect: '"result":"me"', headers: { authorization: `Bearer ${token}` } });
    if (result.wrong > 0) throw new Error(`${result.wrong} wrong answers`);
    return { rps: result.requestsPerSecond, cpu: (cpuMicros(server.child.pid) - cpuBefore) / result.answers };
  };
  await load(plainServer, API_TOKEN, 1);
  await load(jwtServer, esToken, 1);
  const rpsRatios: number[] = [];
  const cpuRatios: number[] = [];
  const plainCpu: number[] = [];
  const jwtCpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const plainFirst = round % 2 === 0;
    const first = await load(plainFirst ? plainServer : jwtServer, plainFirst ? API_TOKEN : esToken, SECONDS);
    const second = await load(plainFirst ? jwtServer : plainServer, plainFirst ? esToken : API_TOKEN, SECONDS);
    const [plain, checked] = plainFirst ? [first, second] : [second, first];
    rpsRatios.push(checked.rps / plain.rps);
    cpuRatios.push(plain.cpu / checked.cpu);
    plainCpu.push(plain.cpu);
    jwtCpu.push(checked.cpu);
  }
  console.log("");
  console.log(`over HTTP on loopback (Node.js servers, ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} alternating rounds), ES256, the same token`);
  console.log("| requests per second, jwt ÷ API token: median (min–max) | API token CPU µs/request | jwt() CPU µs/request | CPU per request, API token ÷ jwt |");
  console.log("| --- | ---: | ---: | --- |");
  console.log(`| ${median(rpsRatios).toFixed(3)}× (${Math.min(...rpsRatios).toFixed(3)}–${Math.max(...rpsRatios).toFixed(3)}) | ${median(plainCpu).toFixed(1)} | ${median(jwtCpu).toFixed(1)} | ${median(cpuRatios).toFixed(3)}× |`);
} finally {
  for (const server of servers) await stop(server);
}
