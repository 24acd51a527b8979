/**
 * `npm run test:mutation -- <file-or-folder>... [--tests <test file>...] [--timeout <s>] [--line <n>...] [--list]`:
 * mutation testing with no dependency beyond the `typescript` and `tsx` already here.
 *
 * For each source file it finds the mutation points (test/mutation/mutants.ts), then, one mutant at
 * a time: type-checks it with the project's settings (a mutant that does not compile is counted
 * apart: a compile error is not a test that noticed), writes it into the file in place (the
 * original is kept in a backup outside the tree and written back after every mutant, at exit, on
 * Ctrl-C and on a crash; `--restore` puts back what a killed run left), and runs the chosen tests
 * through tsx, which does not type-check: one test file after another, the folder's own suite
 * first, until one fails, within a time limit. A mutant is killed when a test file fails, survives
 * when all pass, and times out when they run past the limit. The report gives the counts and the
 * score per file, then every survivor with file:line and the change.
 *
 * The tests run for a file are those {@linkcode TESTS_FOR} names for it, else the test/*.test.ts
 * files that import it or a file of its folder; `--tests` replaces them. Mutants known to be
 * equivalent (no test can tell them apart) are listed in test/mutation/equivalent.ts with why, and
 * skipped. See docs/mutation.md.
 *
 * @module
 */

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";
import ts from "typescript";
import { EQUIVALENT } from "./equivalent.ts";
import { applyMutant, describeMutant, findMutants, type Mutant } from "./mutants.ts";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

/**
 * The tests of each folder or file, by path prefix from the root (the longest prefix wins): the
 * suites written for it, so one mutant costs a second or two. Files under no prefix get the
 * test/*.test.ts files that import them or a file of their folder.
 */
