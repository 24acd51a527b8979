/**
 * Mutants no test can tell from the original (the behaviour a user sees is the same), each with
 * why: test/mutation/run.ts skips them and counts them apart. Keep the list short; a mutant belongs
 * here only when the change is truly invisible, not when it is merely hard to test.
 *
 * @module
 */

/**
 * One known equivalent mutant: the file, the text replaced and its replacement; the line when the
 * same change occurs elsewhere, and which of that line's same changes (1 for the first) when it
 * occurs twice on the line.
 *
 * @example
 * ```ts
 * import type { EquivalentMutant } from "./equivalent.ts";
 * const known: EquivalentMutant = { file: "src/a.ts", original: "<", replacement: "<=", line: 3, why: "reading one past the end gives undefined, refused the same" };
 * ```
 */
export interface EquivalentMutant {
  readonly file: string;
  readonly original: string;
  readonly replacement: string;
  readonly line?: number;
  readonly nth?: number;
  readonly why: string;
}

/**
 * The equivalent mutants of the folders checked so far.
 *
 * @example
 * ```ts
 * import { EQUIVALENT } from "./equivalent.ts";
 * EQUIVALENT.every((mutant) => mutant.why !== ""); // true
 * ```
 */
export const EQUIVALENT: readonly EquivalentMutant[] = [
  {
    file: "src/protocol/nesting_depth.ts",
    original: "<",
    replacement: "<=",
    line: 27,
    why: "reading one past the end of an array gives undefined, which is not an object: nestsDeeperThan answers false for it, as it would without the extra step",
  },
  {
    file: "src/plugins/cors.ts",
    original: '"X-Api-Token"',
    replacement: '""',
    why: "the policy cors() makes only checks the options at once; setup() replaces it with one for the service's own token header before any request",
  },
  {
    file: "src/plugins/routes/router.ts",
    original: '"%"',
    replacement: '""',
    why: "decodeSegment skips decodeURIComponent for a segment without %; without the shortcut it decodes it anyway, and a segment with no % decodes to itself",
  },
  {
    file: "src/plugins/static/byte_range.ts",
    original: '"whole"',
    replacement: '""',
    why: "WHOLE_FILE is a sentinel compared by identity only; any text other than UNSATISFIABLE's does the same",
  },
  {
    file: "src/plugins/static/byte_range.ts",
    original: '"unsatisfiable"',
    replacement: '""',
    why: "UNSATISFIABLE is a sentinel compared by identity only; any text other than WHOLE_FILE's does the same",
  },
  {
    file: "src/plugins/static/byte_range.ts",
    original: "-",
    replacement: "+",
    line: 51,
    why: "an open range's end (size - 1) is clamped by Math.min(end, size - 1) and checked against start only when the range has a last position: size + 1 gives the same range",
  },
  {
    file: "src/plugins/static/byte_range.ts",
    original: "1",
    replacement: "0",
    line: 51,
    why: "as above: an open range's end is clamped to size - 1 whatever it starts as",
  },
  {
    file: "src/plugins/static/static_files.ts",
    original: "16",
    replacement: "17",
    why: "the ETag is opaque: written in base 17, it still changes whenever the size or the modification time does, and matches itself",
  },
  {
    file: "src/plugins/schemas/schemas.ts",
    original: "0",
    replacement: "1",
    line: 77,
    why: "a method with a bind function never has its required count read by the core (bindParams calls bind first), and rpc.discover reads the schema's own required names",
  },
  {
    file: "src/plugins/explorer/explorer.ts",
    original: "void pageHashes();",
    replacement: ";",
    why: "it only starts hashing the page before the first request; the first request computes the same hashes itself",
  },
  {
    file: "src/plugins/explorer/explorer.ts",
    original: "1",
    replacement: "2",
    line: 160,
    why: "the id of the plugin's own rpc.discover call is never shown: only its result is served",
  },
  {
    file: "src/plugins/explorer/explorer.ts",
    original: "1",
    replacement: "0",
    line: 160,
    why: "as above: the internal call's id is not served",
  },
  {
    file: "src/plugins/explorer/relative_url.ts",
    original: "<",
    replacement: "<=",
    line: 31,
    nth: 1,
    why: "one step past the page's folder reads base[base.length], undefined, which never equals a target segment",
  },
  {
    file: "src/plugins/call_log.ts",
    original: "0",
    replacement: "1",
    line: 116,
    why: "a failure always has a code; the fallback only keeps the type checker content, and neither 0 nor 1 is a caller's fault",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "<=",
    replacement: "<",
    line: 126,
    why: "a tracestate member that starts with = has an empty key, which the key patterns refuse anyway",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "4096",
    replacement: "4097",
    why: "the size of the pool of random bytes only sets how often it is refilled",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "256",
    replacement: "257",
    why: "a byte is at most 255: the table's extra entry is never read",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: ">",
    replacement: ">=",
    line: 189,
    why: "the pool is refilled when the next id would exactly fit: one id's bytes of randomness skipped, the ids as random",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "0",
    replacement: "1",
    line: 191,
    why: "after a refill the first byte of the pool is skipped: the ids as random",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "last = { traceparent, tracestate, trace };",
    replacement: ";",
    why: "the last headers read are kept only so a batch's entries parse them once; without it each entry parses the same headers to the same trace",
  },
  {
    file: "src/http/read_body.ts",
    original: ">=",
    replacement: ">",
    line: 79,
    why: "a Content-Length of 0 is then read chunk by chunk instead of whole: HTTP framing holds that body to no bytes, and both reads give the same empty body (only a Request whose body contradicts its length is pulled differently, before the same 413)",
  },
  {
    file: "src/http/read_body.ts",
    original: "0",
    replacement: "1",
    line: 79,
    why: "the same as >= to > on that line: only a declared length of 0 changes path, and both read the same empty body",
  },
  {
    file: "src/http/read_body.ts",
    original: '"\\uFFFD"',
    replacement: '""',
    line: 194,
    why: "every text then goes to the strict decoder, which accepts exactly what the lenient one decoded without U+FFFD: the same text, or the same BodyEncodingError, only slower",
  },
  {
    file: "src/http/rpc_endpoint.ts",
    original: '"application/json"',
    replacement: '""',
    line: 258,
    why: "the shortcut for the exact type nearly every client sends: without it the full check that follows accepts application/json all the same",
  },
  {
    file: "src/http/rpc_endpoint.ts",
    original: "2",
    replacement: "3",
    line: 264,
    why: "split's limit drops the pieces past it, never joins them: with 3 a third piece is split off and ignored, and the name and value read are the same",
  },
  {
    file: "src/http/handler.ts",
    original: "<",
    replacement: "<=",
    line: 194,
    why: "the extra step reads one past the end of the URL: charCodeAt gives NaN, which is neither ? nor #, and the path ends at the URL's end as it would",
  },
  // src/core, plugins, tracing, adapters (mcore)
  {
    file: "src/core/dispatch.ts",
    original: '"tsmicroservice.dispatchTarget"',
    replacement: '""',
    why: "the key is read only through the DISPATCH_TARGET import: any registered symbol works the same within one copy of the library",
  },
  {
    file: "src/core/dispatch.ts",
    original: "===",
    replacement: "!==",
    line: 156,
    why: "a batch's calls then each get their own view of the same headers instead of one shared view: the same values, only read again",
  },
  {
    file: "src/core/dispatch.ts",
    original: "++",
    replacement: "--",
    line: 164,
    why: "the count only picks the shortcut for a batch without notifications; without it the filter gives the same answers (and none for notifications only, where the count stays 0)",
  },
  {
    file: "src/core/dispatch.ts",
    original: "&&",
    replacement: "||",
    line: 291,
    why: "only an object gets past validateRequest to code that can throw, and for an object both conditions hold",
  },
  {
    file: "src/core/dispatch.ts",
    original: "&&",
    replacement: "||",
    line: 335,
    nth: 1,
    why: "a primitive result has no toJSON (unless a prototype is patched): the extra check finds none and the answer is the same",
  },
  {
    file: "src/core/dispatch.ts",
    original: "running.catch(() => {});",
    replacement: ";",
    why: "Promise.race already handles the handler's promise: a rejection after the deadline is never unhandled",
  },
  {
    file: "src/plugins/trace_context.ts",
    original: '"traceContext.trace"',
    replacement: '""',
    why: "a symbol's description is never shown: the key is compared by identity only",
  },
  {
    file: "src/plugins/trace_context.ts",
    original: "lastHeaders = call.headers;",
    replacement: ";",
    why: "the last headers are kept only so a batch's calls read the caller's trace once; without it each call reads the same headers to the same parent",
  },
  {
    file: "src/plugins/opentelemetry/opentelemetry.ts",
    original: '"openTelemetry.trace"',
    replacement: '""',
    why: "a symbol's description is never shown: the key is compared by identity only",
  },
  {
    file: "src/plugins/opentelemetry/opentelemetry.ts",
    original: "lastHeaders = call.headers;",
    replacement: ";",
    why: "the last headers are kept only so a batch's calls read the caller's trace and Host once; without it each call reads the same headers to the same parent and address",
  },
  {
    file: "src/plugins/metrics/call_metrics.ts",
    original: "<",
    replacement: "<=",
    line: 73,
    why: "one step past the last bound compares with undefined, which is never less than a value: the index stops at the +Inf bucket all the same",
  },
  {
    file: "src/plugins/metrics/exposition.ts",
    original: '"openmetrics"',
    replacement: '""',
    line: 97,
    why: "the shortcut for an Accept that never names OpenMetrics: the full parse that follows finds no OpenMetrics range and answers the text format too",
  },
  {
    file: "src/plugins/metrics/exposition.ts",
    original: ">",
    replacement: ">=",
    line: 109,
    why: "a range with q=0 then counts with weight 0, and Math.max with 0 changes neither weight (both start at 0)",
  },
  {
    file: "src/plugins/metrics/metrics.ts",
    original: ">",
    replacement: ">=",
    line: 119,
    why: "the first bound is then compared with buckets[-1], undefined, and bound <= undefined is false: the same buckets pass",
  },
  {
    file: "src/plugins/metrics/call_metrics.ts",
    original: "1",
    replacement: "2",
    line: 67,
    why: "a histogram's extra count past +Inf is never written to nor read: the exposition stops at +Inf",
  },
  {
    file: "src/plugins/metrics/exposition.ts",
    original: "0",
    replacement: "1",
    line: 208,
    why: "a histogram series has a count for every bucket and +Inf (the MetricFamily contract): the fallback for a missing one is never used",
  },
  {
    file: "src/core/concurrency.ts",
    original: "results.length = items.length;",
    replacement: ";",
    why: "only sizes the array ahead: every index is assigned before the batch resolves, so the answers are the same",
  },
  {
    file: "src/core/timing_safe_equal.ts",
    original: "<",
    replacement: "<=",
    line: 28,
    why: "one step past the end compares NaN with NaN: NaN ^ NaN is 0, which adds no difference",
  },
];
