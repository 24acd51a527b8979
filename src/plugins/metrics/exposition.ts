/**
 * Writing metric families in the Prometheus text exposition format 0.0.4 and in OpenMetrics 1.0,
 * and choosing between them from a request's `Accept` header.
 *
 * The two differ in small ways this module takes care of: OpenMetrics names a counter's family
 * without its `_total` suffix, has an `info` type and `# UNIT` lines, escapes `"` in help texts,
 * writes histogram bounds in canonical form (`1.0`, not `1`), and ends with `# EOF`.
 *
 * @module
 */

/**
 * A metric's labels, as name and value pairs in the order they are written.
 *
 * @example
 * ```ts
 * import type { Labels } from "./exposition.ts";
 * const labels: Labels = [["method", "say_hello"], ["outcome", "ok"]];
 * ```
 */
export type Labels = readonly (readonly [string, string])[];

/**
 * A metric family: its name (for a counter, with `_total`; for an info metric, with `_info`), help,
 * type and series.
 *
 * @example
 * ```ts
 * import type { MetricFamily } from "./exposition.ts";
 * const calls: MetricFamily = {
 *   name: "rpc_server_calls_total",
 *   help: "Calls answered.",
 *   type: "counter",
 *   series: [{ labels: [["method", "ping"]], value: 3 }],
 * };
 * ```
 */
export type MetricFamily =
  | {
    readonly name: string;
    readonly help: string;
    readonly type: "counter" | "gauge" | "info";
    readonly unit?: string | undefined;
    readonly series: readonly { readonly labels: Labels; readonly value: number }[];
  }
  | {
    readonly name: string;
    readonly help: string;
    readonly type: "histogram";
    readonly unit?: string | undefined;
    /** The buckets' upper bounds, ascending, without `+Inf`. */
    readonly bounds: readonly number[];
    /** Each series: counts per bucket (not cumulative; one more than the bounds, for `+Inf`), sum and count. */
    readonly series: readonly { readonly labels: Labels; readonly counts: ArrayLike<number>; readonly sum: number; readonly count: number }[];
  };

/**
 * The two formats.
 *
 * @example
 * ```ts
 * import type { ExpositionFormat } from "./exposition.ts";
 * const format: ExpositionFormat = "openmetrics";
 * ```
 */
export type ExpositionFormat = "prometheus" | "openmetrics";

/**
 * The `Content-Type` of each format.
 *
 * @example
 * ```ts
 * import { CONTENT_TYPES } from "./exposition.ts";
 * CONTENT_TYPES.prometheus; // "text/plain; version=0.0.4; charset=utf-8"
 * ```
 */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
};

/**
 * Chooses the format from an `Accept` header: OpenMetrics when it asks for
 * `application/openmetrics-text` (version 1.0.0 or none named) at least as much as for the text
 * format, else the text format 0.0.4 (also for no header at all).
 *
 * @param accept The header's value, or `null`.
 * @returns The format.
 * @example
 * ```ts
 * import { negotiateFormat } from "./exposition.ts";
 * negotiateFormat("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"); // "openmetrics"
 * negotiateFormat("text/plain"); // "prometheus"
 * ```
 */
export function negotiateFormat(accept: string | null): ExpositionFormat {
  if (accept === null || !accept.includes("openmetrics")) return "prometheus";
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    let q = 1;
    let version: string | undefined;
    for (const parameter of parameters) {
      const [key, value = ""] = parameter.split("=").map((part) => part.trim());
      if (key === "q") q = Number(value);
      else if (key === "version") version = value;
    }
    if (!(q > 0)) continue;
    if (type === "application/openmetrics-text" && (version === undefined || version === "1.0.0")) openMetrics = Math.max(openMetrics, q);
    else if (type === "text/plain" || type === "*/*" || type === "text/*") text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? "openmetrics" : "prometheus";
}

/**
 * Escapes a label value: `\` as `\\`, `"` as `\"`, a line feed as `\n` (both formats).
 *
 * @param value The value.
 * @returns The escaped value, without the quotes.
 * @example
 * ```ts
 * import { escapeLabelValue } from "./exposition.ts";
 * escapeLabelValue('say "hi"\n'); // 'say \\"hi\\"\\n'
 * ```
 */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (char) => (char === "\n" ? "\\n" : `\\${char}`)) : value;
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const special = format === "openmetrics" ? /[\\"\n]/g : /[\\\n]/g;
  return help.replace(special, (char) => (char === "\n" ? "\\n" : `\\${char}`));
}

