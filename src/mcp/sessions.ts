/**
 * The sessions of the session-based MCP transport: an id given at `initialize`, which each later
 * request must carry (`Mcp-Session-Id`). A session holds nothing but its protocol version, so
 * the store is a bounded map, and an idle session expires when it is next looked up (no timer
 * keeps a process alive or needs stopping).
 *
 * @module
 */

/**
 * The live sessions, the least recently used first out when full.
 *
 * @example
 * ```ts
 * import { Sessions } from "./sessions.ts";
 * const sessions = new Sessions({ max: 100, idleTimeout: 60_000 });
 * const id = sessions.open("2025-11-25");
 * sessions.version(id); // "2025-11-25"
 * sessions.close(id); // true
 * sessions.version(id); // undefined
 * ```
 */
export class Sessions {
  // A Map keeps insertion order: re-inserting on use makes its first entry the least recent.
  readonly #sessions = new Map<string, { readonly version: string; seen: number }>();
  readonly #max: number;
  readonly #idleTimeout: number;
  readonly #now: () => number;

  /**
   * @param options How many sessions to keep at most, how long an unused one lives (ms), and the
   *   clock (tests hand in their own).
   */
  constructor(options: { readonly max: number; readonly idleTimeout: number; readonly now?: () => number }) {
    this.#max = options.max;
    this.#idleTimeout = options.idleTimeout;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens a session.
   *
   * @param version Its negotiated protocol version.
   * @returns Its id: random, unguessable (a UUID).
   * @example
   * ```ts
   * import { Sessions } from "./sessions.ts";
   * new Sessions({ max: 1, idleTimeout: 1_000 }).open("2025-11-25").length; // 36
   * ```
   */
  open(version: string): string {
    const id = crypto.randomUUID();
    if (this.#sessions.size >= this.#max) this.#sessions.delete(this.#sessions.keys().next().value as string);
    this.#sessions.set(id, { version, seen: this.#now() });
    return id;
  }

  /**
   * The protocol version of a live session, marking it used.
   *
   * @param id The session's id.
   * @returns Its version, or `undefined` when there is no such session (never was, closed,
   *   expired, or pushed out by newer ones).
   * @example
   * ```ts
   * import { Sessions } from "./sessions.ts";
   * new Sessions({ max: 1, idleTimeout: 1_000 }).version("no-such-id"); // undefined
   * ```
   */
  version(id: string): string | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    this.#sessions.delete(id);
    const now = this.#now();
    if (now - session.seen > this.#idleTimeout) return undefined;
    session.seen = now;
    this.#sessions.set(id, session);
    return session.version;
  }

  /**
   * Ends a session (the client's `DELETE`).
   *
   * @param id The session's id.
   * @returns Whether it was live.
   * @example
   * ```ts
   * import { Sessions } from "./sessions.ts";
   * new Sessions({ max: 1, idleTimeout: 1_000 }).close("no-such-id"); // false
   * ```
   */
  close(id: string): boolean {
    return this.version(id) !== undefined && this.#sessions.delete(id);
  }
}
