/**
 * Three instances of one service and a client that spreads its calls over them. One instance is
 * stopped halfway: the client takes it out (its breaker opens), moves the calls that never reached
 * it, and goes on with the other two. Each answer says which instance gave it.
 *
 * Run with `npx tsx examples/cluster.ts` (or `deno run -A`, or `bun`). It listens on free ports of
 * $HOST (default 127.0.0.1) and exits when done.
 *
 * @module
 */

import { connect, serve, type ServerHandle, Service } from "../mod.ts";
import { cluster } from "../src/client/cluster/mod.ts";


const hostname = process.env["HOST"] ?? "127.0.0.1";

/** One instance: `whoami` is idempotent (a read), so the client may send it again elsewhere. */
function instance(id: string) {
  return new Service({ name: "orders.service", version: "1.0.0" })
    .publicMethod("whoami", () => id, { idempotent: true, description: "Says which instance answered." })
    .publicMethod("get_order", (orderId: number) => ({ orderId, servedBy: id }), { idempotent: true });
}

const servers: ServerHandle[] = [];
for (const id of ["orders-a", "orders-b", "orders-c"]) {
  servers.push(await serve(instance(id), { hostname, port: 0 }));
}
const urls = servers.map((server) => `${server.url}/api`);
console.log(`serving at ${urls.join(" ")}`);

const replicas = cluster(urls, { breaker: { openFor: 500 } });
const orders = await connect<ReturnType<typeof instance>>(replicas, { timeout: 2_000 });
console.log(`connected to ${orders.name}: ${orders.methodNames.join(", ")}`);

for (let i = 1; i <= 6; i++) console.log(`call ${i}: answered by ${await orders.methods.whoami()}`);

await servers[1]?.close();
console.log("orders-b stopped");
for (let i = 7; i <= 12; i++) {
  const order = await orders.methods.get_order(i);
  console.log(`call ${i}: order ${order.orderId} served by ${order.servedBy}`);
}
for (const status of replicas.instances()) console.log(`${status.url}: breaker ${status.breaker}`);

await orders.close();
for (const server of [servers[0], servers[2]]) await server?.close();
