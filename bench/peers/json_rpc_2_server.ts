/**
 * A peer measured beside the library: the `json-rpc-2.0` package's server (with its own
 * dispatch of single calls and batches) on node:http, answering the same methods. Listens on
 * 127.0.0.1:$PORT.
 *
 * @module
 */

import { createServer } from "node:http";
import { JSONRPCServer } from "json-rpc-2.0";

const rpc = new JSONRPCServer();
rpc.addMethod("say_hello", (params: unknown) => `hello ${(params as [string])[0]}`);
rpc.addMethod("subtract", (params: unknown) => (params as [number, number])[0] - (params as [number, number])[1]);

const server = createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/api") {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    void rpc.receiveJSON(Buffer.concat(chunks).toString("utf8")).then((answer) => {
      if (answer === null) {
        response.writeHead(204).end();
        return;
      }
      const text = JSON.stringify(answer);
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      response.end(text);
    });
  });
});
server.listen(Number(process.env["PORT"] ?? 5000), "127.0.0.1", () => {
  console.log("listening");
});
