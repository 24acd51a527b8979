/**
 * The numbers the metrics plugin keeps: per method and outcome a call count and a duration
 * histogram, the calls in flight, and histograms of batch lengths and body sizes. Recording a call
 * is a map lookup and a few additions; nothing is allocated after a series' first call.
 *
 * @module
 */

import type { CallSummary, ReceivedBody } from "../../core/plugin.ts";
import type { MetricFamily } from "./exposition.ts";
import type { StreamSummary } from "../when_ended.ts";
import { type Outcome, OUTCOMES, outcomeOf } from "./outcome.ts";

/**
 * Default buckets of the call duration histogram, in seconds: from half a millisecond to ten seconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_DURATION_BUCKETS } from "./call_metrics.ts";
 * DEFAULT_DURATION_BUCKETS[0]; // 0.0005
 * ```
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Buckets of the batch length histogram (a single call counts as 1).
 *
 * @example
 * ```ts
 * import { BATCH_BUCKETS } from "./call_metrics.ts";
 * BATCH_BUCKETS.includes(1); // true
 * ```
 */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/**
 * Buckets of the request body size histogram, in bytes: from 128 B to 4 MiB.
 *
 * @example
 * ```ts
 * import { BODY_BUCKETS } from "./call_metrics.ts";
 * BODY_BUCKETS.at(-1); // 4194304
 * ```
 */
export const BODY_BUCKETS: readonly number[] = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

/**
 * The label every method a service does not have is counted under, so that callers naming random
 * methods cannot add series.
 *
 * @example
 * ```ts
 * import { UNKNOWN_METHOD } from "./call_metrics.ts";
 * UNKNOWN_METHOD; // "unknown"
 * ```
 */
export const UNKNOWN_METHOD = "unknown";

/** One histogram's numbers. */
class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  add(value: number): void {
    const bounds = this.#bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index++;
    (this.counts[index] as number)++;
    this.sum += value;
    this.count++;
  }
}

/** The calls of one method and outcome. */
interface CallSeries {
  readonly method: string;
  readonly outcome: Outcome;
  calls: number;
  readonly duration: Histogram;
  /** The items its streams sent, once one of its calls streamed. */
  items?: number;
}

/**
 * The metrics of one service's calls.
 *
 * @example
 * ```ts
 * import { CallMetrics } from "./call_metrics.ts";
 * const metrics = new CallMetrics({ service: "s", version: "1.0.0" });
 * metrics.started();
 * metrics.ended({ method: "ping", duration: 0.3, notification: false, ok: true });
 * metrics.families().find((family) => family.name === "rpc_server_calls_total");
 * ```
 */
export class CallMetrics {
  /** Calls running now. */
  inFlight = 0;
  readonly #series = new Map<string, (CallSeries | undefined)[]>();
  /** Messages refused before they became calls, by outcome index. */
  readonly #refused: number[] = OUTCOMES.map(() => 0);
  readonly #durationBounds: readonly number[];
  readonly #batches = new Histogram(BATCH_BUCKETS);
  readonly #bodies = new Histogram(BODY_BUCKETS);
  readonly #info: { readonly service: string; readonly version: string };

  /**
   * Makes an empty set of metrics.
   *
   * @param info The service's name and version, for the info metric.
   * @param durationBuckets The duration histogram's bounds, in seconds, ascending.
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * new CallMetrics({ service: "s", version: "1.0.0" }, [0.01, 0.1, 1]);
   * ```
   */
  constructor(info: { readonly service: string; readonly version: string }, durationBuckets: readonly number[] = DEFAULT_DURATION_BUCKETS) {
    this.#info = info;
    this.#durationBounds = durationBuckets;
  }

  /**
   * Counts a call that started.
   *
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * const metrics = new CallMetrics({ service: "s", version: "1" });
   * metrics.started();
   * metrics.inFlight; // 1
   * ```
   */
  started(): void {
    this.inFlight++;
  }

