// `tsmicroservice new NAME`, then what a user does next, offline: the project is installed with
// this repository packed by `npm pack` (which builds dist/), its own test passes, its server starts
// and answers the installed `tsmicroservice` bin (plain Node.js, no tsx: the dist/ JavaScript and
// its shebang), and the bin serves the project's TypeScript module through the project's tsx.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, runCli } from "./cli_run.ts";
import { seedLockfile } from "./runtime/packed.ts";
import { childEnv, freePort, HOST } from "./runtime/processes.ts";

const folder = mkdtempSync(join(tmpdir(), "tsmicroservice-new-"));
const project = join(folder, "demo.service");
const bin = join(project, "node_modules", ".bin", "tsmicroservice");
const npmEnv = childEnv({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" });
// The project's own `node --test` must report as a test run of its own, not to this one.
delete npmEnv.NODE_TEST_CONTEXT;
const quiet = { encoding: "utf8" as const, stdio: "pipe" as const, timeout: 240_000, env: npmEnv };
const children = new Set<ChildProcess>();
let tarball = "";

after(() => {
  for (const child of children) killGroup(child);
  rmSync(folder, { recursive: true, force: true });
});

before(() => {
  execFileSync("npm", ["pack", "--pack-destination", folder, ROOT], { ...quiet, cwd: ROOT });
  tarball = readdirSync(folder).find((name) => name.endsWith(".tgz")) ?? "";
  assert.ok(tarball, "npm pack made a tarball");
});

/** Starts a long-running program in its own process group and waits for its "serving at" line. */
async function startServer(command: string, args: readonly string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(command, args, { cwd: project, env: childEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(" ")} did not start:\n${output}`)), 30_000);
    const read = (chunk: string): void => {
      output += chunk;
      const match = /serving at (http:\/\/\S+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.setEncoding("utf8").on("data", read);
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before serving:\n${output}`));
    });
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => {
    resolve(code);
  }));
  process.kill(-child.pid!, "SIGTERM");
  const code = await exited;
  killGroup(child);
  children.delete(child);
  return code;
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // Gone already.
  }
}

describe("tsmicroservice new", () => {
  test("makes the project folder, refuses an existing one and a bad name", async () => {
    const made = await runCli(["new", "demo.service"], { cwd: folder });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^made .*demo\.service\n/);
    for (const file of ["package.json", "tsconfig.json", "src/service.ts", "src/server.ts", "test/service.test.ts", "README.md", ".gitignore"]) {
      assert.ok(existsSync(join(project, file)), file);
    }
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.deepEqual(manifest.dependencies, { tsmicroservice: `^${version}` });
    assert.match(readFileSync(join(project, "README.md"), "utf8"), /tsmicroservice describe http:\/\/127\.0\.0\.1:5000\/api\n.*tsmicroservice call http:\/\/127\.0\.0\.1:5000\/api say_hello world/s);
    const again = await runCli(["new", "demo.service"], { cwd: folder });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^tsmicroservice: cannot make demo\.service: .*EEXIST/);
    assert.equal((await runCli(["new", "Demo Service"], { cwd: folder })).code, 64);
    assert.equal((await runCli(["new"], { cwd: folder })).code, 64);
    assert.equal((await runCli(["new", "a", "b"], { cwd: folder })).code, 64);
  });

  test("installs offline from the packed tarball, and its own test passes", () => {
    seedLockfile(project);
    execFileSync("npm", ["install", "--offline", `../${tarball}`], { ...quiet, cwd: project });
    const output = execFileSync("npm", ["test"], { ...quiet, cwd: project });
    // The type checker first, then the tests.
    assert.match(output, /> tsc\n[^]*pass 2\n.*fail 0\n/);
  });

  test("its npm test type-checks first: a type error fails it before any test runs", () => {
    const service = join(project, "src/service.ts");
    const text = readFileSync(service, "utf8");
    writeFileSync(service, `${text}export const wrong: number = "not a number";\n`);
    try {
      const failed = spawnSync("npm", ["test"], { ...quiet, cwd: project });
      assert.notEqual(failed.status, 0);
      assert.match(failed.stdout, /src\/service\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./);
      assert.doesNotMatch(failed.stdout, /# pass/);
    } finally {
      writeFileSync(service, text);
    }
  });

  test("the packed bin is an executable node script", () => {
    const listing = execFileSync("tar", ["-tvzf", join(folder, tarball), "package/dist/src/cli/main.js"], quiet);
    assert.match(listing, /^-rwx/);
    assert.match(readFileSync(join(project, "node_modules/tsmicroservice/dist/src/cli/main.js"), "utf8"), /^#!\/usr\/bin\/env node\n/);
  });

  test("npm start serves it; the installed bin describes and calls it", async () => {
    const port = await freePort();
    const { child, url } = await startServer("npm", ["start"], { PORT: String(port), HOST, API_TOKEN: "secret-token" });
    assert.equal(url, `http://${HOST}:${port}/api`);
    const options = { command: [bin] as [string], cwd: project };
    assert.deepEqual(await runCli(["call", url, "say_hello", "world"], options), { code: 0, stdout: '"hello world"\n', stderr: "" });
    assert.equal((await runCli(["call", url, "say_private_hello", "world"], options)).code, 1);
    assert.equal((await runCli(["call", url, "say_private_hello", "world", "--token", "secret-token"], options)).stdout, '"this is secret: hello world"\n');
    const described = await runCli(["describe", url], options);
    assert.match(described.stdout, /^demo\.service 0\.1\.0 \(2 methods, from rpc\.discover\)/);
    assert.match(described.stdout, /say_private_hello +name: any +any +private +no +Greets callers that have the API token\./);
    await stopServer(child); // npm itself ends by the signal; the service's own graceful stop is tested below
  });

  test("the installed bin serves the project's TypeScript module (through the project's tsx)", async () => {
    const port = await freePort();
    const { child, url } = await startServer(bin, ["serve", "src/service.ts", "--host", HOST, "--port", String(port)], { API_TOKEN: "t" });
    assert.equal(url, `http://${HOST}:${port}/api`);
    assert.equal((await runCli(["call", url, "say_private_hello", "x", "--token", "t"], { command: [bin], cwd: project })).stdout, '"this is secret: hello x"\n');
    assert.equal(await stopServer(child), 0);
  });
});
