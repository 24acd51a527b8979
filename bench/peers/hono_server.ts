/**
 * A peer measured beside the library: a hono app on `@hono/node-server` whose one route does the
 * same JSON-RPC work by hand (hono has no JSON-RPC of its own). Listens on 127.0.0.1:$PORT.
 *
 * @module
 */

import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { answerJsonRpc } from "../baselines/json_rpc_work.ts";

const app = new Hono();
app.post("/api", async (c) => {
  const answer = answerJsonRpc(await c.req.text());
  if (answer === undefined) return c.body(null, 204);
  return c.body(answer, 200, { "content-type": "application/json" });
});
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: Number(process.env["PORT"] ?? 5000) }, () => {
  console.log("listening");
});
