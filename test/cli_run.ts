// Running the `tsmicroservice` command as users do, in a child process: `node --import tsx
// src/cli/main.ts …` (or Deno, Bun, or the installed bin), its output collected, bounded in time.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BUN, childEnv, DENO } from "./runtime/processes.ts";

/** The repository's root folder. */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** tsx's loader (what `--import tsx` resolves to from the repository's root). */
const TSX: string = new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

/** What one run of the command did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run it: the runtime (default Node.js through tsx), the working folder and extra env. */
export interface CliRunOptions {
  readonly runtime?: "node" | "deno" | "bun";
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** A different program and its first arguments, such as an installed bin. */
  readonly command?: readonly [string, ...string[]];
}

/** The program and arguments that run the command's sources on a runtime. */
export function cliCommand(runtime: "node" | "deno" | "bun" = "node"): [string, ...string[]] {
  const main = `${ROOT}src/cli/main.ts`;
  switch (runtime) {
    case "node":
      // tsx by its full URL, so the command can run from any working folder.
      return [process.execPath, "--import", TSX, main];
    case "deno":
      return [DENO, "run", "-A", "--no-remote", main];
    case "bun":
      return [BUN, main];
  }
}

/** Runs the command to its end (killed after 60 s, which fails the test that waits for it). */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const [command, ...first] = options.command ?? cliCommand(options.runtime);
  const child = spawn(command, [...first, ...args], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
