/**
 * The explorer page's HTML: a shell with the inline style and script, and the script's facts (the
 * JSON-RPC path, the token header) as escaped `data-` attributes of `<html>`. The methods come
 * from `rpc.discover` at run time, so the page always shows what the service answers.
 *
 * @module
 */

import { escapeHtml } from "./html_escape.ts";
import { PAGE_SCRIPT } from "./page_script.ts";
import { PAGE_STYLE } from "./page_style.ts";

/**
 * What the page is built from.
 *
 * @example
 * ```ts
 * import { renderPage, type PageData } from "./page.ts";
 * const data: PageData = { title: "orders", rpcUrl: "./api", documentUrl: "./docs/openrpc.json", tokenHeader: "X-Api-Token" };
 * renderPage(data).startsWith("<!doctype html>"); // true
 * ```
 */
export interface PageData {
  /** The service's name, for the `<title>` until the script has read `rpc.discover`. */
  readonly title: string;
  /** The JSON-RPC path, relative to the page (such as `./api`). */
  readonly rpcUrl: string;
  /** The OpenRPC document's URL, relative to the page. */
  readonly documentUrl: string;
  /** The header the service reads the API token from. */
  readonly tokenHeader: string;
}

/**
 * Builds the page: inline CSS ({@linkcode PAGE_STYLE}) and JavaScript ({@linkcode PAGE_SCRIPT}),
 * no external resource of any kind.
 *
 * @param data The service's facts, each escaped for where it goes.
 * @returns The HTML document.
 * @example
 * ```ts
 * import { renderPage } from "./page.ts";
 * const html = renderPage({ title: "<b>orders</b>", rpcUrl: "./api", documentUrl: "./docs/openrpc.json", tokenHeader: "X-Api-Token" });
 * html.includes("<title>&lt;b&gt;orders&lt;/b&gt; · API explorer</title>"); // true
 * ```
 */
export function renderPage(data: PageData): string {
  return `<!doctype html>
<html lang="en" data-rpc="${escapeHtml(data.rpcUrl)}" data-document="${escapeHtml(data.documentUrl)}" data-token-header="${escapeHtml(data.tokenHeader)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(data.title)} · API explorer</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<a class="skip" href="#methods">Skip to the methods</a>
<main id="app" aria-busy="true"><p>Reading the service's description…</p></main>
<noscript><p>This page needs JavaScript to read the service's rpc.discover.</p></noscript>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
