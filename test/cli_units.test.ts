// The command's core in-process: argument parsing, params, closest names, schema types, URLs,
// descriptions, the path/header mapping of `serve`, and the versions it writes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Service } from "../mod.ts";
import { parseArgs, UsageError } from "../src/cli/args.ts";
import { parseCallParams } from "../src/cli/call_params.ts";
import { runCli } from "../src/cli/cli.ts";
import { closestNames, editDistance } from "../src/cli/closest_names.ts";
import type { CliEnvironment } from "../src/cli/environment.ts";
import { projectFiles } from "../src/cli/project_template.ts";
import { remapApp } from "../src/cli/remap_app.ts";
import { formatJson, formatTable } from "../src/cli/output.ts";
import { ExitCode } from "../src/cli/exit_codes.ts";
import { clientOptions, endpointOf, endpointUrl, REMOTE_FLAGS } from "../src/cli/remote_flags.ts";
import { DescriptionError, fromOpenRpc, fromServiceSpecs, schemaType } from "../src/cli/service_description.ts";
import { escapeControls, escapeJsonControls, withoutCredentials } from "../src/cli/terminal_text.ts";
import { PROJECT_DEV_DEPENDENCIES, VERSION } from "../src/cli/version.ts";

function environment(answer: unknown): CliEnvironment & { out: string; err: string } {
  const env = {
    out: "",
    err: "",
    stdout(text: string) {
      env.out += text;
    },
    stderr(text: string) {
      env.err += text;
    },
    isTTY: false,
    importModule: () => Promise.resolve({}),
    writeFolder: () => Promise.resolve(""),
    fetch: (_url: string, init: RequestInit) => {
      const { id } = JSON.parse(init.body as string) as { id: number };
      return Promise.resolve(Response.json({ jsonrpc: "2.0", result: answer, id }));
    },
  };
  return env;
}

