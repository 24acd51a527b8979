/**
 * Starting and stopping real servers on Node.js (through tsx), Deno and Bun for the cross-runtime
 * suites: free ports, the command line of each runtime, waiting for a line of output, and stopping
 * a whole process group so that nothing is left running, even when a test fails.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The runtimes every example runs on. */
export type RuntimeName = "node" | "deno" | "bun";

/**
 * The runtimes the suites run on, in the order they report them: every runtime, or those named in
 * `TSMICROSERVICE_RUNTIMES` (comma-separated). The runs on other Node.js lines
 * (`test/runtime/node_lines.ts`) set it to `node`: Deno and Bun are tested once, by the main run.
 */
export const RUNTIMES: readonly RuntimeName[] = runtimesFrom(process.env["TSMICROSERVICE_RUNTIMES"]);

/**
 * Reads a list of runtimes such as `TSMICROSERVICE_RUNTIMES` holds.
 *
 * @param list Runtime names separated by commas, or `undefined` for all of them.
 * @returns The runtimes, in the order of {@linkcode RuntimeName}'s list (node, deno, bun).
 * @throws {Error} For a name that is not a runtime, or an empty list.
 * @example
 * ```ts
 * import { runtimesFrom } from "./processes.ts";
 * runtimesFrom("bun,node"); // ["node", "bun"]
 * runtimesFrom(undefined); // ["node", "deno", "bun"]
 * ```
 */
export function runtimesFrom(list: string | undefined): RuntimeName[] {
  const all: RuntimeName[] = ["node", "deno", "bun"];
  if (list === undefined) return all;
  const names = list.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(all as string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) throw new Error(`TSMICROSERVICE_RUNTIMES names runtimes among node, deno, bun; got ${JSON.stringify(list)}`);
  return all.filter((runtime) => names.includes(runtime));
}

/** The repository's root folder. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** The `deno` binary installed by the `deno` dev dependency. */
export const DENO: string = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

/** The `bun` binary installed by the `bun` dev dependency. */
export const BUN: string = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));

/** Where every server of these suites listens. */
export const HOST = "127.0.0.1";

/**
 * The pairs of runtimes a fault run starts two instances on: two of the same runtime on each,
 * then a Node.js instance with each other runtime, in both orders (each order makes a different
 * one the survivor).
 *
 * @returns The pairs, of the runtimes in {@linkcode RUNTIMES}.
 * @example
 * ```ts
 * import { runtimePairs } from "./processes.ts";
 * runtimePairs(); // [["node","node"],["deno","deno"],["bun","bun"],["node","deno"],["node","bun"],["deno","node"],["bun","node"]]
 * ```
 */
export function runtimePairs(): [RuntimeName, RuntimeName][] {
  const others = RUNTIMES.filter((runtime) => runtime !== "node" && RUNTIMES.includes("node"));
  return [
    ...RUNTIMES.map((runtime): [RuntimeName, RuntimeName] => [runtime, runtime]),
    ...others.map((runtime): [RuntimeName, RuntimeName] => ["node", runtime]),
    ...others.map((runtime): [RuntimeName, RuntimeName] => [runtime, "node"]),
  ];
}

/**
 * The environment of a child: this one's, plus what keeps Deno and Bun off the network (Deno
 * otherwise looks up its download host to check for a newer release).
 *
 * @param extra Variables to add, such as `PORT`.
 * @returns The environment.
 * @example
 * ```ts
 * import { childEnv } from "./processes.ts";
 * childEnv({ PORT: "5000" }).DENO_NO_UPDATE_CHECK; // "1"
 * ```
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DENO_NO_UPDATE_CHECK: "1", DO_NOT_TRACK: "1", NO_COLOR: "1", ...extra };
}

/** How {@linkcode runCommand} runs a script, beyond what a user would type. */
export interface RunOptions {
  /**
   * Let the script force a full garbage collection with `globalThis.gc()`: `--expose-gc` on
   * Node.js, `--v8-flags=--expose-gc` on Deno; Bun always can, with `Bun.gc(true)`.
   */
  readonly exposeGc?: boolean;
}

/**
 * The command line that runs a script the way a user would: `tsx` on Node.js, `deno run -A` and
 * `bun`.
 *
 * @param runtime The runtime.
 * @param script The script's path, relative to the repository's root.
 * @param options Extra flags, such as {@linkcode RunOptions.exposeGc}.
 * @returns The program and its arguments.
 * @example
 * ```ts
 * import { runCommand } from "./processes.ts";
 * runCommand("deno", "examples/calculator.ts"); // [".../deno", ["run", "-A", "--no-remote", "examples/calculator.ts"]]
 * ```
 */
export function runCommand(runtime: RuntimeName, script: string, options: RunOptions = {}): [string, string[]] {
  const exposeGc = options.exposeGc === true;
  switch (runtime) {
    case "node":
      // What `npx tsx file` does, in one process instead of three.
      return [process.execPath, [...(exposeGc ? ["--expose-gc"] : []), "--import", "tsx", script]];
    case "deno":
      return [DENO, ["run", "-A", "--no-remote", ...(exposeGc ? ["--v8-flags=--expose-gc"] : []), script]];
    case "bun":
      return [BUN, [script]];
  }
}

