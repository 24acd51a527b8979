/**
 * Headless Chromium for the service suites (Debian's `chromium` package, driven by playwright-core,
 * whose own browser downloads cannot work here), and a page that is watched: console errors, page
 * errors, dialogs, CSP violations and every request are recorded, and a request to anything but
 * the loopback address is refused before it leaves.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Starts headless Chromium.
 *
 * @returns The browser; close it when done.
 * @throws {Error} When /usr/bin/chromium is missing, naming the Debian package to install.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is not installed: apt-get install -y --no-install-recommends chromium (npm run test:services needs it)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"], timeout: 30_000 });
}

/** What happened on a watched page. */
export interface PageWatch {
  /** Console errors and warnings, uncaught page errors and CSP violations. */
  readonly problems: string[];
  /** The URL of every request the page made. */
  readonly requests: string[];
  /** The requests refused because they were not for the loopback address. */
  readonly blocked: string[];
  /** The messages of the dialogs (alert, confirm, prompt) the page opened. */
  readonly dialogs: string[];
  /** The JSON body of every POST, in order. */
  readonly posts: unknown[];
}

/** A page of its own context (its own session storage), watched. */
export interface WatchedPage {
  /** The context; close it when done. */
  readonly context: BrowserContext;
  /** The page, 1280×900. */
  readonly page: Page;
  /** What it did. */
  readonly watch: PageWatch;
}

/**
 * Tells whether a URL is for the loopback address (a `blob:` URL by its origin).
 *
 * @param url The URL.
 * @returns `true` for http(s) on 127.0.0.1, localhost or [::1].
 */
export function isLoopback(url: string): boolean {
  let parsed = new URL(url);
  if (parsed.protocol === "blob:") parsed = new URL(parsed.pathname);
  return (parsed.protocol === "http:" || parsed.protocol === "https:") && ["127.0.0.1", "localhost", "[::1]"].includes(parsed.hostname);
}

/**
 * Opens a page in a new context, recording what it does and refusing any request off loopback.
 *
 * @param browser The browser.
 * @returns The page, its context and its record.
 */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const watch: PageWatch = { problems: [], requests: [], blocked: [], dialogs: [], posts: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, colorScheme: "light" });
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    watch.blocked.push(url);
    return route.abort("blockedbyclient");
  });
  // Runs before the page's own script (injected by the driver, not subject to the page's CSP).
  await context.addInitScript(() => {
    addEventListener("securitypolicyviolation", (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") watch.problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => watch.problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("request", (request) => {
    watch.requests.push(request.url());
    if (request.method() === "POST") watch.posts.push(request.postDataJSON());
  });
  return { context, page, watch };
}
