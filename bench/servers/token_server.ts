/**
 * A server for bench/jwt_service.ts: one private method, its callers checked either by the shared
 * API token (`AUTH=api-token`) or by `jwt()` with an ES256 public key (`AUTH=jwt`, the JWK in
 * `JWT_PUBLIC_KEY`). It reads its port from `$PORT` and prints "listening".
 *
 * @module
 */

import { serve, Service, timingSafeEqual } from "../../mod.ts";
import { jwt } from "../../src/auth/mod.ts";

const service = process.env["AUTH"] === "jwt"
  ? new Service({ name: "bench" }).use(jwt({ publicKey: JSON.parse(process.env["JWT_PUBLIC_KEY"] ?? "{}") as JsonWebKey, issuer: "https://issuer.example", audience: "bench" }))
  : new Service({ name: "bench", apiTokenIsValid: (token) => timingSafeEqual(token, process.env["API_TOKEN"] ?? "") });
service.privateMethod("whoami", () => "me");

await serve(service, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000) });
console.log("listening");
