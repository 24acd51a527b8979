/**
 * A token read from a file for a client's `token` option: a Kubernetes projected service-account
 * token, which the kubelet rewrites before it expires.
 *
 * @module
 */

/**
 * Options of {@linkcode fileToken}.
 *
 * @example
 * ```ts
 * import type { FileTokenOptions } from "./file_token.ts";
 * const options: FileTokenOptions = { maxAge: 30 };
 * ```
 */
export interface FileTokenOptions {
  /** How long a token read is used before the file is read again, in seconds. Default 60. */
  readonly maxAge?: number | undefined;
  /** Reads the file as text. Default: `node:fs/promises`' `readFile` (Node.js, Deno and Bun have it). */
  readonly readFile?: ((path: string) => Promise<string>) | undefined;
  /** The clock, in ms since the epoch (tests). Default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * A token function that reads the token from a file (its text, trimmed) and reads it again once
 * `maxAge` seconds have passed, so a token rotated on disk is sent from then on. Concurrent calls
 * share one read. A file that cannot be read, or is empty, rejects the call.
 *
 * @param path The file, such as `/var/run/secrets/tokens/orders` (a projected volume).
 * @param options How often to read it again, and how.
 * @returns The token function.
 * @example
 * ```ts
 * import { createClient } from "../client/mod.ts";
 * import { fileToken } from "./file_token.ts";
 * const billing = createClient("http://billing.default.svc.cluster.local/api", {
 *   token: fileToken("/var/run/secrets/tokens/billing"),
 * });
 * ```
 */
export function fileToken(path: string, options: FileTokenOptions = {}): () => Promise<string> {
  const maxAge = (options.maxAge ?? 60) * 1000;
  const now = options.now ?? Date.now;
  const readFile = options.readFile ?? (async (file: string) => (await import("node:fs/promises")).readFile(file, "utf8"));
  let cached: { token: string; readAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    const readAt = now();
    const token = (await readFile(path)).trim();
    if (token === "") throw new Error(`fileToken: ${path} is empty`);
    cached = { token, readAt };
    return token;
  };
  return () => {
    if (cached !== undefined && now() - cached.readAt < maxAge) return Promise.resolve(cached.token);
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
