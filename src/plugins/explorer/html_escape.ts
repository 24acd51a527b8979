/**
 * Escaping for the two places the explorer page puts text of the service into its HTML: the
 * `<title>` and `data-` attributes on `<html>`. Everything else the page shows is put into the
 * DOM by its script with `textContent`.
 *
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML element content and for a quoted attribute value (either quote): `&`,
 * `<`, `>`, `"` and `'` become character references, so the text can neither end the attribute or
 * element it is in nor start a tag.
 *
 * @param text The text.
 * @returns The text, safe inside `<title>…</title>` or `attr="…"`.
 * @example
 * ```ts
 * import { escapeHtml } from "./html_escape.ts";
 * escapeHtml(`"><script>alert(1)</script>`); // "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}
