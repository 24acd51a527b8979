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
// Types only: the client's method signatures come from the service's own module, and none of its
// code is loaded. (For a service you have no source of, write an interface instead.)
import type { service } from "./hello_world_service.ts";

const url = process.env["SERVICE_URL"] ?? "http://127.0.0.1:5000/api";
const remote = await connect<typeof service>(url, { token: process.env["SERVICE_TOKEN"] ?? "hello_world_token" });

console.log(`connected to ${remote.name} (methods: ${remote.methodNames.join(", ")})`);
console.log(await remote.methods.say_hello("world"));
console.log(await remote.methods.say_private_hello("world"));