/**
 * Finds a free TCP port on the loopback address by letting the system pick one.
 *
 * @returns The port, free a moment ago.
 * @example
 * ```ts
 * import { freePort } from "./processes.ts";
 * const port = await freePort();
 * ```
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return address.port;
}

/** A child process started by {@linkcode startProcess}. */
export interface RunningProcess {
  /** A name for messages, such as `"deno examples/calculator.ts"`. */
  readonly name: string;
  /** Its process id, which is also its process group id. */
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves when a line of its stdout matches, with the match; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with its exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;
  /** Stops its whole process group (SIGTERM, then SIGKILL) and waits until it is gone. */
  stop(): Promise<void>;
}

const running = new Set<RunningProcess>();

// Whatever happens to the test process, its children go with it.
process.once("exit", () => {
  for (const child of running) killGroup(child.pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of running) killGroup(child.pid, "SIGKILL");
    process.kill(process.pid, signal);
  });
}

/**
 * Starts a program in a process group of its own, collecting its output.
 *
 * @param command The program.
 * @param args Its arguments.
 * @param env Its environment (see {@linkcode childEnv}).
 * @param cwd Its working folder: the repository's root unless told.
 * @returns The running process.
 * @example
 * ```ts
 * import { childEnv, runCommand, startProcess } from "./processes.ts";
 * const [command, args] = runCommand("bun", "examples/hello_world.ts");
 * const child = startProcess(command, args, childEnv({ PORT: "5000" }));
 * await child.waitForLine(/serving at/);
 * await child.stop();
 * ```
 */
export function startProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string = ROOT): RunningProcess {
  const child: ChildProcess = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  let output = "";
  let stdoutLines: string[] = [];
  let partial = "";
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    stdoutLines = stdoutLines.concat(lines);
    notify();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      // "exit" can come before the last of the output is read: wait for the pipes to close too
      // (briefly: a grandchild that kept them open must not hang the test).
      const done = (): void => {
        clearTimeout(patience);
        resolve(code ?? signal ?? "unknown");
        notify();
      };
      const patience = setTimeout(done, 2_000);
      if (child.stdout === null || child.stdout.readableEnded) done();
      else child.once("close", done);
    });
  });
  let exitStatus: number | string | undefined;
  void exited.then((status) => (exitStatus = status));
  const name = `${command.split("/").pop() ?? command} ${args.join(" ")}`;

  const handle: RunningProcess = {
    name,
    pid,
    output: () => output,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          for (const line of stdoutLines) {
            const match = line.match(pattern);
            if (match !== null) {
              done();
              resolve(match);
              return;
            }
          }
          if (exitStatus !== undefined) {
            done();
            reject(new Error(`${name} exited (${exitStatus}) before printing ${pattern}:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (exitStatus === undefined) {
        killGroup(pid, "SIGTERM");
        const stopped = await within(exited.then(() => true), 5_000, false);
        if (!stopped) killGroup(pid, "SIGKILL");
        await exited;
      }
      // The leader is gone; make sure nothing it started (tsx's esbuild service, say) is left in
      // its group, and wait until the system has taken them away.
      killGroup(pid, "SIGKILL");
      for (let tries = 0; groupIsAlive(pid) && tries < 100; tries++) await delay(20);
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/**
 * Stops every process started by {@linkcode startProcess} that is still running.
 *
 * @returns Once they are all gone.
 * @example
 * ```ts
 * import { after } from "node:test";
 * import { stopAll } from "./processes.ts";
 * after(stopAll);
 * ```
 */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * Tells whether any process of a process group is still alive.
 *
 * @param pid The group's id (the pid of its leader).
 * @returns `true` while some process of the group runs.
 * @example
 * ```ts
 * import { groupIsAlive } from "./processes.ts";
 * groupIsAlive(999_999); // false
 * ```
 */
export function groupIsAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Waits a while.
 *
 * @param ms How long, in milliseconds.
 * @returns After that time.
 * @example
 * ```ts
 * import { delay } from "./processes.ts";
 * await delay(10);
 * ```
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Tries to open a TCP connection, to tell whether anything listens.
 *
 * @param port The port on 127.0.0.1.
 * @returns `"connected"`, or the error code (such as `"ECONNREFUSED"`).
 * @example
 * ```ts
 * import { tryConnect } from "./processes.ts";
 * await tryConnect(1); // "ECONNREFUSED"
 * ```
 */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
  });
}

/**
 * Waits for a promise, but at most `ms`; the timer is cleared either way, so it never keeps the
 * test process alive after the promise settled.
 *
 * @param promise What to wait for.
 * @param ms How long at most, in milliseconds.
 * @param fallback What to give back when time runs out.
 * @returns The promise's value, or the fallback.
 * @example
 * ```ts
 * import { within } from "./processes.ts";
 * await within(new Promise(() => {}), 10, "too slow"); // "too slow"
 * ```
 */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => {
      resolve(fallback);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
