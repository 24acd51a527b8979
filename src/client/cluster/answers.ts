/**
 * What a cluster checks in an instance's answer before it takes it as one (an instance that answers
 * something else is not speaking JSON-RPC to this call, and counts against its breaker), and how
 * it writes instances and causes into its messages.
 *
 * @module
 */

/**
 * Tells what is wrong with an answer to one call or notification, if anything: a call needs an
 * object with the call's `id` and a `result` or an `error` (or an `error` with `id: null`, when
 * the server could not read the request); a notification needs no body, or a JSON-RPC object.
 *
 * @param answer The parsed body (`undefined` when empty).
 * @param id The call's id; `undefined` for a notification.
 * @returns What is wrong, or `undefined` when it is an answer to the call.
 * @example
 * ```ts
 * import { answerProblem } from "./answers.ts";
 * answerProblem({ jsonrpc: "2.0", result: 3, id: 7 }, 7); // undefined
 * answerProblem({ jsonrpc: "2.0", result: 3, id: 8 }, 7); // "no JSON-RPC answer to call 7"
 * ```
 */
export function answerProblem(answer: unknown, id: number | undefined): string | undefined {
  if (id === undefined) {
    // A service answers a notification with no body; some answer one anyway: any JSON-RPC object will do.
    const reply = answer as Record<string, unknown> | null | undefined;
    const jsonRpc = typeof reply === "object" && reply !== null && !Array.isArray(reply) && ("jsonrpc" in reply || "result" in reply || "error" in reply);
    return answer === undefined || jsonRpc ? undefined : "an answer to a notification that is not JSON-RPC";
  }
  if (typeof answer === "object" && answer !== null && !Array.isArray(answer)) {
    const reply = answer as { id?: unknown; result?: unknown; error?: unknown };
    if (reply.id === id && ("result" in reply || reply.error != null)) return undefined;
    if (isErrorWithNullId(answer)) return undefined;
  }
  return `no JSON-RPC answer to call ${id}`;
}

/**
 * Tells what is wrong with an answer to a batch, if anything: an array of answers to the batch's
 * calls (by id), one error for the whole batch, or no body when every entry is a notification.
 *
 * @param answer The parsed body.
 * @param ids The entries' ids (`undefined` for notifications).
 * @returns What is wrong, or `undefined`.
 * @example
 * ```ts
 * import { batchAnswerProblem } from "./answers.ts";
 * batchAnswerProblem([{ jsonrpc: "2.0", result: 1, id: 4 }], [4]); // undefined
 * batchAnswerProblem("<html>", [4]); // "no JSON-RPC answer to the batch"
 * ```
 */
export function batchAnswerProblem(answer: unknown, ids: readonly (number | undefined)[]): string | undefined {
  const calls = new Set(ids.filter((id) => id !== undefined));
  if (answer === undefined) return calls.size === 0 ? undefined : "no JSON-RPC answer to the batch";
  if (isErrorWithNullId(answer)) return undefined;
  if (Array.isArray(answer) && answer.length > 0 && answer.every((reply) => {
    const { id, error } = (reply ?? {}) as { id?: unknown; error?: unknown };
    return typeof reply === "object" && reply !== null && (calls.has(id as number) || (id === null && error != null));
  })) {
    return undefined;
  }
  return "no JSON-RPC answer to the batch";
}

function isErrorWithNullId(answer: unknown): boolean {
  const reply = answer as { id?: unknown; error?: unknown } | null | undefined;
  return typeof reply === "object" && reply !== null && !Array.isArray(reply) && reply.id === null && reply.error != null;
}

/**
 * Reads which methods a service declares idempotent from its answer to `rpc.discover`.
 *
 * @param answer The parsed answer.
 * @param id The discovery call's id.
 * @returns The methods' names, or `undefined` when the answer is not a description.
 * @example
 * ```ts
 * import { describedIdempotent } from "./answers.ts";
 * describedIdempotent({ jsonrpc: "2.0", id: 1, result: { methods: [{ name: "get", "x-idempotent": true }, { name: "put" }] } }, 1);
 * // Set { "get" }
 * ```
 */
export function describedIdempotent(answer: unknown, id: number): ReadonlySet<string> | undefined {
  const reply = answer as { id?: unknown; result?: { methods?: unknown } } | null | undefined;
  const methods = reply?.id === id ? reply.result?.methods : undefined;
  if (!Array.isArray(methods)) return undefined;
  const declared = new Set<string>();
  for (const method of methods as ({ name?: unknown; "x-idempotent"?: unknown } | null)[]) {
    if (typeof method?.name === "string" && method["x-idempotent"] === true) declared.add(method.name);
  }
  return declared;
}

/**
 * A URL as messages show it: without a user name or password.
 *
 * @param url The URL.
 * @returns The URL without credentials (as it was when it does not parse).
 * @example
 * ```ts
 * import { shownUrl } from "./answers.ts";
 * shownUrl("http://ann:secret@10.0.0.5:5000/api"); // "http://10.0.0.5:5000/api"
 * ```
 */
export function shownUrl(url: string): string {
  return safeText(url);
}

/**
 * Text for a message: credentials in URLs left out, control characters escaped, at most 300
 * characters.
 *
 * @param text The text.
 * @returns The text, safe to print.
 * @example
 * ```ts
 * import { safeText } from "./answers.ts";
 * safeText("connect to http://ann:secret@db/ failed\x1b[2J"); // "connect to http://db/ failed\\x1b[2J"
 * ```
 */
export function safeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/\/\/[^/\s@]*@/g, "//").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => {
    const code = char.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\x${code.toString(16).padStart(2, "0")}`;
  });
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}
