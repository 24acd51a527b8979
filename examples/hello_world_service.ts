/**
 * The hello-world service itself, defined and exported and not served: the module that
 * examples/hello_world.ts serves and that a client's types come from
 * (`import type { service } from "./hello_world_service.ts"`, as examples/client.ts does).
 *
 * @module
 */

import { Service, timingSafeEqual } from "../mod.ts";

/** The Python original's README example: a public and a private method. */
export const service = new Service({
  name: "hello.world.service",
  apiTokenIsValid: (token) => timingSafeEqual(token, "hello_world_token"),
})
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);
