/**
 * A real nats-server for the NATS suites: started on a free loopback port (with JetStream in a
 * temporary folder), killed and started again on the same port and store, stopped by its pid.
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { childEnv, delay, freePort, HOST, type RunningProcess, startProcess, tryConnect } from "../runtime/processes.ts";
import { requireBinary } from "./servers.ts";

/** A running nats-server. */
export interface Nats {
  /** Its port. */
  readonly port: number;
  /** `127.0.0.1:<port>`, for the client's `servers`. */
  readonly servers: string;
  /** `nats://127.0.0.1:<port>`, for $NATS_URL. */
  readonly url: string;
  /** Kills it with SIGKILL (a crash), keeping its JetStream store. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  stop(): Promise<void>;
}

/**
 * Starts nats-server with JetStream on a free port, and waits until it greets a client.
 *
 * @returns The running server.
 */
export async function startNats(): Promise<Nats> {
  const binary = requireBinary("nats-server", "nats-server");
  const dir = mkdtempSync(join(tmpdir(), "tsmicroservice-nats-"));
  const port = await freePort();
  let child: RunningProcess | undefined;
  const launch = async (): Promise<void> => {
    child = startProcess(binary, ["-a", HOST, "-p", String(port), "-js", "-sd", join(dir, "js")], childEnv());
    for (let tries = 0; ; tries++) {
      if ((await tryConnect(port)) === "connected") return;
      if (tries > 200) throw new Error(`nats-server did not listen on ${port}:\n${child.output()}`);
      await delay(25);
    }
  };
  await launch();
  return {
    port,
    servers: `${HOST}:${port}`,
    url: `nats://${HOST}:${port}`,
    async kill() {
      if (child !== undefined) {
        process.kill(-child.pid, "SIGKILL");
        await child.exited;
      }
    },
    start: launch,
    async stop() {
      await child?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Connects to it as a service would, reconnecting for ever (every 100 ms) when it goes away.
 *
 * @param nats The server.
 * @returns The connection.
 */
export function natsConnection(nats: Nats): Promise<NatsConnection> {
  return connect({ servers: nats.servers, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}
