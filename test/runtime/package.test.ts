// The npm package as users get it: `npm pack` (which builds dist/ with tsc), installed into a fresh
// project with no access to this repository's sources, then a service and a client run there with
// plain `node` (no tsx) and with `bun`, and a consumer file is type-checked against the shipped
// .d.ts files. The package carries the guides and examples the README points to, so its links
// work in the installed package. (On the other Node.js lines, `TSMICROSERVICE_RUNTIMES=node`: the
// Bun and Deno parts are left to the main run.)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { after, before, describe, test } from "node:test";
import { installPacked, quietIn, TSC } from "./packed.ts";
import { BUN, DENO, ROOT, RUNTIMES } from "./processes.ts";

const project = mkdtempSync(join(tmpdir(), "tsmicroservice-consumer-"));
after(() => rmSync(project, { recursive: true, force: true }));

const quiet = quietIn(project);
let tarball = "";

before(() => {
  tarball = installPacked(project);
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

/**
 * The files a Markdown text refers to by a relative path, relative to the package's root: the
 * targets of its links and images (`[text](docs/cluster.md)`, not `#anchors` or URLs), and the
 * `examples/…` files and folders it names (`examples/website.ts`, `"./examples/public/"`).
 */
function referencedFiles(markdown: string, file: string): string[] {
  const folder = posix.dirname(file);
  const links = [...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => posix.normalize(posix.join(folder, target)));
  // In prose, code spans and code: `examples/website.ts`, "./examples/public/".
  const named = [...markdown.matchAll(/(?:^|[\s"'`(])(?:\.\/)?(examples\/[\w./-]*\w)/gm)].map((match) => match[1]!);
  return [...new Set([...links, ...named])].sort();
}

describe("the packed npm package", () => {
  test("ships dist/ with JavaScript and declarations, the guides and examples, and no sources or tests", () => {
    const files = execFileSync("tar", ["-tzf", tarball], quiet).split("\n");
    assert.ok(files.includes("package/dist/mod.js"));
    assert.ok(files.includes("package/dist/mod.d.ts"));
    assert.ok(files.includes("package/README.md"));
    assert.deepEqual(files.filter((file) => /^package\/(test|bench|src)\//.test(file)), []);
    // TypeScript sources only as the examples, which are there to be read.
    assert.deepEqual(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !file.startsWith("package/examples/")), []);
  });

  test("carries every file the README and the guides link to or name, so their links work where it is installed", () => {
    const files = new Set(execFileSync("tar", ["-tzf", tarball], quiet).split("\n"));
    const installed = join(project, "node_modules/tsmicroservice");
    const documents = ["README.md", ...[...files].filter((file) => /^package\/docs\/[^/]+\.md$/.test(file)).map((file) => file.slice("package/".length))];
    assert.ok(documents.includes("docs/cluster.md"), documents.join(", "));
    const wanted = new Set<string>();
    for (const document of documents) {
      for (const target of referencedFiles(readFileSync(join(installed, document), "utf8"), document)) wanted.add(target);
    }
    // What the README refers to today, at the least: the guides, the explorer's picture, the examples.
    for (const known of ["docs/cluster.md", "docs/events.md", "docs/observability.md", "docs/explorer.md", "docs/explorer.png", "docs/cli.md", "examples/website.ts", "examples/hello_world.ts", "examples/public"]) {
      assert.ok(wanted.has(known), `${known} is referred to`);
    }
    const missing = [...wanted].filter((target) => !files.has(`package/${target}`) && !files.has(`package/${target}/`) && ![...files].some((file) => file.startsWith(`package/${target}/`)));
    assert.deepEqual(missing, [], "referred to, not in the tarball");
    assert.deepEqual([...wanted].filter((target) => !existsSync(join(installed, target))), [], "referred to, not in the installed package");
  });

  test("ships a source map next to each .js, with the TypeScript source inside it", () => {
    const files = execFileSync("tar", ["-tzf", tarball], quiet).split("\n");
    const scripts = files.filter((file) => file.endsWith(".js"));
    assert.ok(scripts.length > 50);
    assert.deepEqual(scripts.filter((file) => !files.includes(`${file}.map`)), []);
    const installed = join(project, "node_modules/tsmicroservice/dist");
    assert.match(readFileSync(join(installed, "src/serve.js"), "utf8"), /\n\/\/# sourceMappingURL=serve\.js\.map\s*$/);
    const map = JSON.parse(readFileSync(join(installed, "src/serve.js.map"), "utf8")) as { sources: string[]; sourcesContent?: string[] };
    assert.deepEqual(map.sources, ["../../src/serve.ts"]);
    assert.equal(map.sourcesContent?.[0], readFileSync(join(ROOT, "src/serve.ts"), "utf8"));
  });

  test("a service and a client run with plain node", () => {
    writeFileSync(join(project, "app.mjs"), program);
    const output = execFileSync(process.execPath, ["app.mjs"], quiet);
    assert.deepEqual(JSON.parse(output), expected);
  });

  // The Node.js lines' runs leave Bun to the main run: the test is not registered there.
  if (RUNTIMES.includes("bun")) {
    test("a service and a client run with bun", () => {
      writeFileSync(join(project, "app.mjs"), program);
      const output = execFileSync(BUN, ["app.mjs"], quiet);
      assert.deepEqual(JSON.parse(output), expected);
    });
  }

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
    execFileSync(process.execPath, [TSC, "-p", "."], { ...quiet, stdio: "pipe" });
  });
});

// examples/worker.ts as a user's module in this project (importing the package by its name),
// bundled with no externals for the browser and for no platform at all, then run by Deno with no
// permissions, as a worker platform would: its fetch takes a JSON-RPC call and answers it.
// Run by Deno, which the main run tests: the Node.js lines' runs do not register it.
if (RUNTIMES.includes("deno")) describe("the packed package in a bundle for browsers and workers", () => {
  const worker = readFileSync(join(ROOT, "examples/worker.ts"), "utf8").replace('from "../mod.ts"', 'from "tsmicroservice"');
  const runner = `
import worker from "./bundle.mjs";
const call = (body) => new Request("https://edge.example/api", { method: "POST", headers: { "content-type": "application/json" }, body });
// Workers call fetch(request, env, ctx).
const answers = [
  await (await worker.fetch(call('{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}'), {}, {})).json(),
  await (await worker.fetch(call('{"jsonrpc":"2.0","method":"greet","params":{"name":"ada"},"id":2}'), {}, {})).json(),
];
console.log(JSON.stringify(answers));
`;

  for (const platform of ["browser", "neutral"] as const) {
    test(`--platform=${platform}: no node: import is left, and the bundle answers JSON-RPC`, () => {
      writeFileSync(join(project, "worker.ts"), worker);
      const bundle = join(project, "bundle.mjs");
      execFileSync(join(ROOT, "node_modules/esbuild/bin/esbuild"), ["worker.ts", "--bundle", "--format=esm", `--platform=${platform}`, `--outfile=${bundle}`, "--log-level=error"], quiet);
      const code = readFileSync(bundle, "utf8");
      assert.deepEqual(code.match(/["'`]node:[\w/]+/g) ?? [], []);
      writeFileSync(join(project, "runner.mjs"), runner);
      // No --allow-*: the bundle may read no file, open no socket and see no environment variable.
      const output = execFileSync(DENO, ["run", "--no-prompt", "--no-remote", "--no-config", "runner.mjs"], quiet);
      assert.deepEqual(JSON.parse(output), [
        { jsonrpc: "2.0", result: 5, id: 1 },
        { jsonrpc: "2.0", result: "hello ada, from the edge", id: 2 },
      ]);
    });
  }

  test("that build's serve() and fileAccess() reject with what to do instead", () => {
    const probe = `
import { fileAccess, serve, Service } from "tsmicroservice";
const messages = [];
for (const attempt of [() => serve(new Service({ name: "s" })), () => fileAccess()]) {
  await attempt().then(() => messages.push("resolved"), (error) => messages.push(error.message));
}
console.log(JSON.stringify(messages));
`;
    writeFileSync(join(project, "probe.mjs"), probe);
    // Bundled as a browser bundler would (Node.js itself always adds the "node" condition).
    execFileSync(join(ROOT, "node_modules/esbuild/bin/esbuild"), ["probe.mjs", "--bundle", "--format=esm", "--platform=browser", "--outfile=probe.bundle.mjs", "--log-level=error"], quiet);
    const messages = JSON.parse(execFileSync(DENO, ["run", "--no-prompt", "--no-remote", "--no-config", "probe.bundle.mjs"], quiet)) as string[];
    assert.equal(messages.length, 2);
    assert.match(messages[0]!, /^serve\(\) is not available in this build of tsmicroservice .*export the service as the default export/);
    assert.match(messages[1]!, /^fileAccess\(\) is not available in this build/);
  });

  test("Deno resolves the package to the build with serve()", () => {
    writeFileSync(join(project, "app.mjs"), program);
    const output = execFileSync(DENO, ["run", "-A", "--no-remote", "app.mjs"], quiet);
    assert.deepEqual(JSON.parse(output), expected);
  });
});
