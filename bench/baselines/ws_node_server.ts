/**
 * The JSON-RPC echo on the `ws` package's WebSocketServer that the library's WebSocket server on
 * Node.js is measured against (bench/websocket.ts): each text message parsed, the method called,
 * the answer stringified and sent (the work of json_rpc_work.ts, which the HTTP baselines do too).
 * Listens on 127.0.0.1:$PORT, at any path.
 *
 * @module
 */

import { WebSocketServer } from "ws";
import { answerJsonRpc } from "./json_rpc_work.ts";

// ws's defaults, but said: no compression (the library offers none), text as strings.
const server = new WebSocketServer({ host: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000), perMessageDeflate: false });
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => {
    if (isBinary) {
      socket.close(1003, "binary messages are not accepted");
      return;
    }
    const answer = answerJsonRpc((data as Buffer).toString("utf8"));
    if (answer !== undefined) socket.send(answer);
  });
});
server.on("listening", () => {
  console.log("listening");
});
