// The fault run of streams: a resumable feed (test/runtime/fixtures/stream_fault_server.ts) served by
// two real instances on 127.0.0.1, read by our client through cluster(); the instance serving the
// stream is SIGKILLed mid-stream (no goodbye, no response event: the connection just dies), and the
// client resumes on the other with the last event id. Counted: every item 1..N arrives once, in
// order, and the instance left alive served the rest. On each runtime, and across two runtimes.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { connect } from "../../mod.ts";
import { cluster } from "../../src/client/cluster/mod.ts";
import { sseStreams } from "../../src/plugins/streams/streams.ts";
import { RUNTIMES, runtimePairs, stopAll, within } from "./processes.ts";
import { assertEachOnceInOrder } from "./fault_counts.ts";
import { type ChildServer, startExample } from "./servers.ts";

after(stopAll);

interface Item {
  readonly n: number;
  readonly pid: number;
}

const N = 300;
const KILL_AT = 100;

const pairs = runtimePairs();

describe("fault run: the instance serving a resumable stream is SIGKILLed", { timeout: 120_000 }, () => {
  for (const [first, second] of pairs) {
    test(`${first} + ${second}: the client resumes on the other instance, ${N} items, none lost, none twice`, async () => {
      const servers: ChildServer[] = await Promise.all([startExample(first, "test/runtime/fixtures/stream_fault_server.ts"), startExample(second, "test/runtime/fixtures/stream_fault_server.ts")]);
      try {
        const byPid = new Map(servers.map((server) => [server.process.pid, server]));
        const remote = await connect<{ follow: (to: number) => AsyncGenerator<Item, string> }>(
          cluster(servers.map((server) => `${server.base}/api`)),
          { streams: sseStreams },
        );
        const items: Item[] = [];
        let killed: ChildServer | undefined;
        const read = (async () => {
          const stream = remote.stream("follow", [N]) as AsyncGenerator<Item, string>;
          for (let next = await stream.next(); ; next = await stream.next()) {
            if (next.done === true) return next.value;
            items.push(next.value);
            if (items.length === KILL_AT) {
              killed = byPid.get(next.value.pid);
              assert.ok(killed !== undefined, `item ${next.value.n} names pid ${next.value.pid}, not one of ours`);
              // No SIGTERM first: the process (its whole group) dies between two items.
              process.kill(-killed.process.pid, "SIGKILL");
            }
          }
        })();
        const result = await within(read, 30_000, "timed out");
        assert.equal(result, `followed to ${N}`, `${items.length} items read`);
        assert.ok(killed !== undefined);
        assert.equal(typeof await within(killed.process.exited, 5_000, undefined), "string", "the serving instance died of a signal");

        // Counted: exactly 1..N, in order; nothing missing, nothing twice.
        assertEachOnceInOrder(items.map((item) => item.n), N);

        // The killed instance served items 1..KILL_AT (and maybe a few in flight after); the other, the rest.
        const survivor = servers.find((server) => server !== killed) as ChildServer;
        const servedByKilled = items.filter((item) => item.pid === killed?.process.pid).length;
        const servedBySurvivor = items.filter((item) => item.pid === survivor.process.pid).length;
        assert.equal(servedByKilled + servedBySurvivor, N);
        assert.ok(servedByKilled >= KILL_AT, `the killed instance served ${servedByKilled}`);
        assert.ok(servedBySurvivor > 0, "the other instance served none");
        const switched = items.findIndex((item) => item.pid === survivor.process.pid);
        assert.ok(items.slice(switched).every((item) => item.pid === survivor.process.pid), "after the switch, every item came from the survivor");
        console.log(`# ${first} + ${second}: ${N} received, 0 missing, 0 twice; killed ${killed.runtime} pid ${killed.process.pid} after item ${switched}, survivor served ${servedBySurvivor}`);
        await remote.close();
      } finally {
        await Promise.all(servers.map((server) => server.process.stop()));
      }
    });
  }
});

describe("fault run: the instance serving a resumable stream freezes (SIGSTOP)", { timeout: 120_000 }, () => {
  for (const [first, second] of pairs.slice(0, RUNTIMES.length)) {
    test(`${first} + ${second}: silence past idleTimeout is a drop; the client resumes on the other, ${N} items, none lost, none twice`, async () => {
      const servers: ChildServer[] = await Promise.all([startExample(first, "test/runtime/fixtures/stream_fault_server.ts"), startExample(second, "test/runtime/fixtures/stream_fault_server.ts")]);
      let frozen: ChildServer | undefined;
      try {
        const byPid = new Map(servers.map((server) => [server.process.pid, server]));
        // A frozen instance answers no call either: the cluster's call (rpc.discover, which finds
        // an instance after the drop) gives up on it after the client's timeout, and tries the other.
        const remote = await connect<{ follow: (to: number) => AsyncGenerator<Item, string> }>(
          cluster(servers.map((server) => `${server.base}/api`)),
          { streams: sseStreams, timeout: 1_000 },
        );
        const items: Item[] = [];
        const started = Date.now();
        let frozenAt = 0;
        let resumedAt = 0;
        const read = (async () => {
          // The fixture's heartbeat is 100 ms: 500 ms of silence is five missed.
          const stream = remote.stream("follow", [N], { idleTimeout: 500 }) as AsyncGenerator<Item, string>;
          for (let next = await stream.next(); ; next = await stream.next()) {
            if (next.done === true) return next.value;
            items.push(next.value);
            if (frozen !== undefined && resumedAt === 0 && next.value.pid !== frozen.process.pid) resumedAt = Date.now();
            if (items.length === KILL_AT) {
              frozen = byPid.get(next.value.pid);
              assert.ok(frozen !== undefined, `item ${next.value.n} names pid ${next.value.pid}, not one of ours`);
              // Stopped, not killed: its sockets stay open and say nothing, as a host that hangs.
              process.kill(frozen.process.pid, "SIGSTOP");
              frozenAt = Date.now();
            }
          }
        })();
        const result = await within(read, 30_000, "timed out");
        assert.equal(result, `followed to ${N}`, `${items.length} items read`);
        assert.ok(frozen !== undefined);
        assertEachOnceInOrder(items.map((item) => item.n), N);
        const survivor = servers.find((server) => server !== frozen) as ChildServer;
        const switched = items.findIndex((item) => item.pid === survivor.process.pid);
        assert.ok(switched >= KILL_AT && items.slice(switched).every((item) => item.pid === survivor.process.pid), "after the switch, every item came from the survivor");
        console.log(`# frozen ${frozen.runtime} after item ${switched}; the survivor's first item came ${resumedAt - frozenAt} ms later (the run took ${Date.now() - started} ms); ${N} received, 0 missing, 0 twice`);
        await remote.close();
      } finally {
        // A stopped process takes SIGTERM only once it runs again.
        if (frozen !== undefined) process.kill(frozen.process.pid, "SIGCONT");
        await Promise.all(servers.map((server) => server.process.stop()));
      }
    });
  }
});
