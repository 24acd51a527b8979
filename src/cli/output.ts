/**
 * How the command writes values and tables: JSON indented for people on a terminal and on one
 * line for programs reading a pipe; tables as aligned plain text.
 *
 * @module
 */

import { escapeJsonControls } from "./terminal_text.ts";

/**
 * Writes a value as JSON: indented by two spaces when `pretty`, on one line otherwise. A value
 * JSON cannot hold (`undefined`, a method that answered nothing) is written as `null`. Every
 * control character in its strings is escaped (`JSON.stringify` escapes C0 but leaves DEL, C1,
 * bidirectional controls and the line separators), so a value from a service cannot drive the
 * terminal; the JSON still reads back as the same value.
 *
 * @param value The value.
 * @param pretty Whether to indent.
 * @returns The JSON text, without a trailing newline.
 * @example
 * ```ts
 * import { formatJson } from "./output.ts";
 * formatJson({ a: [1, 2] }, false); // '{"a":[1,2]}'
 * formatJson({ a: 1 }, true); // '{\n  "a": 1\n}'
 * formatJson("\u009b2J", false); // '"\\u009b2J"'
 * ```
 */
export function formatJson(value: unknown, pretty: boolean): string {
  return value === undefined ? "null" : escapeJsonControls(JSON.stringify(value, null, pretty ? 2 : undefined));
}

/**
 * Lays out rows as columns separated by two spaces, each as wide as its widest cell; the last
 * column is not padded, so lines carry no trailing spaces.
 *
 * @param rows The rows, the header row first; every row has the same number of cells.
 * @returns The lines, joined with newlines (no trailing newline).
 * @example
 * ```ts
 * import { formatTable } from "./output.ts";
 * formatTable([["METHOD", "RESULT"], ["say_hello", "string"]]);
 * // "METHOD     RESULT\nsay_hello  string"
 * ```
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join("  ").trimEnd())
    .join("\n");
}
