// Issue 19's "done when": a fresh project built from the README alone, against the packed npm
// package (see packed.ts), compiles under this repository's own strict tsconfig and runs on
// Node.js, Deno and Bun. The project is what a new user writes from the README's hello world,
// typed client, schemas and static files sections: two services, each defined and exported by one
// module and served by another, with typed clients both ways (website calls users' private method
// with the token; users calls website), and a script that calls them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { installPacked, quietIn, TSC } from "./packed.ts";
import { BUN, childEnv, DENO, freePort, HOST, ROOT, type RunningProcess, type RuntimeName, startProcess, stopAll } from "./processes.ts";

const TOKEN = "fresh_users_token";
const INDEX = "<!doctype html><title>fresh</title><h1>The fresh website</h1>\n";

// Written as the README writes them, with `tsmicroservice` where the README's snippets say
// `./mod.ts` (as it tells users to).
const sources: Record<string, string> = {
  "users_service.ts": `
import { createClient, Service, timingSafeEqual } from "tsmicroservice";
import { schemas } from "tsmicroservice/schemas";
import { z } from "zod";
import type { website } from "./website_service.ts";

const site = createClient<typeof website>(process.env["WEBSITE_URL"] ?? "http://127.0.0.1:5002/api");

export const users = new Service({
  name: "users",
  apiTokenIsValid: (token) => timingSafeEqual(token, process.env["USERS_TOKEN"] ?? "users_token"),
})
  .use(schemas())
  .publicMethod("say_hello", (name: string) => \`hello \${name}\`)
  .privateMethod("create_user", ({ name, age }) => ({ id: 1, name, age }), {
    input: z.object({ name: z.string(), age: z.number() }),
  })
  .publicMethod("site_title", () => site.methods.title());
`,
  "website_service.ts": `
import { createClient, Service } from "tsmicroservice";
import { staticFiles } from "tsmicroservice/static";
import type { users } from "./users_service.ts";

const usersClient = createClient<typeof users>(process.env["USERS_URL"] ?? "http://127.0.0.1:5001/api", {
  token: process.env["USERS_TOKEN"] ?? "users_token",
});

export const website = new Service({ name: "website" })
  .use(staticFiles({ "/static/": new URL("./public/", import.meta.url) }))
  .publicMethod("title", () => "The fresh website")
  .publicMethod("sign_up", (name: string, age: number) => usersClient.methods.create_user({ name, age }));
`,
  "serve_users.ts": `
import { serve } from "tsmicroservice";
import { users } from "./users_service.ts";

const server = await serve(users, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5001), signals: true });
console.log(\`\${users.name} serving at \${server.url}\${users.path}\`);
`,
  "serve_website.ts": `
import { serve } from "tsmicroservice";
import { website } from "./website_service.ts";

const server = await serve(website, { hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5002), signals: true });
console.log(\`\${website.name} serving at \${server.url}\${website.path}\`);
`,
  "client.ts": `
import { connect, createClient, RpcError } from "tsmicroservice";
import type { users } from "./users_service.ts";
import type { website } from "./website_service.ts";

const usersUrl = process.env["USERS_URL"] ?? "http://127.0.0.1:5001/api";
const websiteUrl = process.env["WEBSITE_URL"] ?? "http://127.0.0.1:5002/api";
const token = process.env["USERS_TOKEN"] ?? "users_token";

const withToken = await connect<typeof users>(usersUrl, { token });
const anonymous = createClient<typeof users>(usersUrl);
const site = await connect<typeof website>(websiteUrl);

async function codeOf(call: () => Promise<unknown>): Promise<number | string> {
  try {
    await call();
    return "answered";
  } catch (error) {
    return error instanceof RpcError ? error.code : String(error);
  }
}

const hello: string = await anonymous.methods.say_hello("ann");
const created: { id: number; name: string; age: number } = await withToken.methods.create_user({ name: "ann", age: 30 });
const denied = await codeOf(() => anonymous.methods.create_user({ name: "ann", age: 30 }));
// The typed client would not compile this: the untyped one sends what a careless caller would.
const badAge = await codeOf(() => createClient(usersUrl, { token }).call("create_user", { name: "ann", age: "thirty" }));
const signedUp = await site.methods.sign_up("bob", 41);
const title: string = await withToken.methods.site_title();
const index = await (await fetch(new URL("/static/", websiteUrl))).text();
console.log(JSON.stringify({ hello, created, denied, badAge, signedUp, title, index }));
`,
  "wrong_call.ts": `
import { createClient } from "tsmicroservice";
import type { users } from "./users_service.ts";

const client = createClient<typeof users>("http://127.0.0.1:5001/api");
export const wrong = client.methods.create_user({ name: "ann", age: "thirty" });
`,
};

const project = mkdtempSync(join(tmpdir(), "tsmicroservice-fresh-"));
const quiet = quietIn(project);

