// Static folders through service.fetch with real Requests, on Node's file access, in a temporary
// folder with symbolic links: content types, HEAD, ETag/Last-Modified and 304, index.html,
// redirects, streaming, and every way out of the folder, each refused without opening anything.
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { type FileAccess, Service } from "../mod.ts";
import { nodeFileAccess } from "../src/adapters/node_files.ts";
import { rangeStillValid, requestedRange } from "../src/plugins/static/byte_range.ts";
import { contentTypeOf } from "../src/plugins/static/content_types.ts";
import { cors } from "../src/plugins/cors.ts";
import { safePath, StaticFolders } from "../src/plugins/static/static_files.ts";
import { staticFiles } from "../src/plugins/static/static.ts";
import { routes } from "../src/plugins/routes/routes.ts";

const SECRET = "TOP-SECRET-8d41c2";
const BIG_BYTES = 300 * 1024;

let dir: string;
let site: string;

/** Node's file access, remembering what was opened. */
function spyFiles(): FileAccess & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    realPath: (path) => nodeFileAccess.realPath(path),
    stat: (path) => nodeFileAccess.stat(path),
    open: (path, range) => {
      opened.push(path);
      return nodeFileAccess.open(path, range);
    },
  };
}

/** How many of this process's file descriptors are open on a file (Linux's /proc/self/fd). */
function openCount(file: string): number {
  const real = realpathSync(file);
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === real;
    } catch {
      return false; // the descriptor readdir itself used, gone by now
    }
  }).length;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "tsms-static-"));
  site = join(dir, "site");
  mkdirSync(join(site, "sub"), { recursive: true });
  mkdirSync(join(site, "empty"));
  writeFileSync(join(dir, "secret.txt"), SECRET);
  writeFileSync(join(site, "index.html"), "<h1>home</h1>");
  writeFileSync(join(site, "style.css"), "body { color: red; }");
  writeFileSync(join(site, "data.bin"), new Uint8Array([1, 2, 3]));
  writeFileSync(join(site, "a b.txt"), "spaced");
  writeFileSync(join(site, "café.txt"), "accented");
  writeFileSync(join(site, ".env"), SECRET);
  writeFileSync(join(site, "sub", "index.html"), "<h1>sub</h1>");
  writeFileSync(join(site, "big.bin"), new Uint8Array(BIG_BYTES).fill(7));
  symlinkSync(join(site, "style.css"), join(site, "link-in.css"));
  symlinkSync(join(dir, "secret.txt"), join(site, "link-out.txt"));
  symlinkSync(dir, join(site, "link-dir"));
  symlinkSync(site, join(dir, "site-link"));
  // A sibling folder whose name starts like the served one: its real path starts with the served
  // folder's path, but is not inside it (a check without the trailing separator would serve it).
  mkdirSync(join(dir, "site-secrets"));
  writeFileSync(join(dir, "site-secrets", "keys.txt"), SECRET);
  symlinkSync(join(dir, "site-secrets", "keys.txt"), join(site, "link-sibling.txt"));
  symlinkSync(join(dir, "site-secrets"), join(site, "link-sibling-dir"));
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function siteService(files: FileAccess = nodeFileAccess, options: { onError?: (error: unknown, info: { method: string }) => void } = {}): Service {
  return new Service({ name: "static.service", ...options }).use(staticFiles({ "/static/": site }, { files }));
}

