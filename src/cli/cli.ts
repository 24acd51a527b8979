/**
 * The `tsmicroservice` command's core: picks the subcommand, runs it, and turns a wrong command
 * line into a message and exit code 64. It uses no runtime's own API: the entry (`main.ts`) hands
 * in the outside world as a {@linkcode CliEnvironment}.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { callCommand } from "./call_command.ts";
import { closestNames } from "./closest_names.ts";
import type { Command } from "./command.ts";
import { describeCommand } from "./describe_command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { mcpCommand } from "./mcp_command.ts";
import { newCommand } from "./new_command.ts";
import { serveCommand } from "./serve_command.ts";
import { VERSION } from "./version.ts";

/**
 * The subcommands, in the order the help lists them.
 *
 * @example
 * ```ts
 * import { COMMANDS } from "./cli.ts";
 * COMMANDS.map((command) => command.name); // ["describe", "call", "new", "serve", "mcp"]
 * ```
 */
export const COMMANDS: readonly Command[] = [describeCommand, callCommand, newCommand, serveCommand, mcpCommand];

/**
 * The help of the command itself.
 *
 * @returns The text, ending with a newline.
 * @example
 * ```ts
 * import { mainHelp } from "./cli.ts";
 * console.log(mainHelp());
 * ```
 */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `usage: tsmicroservice COMMAND [ARGS...] [flags]

Look at, call, make and serve JSON-RPC 2.0 microservices.

commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join("\n")}

flags:
  -h, --help     this help (tsmicroservice COMMAND --help: the command's)
  -v, --version  tsmicroservice's version

exit codes: 0 ok, 1 the service answered an error or the command failed,
            2 no JSON-RPC answer (transport), 64 bad usage
`;
}

/**
 * Runs the command.
 *
 * @param args The words after the program's name.
 * @param env The outside world.
 * @returns The exit code (see {@linkcode ExitCode}). For `serve`, 0 once the server listens; the
 *   server keeps the process running.
 * @example
 * ```ts
 * import { runCli } from "./cli.ts";
 * const env = {
 *   stdout: (text: string) => console.log(text.trimEnd()),
 *   stderr: (text: string) => console.error(text.trimEnd()),
 *   isTTY: false,
 *   importModule: () => Promise.resolve({}),
 *   writeFolder: () => Promise.resolve(""),
 * };
 * await runCli(["--version"], env); // 0, after "0.1.0"
 * await runCli(["call", "http://127.0.0.1:5000/api", "say_hello", "world"], env); // 0, after '"hello world"'
 * ```
 */
export async function runCli(args: readonly string[], env: CliEnvironment): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    env.stderr(mainHelp());
    return ExitCode.Usage;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = COMMANDS.find((entry) => entry.name === topic);
    env.stdout(command?.help ?? mainHelp());
    return ExitCode.Ok;
  }
  if (name === "-v" || name === "--version" || name === "version") {
    env.stdout(`${VERSION}\n`);
    return ExitCode.Ok;
  }
  const command = COMMANDS.find((entry) => entry.name === name);
  if (command === undefined) {
    const near = closestNames(name, COMMANDS.map((entry) => entry.name));
    env.stderr(`tsmicroservice: unknown command ${name}${near.length > 0 ? `; did you mean ${near.join(", ")}?` : ""}\n` +
      "run tsmicroservice --help for the commands\n");
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const usage = command.help.split("\n", 1)[0] ?? "";
    env.stderr(`tsmicroservice ${command.name}: ${error.message}\n${usage}\nrun tsmicroservice ${command.name} --help for more\n`);
    return ExitCode.Usage;
  }
}
