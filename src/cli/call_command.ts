/**
 * `tsmicroservice call URL METHOD [PARAMS...]`: calls one method and prints its result as JSON; a
 * streaming method's items first, one JSON line each, as they arrive.
 *
 * @module
 */

import { type Client, createClient } from "../client/client.ts";
import { TransportError } from "../client/errors.ts";
import { sseStreams } from "../client/stream.ts";
import type { JsonRpcParams } from "../protocol/messages.ts";
import { RpcError } from "../protocol/errors.ts";
import { parseArgs, UsageError } from "./args.ts";
import { parseCallParams } from "./call_params.ts";
import { closestNames } from "./closest_names.ts";
import type { Command } from "./command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatJson } from "./output.ts";
import { clientOptions, endpointOf, REMOTE_FLAGS, reportFailure, wantsPretty } from "./remote_flags.ts";
import { describeService } from "./service_description.ts";
import { escapeControls } from "./terminal_text.ts";

const HELP = `usage: tsmicroservice call URL METHOD [PARAMS...] [flags]

Calls METHOD and prints its result as JSON on stdout. A streaming method's items come first, one
JSON line each as it arrives, then its result; Ctrl-C ends the stream. PARAMS are one of:
  one JSON array or object   '[42, 23]'  '{"minuend": 42, "subtrahend": 23}'
  name=value pairs           minuend=42 subtrahend=23   (named params)
  words                      42 23  or  world            (positional params)
A value is read as JSON when it is valid JSON (42, true, null, "quoted"), else as a string.
An array or object among other params, and a param named twice, are usage errors: write all
the params as one JSON argument, '[[1], "x"]'. Put -- before params that start with --.
A URL without a path means /api; user:password@ in it is sent as HTTP Basic, never printed.
Control characters in what the service answers are printed escaped (\u001b).

flags:
  --token TOKEN           API token for private methods (sent in X-Api-Token)
  --token-header NAME     send the token in this header instead
  --header "Name: value"  extra request header (repeatable)
  --timeout MS            give up after MS milliseconds (a stream: all of it)
  --pretty, --compact     indented or one-line JSON (default: indented on a terminal)
  -h, --help              this help

exit codes:
  0   the result was printed
  1   the service answered an error (a stream: maybe after items): code, message, data on stderr
  2   no JSON-RPC answer (unreachable, timeout, HTTP error, not JSON-RPC, a stream cut off)
  64  bad usage (unknown flag, missing argument, params that are not valid JSON, bad URL)

examples:
  tsmicroservice call http://127.0.0.1:5000/api say_hello world
  tsmicroservice call http://127.0.0.1:5000/api subtract minuend=42 subtrahend=23
  tsmicroservice call http://127.0.0.1:5000/api say_private_hello world --token "$API_TOKEN"
`;

const METHOD_NOT_FOUND = -32601;

/**
 * The `call` subcommand.
 *
 * @example
 * ```ts
 * import { callCommand } from "./call_command.ts";
 * const env = { stdout: (text: string) => console.log(text), stderr: (text: string) => console.error(text), isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
 * const code = await callCommand.run(["http://127.0.0.1:5000/api", "say_hello", "world"], env); // 0, after "hello world"
 * ```
 */
export const callCommand: Command = {
  name: "call",
  summary: "call a method and print its result as JSON",
  help: HELP,
  async run(words: readonly string[], env: CliEnvironment): Promise<number> {
    const args = parseArgs(words, REMOTE_FLAGS);
    if (args.help) {
      env.stdout(HELP);
      return ExitCode.Ok;
    }
    const [urlText, method, ...paramWords] = args.positionals;
    if (urlText === undefined) throw new UsageError("call needs the service's URL and a method's name");
    if (method === undefined) throw new UsageError("call needs a method's name after the URL");
    const { url, authorization } = endpointOf(urlText);
    const params = parseCallParams(paramWords);
    const pretty = wantsPretty(args, env);
    const started = Date.now();
    const options = clientOptions(args, authorization);
    const client = createClient(url, { ...options, streams: sseStreams, ...(env.fetch === undefined ? {} : { fetch: env.fetch }) });
    let result: unknown;
    try {
      result = await client.call(method, params);
    } catch (error) {
      if (refusedAsStream(error)) {
        // --timeout bounds the whole command: the stream gets what the refused call left.
        const left = options.timeout === undefined ? undefined : Math.max(1, options.timeout - (Date.now() - started));
        return await streamCall(client, method, params, left, env, pretty, options.timeout);
      }
      const code = reportFailure(error, env, pretty);
      if (error instanceof RpcError && error.code === METHOD_NOT_FOUND) await suggestMethods(client, method, env);
      return code;
    }
    env.stdout(`${formatJson(result, pretty)}\n`);
    return ExitCode.Ok;
  },
};

/**
 * Whether a call was refused because its method streams (the `streams()` plugin's answer to a
 * caller that does not accept `text/event-stream`). The call is sent as a plain call first, so a
 * method that does not stream costs what it always did; an `async function*`'s body has not run
 * when it is refused, so asking again for its stream runs it once.
 */
function refusedAsStream(error: unknown): boolean {
  return error instanceof RpcError && error.code === -32600 && /\bstreams: call it with the header Accept: text\/event-stream\b/.test(error.message);
}

/**
 * Reads a streaming method's items and prints each as one line of JSON as it arrives (a program
 * reading the pipe gets JSON Lines), then the result as a call's is printed. `--timeout` bounds
 * the whole stream. A resumable stream that drops is resumed as the client does.
 */
async function streamCall(
  client: Client,
  method: string,
  params: JsonRpcParams | undefined,
  left: number | undefined,
  env: CliEnvironment,
  pretty: boolean,
  timeout: number | undefined,
): Promise<number> {
  const signal = left === undefined ? undefined : AbortSignal.timeout(Math.ceil(left));
  const stream = client.stream(method, params as never, signal === undefined ? {} : { signal });
  try {
    for (let next = await stream.next(); ; next = await stream.next()) {
      if (next.done === true) {
        env.stdout(`${formatJson(next.value, pretty)}\n`);
        return ExitCode.Ok;
      }
      env.stdout(`${formatJson(next.value, false)}\n`);
    }
  } catch (error) {
    // The stream's own abort is --timeout's: say so, as a call's timeout is said.
    const failure = error instanceof TransportError && error.kind === "aborted" && signal?.aborted === true
      ? new TransportError(error.url, "timeout", `the stream did not end within ${timeout} ms`)
      : error;
    return reportFailure(failure, env, pretty);
  }
}

/** After "Method not found": the service's closest method names, when it can tell them (escaped). */
async function suggestMethods(client: Client, method: string, env: CliEnvironment): Promise<void> {
  let names: string[];
  let service: string;
  try {
    const description = await describeService(client);
    names = description.methods.map((entry) => entry.name);
    service = description.name;
  } catch {
    return; // It cannot say what it has: the error alone has to do.
  }
  const closest = closestNames(method, names).map(escapeControls);
  const start = `${escapeControls(service)} has no method ${escapeControls(method)}`;
  if (closest.length > 0) env.stderr(`${start}; did you mean ${closest.join(", ")}?\n`);
  else env.stderr(`${start}; its methods: ${names.length === 0 ? "none" : names.map(escapeControls).join(", ")}\n`);
}