const get = (service: Service, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> =>
  service.fetch(new Request(`http://localhost${path}`, { method, headers }));

describe("serving files", () => {
  test("a file, with its type, length, validators and nosniff", async () => {
    const response = await get(siteService(), "/static/style.css");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "body { color: red; }");
    assert.equal(response.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(response.headers.get("content-length"), "20");
    assert.match(response.headers.get("etag") ?? "", /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.ok(!Number.isNaN(Date.parse(response.headers.get("last-modified") ?? "")));
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("cache-control"), "no-cache");
  });

  test("content types of common files, and bytes for the unknown", async () => {
    const service = siteService();
    assert.equal((await get(service, "/static/index.html")).headers.get("content-type"), "text/html; charset=utf-8");
    const binary = await get(service, "/static/data.bin");
    assert.equal(binary.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(new Uint8Array(await binary.arrayBuffer()), new Uint8Array([1, 2, 3]));
    assert.equal(contentTypeOf("app.JS"), "text/javascript; charset=utf-8");
    assert.equal(contentTypeOf("logo.svg"), "image/svg+xml; charset=utf-8");
    assert.equal(contentTypeOf("photo.jpeg"), "image/jpeg");
    assert.equal(contentTypeOf("font.woff2"), "font/woff2");
    assert.equal(contentTypeOf("Makefile"), "application/octet-stream");
    assert.equal(contentTypeOf("dir.d/.hidden"), "application/octet-stream");
  });

  test("the type of every extension a website commonly serves (what a browser is told)", () => {
    const text = (type: string): string => `${type}; charset=utf-8`;
    const expected: Record<string, string> = {
      html: text("text/html"), htm: text("text/html"), css: text("text/css"), js: text("text/javascript"), mjs: text("text/javascript"),
      json: text("application/json"), map: text("application/json"), webmanifest: text("application/manifest+json"), txt: text("text/plain"),
      md: text("text/markdown"), csv: text("text/csv"), xml: text("application/xml"), svg: text("image/svg+xml"),
      png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp", avif: "image/avif", ico: "image/x-icon",
      woff: "font/woff", woff2: "font/woff2", ttf: "font/ttf", otf: "font/otf", wasm: "application/wasm", pdf: "application/pdf",
      zip: "application/zip", gz: "application/gzip", mp3: "audio/mpeg", wav: "audio/wav", ogg: "audio/ogg", mp4: "video/mp4", webm: "video/webm",
    };
    const seen = Object.fromEntries(Object.keys(expected).map((extension) => [extension, contentTypeOf(`public/file.${extension.toUpperCase()}`)]));
    assert.deepEqual(seen, expected);
    assert.equal(contentTypeOf("C:\\site\\file.d\\readme"), "application/octet-stream", "a dot in a Windows folder's name is no extension");
    assert.equal(contentTypeOf("a.b/c"), "application/octet-stream", "nor in a folder's name");
    assert.equal(contentTypeOf(".env"), "application/octet-stream");
    for (const dotfile of [".css", "site/.json", "C:\\site\\.js"]) assert.equal(contentTypeOf(dotfile), "application/octet-stream", `${dotfile} is a dotfile's name, not an extension`);
    assert.equal(contentTypeOf("x.css"), text("text/css"), "a one-letter name has its extension");
  });

  test("names with spaces and accents, percent-encoded", async () => {
    const service = siteService();
    assert.equal(await (await get(service, "/static/a%20b.txt")).text(), "spaced");
    assert.equal(await (await get(service, "/static/caf%C3%A9.txt")).text(), "accented");
  });

  test("HEAD: the same headers, no body, and the file is not opened", async () => {
    const files = spyFiles();
    const service = siteService(files);
    const full = await get(service, "/static/style.css");
    await full.body?.cancel();
    files.opened.length = 0;
    const head = await get(service, "/static/style.css", {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
    for (const name of ["content-type", "content-length", "etag", "last-modified"]) {
      assert.equal(head.headers.get(name), full.headers.get(name), name);
    }
    assert.deepEqual(files.opened, []);
  });

  test("a large file is streamed in chunks, whole", async () => {
    const stream = await nodeFileAccess.open(join(site, "big.bin"));
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of stream) {
      chunks++;
      bytes += chunk.byteLength;
      assert.ok(chunk.every((byte) => byte === 7));
    }
    assert.equal(bytes, BIG_BYTES);
    assert.ok(chunks > 1, `read in chunks, not whole (${chunks})`);
    const response = await get(siteService(), "/static/big.bin");
    assert.equal((await response.arrayBuffer()).byteLength, BIG_BYTES);
  });

  test("a stream cancelled early closes the file (no error, nothing left open)", async () => {
    const file = join(site, "big.bin");
    for (const range of [undefined, { start: 1, end: BIG_BYTES - 2 }]) {
      const stream = await nodeFileAccess.open(file, range);
      const reader = stream.getReader();
      await reader.read();
      assert.equal(openCount(file), 1, "open while it is read");
      await reader.cancel();
      assert.equal(openCount(file), 0, "closed once cancelled");
    }
  });

  test("a stream read to its end closes the file", async () => {
    const file = join(site, "big.bin");
    for (const range of [undefined, { start: 10, end: 20 }]) {
      await new Response(await nodeFileAccess.open(file, range)).arrayBuffer();
      assert.equal(openCount(file), 0);
    }
  });

  test("POST and other methods are 405 with Allow: GET, HEAD", async () => {
    const response = await get(siteService(), "/static/style.css", {}, "POST");
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(await response.text(), "Method Not Allowed");
  });

  test("a static prefix owns its paths: a hidden, missing or misnamed file is its 404, never a later route's answer", async () => {
    const laterRoutes = (): ReturnType<typeof routes> => routes()
      .route("GET", "/static/:name", () => new Response("a route"))
      .route("GET", "/static/style.css/", () => new Response("a route"))
      .route("GET", "/static/empty/", () => new Response("a route"))
      .route("GET", "/gone/:name", () => new Response("a route"));
    const notAFile: FileAccess = { ...nodeFileAccess, stat: () => Promise.resolve({ isFile: false, isDirectory: false, size: 0, mtime: 0 }) };
    const cases: [Service, string][] = [];
    const site1 = new Service({ name: "s" }).use(staticFiles({ "/static/": site }, { files: nodeFileAccess })).use(laterRoutes());
    for (const path of ["/static/.env", "/static/missing.txt", "/static/style.css/", "/static/empty/", "/static/link-out.txt"]) cases.push([site1, path]);
    cases.push([new Service({ name: "s", onError: () => {} }).use(staticFiles({ "/gone/": join(dir, "gone") }, { files: nodeFileAccess })).use(laterRoutes()), "/gone/a.txt"]);
    cases.push([new Service({ name: "s" }).use(staticFiles({ "/static/": site }, { files: notAFile })).use(laterRoutes()), "/static/style.css"]);
    for (const [service, path] of cases) {
      const response = await get(service, path);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8", path);
      assert.equal(await response.text(), "Not Found", path);
    }
  });
});

describe("conditional requests", () => {
  const service = (): Service => siteService();
  const etagOf = async (path: string): Promise<string> => (await get(service(), path, {}, "HEAD")).headers.get("etag") ?? "";

  test("If-None-Match with the ETag is 304, with the validators and no body", async () => {
    const etag = await etagOf("/static/style.css");
    const response = await get(service(), "/static/style.css", { "if-none-match": etag });
    assert.equal(response.status, 304);
    assert.equal(response.headers.get("etag"), etag);
    assert.ok(response.headers.has("last-modified"));
    assert.equal(await response.text(), "");
  });

  test("If-None-Match matches weakly, in a list, and with *", async () => {
    const etag = await etagOf("/static/style.css");
    for (const value of [etag.slice(2), `"other", ${etag}`, "*"]) {
      assert.equal((await get(service(), "/static/style.css", { "if-none-match": value })).status, 304, value);
    }
    const other = await get(service(), "/static/style.css", { "if-none-match": '"other"' });
    assert.equal(other.status, 200);
    await other.body?.cancel();
  });

  test("If-Modified-Since: 304 when not modified since, 200 when modified after", async () => {
    const lastModified = (await get(service(), "/static/style.css", {}, "HEAD")).headers.get("last-modified") ?? "";
    assert.equal((await get(service(), "/static/style.css", { "if-modified-since": lastModified })).status, 304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    const response = await get(service(), "/static/style.css", { "if-modified-since": earlier });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const garbage = await get(service(), "/static/style.css", { "if-modified-since": "yesterday" });
    assert.equal(garbage.status, 200);
    await garbage.body?.cancel();
  });

  test("If-None-Match wins over If-Modified-Since", async () => {
    const lastModified = (await get(service(), "/static/style.css", {}, "HEAD")).headers.get("last-modified") ?? "";
    const response = await get(service(), "/static/style.css", { "if-none-match": '"other"', "if-modified-since": lastModified });
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });
});

describe("a file that changes while it is served", () => {
  /** Node's file access, with the file rewritten between its stat and its open (a writer racing the answer). */
  const racing = (rewrite: (path: string) => void): FileAccess => ({
    realPath: (path) => nodeFileAccess.realPath(path),
    stat: (path) => nodeFileAccess.stat(path),
    open: (path, range) => {
      rewrite(path);
      return nodeFileAccess.open(path, range);
    },
  });

  test("grown: the body stops at the Content-Length its stat gave, whole or ranged", async () => {
    for (const headers of [{}, { range: "bytes=10-" }]) {
      const file = join(site, "growing.txt");
      writeFileSync(file, "a".repeat(100));
      const response = await get(siteService(racing((path) => appendFileSync(path, "b".repeat(50)))), "/static/growing.txt", headers);
      const body = await response.text();
      assert.equal(String(body.length), response.headers.get("content-length"));
      assert.equal(body, "a".repeat("range" in headers ? 90 : 100));
    }
  });

  test("shrunk: the body fails instead of ending short of its Content-Length (the server then cuts the connection)", async () => {
    for (const headers of [{}, { range: "bytes=10-" }]) {
      const file = join(site, "shrinking.txt");
      writeFileSync(file, "a".repeat(100_000));
      const response = await get(siteService(racing((path) => truncateSync(path, 1000))), "/static/shrinking.txt", headers);
      assert.equal(response.headers.get("content-length"), "range" in headers ? "99990" : "100000");
      await assert.rejects(response.arrayBuffer(), /ended before the bytes its answer promised/);
      assert.equal(openCount(file), 0, "the file is closed");
    }
  });

  test("an empty file is answered without opening it", async () => {
    writeFileSync(join(site, "empty.txt"), "");
    const files = spyFiles();
    const response = await get(siteService(files), "/static/empty.txt");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), "0");
    assert.equal(await response.text(), "");
    assert.deepEqual(files.opened, []);
  });
});

describe("byte ranges", () => {
  // style.css is "body { color: red; }", 20 bytes.
  const range = (value: string, headers: Record<string, string> = {}, method = "GET"): Promise<Response> =>
    get(siteService(), "/static/style.css", { range: value, ...headers }, method);

  test("every answer for a file says Accept-Ranges: bytes, HEAD too", async () => {
    const whole = await get(siteService(), "/static/style.css");
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    await whole.body?.cancel();
    assert.equal((await get(siteService(), "/static/style.css", {}, "HEAD")).headers.get("accept-ranges"), "bytes");
  });

  for (const [value, start, end, text] of [
    ["bytes=0-3", 0, 3, "body"],
    ["bytes=5-", 5, 19, "{ color: red; }"],
    ["bytes=-2", 18, 19, " }"],
    ["bytes=-200", 0, 19, "body { color: red; }"],
    ["bytes=15-999", 15, 19, "ed; }"],
    ["bytes=19-19", 19, 19, "}"],
    [" bytes = 0 - 0 ", 0, 0, "b"],
  ] as const) {
    test(`${value} is a 206 with bytes ${String(start)}-${String(end)}/20`, async () => {
      const response = await range(value);
      assert.equal(response.status, 206);
      assert.equal(response.headers.get("content-range"), `bytes ${String(start)}-${String(end)}/20`);
      assert.equal(response.headers.get("content-length"), String(end - start + 1));
      assert.equal(response.headers.get("content-type"), "text/css; charset=utf-8");
      assert.ok(response.headers.has("etag"));
      assert.equal(await response.text(), text);
    });
  }

  test("a range in a large file is read in chunks, exactly", async () => {
    const response = await get(siteService(), "/static/big.bin", { range: `bytes=1000-${String(BIG_BYTES - 1000)}` });
    assert.equal(response.status, 206);
    assert.equal((await response.arrayBuffer()).byteLength, BIG_BYTES - 1999);
  });

  for (const value of ["bytes=20-", "bytes=100-200", "bytes=-0"]) {
    test(`${value} is unsatisfiable: 416 with Content-Range: bytes */20`, async () => {
      const files = spyFiles();
      const response = await get(siteService(files), "/static/style.css", { range: value });
      assert.equal(response.status, 416);
      assert.equal(response.headers.get("content-range"), "bytes */20");
      assert.equal(response.headers.get("accept-ranges"), "bytes");
      assert.equal(await response.text(), "Range Not Satisfiable");
      assert.deepEqual(files.opened, []);
    });
  }

  for (const value of ["bytes=0-1,4-5", "bytes=5-2", "items=0-1", "bytes=x-1", "bytes=-", "bytes=0-1 junk"]) {
    test(`${value} is answered with the whole file (several ranges, or a header the server may ignore)`, async () => {
      const response = await range(value);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-range"), null);
      assert.equal(await response.text(), "body { color: red; }");
    });
  }

  test("HEAD ignores the range: the whole file's headers", async () => {
    const response = await range("bytes=0-3", {}, "HEAD");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), "20");
    assert.equal(response.headers.get("content-range"), null);
  });

  test("If-Range: the Last-Modified date sends the range; another date or a weak ETag sends the whole file", async () => {
    const head = await get(siteService(), "/static/style.css", {}, "HEAD");
    const lastModified = head.headers.get("last-modified") ?? "";
    const partial = await range("bytes=0-3", { "if-range": lastModified });
    assert.equal(partial.status, 206);
    assert.equal(await partial.text(), "body");
    for (const ifRange of [new Date(Date.parse(lastModified) - 60_000).toUTCString(), head.headers.get("etag") ?? "", '"strong-but-other"', "soon"]) {
      const whole = await range("bytes=0-3", { "if-range": ifRange });
      assert.equal(whole.status, 200, ifRange);
      assert.equal(await whole.text(), "body { color: red; }");
    }
  });

  test("If-None-Match still wins: a 304 before any range", async () => {
    const etag = (await get(siteService(), "/static/style.css", {}, "HEAD")).headers.get("etag") ?? "";
    assert.equal((await range("bytes=0-3", { "if-none-match": etag })).status, 304);
  });

  test("an empty file has no satisfiable range", async () => {
    writeFileSync(join(site, "empty.txt"), "");
    const response = await get(siteService(), "/static/empty.txt", { range: "bytes=0-" });
    assert.equal(response.status, 416);
    assert.equal(response.headers.get("content-range"), "bytes */0");
    await response.body?.cancel();
  });
});