/** Runs a checker in the project: its exit status and everything it printed. */
function run(command: string, args: string[]): { status: number; output: string } {
  try {
    return { status: 0, output: execFileSync(command, args, { ...quiet, stdio: "pipe" }) };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: failed.stdout + failed.stderr };
  }
}
const tsc = (config: string): { status: number; output: string } => run(process.execPath, [TSC, "-p", config]);

describe("a fresh project built from the README", { timeout: 240_000 }, () => {
  before(() => {
    installPacked(project);
    // zod and Node's types as the user's own `npm install zod @types/node` would give them (offline).
    mkdirSync(join(project, "node_modules/@types"), { recursive: true });
    symlinkSync(join(ROOT, "node_modules/zod"), join(project, "node_modules/zod"), "dir");
    symlinkSync(join(ROOT, "node_modules/@types/node"), join(project, "node_modules/@types/node"), "dir");
    for (const [name, text] of Object.entries(sources)) writeFileSync(join(project, name), text.trimStart());
    mkdirSync(join(project, "public"));
    writeFileSync(join(project, "public/index.html"), INDEX);
    // This repository's own compiler options, as they are.
    const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    const checked = Object.keys(sources).filter((name) => name !== "wrong_call.ts");
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: checked }));
    writeFileSync(join(project, "tsconfig.wrong.json"), JSON.stringify({ extends: "./tsconfig.json", files: ["wrong_call.ts"] }));
    // Plain node runs JavaScript: tsc writes it next to each .ts, imports rewritten to .js.
    writeFileSync(join(project, "tsconfig.build.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: false, rewriteRelativeImportExtensions: true } }));
  }, { timeout: 180_000 });

  after(async () => {
    await stopAll();
    rmSync(project, { recursive: true, force: true });
  });

  test("type-checks under the repository's strict tsconfig with no error", () => {
    const { status, output } = tsc("tsconfig.json");
    assert.equal(output, "");
    assert.equal(status, 0);
  });

  test("a wrong param type to the typed client is a type error", () => {
    const { status, output } = tsc("tsconfig.wrong.json");
    assert.equal(status, 2);
    assert.match(output, /^wrong_call\.ts\(5,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./m);
  });

  test("deno check agrees: the scripts check, the wrong call is TS2322", () => {
    const check = (...files: string[]): { status: number; output: string } => run(DENO, ["check", "--no-remote", ...files]);
    const scripts = check("serve_users.ts", "serve_website.ts", "client.ts");
    assert.equal(scripts.status, 0, scripts.output);
    const wrong = check("wrong_call.ts");
    assert.equal(wrong.status, 1);
    assert.match(wrong.output, /TS2322 \[ERROR\]: Type 'string' is not assignable to type 'number'\.[^]*wrong_call\.ts:5:\d+/);
  });

  const commands: Record<RuntimeName, (script: string) => [string, string[]]> = {
    node: (script) => [process.execPath, [script.replace(/\.ts$/, ".js")]],
    deno: (script) => [DENO, ["run", "-A", "--no-remote", script]],
    bun: (script) => [BUN, ["run", script]],
  };

  for (const runtime of ["node", "deno", "bun"] as const) {
    test(`runs on ${runtime}: both services and the calling script`, async () => {
      if (runtime === "node") assert.equal(tsc("tsconfig.build.json").output, "");
      const [usersPort, websitePort] = [await freePort(), await freePort()];
      const env = childEnv({
        USERS_URL: `http://${HOST}:${usersPort}/api`,
        WEBSITE_URL: `http://${HOST}:${websitePort}/api`,
        USERS_TOKEN: TOKEN,
      });
      const start = (script: string, port: number): RunningProcess => {
        const [command, args] = commands[runtime](script);
        return startProcess(command, args, { ...env, PORT: String(port) }, project);
      };
      const servers = [start("serve_users.ts", usersPort), start("serve_website.ts", websitePort)];
      try {
        await servers[0]!.waitForLine(/^users serving at http:\/\/127\.0\.0\.1:\d+\/api$/);
        await servers[1]!.waitForLine(/^website serving at http:\/\/127\.0\.0\.1:\d+\/api$/);
        const script = start("client.ts", 0);
        const [line] = await script.waitForLine(/^\{.*\}$/);
        assert.equal(await script.exited, 0, script.output());
        assert.deepEqual(JSON.parse(line), {
          hello: "hello ann",
          created: { id: 1, name: "ann", age: 30 },
          denied: -32001,
          badAge: -32602,
          signedUp: { id: 1, name: "bob", age: 41 },
          title: "The fresh website",
          index: INDEX,
        });
        // Nothing was logged as unexpected: the errors above were the callers'.
        for (const server of servers) assert.doesNotMatch(server.output(), /error/i, server.output());
      } finally {
        await stopAll();
      }
    });
  }
});
