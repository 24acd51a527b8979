/**
 * `periodicTasks()`: work a service does every so often while it is served (refresh a cache, send
 * a heartbeat), the Python original's `periodic_tasks`. A task starts with the service, never
 * overlaps itself, and its signal aborts when the service stops; what it throws is reported to the
 * service's `onError` and the task goes on.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { periodicTasks } from "./tasks.ts";
 * const service = new Service({ name: "cache" })
 *   .use(periodicTasks([{ name: "refresh", every: 60_000, run: (signal) => signal.aborted || console.log("refreshing") }]));
 * ```
 *
 * @module
 */

import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { type PeriodicTask, TaskRunner } from "./periodic_task.ts";

/**
 * Runs tasks every `every` ms while the service is served.
 *
 * @param tasks The tasks: `every` (ms), `run(signal)`, and a `name` for error reports.
 * @returns The plugin.
 * @throws {TypeError} When a task has no `run` function or its `every` is not a positive number.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { periodicTasks } from "./tasks.ts";
 * let beats = 0;
 * const service = new Service({ name: "s" }).use(periodicTasks([{ every: 1_000, run: () => beats++ }]));
 * await service.startup(); // the first run comes a second later
 * await service.shutdown();
 * ```
 */
export function periodicTasks(tasks: readonly PeriodicTask[]): Plugin {
  if (!Array.isArray(tasks)) throw new TypeError("periodicTasks takes a list of tasks: [{ every, run }]");
  let host: PluginHost | undefined;
  const runners = (tasks as readonly PeriodicTask[]).map((task) => new TaskRunner(task, (error, where) => host?.report(error, where)));
  return {
    name: "periodicTasks",
    setup(service) {
      host = service;
    },
    start() {
      for (const runner of runners) runner.start();
    },
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}

export type { PeriodicTask } from "./periodic_task.ts";
