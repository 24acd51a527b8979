/**
 * A client of the hello-world service: learns the service's name and methods, then calls a public
 * and a private method.
 *
 * Start the service (`npx tsx examples/hello_world.ts`), then run this with `npx tsx
 * examples/client.ts` (or `deno run -A examples/client.ts`, `bun examples/client.ts`). It calls
 * $SERVICE_URL (default http://127.0.0.1:5000/api) with the token $SERVICE_TOKEN (default
 * hello_world_token).
 *
 * @module
 */

import { connect } from "../mod.ts";

/**
 * The hello-world service's methods as this client sees them. With the service's source at hand,
 * `connect<typeof service>(url)` gives the same types with nothing written by hand.
 */
interface HelloWorld {
  say_hello(name: string): string;
  say_private_hello(name: string): string;
}

const url = process.env["SERVICE_URL"] ?? "http://127.0.0.1:5000/api";
const remote = await connect<HelloWorld>(url, { token: process.env["SERVICE_TOKEN"] ?? "hello_world_token" });

console.log(`connected to ${remote.name} (methods: ${remote.methodNames.join(", ")})`);
console.log(await remote.methods.say_hello("world"));
console.log(await remote.methods.say_private_hello("world"));
