/**
 * Text from a service, made safe to print on a terminal. A service may be hostile (or merely
 * broken): its error messages, names, versions, descriptions, types and results could carry
 * terminal escape sequences (set the window title, clear the screen, write the clipboard with
 * OSC 52), bidirectional overrides that make text read differently than it is, or line breaks that
 * forge lines of output. Everything the command prints from a service goes through these
 * functions first; and URLs are printed without the credentials a user may have written in them.
 *
 * @module
 */

// Control characters: C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F); the bidirectional
// marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069); the line and paragraph separators (U+2028, U+2029).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
// The same, less C0: what JSON.stringify leaves as it is inside strings.
const JSON_LEFTOVERS = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

const SHORT: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Escapes every control character of a text for the terminal: `\n`, `\r` and `\t` as those two
 * characters, any other as `\uXXXX` (ESC becomes the six characters `\u001b`). Printable text,
 * other languages and emoji are left as they are.
 *
 * @param text Text that came from a service.
 * @returns The text with no control character left.
 * @example
 * ```ts
 * import { escapeControls } from "./terminal_text.ts";
 * escapeControls("\u001b]0;owned\u0007title"); // "\\u001b]0;owned\\u0007title"
 * escapeControls("two\nlines"); // "two\\nlines"
 * escapeControls("abc\u202edef"); // "abc\\u202edef"
 * escapeControls("héllo wörld ✓"); // "héllo wörld ✓"
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (character) => SHORT[character] ?? unicodeEscape(character));
}

/**
 * Makes JSON text safe for the terminal without changing the value it stands for: the control
 * characters `JSON.stringify` leaves in strings (DEL, C1, bidirectional controls, U+2028 and
 * U+2029) become `\uXXXX` escapes, which JSON reads back as the same characters.
 *
 * @param json Text written by `JSON.stringify`.
 * @returns The same JSON, with every control character escaped.
 * @example
 * ```ts
 * import { escapeJsonControls } from "./terminal_text.ts";
 * const json = escapeJsonControls(JSON.stringify("a\u009b2Jb"));
 * json; // '"a\\u009b2Jb"'
 * JSON.parse(json); // "a\u009b2Jb"
 * ```
 */
export function escapeJsonControls(json: string): string {
  return json.replace(JSON_LEFTOVERS, unicodeEscape);
}

/**
 * Takes out the user name and password of every `scheme://user:password@host` in a text (a URL as
 * typed, or a message that quotes one), leaving `scheme://host`; and of a word typed as
 * `user:password@host` without a scheme.
 *
 * @param text The text.
 * @returns The text without URL credentials.
 * @example
 * ```ts
 * import { withoutCredentials } from "./terminal_text.ts";
 * withoutCredentials("http://ann:s3cret@127.0.0.1:5000/api"); // "http://127.0.0.1:5000/api"
 * withoutCredentials("not a URL: ftp://ann:s3cret@host/x"); // "not a URL: ftp://host/x"
 * withoutCredentials("ann:s3cret@host:5000/api"); // "host:5000/api"
 * ```
 */
export function withoutCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, "$1").replace(/(^|\s)[^\s/:@]+:[^\s/]*@/g, "$1");
}
