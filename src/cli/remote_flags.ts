/**
 * What `call` and `describe` share: the endpoint URL, the flags that shape each request (`--token`,
 * `--token-header`, `--header`, `--timeout`) and the output (`--pretty`, `--compact`), and how a
 * failed request is reported.
 *
 * @module
 */

import { TransportError } from "../client/errors.ts";
import type { ClientOptions } from "../client/transport.ts";
import { RpcError } from "../protocol/errors.ts";
import { type FlagSpec, type ParsedArgs, UsageError } from "./args.ts";
import type { CliEnvironment } from "./environment.ts";
import { ExitCode, type ExitCodeValue } from "./exit_codes.ts";
import { formatJson } from "./output.ts";
import { DescriptionError } from "./service_description.ts";
import { escapeControls, withoutCredentials } from "./terminal_text.ts";

/**
 * The flags of every command that talks to a service.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { REMOTE_FLAGS } from "./remote_flags.ts";
 * parseArgs(["http://127.0.0.1:5000/api", "--timeout", "500"], REMOTE_FLAGS).strings.get("timeout"); // "500"
 * ```
 */
export const REMOTE_FLAGS: FlagSpec = {
  token: "string",
  "token-header": "string",
  header: "list",
  timeout: "string",
  pretty: "boolean",
  compact: "boolean",
};

/**
 * The endpoint a command talks to: its URL, without credentials, and the `Authorization` header
 * that carries the credentials the URL was typed with, if any.
 *
 * @example
 * ```ts
 * import type { Endpoint } from "./remote_flags.ts";
 * const endpoint: Endpoint = { url: "http://127.0.0.1:5000/api", authorization: "Basic YW5uOnMzY3JldA==" };
 * ```
 */
export interface Endpoint {
  /** The URL, with no user name or password in it: the one that is called and printed. */
  readonly url: string;
  /** `Basic …` when the URL was typed as `http://user:password@host/…`, else `undefined`. */
  readonly authorization: string | undefined;
}

/**
 * Reads the endpoint URL given on the command line. A URL with no path at all
 * (`http://127.0.0.1:5000`) means the service's default path, `/api`. A user name and password in
 * it (`http://ann:s3cret@host/api`) are taken out of the URL and sent as HTTP Basic credentials,
 * as curl does (`fetch` itself refuses such URLs on Node.js); they are never printed.
 *
 * @param text The URL as typed.
 * @returns The endpoint.
 * @throws {UsageError} When it is not an `http:` or `https:` URL.
 * @example
 * ```ts
 * import { endpointOf } from "./remote_flags.ts";
 * endpointOf("http://127.0.0.1:5000").url; // "http://127.0.0.1:5000/api"
 * endpointOf("http://127.0.0.1:5000/rpc").url; // "http://127.0.0.1:5000/rpc"
 * endpointOf("http://ann:s3cret@127.0.0.1:5000/api"); // { url: "http://127.0.0.1:5000/api", authorization: "Basic YW5uOnMzY3JldA==" }
 * ```
 */