  /**
   * Counts a call that ended: under its method when the service has it (a call that ends with
   * `-32601` is counted under `unknown`), and its outcome.
   *
   * @param summary How it ended.
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * const metrics = new CallMetrics({ service: "s", version: "1" });
   * metrics.started();
   * metrics.ended({ method: "no_such_method", duration: 0.1, notification: false, ok: false, code: -32601 });
   * ```
   */
  ended(summary: CallSummary): void {
    this.inFlight--;
    const outcome = summary.ok ? "ok" : outcomeOf(summary.code);
    // Only a method the service has gets past -32601, so the method label stays bounded.
    const method = outcome === "method_not_found" ? UNKNOWN_METHOD : summary.method;
    let byOutcome = this.#series.get(method);
    if (byOutcome === undefined) {
      byOutcome = [];
      this.#series.set(method, byOutcome);
    }
    const index = OUTCOMES.indexOf(outcome);
    let series = byOutcome[index];
    if (series === undefined) {
      series = { method, outcome, calls: 0, duration: new Histogram(this.#durationBounds) };
      byOutcome[index] = series;
    }
    series.calls++;
    series.duration.add(summary.duration / 1000);
    // A stream's end (streams() used after metrics()): its items too.
    const { items } = summary as Partial<StreamSummary>;
    if (items !== undefined) series.items = (series.items ?? 0) + items;
  }

  /**
   * Counts a message refused before it became a call (not JSON, an invalid request): in
   * `rpc_server_calls_total` under `method="unknown"` and its outcome, not timed (nothing ran).
   *
   * @param code The error code it was answered with.
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * new CallMetrics({ service: "s", version: "1" }).refused(-32700);
   * ```
   */
  refused(code: number): void {
    (this.#refused[OUTCOMES.indexOf(outcomeOf(code))] as number)++;
  }

  /**
   * Counts a JSON-RPC body: its size, and its length (a single call counts as 1; a body that is
   * not JSON is not counted as a batch).
   *
   * @param body The body's size and batch length.
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * new CallMetrics({ service: "s", version: "1" }).received({ bytes: 120, batch: 3 });
   * ```
   */
  received(body: ReceivedBody): void {
    this.#bodies.add(body.bytes);
    this.#batches.add(body.batch ?? 1);
  }

  /**
   * The metric families, as the exposition writes them.
   *
   * @returns The families, in a fixed order.
   * @example
   * ```ts
   * import { CallMetrics } from "./call_metrics.ts";
   * new CallMetrics({ service: "s", version: "1" }).families().map((family) => family.name);
   * ```
   */
  families(): MetricFamily[] {
    const all: CallSeries[] = [];
    for (const byOutcome of this.#series.values()) for (const series of byOutcome) if (series !== undefined) all.push(series);
    const labels = (series: CallSeries) => [["method", series.method], ["outcome", series.outcome]] as const;
    return [
      {
        name: "rpc_server_service_info",
        help: "The service's name and version (always 1).",
        type: "info",
        series: [{ labels: [["service", this.#info.service], ["version", this.#info.version]], value: 1 }],
      },
      {
        name: "rpc_server_calls_total",
        help: "JSON-RPC calls answered, by method and outcome (ok or the class of the error code).",
        type: "counter",
        series: [
          ...all.map((series) => ({ labels: labels(series), value: series.calls })),
          ...OUTCOMES.flatMap((outcome, index) => {
            const value = this.#refused[index] as number;
            return value === 0 ? [] : [{ labels: [["method", UNKNOWN_METHOD], ["outcome", outcome]] as const, value }];
          }),
        ],
      },
      {
        name: "rpc_server_call_duration_seconds",
        help: "How long JSON-RPC calls took, from dispatch to answer (a stream's: to its end), by method and outcome.",
        type: "histogram",
        unit: "seconds",
        bounds: this.#durationBounds,
        series: all.map((series) => ({ labels: labels(series), counts: series.duration.counts, sum: series.duration.sum, count: series.duration.count })),
      },
      // Only once a stream ended, so a service without streams shows no empty family.
      ...(all.some((series) => series.items !== undefined) ? [{
        name: "rpc_server_stream_items_total",
        help: "Items sent by streaming calls, by method and the stream's outcome.",
        type: "counter" as const,
        series: all.flatMap((series) => (series.items === undefined ? [] : [{ labels: labels(series), value: series.items }])),
      }] : []),
      {
        name: "rpc_server_calls_in_flight",
        help: "JSON-RPC calls running now.",
        type: "gauge",
        series: [{ labels: [], value: this.inFlight }],
      },
      {
        name: "rpc_server_batch_size",
        help: "Entries per JSON-RPC request body (1 for a single call).",
        type: "histogram",
        bounds: BATCH_BUCKETS,
        series: [{ labels: [], counts: this.#batches.counts, sum: this.#batches.sum, count: this.#batches.count }],
      },
      {
        name: "rpc_server_request_body_bytes",
        help: "Size of JSON-RPC request bodies.",
        type: "histogram",
        unit: "bytes",
        bounds: BODY_BUCKETS,
        series: [{ labels: [], counts: this.#bodies.counts, sum: this.#bodies.sum, count: this.#bodies.count }],
      },
    ];
  }
}
