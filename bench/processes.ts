/**
 * Starting and watching the benchmark servers: each runs as its own process on loopback, pinned to
 * CPU 0 when `taskset` is there (the load generator then runs on CPU 1), and is killed afterwards.
 *
 * @module
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { compiledFile } from "./compiled.ts";

/** The repository's root folder, with a trailing slash. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** Whether `taskset` can pin processes (it pins this one to CPU 1 as it checks). */
export const hasTaskset: boolean = (() => {
  try {
    execFileSync("taskset", ["-cp", "1", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The runtimes a server can run on. */
export type Runtime = "node" | "deno" | "bun";

/**
 * The command that runs a TypeScript file on a runtime.
 *
 * @param runtime The runtime.
 * @param file The file, relative to the root (or an absolute path).
 * @param exposeGc Whether the program may force a garbage collection (`globalThis.gc`).
 * @returns The program and its arguments.
 */
export function command(runtime: Runtime, file: string, exposeGc = false): string[] {
  const path = file.startsWith("/") ? file : `${ROOT}${file}`;
  if (runtime === "deno") return [`${ROOT}node_modules/.bin/deno`, "run", "-A", ...(exposeGc ? ["--v8-flags=--expose-gc"] : []), path];
  if (runtime === "bun") return [`${ROOT}node_modules/.bin/bun`, path];
  // What npm users run: the compiled JavaScript (see compiled.ts); a file from elsewhere runs under tsx.
  const compiled = /^(mod\.ts$|src\/|bench\/)/.test(path.slice(ROOT.length)) && path.startsWith(ROOT);
  if (compiled) return [process.execPath, ...(exposeGc ? ["--expose-gc"] : []), compiledFile(path)];
  return [process.execPath, ...(exposeGc ? ["--expose-gc"] : []), "--import", "tsx", path];
}

/**
 * A free port on 127.0.0.1.
 *
 * @returns The port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A server process that listens. */
export interface Running {
  /** The process. */
  readonly child: ChildProcess;
  /** Its port on 127.0.0.1. */
  readonly port: number;
}

/**
 * Starts a server file on a runtime (pinned to CPU 0 when possible) and waits for it to print
 * "listening".
 *
 * @param runtime The runtime.
 * @param file The server file, relative to the root; it reads its port from `$PORT`.
 * @param exposeGc Whether the server may force a garbage collection.
 * @returns The running server.
 */
export async function start(runtime: Runtime, file: string, exposeGc = false): Promise<Running> {
  const port = await freePort();
  const [program, ...args] = command(runtime, file, exposeGc) as [string, ...string[]];
  const env = { ...process.env, PORT: String(port), DENO_NO_UPDATE_CHECK: "1" };
  const child = hasTaskset ? spawn("taskset", ["-c", "0", program, ...args], { cwd: ROOT, env }) : spawn(program, args, { cwd: ROOT, env });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} ${file} did not start`)), 30_000);
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    child.on("exit", (code) => reject(new Error(`${runtime} ${file} exited with ${String(code)}`)));
  });
  return { child, port };
}

/**
 * Kills a server and waits for it to exit.
 *
 * @param server The server.
 * @returns Once it has exited.
 */
export function stop(server: Running): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      resolve();
      return;
    }
    server.child.once("exit", () => resolve());
    server.child.kill("SIGKILL");
  });
}

/** Clock ticks per second, the unit of the CPU times in `/proc/<pid>/stat`. */
const CLOCK_TICKS: number = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The CPU time a process has used so far, user and system, in µs (Linux `/proc`; `NaN` elsewhere).
 * Unlike requests per second, CPU time per request hardly depends on what else the machine does.
 *
 * @param pid The process id.
 * @returns Its CPU time.
 */
export function cpuMicros(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  // The fields after the command name (which may hold spaces, so split after its closing bracket):
  // utime and stime are fields 14 and 15 of the whole line.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/**
 * The resident memory of a process, in MiB (Linux `/proc`; `NaN` elsewhere).
 *
 * @param pid The process id.
 * @returns Its resident set size.
 */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * The median of some numbers.
 *
 * @param values The numbers (at least one).
 * @returns Their median.
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The two bodies every benchmark sends: one call, and a batch of ten. */
export const BODIES = {
  single: '{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":1}',
  batch: `[${Array.from({ length: 10 }, (_, i) => `{"jsonrpc":"2.0","method":"say_hello","params":["world"],"id":${i}}`).join(",")}]`,
} as const;
