/**
 * `tsmicroservice serve FILE`: serves a module's default export (a Service, or any `{ fetch }`)
 * with `serve()`, until SIGINT or SIGTERM stops it gracefully.
 *
 * @module
 */

import type { FetchApp } from "../adapters/types.ts";
import { serve } from "../serve.ts";
import { parseArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { remapApp, type RemappableApp } from "./remap_app.ts";

const HELP = `usage: tsmicroservice serve FILE [flags]

Serves the default export of the module FILE: a Service, or any object with fetch(request).
The module should export its service without starting a server itself. Ctrl-C or SIGTERM
stops it gracefully (calls in flight are answered first). On Node.js a TypeScript FILE is
loaded through tsx, which must then be installed; Deno and Bun load it as it is.

flags:
  --host HOST          address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --port PORT          port to listen on (default 8000; 0 picks a free one)
  --path PATH          answer JSON-RPC at PATH instead of the service's own path (default /api)
  --token-header NAME  read the API token from the header NAME instead of the service's own
  -h, --help           this help

exit codes: 0 stopped by a signal, 1 the module cannot be loaded or served, 64 bad usage

example:
  tsmicroservice serve src/service.ts --port 5000
`;

/**
 * The `serve` subcommand. It resolves once the server listens (with 0), and the server then keeps
 * the process running until a signal stops it.
 *
 * @example
 * ```ts
 * import { serveCommand } from "./serve_command.ts";
 * const env = {
 *   stdout: (text: string) => console.log(text),
 *   stderr: (text: string) => console.error(text),
 *   isTTY: false,
 *   importModule: () => Promise.resolve({ default: { fetch: () => new Response("hello") } }),
 *   writeFolder: () => Promise.resolve(""),
 * };
 * await serveCommand.run(["app.ts", "--port", "0"], env); // "serving at http://127.0.0.1:…"
 * ```
 */
export const serveCommand: Command = {
  name: "serve",
  summary: "serve a module's default export (a Service or { fetch })",
  help: HELP,
  async run(words: readonly string[], env: CliEnvironment): Promise<number> {
    const args = parseArgs(words, { host: "string", port: "string", path: "string", "token-header": "string" });
    if (args.help) {
      env.stdout(HELP);
      return ExitCode.Ok;
    }
    const [file, ...extra] = args.positionals;
    if (file === undefined) throw new UsageError("serve needs the module's file");
    if (extra.length > 0) throw new UsageError(`serve takes one file, got also ${extra.join(" ")}`);
    const portText = args.strings.get("port");
    const port = portText === undefined ? undefined : /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (port !== undefined && !(port <= 65_535)) {
      throw new UsageError(`--port wants a port number (0 to 65535), got ${JSON.stringify(portText)}`);
    }
    const path = args.strings.get("path");
    if (path !== undefined && !path.startsWith("/")) throw new UsageError(`--path must start with "/", got ${JSON.stringify(path)}`);
    const tokenHeader = args.strings.get("token-header");
    if (tokenHeader !== undefined && !/^[!#$%&'*+.^_`|~\w-]+$/.test(tokenHeader)) {
      throw new UsageError(`--token-header wants a header name, got ${JSON.stringify(tokenHeader)}`);
    }
    const hostname = args.strings.get("host");

    let exported: unknown;
    try {
      exported = (await env.importModule(file)).default;
    } catch (error) {
      env.stderr(`tsmicroservice: cannot load ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return ExitCode.Failed;
    }
    if (typeof (exported as { fetch?: unknown } | null | undefined)?.fetch !== "function") {
      const hint = typeof exported === "function" ? " (it exports a function or class: export an instance)" : "";
      env.stderr(`tsmicroservice: ${file} has no default export to serve${hint}: export default a Service, or an object with fetch(request)\n`);
      return ExitCode.Failed;
    }
    const app = exported as RemappableApp & { readonly name?: unknown };
    const served: FetchApp = remapApp(app, { ...(path === undefined ? {} : { path }), ...(tokenHeader === undefined ? {} : { tokenHeader }) });
    let url: string;
    try {
      const server = await serve(served, {
        ...(hostname === undefined ? {} : { hostname }),
        ...(port === undefined ? {} : { port }),
        signals: true,
      });
      url = server.url;
    } catch (error) {
      env.stderr(`tsmicroservice: cannot serve ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return ExitCode.Failed;
    }
    const rpcPath = path ?? (typeof app.path === "string" ? app.path : undefined);
    const name = typeof app.name === "string" && app.name !== "" ? `${app.name} ` : "";
    env.stdout(`${name}serving at ${url}${rpcPath ?? ""}\n`);
    return ExitCode.Ok;
  },
};
