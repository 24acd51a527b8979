// The README's hello world with no plugins, listening on $HOST:$PORT through the node adapter:
// what `npm run size` bundles for the "minimal" row (bundled, minified, run with plain node).
import { serveNode } from "../../src/adapters/node.ts";
import { timingSafeEqual } from "../../src/core/timing_safe_equal.ts";
import { Service } from "../../src/core/service.ts";

const service = new Service({
  name: "hello.world.service",
  apiTokenIsValid: (token) => timingSafeEqual(token, "hello_world_token"),
})
  .publicMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] })
  .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`, { params: ["name"] });

const server = await serveNode(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
});
console.log(`${service.name} serving at ${server.url}${service.path}`);
