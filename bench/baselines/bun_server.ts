/**
 * The hand-written Bun.serve JSON-RPC server the Bun adapter is measured against. Listens on
 * 127.0.0.1:$PORT.
 *
 * @module
 */

import { answerJsonRpc, refusedStatus } from "./json_rpc_work.ts";

interface BunServe {
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): unknown;
}
const bun = (globalThis as unknown as { Bun: BunServe }).Bun;

bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  async fetch(request) {
    if (request.method !== "POST" || new URL(request.url).pathname !== "/api") return new Response(null, { status: 404 });
    const refused = refusedStatus(request.headers.get("content-type"), request.headers.get("content-length"));
    if (refused !== undefined) return new Response(null, { status: refused });
    const answer = answerJsonRpc(await request.text());
    if (answer === undefined) return new Response(null, { status: 204 });
    // The headers the library sends.
    return new Response(answer, { headers: { "content-type": "application/json", "x-content-type-options": "nosniff" } });
  },
});
console.log("listening");