export function endpointOf(text: string): Endpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a URL: ${withoutCredentials(text)} (write it whole, such as http://127.0.0.1:5000/api)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`not an http(s) URL: ${withoutCredentials(text)} (such as http://127.0.0.1:5000/api)`);
  }
  // No path typed at all (not even "/"): the default path.
  if (/^https?:\/\/[^/?#]+(?:[?#]|$)/i.test(text)) url.pathname = "/api";
  let authorization: string | undefined;
  if (url.username !== "" || url.password !== "") {
    const credentials = `${decoded(url.username)}:${decoded(url.password)}`;
    authorization = `Basic ${base64(new TextEncoder().encode(credentials))}`;
    url.username = "";
    url.password = "";
  }
  return { url: url.href, authorization };
}

/**
 * Reads the endpoint URL given on the command line, as {@linkcode endpointOf} does, and gives its
 * URL alone (without credentials).
 *
 * @param text The URL as typed.
 * @returns The endpoint's URL.
 * @throws {UsageError} When it is not an `http:` or `https:` URL.
 * @example
 * ```ts
 * import { endpointUrl } from "./remote_flags.ts";
 * endpointUrl("http://127.0.0.1:5000"); // "http://127.0.0.1:5000/api"
 * endpointUrl("http://ann:s3cret@127.0.0.1:5000/rpc"); // "http://127.0.0.1:5000/rpc"
 * ```
 */
export function endpointUrl(text: string): string {
  return endpointOf(text).url;
}

/** A URL's percent-encoded user name or password as it was meant (as typed when it is no valid encoding). */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Builds the client's options from the flags.
 *
 * @param args The parsed command line.
 * @param authorization The `Authorization` header's value the URL's credentials make (see
 *   {@linkcode endpointOf}), if any.
 * @returns The token, its header, the extra headers and the timeout.
 * @throws {UsageError} When a header is not `Name: value`, the timeout is not a positive number,
 *   or the URL has credentials and an `Authorization` header or token header is given as well.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { clientOptions, REMOTE_FLAGS } from "./remote_flags.ts";
 * clientOptions(parseArgs(["--token", "t", "--header", "X-Request-Id: 42", "--timeout", "1000"], REMOTE_FLAGS));
 * // { token: "t", headers: [["X-Request-Id", "42"]], timeout: 1000 }
 * ```
 */
export function clientOptions(args: ParsedArgs, authorization?: string): ClientOptions {
  const headers: [string, string][] = [];
  for (const header of args.lists.get("header") ?? []) {
    const colon = header.indexOf(":");
    const name = header.slice(0, Math.max(colon, 0)).trim();
    if (colon === -1 || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name)) {
      throw new UsageError(`--header wants "Name: value", got ${JSON.stringify(header)}`);
    }
    headers.push([name, header.slice(colon + 1).trim()]);
  }
  const timeoutText = args.strings.get("timeout");
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new UsageError(`--timeout wants milliseconds (a positive number), got ${JSON.stringify(timeoutText)}`);
  }
  const token = args.strings.get("token");
  const tokenHeader = args.strings.get("token-header");
  if (authorization !== undefined) {
    const clash = headers.some(([name]) => name.toLowerCase() === "authorization") ||
      (token !== undefined && tokenHeader?.toLowerCase() === "authorization");
    if (clash) throw new UsageError("the URL has a user name and password, which are sent as the Authorization header: give them there or in --header/--token-header, not both");
    headers.push(["Authorization", authorization]);
  }
  return {
    ...(token === undefined ? {} : { token }),
    ...(tokenHeader === undefined ? {} : { tokenHeader }),
    ...(headers.length === 0 ? {} : { headers }),
    ...(timeout === undefined ? {} : { timeout }),
  };
}

/**
 * Decides between indented and one-line output: `--pretty` or `--compact` when given, else
 * indented on a terminal and one line into a pipe or file.
 *
 * @param args The parsed command line.
 * @param env The environment (whether standard output is a terminal).
 * @returns Whether to indent.
 * @throws {UsageError} When both `--pretty` and `--compact` are given.
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * import { REMOTE_FLAGS, wantsPretty } from "./remote_flags.ts";
 * const env = { stdout() {}, stderr() {}, isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
 * wantsPretty(parseArgs(["--pretty"], REMOTE_FLAGS), env); // true
 * wantsPretty(parseArgs([], REMOTE_FLAGS), env); // false: a pipe
 * ```
 */
export function wantsPretty(args: ParsedArgs, env: CliEnvironment): boolean {
  const pretty = args.switches.has("pretty");
  const compact = args.switches.has("compact");
  if (pretty && compact) throw new UsageError("give --pretty or --compact, not both");
  return pretty || (!compact && env.isTTY);
}

/**
 * Reports a request that failed on standard error and tells the exit code: 1 for an error answer
 * (its code, message and data), 2 when no JSON-RPC answer came (what failed, and a hint). The
 * service's text is printed with its control characters escaped, and URLs without credentials.
 *
 * @param error What the client threw.
 * @param env Where to write.
 * @param pretty Whether to indent the error's data.
 * @returns The exit code.
 * @throws Whatever is not an `RpcError`, a `TransportError` or a `DescriptionError` (a bug).
 * @example
 * ```ts
 * import { RpcError } from "../protocol/errors.ts";
 * import { reportFailure } from "./remote_flags.ts";
 * const env = { stdout() {}, stderr: (text: string) => console.error(text), isTTY: false, importModule: () => Promise.resolve({}), writeFolder: () => Promise.resolve("") };
 * reportFailure(new RpcError(-32001, "Access denied"), env, false); // 1, after "error -32001: Access denied"
 * ```
 */
export function reportFailure(error: unknown, env: CliEnvironment, pretty: boolean): ExitCodeValue {
  if (error instanceof RpcError) {
    let text = `error ${error.code}: ${escapeControls(error.message)}\n`;
    if (error.data !== undefined) text += `data: ${formatJson(error.data, pretty)}\n`;
    env.stderr(text);
    return ExitCode.Failed;
  }
  if (error instanceof TransportError) {
    let text = `tsmicroservice: ${escapeControls(withoutCredentials(error.message))}\n`;
    if (error.kind === "http" && error.status === 404) text += "hint: no JSON-RPC endpoint at this URL; a service's default path is /api\n";
    else if (error.kind === "http" || error.kind === "bad-response") text += "hint: is this URL a JSON-RPC 2.0 endpoint?\n";
    else if (error.kind === "timeout") text += "hint: give the service more time with --timeout (ms)\n";
    env.stderr(text);
    return ExitCode.Transport;
  }
  if (error instanceof DescriptionError) {
    env.stderr(`tsmicroservice: ${escapeControls(error.message)}\n`);
    return ExitCode.Transport;
  }
  throw error;
}
