/**
 * The JSON-RPC work every hand-written baseline server does, written plainly: parse the body,
 * check each request's shape, find the method in a Map, call it, build the response and stringify.
 * The library must do at least this much, so the ratio against it is honest.
 *
 * @module
 */

type Method = (...args: never[]) => unknown;

/** The methods every benchmark server offers. */
export const BENCH_METHODS = new Map<string, Method>([
  ["say_hello", (name: string) => `hello ${name}`],
  ["subtract", (minuend: number, subtrahend: number) => minuend - subtrahend],
]);

function answerOne(entry: unknown): unknown {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id: null };
  }
  const request = entry as { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
  const id = request.id ?? null;
  if (request.jsonrpc !== "2.0" || typeof request.method !== "string") {
    return { jsonrpc: "2.0", error: { code: -32600, message: "Invalid Request" }, id };
  }
  const method = BENCH_METHODS.get(request.method);
  const isNotification = !("id" in request);
  if (method === undefined) {
    return isNotification ? undefined : { jsonrpc: "2.0", error: { code: -32601, message: "Method not found" }, id };
  }
  const args = Array.isArray(request.params) ? request.params : [];
  const result = method(...(args as never[]));
  return isNotification ? undefined : { jsonrpc: "2.0", result, id };
}

/**
 * Answers one body: the JSON text to send back, or `undefined` when nothing is to be sent.
 *
 * @param text The request body.
 * @returns The response text.
 * @example
 * ```ts
 * import { answerJsonRpc } from "./json_rpc_work.ts";
 * answerJsonRpc('{"jsonrpc":"2.0","method":"say_hello","params":["a"],"id":1}');
 * ```
 */
export function answerJsonRpc(text: string): string | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}';
  }
  if (Array.isArray(message)) {
    const answers = message.map(answerOne).filter((answer) => answer !== undefined);
    return answers.length === 0 ? undefined : JSON.stringify(answers);
  }
  const answer = answerOne(message);
  return answer === undefined ? undefined : JSON.stringify(answer);
}

/** Whether the hand-written servers skip the HTTP checks (the bare reference row of `npm run bench`). */
export const BARE: boolean = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env["BASELINE_BARE"] === "1";

const LIMIT = 1024 * 1024;

/**
 * The HTTP checks a production JSON-RPC server must make before reading a body, as the library
 * makes them: a declared non-JSON Content-Type is 415, a declared body over 1 MiB is 413.
 *
 * @param contentType The request's Content-Type, or `null`/`undefined`.
 * @param contentLength The request's Content-Length, or `null`/`undefined`.
 * @returns The status to answer with, or `undefined` to read the body.
 */
export function refusedStatus(contentType: string | null | undefined, contentLength: string | null | undefined): number | undefined {
  if (BARE) return undefined;
  if (contentType !== null && contentType !== undefined && contentType !== "application/json") {
    const essence = (contentType.split(";", 1)[0] as string).trim().toLowerCase();
    if (essence !== "application/json" && !(essence.startsWith("application/") && essence.endsWith("+json"))) return 415;
  }
  if (contentLength !== null && contentLength !== undefined && Number(contentLength) > LIMIT) return 413;
  return undefined;
}