describe("Range and If-Range, as RFC 9110 reads them", () => {
  test("suffix ranges: the last N bytes, none of an empty file, and -0 is unsatisfiable", () => {
    assert.deepEqual(requestedRange("bytes=-1", 1), { start: 0, end: 0 });
    assert.deepEqual(requestedRange("bytes=-5", 3), { start: 0, end: 2 });
    assert.equal(requestedRange("bytes=-0", 10), "unsatisfiable");
    assert.equal(requestedRange("bytes=-5", 0), "unsatisfiable");
    assert.deepEqual(requestedRange("bytes=3-", 10), { start: 3, end: 9 });
    assert.deepEqual(requestedRange("bytes=9-", 10), { start: 9, end: 9 });
  });

  test("If-Range: a strong tag that matches, or the exact Last-Modified date; never a weak tag", () => {
    const date = "Thu, 01 Jan 1970 00:00:01 GMT";
    assert.equal(rangeStillValid('"a-1"', '"a-1"', undefined), true);
    assert.equal(rangeStillValid(' "a-1" ', '"a-1"', undefined), true);
    assert.equal(rangeStillValid('"a-2"', '"a-1"', undefined), false);
    assert.equal(rangeStillValid('"a-1"', undefined, date), false, "a tag when the file has none");
    assert.equal(rangeStillValid('W/"a-1"', 'W/"a-1"', undefined), false);
    assert.equal(rangeStillValid(date, '"a-1"', date), true);
    assert.equal(rangeStillValid(date, undefined, "Thu, 01 Jan 1970 00:00:02 GMT"), false);
    assert.equal(rangeStillValid("not a date", undefined, "not a date"), false);
  });
});

