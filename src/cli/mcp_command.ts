/**
 * `tsmicroservice mcp URL`: bridges a running service to an AI agent over stdio, MCP's local
 * transport (newline-delimited JSON-RPC on standard input and output). The service needs no
 * `mcp()` plugin: the bridge learns its methods from `rpc.discover` and calls them over its
 * JSON-RPC endpoint, so desktop agents use any service as it is.
 *
 * @module
 */

import { type Client, createClient } from "../client/client.ts";
import { TransportError } from "../client/errors.ts";
import type { OpenRpcMethod } from "../core/introspection.ts";
import { RpcError } from "../protocol/errors.ts";
import type { JsonRpcErrorObject, JsonRpcParams, JsonRpcResponse } from "../protocol/messages.ts";
import { validateRequest } from "../protocol/validate_request.ts";
import { answerMcpRequest, PROTOCOL_VERSION_KEY, SESSION_VERSIONS, STATELESS_VERSIONS, type ToolSource } from "../mcp/protocol.ts";
import { parseArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { clientOptions, endpointOf, REMOTE_FLAGS } from "./remote_flags.ts";
import { escapeControls, withoutCredentials } from "./terminal_text.ts";

const HELP = `usage: tsmicroservice mcp URL [flags]

Bridges the service at URL to an AI agent over stdio: MCP (the Model Context Protocol) as
newline-delimited JSON-RPC on stdin and stdout, each of the service's methods a tool. The
service needs nothing of its own: the bridge reads its methods from rpc.discover and calls
them at URL. Private methods are tools only when a token is given. Runs until stdin closes;
stdout carries MCP messages only, stderr what went wrong. A URL without a path means /api.

flags:
  --token TOKEN           API token for private methods (sent in X-Api-Token)
  --token-header NAME     send the token in this header instead
  --header "Name: value"  extra request header (repeatable)
  --timeout MS            give each call up after MS milliseconds
  -h, --help              this help

exit codes: 0 stdin closed, 64 bad usage

an agent's configuration (such as Claude Desktop's mcpServers):
  { "command": "npx", "args": ["tsmicroservice", "mcp", "http://127.0.0.1:5000/api", "--token", "…"] }
`;

/**
 * The `mcp` subcommand.
 *
 * @example
 * ```ts
 * import { mcpCommand } from "./mcp_command.ts";
 * const env = {
 *   stdout: (text: string) => console.log(text.trimEnd()),
 *   stderr: (text: string) => console.error(text.trimEnd()),
 *   isTTY: false,
 *   importModule: () => Promise.resolve({}),
 *   writeFolder: () => Promise.resolve(""),
 *   stdin: [new TextEncoder().encode('{"jsonrpc":"2.0","method":"ping","id":1}\n')],
 * };
 * await mcpCommand.run(["http://127.0.0.1:5000/api"], env); // 0, after {"jsonrpc":"2.0","result":{},"id":1}
 * ```
 */
export const mcpCommand: Command = {
  name: "mcp",
  summary: "bridge a service to an AI agent (MCP over stdio)",
  help: HELP,
  async run(words: readonly string[], env: CliEnvironment): Promise<number> {
    const args = parseArgs(words, REMOTE_FLAGS);
    if (args.help) {
      env.stdout(HELP);
      return ExitCode.Ok;
    }
    const [urlText, ...extra] = args.positionals;
    if (urlText === undefined) throw new UsageError("mcp needs the service's URL");
    if (extra.length > 0) throw new UsageError(`mcp takes one URL, got also ${extra.join(" ")}`);
    if (env.stdin === undefined) throw new UsageError("mcp reads its messages from stdin, which this run has none of");
    const { url, authorization } = endpointOf(urlText);
    const options = clientOptions(args, authorization);
    const client = createClient(url, { ...options, ...(env.fetch === undefined ? {} : { fetch: env.fetch }) });
    // clientOptions gives its headers as pairs; a bearer token in --header is a credential too.
    const headers = (options.headers ?? []) as readonly (readonly [string, string])[];
    const credentialed = options.token !== undefined || authorization !== undefined ||
      headers.some(([name]) => name.toLowerCase() === "authorization");
    const source = serviceTools(client, env);
    const pending = new Set<Promise<void>>();
    const inFlight = new Map<string, AbortController>();
    for await (const line of lines(env.stdin)) {
      const answering = answerLine(line, source, credentialed, inFlight).then((response) => {
        if (response !== undefined) env.stdout(`${JSON.stringify(response)}\n`);
      });
      pending.add(answering);
      void answering.finally(() => pending.delete(answering));
    }
    await Promise.all(pending);
    return ExitCode.Ok;
  },
};

/**
 * Answers one line of stdin: an MCP request gets its response; a notification, a response to
 * us (we send no requests) and a blank line get nothing.
 *
 * @param line The line, without its newline.
 * @param source The service's tools.
 * @param credentialed Whether the bridge was given a credential.
 * @param inFlight The requests being answered, by id (as JSON), so `notifications/cancelled` can
 *   abort one: its call is abandoned and it gets no response, as MCP asks.
 * @returns The response to write, or `undefined`.
 * @example
 * ```ts
 * import { answerLine } from "./mcp_command.ts";
 * import type { ToolSource } from "../mcp/protocol.ts";
 * const source: ToolSource = { name: "s", version: "1", methods: () => [], call: () => Promise.resolve({ result: null }) };
 * await answerLine('{"jsonrpc":"2.0","method":"ping","id":7}', source, false); // { jsonrpc: "2.0", result: {}, id: 7 }
 * await answerLine("{oops", source, false); // { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null }
 * ```
 */
export async function answerLine(
  line: string,
  source: ToolSource,
  credentialed: boolean,
  inFlight: Map<string, AbortController> = new Map(),
): Promise<JsonRpcResponse | undefined> {
  if (line.trim() === "") return undefined;
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null };
  }
  if (typeof message === "object" && message !== null && !Array.isArray(message) && !Object.hasOwn(message, "method")) return undefined;
  const request = validateRequest(message);
  if ("invalid" in request) return { jsonrpc: "2.0", error: { code: -32600, message: `Invalid Request: ${request.reason}` }, id: request.id };
  const params = request.params as Readonly<Record<string, unknown>> | undefined;
  if (request.id === undefined) {
    if (request.method === "notifications/cancelled" && typeof params === "object" && !Array.isArray(params)) {
      inFlight.get(JSON.stringify(params["requestId"]))?.abort();
    }
    return undefined;
  }
  const meta = typeof params === "object" && !Array.isArray(params) ? params["_meta"] : undefined;
  const version = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>)[PROTOCOL_VERSION_KEY] : undefined;
  if (version !== undefined && (typeof version !== "string" || !STATELESS_VERSIONS.includes(version))) {
    const data = { supported: [...STATELESS_VERSIONS, ...SESSION_VERSIONS], requested: version };
    return { jsonrpc: "2.0", error: { code: -32022, message: "Unsupported protocol version", data }, id: request.id };
  }
  // The server's name and version are the service's: described first.
  if (request.method === "initialize" || request.method === "server/discover") await source.methods();
  const key = JSON.stringify(request.id);
  const controller = new AbortController();
  inFlight.set(key, controller);
  try {
    const { response } = await answerMcpRequest(request, source, { credentialed, stateless: version !== undefined, signal: controller.signal });
    return controller.signal.aborted ? undefined : response;
  } finally {
    if (inFlight.get(key) === controller) inFlight.delete(key);
  }
}

