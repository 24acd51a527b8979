/**
 * The files of a project made by `tsmicroservice new NAME`: a package depending on this one, a
 * service with a public and a private method, a server, a test, a TypeScript configuration that
 * type-checks it all (`npm test` runs the checker first) and a README.
 *
 * @module
 */

import { PROJECT_DEV_DEPENDENCIES, VERSION } from "./version.ts";

/**
 * Whether a name can name a new project: an npm package name without a scope (lowercase letters,
 * digits, `-`, `.` and `_`, starting with a letter or digit, at most 214 characters).
 *
 * @param name The name.
 * @returns `true` when it can.
 * @example
 * ```ts
 * import { isProjectName } from "./project_template.ts";
 * isProjectName("orders-service"); // true
 * isProjectName("Orders Service"); // false
 * ```
 */
export function isProjectName(name: string): boolean {
  return name.length <= 214 && /^[a-z0-9][a-z0-9._-]*$/.test(name);
}

/**
 * The files of a new project, by path (relative to the project's folder).
 *
 * @param name The project's name: its folder, its package name and its service's name.
 * @returns Each file's path and text.
 * @example
 * ```ts
 * import { projectFiles } from "./project_template.ts";
 * const files = projectFiles("orders");
 * [...files.keys()]; // ["package.json", "tsconfig.json", "src/service.ts", "src/server.ts", "test/service.test.ts", "README.md", ".gitignore"]
 * ```
 */
export function projectFiles(name: string): ReadonlyMap<string, string> {
  const packageJson = {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      start: "tsx src/server.ts",
      typecheck: "tsc",
      test: "npm run typecheck && node --import tsx --test test/*.test.ts",
    },
    dependencies: { tsmicroservice: `^${VERSION}` },
    devDependencies: PROJECT_DEV_DEPENDENCIES,
    // npm 12 runs a dependency's install script only when allowScripts approves it (npm 11 warns).
    // The one here is esbuild's (through tsx): it only swaps esbuild's Node.js launcher for its
    // binary, and tsx finds the binary without it; denied, the install is quiet and passes
    // `--strict-allow-scripts`.
    allowScripts: { esbuild: false },
  };
  return new Map([
    ["package.json", `${JSON.stringify(packageJson, null, 2)}\n`],
    ["tsconfig.json", `${JSON.stringify(TSCONFIG, null, 2)}\n`],
    ["src/service.ts", serviceModule(name)],
    ["src/server.ts", SERVER_MODULE],
    ["test/service.test.ts", TEST_MODULE],
    ["README.md", readme(name)],
    [".gitignore", "node_modules/\n"],
  ]);
}

// `tsc` checks the sources as tsx and Node.js run them: ES modules resolved the Node.js way,
// relative imports with their `.ts` extension (which tsc allows only when it emits nothing), and
// Node's own modules typed by @types/node.
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: true,
    types: ["node"],
  },
  include: ["src", "test"],
};

function serviceModule(name: string): string {
  return `// The ${name} service: its methods, and who may call the private ones.
import process from "node:process";
import { Service, timingSafeEqual } from "tsmicroservice";

// Private methods need this token (set API_TOKEN where the service runs); none works without it.
const apiToken = process.env["API_TOKEN"] ?? "";

export const service = new Service({
  name: ${JSON.stringify(name)},
  version: "0.1.0",
  apiTokenIsValid: (token) => apiToken !== "" && timingSafeEqual(token, apiToken),
})
  .publicMethod("say_hello", (name: string) => \`hello \${name}\`, {
    description: "Greets anyone.",
  })
  .privateMethod("say_private_hello", (name: string) => \`this is secret: hello \${name}\`, {
    description: "Greets callers that have the API token.",
  });

// \`tsmicroservice serve src/service.ts\` serves the default export.
export default service;
`;
}

const SERVER_MODULE = `// Starts the service: HOST and PORT from the environment (default 127.0.0.1:5000).
import process from "node:process";
import { serve } from "tsmicroservice";
import { service } from "./service.ts";

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  signals: true, // Ctrl-C and SIGTERM let calls in flight finish, then stop
});
console.log(\`\${service.name} serving at \${server.url}\${service.path}\`);
`;

const TEST_MODULE = `import assert from "node:assert/strict";
import process from "node:process";
import { after, test } from "node:test";
import { createClient, RpcError, serve } from "tsmicroservice";

process.env["API_TOKEN"] = "test-token";
const { service } = await import("../src/service.ts");
const server = await serve(service, { port: 0 });
after(() => server.close());
const url = \`\${server.url}\${service.path}\`;

test("say_hello greets anyone", async () => {
  assert.equal(await createClient(url).call("say_hello", ["world"]), "hello world");
  assert.equal(await createClient(url).call("say_hello", { name: "ann" }), "hello ann");
});

test("say_private_hello needs the API token", async () => {
  await assert.rejects(createClient(url).call("say_private_hello", ["world"]), RpcError);
  const trusted = createClient(url, { token: "test-token" });
  assert.equal(await trusted.call("say_private_hello", ["world"]), "this is secret: hello world");
});
`;

function readme(name: string): string {
  return `# ${name}

A JSON-RPC 2.0 microservice made with [tsmicroservice](https://www.npmjs.com/package/tsmicroservice).

\`\`\`sh
npm install
API_TOKEN=choose-a-secret npm start   # serving at http://127.0.0.1:5000/api (PORT, HOST to change)
npm test
\`\`\`

While it runs, from another terminal:

\`\`\`sh
npx tsmicroservice describe http://127.0.0.1:5000/api
npx tsmicroservice call http://127.0.0.1:5000/api say_hello world
npx tsmicroservice call http://127.0.0.1:5000/api say_private_hello world --token choose-a-secret
\`\`\`

The methods are in \`src/service.ts\`; \`src/server.ts\` starts the service.
`;
}
