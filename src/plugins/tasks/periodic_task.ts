/**
 * Periodic tasks: work a service does every so often while it serves (the Python original's
 * `periodic_tasks`), started and stopped with it.
 *
 * A task never overlaps itself: the next run is timed from the start of the previous one, and when
 * a run takes longer than the period, the next starts as soon as it ends (no burst to catch up).
 * The first run comes one period after the start.
 *
 * @module
 */

import { type LongTimer, setLongTimeout } from "../../timer.ts";

/**
 * A task a service runs every so often while it serves.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import type { PeriodicTask } from "./periodic_task.ts";
 * import { periodicTasks } from "./tasks.ts";
 * const refreshRates: PeriodicTask = {
 *   name: "refresh rates",
 *   every: 60_000,
 *   run: async (signal) => {
 *     await fetch("https://rates.example.com/today", { signal }); // cut short when the service stops
 *   },
 * };
 * const service = new Service({ name: "rates" }).use(periodicTasks([refreshRates]));
 * ```
 */
export interface PeriodicTask {
  /** The period, in ms: a positive, finite number, of any length (a month works). */
  readonly every: number;
  /**
   * The work, sync or async. Its signal is aborted when the service stops, so a long run can end
   * early; the stop waits for a run in progress.
   *
   * @param signal Aborted when the service stops.
   * @returns Anything (ignored); a promise is waited for before the next run.
   * @example
   * ```ts
   * import type { PeriodicTask } from "./periodic_task.ts";
   * const sweep: PeriodicTask = {
   *   every: 1_000,
   *   run: async (signal) => {
   *     for (const batch of [1, 2, 3]) {
   *       if (signal.aborted) return; // the service is stopping: end early
   *       await Promise.resolve(batch);
   *     }
   *   },
   * };
   * ```
   */
  readonly run: (signal: AbortSignal) => unknown;
  /** A name for error reports. Default: the function's name. */
  readonly name?: string | undefined;
}

/** Told about errors thrown by a task's run. */
export type TaskErrorReporter = (error: unknown, where: string) => void;

/**
 * Runs one periodic task between `start()` and `stop()`.
 *
 * @example
 * ```ts
 * import { TaskRunner } from "./periodic_task.ts";
 * let ticks = 0;
 * const runner = new TaskRunner({ every: 10, run: () => ticks++ }, console.error);
 * runner.start();
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await runner.stop();
 * ```
 */
export class TaskRunner {
  readonly #task: PeriodicTask;
  readonly #report: TaskErrorReporter;
  #timer: LongTimer | undefined;
  #running: Promise<void> | undefined;
  #abort: AbortController | undefined;

  /**
   * @param task The task.
   * @param report Told about errors its runs throw.
   * @throws {TypeError} When `every` is not a positive number or `run` is not a function.
   */
  constructor(task: PeriodicTask, report: TaskErrorReporter) {
    if (typeof task.run !== "function") throw new TypeError("A periodic task needs a run function");
    if (typeof task.every !== "number" || !(task.every > 0) || !Number.isFinite(task.every)) {
      throw new TypeError(`A periodic task's every must be a positive number of ms, got ${String(task.every)}`);
    }
    this.#task = task;
    this.#report = report;
  }

  /**
   * Starts the runs: the first one period from now. A second start does nothing.
   *
   * @example
   * ```ts
   * import { TaskRunner } from "./periodic_task.ts";
   * const runner = new TaskRunner({ every: 60_000, run: () => console.log("tick") }, console.error);
   * runner.start();
   * await runner.stop();
   * ```
   */
  start(): void {
    if (this.#abort !== undefined) return;
    this.#abort = new AbortController();
    this.#schedule(this.#task.every);
  }

  /**
   * Stops the runs: no new one starts, the signal of a run in progress is aborted, and the stop
   * waits for that run to end.
   *
   * @returns Once no run is in progress.
   * @example
   * ```ts
   * import { TaskRunner } from "./periodic_task.ts";
   * const runner = new TaskRunner({ every: 10, run: (signal) => signal.aborted }, console.error);
   * runner.start();
   * await runner.stop();
   * ```
   */
  async stop(): Promise<void> {
    clearTimeout(this.#timer?.id);
    this.#timer = undefined;
    this.#abort?.abort();
    this.#abort = undefined;
    await this.#running;
  }

  #schedule(delay: number): void {
    const abort = this.#abort;
    // Past 2^31-1 ms a plain setTimeout fires at once: a period of a month waits in steps.
    this.#timer = setLongTimeout(() => {
      this.#timer = undefined;
      const started = Date.now();
      this.#running = this.#runOnce(abort as AbortController).then(() => {
        this.#running = undefined;
        // Stopped meanwhile (or stopped and started again, with a schedule of its own).
        if (this.#abort !== abort) return;
        this.#schedule(Math.max(0, this.#task.every - (Date.now() - started)));
      });
    }, delay);
  }

  async #runOnce(abort: AbortController): Promise<void> {
    try {
      await this.#task.run(abort.signal);
    } catch (error) {
      const name = this.#task.name ?? (this.#task.run.name || "anonymous");
      try {
        this.#report(error, `(periodic task ${name})`);
      } catch {
        // A failing logger must not stop the task.
      }
    }
  }
}
