// A module whose default export is a Service, for `tsmicroservice serve` (it starts no server).
import { Service } from "../../mod.ts";
import { health } from "../../src/plugins/health.ts";

export default new Service({ name: "served.service", apiTokenIsValid: (token) => token === "served-token" })
  .use(health())
  .use({ name: "goodbye", stop: () => console.log("served.service stopped") })
  .publicMethod("say_hello", (name: string) => `hello ${name}`)
  .privateMethod("secret", () => "s3cret");
