// The explorer() plugin: the page at /docs (or its own path) with a Content-Security-Policy whose
// hashes match the inline script and style of the very body served; HEAD, 405, the trailing-slash
// redirect and the OpenRPC document next to it; the service's facts escaped where the HTML holds
// them; a page script that never parses markup or code; and CORS preflights for its paths.
// (The page itself runs in a real browser in test/services/explorer.test.ts.)
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { runInNewContext, Script } from "node:vm";
import { z } from "zod";
import { Service } from "../mod.ts";
import { event, events, inProcess } from "../src/events/mod.ts";
import { cors } from "../src/plugins/cors.ts";
import { hashSource } from "../src/plugins/explorer/content_security_policy.ts";
import { DEFAULT_EXPLORER_PATH, explorer, pageHashes } from "../src/plugins/explorer/explorer.ts";
import { escapeHtml } from "../src/plugins/explorer/html_escape.ts";
import { renderPage } from "../src/plugins/explorer/page.ts";
import { PAGE_SCRIPT } from "../src/plugins/explorer/page_script.ts";
import { PAGE_STYLE } from "../src/plugins/explorer/page_style.ts";
import { relativeUrl } from "../src/plugins/explorer/relative_url.ts";
import { schemas } from "../src/plugins/schemas/schemas.ts";

const get = (service: Service, path: string, method = "GET", headers: Record<string, string> = {}): Promise<Response> =>
  service.fetch(new Request(`http://localhost${path}`, { method, headers }));

/** The CSP's directives, by name. */
function directives(policy: string): Map<string, string> {
  return new Map(policy.split(";").map((part) => part.trim()).filter(Boolean).map((part) => {
    const space = part.indexOf(" ");
    return [part.slice(0, space), part.slice(space + 1)];
  }));
}

/** The one element of a kind in an HTML text: its content. */
function only(html: string, tag: string): string {
  const found = [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))];
  assert.equal(found.length, 1, `one <${tag}>`);
  return found[0]![1]!;
}

/** The SHA-256 source of a text, by node:crypto (independently of the plugin's crypto.subtle). */
const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** Reads back an attribute value the way an HTML parser does for the five escapes. */
function attribute(html: string, name: string): string | undefined {
  const raw = new RegExp(`\\s${name}="([^"]*)"`).exec(html)?.[1];
  return raw?.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[entity] ?? "");
}

