/**
 * The DNS look-ups an SRV source needs, on each runtime: `node:dns`'s `Resolver` (loaded on
 * demand) on Node.js and Bun, `Deno.resolveDns` on Deno. Only the few shapes used are declared
 * here, so no runtime's type package is needed.
 *
 * @module
 */

/**
 * One SRV record.
 *
 * @example
 * ```ts
 * import type { SrvRecord } from "./resolver.ts";
 * const record: SrvRecord = { name: "calc1.test", port: 5001, priority: 0, weight: 10 };
 * ```
 */
export interface SrvRecord {
  /** The target host name. */
  readonly name: string;
  /** The port. */
  readonly port: number;
  /** Lower is preferred. */
  readonly priority: number;
  /** Share among records of the same priority. */
  readonly weight: number;
}

/**
 * An address with how long it may be kept, in seconds, when the runtime tells.
 *
 * @example
 * ```ts
 * import type { AddressRecord } from "./resolver.ts";
 * const address: AddressRecord = { address: "127.0.0.1", ttl: 30 };
 * ```
 */
export interface AddressRecord {
  /** An IPv4 or IPv6 address. */
  readonly address: string;
  /** Its time to live in seconds, or `undefined` when the runtime does not say. */
  readonly ttl: number | undefined;
}

/**
 * The look-ups of a DNS source. Give your own to `dnsSrv`'s `resolver` option (in tests, or to
 * use DNS over HTTPS in a browser).
 *
 * @example
 * ```ts
 * import type { DnsResolver } from "./resolver.ts";
 * const fixed: DnsResolver = {
 *   srv: () => Promise.resolve([{ name: "calc1.test", port: 5001, priority: 0, weight: 1 }]),
 *   addresses: () => Promise.resolve([{ address: "127.0.0.1", ttl: 5 }]),
 * };
 * ```
 */
export interface DnsResolver {
  /**
   * Looks up the SRV records of a name.
   *
   * @param name Such as `_api._tcp.orders.default.svc.cluster.local`.
   * @returns The records.
   * @example
   * ```ts
   * import { systemResolver } from "./resolver.ts";
   * await systemResolver([]).srv("_api._tcp.calc.test");
   * ```
   */
  srv(name: string): Promise<readonly SrvRecord[]>;
  /**
   * Looks up the IPv4 addresses of a name, else its IPv6 ones.
   *
   * @param name A host name.
   * @returns The addresses; empty when it has none.
   * @example
   * ```ts
   * import { systemResolver } from "./resolver.ts";
   * await systemResolver([]).addresses("calc1.test");
   * ```
   */
  addresses(name: string): Promise<readonly AddressRecord[]>;
}

interface NodeResolver {
  setServers(servers: string[]): void;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string, options: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
  resolve6(name: string, options: { ttl: true }): Promise<{ address: string; ttl: number }[]>;
}

interface NodeDns {
  readonly promises: { readonly Resolver: new () => NodeResolver };
}

type DenoResolveDns = (
  query: string,
  type: "A" | "AAAA" | "SRV",
  options?: { nameServer?: { ipAddr: string; port?: number } },
) => Promise<unknown[]>;

/**
 * The runtime's own resolver, asking the given name servers (or the system's when none is given).
 * On Deno, which takes one name server per look-up, the servers are asked in turn until one answers.
 *
 * @param nameservers Such as `["127.0.0.1:5353"]` or `["[::1]:53"]`; empty for the system's.
 * @returns The resolver.
 * @example
 * ```ts
 * import { systemResolver } from "./resolver.ts";
 * const resolver = systemResolver(["127.0.0.1:5353"]);
 * await resolver.srv("_api._tcp.calc.test");
 * ```
 */
export function systemResolver(nameservers: readonly string[]): DnsResolver {
  const deno = (globalThis as { Deno?: { resolveDns?: DenoResolveDns } }).Deno?.resolveDns;
  return deno === undefined ? nodeResolver(nameservers) : denoResolver(deno, nameservers);
}

function nodeResolver(nameservers: readonly string[]): DnsResolver {
  let made: Promise<NodeResolver> | undefined;
  const resolver = (): Promise<NodeResolver> =>
    made ??= (import("node:dns") as unknown as Promise<NodeDns>).then((dns) => {
      const resolver = new dns.promises.Resolver();
      if (nameservers.length > 0) resolver.setServers([...nameservers]);
      return resolver;
    });
  return {
    srv: async (name) => (await (await resolver()).resolveSrv(name)).map((record) => ({ ...record, name: fromPresentation(record.name) })),
    addresses: async (name) => {
      const r = await resolver();
      const v4 = await r.resolve4(name, { ttl: true }).catch(() => []);
      return v4.length > 0 ? v4 : r.resolve6(name, { ttl: true }).catch(() => []);
    },
  };
}

function denoResolver(resolveDns: DenoResolveDns, nameservers: readonly string[]): DnsResolver {
  const servers = nameservers.map(parseServer);
  const ask = async (name: string, type: "A" | "AAAA" | "SRV"): Promise<unknown[]> => {
    if (servers.length === 0) return resolveDns(name, type);
    let failure: unknown;
    for (const nameServer of servers) {
      try {
        return await resolveDns(name, type, { nameServer });
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  };
  return {
    srv: async (name) =>
      (await ask(name, "SRV") as { target: string; port: number; priority: number; weight: number }[]).map((record) => ({
        name: fromPresentation(record.target.replace(/\.$/, "")),
        port: record.port,
        priority: record.priority,
        weight: record.weight,
      })),
    addresses: async (name) => {
      const v4 = await ask(name, "A").catch(() => []);
      const found = v4.length > 0 ? v4 : await ask(name, "AAAA").catch(() => []);
      return (found as string[]).map((address) => ({ address, ttl: undefined }));
    },
  };
}

/**
 * Reads a DNS name back from its presentation format: the runtimes escape some characters of the
 * names they give (Deno `\/` and `\?`, Node.js `\@`; `\DDD` for any byte), so every runtime
 * checks, and reports, the same name.
 *
 * @param name A name as a resolver gave it.
 * @returns The name with its escapes read.
 * @example
 * ```ts
 * import { fromPresentation } from "./resolver.ts";
 * fromPresentation("localhost\\/steal\\?x\\=.test"); // "localhost/steal?x=.test"
 * ```
 */
export function fromPresentation(name: string): string {
  return name.replace(/\\(\d{3}|.)/g, (_escape, char: string) => (char.length === 3 ? String.fromCharCode(Number(char)) : char));
}

/**
 * Reads a name server written `host`, `host:port`, `[v6]` or `[v6]:port`.
 *
 * @param server The name server.
 * @returns Its address and port (53 when absent).
 * @example
 * ```ts
 * import { parseServer } from "./resolver.ts";
 * parseServer("127.0.0.1:5353"); // { ipAddr: "127.0.0.1", port: 5353 }
 * parseServer("[::1]"); // { ipAddr: "::1", port: 53 }
 * ```
 */
export function parseServer(server: string): { ipAddr: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed !== null) return { ipAddr: bracketed[1] ?? "", port: Number(bracketed[2] ?? 53) };
  const parts = server.split(":");
  if (parts.length === 2) return { ipAddr: parts[0] ?? "", port: Number(parts[1]) };
  return { ipAddr: server, port: 53 };
}
