/**
 * The JSON-RPC echo on Bun.serve's own websocket handler that the library's WebSocket server on
 * Bun is measured against (bench/websocket.ts): each text message parsed, the method called, the
 * answer stringified and sent (the work of json_rpc_work.ts, which the HTTP baselines do too).
 * Listens on 127.0.0.1:$PORT, at any path.
 *
 * @module
 */

import { answerJsonRpc } from "./json_rpc_work.ts";

interface BunSocket {
  send(text: string): number;
  close(code?: number, reason?: string): void;
}
interface BunServe {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined;
    websocket: { message(socket: BunSocket, message: string | Uint8Array): void; perMessageDeflate: boolean };
  }): unknown;
}
const bun = (globalThis as unknown as { Bun: BunServe }).Bun;

bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  fetch(request, server) {
    return server.upgrade(request) ? undefined : new Response("Upgrade Required", { status: 426 });
  },
  websocket: {
    message(socket, message) {
      if (typeof message !== "string") {
        socket.close(1003, "binary messages are not accepted");
        return;
      }
      const answer = answerJsonRpc(message);
      if (answer !== undefined) socket.send(answer);
    },
    // As the library's: no compression.
    perMessageDeflate: false,
  },
});
console.log("listening");
