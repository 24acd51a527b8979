/**
 * The health check (`GET /health`: 200 while serving, else 503, so a load balancer stops sending
 * work before the instance goes away) and the Kubernetes probes `/ready` and `/live`.
 *
 * @module
 */

import type { Plugin, PluginHost } from "../core/plugin.ts";

/**
 * The default path of the health check.
 *
 * @example
 * ```ts
 * import { DEFAULT_HEALTH_PATH, health } from "./health.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "s" }).use(health());
 * await service.startup(); // serve() does it; before it, the check answers 503
 * (await service.fetch(new Request(`http://localhost${DEFAULT_HEALTH_PATH}`))).status; // 200
 * ```
 */
export const DEFAULT_HEALTH_PATH = "/health";

/**
 * What the health check reports.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { health, type HealthReport } from "./health.ts";
 * const service = new Service({ name: "s", version: "1.0.0" }).use(health());
 * await service.startup();
 * const report = (await (await service.fetch(new Request("http://localhost/health"))).json()) as HealthReport;
 * // { status: "ok", name: "s", version: "1.0.0" }
 * ```
 */
export interface HealthReport {
  /** `"ok"` (200); `"stopping"` once a stop has begun, `"starting"` before the start is done (503). */
  readonly status: "ok" | "stopping" | "starting";
  /** The service's name. */
  readonly name: string;
  /** The service's version. */
  readonly version: string;
}

/**
 * Options of {@linkcode health}.
 *
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { health, type HealthOptions } from "./health.ts";
 * const options: HealthOptions = { path: "/healthz" };
 * new Service({ name: "s" }).use(health(options));
 * ```
 */
export interface HealthOptions {
  /** The path of the health check. Default `"/health"`. */
  readonly path?: string | undefined;
  /**
   * The readiness probe's path, answering as the health check does; `false` for none. Default
   * `"/ready"`.
   */
  readonly readyPath?: string | false | undefined;
  /**
   * The liveness probe's path: 200 as long as the process answers, draining too; `false` for none.
   * Default `"/live"`.
   */
  readonly livePath?: string | false | undefined;
}

/**
 * A health check: `GET` or `HEAD` answers 200 with the service's name and version as JSON while it
 * serves, 503 before its start is done and from the moment a stop begins, so a load balancer or
 * Kubernetes takes the instance out while it drains.
 *
 * @param options The path (default `/health`).
 * @returns The plugin.
 * @throws {TypeError} When the path does not start with `/`, or (at `use()`) is the JSON-RPC path.
 * @example
 * ```ts
 * import { Service } from "../core/service.ts";
 * import { health } from "./health.ts";
 * const service = new Service({ name: "orders", version: "1.0.0" }).use(health());
 * await service.startup();
 * (await service.fetch(new Request("http://localhost/health"))).status; // 200
 * ```
 */
export function health(options: HealthOptions = {}): Plugin {
  const path = checkedPath(options.path ?? DEFAULT_HEALTH_PATH);
  const readyPath = options.readyPath === false ? undefined : checkedPath(options.readyPath ?? "/ready");
  const livePath = options.livePath === false ? undefined : checkedPath(options.livePath ?? "/live");
  const paths = [path, readyPath, livePath];
  let host: PluginHost | undefined;
  return {
    name: "health",
    setup(service) {
      if (paths.includes(service.path)) throw new TypeError(`The health paths must differ from the service path, got ${service.path}`);
      host = service;
    },
    allows: (at) => (paths.includes(at) ? "GET, HEAD" : undefined),
    fetch(request, at) {
      if (host === undefined || !paths.includes(at)) return undefined;
      const { state, name, version } = host;
      let ok: boolean;
      // Idle is not healthy: onStart has not run (a platform's first request starts it, this one too).
      if (at === path || at === readyPath) ok = state === "serving";
      else ok = true;
      const status = ok ? "ok" : state === "stopping" || state === "stopped" ? "stopping" : "starting";
      return answerHealth(request.method, { status, name, version });
    },
  };
}

function checkedPath(path: unknown): string {
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`A health path must start with "/", got ${JSON.stringify(path)}`);
  return path;
}

/**
 * Answers the health check's path.
 *
 * @param method The request's method: `GET` and `HEAD` are answered, others are 405.
 * @param report What to report.
 * @returns 200 (503 unless `status` is `"ok"`) with the report as JSON, never cached.
 * @example
 * ```ts
 * import { answerHealth } from "./health.ts";
 * const response = answerHealth("GET", { status: "ok", name: "demo", version: "1.0.0" });
 * response.status; // 200
 * ```
 */
export function answerHealth(method: string, report: HealthReport): Response {
  if (method !== "GET" && method !== "HEAD") {
    return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD", "content-type": "text/plain;charset=UTF-8" } });
  }
  const body = JSON.stringify(report);
  return new Response(method === "HEAD" ? null : body, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "content-type": "application/json", "cache-control": "no-store", "content-length": String(new TextEncoder().encode(body).byteLength) },
  });
}
