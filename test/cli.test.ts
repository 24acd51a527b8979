// The `tsmicroservice` command's describe and call, run as a child process against real services
// listening on loopback: output, pretty (terminal) and compact (pipe) JSON, exit codes, errors.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { type CallContext, RpcError, serve, Service, type ServerHandle } from "../mod.ts";
import { cliCommand, ROOT, runCli } from "./cli_run.ts";
import { childEnv } from "./runtime/processes.ts";

const TOKEN = "hello_world_token";
const servers: ServerHandle[] = [];
let api = "";
let base = "";
let specsOnly = "";
let typed = "";
let notRpc = "";
let slow = "";
let hostile = "";
let hostileServer: Server | undefined;
let rawStatus = "";
let rawStatusServer: TcpServer | undefined;

const service = new Service({ name: "hello.world.service", version: "1.2.3", apiTokenIsValid: (token) => token === TOKEN })
  .publicMethod("say_hello", (name: string) => `hello ${name}`, { description: "Greets\nanyone.", idempotent: true })
  .publicMethod("subtract", (minuend: number, subtrahend = 0) => minuend - subtrahend)
  .publicMethod("sum", (...numbers: number[]) => numbers.reduce((total, n) => total + n, 0))
  .publicMethod("echo", (value: unknown) => value)
  .publicMethod("nothing", () => undefined)
  .publicMethod("headers", (ctx: CallContext) => ctx.headers.get("x-request-id"), { context: true })
  .publicMethod("fail", () => {
    throw new RpcError(42, "It failed", { why: ["because"] });
  })
  .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`);

// A service that describes itself the Python original's way only.
const pymicroservice = {
  async fetch(request: Request): Promise<Response> {
    const { method, id } = (await request.json()) as { method: string; id: number };
    const answer = method === "get_service_specs"
      ? { jsonrpc: "2.0", result: { name: "py.service", host: null, port: null, methods: { ping: "Answers pong.", echo: null } }, id }
      : { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id };
    return Response.json(answer);
  },
};

// A service whose OpenRPC document has JSON Schemas for its params and result.
const schemaService = {
  fetch(): Response {
    return Response.json({
      jsonrpc: "2.0",
      id: 1,
      result: {
        openrpc: "1.3.2",
        info: { title: "orders.service", version: "2.0.0" },
        methods: [{
          name: "find_orders",
          params: [
            { name: "status", required: true, schema: { enum: ["open", "closed"] } },
            { name: "limit", required: false, schema: { type: "integer" } },
            { name: "tags", required: false, schema: { type: "string" }, "x-rest": true },
          ],
          result: { name: "result", schema: { type: "array", items: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } } },
          "x-private": true,
          "x-scopes": ["orders:read", "orders:audit"],
        }, { name: "ping", params: [], result: { name: "result", schema: { type: ["string", "null"] } }, "x-private": false, "x-scopes": [1, "not all strings"] }, {
          name: "get_order",
          params: [{ name: "id", required: true, schema: { type: "string" } }],
          result: { name: "result", schema: {
            type: "object",
            required: ["id", "status", "lines"],
            properties: {
              id: { type: "string" },
              status: { enum: ["open", "closed"] },
              lines: { type: "array", items: { type: "object", properties: { sku: { type: "string" }, qty: { type: "integer" } }, required: ["sku", "qty"] } },
              total: { type: "number" },
              note: { type: ["string", "null"] },
            },
          } },
          "x-private": false,
          "x-idempotent": true,
        }],
        "x-events": [
          { name: "order.created", description: "An order\nwas placed.", schema: { type: "object", properties: { id: { type: "string" }, qty: { type: "integer" } }, required: ["id"] } },
          { name: "order.cancelled" },
        ],
      },
    });
  },
};

before(async () => {
  const start = async (app: { fetch(request: Request): Response | Promise<Response> }): Promise<string> => {
    const server = await serve(app, { port: 0 });
    servers.push(server);
    return server.url;
  };
  base = await start(service);
  api = `${base}/api`;
  specsOnly = `${await start(pymicroservice)}/api`;
  typed = `${await start(schemaService)}/api`;
  notRpc = `${await start({ fetch: () => new Response("<html>hi</html>", { headers: { "content-type": "text/html" } }) })}/api`;
  slow = `${await start({ fetch: () => new Promise<Response>(() => {}) })}/api`;
  hostileServer = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
      const { method, id } = JSON.parse(body) as { method: string; id: number };
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ jsonrpc: "2.0", id, ...hostileAnswer(method, request.headers.authorization) }));
    });
  });
  await new Promise<void>((resolve) => hostileServer?.listen(0, "127.0.0.1", resolve));
  hostile = `http://127.0.0.1:${(hostileServer.address() as AddressInfo).port}`;
  // node:http refuses to send it, and Node's fetch takes it: a reason phrase with ESC, BEL and C1.
  rawStatusServer = createTcpServer((socket) => {
    socket.once("data", () => socket.end("HTTP/1.1 502 Bad \x1b]0;pwned\x07 \x9b2J Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "latin1"));
  });
  await new Promise<void>((resolve) => rawStatusServer?.listen(0, "127.0.0.1", resolve));
  rawStatus = `http://127.0.0.1:${(rawStatusServer.address() as AddressInfo).port}/api`;
});
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await new Promise((resolve) => hostileServer?.close(resolve));
  await new Promise((resolve) => rawStatusServer?.close(resolve));
});