describe("folders", () => {
  test("a static path accepts GET and HEAD, as a CORS preflight for it says", async () => {
    const service = new Service({ name: "s" }).use(cors({ origins: "*" })).use(staticFiles({ "/static/": site }, { files: nodeFileAccess }));
    const preflight = await service.fetch(new Request("http://localhost/static/style.css", { method: "OPTIONS", headers: { origin: "https://a.example", "access-control-request-method": "GET" } }));
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-methods"), "GET, HEAD");
  });

  test("a folder serves its index.html", async () => {
    const service = siteService();
    assert.equal(await (await get(service, "/static/")).text(), "<h1>home</h1>");
    assert.equal(await (await get(service, "/static/sub/")).text(), "<h1>sub</h1>");
  });

  test("a folder without its slash, and the prefix without its slash, redirect", async () => {
    const service = siteService();
    const sub = await get(service, "/static/sub");
    assert.equal(sub.status, 301);
    assert.equal(sub.headers.get("location"), "/static/sub/");
    const root = await get(service, "/static");
    assert.equal(root.status, 301);
    assert.equal(root.headers.get("location"), "/static/");
  });

  test("a folder without index.html is 404 (no listings); a file with a slash is 404", async () => {
    const service = siteService();
    assert.equal((await get(service, "/static/empty/")).status, 404);
    assert.equal((await get(service, "/static/style.css/")).status, 404);
    assert.equal((await get(service, "/static/missing.css")).status, 404);
  });

  test("a symbolic link inside the folder to a file inside it is served", async () => {
    assert.equal(await (await get(siteService(), "/static/link-in.css")).text(), "body { color: red; }");
  });

  test("the folder itself may be a symbolic link, or a file: URL", async () => {
    const linked = new Service({ name: "s" }).use(staticFiles({ "/static/": join(dir, "site-link") }, { files: nodeFileAccess }));
    assert.equal(await (await get(linked, "/static/style.css")).text(), "body { color: red; }");
    const byUrl = new Service({ name: "s" }).use(staticFiles({ "/static": pathToFileURL(`${site}/`) }, { files: nodeFileAccess }));
    assert.equal(await (await get(byUrl, "/static/style.css")).text(), "body { color: red; }");
  });

  test("the longest prefix wins", async () => {
    const service = new Service({ name: "s" }).use(staticFiles({ "/": site, "/deep/": join(site, "sub") }, { files: nodeFileAccess }));
    assert.equal(await (await get(service, "/deep/")).text(), "<h1>sub</h1>");
    assert.equal(await (await get(service, "/style.css")).text(), "body { color: red; }");
  });
});

