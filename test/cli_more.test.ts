// More of the command's core in-process: the help, version and mistakes runCli answers, the
// remote flags, failure reports, and descriptions in both shapes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Client } from "../src/client/client.ts";
import { TransportError } from "../src/client/errors.ts";
import { RpcError } from "../src/protocol/errors.ts";
import { parseArgs } from "../src/cli/args.ts";
import { COMMANDS, runCli } from "../src/cli/cli.ts";
import type { CliEnvironment } from "../src/cli/environment.ts";
import { formatTable } from "../src/cli/output.ts";
import { remapApp } from "../src/cli/remap_app.ts";
import { clientOptions, REMOTE_FLAGS, reportFailure, wantsPretty } from "../src/cli/remote_flags.ts";
import { DescriptionError, describeService, fromOpenRpc, fromServiceSpecs, schemaType } from "../src/cli/service_description.ts";
import { withoutCredentials } from "../src/cli/terminal_text.ts";
import { VERSION } from "../src/cli/version.ts";

function environment(isTTY = false): CliEnvironment & { out: string; err: string } {
  const env = {
    out: "",
    err: "",
    stdout(text: string) {
      env.out += text;
    },
    stderr(text: string) {
      env.err += text;
    },
    isTTY,
    importModule: () => Promise.resolve({}),
    writeFolder: () => Promise.resolve(""),
  };
  return env;
}

const MAIN_HELP = `usage: tsmicroservice COMMAND [ARGS...] [flags]

Look at, call, make and serve JSON-RPC 2.0 microservices.

commands:
  describe  show a service's name, version and methods
  call      call a method and print its result as JSON
  new       make a new service project
  serve     serve a module's default export (a Service or { fetch })
  mcp       bridge a service to an AI agent (MCP over stdio)

flags:
  -h, --help     this help (tsmicroservice COMMAND --help: the command's)
  -v, --version  tsmicroservice's version

exit codes: 0 ok, 1 the service answered an error or the command failed,
            2 no JSON-RPC answer (transport), 64 bad usage
`;

async function run(args: string[]): Promise<[number, string, string]> {
  const env = environment();
  const code = await runCli(args, env);
  return [code, env.out, env.err];
}

describe("runCli: help, version and mistakes", () => {
  test("no words: the help on standard error, exit 64", async () => {
    assert.deepEqual(await run([]), [64, "", MAIN_HELP]);
  });

  test("-h, --help and help: the help on standard output, exit 0; help COMMAND: the command's", async () => {
    for (const word of ["-h", "--help", "help"]) assert.deepEqual(await run([word]), [0, MAIN_HELP, ""], word);
    assert.deepEqual(await run(["help", "nope"]), [0, MAIN_HELP, ""]);
    // The topic is read only after help, never after -h or --help.
    assert.deepEqual(await run(["-h", "call"]), [0, MAIN_HELP, ""]);
    assert.deepEqual(await run(["--help", "call"]), [0, MAIN_HELP, ""]);
    for (const command of COMMANDS) assert.deepEqual(await run(["help", command.name]), [0, command.help, ""], command.name);
    assert.equal((await run(["help", "call"]))[1].split("\n", 1)[0], "usage: tsmicroservice call URL METHOD [PARAMS...] [flags]");
  });

  test("-v, --version and version: the version, exit 0", async () => {
    for (const word of ["-v", "--version", "version"]) assert.deepEqual(await run([word]), [0, `${VERSION}\n`, ""], word);
  });

  test("an unknown command: the closest names, exit 64", async () => {
    assert.deepEqual(await run(["descibe"]), [64, "", "tsmicroservice: unknown command descibe; did you mean describe?\nrun tsmicroservice --help for the commands\n"]);
    assert.deepEqual(await run(["nerv"]), [64, "", "tsmicroservice: unknown command nerv; did you mean new, serve?\nrun tsmicroservice --help for the commands\n"]);
    assert.deepEqual(await run(["zzzzzzzz"]), [64, "", "tsmicroservice: unknown command zzzzzzzz\nrun tsmicroservice --help for the commands\n"]);
  });

  test("a command's usage mistake: the message, the command's usage line, exit 64", async () => {
    assert.deepEqual(await run(["call"]), [64, "", "tsmicroservice call: call needs the service's URL and a method's name\nusage: tsmicroservice call URL METHOD [PARAMS...] [flags]\nrun tsmicroservice call --help for more\n"]);
    assert.deepEqual(await run(["describe", "--nope"]), [64, "", "tsmicroservice describe: unknown flag --nope\nusage: tsmicroservice describe URL [flags]\nrun tsmicroservice describe --help for more\n"]);
  });
});

