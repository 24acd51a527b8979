/**
 * Reading a function's parameters from its source, so `(name) => …` takes `{"name": …}` with
 * nothing declared.
 *
 * @module
 */

/** One parameter as it is written in a function's source. */
export interface WrittenParam {
  /** Its name; `undefined` when it is destructured (`{ a, b }`, `[a, b]`). */
  name: string | undefined;
  /** Whether it is a rest parameter (`...more`). */
  rest: boolean;
  /** Whether it has a default value (`b = 2`). */
  defaulted: boolean;
}

/**
 * The parameters of any function form (arrows, functions, methods, async, generators), read from
 * its source, skipping strings and comments. Only ASCII names count: `café` (printed `caf\u00E9`
 * by some compilers) has no name on any runtime, so it takes positional params unless `params`
 * names it.
 *
 * @param source The function's source text, as `Function.prototype.toString` gives it.
 * @returns Its parameters, in order.
 * @example
 * ```ts
 * import { writtenParams } from "./param_source.ts";
 * writtenParams("(a, b = f(1, 2), ...more) => a");
 * // [{ name: "a", … }, { name: "b", defaulted: true, … }, { name: "more", rest: true, … }]
 * ```
 */
export function writtenParams(source: string): WrittenParam[] {
  const params: WrittenParam[] = [];
  let depth = 0;
  let inList = false;
  let piece = "";
  let defaulted = false;
  const end = (): void => {
    const text = piece.trim();
    const rest = text.startsWith("...");
    // A plain name is alone or followed by its default; anything else is a pattern.
    if (text !== "") params.push({ name: /^([A-Za-z_$][\w$]*)\s*(?:=|$)/.exec(rest ? text.slice(3).trim() : text)?.[1], rest, defaulted });
    piece = "";
    defaulted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    let text = char;
    if (char === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
      const close = source[i + 1] === "/" ? source.indexOf("\n", i) : source.indexOf("*/", i + 2) + 1;
      i = close <= 0 ? source.length : close;
      text = " ";
    } else if (char === '"' || char === "'" || char === "`") {
      const start = i;
      for (i++; i < source.length && source[i] !== char; i++) if (source[i] === "\\") i++;
      text = source.slice(start, i + 1);
    } else if (char === "(" || char === "[" || char === "{") {
      depth++;
      if (!inList && depth === 1 && char === "(") {
        inList = true;
        continue;
      }
    } else if (char === ")" || char === "]" || char === "}") {
      depth--;
      if (inList && depth === 0) {
        end();
        return params;
      }
    } else if (!inList && depth === 0 && char === "=" && source[i + 1] === ">") {
      // `name => …`; a name that is part of a longer one (`caf\u00E9`, as tsx prints `café`) is none.
      params.push({ name: /(?<![\w$\\\u0080-\uffff])[A-Za-z_$][\w$]*(?=\s*$)/.exec(source.slice(0, i))?.[0], rest: false, defaulted: false });
      return params;
    } else if (inList && depth === 1 && char === ",") {
      end();
      continue;
    } else if (inList && depth === 1 && char === "=") {
      defaulted = true;
    }
    if (inList) piece += text;
  }
  return params;
}
