/**
 * What the service sends the client unasked over its WebSocket: notifications (`ctx.notify`,
 * `connection.notify`, `broadcast`), given to the handlers registered with `on`, and calls
 * (`connection.call`), answered by the handler registered with `handle`.
 *
 * @module
 */

import { RpcError } from "../protocol/errors.ts";

/**
 * A handler of the service's notifications of one method: given the params as sent.
 *
 * @example
 * ```ts
 * import type { NotificationHandler } from "./client_peer.ts";
 * const log: NotificationHandler = (params) => console.log("greeted", params);
 * ```
 */
export type NotificationHandler = (params: unknown) => void | Promise<void>;

/**
 * A handler of the service's calls of one method: given the params, it returns (or resolves to)
 * the result, or throws an `RpcError` for the service to get as the call's error.
 *
 * @example
 * ```ts
 * import type { CallHandler } from "./client_peer.ts";
 * const confirm: CallHandler = async (params) => Array.isArray(params) && params[0] === "yes";
 * ```
 */
export type CallHandler = (params: unknown) => unknown;

/**
 * The handlers of one client, and how a message from the service reaches them.
 *
 * @example
 * ```ts
 * import { Peer } from "./client_peer.ts";
 * const peer = new Peer();
 * const off = peer.on("tick", (params) => console.log(params));
 * peer.receive({ jsonrpc: "2.0", method: "tick", params: [1] }, () => {}); // logs [1]
 * off();
 * ```
 */
export class Peer {
  readonly #listeners = new Map<string, Set<NotificationHandler>>();
  readonly #handlers = new Map<string, CallHandler>();

  /**
   * Listens to the service's notifications of a method (several handlers may listen to one).
   *
   * @param method The method's name.
   * @param handler Given each notification's params; what it throws is ignored.
   * @returns A function that stops it listening.
   * @example
   * ```ts
   * import { Peer } from "./client_peer.ts";
   * const off = new Peer().on("greeted", (params) => console.log(params));
   * off();
   * ```
   */
  on(method: string, handler: NotificationHandler): () => void {
    // A handler registered twice listens twice, and each off removes one.
    const listener: NotificationHandler = (params) => handler(params);
    let set = this.#listeners.get(method);
    if (set === undefined) this.#listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /**
   * Answers the service's calls of a method (one handler per method: a later one replaces it).
   *
   * @param method The method's name.
   * @param handler Gives the result, or throws an `RpcError`; any other error is answered
   *   `-32603 Internal error`, without its message.
   * @returns A function that removes it (calls of the method are then answered `-32601`).
   * @example
   * ```ts
   * import { Peer } from "./client_peer.ts";
   * const off = new Peer().handle("confirm", () => true);
   * off();
   * ```
   */
  handle(method: string, handler: CallHandler): () => void {
    this.#handlers.set(method, handler);
    return () => {
      if (this.#handlers.get(method) === handler) this.#handlers.delete(method);
    };
  }

  /**
   * Gives a notification to its listeners, or a call to its handler and its answer to `reply`.
   *
   * @param message A request from the service (it has a `method`).
   * @param reply Sends the answer of a call (a JSON text).
   * @example
   * ```ts
   * import { Peer } from "./client_peer.ts";
   * const peer = new Peer();
   * peer.receive({ jsonrpc: "2.0", method: "missing", id: "s1" }, (text) => console.log(text)); // a -32601 answer
   * ```
   */
  receive(message: { readonly jsonrpc?: unknown; readonly method: string; readonly params?: unknown; readonly id?: unknown }, reply: (text: string) => void): void {
    const { method, params, id } = message;
    if (id === undefined) {
      for (const listener of this.#listeners.get(method) ?? []) {
        try {
          // A listener's promise that rejects is its own business, as what it throws.
          const returned = listener(params);
          if (returned instanceof Promise) returned.catch(() => {});
        } catch { /* ignored: one listener does not stop the others */ }
      }
      return;
    }
    const answer = (member: object): void => {
      let text: string;
      try {
        text = JSON.stringify({ jsonrpc: "2.0", ...member, id });
      } catch {
        // A result JSON cannot carry (a BigInt, a cycle) is the handler's fault: an internal error.
        text = JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id });
      }
      reply(text);
    };
    const handler = this.#handlers.get(method);
    if (handler === undefined) {
      answer({ error: { code: -32601, message: `Method not found: the client offers no method ${method}` } });
      return;
    }
    new Promise((resolve) => { resolve(handler(params)); }).then(
      (result) => { answer({ result: result ?? null }); },
      (error: unknown) => { answer({
          // Only an RpcError is meant for the service; another error's message may hold secrets.
          error: error instanceof RpcError
            ? { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) }
            : { code: -32603, message: "Internal error" },
        }); },
    );
  }
}
