/**
 * Escaping for the two places the explorer puts service text in its HTML (`<title>`, `data-`
 * attributes); everything else goes in through `textContent`.
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
 * Escapes `&`, `<`, `>`, `"` and `'` for element content and quoted attributes (either quote), so
 * the text can neither end its attribute or element nor start a tag.
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
