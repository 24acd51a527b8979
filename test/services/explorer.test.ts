// The explorer page in a real browser (headless Chromium driven by playwright-core): loaded from
// examples/website.ts on Node.js, Deno and Bun, it shows the service, calls a public method by
// position and by name, is refused on a private method and then, authorized, succeeds; its "copy
// as curl" commands run in a shell and give the same answers (a param with quotes and `$(…)`
// included); it composes a batch, downloads the OpenRPC document and works from the keyboard;
// with no console error and no request off loopback. A hostile service whose every text is a
// `<script>`, `<img onerror>` or `javascript:` payload runs none of them, and its typed forms send
// the right JSON types. The Node.js run takes the README's screenshot; UPDATE_SCREENSHOT=1 writes it to docs/explorer.png.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { z } from "zod";
import { type CallContext, serve, Service, type ServerHandle } from "../../mod.ts";
import { openapi } from "../../src/openapi/openapi.ts";
import { event, events, inProcess } from "../../src/events/mod.ts";
import { explorer } from "../../src/plugins/explorer/explorer.ts";
import { schemas } from "../../src/plugins/schemas/schemas.ts";
import { streams } from "../../src/plugins/streams/streams.ts";
import { until } from "../helpers.ts";
import { RUNTIMES, stopAll } from "../runtime/processes.ts";
import { startExample } from "../runtime/servers.ts";
import { isLoopback, launchChromium, type PageWatch, watchedPage } from "./browser.ts";
import { HOSTILE_METHOD, hostileService, PAYLOADS } from "./fixtures/hostile_service.ts";

after(stopAll);

const SCREENSHOT = fileURLToPath(new URL("../../docs/explorer.png", import.meta.url));
const TOKEN = "website_token";

/** A method's panel on the page. */
const method = (page: Page, name: string): Locator =>
  page.locator("details.method").filter({ has: page.locator("summary .name").getByText(name, { exact: true }) });

/** Opens a method's panel (by its summary, as a user would). */
async function open(panel: Locator): Promise<Locator> {
  if ((await panel.getAttribute("open")) === null) await panel.locator("summary").click();
  return panel;
}

/** Presses a button of a panel and reads the answer it shows: the status line and the JSON. */
async function press(panel: Locator, button: string): Promise<{ status: string; json: unknown }> {
  await panel.getByRole("button", { name: button, exact: true }).click();
  const status = panel.locator(".output .status").filter({ hasText: / ms$/ });
  await status.waitFor();
  return { status: await status.innerText(), json: JSON.parse(await panel.locator(".output pre").innerText()) as unknown };
}

/** The command "Copy as curl" shows for a panel. */
async function curlOf(panel: Locator): Promise<string> {
  await panel.getByRole("button", { name: "Copy as curl" }).click();
  return panel.locator(".curl-box pre.curl").innerText();
}

/** Runs a shell command (as a user pastes it) with no proxy settings, and parses its output. */
function runInShell(command: string): unknown {
  return JSON.parse(execFileSync("sh", ["-c", command], { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, timeout: 10_000, encoding: "utf8" }));
}

/** Asserts that nothing went wrong on the page and that nothing left loopback. */
function assertClean(watch: PageWatch): void {
  assert.deepEqual(watch.problems, [], "no console errors, page errors or CSP violations");
  assert.deepEqual(watch.dialogs, [], "no dialog opened");
  assert.deepEqual(watch.blocked, [], "no request for another host");
  assert.ok(watch.requests.length > 0);
  for (const url of watch.requests) assert.ok(isLoopback(url), `${url} is on loopback`);
}

