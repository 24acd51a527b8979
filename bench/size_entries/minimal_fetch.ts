// The README's hello world with no plugins as a module's default export (no adapter): what
// `npm run size` bundles for the "minimal_fetch" row; `bun run` serves it on $PORT.
import { timingSafeEqual } from "../../src/core/timing_safe_equal.ts";
import { Service } from "../../src/core/service.ts";

export default new Service({
  name: "hello.world.service",
  apiTokenIsValid: (token) => timingSafeEqual(token, "hello_world_token"),
})
  .publicMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] })
  .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`, { params: ["name"] });
