/**
 * Sends the mix of test/load_cases.ts to a server on loopback over kept-alive node:http
 * connections and checks every answer exactly, for test/load.test.ts (a server in this process)
 * and test/runtime/load.test.ts (servers on Node.js, Deno and Bun).
 *
 * @module
 */

import { type Agent, request } from "node:http";
import { type LoadCase, makeCase } from "./load_cases.ts";

/** An HTTP answer, read whole as text. */
export interface RawAnswer {
  /** The status code. */
  readonly status: number;
  /** The body (empty when there is none). */
  readonly text: string;
}

/**
 * POSTs one request to `http://127.0.0.1:<port>/api` through an agent and reads the whole answer.
 *
 * @param agent The agent whose connections to use.
 * @param port The server's port.
 * @param item The request.
 * @returns The answer.
 * @throws {Error} When the connection fails or nothing comes back within 10 s.
 * @example
 * ```ts
 * import { Agent } from "node:http";
 * import { makeCase } from "./load_cases.ts";
 * import { send } from "./load_runner.ts";
 * // await send(new Agent({ keepAlive: true }), 5000, makeCase(0)); // { status: 200, text: ... }
 * ```
 */
export function send(agent: Agent, port: number, item: Pick<LoadCase, "body" | "headers">): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ agent, host: "127.0.0.1", port, method: "POST", path: "/api", headers: item.headers, timeout: 10_000 }, (incoming) => {
      let text = "";
      incoming.setEncoding("utf8");
      // A connection reset in the middle of an answer is a lost answer, not a hang.
      incoming.on("error", reject);
      incoming.on("data", (chunk: string) => (text += chunk));
      incoming.on("end", () => {
        resolve({ status: incoming.statusCode ?? 0, text });
      });
    });
    outgoing.on("error", reject);
    outgoing.on("timeout", () => outgoing.destroy(new Error("request timed out")));
    outgoing.end(item.body);
  });
}

/**
 * Sends requests `first` to `first + count - 1` of the mix, `connections` at a time (each worker
 * sends its next request once its previous one is answered), and checks every answer: the exact
 * body with status 200, or status 204 with no body for notifications.
 *
 * @param agent The agent; give it `keepAlive: true` and `maxSockets` of at least `connections`.
 * @param port The server's port.
 * @param first The number of the first request (see {@linkcode makeCase}).
 * @param count How many requests to send.
 * @param connections How many requests are in flight at once.
 * @returns A line for every wrong answer (empty when all were right).
 * @throws {Error} When a request fails (a lost answer).
 * @example
 * ```ts
 * import { Agent } from "node:http";
 * import { runLoad } from "./load_runner.ts";
 * // await runLoad(new Agent({ keepAlive: true, maxSockets: 50 }), 5000, 0, 1000); // []
 * ```
 */
export async function runLoad(agent: Agent, port: number, first: number, count: number, connections = 50): Promise<string[]> {
  const wrong: string[] = [];
  let next = first;
  const worker = async (): Promise<void> => {
    while (next < first + count) {
      const item = makeCase(next++);
      const { status, text } = await send(agent, port, item);
      const ok = item.expected === undefined ? status === 204 && text === "" : status === 200 && text === item.expected;
      if (!ok) wrong.push(`${item.body} -> ${status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return wrong;
}
