/**
 * The `Content-Type` of a static file, from its extension.
 *
 * @module
 */

const TEXT = "charset=utf-8";

// The types a website commonly serves; anything else is sent as opaque bytes.
const TYPES: ReadonlyMap<string, string> = new Map([
  ["html", `text/html; ${TEXT}`],
  ["htm", `text/html; ${TEXT}`],
  ["css", `text/css; ${TEXT}`],
  ["js", `text/javascript; ${TEXT}`],
  ["mjs", `text/javascript; ${TEXT}`],
  ["json", `application/json; ${TEXT}`],
  ["map", `application/json; ${TEXT}`],
  ["webmanifest", `application/manifest+json; ${TEXT}`],
  ["txt", `text/plain; ${TEXT}`],
  ["md", `text/markdown; ${TEXT}`],
  ["csv", `text/csv; ${TEXT}`],
  ["xml", `application/xml; ${TEXT}`],
  ["svg", `image/svg+xml; ${TEXT}`],
  ["png", "image/png"],
  ["jpg", "image/jpeg"],
  ["jpeg", "image/jpeg"],
  ["gif", "image/gif"],
  ["webp", "image/webp"],
  ["avif", "image/avif"],
  ["ico", "image/x-icon"],
  ["woff", "font/woff"],
  ["woff2", "font/woff2"],
  ["ttf", "font/ttf"],
  ["otf", "font/otf"],
  ["wasm", "application/wasm"],
  ["pdf", "application/pdf"],
  ["zip", "application/zip"],
  ["gz", "application/gzip"],
  ["mp3", "audio/mpeg"],
  ["wav", "audio/wav"],
  ["ogg", "audio/ogg"],
  ["mp4", "video/mp4"],
  ["webm", "video/webm"],
]);

/** The type of a file whose extension is not known. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/**
 * The `Content-Type` of a file, from its name's extension (case-insensitive); text types carry
 * `charset=utf-8`.
 *
 * @param name The file's name or path.
 * @returns Its media type, or `application/octet-stream` when the extension is not known.
 * @example
 * ```ts
 * import { contentTypeOf } from "./content_types.ts";
 * contentTypeOf("style.CSS"); // "text/css; charset=utf-8"
 * contentTypeOf("data.bin"); // "application/octet-stream"
 * ```
 */
export function contentTypeOf(name: string): string {
  const slash = Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\"));
  const dot = name.lastIndexOf(".");
  if (dot <= slash + 1) return DEFAULT_CONTENT_TYPE; // no extension, or a dotfile's name
  return TYPES.get(name.slice(dot + 1).toLowerCase()) ?? DEFAULT_CONTENT_TYPE;
}