const TESTS_FOR: Readonly<Record<string, readonly string[]>> = {
  "src/protocol/": ["test/protocol.test.ts", "test/specification.test.ts", "test/dispatch.test.ts", "test/http.test.ts", "test/limits.test.ts", "test/service.test.ts"],
  "src/plugins/cors.ts": ["test/cors.test.ts"],
  "src/plugins/health.ts": ["test/health.test.ts"],
  "src/plugins/routes/": ["test/routes.test.ts", "test/normal_path.test.ts"],
  "src/plugins/static/": ["test/static_files.test.ts"],
  "src/plugins/pymicroservice.ts": ["test/introspection.test.ts", "test/pymicroservice.test.ts"],
  "src/plugins/schemas/": ["test/validation.test.ts", "test/schemas.test.ts"],
  "src/plugins/explorer/": ["test/explorer.test.ts"],
  "src/plugins/call_log.ts": ["test/logging.test.ts", "test/call_log_json.test.ts"],
  "src/plugins/error_reporter.ts": ["test/error_reporter.test.ts"],
  "src/tracing/": ["test/trace_context.test.ts", "test/opentelemetry.test.ts"],
  "src/client/": ["test/client.test.ts", "test/client_batch.test.ts", "test/client_errors.test.ts", "test/client_peer.test.ts", "test/client_with.test.ts", "test/client_wire.test.ts", "test/cluster.test.ts"],
  "src/client/batch.ts": ["test/client_batch.test.ts", "test/client_peer.test.ts"],
  "src/client/client.ts": ["test/client_wire.test.ts", "test/client.test.ts", "test/client_errors.test.ts", "test/client_peer.test.ts"],
  "src/client/errors.ts": ["test/client_errors.test.ts", "test/gateway_errors.test.ts"],
  "src/client/proxy.ts": ["test/client.test.ts", "test/client_with.test.ts"],
  "src/client/transport.ts": ["test/client_wire.test.ts", "test/client_errors.test.ts", "test/client.test.ts", "test/gateway_errors.test.ts"],
  "src/client/cluster/": ["test/cluster.test.ts"],
  "src/client/cluster/endpoints.ts": ["test/cluster.test.ts", "test/dns.test.ts"],
  "src/events/": ["test/events.test.ts"],
  "src/nats/": ["test/nats.test.ts"],
  "src/etcd/": ["test/etcd.test.ts"],
  "src/etcd/gateway.ts": ["test/etcd_gateway.test.ts"],
  "src/dns/": ["test/dns.test.ts"],
  "src/plugins/tasks/": ["test/lifecycle.test.ts", "test/class_style.test.ts"],
  "src/cli/": ["test/cli_units.test.ts", "test/cli_more.test.ts"],
  "src/core/dispatch.ts": ["test/dispatch.test.ts", "test/fast_path.test.ts", "test/trace_context.test.ts", "test/deadline.test.ts", "test/limits.test.ts", "test/validation.test.ts", "test/gateway_errors.test.ts"],
  "src/plugins/when_ended.ts": ["test/trace_context.test.ts", "test/logging.test.ts", "test/fast_path.test.ts"],
  "src/plugins/trace_context.ts": ["test/trace_context.test.ts", "test/call_log_json.test.ts"],
  "src/plugins/opentelemetry/": ["test/opentelemetry.test.ts"],
  "src/plugins/metrics/": ["test/metrics.test.ts"],
  "src/core/as_error.ts": ["test/as_error.test.ts", "test/dispatch.test.ts"],
  "src/core/concurrency.ts": ["test/limits.test.ts", "test/dispatch.test.ts"],
  "src/core/limits.ts": ["test/limits.test.ts", "test/service.test.ts"],
  "src/core/timing_safe_equal.ts": ["test/limits.test.ts", "test/metrics.test.ts"],
  "src/core/param_source.ts": ["test/param_source.test.ts"],
  "src/core/params.ts": ["test/params.test.ts", "test/dispatch.test.ts"],
  "src/core/lifecycle.ts": ["test/lifecycle.test.ts"],
  "src/core/introspection.ts": ["test/introspection.test.ts"],
  "src/core/method.ts": ["test/service.test.ts", "test/params.test.ts", "test/introspection.test.ts"],
  "src/core/class_service.ts": ["test/class_style.test.ts"],
  "src/core/service.ts": ["test/service.test.ts", "test/dispatch.test.ts", "test/http.test.ts"],
  "src/core/context.ts": ["test/dispatch.test.ts", "test/deadline.test.ts"],
  "src/core/standard_schema.ts": ["test/schemas.test.ts", "test/validation.test.ts"],
};

/** Type-check diagnostics that only say a name went unused: the mutant still runs, so the tests judge it. */
const UNUSED = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);

type Outcome = "killed" | "survived" | "timed out" | "compile error" | "equivalent";