describe("the command's core", () => {
  test("parseArgs: values, lists, switches, --, negative numbers and mistakes", () => {
    const parsed = parseArgs(["--a", "1", "--a=2", "-7", "--b", "x", "--list", "p", "--list=q", "--", "--a"], { a: "string", b: "boolean", list: "list" });
    assert.equal(parsed.strings.get("a"), "2");
    assert.deepEqual(parsed.lists.get("list"), ["p", "q"]);
    assert.ok(parsed.switches.has("b"));
    assert.deepEqual(parsed.positionals, ["-7", "x", "--a"]);
    assert.equal(parseArgs(["-h"], {}).help, true);
    assert.deepEqual(parseArgs(["-"], {}).positionals, ["-"]);
    assert.throws(() => parseArgs(["--toString"], {}), UsageError);
    assert.throws(() => parseArgs(["--a"], { a: "list" }), /--a needs a value/);
  });

  test("parseArgs: the exact mistakes, values with =, --help, and what stops the flags", () => {
    const spec = { a: "string", b: "boolean", list: "list" } as const;
    const mistake = (args: string[]): string => {
      try {
        parseArgs(args, spec);
      } catch (error) {
        return error instanceof UsageError ? `${error.name}: ${error.message}` : `not a UsageError: ${String(error)}`;
      }
      return "no mistake";
    };
    assert.equal(mistake(["-x"]), "UsageError: unknown flag -x");
    assert.equal(mistake(["--nope=1"]), "UsageError: unknown flag --nope");
    assert.equal(mistake(["--b=yes"]), "UsageError: --b takes no value");
    assert.equal(mistake(["--a"]), "UsageError: --a needs a value");
    assert.equal(mistake(["--list"]), "UsageError: --list needs a value");
    const parsed = parseArgs(["--help", "--a=x=y", "--list", "--b", "-1.5", "--", "--b", "-h"], spec);
    assert.deepEqual([parsed.help, parsed.strings.get("a"), parsed.lists.get("list"), [...parsed.switches], parsed.positionals], [true, "x=y", ["--b"], [], ["-1.5", "--b", "-h"]]);
    assert.deepEqual(parseArgs(["--a="], spec).strings.get("a"), "");
    assert.equal(parseArgs([], spec).help, false);
  });

  test("parseCallParams: pairs and words apart, a pair's value read as JSON when it is, names as identifiers", () => {
    assert.throws(() => parseCallParams(["a=1", "x"]), new UsageError("give either name=value pairs (named params) or plain words (positional params), not both"));
    assert.deepEqual(parseCallParams(["a=", "b=x=y", "c=[1,2]", "$d.e-f=null"]), { a: "", b: "x=y", c: [1, 2], "$d.e-f": null });
    assert.deepEqual(parseCallParams(["1a=2", "=3", "\"q\""]), ["1a=2", "=3", "q"]);
    assert.throws(() => parseCallParams(["{"]), (error: unknown) => error instanceof UsageError && error.message.startsWith("the params are not valid JSON (") && error.message.endsWith("): {"));
    assert.deepEqual(parseCallParams(['{"a": [{"b": 1}], "b": {"c": ["}", "]"]}, "c": 2}']), { a: [{ b: 1 }], b: { c: ["}", "]"] }, c: 2 });
    assert.throws(() => parseCallParams(['{"a": [1], "b": {"x": 1}, "b": 2}']), /^UsageError: the param b is given twice/);
  });

  test("formatJson and formatTable: what the command prints", () => {
    assert.equal(formatJson(undefined, true), "null");
    assert.equal(formatJson({ a: [1] }, true), '{\n  "a": [\n    1\n  ]\n}');
    assert.equal(formatJson({ a: [1] }, false), '{"a":[1]}');
    assert.equal(formatTable([["name", "type", "description"], ["a", "string", "x"], ["longer", "n", ""]]), "name    type    description\na       string  x\nlonger  n");
    assert.equal(formatTable([]), "");
    assert.deepEqual(ExitCode, { Ok: 0, Failed: 1, Transport: 2, Usage: 64 });
  });

  test("parseCallParams: JSON, pairs, words", () => {
    assert.equal(parseCallParams([]), undefined);
    assert.deepEqual(parseCallParams([" [1]"]), [1]);
    assert.deepEqual(parseCallParams(["a.b=1", "c-d=x"]), { "a.b": 1, "c-d": "x" });
    assert.deepEqual(parseCallParams(["1", "x]", "null"]), [1, "x]", null]);
    assert.throws(() => parseCallParams(["{nope}"]), /not valid JSON/);
  });

  test("parseCallParams drops and overwrites nothing: a JSON word among others, a param named twice", () => {
    assert.throws(() => parseCallParams(["[1]", "x"]), /^UsageError: \[1\] starts with \[ but is not the only param: write all the params as one JSON argument, such as '\[\[1\],"x"\]'$/);
    assert.throws(() => parseCallParams(["x", " {\"a\": 1}"]), /starts with \{ but is not the only param/);
    assert.throws(() => parseCallParams(["1", "[2", "null"]), /\[2 starts with \[ but is not the only param/);
    assert.throws(() => parseCallParams(['{"a": 1, "b": 2, "a": 3}']), /^UsageError: the param a is given twice in \{"a": 1, "b": 2, "a": 3\}$/);
    // The same key however it is escaped; keys of nested objects and strings that look like keys are not params.
    assert.throws(() => parseCallParams(['{"a": 1, "\\u0061": 2}']), /the param a is given twice/);
    assert.throws(() => parseCallParams(['{"q\\"": "\\\\", "q\\"": 1}']), /the param q" is given twice/);
    assert.deepEqual(parseCallParams(['{"a": {"a": 1, "b": [{"a": 2}]}, "b": "a", "c": ":"}']), { a: { a: 1, b: [{ a: 2 }] }, b: "a", c: ":" });
    assert.deepEqual(parseCallParams(['[{"a": 1}, "a", "a"]']), [{ a: 1 }, "a", "a"]);
    assert.throws(() => parseCallParams(["a=1", "b=2", "a=3"]), /the param a is given twice/);
  });

  test("escapeControls, escapeJsonControls and formatJson leave no control character; withoutCredentials", () => {
    const every = [...Array.from({ length: 0x20 }, (_, code) => code), 0x7f, ...Array.from({ length: 0x20 }, (_, code) => 0x80 + code), 0x61c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029]
      .map((code) => String.fromCharCode(code)).join("");
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const controls = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
    assert.doesNotMatch(escapeControls(every), controls);
    assert.equal(escapeControls("\u001b]52;c;aGk=\u0007 ok\n\t\r\u009b\u202e"), "\\u001b]52;c;aGk=\\u0007 ok\\n\\t\\r\\u009b\\u202e");
    assert.equal(escapeControls("ünïcödé ✓ 日本 \u{1f600}"), "ünïcödé ✓ 日本 \u{1f600}");
    for (const pretty of [false, true]) {
      const json = formatJson({ [every]: [every], plain: "é ✓" }, pretty);
      assert.doesNotMatch(json.replace(/\n/g, ""), controls);
      assert.deepEqual(JSON.parse(json), { [every]: [every], plain: "é ✓" });
    }
    assert.equal(escapeJsonControls('"\u2028"'), '"\\u2028"');
    assert.equal(withoutCredentials("see http://ann:p@ss@host:1/api and https://bob@x.test/?u=a@b"), "see http://host:1/api and https://x.test/?u=a@b");
  });

  test("closestNames and editDistance", () => {
    assert.equal(editDistance("", "abc"), 3);
    assert.deepEqual(closestNames("SAY_HELLO", ["say_hello"]), ["say_hello"]);
    assert.deepEqual(closestNames("get", ["gets", "xyz", "got", "bet"], 2), ["bet", "gets"]);
    assert.deepEqual(closestNames("subtract", ["add", "multiply"]), []);
  });

  test("editDistance counts insertions, deletions and substitutions", () => {
    assert.equal(editDistance("kitten", "sitting"), 3);
    assert.equal(editDistance("abc", ""), 3);
    assert.equal(editDistance("abc", "abc"), 0);
    assert.equal(editDistance("flaw", "lawn"), 2);
    assert.equal(editDistance("ab", "ba"), 2);
    assert.equal(editDistance("a", "b"), 1);
    assert.equal(editDistance("abcd", "xbcd"), 1);
    assert.equal(editDistance("ab", "a"), 1);
  });

  test("closestNames: within a third of the longer name (2 at least), or one holding the other (3 characters at least), nearest first, then by name, 3 by default", () => {
    // Nine characters: three edits away is near, four is not.
    assert.deepEqual(closestNames("abcdefghi", ["abcdxyzhi", "abcwxyzhi"]), ["abcdxyzhi"]);
    // Two edits are near whatever the length.
    assert.deepEqual(closestNames("ab", ["xy", "xyz"]), ["xy"]);
    // One name inside the other, however far: only when both have more than two characters.
    assert.deepEqual(closestNames("abc", ["xxabcxxxxx", "xxxabxxxxx"]), ["xxabcxxxxx"]);
    assert.deepEqual(closestNames("xxabcxxxxx", ["abc", "ab"]), ["abc"]);
    assert.deepEqual(closestNames("ab", ["abxxxxxxxx"]), []);
    assert.deepEqual(closestNames("get", ["gee", "bet", "gets", "got", "get", "get"]), ["get", "bet", "gee"]);
    assert.deepEqual(closestNames("get", ["gee", "bet", "gets", "got"], 4), ["bet", "gee", "gets", "got"]);
  });

  test("schemaType writes JSON Schemas as short types", () => {
    assert.equal(schemaType(true), "any");
    assert.equal(schemaType(false), "never");
    assert.equal(schemaType({ const: 3 }), "3");
    assert.equal(schemaType({ oneOf: [{ type: "string" }, { type: "string" }, { type: "number" }] }), "string | number");
    assert.equal(schemaType({ $ref: "#/components/schemas/Order" }), "Order");
    assert.equal(schemaType({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }), "(string | number)[]");
    assert.equal(schemaType({ type: "array", prefixItems: [{ type: "string" }, { type: "number" }] }), "[string, number]");
    assert.equal(schemaType({ type: "array" }), "any[]");
    assert.equal(schemaType({ type: "object" }), "object");
    assert.equal(schemaType({ type: "object", properties: { a: {}, b: {}, c: {}, d: {}, e: {} } }), "object");
    assert.equal(schemaType({ type: "object", properties: { a: { type: "number" } } }), "{ a?: number }");
    const five = { type: "object", properties: { a: { type: "string" }, b: {}, c: {}, d: {}, e: { type: "array", items: { type: "object", properties: { f: {}, g: {}, h: {}, i: {}, j: { type: "integer" } }, required: ["j"] } } }, required: ["a"] };
    assert.equal(schemaType(five, { full: true }), "{ a: string; b?: any; c?: any; d?: any; e?: { f?: any; g?: any; h?: any; i?: any; j: integer }[] }");
    // A service's schema nested without end is cut off, not followed.
    let deep: object = { type: "string" };
    for (let level = 0; level < 100_000; level++) deep = { type: "array", items: deep };
    assert.equal(schemaType(deep), "…[][][][][][][][][]");
  });

  test("descriptions in shapes this command does not know are DescriptionErrors (exit 2)", async () => {
    assert.throws(() => fromOpenRpc(42), DescriptionError);
    assert.throws(() => fromOpenRpc({ info: { title: "s" }, methods: [{}] }), /without a name/);
    assert.throws(() => fromServiceSpecs({ name: "s", methods: [] }), DescriptionError);
    const described = fromOpenRpc({ info: { title: "s" }, methods: [{ name: "m", params: [{ schema: {} }] }] });
    assert.deepEqual(described.methods[0], {
      name: "m",
      description: undefined,
      params: [{ name: "#1", type: "any", required: false, rest: false }],
      result: "any",
      resultShape: "any",
      isPrivate: undefined,
      idempotent: false,
    });
    // x-scopes: a list of strings, one or more; anything else says nothing.
    const scoped = fromOpenRpc({ info: { title: "s" }, methods: [
      { name: "one", "x-scopes": ["a"] },
      { name: "empty", "x-scopes": [] },
      { name: "mixed", "x-scopes": ["a", 2] },
      { name: "text", "x-scopes": "a" },
    ] });
    assert.deepEqual(scoped.methods.map((method) => method.scopes), [["a"], undefined, undefined, undefined]);
    assert.deepEqual(scoped.methods.map((method) => "scopes" in method), [true, false, false, false]);
    const env = environment(42);
    assert.equal(await runCli(["describe", "http://127.0.0.1:1/api"], env), 2);
    assert.equal(env.err, "tsmicroservice: rpc.discover did not answer an OpenRPC document (info.title and methods)\n");
    const empty = environment({ openrpc: "1.3.2", info: { title: "empty" }, methods: [] });
    assert.equal(await runCli(["describe", "http://127.0.0.1:1/api"], empty), 0);
    assert.equal(empty.out, "empty (0 methods, from rpc.discover)\n");
    // Events without methods; an event without a name is not one.
    const onlyEvents = environment({ openrpc: "1.3.2", info: { title: "e" }, methods: [], "x-events": [{ name: "tick", schema: { type: "integer" } }, { description: "no name" }, 42] });
    assert.equal(await runCli(["describe", "http://127.0.0.1:1/api"], onlyEvents), 0);
    assert.equal(onlyEvents.out, "e (0 methods, from rpc.discover)\n\nEVENT  PAYLOAD  DESCRIPTION\ntick   integer\n");
  });

  test("endpointUrl: a URL without a path gets /api; one with a path keeps it", () => {
    assert.equal(endpointUrl("http://127.0.0.1:5000"), "http://127.0.0.1:5000/api");
    assert.equal(endpointUrl("https://example.com?x=1"), "https://example.com/api?x=1");
    assert.equal(endpointUrl("http://127.0.0.1:5000/"), "http://127.0.0.1:5000/");
    assert.throws(() => endpointUrl("mailto:a@b.c"), UsageError);
  });

  test("endpointOf: credentials in the URL become a Basic Authorization header and leave the URL", () => {
    assert.deepEqual(endpointOf("http://ann:s3cret@127.0.0.1:5000"), { url: "http://127.0.0.1:5000/api", authorization: `Basic ${btoa("ann:s3cret")}` });
    assert.deepEqual(endpointOf("http://ann@127.0.0.1/api"), { url: "http://127.0.0.1/api", authorization: `Basic ${btoa("ann:")}` });
    // Percent-encoded as typed, UTF-8 on the wire (RFC 7617).
    assert.equal(endpointOf("http://j%C3%B6rg:p%40ss@h/api").authorization, `Basic ${Buffer.from("jörg:p@ss", "utf8").toString("base64")}`);
    assert.equal(endpointOf("http://h/api").authorization, undefined);
    // Not a valid percent-encoding: sent as typed.
    assert.equal(endpointOf("http://a%zz:b@h/api").authorization, `Basic ${btoa("a%zz:b")}`);
    assert.throws(() => endpointOf("ftp://ann:s3cret@h/x"), (error: Error) => error instanceof UsageError && !error.message.includes("s3cret"));
    assert.throws(() => endpointOf("ann:s3cret@h"), (error: Error) => error instanceof UsageError && !error.message.includes("s3cret"));
    const args = (...words: string[]) => parseArgs(words, REMOTE_FLAGS);
    assert.deepEqual(clientOptions(args(), "Basic x").headers, [["Authorization", "Basic x"]]);
    assert.throws(() => clientOptions(args("--header", "authorization: Bearer t"), "Basic x"), /the URL has a user name and password, which are sent as the Authorization header/);
    assert.throws(() => clientOptions(args("--token", "t", "--token-header", "Authorization"), "Basic x"), /not both/);
    assert.deepEqual(clientOptions(args("--token-header", "Authorization"), "Basic x").headers, [["Authorization", "Basic x"]]);
  });

  test("remapApp maps the path and token header, keeps startup and shutdown, and is the app itself when nothing maps", async () => {
    const service = new Service({ name: "s", path: "/api", apiTokenIsValid: (token) => token === "t" }).privateMethod("ping", () => "pong");
    assert.equal(remapApp(service, {}), service);
    assert.equal(remapApp(service, { path: "/api", tokenHeader: "x-api-token" }), service);
    const app = remapApp(service, { tokenHeader: "X-Token" });
    assert.equal(typeof app.startup, "function");
    assert.equal(typeof app.shutdown, "function");
    const body = JSON.stringify({ jsonrpc: "2.0", method: "ping", id: 1 });
    const post = (headers: Record<string, string>) => app.fetch(new Request("http://localhost/api", { method: "POST", headers: { "content-type": "application/json", ...headers }, body }));
    assert.deepEqual(await (await post({ "x-token": "t" })).json(), { jsonrpc: "2.0", result: "pong", id: 1 });
    assert.equal(((await (await post({ "x-api-token": "t" })).json()) as { error: { code: number } }).error.code, -32001);
    const plain = remapApp({ fetch: (request: Request) => new Response(new URL(request.url).pathname) }, { path: "/rpc" });
    assert.equal("startup" in plain, false);
    assert.equal(await (await plain.fetch(new Request("http://localhost/rpc"))).text(), "/api");
    assert.equal((await plain.fetch(new Request("http://localhost/api"))).status, 404);
    assert.equal(await (await plain.fetch(new Request("http://localhost/other"))).text(), "/other");
  });

  test("the versions written here agree with package.json and deno.json", () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string; devDependencies: Record<string, string> };
    const deno = readFileSync(new URL("../deno.json", import.meta.url), "utf8");
    assert.equal(VERSION, manifest.version);
    assert.match(deno, new RegExp(`"version": "${VERSION.replace(/\./g, "\\.")}"`));
    for (const [name, range] of Object.entries(PROJECT_DEV_DEPENDENCIES)) assert.equal(range, `^${manifest.devDependencies[name] ?? "?"}`, name);
    const project = JSON.parse(projectFiles("x").get("package.json") ?? "") as { dependencies: Record<string, string> };
    assert.deepEqual(project.dependencies, { tsmicroservice: `^${VERSION}` });
  });

  test("an unexpected error is not swallowed as usage", async () => {
    const env = environment(null);
    const broken = { ...env, stdout: () => {
      throw new Error("stdout closed");
    } };
    await assert.rejects(runCli(["--version"], broken), /stdout closed/);
  });
});
