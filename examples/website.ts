/**
 * A whole microservice: a JSON-RPC API at `/api`, a static folder (`examples/public/` at
 * `/static/`), an extra route (`GET /hello/:name`), a health check (`GET /health`), CORS for a
 * front end on another origin, a periodic task, Prometheus metrics (`GET /metrics`), and a graceful
 * stop on SIGINT and SIGTERM.
 *
 * Run it with `npx tsx examples/website.ts`, `deno run -A examples/website.ts` or
 * `bun examples/website.ts`; it listens on $HOST:$PORT (default 127.0.0.1:5000). Set LOG=1 to see
 * a line per call (LOG=json: JSON lines with trace ids).
 *
 * @module
 */

import { serve, Service } from "../mod.ts";
import { callLog } from "../src/plugins/call_log.ts";
import { cors } from "../src/plugins/cors.ts";
import { explorer } from "../src/plugins/explorer/explorer.ts";
import { health } from "../src/plugins/health.ts";
import { metrics } from "../src/plugins/metrics/metrics.ts";
import { routes } from "../src/plugins/routes/routes.ts";
import { staticFiles } from "../src/plugins/static/static.ts";
import { periodicTasks } from "../src/plugins/tasks/tasks.ts";
import { traceContext } from "../src/plugins/trace_context.ts";

/** What the periodic task keeps up to date, and how many `wait` calls are in progress. */
const stats = { ticks: 0, startedAt: Date.now(), waiting: 0 };

const tracing = traceContext();
const apiToken = process.env["API_TOKEN"] ?? "website_token";

const service = new Service({
  name: "website.service",
  version: "1.0.0",
  description: "A small website with a JSON-RPC API: greetings, the periodic task's stats and a slow call.",
  apiTokenIsValid: (token) => token === apiToken,
})
  .use(health())
  // The API explorer: open http://127.0.0.1:5000/docs to see the methods and try them.
  .use(explorer())
  // Calls counted and timed by method and outcome, for Prometheus to scrape.
  .use(metrics())
  // Each call runs in the trace its `traceparent` names (or a new one), for the JSON call log.
  .use(tracing)
  // A front end served from another origin (a dev server, say) may call the API.
  .use(cors({ origins: ["http://localhost:3000"] }))
  .use(routes()
    .route("GET", "/hello/:name", (_request, ctx) => new Response(`hello ${ctx.params.name}\n`))
    .route("GET", "/", () => new Response(null, { status: 302, headers: { location: "/static/" } })))
  // A URL next to this file, so it works from any working folder.
  .use(staticFiles({ "/static/": new URL("./public/", import.meta.url) }))
  .use(periodicTasks([{
    name: "tick",
    every: 1000,
    run: () => {
      stats.ticks++;
    },
  }]))
  .use({ name: "goodbye", stop: () => console.log("website.service stopped") })
  .use(process.env["LOG"] === "1" ? callLog() : process.env["LOG"] === "json" ? callLog(console, { format: "json", traces: tracing }) : { name: "no call log" })
  .publicMethod("say_hello", (name: string) => `hello ${name}`, { description: "Greets someone by name." })
  .privateMethod("say_private_hello", (name: string) => `this is secret: hello ${name}`, {
    description: "Greets someone, for callers with the API token only.",
  })
  .publicMethod("stats", () => ({ ticks: stats.ticks, uptime: Date.now() - stats.startedAt, waiting: stats.waiting }), {
    description: "How many times the periodic task ran, the uptime in ms and the wait calls in progress.",
  })
  // Answers after a while (at most 10 s): a call to see a graceful stop answer it.
  .publicMethod("wait", async (ms: number) => {
    stats.waiting++;
    try {
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(0, ms), 10_000)));
    } finally {
      stats.waiting--;
    }
    return ms;
  }, { description: "Answers after ms milliseconds (at most 10 s)." });

const server = await serve(service, {
  hostname: process.env["HOST"] ?? "127.0.0.1",
  port: Number(process.env["PORT"] ?? 5000),
  signals: true,
});
console.log(`${service.name} serving at ${server.url}${service.path}`);
console.log(`website at ${server.url}/static/, health at ${server.url}/health, API explorer at ${server.url}/docs`);
