/**
 * One line that says where a benchmark ran: CPUs (all of them, whatever this process is pinned
 * to), CPU model, runtime versions and the date, for the tables in the README.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { ROOT } from "./processes.ts";

function version(program: string, args: string[]): string {
  try {
    return execFileSync(program, args, { encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } }).split("\n")[0]!.trim();
  } catch {
    return "unavailable";
  }
}

/**
 * Describes the machine and the runtimes.
 *
 * @returns Such as `2 CPUs (AMD EPYC), Node.js v20.20.2, deno 2.9.5, Bun 1.4.5, 2026-11-21`.
 */
export function machineLine(): string {
  let model = "unknown CPU";
  try {
    model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? model;
  } catch {
    // Not Linux.
  }
  const deno = version(`${ROOT}node_modules/.bin/deno`, ["--version"]).replace(/ \(.*$/, "");
  const bun = version(`${ROOT}node_modules/.bin/bun`, ["--version"]);
  return `${cpus().length} CPUs (${model}), Node.js ${process.version}, ${deno}, Bun ${bun}, ${new Date().toISOString().slice(0, 10)}`;
}