describe("nothing outside the folder is ever served or opened", () => {
  // Paths as a client could send them on the wire. Request URLs are normalised by the URL parser
  // (so `..` never even reaches the service through fetch); these go straight to the static
  // folder, as a runtime that did not normalise would hand them over.
  const attempts = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/..\\secret.txt",
    "/static/sub/../../secret.txt",
    "/static/link-out.txt",
    "/static/link-dir/secret.txt",
    "/static/link-sibling.txt",
    "/static/link-sibling-dir/keys.txt",
    "/static/.env",
    "/static/%2eenv",
    "/static/style.css%00.txt",
    "/static/%00",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    `/static/${encodeURIComponent(join(dir, "secret.txt"))}`,
    "/static/C:%5cWindows%5cwin.ini",
    "/static/C:/Windows/win.ini",
    "/static/%252e%252e/secret.txt",
    "/static/%E0%A4%A",
  ];

  for (const path of attempts) {
    test(path, async () => {
      const files = spyFiles();
      const folders = new StaticFolders({ "/static/": site }, files, () => {});
      const response = await folders.answer(new Request("http://localhost/static/"), path);
      assert.ok(response !== undefined);
      assert.ok([403, 404].includes(response.status), `status ${response.status}`);
      assert.ok(!(await response.text()).includes(SECRET));
      assert.deepEqual(files.opened, [], "nothing was opened");
      // And through the service, as the URL parser leaves it.
      const service = siteService(files);
      const viaFetch = await get(service, path);
      assert.ok([403, 404].includes(viaFetch.status), `through fetch: ${viaFetch.status}`);
      assert.ok(!(await viaFetch.text()).includes(SECRET));
      assert.deepEqual(files.opened, []);
    });
  }

  test("safePath", () => {
    assert.deepEqual(safePath(""), { segments: [], folder: true });
    assert.deepEqual(safePath("css/site.css"), { segments: ["css", "site.css"], folder: false });
    assert.deepEqual(safePath("docs/"), { segments: ["docs"], folder: true });
    for (const bad of ["..", "a/../b", "%2e%2e", "a%2fb", "a%5cb", "a%00", ".git/config", "a//b", "C:", "%"]) {
      assert.equal(safePath(bad), undefined, bad);
    }
  });
});

