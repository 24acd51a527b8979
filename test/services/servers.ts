/**
 * The real servers of the service suites (dnsmasq, etcd), each started on free loopback ports in a
 * temporary folder and stopped by its process id. A missing binary or Python module fails the test
 * with the Debian package that provides it.
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnv, delay, freePort, HOST, type RunningProcess, startProcess, tryConnect } from "../runtime/processes.ts";

/**
 * Finds a program on PATH, or fails saying which Debian package to install.
 *
 * @param binary The program's name.
 * @param debianPackage The package that provides it.
 * @returns Its path.
 * @throws {Error} When it is not installed.
 */
export function requireBinary(binary: string, debianPackage: string): string {
  const paths = [...(process.env["PATH"] ?? "").split(":"), "/usr/sbin", "/sbin"];
  for (const dir of paths) {
    try {
      execFileSync("test", ["-x", join(dir, binary)]);
      return join(dir, binary);
    } catch {
      // Not here.
    }
  }
  throw new Error(
    `${binary} is not installed: apt-get install -y --no-install-recommends ${debianPackage} (npm run test:services needs it)`,
  );
}

/** Debian's Python, not whatever `python3` comes first on PATH: Debian's packages install there. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * Checks that Debian's Python can import a module, or fails saying which Debian package to install.
 *
 * @param module The module, such as `websockets`.
 * @param debianPackage The package that provides it, such as `python3-websockets`.
 * @returns The Python to run it with ({@linkcode SYSTEM_PYTHON}).
 * @throws {Error} When Python or the module is not installed.
 */
export function requirePythonModule(module: string, debianPackage: string): string {
  try {
    execFileSync(SYSTEM_PYTHON, ["-c", `import ${module}`], { stdio: "ignore", timeout: 10_000 });
    return SYSTEM_PYTHON;
  } catch {
    throw new Error(
      `${SYSTEM_PYTHON} cannot import ${module}: apt-get install -y --no-install-recommends ${debianPackage} (npm run test:services needs it)`,
    );
  }
}

/** A dnsmasq answering on a loopback UDP/TCP port. */
export interface Dnsmasq {
  /** Its port. */
  readonly port: number;
  /** `127.0.0.1:<port>`, for `nameservers`. */
  readonly nameserver: string;
  /** Stops it, then starts it again on the same port with other records. */
  restart(records: DnsRecords): Promise<void>;
  /** Stops it. */
  stop(): Promise<void>;
}

/** The records dnsmasq serves. */
export interface DnsRecords {
  /** SRV records: name → targets. */
  readonly srv?: Readonly<Record<string, readonly { target: string; port: number; priority?: number; weight?: number }[]>>;
  /** A records: host name → address. */
  readonly hosts?: Readonly<Record<string, string>>;
  /** The TTL of every record, in seconds. */
  readonly ttl?: number;
}

/**
 * Starts dnsmasq with the given records on a free port.
 *
 * @param records The SRV and A records.
 * @returns The running server.
 */
export async function startDnsmasq(records: DnsRecords): Promise<Dnsmasq> {
  const binary = requireBinary("dnsmasq", "dnsmasq-base");
  const port = await freePort();
  let child: RunningProcess | undefined;
  const launch = async (current: DnsRecords): Promise<void> => {
    const args = [
      "--keep-in-foreground", "--no-resolv", "--no-hosts", `--port=${port}`, `--listen-address=${HOST}`,
      "--bind-interfaces", "--user=root", "--log-facility=-", `--local-ttl=${current.ttl ?? 1}`,
    ];
    for (const [name, targets] of Object.entries(current.srv ?? {})) {
      for (const t of targets) args.push(`--srv-host=${name},${t.target},${t.port},${t.priority ?? 0},${t.weight ?? 1}`);
    }
    for (const [name, address] of Object.entries(current.hosts ?? {})) args.push(`--host-record=${name},${address}`);
    child = startProcess(binary, args, childEnv());
    // Ready once it answers on its TCP port.
    for (let tries = 0; ; tries++) {
      if ((await tryConnect(port)) === "connected") return;
      if (tries > 200) throw new Error(`dnsmasq did not listen on ${port}:\n${child.output()}`);
      await delay(25);
    }
  };
  await launch(records);
  return {
    port,
    nameserver: `${HOST}:${port}`,
    async restart(next) {
      await child?.stop();
      await launch(next);
    },
    async stop() {
      await child?.stop();
    },
  };
}

/** An etcd with its client URL. */
export interface Etcd {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops it with SIGKILL (as a crash would), keeping its data. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
}

/**
 * Starts etcd on free loopback ports with a temporary data folder, and waits until it is healthy.
 *
 * @returns The running etcd.
 */
export async function startEtcd(): Promise<Etcd> {
  const binary = requireBinary("etcd", "etcd-server");
  const dir = mkdtempSync(join(tmpdir(), "tsmicroservice-etcd-"));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://${HOST}:${clientPort}`;
  const peer = `http://${HOST}:${peerPort}`;
  let child: RunningProcess | undefined;
  const launch = async (): Promise<void> => {
    child = startProcess(binary, [
      "--data-dir", join(dir, "etcd"), "--listen-client-urls", url, "--advertise-client-urls", url,
      "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `default=${peer}`,
    ], childEnv());
    for (let tries = 0; ; tries++) {
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
        if (((await response.json()) as { health?: string }).health === "true") return;
      } catch {
        // Not yet.
      }
      if (tries > 150) throw new Error(`etcd did not become healthy:\n${child.output()}`);
      await delay(100);
    }
  };
  await launch();
  return {
    url,
    async kill() {
      if (child !== undefined) {
        process.kill(child.pid, "SIGKILL");
        await child.stop();
      }
    },
    start: launch,
    async stop() {
      await child?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