interface Options {
  readonly targets: readonly string[];
  readonly tests: readonly string[] | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly list: boolean;
  readonly restore: boolean;
  /** Only the mutants on these lines (to check again the survivors of one file). */
  readonly lines: readonly number[] | undefined;
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run test:mutation -- <file-or-folder>... [--tests <test file>...] [--timeout <seconds>] [--line <n>...] [--list] [--restore]`);
  process.exit(2);
}

function parseArgs(args: readonly string[]): Options {
  const targets: string[] = [];
  let tests: string[] | undefined;
  let timeoutSeconds: number | undefined;
  let list = false;
  let restore = false;
  let lines: number[] | undefined;
  let into = targets;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--tests") tests = into = [];
    else if (arg === "--timeout") {
      timeoutSeconds = Number(args[++index]);
      if (!(timeoutSeconds > 0)) usage(`--timeout needs a number of seconds, got ${String(args[index])}`);
    } else if (arg === "--line") {
      for (const part of String(args[++index]).split(",")) {
        const line = Number(part);
        if (!Number.isInteger(line) || line < 1) usage(`--line needs line numbers, got ${String(args[index])}`);
        (lines ??= []).push(line);
      }
    } else if (arg === "--list") list = true;
    else if (arg === "--restore") restore = true;
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else into.push(...arg.split(",").filter((part) => part !== ""));
  }
  if (targets.length === 0 && !restore) usage("name a source file or folder to mutate");
  if (tests?.length === 0) usage("--tests needs at least one test file");
  return { targets, tests, timeoutSeconds, list, restore, lines };
}

function sourceFiles(target: string): string[] {
  const path = resolve(target);
  if (!existsSync(path)) usage(`no such file or folder: ${target}`);
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts"))
    .map((name) => join(path, name))
    .sort();
}

// ---- backups: the original of the file being mutated, outside the tree ----

const BACKUPS = join(tmpdir(), "tsmicroservice-mutation");
const backupOf = (file: string): string => join(BACKUPS, `${createHash("sha256").update(file).digest("hex").slice(0, 16)}.json`);

function restoreAll(): string[] {
  if (!existsSync(BACKUPS)) return [];
  const restored: string[] = [];
  for (const name of readdirSync(BACKUPS)) {
    const backup = join(BACKUPS, name);
    const { path, text } = JSON.parse(readFileSync(backup, "utf8")) as { path: string; text: string };
    if (!path.startsWith(`${ROOT}/`)) continue; // another checkout's
    writeFileSync(path, text);
    rmSync(backup);
    restored.push(relative(ROOT, path));
  }
  return restored;
}

let current: { readonly file: string; readonly text: string } | undefined;
let child: ReturnType<typeof spawn> | undefined;

function putBack(): void {
  if (current === undefined) return;
  writeFileSync(current.file, current.text);
  rmSync(backupOf(current.file), { force: true });
  current = undefined;
}

function stopChild(): void {
  if (child?.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    stopChild();
    putBack();
    console.error(`\n${signal}: stopped; the source file is restored.`);
    process.exit(130);
  });
}
process.on("exit", () => {
  stopChild();
  putBack();
});
process.on("uncaughtException", (error) => {
  stopChild();
  putBack();
  console.error(error);
  process.exit(1);
});

function refuseIfDirty(files: readonly string[]): void {
  for (const file of files) {
    if (existsSync(backupOf(file))) {
      usage(`${relative(ROOT, file)} has a backup from an interrupted run (${backupOf(file)}): run with --restore first`);
    }
  }
  let dirty: string;
  try {
    dirty = execFileSync("git", ["status", "--porcelain", "--", ...files], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return; // not a git checkout: nothing to compare with
  }
  if (dirty.trim() !== "") usage(`refusing to mutate files with uncommitted changes (commit or stash them first):\n${dirty}`);
}

// ---- type checking, in process, one file at a time ----

function languageService(): { service: ts.LanguageService; setText: (file: string, text: string | undefined) => void } {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error("cannot read tsconfig.json");
  const overrides = new Map<string, string>();
  const versions = new Map<string, number>();
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => config.options,
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: (file) => String(versions.get(file) ?? 0),
    getScriptSnapshot: (file) => {
      const text = overrides.get(file) ?? ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: (file) => overrides.has(file) || ts.sys.fileExists(file),
    readFile: (file) => overrides.get(file) ?? ts.sys.readFile(file),
    readDirectory: (...args) => ts.sys.readDirectory(...args),
    directoryExists: (path) => ts.sys.directoryExists(path),
    getDirectories: (path) => ts.sys.getDirectories(path),
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return {
    service,
    setText: (file, text) => {
      if (text === undefined) overrides.delete(file);
      else overrides.set(file, text);
      versions.set(file, (versions.get(file) ?? 0) + 1);
    },
  };
}

function compileError(service: ts.LanguageService, file: string): string | undefined {
  const diagnostics = [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].filter((diagnostic) => !UNUSED.has(diagnostic.code));
  const first = diagnostics[0];
  return first === undefined ? undefined : `TS${first.code}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`;
}

// ---- which tests ----

function importsOf(testFile: string): string[] {
  const text = readFileSync(testFile, "utf8");
  return [...text.matchAll(/from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g)].map((match) => resolve(dirname(testFile), match[1] ?? match[2] ?? ""));
}

function testsFor(file: string): string[] {
  const path = relative(ROOT, file);
  const prefix = Object.keys(TESTS_FOR).filter((key) => path.startsWith(key)).sort((a, b) => b.length - a.length)[0];
  if (prefix !== undefined) return (TESTS_FOR[prefix] ?? []).map((test) => join(ROOT, test)).filter((test) => existsSync(test));
  const testDir = join(ROOT, "test");
  const folder = dirname(file);
  const broad = folder === join(ROOT, "src") || folder === join(ROOT, "src/plugins");
  return readdirSync(testDir)
    .filter((name) => name.endsWith(".test.ts"))
    .map((name) => join(testDir, name))
    .filter((test) => {
      const imports = importsOf(test);
      return imports.includes(file) || (!broad && imports.some((imported) => dirname(imported) === folder));
    })
    .sort();
}

// ---- running the tests ----

interface Run {
  readonly passed: boolean;
  readonly timedOut: boolean;
  readonly seconds: number;
  readonly output: string;
}

function runFile(test: string, timeoutSeconds: number): Promise<Run> {
  const started = performance.now();
  return new Promise((done) => {
    const run = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter", "dot", test], {
      cwd: ROOT,
      detached: true, // its own process group, so a timeout stops the test file's processes too
      // NO_COLOR only: Deno (test/runtime's children) reads any FORCE_COLOR, even "0", as "force".
      env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = run;
    let output = "";
    run.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    run.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopChild();
    }, Math.max(1, timeoutSeconds) * 1000);
    run.on("close", (code) => {
      clearTimeout(timer);
      child = undefined;
      done({ passed: code === 0 && !timedOut, timedOut, seconds: (performance.now() - started) / 1000, output });
    });
  });
}

/** Runs the test files one after another, in the given order, and stops at the first that fails. */
async function runTests(tests: readonly string[], timeoutSeconds: number): Promise<Run> {
  let seconds = 0;
  let output = "";
  for (const test of tests) {
    const run = await runFile(test, timeoutSeconds - seconds);
    seconds += run.seconds;
    output += run.output;
    if (!run.passed) return { ...run, seconds, output };
  }
  return { passed: true, timedOut: false, seconds, output };
}

// ---- the run ----

interface Result {
  readonly mutant: Mutant;
  readonly outcome: Outcome;
  readonly detail?: string;
}

function isEquivalent(file: string, mutant: Mutant, all: readonly Mutant[], lines: readonly string[]): string | undefined {
  const path = relative(ROOT, file);
  const code = lines[mutant.line - 1]?.trim();
  const same = (other: Mutant): boolean => other.line === mutant.line && other.original === mutant.original && other.replacement === mutant.replacement;
  const nth = all.filter((other) => same(other) && other.start <= mutant.start).length;
  return EQUIVALENT.find((known) =>
    known.file === path && known.original === mutant.original && known.replacement === mutant.replacement &&
    (known.line === undefined || known.line === mutant.line) && (known.code === undefined || known.code === code) &&
    (known.nth === undefined || known.nth === nth)
  )?.why;
}

const percent = (part: number, whole: number): string => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`);