describe("misconfiguration", () => {
  test("without file access (nothing started the service), a static path is a 500, reported once", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (error) => reported.push((error as Error).message) }).use(staticFiles({ "/static/": site }));
    assert.equal((await get(service, "/static/style.css")).status, 500);
    assert.equal((await get(service, "/static/style.css")).status, 500);
    assert.equal(reported.length, 1);
    assert.match(reported[0]!, /fileAccess/);
    // serve() hands it in through startup(); here, by hand.
    await service.startup({ files: nodeFileAccess });
    assert.equal(await (await get(service, "/static/style.css")).text(), "body { color: red; }");
    await service.shutdown();
  });

  test("a service's own file access wins over the runtime's", async () => {
    const files = spyFiles();
    const service = siteService(files);
    await service.startup({ files: nodeFileAccess });
    await (await get(service, "/static/style.css")).text();
    assert.equal(files.opened.length, 1);
    await service.shutdown();
  });

  test("a missing folder is a 404, reported", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) })
      .use(staticFiles({ "/static/": join(dir, "nope") }, { files: nodeFileAccess }));
    assert.equal((await get(service, "/static/x")).status, 404);
    assert.deepEqual(reported, [`(static folder ${join(dir, "nope")})`]);
  });

  test("a file that cannot be opened is a 500, reported", async () => {
    const reported: [string, string][] = [];
    const broken: FileAccess = { ...nodeFileAccess, open: () => Promise.reject(new Error("EACCES")) };
    const service = siteService(broken, { onError: (error, info) => reported.push([(error as Error).message, info.method]) });
    const response = await get(service, "/static/style.css");
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "Internal Server Error");
    assert.deepEqual(reported, [["EACCES", "(static files)"]]);
  });

  test("without file access, the 500 says nothing more and the report names the static files", async () => {
    const reported: string[] = [];
    const service = new Service({ name: "s", onError: (_error, info) => reported.push(info.method) }).use(staticFiles({ "/static/": site }));
    const response = await get(service, "/static/style.css");
    assert.equal(await response.text(), "Internal Server Error");
    assert.deepEqual(reported, ["(static files)"]);
  });

  test("a folder missing at first is looked up again, so it is served once it appears", async () => {
    const late = join(dir, "late");
    const service = new Service({ name: "s", onError: () => {} }).use(staticFiles({ "/late/": late }, { files: nodeFileAccess }));
    assert.equal((await get(service, "/late/a.txt")).status, 404);
    mkdirSync(late);
    writeFileSync(join(late, "a.txt"), "here now");
    assert.equal(await (await get(service, "/late/a.txt")).text(), "here now");
  });

  test("a file with no modification time has no ETag, and If-None-Match cannot make it a 304", async () => {
    const timeless: FileAccess = { ...nodeFileAccess, stat: async (path) => ({ ...(await nodeFileAccess.stat(path)), mtime: null }) };
    const response = await get(siteService(timeless), "/static/style.css", { "if-none-match": "*" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("etag"), null);
    assert.equal(await response.text(), "body { color: red; }");
  });

  test("a file: URL of a Windows drive names the drive's path; Windows real paths are compared with / as separator", async () => {
    const asked: string[] = [];
    const windows: FileAccess = {
      realPath: (path) => {
        asked.push(path);
        if (path === "C:/site") return Promise.resolve("C:\\site");
        if (path === "C:\\site/a.txt" || path === "C:/site/a.txt") return Promise.resolve("C:\\site\\a.txt");
        return Promise.reject(new Error(`ENOENT ${path}`));
      },
      stat: () => Promise.resolve({ isFile: true, isDirectory: false, size: 2, mtime: 0 }),
      open: () => Promise.resolve(new Response("hi").body!),
    };
    const service = new Service({ name: "s" }).use(staticFiles({ "/w/": new URL("file:///C:/site") }, { files: windows }));
    const response = await get(service, "/w/a.txt");
    assert.equal(asked[0], "C:/site");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "hi");
  });

  test("the file access given to the folders is theirs; the runtime's is only a fallback", () => {
    const own = spyFiles();
    const folders = new StaticFolders({ "/static/": site }, own, () => {});
    folders.provideFiles(nodeFileAccess);
    assert.equal(folders.files, own);
    const bare = new StaticFolders({ "/static/": site }, undefined, () => {});
    assert.equal(bare.files, undefined);
    bare.provideFiles(nodeFileAccess);
    assert.equal(bare.files, nodeFileAccess);
  });

  test("bad settings are refused", () => {
    assert.throws(() => staticFiles({ "static/": site }), TypeError);
    assert.throws(() => staticFiles({ "/static/": "" }), { name: "TypeError", message: "A static folder must be a non-empty path" });
    assert.throws(() => staticFiles({ "/static/": new URL("https://example.com/") }), TypeError);
  });
});
