/**
 * The health check: `GET /health` answers 200 with the service's name and version while it serves,
 * and 503 once it is stopping, so a load balancer stops sending it work before it goes away.
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
 * import type { HealthReport } from "./health.ts";
 * const service = new Service({ name: "s", version: "1.0.0" });
 * const report = (await (await service.fetch(new Request("http://localhost/health"))).json()) as HealthReport;
 * // { status: "ok", name: "s", version: "1.0.0" }
 * ```
 */
export interface HealthReport {
  /** `"ok"` while serving, `"stopping"` once a stop has begun. */
  readonly status: "ok" | "stopping";
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
  readonly path?: string;
}

/**
 * A health check: `GET` (and `HEAD`) on its path answers 200 with the service's name and version
 * as JSON while the service serves, and 503 from the moment a stop begins, so a load balancer or
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
 * (await service.fetch(new Request("http://localhost/health"))).status; // 200
 * ```
 */
export function health(options: HealthOptions = {}): Plugin {
  const path = options.path ?? DEFAULT_HEALTH_PATH;
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`The health path must start with "/", got ${JSON.stringify(path)}`);
  let host: PluginHost | undefined;
  return {
    name: "health",
    setup(service) {
      if (service.path === path) throw new TypeError(`The health path must differ from the service path, got ${path}`);
      host = service;
    },
    allows: (at) => (at === path ? "GET, HEAD" : undefined),
    fetch(request, at) {
      if (at !== path || host === undefined) return undefined;
      const stopping = host.state === "stopping" || host.state === "stopped";
      return answerHealth(request.method, { status: stopping ? "stopping" : "ok", name: host.name, version: host.version });
    },
  };
}

/**
 * Answers the health check's path.
 *
 * @param method The request's method: `GET` and `HEAD` are answered, others are 405.
 * @param report What to report.
 * @returns 200 (or 503 while stopping) with the report as JSON, never cached.
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