describe("the remote flags", () => {
  const args = (...words: string[]) => parseArgs(words, REMOTE_FLAGS);
  const mistake = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
    return "no mistake";
  };

  test("clientOptions: headers, token, token header and timeout, as given", () => {
    assert.deepEqual(clientOptions(args()), {});
    assert.deepEqual(clientOptions(args("--header", " X-A :  1 ", "--header", "B:", "--token", "t", "--token-header", "X-Key", "--timeout", "250")), {
      token: "t",
      tokenHeader: "X-Key",
      headers: [["X-A", "1"], ["B", ""]],
      timeout: 250,
    });
    assert.deepEqual(clientOptions(args("--timeout", "0.5")), { timeout: 0.5 });
    assert.deepEqual(clientOptions(args("--header", "a:b:c")), { headers: [["a", "b:c"]] });
  });

  test("clientOptions: the exact mistakes", () => {
    assert.equal(mistake(() => clientOptions(args("--header", "no colon"))), 'UsageError: --header wants "Name: value", got "no colon"');
    assert.equal(mistake(() => clientOptions(args("--header", ": v"))), 'UsageError: --header wants "Name: value", got ": v"');
    assert.equal(mistake(() => clientOptions(args("--header", "a b: v"))), 'UsageError: --header wants "Name: value", got "a b: v"');
    for (const bad of ["0", "-1", "x", "Infinity", ""]) {
      assert.equal(mistake(() => clientOptions(args("--timeout", bad))), `UsageError: --timeout wants milliseconds (a positive number), got ${JSON.stringify(bad)}`, bad);
    }
    assert.equal(mistake(() => clientOptions(args("--header", "Authorization: x"), "Basic y")), "UsageError: the URL has a user name and password, which are sent as the Authorization header: give them there or in --header/--token-header, not both");
    assert.equal(mistake(() => clientOptions(args("--token", "t", "--token-header", "AUTHORIZATION"), "Basic y")), "UsageError: the URL has a user name and password, which are sent as the Authorization header: give them there or in --header/--token-header, not both");
    // A token in its default header, or another header, leaves the URL's Authorization alone.
    assert.deepEqual(clientOptions(args("--token", "t"), "Basic y"), { token: "t", headers: [["Authorization", "Basic y"]] });
    assert.deepEqual(clientOptions(args("--token", "t", "--token-header", "X-Key", "--header", "X-A: 1"), "Basic y"), { token: "t", tokenHeader: "X-Key", headers: [["X-A", "1"], ["Authorization", "Basic y"]] });
  });

  test("wantsPretty: --pretty, --compact, else whether standard output is a terminal", () => {
    assert.equal(wantsPretty(args(), environment(false)), false);
    assert.equal(wantsPretty(args(), environment(true)), true);
    assert.equal(wantsPretty(args("--pretty"), environment(false)), true);
    assert.equal(wantsPretty(args("--pretty"), environment(true)), true);
    assert.equal(wantsPretty(args("--compact"), environment(true)), false);
    assert.equal(wantsPretty(args("--compact"), environment(false)), false);
    assert.equal(mistake(() => wantsPretty(args("--pretty", "--compact"), environment())), "UsageError: give --pretty or --compact, not both");
  });

  test("reportFailure: an error answer (exit 1), no answer (exit 2, with a hint), a description that is not one (exit 2)", () => {
    const report = (error: unknown, pretty = false): [number, string, string] => {
      const env = environment();
      const code = reportFailure(error, env, pretty);
      return [code, env.out, env.err];
    };
    assert.deepEqual(report(new RpcError(-32001, "Access\u0007 denied")), [1, "", "error -32001: Access\\u0007 denied\n"]);
    assert.deepEqual(report(new RpcError(-32602, "Invalid params", { a: [1] })), [1, "", 'error -32602: Invalid params\ndata: {"a":[1]}\n']);
    assert.deepEqual(report(new RpcError(-32602, "Invalid params", { a: 1 }), true), [1, "", 'error -32602: Invalid params\ndata: {\n  "a": 1\n}\n']);
    const url = "http://127.0.0.1:9/api";
    assert.deepEqual(report(new TransportError(url, "http", "HTTP 404", 404)), [2, "", `tsmicroservice: http error calling ${url}: HTTP 404\nhint: no JSON-RPC endpoint at this URL; a service's default path is /api\n`]);
    assert.deepEqual(report(new TransportError(url, "http", "HTTP 502", 502)), [2, "", `tsmicroservice: http error calling ${url}: HTTP 502\nhint: is this URL a JSON-RPC 2.0 endpoint?\n`]);
    assert.deepEqual(report(new TransportError(url, "bad-response", "not JSON", 404)), [2, "", `tsmicroservice: bad-response error calling ${url}: not JSON\nhint: is this URL a JSON-RPC 2.0 endpoint?\n`]);
    assert.deepEqual(report(new TransportError(url, "timeout", "no answer in 5 ms")), [2, "", `tsmicroservice: timeout error calling ${url}: no answer in 5 ms\nhint: give the service more time with --timeout (ms)\n`]);
    assert.deepEqual(report(new TransportError(url, "network", "connection refused")), [2, "", `tsmicroservice: network error calling ${url}: connection refused\n`]);
    assert.deepEqual(report(new DescriptionError("not a description\u001b")), [2, "", "tsmicroservice: not a description\\u001b\n"]);
    assert.throws(() => report(new Error("a bug")), /a bug/);
  });
});

