// The minimal service as a module's default export with the explorer page (`explorer()`): what
// `npm run size` bundles for the "explorer" row. Most of it is the page's HTML, CSS and script,
// which a service carries as strings; the page as served is measured separately by the same script.
import { Service } from "../../src/core/service.ts";
import { explorer } from "../../src/plugins/explorer/explorer.ts";

export default new Service({ name: "hello.world.service" })
  .use(explorer())
  .publicMethod("say_hello", (name: string) => `hello ${name}`, { params: ["name"] });