/**
 * Writes a number as both formats read it: `+Inf`, `-Inf`, `NaN`, else as JavaScript writes it.
 * With `canonical`, an integer gets `.0` (OpenMetrics' form for histogram bounds).
 *
 * @param value The number.
 * @param canonical Whether to write integers as `1.0`.
 * @returns The text.
 * @example
 * ```ts
 * import { formatNumber } from "./exposition.ts";
 * formatNumber(Infinity); // "+Inf"
 * formatNumber(1, true); // "1.0"
 * ```
 */
export function formatNumber(value: number, canonical = false): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  const text = String(value);
  return canonical && Number.isInteger(value) && !text.includes("e") ? `${text}.0` : text;
}

function labelText(labels: Labels, extra?: readonly [string, string]): string {
  if (labels.length === 0 && extra === undefined) return "";
  let text = "";
  for (const [name, value] of labels) text += `${text === "" ? "" : ","}${name}="${escapeLabelValue(value)}"`;
  if (extra !== undefined) text += `${text === "" ? "" : ","}${extra[0]}="${extra[1]}"`;
  return `{${text}}`;
}

/** The family name OpenMetrics uses: without `_total` for a counter, without `_info` for an info metric. */
function familyName(family: MetricFamily, format: ExpositionFormat): string {
  if (format === "prometheus") return family.name;
  if (family.type === "counter" && family.name.endsWith("_total")) return family.name.slice(0, -6);
  if (family.type === "info" && family.name.endsWith("_info")) return family.name.slice(0, -5);
  return family.name;
}

/**
 * Writes metric families in a format: `# HELP` and `# TYPE` for every family (and `# UNIT` in
 * OpenMetrics when a unit is given), then its samples; OpenMetrics ends with `# EOF`.
 *
 * @param families The families.
 * @param format The format.
 * @returns The exposition, ending with a line feed.
 * @example
 * ```ts
 * import { writeExposition } from "./exposition.ts";
 * writeExposition([{ name: "jobs_total", help: "Jobs done.", type: "counter", series: [{ labels: [], value: 2 }] }], "openmetrics");
 * // "# TYPE jobs counter\n# HELP jobs Jobs done.\njobs_total 2\n# EOF\n"
 * ```
 */
export function writeExposition(families: readonly MetricFamily[], format: ExpositionFormat): string {
  const lines: string[] = [];
  const openMetrics = format === "openmetrics";
  for (const family of families) {
    const name = familyName(family, format);
    const type = family.type === "info" && !openMetrics ? "gauge" : family.type;
    if (openMetrics) {
      lines.push(`# TYPE ${name} ${type}`);
      if (family.unit !== undefined) lines.push(`# UNIT ${name} ${family.unit}`);
      lines.push(`# HELP ${name} ${escapeHelp(family.help, format)}`);
    } else {
      lines.push(`# HELP ${name} ${escapeHelp(family.help, format)}`, `# TYPE ${name} ${type}`);
    }
    if (family.type !== "histogram") {
      for (const series of family.series) lines.push(`${family.name}${labelText(series.labels)} ${formatNumber(series.value)}`);
      continue;
    }
    for (const series of family.series) {
      let cumulative = 0;
      for (let index = 0; index <= family.bounds.length; index++) {
        cumulative += series.counts[index] ?? 0;
        const bound = index < family.bounds.length ? formatNumber(family.bounds[index] as number, openMetrics) : "+Inf";
        lines.push(`${family.name}_bucket${labelText(series.labels, ["le", bound])} ${formatNumber(cumulative)}`);
      }
      lines.push(`${family.name}_sum${labelText(series.labels)} ${formatNumber(series.sum)}`);
      lines.push(`${family.name}_count${labelText(series.labels)} ${formatNumber(series.count)}`);
    }
  }
  if (openMetrics) lines.push("# EOF");
  return `${lines.join("\n")}\n`;
}
