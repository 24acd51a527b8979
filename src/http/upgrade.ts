/**
 * The seam through which each runtime's adapter hands a WebSocket upgrade of the JSON-RPC path to
 * the plugin that serves it (`webSocket()` of `tsmicroservice/websocket`). A service without that
 * plugin has no seam, and its adapters carry none of its code: the types below are all there is.
 *
 * Each member is what that runtime forces: Node.js gives an `upgrade` event's raw socket, Deno a
 * `Request` it upgrades with `Deno.upgradeWebSocket`, Bun a `Request` it upgrades with
 * `server.upgrade` and a handler object given to `Bun.serve` up front.
 *
 * @module
 */

/**
 * What a service with WebSocket support gives its adapters (see the module documentation).
 *
 * @internal The contract between `tsmicroservice/websocket` and the adapters; it may change in any release.
 * @example
 * ```ts
 * import type { EndpointUpgrade } from "./upgrade.ts";
 * const refuseAll: EndpointUpgrade = {
 *   node: (_incoming, socket) => (socket as { destroy(): void }).destroy(),
 *   deno: () => new Response("no", { status: 400 }),
 *   bun: () => new Response("no", { status: 400 }),
 *   bunHandlers: {},
 * };
 * ```
 */
export interface EndpointUpgrade {
  /** Node.js: an `upgrade` event of the HTTP server (any path), given as the event gives it. */
  readonly node: (incoming: unknown, socket: unknown, head: Uint8Array) => void;
  /**
   * Deno: a request to the JSON-RPC path; answers it when it asks for a WebSocket (with
   * `upgradeWebSocket`, the runtime's `Deno.upgradeWebSocket`), else `undefined`.
   */
  deno(request: Request, upgradeWebSocket: (request: Request, options: { idleTimeout?: number }) => { socket: unknown; response: Response }): Response | undefined;
  /**
   * Bun: a request to the JSON-RPC path; when it asks for a WebSocket, upgrades it with
   * `server.upgrade` and gives `null` (Bun answers it), or a refusal; else `undefined`.
   */
  bun(request: Request, server: unknown): Response | null | undefined;
  /** Bun: the `websocket` member of `Bun.serve`'s options. */
  readonly bunHandlers: object;
}
