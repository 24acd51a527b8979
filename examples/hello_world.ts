/**
 * Hello world: the Python original's README example, in TypeScript.
 *
 * Run it with `npm start` (or `npx tsx examples/hello_world.ts`, `deno run -A
 * examples/hello_world.ts`, `bun examples/hello_world.ts`). It listens on $HOST:$PORT (default
 * 127.0.0.1:5000).
 *
 * @module
 */

import { serve } from "../mod.ts";
import { service } from "./hello_world_service.ts";

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  signals: true, // Ctrl-C or SIGTERM: answer the calls in flight, then exit
});
const endpoint = `${server.url}${service.path}`;
console.log(`${service.name} serving at ${endpoint}`);
console.log(
  `try: curl -s ${endpoint} -H 'Content-Type: application/json' ` +
    `-d '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}'`,
);
