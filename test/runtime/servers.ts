/**
 * Real servers for the cross-runtime suites: start a script on a runtime, wait until it listens,
 * and talk HTTP to it with the global `fetch`.
 *
 * @module
 */

import {
  childEnv,
  delay,
  freePort,
  HOST,
  runCommand,
  type RunningProcess,
  type RunOptions,
  type RuntimeName,
  startProcess,
} from "./processes.ts";

/** A server running in a child process. */
export interface ChildServer {
  /** The child. */
  readonly process: RunningProcess;
  /** The runtime it runs on. */
  readonly runtime: RuntimeName;
  /** Its port. */
  readonly port: number;
  /** Its base URL, such as `http://127.0.0.1:5000`. */
  readonly base: string;
}

/**
 * Runs an example (or any script that reads `$HOST` and `$PORT` and prints `serving at <url>`) on a
 * runtime, on a free port, and waits until it says it listens.
 *
 * @param runtime The runtime.
 * @param script The script, relative to the repository's root.
 * @param options Extra flags for the runtime (see {@linkcode runCommand}).
 * @returns The running server.
 * @throws {Error} When it exits or stays silent for 20 s.
 * @example
 * ```ts
 * import { startExample } from "./servers.ts";
 * const server = await startExample("deno", "examples/calculator.ts");
 * await server.process.stop();
 * ```
 */
export async function startExample(runtime: RuntimeName, script: string, options: RunOptions = {}): Promise<ChildServer> {
  const port = await freePort();
  const [command, args] = runCommand(runtime, script, options);
  const child = startProcess(command, args, childEnv({ HOST, PORT: String(port) }));
  const [, url] = await child.waitForLine(/serving at (http:\/\/\S+)/);
  const base = `http://${HOST}:${port}`;
  if (url !== `${base}/api`) throw new Error(`${child.name} printed ${url ?? "nothing"}, expected ${base}/api`);
  return { process: child, runtime, port, base };
}

/** An HTTP answer, read whole. */
export interface Answer {
  /** The status code. */
  readonly status: number;
  /** The headers. */
  readonly headers: Headers;
  /** The body as text (empty when there is none). */
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  readonly json: unknown;
}

/**
 * Sends a request and reads the whole answer.
 *
 * @param url The URL.
 * @param init The request's method, headers and body.
 * @returns The answer.
 * @example
 * ```ts
 * import { request } from "./servers.ts";
 * const answer = await request("http://127.0.0.1:5000/api", { method: "GET" });
 * answer.status; // 405
 * ```
 */
export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(15_000) });
  const text = await response.text();
  const isJson = /json/.test(response.headers.get("content-type") ?? "") && text !== "";
  return { status: response.status, headers: response.headers, text, json: isJson ? JSON.parse(text) as unknown : undefined };
}

/**
 * POSTs a JSON-RPC body (as it is, so invalid JSON can be sent too) to a server's `/api`.
 *
 * @param server The server.
 * @param body The request body.
 * @param headers Extra headers, such as the API token.
 * @returns The answer.
 * @example
 * ```ts
 * import { rpc } from "./servers.ts";
 * // await rpc(server, '{"jsonrpc":"2.0","method":"subtract","params":[42,23],"id":1}');
 * ```
 */
export function rpc(server: ChildServer, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${server.base}/api`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

/**
 * Waits until a server answers a JSON-RPC call, for servers that print nothing when they listen
 * (such as a bare default export under `bun run`).
 *
 * @param base The server's base URL.
 * @param body A JSON-RPC call to try.
 * @param timeoutMs How long to keep trying.
 * @returns The first answer.
 * @throws {Error} When nothing answered in time.
 * @example
 * ```ts
 * import { waitForAnswer } from "./servers.ts";
 * // await waitForAnswer("http://127.0.0.1:5000", '{"jsonrpc":"2.0","method":"runtime","id":1}');
 * ```
 */
export async function waitForAnswer(base: string, body: string, timeoutMs = 20_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await request(`${base}/api`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(2_000),
      });
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nothing answered at ${base} within ${timeoutMs} ms`, { cause: error });
      await delay(100);
    }
  }
}
