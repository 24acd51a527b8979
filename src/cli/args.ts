/**
 * A small command line parser, written by hand so the command's core needs nothing of any
 * runtime: `--name value`, `--name=value`, repeatable flags, boolean switches, `-h`, and `--` to end
 * the flags. Any other word is positional, including negative numbers such as `-5`, so `call`
 * params need no quoting.
 *
 * @module
 */

/**
 * A mistake on the command line; the command prints its message and the subcommand's usage line,
 * and exits 64.
 *
 * @example
 * ```ts
 * import { UsageError } from "./args.ts";
 * const error = new UsageError("missing URL");
 * error.message; // "missing URL"
 * ```
 */
export class UsageError extends Error {
  /**
   * Makes the error.
   *
   * @param message What is wrong, in a few words.
   * @example
   * ```ts
   * import { UsageError } from "./args.ts";
   * throw new UsageError("--port wants a number");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The flags a subcommand takes: each name (without `--`) and whether it takes a value
 * (`"string"`, the last one given wins), may be given several times (`"list"`), or is a switch
 * (`"boolean"`).
 *
 * @example
 * ```ts
 * import type { FlagSpec } from "./args.ts";
 * const flags: FlagSpec = { token: "string", header: "list", pretty: "boolean" };
 * ```
 */
export type FlagSpec = Readonly<Record<string, "string" | "list" | "boolean">>;

/**
 * A parsed command line: the flags by name and the positional words in order.
 *
 * @example
 * ```ts
 * import { parseArgs, type ParsedArgs } from "./args.ts";
 * const parsed: ParsedArgs = parseArgs(["--token", "t", "http://x/api"], { token: "string" });
 * parsed.positionals; // ["http://x/api"]
 * ```
 */
export interface ParsedArgs {
  /** Values of `"string"` flags. */
  readonly strings: ReadonlyMap<string, string>;
  /** Values of `"list"` flags, in the order given. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
  /** The `"boolean"` flags that were given. */
  readonly switches: ReadonlySet<string>;
  /** Whether `--help` or `-h` was given. */
  readonly help: boolean;
  /** Every other word, in order. */
  readonly positionals: readonly string[];
}

/**
 * Parses the words after the subcommand's name.
 *
 * @param args The words.
 * @param spec The flags the subcommand knows (`--help` and `-h` are always known).
 * @returns The flags and the positional words.
 * @throws {UsageError} For an unknown flag, a flag without its value, or a value given to a switch.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const parsed = parseArgs(["add", "--header", "A: 1", "-5", "--header=B: 2", "--", "--x"], { header: "list" });
 * parsed.lists.get("header"); // ["A: 1", "B: 2"]
 * parsed.positionals; // ["add", "-5", "--x"]
 * ```
 */
export function parseArgs(args: readonly string[], spec: FlagSpec): ParsedArgs {
  const strings = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const word = args[index] as string;
    if (word === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (word === "-h" || word === "--help") {
      help = true;
      continue;
    }
    if (!word.startsWith("-") || word === "-" || /^-\d/.test(word)) {
      positionals.push(word);
      continue;
    }
    if (!word.startsWith("--")) throw new UsageError(`unknown flag ${word}`);
    const equals = word.indexOf("=");
    const name = word.slice(2, equals === -1 ? undefined : equals);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw new UsageError(`unknown flag --${name}`);
    if (kind === "boolean") {
      if (equals !== -1) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    let value: string;
    if (equals !== -1) value = word.slice(equals + 1);
    else {
      const next = args[index + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      index++;
    }
    if (kind === "string") strings.set(name, value);
    else lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  return { strings, lists, switches, help, positionals };
}
