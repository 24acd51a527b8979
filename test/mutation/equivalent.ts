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
    line: 109,
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
  // events, nats, etcd, dns, tasks, cli (mrest)
  {
    file: "src/events/in_process.ts",
    original: "member.running.delete(running)",
    replacement: "!(member.running.delete(running))",
    why: "the value a finally callback returns is ignored: the running handler is forgotten all the same",
  },
  {
    file: "src/events/in_process.ts",
    original: "members.delete(member)",
    replacement: "!(members.delete(member))",
    why: "what leave() returns is never read: the member leaves all the same",
  },
  {
    file: "src/events/in_process.ts",
    original: "0",
    replacement: "1",
    line: 220,
    why: "the group's round robin begins at its second member instead of its first: each event still goes to exactly one member, in turn",
  },
  {
    file: "src/events/types.ts",
    original: '"tsmicroservice.eventTypes"',
    replacement: '""',
    why: "EVENT_TYPES is a key of types only: no value is ever stored or read under it at run time",
  },
  {
    file: "src/nats/rpc_fetch.ts",
    original: "true",
    replacement: "false",
    line: 158,
    why: "a signal's abort event fires once at most: { once: false } changes nothing",
  },
  {
    file: "src/nats/rpc_fetch.ts",
    original: 'signal.removeEventListener("abort", onAbort);',
    replacement: ";",
    why: "a listener left on the signal can only reject the promise after it settled, which does nothing",
  },
  {
    file: "src/nats/rpc_fetch.ts",
    original: '"abort"',
    replacement: '""',
    line: 160,
    why: "as above: the listener is then not removed, and a late abort rejects a settled promise",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: "running.delete(done)",
    replacement: "!(running.delete(done))",
    why: "the value a finally callback returns is ignored: the answered request is forgotten all the same",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: "host = service;",
    replacement: ";",
    why: "a Service hands setup() and start() itself: start() then takes context.service, the same object",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: "subscription = undefined;",
    replacement: ";",
    why: "only a second stop sees it, and draining a drained subscription does nothing (or fails, which stop ignores)",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: ">",
    replacement: ">=",
    line: 192,
    why: "a subject that is the prefix and its dot ends with an empty token, which PLAIN_SUBJECT refuses before the length is compared",
  },
  {
    file: "src/nats/events_transport.ts",
    original: "0",
    replacement: "1",
    line: 355,
    why: "the fallback only fills the check of redeliveryDelay: a missing delay passes it as 0 or as 1",
  },
  {
    file: "src/nats/events_transport.ts",
    original: "made.delete(name)",
    replacement: "!(made.delete(name))",
    why: "the value of that catch callback is never read: the failed stream is forgotten all the same",
  },
  {
    file: "src/nats/events_transport.ts",
    original: "needJetStream();",
    replacement: ";",
    line: 405,
    why: "ensureStream(), called next, begins with needJetStream(): the same TypeError rejects the same subscribe",
  },
  {
    file: "src/nats/events_transport.ts",
    original: "1_000",
    replacement: "0",
    line: 430,
    why: "Math.max(…, 1_000) raises a missing wait of 0 to 1000 all the same",
  },
  {
    file: "src/nats/events_transport.ts",
    original: "running.delete(done)",
    replacement: "!(running.delete(done))",
    why: "the value a finally callback returns is ignored: the settled handler is forgotten all the same",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: ">",
    replacement: ">=",
    line: 200,
    why: "a text of exactly 64 characters sliced to 64 is the same text (the ellipsis, on the next line, keeps its own >)",
  },
  {
    file: "src/nats/rpc_server.ts",
    original: "64",
    replacement: "0",
    line: 200,
    why: "slicing a text of at most 64 characters to 64 gives the same text: only the choice to slice changes",
  },
  {
    file: "src/dns/mod.ts",
    original: "0",
    replacement: "1",
    line: 120,
    why: "freshUntil is read only once a list is known, and the look-up that makes the list sets it first",
  },
  {
    file: "src/dns/mod.ts",
    original: "0",
    replacement: "1",
    line: 162,
    why: "a plain name is refused without a port at once: options.port is always set here",
  },
  {
    file: "src/dns/mod.ts",
    original: "<",
    replacement: "<=",
    line: 173,
    why: "only identical URLs compare equal, and which of two identical URLs comes first cannot be seen",
  },
  {
    file: "src/dns/mod.ts",
    original: "1",
    replacement: "2",
    line: 173,
    why: "the sort reads only the sign of the comparator's answer: -2 for -1, or 2 for 1, sorts the same",
  },
  {
    file: "src/dns/mod.ts",
    original: ">",
    replacement: ">=",
    line: 173,
    why: "V8's sort (Node.js, Deno) only asks whether the comparator's answer is below 0: the answers 1 and 0 are not told apart",
  },
  {
    file: "src/dns/mod.ts",
    original: ">",
    replacement: "<=",
    line: 173,
    why: "as above: after a.url < b.url, whatever the second test answers (1 or 0) is not below 0",
  },
  {
    file: "src/dns/mod.ts",
    original: "1",
    replacement: "0",
    line: 173,
    nth: 2,
    why: "as above: 0 or 1 for a.url > b.url, neither below 0",
  },
  {
    file: "src/dns/mod.ts",
    original: "0",
    replacement: "1",
    line: 173,
    why: "as above: 1 or 0 for equal URLs, neither below 0",
  },
  {
    file: "src/plugins/tasks/periodic_task.ts",
    original: "this.#timer = undefined;",
    replacement: ";",
    why: "the timer kept is one that fired or was cleared: clearing it again at the stop does nothing",
  },
  {
    file: "src/plugins/tasks/periodic_task.ts",
    original: "this.#running = undefined;",
    replacement: ";",
    why: "the run kept is one that settled: the stop awaits a settled promise, which waits for nothing",
  },
  {
    file: "src/etcd/gateway.ts",
    original: "0",
    replacement: "1",
    line: 141,
    why: "the fallback of bytes.at(-1) is never used: the prefix has a last byte there",
  },
  {
    file: "src/etcd/gateway.ts",
    original: "clearTimeout(timeout);",
    replacement: ";",
    why: "the timer left running aborts a request already answered, which changes nothing (it only fires later)",
  },
  {
    file: "src/etcd/mod.ts",
    original: "resolve();",
    replacement: ";",
    line: 245,
    why: "pause() is never called with an aborted signal: each caller checks the signal just before",
  },
  {
    file: "src/etcd/mod.ts",
    original: "clearTimeout(timer);",
    replacement: ";",
    why: "after an abort the timer still fires, and calls done() again, which resolves an already resolved promise",
  },
  {
    file: "src/etcd/mod.ts",
    original: "true",
    replacement: "false",
    line: 254,
    why: "done() removes its listener itself: { once: false } leaves nothing more behind",
  },
  {
    file: "src/etcd/mod.ts",
    original: "listeners.delete(listener)",
    replacement: "!(listeners.delete(listener))",
    why: "what the unsubscribe function returns is never read (it is typed to return nothing): the listener leaves all the same",
  },
  {
    file: "src/cli/closest_names.ts",
    original: "1",
    replacement: "2",
    line: 22,
    why: "the first row one entry longer: the entry past b.length is never read",
  },
  {
    file: "src/cli/closest_names.ts",
    original: "1",
    replacement: "0",
    line: 23,
    why: "an extra row 0 computed from row 0 gives row 0 again (0, 1, 2, …): the distances are the same",
  },
  {
    file: "src/cli/closest_names.ts",
    original: "<",
    replacement: "<=",
    line: 60,
    why: "the names are made unique first (new Set): no two compare equal",
  },
  {
    file: "src/cli/closest_names.ts",
    original: "1",
    replacement: "2",
    line: 60,
    why: "the sort reads only the sign of the comparator's answer: -2 for -1, or 2 for 1, sorts the same",
  },
  {
    file: "src/cli/closest_names.ts",
    original: "1",
    replacement: "0",
    line: 60,
    nth: 2,
    why: "V8's sort (Node.js, Deno) only asks whether the comparator's answer is below 0: 0 and 1 are not told apart",
  },
];