describe("the explorer page in Chromium", { timeout: 240_000 }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser.close();
  });

  for (const runtime of RUNTIMES) {
    test(`examples/website.ts on ${runtime}: call, refuse, authorize, curl, batch, download, keyboard`, async () => {
      const server = await startExample(runtime, "examples/website.ts");
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.base}/docs`);
        await page.getByRole("heading", { level: 1, name: /website\.service/ }).waitFor();
        assert.equal(await page.title(), "website.service · API explorer");
        assert.equal(await page.locator("details.method").count(), 4);
        await page.keyboard.press("Tab");
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to the methods", "the skip link comes first");
        assert.equal(await method(page, "say_private_hello").locator(".badge").innerText(), "PRIVATE");

        // A public method, by name (the default for a method with named params), then by position.
        const hello = await open(method(page, "say_hello"));
        await hello.getByRole("textbox", { name: /^name\b/ }).fill('"world"');
        let answer = await press(hello, "Call say_hello");
        assert.match(answer.status, /^Result · \d+\.\d ms$/);
        assert.equal(answer.json, "hello world");
        assert.equal(JSON.stringify((watch.posts.at(-1) as { params?: unknown }).params), '{"name":"world"}', "sent by name");
        await hello.getByRole("radio", { name: /by position/ }).check();
        answer = await press(hello, "Call say_hello");
        assert.equal(answer.json, "hello world");
        assert.equal(JSON.stringify((watch.posts.at(-1) as { params?: unknown }).params), '["world"]', "sent by position");

        // "Copy as curl" (no token yet) runs in a shell as it is, even with quotes and $(…) in a param.
        const tricky = `it's "$(echo pwned)" \`id\` \\ $HOME`;
        await hello.getByRole("textbox", { name: /^name\b/ }).fill(JSON.stringify(tricky));
        let command = await curlOf(hello);
        assert.doesNotMatch(command, /X-Api-Token/i);
        assert.deepEqual(runInShell(command), { jsonrpc: "2.0", result: `hello ${tricky}`, id: 1 });

        // A private method: refused, then authorized.
        const secret = await open(method(page, "say_private_hello"));
        await secret.getByRole("textbox", { name: /^name\b/ }).fill('"you"');
        answer = await press(secret, "Call say_private_hello");
        assert.match(answer.status, /^Error -32001: /);
        assert.equal((answer.json as { code: number }).code, -32001);
        await page.getByLabel(/^API token/).fill(TOKEN);
        await page.getByRole("button", { name: "Authorize", exact: true }).click();
        await page.getByText(/^Authorized: /).waitFor();
        answer = await press(secret, "Call say_private_hello");
        assert.equal(answer.json, "this is secret: hello you");
        command = await curlOf(secret);
        assert.match(command, /-H 'X-Api-Token: website_token'/);
        assert.deepEqual(runInShell(command), { jsonrpc: "2.0", result: "this is secret: hello you", id: 1 });

        // A batch of three calls in one POST, each answer shown with its call.
        await hello.getByRole("textbox", { name: /^name\b/ }).fill('"batch"');
        await hello.getByRole("button", { name: "Add to batch" }).click();
        const stats = await open(method(page, "stats"));
        await stats.getByRole("button", { name: "Add to batch" }).click();
        await secret.getByRole("button", { name: "Add to batch" }).click();
        const batch = page.locator("section").filter({ has: page.getByRole("heading", { name: "Batch" }) });
        assert.equal(await batch.getByRole("list", { name: "Calls in the batch" }).getByRole("listitem").count(), 3);
        const posts = watch.posts.length;
        await batch.getByRole("button", { name: "Send the batch" }).click();
        const answers = batch.getByRole("list", { name: "Batch answers" }).getByRole("listitem");
        await answers.first().waitFor();
        assert.equal(await answers.count(), 3);
        assert.match(await answers.nth(0).innerText(), /say_hello\s+Result[\s\S]*"hello batch"/);
        assert.match(await answers.nth(1).innerText(), /stats\s+Result[\s\S]*"ticks"/);
        assert.match(await answers.nth(2).innerText(), /say_private_hello\s+Result[\s\S]*"this is secret: hello you"/);
        const sent = watch.posts.slice(posts);
        assert.equal(sent.length, 1, "one POST");
        assert.deepEqual((sent[0] as { method: string }[]).map((call) => call.method), ["say_hello", "stats", "say_private_hello"]);

        // The OpenRPC document, downloaded, is what rpc.discover answers.
        const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the OpenRPC document" }).click()]);
        const downloaded = JSON.parse(readFileSync(await download.path(), "utf8")) as unknown;
        const discovered = await (await fetch(`${server.base}/api`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"jsonrpc":"2.0","method":"rpc.discover","id":1}',
        })).json() as { result: unknown };
        assert.deepEqual(downloaded, discovered.result);

        // The keyboard alone: open a method and call it.
        const wait = method(page, "wait");
        await wait.locator("summary").focus();
        await page.keyboard.press("Enter");
        assert.notEqual(await wait.getAttribute("open"), null, "Enter opens a method");
        await page.keyboard.press("Tab");
        await page.keyboard.type("5");
        for (let i = 0; i < 2; i++) await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const element = document.activeElement as HTMLElement;
          return { text: element.textContent, outline: getComputedStyle(element).outlineStyle };
        });
        assert.deepEqual(focused, { text: "Call wait", outline: "solid" }, "Tab reaches the call button, with a visible focus ring");
        await page.keyboard.press("Enter");
        await wait.locator(".output .status").filter({ hasText: / ms$/ }).waitFor();
        assert.equal(await wait.locator(".output pre").innerText(), "5");

        // The token is kept for the tab (a reload keeps it), and no other tab gets it.
        await page.reload();
        await page.getByText(/^Authorized: /).waitFor();
        const other = await watchedPage(browser);
        try {
          await other.page.goto(`${server.base}/docs`);
          await other.page.getByText(/^Not authorized: /).waitFor();
          assertClean(other.watch);
        } finally {
          await other.context.close();
        }

        if (runtime === "node") {
          // The README's screenshot: the service, authorized, with an answer shown.
          const shown = await open(method(page, "say_hello"));
          await shown.getByRole("textbox", { name: /^name\b/ }).fill('"world"');
          await press(shown, "Call say_hello");
          await page.evaluate(() => scrollTo(0, 0));
          // Written to docs/ only when asked (UPDATE_SCREENSHOT=1): the port in it changes every run.
          const png = await page.screenshot(process.env["UPDATE_SCREENSHOT"] === "1" ? { path: SCREENSHOT } : {});
          assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "the screenshot is a PNG");
        }
        assertClean(watch);
      } finally {
        await context.close();
        await server.process.stop();
      }
    });
  }

  test("an object-schema method: its shape, idempotency, scopes and events shown, its params sent by name", async () => {
    const order = z.object({ id: z.string(), total: z.number(), note: z.string().optional() });
    const service = new Service({ name: "orders.service" })
      .use(schemas())
      .use(events({ transport: inProcess(), emits: { "order.created": event({ description: "An order was created", schema: z.object({ id: z.string() }) }) } }))
      .use(explorer())
      .publicMethod("create_order", (input: z.infer<typeof order>) => input, { input: order, output: order, idempotent: true })
      .privateMethod("cancel_order", (id: string) => id, { scopes: ["orders:write", "orders:cancel"] });
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    const { context, page, watch } = await watchedPage(browser);
    try {
      await page.goto(`${server.url}/docs`);
      const create = await open(method(page, "create_order"));
      assert.equal(await create.locator("summary .signature").innerText(), "(id: string, total: number, note?: string) → { id: string, total: number, note?: string }");
      assert.deepEqual(await create.locator("summary .badge").allInnerTexts(), ["PUBLIC", "IDEMPOTENT"]);
      await create.getByRole("textbox", { name: /^id\b/ }).fill("o1");
      await create.getByRole("spinbutton", { name: /^total\b/ }).fill("12");
      const answer = await press(create, "Call create_order");
      assert.deepEqual(answer.json, { id: "o1", total: 12 });
      assert.deepEqual((watch.posts.at(-1) as { params: unknown }).params, { id: "o1", total: 12 }, "by name");
      const eventsSection = page.locator("section#events");
      assert.match(await eventsSection.getByRole("heading").innerText(), /^Events \(1\)$/);
      assert.match(await eventsSection.getByRole("listitem").innerText(), /order\.created\s+\{ id: string \}\s+An order was created/);
      // A method's scopes are named where it says it needs a token.
      const cancel = await open(method(page, "cancel_order"));
      assert.deepEqual(await cancel.locator("summary .badge").allInnerTexts(), ["PRIVATE"]);
      assert.equal(await cancel.locator(".note.scopes").innerText(), "Needs a token with the scopes orders:write, orders:cancel: authorize above.");
      assertClean(watch);
    } finally {
      await context.close();
      await server.close();
    }
  });

  test("a method's declared errors are listed in its panel, code and message, as text; openapi()'s document is linked", async () => {
    const service = new Service({ name: "orders.service" })
      .use(explorer())
      .use(openapi())
      .publicMethod("get_order", (id: string) => ({ id }), {
        errors: { NOT_FOUND: { code: 1404, message: "No such order" }, ODD: { code: 1409, message: "<b>Out</b> of stock" } },
      })
      .publicMethod("ping", () => "pong");
    const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    const { context, page, watch } = await watchedPage(browser);
    try {
      await page.goto(`${server.url}/docs`);
      const getOrder = await open(method(page, "get_order"));
      assert.deepEqual(await getOrder.locator(".errors li").allInnerTexts(), ["1404 No such order", "1409 <b>Out</b> of stock"]);
      const ping = await open(method(page, "ping"));
      assert.equal(await ping.locator(".errors").count(), 0);
      assert.equal(await page.getByRole("link", { name: "OpenAPI document (JSON)" }).getAttribute("href"), `${server.url}/openapi.json`);
      assertClean(watch);
    } finally {
      await context.close();
      await server.close();
    }
  });

  test("an x-openapi on another origin, or not a URL, is not linked", async () => {
    for (const target of ["https://elsewhere.example/openapi.json", "javascript:alert(1)", "http://[bad"]) {
      const service = new Service({ name: "s" }).use(explorer()).use({ name: "liar", discover: () => ({ "x-openapi": target }) }).publicMethod("ping", () => "pong");
      const server = await serve(service, { hostname: "127.0.0.1", port: 0 });
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.url}/docs`);
        await method(page, "ping").waitFor();
        assert.equal(await page.getByRole("link", { name: "OpenAPI document (JSON)" }).count(), 0, target);
        assertClean(watch);
      } finally {
        await context.close();
        await server.close();
      }
    }
  });

  describe("a streaming method", () => {
    // Each item waits for the test to let it go, so the page is seen between two items.
    const gates: (() => void)[] = [];
    const gate = (signal: AbortSignal | undefined) => new Promise<void>((resolve) => {
      gates.push(resolve);
      signal?.addEventListener("abort", () => {
        gates.splice(gates.indexOf(resolve), 1);
        resolve();
      }, { once: true });
    });
    let finished = 0;
    const service = new Service({ name: "feed.service" })
      .use(schemas())
      .use(explorer())
      .use(streams())
      .publicMethod("ticks", async function* (count: number, ctx: CallContext) {
        try {
          for (let tick = 1; tick <= count; tick++) {
            await gate(ctx.signal);
            if (ctx.signal?.aborted === true) return "stopped";
            yield { tick };
          }
          await gate(ctx.signal); // the result too waits to be let go
          return `${count} ticks`;
        } finally {
          finished++;
        }
      }, { context: true, output: z.object({ tick: z.number() }) })
      .publicMethod("paced", async function* (count: number) {
        for (let tick = 1; tick <= count; tick++) {
          await new Promise((resolve) => setTimeout(resolve, 30));
          yield tick;
        }
        return "done";
      });
    let server: ServerHandle;
    before(async () => {
      server = await serve(service, { hostname: "127.0.0.1", port: 0 });
    });
    after(async () => {
      await server.close();
    });
    /** Lets the generator, waiting on its gate, yield its next item. */
    async function release(): Promise<void> {
      await until(() => gates.length > 0);
      (gates.shift() as () => void)();
    }

    test("its items appear one by one as they arrive, then its result; Stop ends it on the service", async () => {
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.url}/docs`);
        const ticks = await open(method(page, "ticks"));
        assert.deepEqual(await ticks.locator("summary .badge").allInnerTexts(), ["PUBLIC", "STREAM"]);
        assert.equal(await ticks.locator("summary .signature").innerText(), "(count: any) → stream of { tick: number }");
        assert.equal(await ticks.getByRole("button", { name: "Add to batch" }).count(), 0, "a batch cannot carry a stream");
        const curl = await curlOf(ticks);
        assert.match(curl, /-N -H 'Accept: text\/event-stream'/);

        // Three items, each let go by the test: the page shows each before the next exists.
        await ticks.getByRole("textbox", { name: /^count\b/ }).fill("3");
        await ticks.getByRole("button", { name: "Call ticks", exact: true }).click();
        const items = ticks.getByRole("list", { name: "Items" }).getByRole("listitem");
        for (let shown = 1; shown <= 3; shown++) {
          await release();
          await items.nth(shown - 1).waitFor();
          assert.equal(await items.count(), shown);
          assert.equal(await items.nth(shown - 1).innerText(), JSON.stringify({ tick: shown }));
          assert.equal(await ticks.locator(".output .status").first().innerText(), `Streaming… ${shown} items`);
          assert.equal(await ticks.getByRole("button", { name: "Stop" }).count(), 1);
        }
        await release();
        const status = ticks.locator(".output .status").filter({ hasText: / ms$/ });
        await status.waitFor();
        assert.match(await status.innerText(), /^Result · 3 items · \d+\.\d ms$/);
        assert.equal(await ticks.locator(".output pre").innerText(), '"3 ticks"');
        assert.equal(await items.count(), 3, "the items stay listed under the result");
        assert.equal(await ticks.getByRole("button", { name: "Stop" }).count(), 0);
        assert.equal(finished, 1);
        const sent = watch.posts.at(-1) as { method: string; params: unknown };
        assert.deepEqual([sent.method, sent.params], ["ticks", { count: 3 }]);

        // A long stream stopped after two items: the generator's finally runs on the service.
        await ticks.getByRole("textbox", { name: /^count\b/ }).fill("1000");
        await ticks.getByRole("button", { name: "Call ticks", exact: true }).click();
        for (let shown = 1; shown <= 2; shown++) {
          await release();
          await items.nth(shown - 1).waitFor();
        }
        await until(() => gates.length > 0); // waiting for the third
        await ticks.getByRole("button", { name: "Stop" }).click();
        await until(() => finished === 2);
        const stopped = ticks.locator(".output .status").filter({ hasText: / ms$/ });
        await stopped.waitFor();
        assert.match(await stopped.innerText(), /^Stopped · 2 items · \d+\.\d ms$/);
        assert.equal(await items.count(), 2);
        assert.equal(gates.length, 0, "the stopped generator's wait ended with its signal");
        assertClean(watch);
      } finally {
        await context.close();
      }
    });

    test("Chromium reads a stream with fetch: the POST's Server-Sent Events body, chunk by chunk", async () => {
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.url}/docs`);
        const read = await page.evaluate(async () => {
          const response = await fetch("/api", {
            method: "POST",
            headers: { "content-type": "application/json", accept: "text/event-stream" },
            body: JSON.stringify({ jsonrpc: "2.0", method: "paced", params: [4], id: 9 }),
          });
          const reader = (response.body as ReadableStream<Uint8Array>).getReader();
          const decoder = new TextDecoder();
          const seen: number[] = [];
          let text = "";
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            text += decoder.decode(chunk.value, { stream: true });
            // How many items had come by each chunk.
            seen.push((text.match(/^data: \d+$/gm) ?? []).length);
          }
          return { type: response.headers.get("content-type"), text, seen };
        });
        assert.equal(read.type, "text/event-stream");
        const events = read.text.split("\n\n").filter((event) => /^(id|event|data):/m.test(event));
        assert.deepEqual(events, ["id: 1\ndata: 1", "id: 2\ndata: 2", "id: 3\ndata: 3", "id: 4\ndata: 4", 'event: response\ndata: {"jsonrpc":"2.0","result":"done","id":9}']);
        // Items 30 ms apart arrive in chunks of their own: the page saw 1, 2, 3 and 4 items.
        for (const count of [1, 2, 3, 4]) assert.ok(read.seen.includes(count), `a chunk ended with ${count} items: ${read.seen.join(", ")}`);
        assertClean(watch);
      } finally {
        await context.close();
      }
    });
  });

  describe("a hostile service", () => {
    let server: ServerHandle;
    before(async () => {
      server = await serve(hostileService().use(explorer()), { hostname: "127.0.0.1", port: 0 });
    });
    after(async () => {
      await server.close();
    });

    test("its names, descriptions, schema titles, results and errors are shown as text and run nothing", async () => {
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.url}/docs`);
        await page.getByRole("heading", { level: 1 }).getByText(PAYLOADS.image, { exact: true }).waitFor();
        assert.equal(await page.title(), `${PAYLOADS.image} · API explorer`);
        for (const summary of await page.locator("details.method > summary").all()) await summary.click();

        const hostile = method(page, HOSTILE_METHOD);
        await hostile.getByRole("textbox", { name: PAYLOADS.image }).fill(JSON.stringify(PAYLOADS.svg));
        await hostile.getByRole("textbox", { name: PAYLOADS.link }).fill(JSON.stringify(PAYLOADS.link));
        const answer = await press(hostile, `Call ${HOSTILE_METHOD}`);
        assert.deepEqual(answer.json, { first: PAYLOADS.svg, second: PAYLOADS.link, ...PAYLOADS });
        await hostile.getByRole("button", { name: "Add to batch" }).click();

        const fails = method(page, "fails");
        const failed = await press(fails, "Call fails");
        assert.equal(failed.status.replace(/ · .*$/, ""), `Error -32050: ${PAYLOADS.image}`);
        assert.deepEqual(failed.json, { code: -32050, message: PAYLOADS.image, data: { html: PAYLOADS.script, link: PAYLOADS.link } });
        await fails.getByRole("button", { name: "Add to batch" }).click();
        const batch = page.locator("section").filter({ has: page.getByRole("heading", { name: "Batch" }) });
        await batch.getByRole("button", { name: "Send the batch" }).click();
        await batch.getByRole("list", { name: "Batch answers" }).getByRole("listitem").nth(1).waitFor();

        const seen = await page.evaluate(() => ({
          pwned: (window as unknown as { __pwned?: unknown }).__pwned,
          elements: document.querySelectorAll("img, svg, iframe, object, embed, video, audio, base, meta[http-equiv]").length,
          scripts: document.scripts.length,
          links: [...document.querySelectorAll("a")].map((link) => link.href),
          handlers: [...document.querySelectorAll("*")].flatMap((element) => element.getAttributeNames().filter((name) => name.startsWith("on"))),
          text: document.body.innerText,
        }));
        assert.equal(seen.pwned, undefined, "no payload ran");
        assert.equal(seen.elements, 0, "no element made of the service's markup");
        assert.equal(seen.scripts, 1, "only the page's own script");
        assert.deepEqual(seen.handlers, [], "no inline event handler");
        for (const href of seen.links) assert.ok(href.startsWith("blob:") || new URL(href).origin === server.url, href);
        for (const payload of Object.values(PAYLOADS)) assert.ok(seen.text.includes(payload), `shown as text: ${payload}`);
        assertClean(watch);
      } finally {
        await context.close();
      }
    });

    test("a typed form sends strings, integers, booleans, enum values and JSON objects as such", async () => {
      const { context, page, watch } = await watchedPage(browser);
      try {
        await page.goto(`${server.url}/docs`);
        const echo = await open(method(page, "echo"));
        const text = echo.getByRole("textbox", { name: /^text\b/ });
        assert.equal(await text.getAttribute("aria-describedby") !== null, true, "the schema's title and description describe it");
        await text.fill("a <b>bold</b> text");
        await echo.getByRole("spinbutton", { name: /^count\b/ }).fill("42");
        await echo.getByRole("combobox", { name: /^flag\b/ }).selectOption({ label: "false" });
        await echo.getByRole("combobox", { name: /^color\b/ }).selectOption({ label: PAYLOADS.image });
        let answer = await press(echo, "Call echo");
        assert.deepEqual(answer.json, { text: "a <b>bold</b> text", count: 42, flag: false, color: PAYLOADS.image });
        assert.deepEqual((watch.posts.at(-1) as { params: unknown }).params, { text: "a <b>bold</b> text", count: 42, flag: false, color: PAYLOADS.image }, "by name, the default");
        await echo.getByRole("textbox", { name: /^extra\b/ }).fill('{"a": 1.5}');
        await echo.getByRole("radio", { name: /by position/ }).check();
        answer = await press(echo, "Call echo");
        assert.deepEqual((watch.posts.at(-1) as { params: unknown }).params, ["a <b>bold</b> text", 42, false, PAYLOADS.image, { a: 1.5 }]);
        assert.deepEqual(answer.json, { text: "a <b>bold</b> text", count: 42, flag: false, color: PAYLOADS.image, extra: { a: 1.5 } });
        // The server's schema check still has the last word: a wrong type is its -32602.
        await echo.getByRole("textbox", { name: /^extra\b/ }).fill('{"a": "no"}');
        answer = await press(echo, "Call echo");
        assert.match(answer.status, /^Error -32602: /);
        // JSON that does not parse is not sent.
        const before = watch.posts.length;
        await echo.getByRole("textbox", { name: /^extra\b/ }).fill("{not json");
        await echo.getByRole("button", { name: "Call echo" }).click();
        await echo.getByRole("alert").getByText("extra is not valid JSON").waitFor();
        assert.equal(watch.posts.length, before);
        assertClean(watch);
      } finally {
        await context.close();
      }
    });
  });
});
