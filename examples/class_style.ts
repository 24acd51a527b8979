/**
 * Hello world in the Python original's class style: a class extending `MicroService`, its methods
 * marked with the standard decorators `@publicMethod` and `@privateMethod`.
 *
 * Run it with `npx tsx examples/class_style.ts` (or `deno run -A examples/class_style.ts`, `bun
 * examples/class_style.ts`): no `experimentalDecorators` needed. It listens on $HOST:$PORT
 * (default 127.0.0.1:5000).
 *
 * @module
 */

import { MicroService, privateMethod, publicMethod, serve, timingSafeEqual } from "../mod.ts";

class HelloWorldService extends MicroService {
  name = "hello.world.service";
  greeting = "hello";

  @publicMethod
  say_hello(name: string) {
    // Handlers run with `this` as the instance.
    return `${this.greeting} ${name}`;
  }

  @privateMethod
  say_private_hello(name: string) {
    return `this is secret: hello ${name}`;
  }

  apiTokenIsValid(token: string) {
    return timingSafeEqual(token, "hello_world_token");
  }
}

const service = new HelloWorldService();
// Assembles the service now, so a mistake in the class fails here rather than at the first call.
const { path } = service.toService();
const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  signals: true, // Ctrl-C or SIGTERM: answer the calls in flight, then exit
});
const endpoint = `${server.url}${path}`;
console.log(`${service.name} serving at ${endpoint}`);
console.log(
  `try: curl -s ${endpoint} -H 'Content-Type: application/json' ` +
    `-d '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}'`,
);