// What a hostile service writes to a terminal: escape sequences that set the window title, clear
// the screen and write the clipboard (OSC 52), a C1 CSI, a right-to-left override, a line
// separator and DEL.
const HOSTILE = {
  title: "\u001b]0;pwned\u0007",
  clear: "\u001b[2J\u001b[H",
  clipboard: `\u001b]52;c;${btoa("rm -rf ~")}\u0007`,
  csi: "\u009b31m",
  bidi: "\u202egnp.exe",
  separator: "\u2028",
  del: "\u007f",
};
const EVERY = Object.values(HOSTILE).join("");
// Any control character but the newline that ends the command's own lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
const HOSTILE_DOCUMENT = {
  openrpc: "1.3.2",
  info: { title: `evil${HOSTILE.clear}`, version: `6.6.6${HOSTILE.title}` },
  methods: [{
    name: `say${HOSTILE.clipboard}hello`,
    description: `Greets.${EVERY}`,
    params: [{ name: `who${HOSTILE.csi}`, required: true, schema: { enum: [`a${HOSTILE.bidi}`] } }],
    result: { name: "result", schema: { type: "object", properties: { [`k${HOSTILE.clear}`]: { type: `t${HOSTILE.title}` }, b: {}, c: {}, d: {}, e: {} } } },
    "x-private": false,
  }],
  "x-events": [{ name: `evt${HOSTILE.csi}`, description: EVERY, schema: { type: "object", properties: { [`p${HOSTILE.bidi}`]: {} } } }],
};

function hostileAnswer(method: string, authorization: string | undefined): object {
  switch (method) {
    case "rpc.discover":
      return { result: HOSTILE_DOCUMENT };
    case "fail":
      return { error: { code: 7, message: `boom${EVERY}`, data: { why: EVERY } } };
    case "result":
      return { result: { [EVERY]: [EVERY, 1] } };
    case "whoami":
      return { result: authorization ?? null };
    default:
      return { error: { code: -32601, message: `Method not found${HOSTILE.title}` } };
  }
}

