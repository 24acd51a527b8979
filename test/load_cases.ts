/**
 * What the load tests send and expect, shared by the in-process run (test/load.test.ts) and the
 * run against real servers on Node.js, Deno and Bun (test/runtime/load.test.ts, whose fixture
 * serves {@linkcode loadService}). Web-only, so every runtime can load it.
 *
 * @module
 */

import { RpcError, Service } from "../mod.ts";

/** The API token {@linkcode loadService} accepts for its private methods. */
export const LOAD_TOKEN = "t";

/**
 * The service under load: a sum, a method that always fails with an {@linkcode RpcError}, an
 * asynchronous method that answers after 0 to 2 ms, and a private method.
 *
 * @returns A new service named `"load"`.
 * @example
 * ```ts
 * import { loadService } from "./load_cases.ts";
 * const service = loadService().privateMethod("extra", () => 1);
 * ```
 */
export function loadService() {
  return new Service({ name: "load", apiTokenIsValid: (token) => token === LOAD_TOKEN })
    .publicMethod("add", (a: number, b: number) => a + b)
    .publicMethod("fail", (n: number) => {
      throw new RpcError(7, "refused", { n });
    })
    .publicMethod("later", async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, n % 3));
      return n;
    })
    .privateMethod("secret", (n: number) => -n);
}

/** One request of the mix and the exact answer it must get. */
export interface LoadCase {
  /** The request body. */
  readonly body: string;
  /** The request headers. */
  readonly headers: Record<string, string>;
  /** The exact response body (status 200), or `undefined` for "204 with no body". */
  readonly expected: string | undefined;
}

/**
 * The `i`-th request of the mix, which cycles through six kinds: a call, a call that fails with an
 * application error, a notification, a private call with the token, the same without it (access
 * denied), and a batch of an asynchronous call, a notification and an unknown method.
 *
 * @param i The request's number; it goes into params and ids, so every answer is distinct.
 * @returns The request and its expected answer.
 * @example
 * ```ts
 * import { makeCase } from "./load_cases.ts";
 * makeCase(0).expected; // '{"jsonrpc":"2.0","result":1,"id":0}'
 * ```
 */
export function makeCase(i: number): LoadCase {
  const headers: Record<string, string> = { "content-type": "application/json" };
  switch (i % 6) {
    case 0: return { body: `{"jsonrpc":"2.0","method":"add","params":[${i},1],"id":${i}}`, headers, expected: `{"jsonrpc":"2.0","result":${i + 1},"id":${i}}` };
    case 1: return { body: `{"jsonrpc":"2.0","method":"fail","params":{"n":${i}},"id":"s${i}"}`, headers, expected: `{"jsonrpc":"2.0","error":{"code":7,"message":"refused","data":{"n":${i}}},"id":"s${i}"}` };
    case 2: return { body: `{"jsonrpc":"2.0","method":"add","params":[${i},1]}`, headers, expected: undefined };
    case 3: return { body: `{"jsonrpc":"2.0","method":"secret","params":[${i}],"id":${i}}`, headers: { ...headers, "x-api-token": LOAD_TOKEN }, expected: `{"jsonrpc":"2.0","result":${-i},"id":${i}}` };
    case 4: return { body: `{"jsonrpc":"2.0","method":"secret","params":[${i}],"id":${i}}`, headers, expected: `{"jsonrpc":"2.0","error":{"code":-32001,"message":"Access denied: a valid API token is required"},"id":${i}}` };
    default: return {
      body: `[{"jsonrpc":"2.0","method":"later","params":[${i}],"id":1},{"jsonrpc":"2.0","method":"add","params":[1,1]},{"jsonrpc":"2.0","method":"missing","id":2}]`,
      headers,
      expected: `[{"jsonrpc":"2.0","result":${i},"id":1},{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: missing"},"id":2}]`,
    };
  }
}
