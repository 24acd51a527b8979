/**
 * `tsmicroservice new NAME`: makes a ready project folder with a service, a server, a test and a
 * README.
 *
 * @module
 */

import { parseArgs, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode } from "./exit_codes.ts";
import { isProjectName, projectFiles } from "./project_template.ts";

const HELP = `usage: tsmicroservice new NAME

Makes the folder NAME with a project that runs and type-checks:
  package.json          depends on tsmicroservice; npm start, npm run typecheck, npm test
  tsconfig.json         tsc checks the sources as tsx runs them (npm test runs it first)
  src/service.ts        the service: say_hello (public), say_private_hello (private)
  src/server.ts         serves it on HOST:PORT (default 127.0.0.1:5000)
  test/service.test.ts  node:test, run with tsx
  README.md             how to start it and call it
NAME is also the package's and the service's name: lowercase letters, digits, - . _

flags:
  -h, --help   this help

exit codes: 0 made, 1 the folder exists or cannot be written, 64 bad usage

example:
  tsmicroservice new orders && cd orders && npm install && npm test
`;

/**
 * The `new` subcommand.
 *
 * @example
 * ```ts
 * import { newCommand } from "./new_command.ts";
 * const env = {
 *   stdout: (text: string) => console.log(text),
 *   stderr: (text: string) => console.error(text),
 *   isTTY: false,
 *   importModule: () => Promise.resolve({}),
 *   writeFolder: (folder: string) => Promise.resolve(`/tmp/${folder}`),
 * };
 * const code = await newCommand.run(["orders"], env); // 0
 * ```
 */
export const newCommand: Command = {
  name: "new",
  summary: "make a new service project",
  help: HELP,
  async run(words: readonly string[], env: CliEnvironment): Promise<number> {
    const args = parseArgs(words, {});
    if (args.help) {
      env.stdout(HELP);
      return ExitCode.Ok;
    }
    const [name, ...extra] = args.positionals;
    if (name === undefined) throw new UsageError("new needs the project's name");
    if (extra.length > 0) throw new UsageError(`new takes one name, got also ${extra.join(" ")}`);
    if (!isProjectName(name)) {
      throw new UsageError(`${JSON.stringify(name)} cannot name a project: use lowercase letters, digits, - . _`);
    }
    let folder: string;
    try {
      folder = await env.writeFolder(name, projectFiles(name));
    } catch (error) {
      env.stderr(`tsmicroservice: cannot make ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
      return ExitCode.Failed;
    }
    env.stdout(`made ${folder}\n\n  cd ${name}\n  npm install\n  npm test\n  API_TOKEN=choose-a-secret npm start\n`);
    return ExitCode.Ok;
  },
};