describe("explorer page", () => {
  test("GET /docs: the HTML page with a CSP whose hashes are those of its own inline script and style", async () => {
    const response = await get(new Service({ name: "orders" }).use(explorer()).publicMethod("ping", () => "pong"), DEFAULT_EXPLORER_PATH);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    const html = await response.text();
    const policy = directives(response.headers.get("content-security-policy") ?? "");
    assert.equal(policy.get("default-src"), "'none'");
    assert.equal(policy.get("script-src"), sha256(only(html, "script")));
    assert.equal(policy.get("style-src"), sha256(only(html, "style")));
    assert.equal(policy.get("connect-src"), "'self'");
    assert.equal(policy.get("img-src"), "'none'");
    assert.equal(policy.get("base-uri"), "'none'");
    assert.equal(policy.get("form-action"), "'none'");
    assert.equal(policy.get("frame-ancestors"), "'none'");
    assert.doesNotMatch(response.headers.get("content-security-policy") ?? "", /unsafe|\*|http/);
    assert.equal(only(html, "script"), PAGE_SCRIPT);
    assert.equal(only(html, "style"), PAGE_STYLE);
    assert.equal(response.headers.get("content-length"), String(Buffer.byteLength(html)));
    assert.deepEqual(await pageHashes(), { script: sha256(PAGE_SCRIPT), style: sha256(PAGE_STYLE) });
    assert.equal(await hashSource(""), sha256(""));
  });

  test("HEAD has the page's headers and no body; other methods are 405", async () => {
    const service = new Service({ name: "s" }).use(explorer());
    const page = await get(service, "/docs");
    const head = await get(service, "/docs", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    for (const name of ["content-type", "content-length", "content-security-policy", "x-content-type-options", "referrer-policy"]) {
      assert.equal(head.headers.get(name), page.headers.get(name), name);
    }
    for (const method of ["POST", "PUT", "DELETE"]) {
      const refused = await get(service, "/docs", method);
      assert.equal(refused.status, 405, method);
      assert.equal(refused.headers.get("allow"), "GET, HEAD");
      assert.equal(refused.headers.get("x-content-type-options"), "nosniff");
      assert.equal(refused.headers.get("content-type"), "text/plain;charset=UTF-8");
      assert.equal(await refused.text(), "Method Not Allowed");
    }
    assert.equal(page.headers.get("cache-control"), "no-cache", "asked again each time, so a new version of the service shows");
    assert.equal((await get(service, "/docs/openrpc.json", "POST")).status, 405);
  });

  test("the path option moves the page and its document; a trailing slash redirects to the page", async () => {
    const service = new Service({ name: "s", path: "/rpc" }).use(explorer({ path: "/tools/explorer" }));
    assert.equal((await get(service, "/tools/explorer")).status, 200);
    assert.equal((await get(service, "/docs")).status, 404);
    assert.equal((await get(service, "/tools/explorer/other")).status, 404);
    const slashed = await get(service, "/tools/explorer/");
    assert.equal(slashed.status, 308);
    assert.equal(new URL(slashed.headers.get("location") ?? "", "http://localhost/tools/explorer/").pathname, "/tools/explorer");
    const html = await (await get(service, "/tools/explorer")).text();
    // The page finds the JSON-RPC path and the document relative to itself.
    assert.equal(new URL(attribute(html, "data-rpc") ?? "", "http://localhost/tools/explorer").pathname, "/rpc");
    assert.equal(new URL(attribute(html, "data-document") ?? "", "http://localhost/tools/explorer").pathname, "/tools/explorer/openrpc.json");
    assert.equal((await get(new Service({ name: "s" }).use(explorer({ path: "/" })), "/")).status, 200);
    assert.throws(() => explorer({ path: "docs" }), /must start with "\/"/);
    assert.throws(() => new Service({ name: "s" }).use(explorer({ path: "/api" })), /differ from the service path/);
    assert.throws(() => new Service({ name: "s", path: "/docs/openrpc.json" }).use(explorer()), /differ from the service path/);
    assert.equal((await get(new Service({ name: "s" }), "/docs")).status, 404, "no page without the plugin");
  });

  test("the OpenRPC document at /docs/openrpc.json is what rpc.discover answers", async () => {
    const service = new Service({ name: "orders", version: "2.0.0", description: "Orders." })
      .use(explorer())
      .publicMethod("add", (a: number, b: number) => a + b)
      .privateMethod("secret", () => 42);
    const response = await get(service, "/docs/openrpc.json");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    const discovered = await service.handle({ jsonrpc: "2.0", method: "rpc.discover", id: 1 }) as { result: unknown };
    assert.equal(await response.clone().text(), `${JSON.stringify(discovered.result, null, 2)}\n`, "pretty-printed, two spaces, a final newline");
    assert.deepEqual(await response.json(), discovered.result);
    const head = await get(service, "/docs/openrpc.json", "HEAD");
    assert.equal(await head.text(), "");
    assert.equal(head.headers.get("content-length"), response.headers.get("content-length"));
  });

  test("the service's name, path and token header are escaped where the HTML holds them", async () => {
    const name = `</title><script>alert(1)</script><img src=x onerror="alert(2)">`;
    const path = `/r"><script>alert(3)</script>'&`;
    const apiTokenHeader = `X-"onmouseover="alert(4)`;
    const service = new Service({ name, path, apiTokenHeader }).use(explorer());
    const html = await (await get(service, "/docs")).text();
    assert.equal((html.match(/<script/g) ?? []).length, 1, "only the page's own script");
    assert.equal((html.match(/<\/script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /<img|onerror="|onmouseover="/, "no tag or attribute of the service's own");
    assert.equal(only(html, "title"), `${escapeHtml(name)} · API explorer`);
    assert.equal(new URL(attribute(html, "data-rpc") ?? "", "http://localhost/docs").pathname, new URL(path, "http://localhost").pathname);
    assert.equal(attribute(html, "data-token-header"), apiTokenHeader);
    assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
    assert.equal(escapeHtml("plain text"), "plain text");
    const page = renderPage({ title: "t", rpcUrl: `./a"b`, documentUrl: "./d", tokenHeader: "h" });
    assert.match(page, /data-rpc="\.\/a&quot;b"/);
  });

  test("the page's style follows the system's light or dark mode and shows the focus", async () => {
    const html = await (await get(new Service({ name: "s" }).use(explorer()), "/docs")).text();
    assert.equal(only(html, "style"), PAGE_STYLE);
    assert.match(PAGE_STYLE, /color-scheme:light dark/);
    assert.match(PAGE_STYLE, /prefers-color-scheme:\s*dark/);
    assert.match(PAGE_STYLE, /:focus-visible\{[^}]*outline/);
  });

  test("the page's script compiles, and never parses markup or code, nor names another origin", () => {
    assert.doesNotThrow(() => new Script(PAGE_SCRIPT, { filename: "explorer page" }));
    for (const forbidden of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "setTimeout(\"", "http:", "https:", "//cdn"]) {
      assert.equal(PAGE_SCRIPT.includes(forbidden), false, forbidden);
    }
    // No fonts, images or imports from anywhere.
    assert.doesNotMatch(PAGE_STYLE, /url\(|@import|@font-face/);
  });

  test("relative URLs from the page to the service's paths", () => {
    assert.equal(relativeUrl("/docs", "/api"), "./api");
    assert.equal(relativeUrl("/docs", "/docs/openrpc.json"), "./docs/openrpc.json");
    assert.equal(relativeUrl("/tools/docs", "/api"), "../api");
    assert.equal(relativeUrl("/a/b/docs", "/a/rpc"), "../rpc");
    assert.equal(relativeUrl("/a/docs", "/a/b/rpc"), "./b/rpc");
    assert.equal(relativeUrl("/", "/"), "./");
    assert.equal(relativeUrl("/docs", "/x:y"), "./x:y", "never a scheme");
    for (const [from, to] of [["/docs", "/api"], ["/a/b/c", "/a/x/y"], ["/a/b/", "/a/b/c"], ["/x", "/"], ["/p/q", "/p/q"]] as const) {
      assert.equal(new URL(relativeUrl(from, to), `http://h${from}`).pathname, to, `${from} → ${to}`);
    }
    assert.throws(() => relativeUrl("docs", "/api"), TypeError);
    assert.throws(() => relativeUrl("/docs", "api"), { name: "TypeError", message: 'Paths must start with "/", got /docs and api' });
    assert.equal(relativeUrl("/a/b/docs", "/a/b"), "../b", "the target's last segment is what it names, never shared");
    assert.equal(relativeUrl("/a/docs", "/a"), "../a");
  });

  test("with cors(), a preflight for the page's paths from an allowed origin names GET and HEAD", async () => {
    const service = new Service({ name: "s" }).use(cors({ origins: ["http://localhost:3000"] })).use(explorer());
    for (const path of ["/docs", "/docs/openrpc.json"]) {
      const preflight = await get(service, path, "OPTIONS", { origin: "http://localhost:3000", "access-control-request-method": "GET" });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get("access-control-allow-methods"), "GET, HEAD");
    }
    const page = await get(service, "/docs", "GET", { origin: "http://localhost:3000" });
    assert.equal(page.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.ok(page.headers.get("content-security-policy"));
  });
});

/**
 * The least of a DOM the page's script needs, to run it in process (the real browser runs it in
 * test/services/explorer.test.ts): elements with attributes, children, text, values and listeners.
 */
class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly listeners = new Map<string, ((event: unknown) => unknown)[]>();
  children: (FakeElement | string)[] = [];
  value = "";
  hidden = false;
  disabled = false;
  readonly validity = { badInput: false };
  constructor(readonly tag: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
    if (name === "checked") this.checked = true;
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  checked = false;
  addEventListener(type: string, listener: (event: unknown) => unknown): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  append(...children: (FakeElement | string)[]): void {
    this.children.push(...children);
  }
  replaceChildren(...children: (FakeElement | string)[]): void {
    this.children = [];
    this.append(...children);
  }
  get lastChild(): FakeElement | string | undefined {
    return this.children.at(-1);
  }
  get textContent(): string {
    return this.children.map((child) => (typeof child === "string" ? child : child.textContent)).join("");
  }
  set textContent(text: string) {
    this.children = [text];
  }
  /** Every element below this one (depth first) that passes `test`. */
  all(test: (element: FakeElement) => boolean): FakeElement[] {
    const found: FakeElement[] = [];
    for (const child of this.children) {
      if (typeof child === "string") continue;
      if (test(child)) found.push(child);
      found.push(...child.all(test));
    }
    return found;
  }
  async fire(type: string): Promise<void> {
    for (const listener of this.listeners.get(type) ?? []) await listener({ preventDefault: () => undefined });
  }
}

/** Runs the page's script against a service in process; resolves when the page is built. */
async function runPage(service: Service): Promise<{ app: FakeElement; posts: unknown[] }> {
  const html = await (await get(service, "/docs")).text();
  const root = new FakeElement("html");
  for (const name of ["data-rpc", "data-document", "data-token-header"]) {
    const value = attribute(html, name);
    if (value !== undefined) root.setAttribute(name, value);
  }
  const app = new FakeElement("main");
  app.setAttribute("aria-busy", "true");
  const posts: unknown[] = [];
  const document = { documentElement: root, getElementById: () => app, createElement: (tag: string) => new FakeElement(tag), title: "" };
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    posts.push(JSON.parse(init.body as string));
    return service.fetch(new Request(url, init));
  };
  const sessionStorage = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
  runInNewContext(PAGE_SCRIPT, { document, location: { href: "http://localhost/docs" }, sessionStorage, fetch, performance, URL, Blob, console });
  for (let turn = 0; turn < 1000 && app.getAttribute("aria-busy") !== null; turn++) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(app.getAttribute("aria-busy"), null, "the page was built");
  return { app, posts };
}

const panelOf = (app: FakeElement, name: string): FakeElement => {
  const panel = app.all((element) => element.tag === "details" && element.all((inner) => inner.attributes.get("class") === "name mono" && inner.textContent === name).length > 0)[0];
  assert.ok(panel, `a panel for ${name}`);
  return panel;
};
const signatureOf = (panel: FakeElement): string => panel.all((element) => element.attributes.get("class") === "signature")[0]?.textContent ?? "";

describe("the explorer page's script, run in process", () => {
  const orderSchema = z.object({ id: z.string(), total: z.number(), note: z.string().optional() });
  function ordersService(): Service {
    const orderEvents = events({
      transport: inProcess(),
      emits: {
        "order.created": event({ description: "An order was created", schema: z.object({ id: z.string(), total: z.number() }) }),
        "order.cancelled": event(),
      },
    });
    return new Service({ name: "orders" })
      .use(schemas())
      .use(orderEvents)
      .use(explorer())
      .publicMethod("create_order", (order: z.infer<typeof orderSchema>) => ({ ...order, id: `${order.id}!` }), { input: orderSchema, output: orderSchema, idempotent: true })
      .publicMethod("add", (a: number, b?: number) => a + (b ?? 0))
      .publicMethod("sum", (...numbers: number[]) => numbers.reduce((total, number) => total + number, 0))
      .publicMethod("nested", () => ({ a: { b: { c: 1 } }, list: [] }), { output: z.object({ a: z.object({ b: z.object({ c: z.number() }) }), list: z.array(z.object({ x: z.boolean() })) }) });
  }

  test("result shapes: an object schema as { key: type, optional?: type }, two levels deep", async () => {
    const { app } = await runPage(ordersService());
    assert.equal(signatureOf(panelOf(app, "create_order")), "(id: string, total: number, note?: string) → { id: string, total: number, note?: string }");
    assert.equal(signatureOf(panelOf(app, "nested")), "() → { a: { b: object }, list: { x: boolean }[] }");
    assert.match(panelOf(app, "create_order").textContent, /Result: \{ id: string, total: number, note\?: string \}/);
  });

  test("idempotency: a badge and a note on the idempotent method only", async () => {
    const { app } = await runPage(ordersService());
    const badges = (name: string): string[] => panelOf(app, name).all((element) => (element.attributes.get("class") ?? "").startsWith("badge")).map((badge) => badge.textContent);
    assert.deepEqual(badges("create_order"), ["public", "idempotent"]);
    assert.deepEqual(badges("add"), ["public"]);
    assert.match(panelOf(app, "create_order").textContent, /Idempotent: calling it twice does what calling it once does/);
    assert.doesNotMatch(panelOf(app, "add").textContent, /Idempotent/);
  });

  test("events: each with its payload's shape and description", async () => {
    const { app } = await runPage(ordersService());
    const section = app.all((element) => element.tag === "section" && element.attributes.get("id") === "events")[0];
    assert.ok(section);
    assert.match(section.textContent, /^Events \(2\)/);
    const items = section.all((element) => element.tag === "li").map((item) => item.textContent);
    assert.deepEqual(items, ["order.created { id: string, total: number }An order was created", "order.cancelled any"]);
    const plain = await runPage(new Service({ name: "quiet" }).use(explorer()).publicMethod("ping", () => "pong"));
    assert.deepEqual(plain.app.all((element) => element.attributes.get("id") === "events"), [], "no events section without events");
  });

  test("an object-schema method's params are sent by name; a rest param by position", async () => {
    const { app, posts } = await runPage(ordersService());
    const create = panelOf(app, "create_order");
    const inputs = create.all((element) => element.tag === "input" && element.attributes.get("type") !== "radio");
    assert.equal(inputs.length, 3);
    [inputs[0]!.value, inputs[1]!.value] = ["o1", "12"];
    const form = create.all((element) => element.tag === "form")[0]!;
    await form.fire("submit");
    for (let turn = 0; turn < 1000 && !/Result/.test(create.textContent); turn++) await new Promise((resolve) => setImmediate(resolve));
    const sent = posts.at(-1) as { method: string; params: unknown };
    assert.equal(sent.method, "create_order");
    assert.deepEqual(sent.params, { id: "o1", total: 12 });
    assert.match(create.textContent, /"id": "o1!"/);
    const radios = (name: string): { value: string; checked: boolean; disabled: boolean }[] =>
      panelOf(app, name).all((element) => element.attributes.get("type") === "radio").map((radio) => ({ value: radio.attributes.get("value") ?? "", checked: radio.checked, disabled: radio.attributes.has("disabled") }));
    assert.deepEqual(radios("create_order"), [{ value: "positional", checked: false, disabled: false }, { value: "named", checked: true, disabled: false }]);
    assert.deepEqual(radios("add"), [{ value: "positional", checked: false, disabled: false }, { value: "named", checked: true, disabled: false }]);
    assert.deepEqual(radios("sum"), [{ value: "positional", checked: true, disabled: false }, { value: "named", checked: false, disabled: true }]);
  });
});

