// The client of several instances against real servers: three instances in child processes on
// Node.js, Deno and Bun, under load; one is killed with SIGKILL and started again.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { connect, TransportError } from "../../mod.ts";
import { cluster } from "../../src/client/cluster/mod.ts";
import {
  childEnv,
  delay,
  freePort,
  HOST,
  runCommand,
  type RunningProcess,
  type RuntimeName,
  startProcess,
  stopAll,
} from "../runtime/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "tsmicroservice-cluster-"));
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

interface Instance {
  readonly id: string;
  readonly runtime: RuntimeName;
  readonly port: number;
  readonly url: string;
  readonly log: string;
  process: RunningProcess;
}

async function startInstance(id: string, runtime: RuntimeName, port: number, hostile = false): Promise<RunningProcess> {
  const [command, args] = runCommand(runtime, "test/services/fixtures/instance.ts");
  const env = { HOST, PORT: String(port), INSTANCE: id, LOG: join(dir, `${id}.log`), ...(hostile ? { HOSTILE: "1" } : {}) };
  const child = startProcess(command, args, childEnv(env));
  await child.waitForLine(/serving at/);
  return child;
}

function executions(instances: readonly Instance[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const instance of instances) {
    let text = "";
    try {
      text = readFileSync(instance.log, "utf8");
    } catch {
      // Nothing recorded yet.
    }
    for (const key of text.split("\n").filter((line) => line !== "")) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe("three instances on Node.js, Deno and Bun", () => {
  it("a fault run: one SIGKILLed under load and restarted; idempotent calls never fail, others run at most once", async () => {
    // The Deno instance is of "another version": it declares `record` idempotent, and it is the one
    // that answers connect's discovery. The honest instances' word is what counts for them.
    const runtimes: RuntimeName[] = ["deno", "node", "bun"];
    const instances: Instance[] = [];
    for (const [i, runtime] of runtimes.entries()) {
      const id = `${runtime}-${i}`;
      const port = await freePort();
      instances.push({ id, runtime, port, url: `http://${HOST}:${port}/api`, log: join(dir, `${id}.log`), process: await startInstance(id, runtime, port, i === 0) });
    }
    const replicas = cluster(instances.map((instance) => instance.url), {
      attemptTimeout: 3_000,
      breaker: { openFor: 200, maxOpenFor: 400 },
      retry: { attempts: 5 },
    });
    const remote = await connect<{ whoami(): string; record(key: string): string }>(replicas, { timeout: 10_000 });
    const victim = instances[1]!;
    let running = true;
    let idempotentFailures = 0;
    let idempotentCalls = 0;
    const answeredBy = new Map<string, number>();
    const succeeded = new Set<string>();
    const failed = new Set<string>();
    const breakerSeen = { open: false };
    let restartedAt = Infinity;
    let victimAnsweredAfterRestart = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (running) {
        idempotentCalls++;
        try {
          const who = await remote.methods.whoami();
          answeredBy.set(who, (answeredBy.get(who) ?? 0) + 1);
          if (who === victim.id && Date.now() > restartedAt) victimAnsweredAfterRestart++;
        } catch (error) {
          idempotentFailures++;
          console.error("idempotent call failed:", error);
        }
        const key = `k${next++}`;
        try {
          await remote.methods.record(key);
          succeeded.add(key);
        } catch (error) {
          assert.ok(error instanceof TransportError, String(error));
          failed.add(key);
        }
        if (replicas.instances().some((instance) => instance.url === victim.url && instance.breaker === "open")) breakerSeen.open = true;
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    await delay(1_500);
    process.kill(-victim.process.pid, "SIGKILL");
    await victim.process.stop();
    for (let tries = 0; !breakerSeen.open && tries < 200; tries++) await delay(25);
    assert.ok(breakerSeen.open, "the dead instance's breaker opened");
    await delay(1_500);
    victim.process = await startInstance(victim.id, victim.runtime, victim.port);
    restartedAt = Date.now();
    for (let tries = 0; victimAnsweredAfterRestart === 0 && tries < 400; tries++) await delay(25);
    await delay(1_000);
    running = false;
    await Promise.all(workers);
    await remote.close();

    assert.equal(idempotentFailures, 0, `of ${idempotentCalls} idempotent calls`);
    assert.ok(victimAnsweredAfterRestart > 0, "the restarted instance was taken back");
    const counts = executions(instances);
    for (const [key, count] of counts) assert.equal(count, 1, `${key} ran ${count} times`);
    for (const key of succeeded) assert.equal(counts.get(key), 1, `${key} answered, so it ran once`);
    for (const instance of instances) assert.ok((answeredBy.get(instance.id) ?? 0) > 0, `${instance.id} answered`);
    const ranOfFailed = [...failed].filter((key) => counts.has(key)).length;
    console.log(
      `fault run: ${idempotentCalls} idempotent calls, 0 failed; ${succeeded.size + failed.size} non-idempotent calls, ` +
        `${failed.size} failed (in flight on the killed instance: ${ranOfFailed} of them had run there before it died, ` +
        `${failed.size - ranOfFailed} had not), ${counts.size} executions, none twice`,
    );
  });
});
