/**
 * tsmicroservice: JSON-RPC 2.0 microservices and clients for Node.js, Deno and Bun, with no
 * dependencies, built on the Web `Request`/`Response` API.
 *
 * A service is a named set of public and private (API-token-guarded) methods served at `POST /api`.
 *
 * @example
 * ```ts
 * import { serve, Service } from "./mod.ts";
 *
 * const service = new Service({
 *   name: "hello.world.service",
 *   apiTokenIsValid: (token) => token === "hello_world_token",
 * })
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`)
 *   .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
 *
 * const server = await serve(service, { hostname: "127.0.0.1", port: 5000 });
 * console.log(`serving ${service.name} at ${server.url}/api`);
 * ```
 *
 * @module
 */

// Everything that runs on any platform with the Web APIs (src/portable.ts)...
export * from "./src/portable.ts";
// ...and what loads the current runtime's adapter. The npm package's build for browsers and
// workers (src/mod_web.ts, picked by package.json's conditions) has stand-ins for these two instead.
export { fileAccess, serve } from "./src/serve.ts";