describe("descriptions", () => {
  test("DescriptionError is named", () => {
    const error = new DescriptionError("x");
    assert.equal(error.name, "DescriptionError");
    assert.equal(String(error), "DescriptionError: x");
  });

  test("describeService asks rpc.discover, then get_service_specs when the service does not know it", async () => {
    const asked: string[] = [];
    const client = (answers: Record<string, () => unknown>): Client => ({
      call: (method: string) => {
        asked.push(method);
        const answer = answers[method];
        return answer === undefined ? Promise.reject(new RpcError(-32601, "Method not found")) : Promise.resolve(answer());
      },
    }) as unknown as Client;
    const specs = await describeService(client({ get_service_specs: () => ({ name: "py", methods: { a: "does a", b: null } }) }));
    assert.deepEqual(asked, ["rpc.discover", "get_service_specs"]);
    assert.equal(specs.source, "get_service_specs");
    assert.deepEqual(specs.methods.map((method) => [method.name, method.description]), [["a", "does a"], ["b", undefined]]);
    asked.length = 0;
    const openRpc = await describeService(client({ "rpc.discover": () => ({ info: { title: "ts" }, methods: [] }), get_service_specs: () => ({ name: "py", methods: {} }) }));
    assert.deepEqual([asked, openRpc.name, openRpc.source], [["rpc.discover"], "ts", "rpc.discover"]);
    // Another error code is not "unknown method": it is the answer.
    asked.length = 0;
    const refusing = {
      call: (method: string) => {
        asked.push(method);
        return Promise.reject(new RpcError(-32602, "Invalid params"));
      },
    } as unknown as Client;
    await assert.rejects(describeService(refusing), /Invalid params/);
    assert.deepEqual(asked, ["rpc.discover"]);
  });

  test("fromOpenRpc reads the version, events, descriptions, private and idempotent marks, params and results", () => {
    const described = fromOpenRpc({
      info: { title: "s", version: "1.2.3" },
      "x-events": [{ name: "tick", description: "every second", schema: { type: "integer" } }, { name: "bare" }],
      methods: [
        {
          name: "m",
          description: "does m",
          "x-private": true,
          "x-idempotent": true,
          params: [{ name: "a", schema: { type: "string" }, required: true }, { name: "more", schema: { type: "array", items: { type: "number" } }, "x-rest": true }],
          result: { name: "r", schema: { type: "boolean" } },
        },
        { name: "n", "x-private": false, "x-idempotent": "yes", description: 42 },
      ],
    });
    assert.equal(described.version, "1.2.3");
    assert.deepEqual(described.events, [{ name: "tick", payload: "integer", description: "every second" }, { name: "bare", payload: undefined, description: undefined }]);
    assert.deepEqual(described.methods, [
      {
        name: "m",
        description: "does m",
        params: [{ name: "a", type: "string", required: true, rest: false }, { name: "more", type: "number[]", required: false, rest: true }],
        result: "boolean",
        resultShape: "boolean",
        isPrivate: true,
        idempotent: true,
      },
      { name: "n", description: undefined, params: undefined, result: "any", resultShape: "any", isPrivate: false, idempotent: false },
    ]);
    assert.equal(fromOpenRpc({ info: { title: "s", version: 1 }, methods: [] }).version, undefined);
    // An event's payload and a result's shape spell out objects of any size; the result's type does not.
    const five = { type: "object", properties: { a: {}, b: {}, c: {}, d: {}, e: {} } };
    const big = fromOpenRpc({ info: { title: "s" }, "x-events": [{ name: "e", schema: five }], methods: [{ name: "m", result: { schema: five } }] });
    assert.equal(big.events[0]?.payload, "{ a?: any; b?: any; c?: any; d?: any; e?: any }");
    assert.deepEqual([big.methods[0]?.result, big.methods[0]?.resultShape], ["object", "{ a?: any; b?: any; c?: any; d?: any; e?: any }"]);
  });

  test("fromServiceSpecs wants a name and an object of methods", () => {
    const mistake = "get_service_specs did not answer a name and methods";
    for (const bad of [null, {}, { name: 1, methods: {} }, { name: "s" }, { name: "s", methods: null }, { name: "s", methods: [] }, { name: "s", methods: "x" }]) {
      assert.throws(() => fromServiceSpecs(bad), (error: unknown) => error instanceof DescriptionError && error.message === mistake, JSON.stringify(bad));
    }
    assert.deepEqual(fromServiceSpecs({ name: "s", methods: {} }).methods, []);
  });

  test("schemaType: enums, lists of types, and objects of four properties spelled out", () => {
    assert.equal(schemaType({ enum: ["asc", "desc", 1, null] }), '"asc" | "desc" | 1 | null');
    assert.equal(schemaType({ type: ["string", "null"] }), "string | null");
    assert.equal(schemaType({ type: ["array", "null"], items: { type: "integer" } }), "integer[] | null");
    const four = { type: "object", properties: { a: {}, b: {}, c: {}, d: {} }, required: ["a"] };
    assert.equal(schemaType(four), "{ a: any; b?: any; c?: any; d?: any }");
  });
});

