/**
 * The hand-written node:http JSON-RPC server the Node adapter is measured against. Listens on
 * 127.0.0.1:$PORT.
 *
 * @module
 */

import { createServer } from "node:http";
import { answerJsonRpc, refusedStatus } from "./json_rpc_work.ts";

const server = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/api") {
    response.writeHead(404).end();
    return;
  }
  const refused = refusedStatus(request.headers["content-type"], request.headers["content-length"]);
  if (refused !== undefined) {
    response.writeHead(refused, { connection: "close" }).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const answer = answerJsonRpc(Buffer.concat(chunks).toString("utf8"));
    if (answer === undefined) {
      response.writeHead(204).end();
      return;
    }
    // The headers the library sends.
    response.writeHead(200, { "content-type": "application/json", "x-content-type-options": "nosniff", "content-length": Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.listen(Number(process.env["PORT"] ?? 5000), "127.0.0.1", () => {
  console.log("listening");
});
