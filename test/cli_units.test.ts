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
import { endpointUrl } from "../src/cli/remote_flags.ts";
import { DescriptionError, fromOpenRpc, fromServiceSpecs, schemaType } from "../src/cli/service_description.ts";
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

  test("parseCallParams: JSON, pairs, words", () => {
    assert.equal(parseCallParams([]), undefined);
    assert.deepEqual(parseCallParams([" [1]"]), [1]);
    assert.deepEqual(parseCallParams(["a.b=1", "c-d=x"]), { "a.b": 1, "c-d": "x" });
    assert.deepEqual(parseCallParams(["1", "[2", "null"]), [1, "[2", null]);
    assert.throws(() => parseCallParams(["{nope}"]), /not valid JSON/);
  });

  test("closestNames and editDistance", () => {
    assert.equal(editDistance("", "abc"), 3);
    assert.deepEqual(closestNames("SAY_HELLO", ["say_hello"]), ["say_hello"]);
    assert.deepEqual(closestNames("get", ["gets", "xyz", "got", "bet"], 2), ["bet", "gets"]);
    assert.deepEqual(closestNames("subtract", ["add", "multiply"]), []);
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
  });

  test("descriptions in shapes this command does not know are DescriptionErrors (exit 2)", async () => {
    assert.throws(() => fromOpenRpc(42), DescriptionError);
    assert.throws(() => fromOpenRpc({ info: { title: "s" }, methods: [{}] }), /without a name/);
    assert.throws(() => fromServiceSpecs({ name: "s", methods: [] }), DescriptionError);
    const described = fromOpenRpc({ info: { title: "s" }, methods: [{ name: "m", params: [{ schema: {} }] }] });
    assert.deepEqual(described.methods[0], { name: "m", description: undefined, params: [{ name: "#1", type: "any", required: false, rest: false }], result: "any", isPrivate: undefined });
    const env = environment(42);
    assert.equal(await runCli(["describe", "http://127.0.0.1:1/api"], env), 2);
    assert.equal(env.err, "tsmicroservice: rpc.discover did not answer an OpenRPC document (info.title and methods)\n");
    const empty = environment({ openrpc: "1.3.2", info: { title: "empty" }, methods: [] });
    assert.equal(await runCli(["describe", "http://127.0.0.1:1/api"], empty), 0);
    assert.equal(empty.out, "empty (0 methods, from rpc.discover)\n");
  });

  test("endpointUrl: a URL without a path gets /api; one with a path keeps it", () => {
    assert.equal(endpointUrl("http://127.0.0.1:5000"), "http://127.0.0.1:5000/api");
    assert.equal(endpointUrl("https://example.com?x=1"), "https://example.com/api?x=1");
    assert.equal(endpointUrl("http://127.0.0.1:5000/"), "http://127.0.0.1:5000/");
    assert.throws(() => endpointUrl("mailto:a@b.c"), UsageError);
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
