// The npm package as users get it: `npm pack` (which builds dist/ with tsc), installed into a fresh
// project with no access to this repository's sources, then a service and a client run there with
// plain `node` (no tsx) and with `bun`, and a consumer file is type-checked against the shipped
// .d.ts files.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BUN, childEnv, ROOT } from "./processes.ts";

const project = mkdtempSync(join(tmpdir(), "tsmicroservice-consumer-"));
after(() => rmSync(project, { recursive: true, force: true }));

const quiet = { cwd: project, env: childEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" }), encoding: "utf8" as const };

before(() => {
  execFileSync("npm", ["pack", "--pack-destination", project, ROOT], { ...quiet, stdio: "pipe" });
  const tarball = readdirSync(project).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball, "npm pack made a tarball");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-save", `./${tarball}`], { ...quiet, stdio: "pipe" });
});

const program = `
import { connect, createClient, RpcError, serve, Service, TransportError } from "tsmicroservice";
import { createClient as clientOnly } from "tsmicroservice/client";
import { cluster } from "tsmicroservice/cluster";

const service = new Service({ name: "packed.service", apiTokenIsValid: (token) => token === "t" })
  .publicMethod("add", (a, b) => a + b)
  .privateMethod("secret", () => "s3cret");
const server = await serve(service, { port: 0 });
const url = server.url + "/api";
const remote = await connect(url, { token: "t" });
const sum = await remote.methods.add(2, 3);
const named = await createClient(url).call("add", { a: 1, b: 1 });
const secret = await remote.methods.secret();
const replicas = cluster([url], { idempotent: ["add"] });
const balanced = await (await connect(replicas)).call("add", [3, 4]);
const instances = replicas.instances().length;
let denied = "";
try { await clientOnly(url).call("secret"); } catch (error) { denied = error instanceof RpcError ? String(error.code) : "other"; }
await server.close();
let down = "";
try { await clientOnly(url).call("add", [1, 2]); } catch (error) { down = error instanceof TransportError ? error.kind : "other"; }
console.log(JSON.stringify({ name: remote.name, sum, named, secret, balanced, instances, denied, down }));
`;

const expected = { name: "packed.service", sum: 5, named: 2, secret: "s3cret", balanced: 7, instances: 1, denied: "-32001", down: "network" };

describe("the packed npm package", () => {
  test("ships dist/ with JavaScript and declarations, and no sources or tests", () => {
    const files = execFileSync("tar", ["-tzf", readdirSync(project).find((name) => name.endsWith(".tgz"))!], quiet).split("\n");
    assert.ok(files.includes("package/dist/mod.js"));
    assert.ok(files.includes("package/dist/mod.d.ts"));
    assert.ok(files.includes("package/README.md"));
    assert.deepEqual(files.filter((file) => /^package\/(test|bench|examples|src)\//.test(file)), []);
    assert.deepEqual(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts")), []);
  });

  test("a service and a client run with plain node", () => {
    writeFileSync(join(project, "app.mjs"), program);
    const output = execFileSync(process.execPath, ["app.mjs"], quiet);
    assert.deepEqual(JSON.parse(output), expected);
  });

  test("a service and a client run with bun", () => {
    writeFileSync(join(project, "app.mjs"), program);
    const output = execFileSync(BUN, ["app.mjs"], quiet);
    assert.deepEqual(JSON.parse(output), expected);
  });

  test("a TypeScript consumer type-checks against the shipped .d.ts, and wrong calls do not", () => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, lib: ["ES2022", "DOM"], types: [] },
      files: ["consumer.ts"],
    }));
    writeFileSync(join(project, "consumer.ts"), `
import { createClient, Service, type ServerHandle } from "tsmicroservice";
import { serveNode } from "tsmicroservice/node";
import { connect } from "tsmicroservice/client";

const service = new Service({ name: "typed" }).publicMethod("add", (a: number, b: number) => a + b);
export async function main(): Promise<number> {
  const server: ServerHandle = await serveNode(service, { port: 0 });
  const client = createClient<typeof service>(server.url + "/api");
  const sum: number = await client.methods.add(1, 2);
  // @ts-expect-error: add takes numbers
  await client.methods.add("1", 2);
  // @ts-expect-error: no such method
  await client.methods.subtract(1, 2);
  const remote = await connect(server.url + "/api");
  await server.close();
  return sum + remote.methodNames.length;
}
`);
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], { ...quiet, stdio: "pipe" });
  });
});