/** The service at the client's URL as tools: its methods from rpc.discover, each call a call. */
function serviceTools(client: Client, env: CliEnvironment): ToolSource {
  let described: Promise<{ title: string; version: string; description?: string; methods: OpenRpcMethod[] }> | undefined;
  const describe = (): NonNullable<typeof described> => {
    described ??= client.call("rpc.discover").then((document) => {
      const { info, methods } = (document ?? {}) as { info?: { title?: unknown; version?: unknown; description?: unknown }; methods?: unknown };
      if (!Array.isArray(methods)) throw new Error("its rpc.discover answered no list of methods");
      return {
        title: typeof info?.title === "string" ? info.title : "service",
        version: typeof info?.version === "string" ? info.version : "0.0.0",
        ...(typeof info?.description === "string" ? { description: info.description } : {}),
        methods: (methods as OpenRpcMethod[]).filter((method) => typeof method.name === "string" && Array.isArray(method.params)),
      };
    });
    // A failure is told once, and the next request asks again (the service may have started since).
    described.catch((error: unknown) => {
      described = undefined;
      env.stderr(`tsmicroservice mcp: could not describe the service: ${escapeControls(withoutCredentials(error instanceof Error ? error.message : String(error)))}\n`);
    });
    return described;
  };
  const source: ToolSource & { name: string; version: string; instructions: string | undefined } = {
    name: "tsmicroservice",
    version: "0.0.0",
    instructions: undefined,
    methods: async () => {
      try {
        const document = await describe();
        // The MCP server's name and version are the service's, once known.
        source.name = document.title;
        source.version = document.version;
        source.instructions = document.description;
        return document.methods;
      } catch {
        return [];
      }
    },
    call: async (name: string, params: JsonRpcParams, signal?: AbortSignal) => {
      try {
        return { result: await client.call(name, params as unknown[] | Readonly<Record<string, unknown>>, { signal }) };
      } catch (error) {
        return { error: errorOf(error) };
      }
    },
  };
  return source;
}

function errorOf(error: unknown): JsonRpcErrorObject {
  if (error instanceof RpcError) {
    const { code, message, data } = error;
    return data === undefined ? { code, message } : { code, message, data };
  }
  // The model reads this: the service could not be reached, which trying again later may mend.
  if (error instanceof TransportError) return { code: -32004, message: `Unavailable: ${withoutCredentials(error.message)}` };
  return { code: -32603, message: "Internal error" };
}

/** The lines of a byte (or text) stream, decoded as UTF-8, without their `\n` (or `\r\n`). */
async function* lines(input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of input) {
    buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n");
    while (end !== -1) {
      yield buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf("\n");
    }
  }
  buffer += decoder.decode();
  if (buffer !== "") yield buffer;
}
