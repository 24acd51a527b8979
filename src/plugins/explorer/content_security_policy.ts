/**
 * The Content-Security-Policy of the explorer page: only its own inline script and style run
 * (allowed by their SHA-256 hashes), it may talk only to its own origin, and it loads nothing else.
 *
 * @module
 */

/**
 * The `'sha256-…'` source of a CSP for an inline script or style: the SHA-256 of its UTF-8 text,
 * in base64.
 *
 * @param text The exact text between `<script>` and `</script>` (or the style's tags).
 * @returns Such as `'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='` (of the empty text).
 * @example
 * ```ts
 * import { hashSource } from "./content_security_policy.ts";
 * await hashSource(""); // "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
 * ```
 */
export async function hashSource(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `'sha256-${btoa(binary)}'`;
}

/**
 * The hash sources of the page's inline script and style.
 *
 * @example
 * ```ts
 * import { contentSecurityPolicy, hashSource, type PageHashes } from "./content_security_policy.ts";
 * const hashes: PageHashes = { script: await hashSource("console.log(1)"), style: await hashSource("body{}") };
 * contentSecurityPolicy(hashes).includes(hashes.script); // true
 * ```
 */
export interface PageHashes {
  /** The `'sha256-…'` source of the inline script. */
  readonly script: string;
  /** The `'sha256-…'` source of the inline style. */
  readonly style: string;
}

/**
 * The policy: nothing by default; the one script and the one style by hash; requests to the page's
 * own origin only; no images, no `<base>`, no form submission, no framing by other pages.
 *
 * @param hashes The hash sources of the inline script and style.
 * @returns The value of the `Content-Security-Policy` header.
 * @example
 * ```ts
 * import { contentSecurityPolicy } from "./content_security_policy.ts";
 * contentSecurityPolicy({ script: "'sha256-a'", style: "'sha256-b'" }).startsWith("default-src 'none'"); // true
 * ```
 */
export function contentSecurityPolicy(hashes: PageHashes): string {
  return [
    "default-src 'none'",
    `script-src ${hashes.script}`,
    `style-src ${hashes.style}`,
    "connect-src 'self'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