describe("formatTable", () => {
  test("an empty column is no wider than nothing", () => {
    assert.equal(formatTable([["", "x"], ["", "y"]]), "  x\n  y");
  });
});

describe("remapApp and withoutCredentials", () => {
  test("an app of its own: X-Api-Token is its header; another is copied into it; the old path answers a plain 404; the caller's request is left as it was", async () => {
    const seen: string[] = [];
    const plain = { fetch: (request: Request) => {
      seen.push(`${new URL(request.url).pathname} ${request.headers.get("x-api-token") ?? "-"}`);
      return new Response("ok");
    } };
    assert.equal(remapApp(plain, { tokenHeader: "x-api-token" }), plain);
    const app = remapApp(plain, { path: "/rpc", tokenHeader: "X-Token" });
    const request = new Request("http://localhost/rpc", { headers: { "x-token": "t", "x-api-token": "forged" } });
    assert.equal(await (await app.fetch(request)).text(), "ok");
    assert.deepEqual(seen, ["/api t"]);
    assert.equal(request.headers.get("x-api-token"), "forged");
    await app.fetch(new Request("http://localhost/rpc", { headers: { "x-api-token": "forged" } }));
    assert.deepEqual(seen, ["/api t", "/api -"]);
    const notFound = await app.fetch(new Request("http://localhost/api"));
    assert.deepEqual([notFound.status, notFound.headers.get("content-type"), await notFound.text()], [404, "text/plain; charset=utf-8", "Not Found"]);
  });

  test("withoutCredentials keeps a URL's scheme and the space before a URL without one", () => {
    assert.equal(withoutCredentials("calling http://ann:s3cret@127.0.0.1:5000/api failed"), "calling http://127.0.0.1:5000/api failed");
    assert.equal(withoutCredentials("calling ann:s3cret@127.0.0.1:5000/api failed"), "calling 127.0.0.1:5000/api failed");
  });
});
