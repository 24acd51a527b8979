/**
 * `tsmicroservice describe URL`: a service's name, version and methods, as the service describes
 * itself.
 *
 * @module
 */

import { createClient } from "../client/client.ts";
import { parseArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { formatJson, formatTable } from "./output.ts";
import { clientOptions, endpointOf, REMOTE_FLAGS, reportFailure, wantsPretty } from "./remote_flags.ts";
import { describeService, type MethodDescription, type ServiceDescription } from "./service_description.ts";
import { escapeControls } from "./terminal_text.ts";

const HELP = `usage: tsmicroservice describe URL [flags]

Shows a service's name, version and methods: each method's params (name, JSON Schema type,
"?" when optional, "..." for a rest param), its result type, whether it needs a token and
whether it is idempotent (may be sent twice); then, for results too large for the table, their
whole shape, the errors each method declares (code and message), and the events the service
emits with their payload's type. Asks the service with rpc.discover, or get_service_specs (pymicroservice) when it
has no rpc.discover. A URL without a path means /api. Control characters in what the service
answered are printed escaped (\u001b).

flags:
  --json                  print what the service answered, as JSON
  --token TOKEN           API token (sent in X-Api-Token)
  --token-header NAME     send the token in this header instead
  --header "Name: value"  extra request header (repeatable)
  --timeout MS            give up after MS milliseconds
  --pretty, --compact     indented or one-line JSON (default: indented on a terminal)
  -h, --help              this help

exit codes: 0 described, 1 the service answered an error, 2 no answer, 64 bad usage

example:
  tsmicroservice describe http://127.0.0.1:5000/api
`;

/**
 * The `describe` subcommand.
 *
 * @example
 * ```ts
 * import { describeCommand } from "./describe_command.ts";
 * const env = { stdout: (text: string) => console.log(text), stderr: (text: string) => console.error(text), isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
 * const code = await describeCommand.run(["http://127.0.0.1:5000/api"], env); // 0, after the table
 * ```
 */
export const describeCommand: Command = {
  name: "describe",
  summary: "show a service's name, version and methods",
  help: HELP,
  async run(words: readonly string[], env: CliEnvironment): Promise<number> {
    const args = parseArgs(words, { ...REMOTE_FLAGS, json: "boolean" });
    if (args.help) {
      env.stdout(HELP);
      return ExitCode.Ok;
    }
    const [urlText, ...extra] = args.positionals;
    if (urlText === undefined) throw new UsageError("describe needs the service's URL");
    if (extra.length > 0) throw new UsageError(`describe takes one URL, got also ${extra.join(" ")}`);
    const { url, authorization } = endpointOf(urlText);
    const pretty = wantsPretty(args, env);
    const client = createClient(url, { ...clientOptions(args, authorization), ...(env.fetch === undefined ? {} : { fetch: env.fetch }) });
    let description: ServiceDescription;
    try {
      description = await describeService(client);
    } catch (error) {
      return reportFailure(error, env, pretty);
    }
    env.stdout(args.switches.has("json") ? `${formatJson(description.document, pretty)}\n` : formatDescription(description));
    return ExitCode.Ok;
  },
};

/**
 * Writes a description for people: a heading line, then a table of the methods (the RESULT column
 * writes an object of more than four properties as `object`), then the whole shape of each such
 * result, then a table of the methods' declared errors, then one of the events the service emits.
 * Every text that came from the service is printed with its control characters escaped.
 *
 * @param description The service's description.
 * @returns The text, ending with a newline.
 * @example
 * ```ts
 * import { formatDescription } from "./describe_command.ts";
 * formatDescription({
 *   name: "calculator",
 *   version: "1.0.0",
 *   source: "rpc.discover",
 *   document: {},
 *   events: [],
 *   methods: [{
 *     name: "add",
 *     description: "Adds.",
 *     params: [{ name: "a", type: "number", required: true, rest: false }],
 *     result: "number",
 *     resultShape: "number",
 *     isPrivate: false,
 *     idempotent: true,
 *   }],
 * });
 * // "calculator 1.0.0 (1 method, from rpc.discover)\n\n" +
 * // "METHOD  PARAMS     RESULT  ACCESS  IDEMPOTENT  DESCRIPTION\n" +
 * // "add     a: number  number  public  yes         Adds.\n"
 * ```
 */
export function formatDescription(description: ServiceDescription): string {
  const count = description.methods.length;
  const heading = `${escapeControls(description.name)}${description.version === undefined ? "" : ` ${escapeControls(description.version)}`}` +
    ` (${count} method${count === 1 ? "" : "s"}, from ${description.source})\n`;
  const events = description.events.length === 0 ? "" : `\n${formatTable([
    ["EVENT", "PAYLOAD", "DESCRIPTION"],
    ...description.events.map((event) => [event.name, event.payload ?? "?", (event.description ?? "").replace(/[ \t\n\r\f\v\u2028\u2029]+/g, " ").trim()].map(escapeControls)),
  ])}\n`;
  if (count === 0) return `${heading}${events}`;
  const rows = description.methods.map((method) => [
    method.name,
    paramsText(method),
    method.result ?? "?",
    method.isPrivate === undefined ? "?" : method.isPrivate ? `private${method.scopes === undefined ? "" : ` (${method.scopes.join(", ")})`}` : "public",
    method.idempotent === undefined ? "?" : method.idempotent ? "yes" : "no",
    // Runs of spaces (line breaks included) become one space; other controls are escaped below.
    (method.description ?? "").replace(/[ \t\n\r\f\v\u2028\u2029]+/g, " ").trim(),
  ].map(escapeControls));
  const table = formatTable([["METHOD", "PARAMS", "RESULT", "ACCESS", "IDEMPOTENT", "DESCRIPTION"], ...rows]);
  const shapes = description.methods
    .filter((method) => method.resultShape !== undefined && method.resultShape !== method.result)
    .map((method) => `  ${escapeControls(method.name)} returns ${escapeControls(method.resultShape ?? "")}`);
  const declared = description.methods.flatMap((method) => (method.errors ?? []).map((error) => [method.name, String(error.code), error.message].map(escapeControls)));
  const errors = declared.length === 0 ? "" : `\n${formatTable([["METHOD", "ERROR", "MESSAGE"], ...declared])}\n`;
  return `${heading}\n${table}\n${shapes.length === 0 ? "" : `\nresult shapes:\n${shapes.join("\n")}\n`}${errors}${events}`;
}

function paramsText(method: MethodDescription): string {
  if (method.params === undefined) return "?";
  if (method.params.length === 0) return "-";
  return method.params
    .map((param) => param.rest ? `...${param.name}: ${param.type}[]` : `${param.name}${param.required ? "" : "?"}: ${param.type}`)
    .join(", ");
}
