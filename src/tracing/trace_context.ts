/**
 * W3C Trace Context (level 1): the `traceparent` and `tracestate` headers, and trace and span ids.
 * A call without a valid `traceparent` starts a new trace (and its `tracestate` is dropped).
 *
 * @module
 */


/**
 * The trace a piece of work runs in: trace id, its own span id (parent of what it calls), flags
 * and `tracestate`.
 *
 * @example
 * ```ts
 * import { formatTraceparent, type TraceContext } from "./trace_context.ts";
 * const trace: TraceContext = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", flags: 1 };
 * formatTraceparent(trace); // "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
 * ```
 */
export interface TraceContext {
  /** 32 lower-case hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lower-case hex digits, not all zero: the current span. */
  readonly spanId: string;
  /** The trace flags; bit 0 (`1`) is "sampled". */
  readonly flags: number;
  /** The `tracestate` list, as it is to be sent on (already checked), if any. */
  readonly traceState?: string | undefined;
  /** The span this one continues (the caller's), when it came from a `traceparent`. */
  readonly parentSpanId?: string | undefined;
}

/**
 * A `traceparent` header, read: the caller's trace id, its span (our parent) and flags.
 *
 * @example
 * ```ts
 * import { parseTraceparent, type Traceparent } from "./trace_context.ts";
 * const parent: Traceparent | undefined = parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * parent?.parentId; // "00f067aa0ba902b7"
 * ```
 */
export interface Traceparent {
  /** The version (`0` for `00`). */
  readonly version: number;
  /** The trace id. */
  readonly traceId: string;
  /** The caller's span id. */
  readonly parentId: string;
  /** The trace flags. */
  readonly flags: number;
}

/** The flag that says the caller may have recorded its span (and wants ours recorded). */
export const SAMPLED_FLAG = 0x01;

const HEX = /^[0-9a-f]+$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/**
 * Reads a `traceparent` header by the W3C rules: lower-case hex, ids not all zero, version `ff`
 * refused, version `00` exactly 55 characters, later versions' extra `-` fields ignored.
 *
 * @param value The header's value, or `null` when absent.
 * @returns What it says, or `undefined` when it is absent or invalid.
 * @example
 * ```ts
 * import { parseTraceparent } from "./trace_context.ts";
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceId; // "4bf92f3577b34da6a3ce929d0e0e4736"
 * parseTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"); // undefined (upper case)
 * ```
 */
export function parseTraceparent(value: string | null | undefined): Traceparent | undefined {
  if (typeof value !== "string") return undefined;
  const header = value.trim();
  if (header.length < 55) return undefined;
  const version = header.slice(0, 2);
  if (!HEX.test(version) || version === "ff") return undefined;
  if (version === "00" ? header.length !== 55 : header.length > 55 && header[55] !== "-") return undefined;
  if (header[2] !== "-" || header[35] !== "-" || header[52] !== "-") return undefined;
  const traceId = header.slice(3, 35);
  const parentId = header.slice(36, 52);
  const flags = header.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { version: Number.parseInt(version, 16), traceId, parentId, flags: Number.parseInt(flags, 16) };
}

// A key: a simple key (lcalpha then up to 255 more), or tenant@system (1 + 240, "@", 1 + 13).
const SIMPLE_KEY = /^[a-z][a-z0-9_\-*/]{0,255}$/;
const TENANT_KEY = /^[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13}$/;
// A value: up to 256 printable ASCII characters except "," and "=", the last not a space.
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
/** The most list members a `tracestate` may carry. */
const MAX_MEMBERS = 32;

/**
 * Reads a `tracestate` header (several arrive comma-joined) by the W3C rules: valid `key=value`
 * members, no key twice, at most 32; empty members and surrounding spaces dropped.
 *
 * @param value The header's value, or `null` when absent.
 * @returns The list to send on, members joined by `,`; `undefined` when absent, empty or invalid
 *   (an invalid list is dropped whole).
 * @example
 * ```ts
 * import { parseTracestate } from "./trace_context.ts";
 * parseTracestate("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"); // "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
 * parseTracestate("Rojo=1"); // undefined (upper-case key)
 * ```
 */
export function parseTracestate(value: string | null | undefined): string | undefined {
  if (typeof value !== "string") return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const part of value.split(",")) {
    const member = part.trim();
    if (member === "") continue;
    const equals = member.indexOf("=");
    if (equals <= 0) return undefined;
    const key = member.slice(0, equals);
    const memberValue = member.slice(equals + 1);
    if (!(SIMPLE_KEY.test(key) || TENANT_KEY.test(key)) || !VALUE.test(memberValue) || keys.has(key)) return undefined;
    keys.add(key);
    members.push(member);
  }
  if (members.length === 0 || members.length > MAX_MEMBERS) return undefined;
  return members.join(",");
}

