/**
 * `metrics()`: a service's calls as Prometheus metrics, served at `GET /metrics` in the Prometheus
 * text format 0.0.4, or in OpenMetrics 1.0 when the scraper asks for it in `Accept` (Prometheus
 * does).
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `rpc_server_calls_total` | counter | `method`, `outcome` |
 * | `rpc_server_call_duration_seconds` | histogram | `method`, `outcome` |
 * | `rpc_server_calls_in_flight` | gauge | |
 * | `rpc_server_batch_size` | histogram | |
 * | `rpc_server_request_body_bytes` | histogram | |
 * | `rpc_server_service_info` | info (a gauge of 1 in the text format) | `service`, `version` |
 *
 * `outcome` is `ok` or the class of the error code (`invalid_params`, `method_not_found`,
 * `internal`, `timeout`, `access_denied`, `application`…). `method` is only ever a method the
 * service has (or `rpc.discover`): every other name a caller sends is counted as `unknown`. Labels
 * never carry params or tokens.
 *
 * @module
 */

import type { Plugin, PluginHost } from "../../core/plugin.ts";
import { timingSafeEqual } from "../../core/timing_safe_equal.ts";
import { CallMetrics } from "./call_metrics.ts";
import { CONTENT_TYPES, negotiateFormat, writeExposition } from "./exposition.ts";
import { whenEnded } from "../when_ended.ts";

export { CallMetrics, DEFAULT_DURATION_BUCKETS, UNKNOWN_METHOD } from "./call_metrics.ts";
export { CONTENT_TYPES, type ExpositionFormat, type Labels, type MetricFamily, negotiateFormat, writeExposition } from "./exposition.ts";
export { type Outcome, OUTCOMES, outcomeOf } from "./outcome.ts";

/**
 * The default path of the metrics.
 *
 * @example
 * ```ts
 * import { DEFAULT_METRICS_PATH } from "./metrics.ts";
 * DEFAULT_METRICS_PATH; // "/metrics"
 * ```
 */
export const DEFAULT_METRICS_PATH = "/metrics";

/**
 * Options of {@linkcode metrics}.
 *
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { metrics, type MetricsOptions } from "./metrics.ts";
 * const options: MetricsOptions = { path: "/internal/metrics", token: "scrape-secret", durationBuckets: [0.01, 0.1, 1] };
 * new Service({ name: "s" }).use(metrics(options));
 * ```
 */
export interface MetricsOptions {
  /** The path the metrics are served at. Default `"/metrics"`. */
  readonly path?: string | undefined;
  /**
   * A token the scraper must send as `Authorization: Bearer <token>` (Prometheus:
   * `authorization: { credentials: … }`); without it, a request is answered 401. Default: none
   * (open). Given as `undefined` or `""` (`process.env.X` with `X` unset), it is refused.
   */
  readonly token?: string | undefined;
  /** The bounds of the call duration histogram, in seconds, ascending. Default: 0.5 ms to 10 s. */
  readonly durationBuckets?: readonly number[] | undefined;
}

/**
 * The metrics plugin, with the numbers it keeps.
 *
 * @example
 * ```ts
 * import { metrics, type MetricsPlugin } from "./metrics.ts";
 * const plugin: MetricsPlugin = metrics();
 * plugin.expose("prometheus"); // the text a scrape gets
 * ```
 */
export interface MetricsPlugin extends Plugin {
  /**
   * The metrics as a scrape would get them.
   *
   * @param format `"prometheus"` (text 0.0.4) or `"openmetrics"`.
   * @returns The exposition text.
   * @example
   * ```ts
   * import { metrics } from "./metrics.ts";
   * metrics().expose("openmetrics").endsWith("# EOF\n"); // true
   * ```
   */
  expose(format: "prometheus" | "openmetrics"): string;
}

/**
 * Counts and times every call by method and outcome, and serves the numbers at `GET /metrics`
 * (see the module documentation for the list). Content negotiation picks OpenMetrics when `Accept`
 * asks for `application/openmetrics-text`.
 *
 * @param options The path, an optional token, and the duration buckets.
 * @returns The plugin.
 * @throws {TypeError} When the path does not start with `/`, the buckets are not strictly
 *   ascending, `token` is given but `undefined` or empty, or (at `use()`) the path is the
 *   JSON-RPC one.
 * @example
 * ```ts
 * import { Service } from "../../core/service.ts";
 * import { metrics } from "./metrics.ts";
 * const service = new Service({ name: "hello", version: "1.0.0" })
 *   .use(metrics())
 *   .publicMethod("ping", () => "pong");
 * await service.handle({ jsonrpc: "2.0", method: "ping", id: 1 });
 * const text = await (await service.fetch(new Request("http://localhost/metrics"))).text();
 * // includes 'rpc_server_calls_total{method="ping",outcome="ok"} 1'
 * ```
 */
export function metrics(options: MetricsOptions = {}): MetricsPlugin {
  const path = options.path ?? DEFAULT_METRICS_PATH;
  if (!path.startsWith("/")) throw new TypeError(`metrics: the path must start with "/" (got ${JSON.stringify(path)})`);
  const buckets = options.durationBuckets;
  if (buckets !== undefined && (buckets.length === 0 || buckets.some((bound, index) => !Number.isFinite(bound) || (index > 0 && bound <= (buckets[index - 1] as number))))) {
    throw new TypeError("metrics: durationBuckets must be finite numbers in ascending order");
  }
  const token = options.token;
  // `token: process.env.X` with X unset must not serve the metrics to anyone.
  if ("token" in options && (typeof token !== "string" || token === "")) {
    throw new TypeError("metrics: token is given but empty or undefined (is its environment variable set?); leave token out for open metrics");
  }
  let numbers = new CallMetrics({ service: "", version: "" }, buckets);
  let host: PluginHost | undefined;
  const report = (error: unknown): void => host?.report(error, "metrics");
  const end = (summary: Parameters<CallMetrics["ended"]>[0]): void => {
    numbers.ended(summary);
  };
  return {
    name: "metrics",
    setup(service: PluginHost) {
      if (path === service.path) throw new TypeError(`metrics: ${path} is the JSON-RPC path`);
      numbers = new CallMetrics({ service: service.name, version: service.version }, buckets);
      host = service;
    },
    call(_call, next) {
      numbers.started();
      return whenEnded(next(), end, report);
    },
    received(body) {
      numbers.received(body);
    },
    refused(code) {
      numbers.refused(code);
    },
    allows: (asked) => (asked === path ? "GET, HEAD" : undefined),
    fetch(request, asked) {
      if (asked !== path) return undefined;
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("Method Not Allowed", { status: 405, headers: { allow: "GET, HEAD" } });
      }
      if (token !== undefined && !bearerMatches(request.headers.get("authorization"), token)) {
        return new Response("Unauthorized", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
      }
      const format = negotiateFormat(request.headers.get("accept"));
      const body = writeExposition(numbers.families(), format);
      return new Response(request.method === "HEAD" ? null : body, {
        headers: { "content-type": CONTENT_TYPES[format], "cache-control": "no-store", vary: "Accept" },
      });
    },
    expose: (format) => writeExposition(numbers.families(), format),
  };
}

function bearerMatches(authorization: string | null, token: string): boolean {
  if (authorization === null) return false;
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1] !== undefined && timingSafeEqual(match[1], token);
}
