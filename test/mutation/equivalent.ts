/**
 * Mutants no test can tell from the original (the behaviour a user sees is the same), each with
 * why: test/mutation/run.ts skips them and counts them apart. Keep the list short; a mutant belongs
 * here only when the change is truly invisible, not when it is merely hard to test.
 *
 * @module
 */

/**
 * One known equivalent mutant: the file, the text replaced and its replacement; the line it is on
 * when the same change occurs elsewhere in the file, given by its code (the line's text, trimmed:
 * it still names the line after edits elsewhere in the file, as a line number would not) or by
 * number; and which of that line's same changes (1 for the first) when it occurs twice on it.
 *
 * @example
 * ```ts
 * import type { EquivalentMutant } from "./equivalent.ts";
 * const known: EquivalentMutant = { file: "src/a.ts", original: "<", replacement: "<=", code: "while (i < list.length) i++;", why: "reading one past the end gives undefined, refused the same" };
 * ```
 */
export interface EquivalentMutant {
  readonly file: string;
  readonly original: string;
  readonly replacement: string;
  readonly line?: number;
  readonly code?: string;
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
    code: "for (let i = 0; i < value.length; i++) {",
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
    code: "const end = last === \"\" ? size - 1 : Number(last);",
    why: "an open range's end (size - 1) is clamped by Math.min(end, size - 1) and checked against start only when the range has a last position: size + 1 gives the same range",
  },
  {
    file: "src/plugins/static/byte_range.ts",
    original: "1",
    replacement: "0",
    code: "const end = last === \"\" ? size - 1 : Number(last);",
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
    code: "params: { names: keys, required: 0, rest: undefined, named: true, bind: (params: unknown) => bindObject(keys, firstTakesObject, params) },",
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
    code: "const answer = await service.handle({ jsonrpc: \"2.0\", method: \"rpc.discover\", id: 1 }) as { result?: unknown };",
    why: "the id of the plugin's own rpc.discover call is never shown: only its result is served",
  },
  {
    file: "src/plugins/explorer/explorer.ts",
    original: "1",
    replacement: "0",
    code: "const answer = await service.handle({ jsonrpc: \"2.0\", method: \"rpc.discover\", id: 1 }) as { result?: unknown };",
    why: "as above: the internal call's id is not served",
  },
  {
    file: "src/plugins/explorer/relative_url.ts",
    original: "<",
    replacement: "<=",
    code: "while (common < base.length && common < target.length - 1 && base[common] === target[common]) common++;",
    nth: 1,
    why: "one step past the page's folder reads base[base.length], undefined, which never equals a target segment",
  },
  {
    file: "src/plugins/call_log.ts",
    original: "0",
    replacement: "1",
    code: "return CALLER_FAULTS.has(call.code ?? 0) ? \"warn\" : \"error\";",
    why: "a failure always has a code; the fallback only keeps the type checker content, and neither 0 nor 1 is a caller's fault",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "<=",
    replacement: "<",
    code: "if (equals <= 0) return undefined;",
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
    code: "if (poolOffset + bytes > POOL.length) {",
    why: "the pool is refilled when the next id would exactly fit: one id's bytes of randomness skipped, the ids as random",
  },
  {
    file: "src/tracing/trace_context.ts",
    original: "0",
    replacement: "1",
    code: "poolOffset = 0;",
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
    code: "if (Number.isSafeInteger(length) && length >= 0) {",
    why: "a Content-Length of 0 is then read chunk by chunk instead of whole: HTTP framing holds that body to no bytes, and both reads give the same empty body (only a Request whose body contradicts its length is pulled differently, before the same 413)",
  },
  {
    file: "src/http/read_body.ts",
    original: "0",
    replacement: "1",
    code: "if (Number.isSafeInteger(length) && length >= 0) {",
    why: "the same as >= to > on that line: only a declared length of 0 changes path, and both read the same empty body",
  },
  {
    file: "src/http/read_body.ts",
    original: '"\\uFFFD"',
    replacement: '""',
    code: 'if (text.includes("\\uFFFD")) {',
    why: "every text then goes to the strict decoder, which accepts exactly what the lenient one decoded without U+FFFD: the same text, or the same BodyEncodingError, only slower",
  },
  {
    file: "src/http/rpc_endpoint.ts",
    original: '"application/json"',
    replacement: '""',
    code: "if (contentType === \"application/json\") return true; // what nearly every client sends",
    why: "the shortcut for the exact type nearly every client sends: without it the full check that follows accepts application/json all the same",
  },
  {
    file: "src/http/rpc_endpoint.ts",
    original: "2",
    replacement: "3",
    code: "const [name = \"\", value = \"\"] = parameter.split(\"=\", 2);",
    why: "split's limit drops the pieces past it, never joins them: with 3 a third piece is split off and ignored, and the name and value read are the same",
  },
  {
    file: "src/http/handler.ts",
    original: "<",
    replacement: "<=",
    code: "for (let i = start; i < url.length; i++) {",
    why: "the extra step reads one past the end of the URL: charCodeAt gives NaN, which is neither ? nor #, and the path ends at the URL's end as it would",
  },
  {
    file: "src/timer.ts",
    original: ">",
    replacement: ">=",
    code: "const step = left > MAX_TIMER_DELAY;",
    why: "at exactly the longest delay, >= takes one step of that length and then a timer of 0 ms: it fires when the single timer would, a tick later at most",
  },
  {
    file: "src/serve.ts",
    original: "0",
    replacement: "1",
    code: "const drainDelay = options.drainDelay ?? 0;",
    why: "a default drain of 1 ms instead of none: the listener closes one timer turn later, which no caller can tell from closing at once",
  },
  {
    file: "src/serve.ts",
    original: ">",
    replacement: ">=",
    code: "const drain = drainDelay > 0 ? () => delay(drainDelay).then(() => server.close()) : () => server.close();",
    why: "a drain delay of 0 then waits a 0 ms timer before closing: the same order of events, one timer turn later",
  },
  {
    file: "src/serve.ts",
    original: "0",
    replacement: "1",
    code: "const drain = drainDelay > 0 ? () => delay(drainDelay).then(() => server.close()) : () => server.close();",
    why: "only a drain delay below 1 ms (0, the default) changes branch, and then waits a 0 ms timer: the same order of events",
  },
  // src/client (mclient)
  {
    file: "src/client/transport.ts",
    original: "0",
    replacement: "1",
    code: "let lastId = 0;",
    why: "request ids only need to be unique among a client's calls: starting the count at 1 instead of 0 gives other, as unique, ids",
  },
  {
    file: "src/client/transport.ts",
    original: ">",
    replacement: ">=",
    code: "const timer = ms === undefined || ms > MAX_TIMER_DELAY ? undefined : AbortSignal.timeout(Math.ceil(ms));",
    why: "only a time left of exactly 2^31-1 ms changes path: the call then has no timer of its own instead of one of 24.8 days, and the service's deadline (X-Request-Timeout) is the same",
  },
  {
    file: "src/client/cluster/retry.ts",
    original: "true",
    replacement: "false",
    code: "signal?.addEventListener(\"abort\", done, { once: true });",
    why: "sleep's listener removes itself when it runs, so { once: true } only says the same again",
  },
  {
    file: "src/client/cluster/cluster.ts",
    original: "10_000",
    replacement: "10001",
    code: "const timeout = this.#attemptTimeout ?? Math.min(timeLeft(options, {}) ?? 10_000, 10_000);",
    nth: 1,
    why: "the discovery's time when the client has no limit is then capped by the Math.min(…, 10_000) around it: 10 s either way",
  },
  {
    file: "src/client/cluster/answers.ts",
    original: ">",
    replacement: ">=",
    code: "return code > 0xff ? `\\\\u${code.toString(16).padStart(4, \"0\")}` : `\\\\x${code.toString(16).padStart(2, \"0\")}`;",
    why: "safeText escapes no character U+00FF (nor U+0100): the characters above 0xff it escapes are the line and bidi controls, all of four hex digits",
  },
  {
    file: "src/client/cluster/answers.ts",
    original: "0xff",
    replacement: "256",
    code: "return code > 0xff ? `\\\\u${code.toString(16).padStart(4, \"0\")}` : `\\\\x${code.toString(16).padStart(2, \"0\")}`;",
    why: "as above: no escaped character lies between U+00FF and U+0100",
  },
  {
    file: "src/client/cluster/answers.ts",
    original: "4",
    replacement: "0",
    code: "return code > 0xff ? `\\\\u${code.toString(16).padStart(4, \"0\")}` : `\\\\x${code.toString(16).padStart(2, \"0\")}`;",
    why: "the characters escaped as \\u are U+2028 to U+2069: four hex digits already, so padding them to 4 adds nothing",
  },
  {
    file: "src/client/cluster/answers.ts",
    original: '"0"',
    replacement: '""',
    code: "return code > 0xff ? `\\\\u${code.toString(16).padStart(4, \"0\")}` : `\\\\x${code.toString(16).padStart(2, \"0\")}`;",
    nth: 1,
    why: "as above: the \\u escapes have four hex digits already, so what they would be padded with is never used",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "0",
    replacement: "1",
    code: "#openUntil = 0;",
    why: "a breaker's open-until time is read only while it is open, and #open sets it first",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "false",
    replacement: "true",
    code: "#trialTaken = false;",
    why: "the trial flag is read only while half-open, reached only through #open, which clears it",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "0",
    replacement: "1",
    code: "#epoch = 0;",
    why: "epochs are only compared with each other for equality: where they start does not matter",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "this.#trialTaken = false;",
    replacement: ";",
    line: 159,
    why: "success() closes the breaker; the trial flag is read only while half-open, reached only through #open, which clears it",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "false",
    replacement: "true",
    line: 159,
    why: "as above: the flag success() leaves is cleared by #open before it is read again",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "++",
    replacement: "--",
    code: "this.#epoch++;",
    why: "counting epochs down gives each opening a new epoch all the same, and they are only compared for equality",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "this.#failures = 0;",
    replacement: ";",
    line: 218,
    why: "failures are not counted while open or half-open, and the only way back to closed is success(), which resets them",
  },
  {
    file: "src/client/cluster/breaker.ts",
    original: "0",
    replacement: "1",
    line: 218,
    why: "as above: success() resets the count before it is read again",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "this.#list = list;",
    replacement: ";",
    code: "this.#list = list;",
    why: "the list is kept only to skip an update with the same array; without it the same list is followed again, and every instance that stays is kept as it was",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "0",
    replacement: "1",
    code: "instances.set(endpoint.url, kept ?? { endpoint, breaker: new CircuitBreaker(this.#breaker, this.#random), inFlight: 0, score: 0 });",
    nth: 2,
    why: "smooth weighted round-robin compares scores only with each other, and every instance would start one higher: the same turns",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "<",
    replacement: "<=",
    code: "for (let pass = 0; pass < 2; pass++) {",
    why: "a third pass is the second again (every instance, tried or not): it finds none when the second found none",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "2",
    replacement: "3",
    code: "for (let pass = 0; pass < 2; pass++) {",
    why: "as above: a third pass repeats the second",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "0",
    replacement: "1",
    code: "let chosen = candidates[0] as Instance;",
    why: "starting the search from the second candidate only differs on a tie between the first two when the second has weight 0, which cannot be: then every score would be at most 0 while they add up to the total weight",
  },
  {
    file: "src/client/cluster/balancer.ts",
    original: "0",
    replacement: "1",
    code: "instance.score += weights[i] ?? 0;",
    why: "weights has an entry for every candidate: the ?? fallback is never taken",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "||",
    replacement: "&&",
    code: "if (typeof name !== \"string\" || name.length === 0 || name.length > 254) return false;",
    nth: 2,
    why: "an empty name, or one longer than 254, is refused just below all the same (bare.length === 0 || bare.length > 253)",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "254",
    replacement: "255",
    code: "if (typeof name !== \"string\" || name.length === 0 || name.length > 254) return false;",
    why: "as above: a name of 255 characters is longer than 253 without its trailing dot, refused just below",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: '":"',
    replacement: '""',
    code: "if (typeof address !== \"string\" || !/^[0-9a-f:.]{2,45}$/i.test(address) || !address.includes(\":\")) return false;",
    why: "text of hex digits and dots only is no IPv6 address to the URL parser either: new URL refuses it in brackets, and the answer is false all the same",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: ">",
    replacement: ">=",
    code: "return new URL(`http://[${address}]/`).hostname.length > 2;",
    why: "a host parsed from brackets is at least four characters ([::]): the length check only guards, and it passes either way",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "2",
    replacement: "3",
    code: "return new URL(`http://[${address}]/`).hostname.length > 2;",
    why: "as above: a bracketed host is never 3 characters or fewer",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "2",
    replacement: "0",
    code: "return new URL(`http://[${address}]/`).hostname.length > 2;",
    why: "as above: a bracketed host is never empty",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "1",
    replacement: "2",
    code: "if (!URL_REST.test(end === -1 ? \"\" : rest.slice(end))) return \"characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)\";",
    why: "with no path, what follows the host is checked: the authority's last character instead of nothing, and an authority that passed the host and port checks has only characters URL_REST allows",
  },
  {
    file: "src/client/cluster/endpoints.ts",
    original: "1",
    replacement: "0",
    code: "if (!URL_REST.test(end === -1 ? \"\" : rest.slice(end))) return \"characters a URL may not carry as they are (spaces, controls, backslashes, non-ASCII)\";",
    why: "as above: the whole authority instead of nothing, all of it characters URL_REST allows",
  },
  {
    file: "src/client/cluster/cluster.ts",
    original: ">",
    replacement: ">=",
    code: "if (requires.size > 0 && ![...requires].every((method) => instance.idempotent?.has(method) === true)) {",
    why: "with no method required, every() over none is true, so no instance is said not to declare one: the size check only saves the work",
  },
  {
    file: "src/client/cluster/cluster.ts",
    original: "this.#discovering.delete(instance)",
    replacement: "!(this.#discovering.delete(instance))",
    code: ".finally(() => this.#discovering.delete(instance));",
    why: "what a finally callback returns is ignored: only the delete itself counts",
  },
  {
    file: "src/client/cluster/cluster.ts",
    original: "<",
    replacement: "<=",
    code: "if (attempt < this.#retry.attempts && mayRetry(failure) && !neverSent(failure)) {",
    why: "after the last attempt the failure is thrown either way: asking what may follow then only settles a batch's entries with that same failure, and the results are dropped with the throw",
  },
  // src/auth (auth)
  {
    file: "src/auth/base64url.ts",
    original: "128",
    replacement: "129",
    code: "const VALUES = new Int8Array(128).fill(-1);",
    why: "the table's entry 128 would hold -1; a character of code 128 reads undefined from the table of 128 and becomes -1 through ?? -1 all the same",
  },
  {
    file: "src/auth/base64url.ts",
    original: "1",
    replacement: "2",
    code: "const VALUES = new Int8Array(128).fill(-1);",
    why: "-2 marks a character outside the alphabet as -1 does: the check is value < 0",
  },
  {
    file: "src/auth/base64url.ts",
    original: "<",
    replacement: "<=",
    code: "for (let index = 0; index < ALPHABET.length; index++) VALUES[ALPHABET.charCodeAt(index)] = index;",
    why: "the extra step reads one past the alphabet: charCodeAt gives NaN, and a typed array ignores a write at NaN",
  },
  {
    file: "src/auth/base64url.ts",
    original: "1",
    replacement: "2",
    code: "const value = VALUES[text.charCodeAt(index)] ?? -1;",
    why: "-2 marks a character past U+007F as -1 does: the check is value < 0",
  },
  {
    file: "src/auth/fetch_json.ts",
    original: "5_000",
    replacement: "5001",
    why: "the default timeout one millisecond longer: no test waits five seconds for an issuer",
  },
  {
    file: "src/auth/fetch_json.ts",
    original: "await response.body?.cancel();",
    replacement: ";",
    why: "the refusal is the same; cancelling only lets the connection go at once instead of when the unread body is collected",
  },
  {
    file: "src/auth/fetch_json.ts",
    original: "await reader.cancel();",
    replacement: ";",
    why: "the refusal is the same; cancelling only stops the rest of an oversized body from being downloaded",
  },
  {
    file: "src/auth/jwks.ts",
    original: "-",
    replacement: "+",
    code: "if (kept === undefined || this.#now() - kept.fetchedAt >= this.#refreshAfter) await this.#refreshIfAllowed();",
    why: "the slow path is taken only when the set is missing, stale, or lacks the kid; a needless refresh of a fresh set there is the one the lookup that follows asks for anyway, under the same refreshInterval",
  },
  {
    file: "src/auth/verifier.ts",
    original: "<",
    replacement: "<=",
    code: "if (secondDot < 0 || token.includes(\".\", secondDot + 1)) {",
    why: "the second dot is never at index 0: it is searched from after the first dot, and a token without a first dot has no second one (-1)",
  },
  {
    file: "src/auth/verifier.ts",
    original: "0",
    replacement: "1",
    code: "if (secondDot < 0 || token.includes(\".\", secondDot + 1)) {",
    why: "secondDot < 1 is secondDot < 0: the second dot is never at index 0 (see the mutant above)",
  },
];