/**
 * Writes the `traceparent` (version `00`, so only the sampled flag) making the receiver a child of
 * `trace`'s span.
 *
 * @param trace The trace and the span to name as parent.
 * @returns Such as `"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"`.
 * @example
 * ```ts
 * import { formatTraceparent, newSpanId, newTraceId } from "./trace_context.ts";
 * formatTraceparent({ traceId: newTraceId(), spanId: newSpanId(), flags: 1 }).length; // 55
 * ```
 */
export function formatTraceparent(trace: Pick<TraceContext, "traceId" | "spanId" | "flags">): string {
  return `00-${trace.traceId}-${trace.spanId}-${(trace.flags & SAMPLED_FLAG) === 0 ? "00" : "01"}`;
}

/**
 * A new random trace id: 32 lower-case hex digits, never all zero.
 *
 * @returns The id.
 * @example
 * ```ts
 * import { newTraceId } from "./trace_context.ts";
 * newTraceId().length; // 32
 * ```
 */
export function newTraceId(): string {
  return randomHex(16);
}

/**
 * A new random span id: 16 lower-case hex digits, never all zero.
 *
 * @returns The id.
 * @example
 * ```ts
 * import { newSpanId } from "./trace_context.ts";
 * newSpanId().length; // 16
 * ```
 */
export function newSpanId(): string {
  return randomHex(8);
}

// A 4 KiB pool: one call into the random source per 256 span ids, not one per id.
const POOL = new Uint8Array(4096);
let poolOffset = POOL.length;
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > POOL.length) {
      crypto.getRandomValues(POOL);
      poolOffset = 0;
    }
    let text = "";
    let any = 0;
    for (let index = poolOffset; index < poolOffset + bytes; index++) {
      const byte = POOL[index] as number;
      any |= byte;
      text += HEX_BYTES[byte] as string;
    }
    poolOffset += bytes;
    if (any !== 0) return text;
  }
}

/**
 * The trace a request's headers carry (`tracestate` only with a valid `traceparent`).
 *
 * @param headers The request's headers.
 * @returns The caller's trace, or `undefined` when none (or an invalid one) came.
 * @example
 * ```ts
 * import { incomingTrace } from "./trace_context.ts";
 * const headers = new Headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "rojo=1" });
 * incomingTrace(headers); // { traceId: "4bf9…", spanId: "00f067aa0ba902b7", flags: 1, traceState: "rojo=1" }
 * ```
 */
export function incomingTrace(headers: { get(name: string): string | null }): TraceContext | undefined {
  const traceparent = headers.get("traceparent");
  if (traceparent === null) return undefined;
  const tracestate = headers.get("tracestate");
  // The entries of a batch share their request's headers: the last answer is kept.
  if (traceparent === last.traceparent && tracestate === last.tracestate) return last.trace;
  const parent = parseTraceparent(traceparent);
  const trace = parent === undefined
    ? undefined
    : { traceId: parent.traceId, spanId: parent.parentId, flags: parent.flags & SAMPLED_FLAG, traceState: parseTracestate(tracestate) };
  last = { traceparent, tracestate, trace };
  return trace;
}

let last: { traceparent: string | null; tracestate: string | null; trace: TraceContext | undefined } = { traceparent: null, tracestate: null, trace: undefined };

/**
 * A new span's context: a child of `parent` (same trace, flags and `tracestate`, `parentSpanId`
 * set), or the root of a new, sampled trace when there is no parent.
 *
 * @param parent The trace to continue, if any.
 * @returns The new span's context, with a fresh span id.
 * @example
 * ```ts
 * import { childTrace } from "./trace_context.ts";
 * const root = childTrace(undefined);
 * const child = childTrace(root);
 * child.traceId === root.traceId && child.parentSpanId === root.spanId; // true
 * ```
 */
export function childTrace(parent: TraceContext | undefined): TraceContext {
  if (parent === undefined) return { traceId: newTraceId(), spanId: newSpanId(), flags: SAMPLED_FLAG };
  return { traceId: parent.traceId, spanId: newSpanId(), flags: parent.flags, traceState: parent.traceState, parentSpanId: parent.spanId };
}

/**
 * Sets `traceparent` (and `tracestate`, when the trace has one) on outgoing headers, naming
 * `trace`'s span as the parent.
 *
 * @param headers The headers to send.
 * @param trace The trace to continue.
 * @example
 * ```ts
 * import { childTrace, setTraceHeaders } from "./trace_context.ts";
 * const headers = new Headers();
 * setTraceHeaders(headers, childTrace(undefined));
 * headers.has("traceparent"); // true
 * ```
 */
export function setTraceHeaders(headers: Headers, trace: TraceContext): void {
  headers.set("traceparent", formatTraceparent(trace));
  if (trace.traceState === undefined) headers.delete("tracestate");
  else headers.set("tracestate", trace.traceState);
}
