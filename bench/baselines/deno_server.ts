/**
 * The hand-written Deno.serve JSON-RPC server the Deno adapter is measured against. Listens on
 * 127.0.0.1:$PORT.
 *
 * @module
 */

import { answerJsonRpc, refusedStatus } from "./json_rpc_work.ts";

interface DenoServe {
  serve(options: { hostname: string; port: number; onListen(): void }, handler: (request: Request) => Promise<Response>): unknown;
}
const deno = (globalThis as unknown as { Deno: DenoServe }).Deno;

deno.serve({ hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000), onListen: () => console.log("listening") }, async (request) => {
  if (request.method !== "POST" || new URL(request.url).pathname !== "/api") return new Response(null, { status: 404 });
  const refused = refusedStatus(request.headers.get("content-type"), request.headers.get("content-length"));
  if (refused !== undefined) return new Response(null, { status: refused });
  const answer = answerJsonRpc(await request.text());
  if (answer === undefined) return new Response(null, { status: 204 });
  // The headers the library sends, built as the library builds them: given more headers than a
  // Content-Type, Deno makes a costlier native response at construction (see src/adapters/deno_response.ts).
  const response = new Response(answer, { headers: { "content-type": "application/json" } });
  response.headers.append("x-content-type-options", "nosniff");
  return response;
});