describe("tsmicroservice call", () => {
  test("positional words: JSON when they parse, strings otherwise; compact JSON into a pipe", async () => {
    assert.deepEqual(await runCli(["call", api, "say_hello", "world"]), { code: 0, stdout: '"hello world"\n', stderr: "" });
    assert.equal((await runCli(["call", api, "subtract", "42", "23"])).stdout, "19\n");
    assert.equal((await runCli(["call", api, "subtract", "-5", "3"])).stdout, "-8\n");
    assert.equal((await runCli(["call", api, "echo", '[{"a": [1, 2]}]'])).stdout, '{"a":[1,2]}\n');
    assert.equal((await runCli(["call", api, "echo", "value={\"a\": 1}"])).stdout, '{"a":1}\n');
    assert.equal((await runCli(["call", api, "echo", '"42"'])).stdout, '"42"\n');
  });

  test("name=value pairs are named params; one JSON argument is sent as it is", async () => {
    assert.equal((await runCli(["call", api, "subtract", "minuend=42", "subtrahend=23"])).stdout, "19\n");
    assert.equal((await runCli(["call", api, "subtract", '{"minuend": 1, "subtrahend": 3}'])).stdout, "-2\n");
    assert.equal((await runCli(["call", api, "sum", "[1, 2, 3]"])).stdout, "6\n");
    assert.equal((await runCli(["call", api, "echo", "value=a=b"])).stdout, '"a=b"\n');
    assert.equal((await runCli(["call", api, "nothing"])).stdout, "null\n");
    assert.equal((await runCli(["call", api, "echo", "--", "--not-a-flag"])).stdout, '"--not-a-flag"\n');
  });

  test("pretty JSON on a terminal (a real one, and TSMICROSERVICE_TTY=1), --compact and --pretty win", async () => {
    const pretty = '{\n  "a": [\n    1\n  ]\n}\n';
    assert.equal((await runCli(["call", api, "echo", '[{"a":[1]}]'], { env: { TSMICROSERVICE_TTY: "1" } })).stdout, pretty);
    assert.equal((await runCli(["call", api, "echo", '[{"a":[1]}]', "--compact"], { env: { TSMICROSERVICE_TTY: "1" } })).stdout, '{"a":[1]}\n');
    assert.equal((await runCli(["call", api, "echo", '[{"a":[1]}]', "--pretty"])).stdout, pretty);
    // A real pseudo-terminal, made by util-linux's script(1): the command sees isTTY by itself.
    const line = [...cliCommand(), "call", api, "echo", '[{"a":[1]}]'].map((word) => `'${word}'`).join(" ");
    const env = childEnv();
    delete env.TSMICROSERVICE_TTY;
    // Asynchronously: the service answering it runs in this process.
    const output = await new Promise<string>((resolve, reject) => {
      execFile("script", ["-qec", line, "/dev/null"], { env, encoding: "utf8", timeout: 60_000 }, (error, stdout) => {
        if (error === null) resolve(stdout);
        else reject(new Error("script(1) failed", { cause: error }));
      });
    });
    assert.equal(output.replace(/\r\n/g, "\n"), pretty);
  });

  test("--token reaches private methods; --header sends headers; --token-header moves the token", async () => {
    assert.equal((await runCli(["call", api, "say_private_hello", "ann", "--token", TOKEN])).stdout, '"this is secret: hello ann"\n');
    assert.equal((await runCli(["call", "--header", "X-Request-Id: r-42", api, "headers"])).stdout, '"r-42"\n');
    const moved = await runCli(["call", api, "say_private_hello", "ann", "--token", TOKEN, "--token-header", "X-Other"]);
    assert.equal(moved.code, 1);
  });

  test("an error answer: code, message and data on stderr, exit 1", async () => {
    const denied = await runCli(["call", api, "say_private_hello", "ann"]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "");
    assert.match(denied.stderr, /^error -32001: Access denied/);
    const failed = await runCli(["call", api, "fail"]);
    assert.deepEqual(failed, { code: 1, stdout: "", stderr: 'error 42: It failed\ndata: {"why":["because"]}\n' });
    const pretty = await runCli(["call", api, "fail", "--pretty"]);
    assert.equal(pretty.stderr, 'error 42: It failed\ndata: {\n  "why": [\n    "because"\n  ]\n}\n');
  });

  test("an unknown method: the error, then the service's closest method names", async () => {
    const typo = await runCli(["call", api, "say_helo", "x"]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /^error -32601: Method not found/);
    assert.match(typo.stderr, /hello\.world\.service has no method say_helo; did you mean say_hello\?\n$/);
    const partial = await runCli(["call", api, "hello"]);
    assert.match(partial.stderr, /did you mean say_hello, say_private_hello\?\n$/);
    const far = await runCli(["call", api, "zzzzzzzzzz"]);
    assert.match(far.stderr, /has no method zzzzzzzzzz; its methods: say_hello, subtract, sum, echo, nothing, headers, fail, say_private_hello\n$/);
    const python = await runCli(["call", specsOnly, "pong"]);
    assert.match(python.stderr, /py\.service has no method pong; did you mean ping\?\n$/);
  });

  test("no JSON-RPC answer: what failed on stderr, exit 2", async () => {
    const refused = await runCli(["call", "http://127.0.0.1:9/api", "ping"]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^tsmicroservice: network error calling http:\/\/127\.0\.0\.1:9\/api: /);
    const missing = await runCli(["call", `${base}/nope`, "ping"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /HTTP 404.*\nhint: no JSON-RPC endpoint at this URL; a service's default path is \/api\n$/);
    const html = await runCli(["call", notRpc, "ping"]);
    assert.equal(html.code, 2);
    assert.match(html.stderr, /bad-response error calling .*: the answer is not JSON\nhint: is this URL a JSON-RPC 2\.0 endpoint\?\n$/);
    const timeout = await runCli(["call", slow, "ping", "--timeout", "200"]);
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /timeout error calling .*: no answer within 200 ms\nhint: give the service more time with --timeout/);
  });

  test("bad usage: a message, the usage line, exit 64", async () => {
    for (const [args, message] of [
      [["call", api, "echo", "[1, 2"], /the params are not valid JSON \(.*\): \[1, 2/],
      [["call", "127.0.0.1:5000/api", "ping"], /not a URL: 127\.0\.0\.1:5000\/api \(write it whole, such as http:/],
      [["call", "localhost:5000/api", "ping"], /not an http\(s\) URL: localhost:5000\/api/],
      [["call", "not a url", "ping"], /not a URL: not a url/],
      [["call", "ftp://127.0.0.1/api", "ping"], /not an http\(s\) URL/],
      [["call", api], /call needs a method's name after the URL/],
      [["call"], /call needs the service's URL/],
      [["call", api, "subtract", "a=1", "2"], /either name=value pairs .* not both/],
      [["call", api, "subtract", "a=1", "a=2"], /the param a is given twice/],
      [["call", api, "subtract", '{"minuend": 1, "subtrahend": 2, "minuend": 3}'], /the param minuend is given twice in \{"minuend"/],
      [["call", api, "echo", "[1]", "x"], /\[1\] starts with \[ but is not the only param: write all the params as one JSON argument, such as '\[\[1\],"x"\]'/],
      [["call", api, "echo", "x", '{"a": 1}'], /\{"a": 1\} starts with \{ but is not the only param/],
      [["call", api, "ping", "--nope"], /unknown flag --nope/],
      [["call", api, "ping", "-x"], /unknown flag -x/],
      [["call", api, "ping", "--token"], /--token needs a value/],
      [["call", api, "ping", "--pretty=yes"], /--pretty takes no value/],
      [["call", api, "ping", "--pretty", "--compact"], /--pretty or --compact, not both/],
      [["call", api, "ping", "--timeout", "soon"], /--timeout wants milliseconds/],
      [["call", api, "ping", "--header", "no colon"], /--header wants "Name: value"/],
    ] as const) {
      const run = await runCli(args);
      assert.equal(run.code, 64, `${args.join(" ")}: ${run.stderr}`);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, message);
      assert.match(run.stderr, /\nusage: tsmicroservice call URL METHOD/);
    }
  });

  test("a URL without a path means /api", async () => {
    assert.equal((await runCli(["call", base, "say_hello", "x"])).stdout, '"hello x"\n');
  });

  test("runs as it is on Deno and Bun", async () => {
    for (const runtime of ["deno", "bun"] as const) {
      assert.deepEqual(await runCli(["call", api, "subtract", "minuend=5", "subtrahend=3"], { runtime }), { code: 0, stdout: "2\n", stderr: "" }, runtime);
      const denied = await runCli(["call", api, "say_private_hello", "x"], { runtime });
      assert.equal(denied.code, 1, runtime);
      const refused = await runCli(["call", "http://127.0.0.1:9/api", "ping"], { runtime });
      assert.equal(refused.code, 2, runtime);
    }
  });
});

describe("tsmicroservice and a hostile service", () => {
  const clean = (run: { stdout: string; stderr: string }): void => {
    assert.doesNotMatch(run.stdout, RAW_CONTROL, run.stdout);
    assert.doesNotMatch(run.stderr, RAW_CONTROL, run.stderr);
  };

  test("call: an error's message and data, escaped", async () => {
    const run = await runCli(["call", hostile, "fail"]);
    assert.equal(run.code, 1);
    clean(run);
    assert.equal(run.stderr.split("\n")[0], "error 7: boom\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[H\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u009b31m\\u202egnp.exe\\u2028\\u007f");
    assert.deepEqual(JSON.parse(/^data: (.*)$/m.exec(run.stderr)?.[1] ?? ""), { why: EVERY });
  });

  test("call: a result's strings escaped in its JSON, which still reads back the same", async () => {
    for (const flag of ["--compact", "--pretty"]) {
      const run = await runCli(["call", hostile, "result", flag]);
      assert.equal(run.code, 0);
      clean(run);
      assert.deepEqual(JSON.parse(run.stdout), { [EVERY]: [EVERY, 1] });
    }
  });

  test("call: an unknown method's message and the service's name and method names, escaped", async () => {
    const run = await runCli(["call", hostile, "sayhello"]);
    assert.equal(run.code, 1);
    clean(run);
    assert.equal(run.stderr, "error -32601: Method not found\\u001b]0;pwned\\u0007\n" +
      "evil\\u001b[2J\\u001b[H has no method sayhello; its methods: say\\u001b]52;c;cm0gLXJmIH4=\\u0007hello\n");
  });

  test("call: an HTTP reason phrase, escaped", async () => {
    const run = await runCli(["call", rawStatus, "ping"]);
    assert.equal(run.code, 2);
    clean(run);
    // Node's fetch reads the reason phrase as UTF-8: the lone byte 0x9B is U+FFFD there.
    assert.match(run.stderr, /HTTP 502 Bad \\u001b\]0;pwned\\u0007 \ufffd2J Gateway\n/);
  });

  test("describe: name, version, method names, params, types and descriptions, escaped", async () => {
    const run = await runCli(["describe", hostile]);
    assert.equal(run.code, 0);
    clean(run);
    const lines = run.stdout.split("\n");
    assert.equal(lines[0], "evil\\u001b[2J\\u001b[H 6.6.6\\u001b]0;pwned\\u0007 (1 method, from rpc.discover)");
    assert.match(lines[3] ?? "", /^say\\u001b\]52;c;cm0gLXJmIH4=\\u0007hello {2}who\\u009b31m: "a\\u202egnp\.exe" {2}object {2}public {2}no {10}Greets\.\\u001b\]0;pwned/);
    assert.match(run.stdout, /\nresult shapes:\n {2}say\\u001b\]52;c;cm0gLXJmIH4=\\u0007hello returns \{ k\\u001b\[2J\\u001b\[H\?: t\\u001b\]0;pwned\\u0007; b\?: any; c\?: any; d\?: any; e\?: any \}\n/);
    assert.match(run.stdout, /\nevt\\u009b31m {2}\{ p\\u202egnp\.exe\?: any \} {2}\\u001b\]0;pwned/);
    const json = await runCli(["describe", hostile, "--json"]);
    clean(json);
    assert.deepEqual(JSON.parse(json.stdout), HOSTILE_DOCUMENT);
  });

  test("credentials in the URL are sent as HTTP Basic and never printed", async () => {
    const basic = `"Basic ${btoa("ann:s3cret")}"\n`;
    assert.deepEqual(await runCli(["call", `http://ann:s3cret@${hostile.slice("http://".length)}/api`, "whoami"]), { code: 0, stdout: basic, stderr: "" });
    for (const command of ["call", "describe"]) {
      // Nothing listens there: the failure names the URL, without its credentials.
      const refused = await runCli([command, "http://ann:s3cret@127.0.0.1:9/api", ...(command === "call" ? ["ping"] : [])]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /^tsmicroservice: network error calling http:\/\/127\.0\.0\.1:9\/api: /);
      assert.doesNotMatch(refused.stderr + refused.stdout, /s3cret|ann:/);
    }
    const usage = await runCli(["call", "ftp://ann:s3cret@127.0.0.1/api", "ping"]);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /not an http\(s\) URL: ftp:\/\/127\.0\.0\.1\/api/);
    assert.doesNotMatch(usage.stderr, /s3cret/);
  });

  test("the same on Deno and Bun", async () => {
    for (const runtime of ["deno", "bun"] as const) {
      const failed = await runCli(["call", hostile, "fail"], { runtime });
      assert.equal(failed.code, 1, runtime);
      clean(failed);
      assert.match(failed.stderr, /^error 7: boom\\u001b\]0;pwned\\u0007/, runtime);
      const result = await runCli(["call", hostile, "result"], { runtime });
      clean(result);
      assert.deepEqual(JSON.parse(result.stdout), { [EVERY]: [EVERY, 1] }, runtime);
      const basic = await runCli(["call", `http://ann:s3cret@${hostile.slice("http://".length)}/api`, "whoami"], { runtime });
      assert.deepEqual(basic, { code: 0, stdout: `"Basic ${btoa("ann:s3cret")}"\n`, stderr: "" }, runtime);
      const refused = await runCli(["call", "http://ann:s3cret@127.0.0.1:9/api", "ping"], { runtime });
      assert.equal(refused.code, 2, runtime);
      assert.doesNotMatch(refused.stderr, /s3cret|ann:/, runtime);
    }
  });
});

describe("tsmicroservice describe", () => {
  test("the name, version and a table of the methods (params, result, private mark)", async () => {
    const run = await runCli(["describe", api]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, [
      "hello.world.service 1.2.3 (8 methods, from rpc.discover)",
      "",
      "METHOD             PARAMS                          RESULT  ACCESS   IDEMPOTENT  DESCRIPTION",
      "say_hello          name: any                       any     public   yes         Greets anyone.",
      "subtract           minuend: any, subtrahend?: any  any     public   no",
      "sum                ...numbers: any[]               any     public   no",
      "echo               value: any                      any     public   no",
      "nothing            -                               any     public   no",
      "headers            -                               any     public   no",
      "fail               -                               any     public   no",
      "say_private_hello  name: any                       any     private  no",
      "",
    ].join("\n"));
  });

  test("JSON Schema types are shown as short types; scopes; idempotency; a large result's whole shape and the events below", async () => {
    const run = await runCli(["describe", typed]);
    assert.equal(run.stdout, [
      "orders.service 2.0.0 (3 methods, from rpc.discover)",
      "",
      "METHOD       PARAMS                                                         RESULT            ACCESS                               IDEMPOTENT  DESCRIPTION",
      'find_orders  status: "open" | "closed", limit?: integer, ...tags: string[]  { id: string }[]  private (orders:read, orders:audit)  no',
      "ping         -                                                              string | null     public                               no",
      "get_order    id: string                                                     object            public                               yes",
      "",
      "result shapes:",
      '  get_order returns { id: string; status: "open" | "closed"; lines: { sku: string; qty: integer }[]; total?: number; note?: string | null }',
      "",
      "EVENT            PAYLOAD                        DESCRIPTION",
      "order.created    { id: string; qty?: integer }  An order was placed.",
      "order.cancelled  ?",
      "",
    ].join("\n"));
  });

  test("falls back on get_service_specs (pymicroservice), which names methods only", async () => {
    const run = await runCli(["describe", specsOnly]);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, [
      "py.service (2 methods, from get_service_specs)",
      "",
      "METHOD  PARAMS  RESULT  ACCESS  IDEMPOTENT  DESCRIPTION",
      "ping    ?       ?       ?       ?           Answers pong.",
      "echo    ?       ?       ?       ?",
      "",
    ].join("\n"));
  });

  test("--json prints the document the service answered", async () => {
    const run = await runCli(["describe", api, "--json"]);
    const document = JSON.parse(run.stdout) as { openrpc: string; methods: { name: string }[] };
    assert.equal(document.openrpc, "1.3.2");
    assert.equal(document.methods.length, 8);
    assert.equal(run.stdout.split("\n").length, 2, "one line into a pipe");
  });

  test("exit codes: 2 when unreachable or not a service, 64 for bad usage", async () => {
    assert.equal((await runCli(["describe", "http://127.0.0.1:9/api"])).code, 2);
    const html = await runCli(["describe", notRpc]);
    assert.equal(html.code, 2);
    assert.equal((await runCli(["describe", `${base}/api`, "--header", "X: 1", "--timeout", "5000"])).code, 0);
    assert.equal((await runCli(["describe"])).code, 64);
    assert.equal((await runCli(["describe", api, api])).code, 64);
  });
});

describe("tsmicroservice itself", () => {
  test("--help, help COMMAND and COMMAND --help", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    for (const name of ["describe", "call", "new", "serve", "mcp"]) assert.match(help.stdout, new RegExp(`\\n  ${name} +\\S`));
    for (const name of ["describe", "call", "new", "serve", "mcp"]) {
      const own = await runCli([name, "--help"]);
      assert.equal(own.code, 0);
      assert.match(own.stdout, new RegExp(`^usage: tsmicroservice ${name} `));
      assert.equal((await runCli(["help", name])).stdout, own.stdout);
    }
  });

  test("--version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { version: string };
    assert.deepEqual(await runCli(["--version"]), { code: 0, stdout: `${version}\n`, stderr: "" });
  });

  test("no command, or an unknown one: exit 64", async () => {
    const none = await runCli([]);
    assert.equal(none.code, 64);
    assert.match(none.stderr, /^usage: tsmicroservice COMMAND/);
    const typo = await runCli(["cal", api]);
    assert.equal(typo.code, 64);
    assert.match(typo.stderr, /unknown command cal; did you mean call\?/);
  });
});