function summary(results: readonly Result[]): string {
  const count = (outcome: Outcome): number => results.filter((result) => result.outcome === outcome).length;
  const killed = count("killed");
  const timedOut = count("timed out");
  const survived = count("survived");
  const judged = killed + timedOut + survived;
  return `${results.length} mutants: ${killed} killed, ${survived} survived, ${timedOut} timed out, ${count("compile error")} compile errors, ${count("equivalent")} equivalent; score ${percent(killed + timedOut, judged)}`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.restore) {
    const restored = restoreAll();
    console.log(restored.length === 0 ? "no backups to restore" : `restored: ${restored.join(", ")}`);
    if (options.targets.length === 0) return;
  }
  const files = [...new Set(options.targets.flatMap(sourceFiles))];
  if (files.length === 0) usage(`no .ts source files in ${options.targets.join(", ")}`);
  refuseIfDirty(files);

  const { service, setText } = languageService();
  const program = service.getProgram();
  if (program === undefined) throw new Error("no TypeScript program");
  const checker = program.getTypeChecker();
  const plan = files.map((file) => {
    const source = program.getSourceFile(file);
    if (source === undefined) usage(`${relative(ROOT, file)} is not part of tsconfig.json's program`);
    const tests = options.tests?.map((test) => resolve(test)) ?? testsFor(file);
    const mutants = findMutants(file, source, checker).filter((mutant) => options.lines?.includes(mutant.line) ?? true);
    return { file, mutants, tests };
  });
  for (const { file, mutants, tests } of plan) {
    console.log(`${relative(ROOT, file)}: ${mutants.length} mutants; tests: ${tests.map((test) => relative(ROOT, test)).join(" ") || "(none)"}`);
    if (options.list) for (const mutant of mutants) console.log(`  ${mutant.line}: ${describeMutant(mutant)}`);
  }
  if (options.list) return;

  const all: Result[] = [];
  const perFile: [string, Result[]][] = [];
  for (const { file, mutants, tests } of plan) {
    const path = relative(ROOT, file);
    const results: Result[] = [];
    perFile.push([path, results]);
    if (mutants.length === 0) continue;
    if (tests.length === 0) {
      console.log(`\n${path}: no test imports it; name them with --tests`);
      continue;
    }
    const baseline = await runTests(tests, 600);
    if (!baseline.passed) {
      console.error(`\n${path}: the tests fail without any mutant; fix them first:\n${baseline.output.slice(-3000)}`);
      process.exitCode = 1;
      return;
    }
    const timeoutSeconds = options.timeoutSeconds ?? Math.max(15, Math.ceil(baseline.seconds * 4));
    console.log(`\n${path}: ${mutants.length} mutants, tests take ${baseline.seconds.toFixed(1)} s, limit ${timeoutSeconds} s per mutant`);
    const text = readFileSync(file, "utf8");
    mkdirSync(BACKUPS, { recursive: true });
    writeFileSync(backupOf(file), JSON.stringify({ path: file, text }));
    current = { file, text };
    const lines = text.split("\n");
    try {
      for (const mutant of mutants) {
        const why = isEquivalent(file, mutant, mutants, lines);
        let result: Result;
        if (why !== undefined) result = { mutant, outcome: "equivalent", detail: why };
        else {
          const mutated = applyMutant(text, mutant);
          setText(file, mutated);
          const error = compileError(service, file);
          if (error !== undefined) result = { mutant, outcome: "compile error", detail: error };
          else {
            writeFileSync(file, mutated);
            const run = await runTests(tests, timeoutSeconds);
            writeFileSync(file, text);
            result = { mutant, outcome: run.timedOut ? "timed out" : run.passed ? "survived" : "killed" };
          }
        }
        results.push(result);
        all.push(result);
        process.stdout.write({ killed: ".", survived: "S", "timed out": "T", "compile error": "c", equivalent: "=" }[result.outcome]);
      }
    } finally {
      setText(file, undefined);
      putBack();
    }
    console.log(`\n${path}: ${summary(results)}`);
  }

  console.log("\n| file | mutants | killed | survived | timed out | compile errors | equivalent | score |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [path, results] of perFile) {
    const count = (outcome: Outcome): number => results.filter((result) => result.outcome === outcome).length;
    const detected = count("killed") + count("timed out");
    console.log(`| ${path} | ${results.length} | ${count("killed")} | ${count("survived")} | ${count("timed out")} | ${count("compile error")} | ${count("equivalent")} | ${percent(detected, detected + count("survived"))} |`);
  }
  console.log(`\nIn all: ${summary(all)}`);
  const survivors = all.filter((result) => result.outcome === "survived");
  if (survivors.length > 0) {
    console.log("\nSurvivors (no test noticed these changes):");
    for (const { mutant } of survivors) console.log(`  ${relative(ROOT, mutant.file)}:${mutant.line}  ${describeMutant(mutant)}`);
  }
}

await main();
