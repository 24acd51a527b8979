// The official NATS client's connection, JetStream client and manager fit the structural types of
// tsmicroservice/nats (npm run typecheck; never run).
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { natsFetch, natsServer, natsTransport } from "../../src/nats/mod.ts";

export async function fits(): Promise<void> {
  const nc = await connect({ servers: "127.0.0.1:4222" });
  natsServer(nc);
  natsFetch(nc);
  natsTransport(nc, { jetstream: { client: jetstream(nc), manager: await jetstreamManager(nc) } });
}
