/**
 * A service's life while served: plugin starts before it listens, a stopping phase (health 503)
 * while the server drains, then plugin stops. Driven by `serve()`, or by `service.startup()` and
 * `service.shutdown()`.
 *
 * @module
 */

import { setLongTimeout } from "../timer.ts";

/**
 * Where a service is in its life: `idle` until it is first started.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { LifecycleState } from "./lifecycle.ts";
 * const service = new Service({ name: "s" });
 * const before: LifecycleState = service.state; // "idle"
 * await service.startup();
 * service.state; // "serving"
 * await service.shutdown();
 * ```
 */
export type LifecycleState = "idle" | "starting" | "serving" | "stopping" | "stopped";

/**
 * A start or stop hook, sync or async.
 *
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { LifecycleHook } from "./lifecycle.ts";
 * const connections: string[] = [];
 * const onStart: LifecycleHook = async () => {
 *   connections.push(await Promise.resolve("database"));
 * };
 * const onStop: LifecycleHook = () => {
 *   connections.length = 0;
 * };
 * const service = new Service({ name: "s" }).use({ name: "database", start: onStart, stop: onStop });
 * ```
 */
export type LifecycleHook = () => void | Promise<void>;

/** What a lifecycle is made of. */
export interface LifecycleParts {
  /** Runs before the service serves; if it throws, the start fails. */
  readonly onStart?: LifecycleHook | undefined;
  /** Runs once the service has stopped serving (calls in flight answered). */
  readonly onStop?: LifecycleHook | undefined;
  /**
   * For a start on the first request ({@linkcode Lifecycle.startForRequest}): how long a request
   * waits for it, in ms, before being answered unavailable. Default {@linkcode START_WAIT}.
   */
  readonly startWait?: number | undefined;
  /**
   * For a start on the first request: how long after a failed start requests are answered
   * unavailable without a new try, in ms, doubling per failure in a row up to 30 s. Default `1000`.
   */
  readonly startBackoff?: number | undefined;
}

/**
 * How long a request waits for a start on the first request by default (10 s), before being
 * answered unavailable while the start goes on.
 *
 * @example
 * ```ts
 * import { Lifecycle, START_WAIT } from "./lifecycle.ts";
 * const patient = new Lifecycle({ startWait: 3 * START_WAIT });
 * ```
 */
export const START_WAIT = 10_000;

/**
 * The lifecycle of one service. Starts are counted: served by two servers, it stops with the last.
 *
 * @example
 * ```ts
 * import { Lifecycle } from "./lifecycle.ts";
 * const lifecycle = new Lifecycle({ onStart: () => console.log("up"), onStop: () => console.log("down") });
 * await lifecycle.start();
 * lifecycle.state; // "serving"
 * await lifecycle.stop();
 * lifecycle.state; // "stopped"
 * ```
 */
export class Lifecycle {
  readonly #parts: LifecycleParts;
  #state: LifecycleState = "idle";
  #users = 0;
  #starting: Promise<void> | undefined;
  #firstRequest: Promise<void> | undefined;
  // After a failed start: no new try before #retryAt; requests meanwhile are refused with #failure.
  #retryAt = 0;
  #backoff = 0;
  #failure: unknown;

  /**
   * @param parts The hooks (unchecked: the Service, their one giver, passes its own functions).
   */
  constructor(parts: LifecycleParts) {
    this.#parts = parts;
  }

  /** Where the service is in its life. */
  get state(): LifecycleState {
    return this.#state;
  }

  /**
   * Starts: runs `onStart`. A start while already started waits for the first and counts one
   * more user.
   *
   * @returns Once started.
   * @throws Whatever `onStart` throws; the service is not started then.
   * @example
   * ```ts
   * import { Lifecycle } from "./lifecycle.ts";
   * const lifecycle = new Lifecycle({});
   * await lifecycle.start();
   * ```
   */
  async start(): Promise<void> {
    this.#users++;
    if (this.#users > 1) {
      await this.#starting;
      return;
    }
    this.#state = "starting";
    this.#starting = (async () => {
      try {
        await this.#parts.onStart?.();
      } catch (error) {
        this.#users = 0;
        this.#state = "idle";
        throw error;
      }
      // A stop that came during onStart wins: then nothing is started.
      if (this.#state !== "starting") return;
      this.#state = "serving";
    })();
    await this.#starting;
  }

  /**
   * Starts for a request a platform hands in without `serve()` (`deno serve`, `bun run`, a
   * worker): the first request starts the service, later ones wait for it (at most `startWait`
   * ms). A failed start is reported once; requests within `startBackoff` are refused with its
   * error, and the first one after tries again.
   *
   * @param report Told about a start that failed.
   * @returns What the request must wait for, or `undefined` when it need not wait.
   * @example
   * ```ts
   * import { Lifecycle } from "./lifecycle.ts";
   * const lifecycle = new Lifecycle({ onStart: () => console.log("started by the first request") });
   * await lifecycle.startForRequest(console.error);
   * lifecycle.state; // "serving"
   * lifecycle.startForRequest(console.error); // undefined: already started
   * ```
   */
  startForRequest(report: (error: unknown) => void): Promise<void> | undefined {
    if (this.#firstRequest === undefined) {
      if (this.#state !== "idle") return undefined;
      // Refused at once rather than a new try per request.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- that start's own failure, whatever onStart threw
      if (Date.now() < this.#retryAt) return Promise.reject(this.#failure);
    }
    this.#firstRequest ??= this.start().then(() => {
      this.#backoff = 0;
    }, (error: unknown) => {
      this.#failure = error;
      this.#backoff = Math.min(30_000, this.#backoff * 2 || (this.#parts.startBackoff ?? 1_000));
      this.#retryAt = Date.now() + this.#backoff;
      report(error);
      throw error;
    }).finally(() => {
      this.#firstRequest = undefined;
    });
    return bounded(this.#firstRequest, this.#parts.startWait ?? START_WAIT);
  }

  /**
   * Stops: the state becomes `stopping`, `drain` runs (a server finishing its calls in flight),
   * then `onStop`. While other users still serve the service, only `drain` runs.
   *
   * @param drain What to wait for before `onStop`, such as a server's close.
   * @returns Once stopped.
   * @throws Whatever `drain` or `onStop` throws (after the stop has completed).
   * @example
   * ```ts
   * import { Lifecycle } from "./lifecycle.ts";
   * const lifecycle = new Lifecycle({});
   * await lifecycle.start();
   * await lifecycle.stop(async () => {
   *   lifecycle.state; // "stopping"
   * });
   * ```
   */
  async stop(drain?: () => Promise<void>): Promise<void> {
    if (this.#users > 1 || this.#users === 0) {
      this.#users = Math.max(0, this.#users - 1);
      await drain?.();
      return;
    }
    this.#users = 0;
    // At once, so the health check answers 503 from the moment close() is called.
    this.#state = "stopping";
    await this.#starting?.catch(() => {});
    try {
      await drain?.();
    } finally {
      try {
        await this.#parts.onStop?.();
      } finally {
        this.#state = "stopped";
      }
    }
  }
}

// A long timer: any `ms`, `Infinity` never.
function bounded(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setLongTimeout(() => {
      reject(new Error(`still starting after ${ms} ms`));
    }, ms);
    promise.then(resolve, reject).finally(() => {
      clearTimeout(timer.id);
    });
  });
}
