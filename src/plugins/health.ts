/**
 * The health check: `GET /health` answers 200 with the service's name and version while it serves,
 * and 503 once it is stopping, so a load balancer stops sending it work before it goes away.
 *
 * @module
 */

/**
 * The default path of the health check.
 *
 * @example
 * ```ts
 * import { DEFAULT_HEALTH_PATH } from "./health.ts";
 * import { Service } from "../core/service.ts";
 * const service = new Service({ name: "s" });
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
