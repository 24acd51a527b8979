/**
 * A real Prometheus server (Debian's `prometheus` package) for test/services/metrics.test.ts: it
 * scrapes one target every second, listens on 127.0.0.1 on a free port, keeps its data in a
 * temporary folder, and is stopped by its process id. Also `promtool` runs.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, delay, freePort, HOST, type RunningProcess, startProcess } from "../runtime/processes.ts";

/** A Prometheus server running for a test. */
export interface PrometheusServer {
  /** Its base URL, such as `http://127.0.0.1:9090`. */
  readonly base: string;
  /** The process. */
  readonly process: RunningProcess;
  /** Runs an instant PromQL query and gives its result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts Prometheus scraping one target.
 *
 * @param target The target's `host:port`.
 * @param options The metrics path, and the bearer token the target wants.
 * @returns The running server, once it answers ready.
 * @throws {Error} When it is not ready within 30 s, or exits.
 * @example
 * ```ts
 * import { startPrometheus } from "./prometheus.ts";
 * const prometheus = await startPrometheus("127.0.0.1:5000");
 * await prometheus.query("up");
 * await prometheus.stop();
 * ```
 */
export async function startPrometheus(target: string, options: { path?: string; token?: string } = {}): Promise<PrometheusServer> {
  const folder = await mkdtemp(join(tmpdir(), "tsmicroservice-prometheus-"));
  const port = await freePort();
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "scrape_configs:",
    "  - job_name: service",
    `    metrics_path: ${options.path ?? "/metrics"}`,
    ...(options.token === undefined ? [] : ["    authorization:", `      credentials: ${options.token}`]),
    "    static_configs:",
    `      - targets: ["${target}"]`,
    "",
  ].join("\n");
  await writeFile(join(folder, "prometheus.yml"), config);
  const child = startProcess("prometheus", [
    `--config.file=${join(folder, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(folder, "data")}`,
    `--web.listen-address=${HOST}:${port}`,
  ], childEnv());
  const base = `http://${HOST}:${port}`;
  const stop = async (): Promise<void> => {
    await child.stop();
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await fetch(`${base}/-/ready`).catch(() => undefined))?.status === 200, 30_000, "Prometheus ready");
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${child.output()}`, { cause: error });
  }
  return {
    base,
    process: child,
    async query(promql) {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const answer = (await response.json()) as { status: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (answer.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(answer)}`);
      return answer.data.result;
    },
    stop,
  };
}

/**
 * Waits until a condition holds, checking every 200 ms.
 *
 * @param condition The check.
 * @param timeoutMs How long to wait at most.
 * @param what What is waited for, for the error.
 * @returns Once it holds.
 * @throws {Error} When it does not hold in time.
 * @example
 * ```ts
 * import { waitFor } from "./prometheus.ts";
 * await waitFor(() => true, 1_000, "nothing");
 * ```
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(200);
  }
}

/** What a promtool run gave. */
export interface ToolRun {
  /** The exit code. */
  readonly code: number | null;
  /** Its stdout and stderr. */
  readonly output: string;
}

/**
 * Runs `promtool` with arguments, feeding it `input` on stdin, within 30 s.
 *
 * @param args The arguments, such as `["check", "metrics"]`.
 * @param input What to write on its stdin.
 * @returns Its exit code and output.
 * @example
 * ```ts
 * import { promtool } from "./prometheus.ts";
 * const run = await promtool(["check", "metrics"], "# HELP x X.\n# TYPE x gauge\nx 1\n");
 * run.code; // 0
 * ```
 */
export function promtool(args: readonly string[], input = ""): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("promtool", args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, 30_000);
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(input);
  });
}
