/**
 * The Standard Schema interface (version 1), declared by shape so no validator is a dependency:
 * zod, valibot, arktype and others can check a method's params and result, and with the Standard
 * JSON Schema extension (`~standard.jsonSchema`) describe themselves for `rpc.discover`.
 *
 * @module
 */

/**
 * A schema that follows the Standard Schema specification, version 1: anything with a
 * `~standard` property holding a `validate` function.
 *
 * @typeParam Input The type of the values the schema accepts.
 * @typeParam Output The type of the values it gives back (different from `Input` when it
 *   transforms them).
 * @example
 * ```ts
 * import { Service } from "./service.ts";
 * import type { StandardSchemaV1 } from "./standard_schema.ts";
 * // A schema written by hand; zod, valibot and arktype schemas are StandardSchemaV1 too.
 * const positive: StandardSchemaV1<number> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "example",
 *     validate: (value) => typeof value === "number" && value > 0 ? { value } : { issues: [{ message: "must be positive" }] },
 *   },
 * };
 * const service = new Service({ name: "s" }).publicMethod("half", (n: number) => n / 2, { output: positive });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The schema's Standard Schema properties. */
  readonly "~standard": StandardSchemaV1Props<Input, Output>;
}

/**
 * What a Standard Schema carries under its `~standard` key.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Props } from "./standard_schema.ts";
 * const props: StandardSchemaV1Props<string> = {
 *   version: 1,
 *   vendor: "example",
 *   validate: (value) => typeof value === "string" ? { value } : { issues: [{ message: "expected a string" }] },
 * };
 * ```
 */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version of the specification: always `1`. */
  readonly version: 1;
  /** The name of the library that made the schema, such as `"zod"`. */
  readonly vendor: string;
  /**
   * Checks a value: gives the (possibly transformed) value, or the issues found, maybe later.
   *
   * @param value The value to check.
   * @returns The value, or the issues; or a promise of either.
   * @example
   * ```ts
   * import type { StandardSchemaV1 } from "./standard_schema.ts";
   * declare const schema: StandardSchemaV1<number>;
   * const result = await schema["~standard"].validate("42");
   * if (result.issues !== undefined) console.log(result.issues.map((issue) => issue.message));
   * ```
   */
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  /** Type-only: the input and output types, for inference. Never read at run time. */
  readonly types?: StandardTypes<Input, Output> | undefined;
  /** Present when the schema also implements the Standard JSON Schema extension. */
  readonly jsonSchema?: StandardJsonSchemaConverter | undefined;
}

/**
 * The input and output types a schema declares (type-only).
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1, StandardTypes } from "./standard_schema.ts";
 * declare const toDate: StandardSchemaV1<string, Date>;
 * const types: StandardTypes<string, Date> | undefined = toDate["~standard"].types; // type-only: undefined at run time
 * ```
 */
export interface StandardTypes<Input = unknown, Output = Input> {
  /** What the schema accepts. */
  readonly input: Input;
  /** What the schema gives back. */
  readonly output: Output;
}

/**
 * What `validate` answers: the value when it passes, the issues when it does not.
 *
 * @typeParam Output The type of the value on success.
 * @example
 * ```ts
 * import type { StandardResult } from "./standard_schema.ts";
 * const checkAge = (value: unknown): StandardResult<number> =>
 *   typeof value === "number" && value >= 0 ? { value } : { issues: [{ message: "expected an age" }] };
 * ```
 */
export type StandardResult<Output> = StandardSuccess<Output> | StandardFailure;

/**
 * A value that passed.
 *
 * @example
 * ```ts
 * import type { StandardSuccess } from "./standard_schema.ts";
 * const passed: StandardSuccess<number> = { value: 42 };
 * ```
 */
export interface StandardSuccess<Output> {
  /** The value, possibly transformed by the schema. */
  readonly value: Output;
  /** Absent on success. */
  readonly issues?: undefined;
}

/**
 * A value that did not pass.
 *
 * @example
 * ```ts
 * import type { StandardFailure } from "./standard_schema.ts";
 * const failed: StandardFailure = { issues: [{ message: "Expected number", path: [0] }] };
 * ```
 */
export interface StandardFailure {
  /** Why it did not pass. */
  readonly issues: readonly StandardIssue[];
}

/**
 * One problem a schema found.
 *
 * @example
 * ```ts
 * import type { StandardIssue } from "./standard_schema.ts";
 * const issue: StandardIssue = { message: "Expected number", path: ["point", { key: "x" }] };
 * ```
 */
export interface StandardIssue {
  /** What is wrong, in the validator's words. */
  readonly message: string;
  /** Where: keys and indexes from the checked value down to the faulty part. */
  readonly path?: readonly (PropertyKey | StandardPathSegment)[] | undefined;
}

/**
 * A path step written as an object.
 *
 * @example
 * ```ts
 * import type { StandardPathSegment } from "./standard_schema.ts";
 * const segment: StandardPathSegment = { key: "x" };
 * ```
 */
export interface StandardPathSegment {
  /** The key or index of the step. */
  readonly key: PropertyKey;
}

/**
 * The JSON Schema dialects a converter may be asked for.
 *
 * @example
 * ```ts
 * import type { JsonSchemaTarget } from "./standard_schema.ts";
 * const target: JsonSchemaTarget = "draft-07"; // what rpc.discover asks for
 * ```
 */
export type JsonSchemaTarget = "draft-2020-12" | "draft-07" | "openapi-3.0" | (string & {});

/**
 * The Standard JSON Schema extension: turns a schema into a JSON Schema, either side of a transform.
 *
 * @example
 * ```ts
 * import type { StandardJsonSchemaConverter } from "./standard_schema.ts";
 * const numberSchema: StandardJsonSchemaConverter = {
 *   input: () => ({ type: "number" }),
 *   output: () => ({ type: "number" }),
 * };
 * numberSchema.input({ target: "draft-07" }); // { type: "number" }
 * ```
 */
export interface StandardJsonSchemaConverter {
  /**
   * The JSON Schema of the values the schema accepts.
   *
   * @param options The dialect wanted, and options for the library.
   * @returns The JSON Schema.
   * @throws When the schema cannot be written as JSON Schema, or not in that dialect.
   * @example
   * ```ts
   * import type { StandardSchemaV1 } from "./standard_schema.ts";
   * declare const schema: StandardSchemaV1<number>;
   * schema["~standard"].jsonSchema?.input({ target: "draft-07" }); // such as { type: "number" }
   * ```
   */
  readonly input: (options: JsonSchemaOptions) => Record<string, unknown>;
  /**
   * The JSON Schema of the values the schema gives back.
   *
   * @param options The dialect wanted, and options for the library.
   * @returns The JSON Schema.
   * @throws When the schema cannot be written as JSON Schema (a transform, say).
   * @example
   * ```ts
   * import type { StandardSchemaV1 } from "./standard_schema.ts";
   * declare const schema: StandardSchemaV1<string, number>;
   * schema["~standard"].jsonSchema?.output({ target: "draft-07" }); // such as { type: "number" }
   * ```
   */
  readonly output: (options: JsonSchemaOptions) => Record<string, unknown>;
}

/**
 * What a converter is asked for.
 *
 * @example
 * ```ts
 * import type { JsonSchemaOptions } from "./standard_schema.ts";
 * const options: JsonSchemaOptions = { target: "draft-07", libraryOptions: { unrepresentable: "any" } };
 * ```
 */
export interface JsonSchemaOptions {
  /** The JSON Schema dialect wanted. */
  readonly target: JsonSchemaTarget;
  /** Options for one library, passed through as they are. */
  readonly libraryOptions?: Record<string, unknown> | undefined;
}

/** @internal */
type TypesOf<S> = S extends { readonly "~standard": { readonly types?: infer T } } ? NonNullable<T> : never;

/**
 * The type a schema accepts (`unknown` when it does not declare its types).
 *
 * @typeParam S The schema.
 * @example
 * ```ts
 * import type { InferInput, StandardSchemaV1 } from "./standard_schema.ts";
 * declare const toNumber: StandardSchemaV1<string, number>;
 * const input: InferInput<typeof toNumber> = "42";
 * ```
 */
export type InferInput<S> = TypesOf<S> extends { readonly input: infer I } ? I : unknown;

/**
 * The type a schema gives back (`unknown` when it does not declare its types).
 *
 * @typeParam S The schema.
 * @example
 * ```ts
 * import type { InferOutput, StandardSchemaV1 } from "./standard_schema.ts";
 * declare const toNumber: StandardSchemaV1<string, number>;
 * const output: InferOutput<typeof toNumber> = 42;
 * ```
 */
export type InferOutput<S> = TypesOf<S> extends { readonly output: infer O } ? O : unknown;

/**
 * Tells whether a value is a Standard Schema (version 1).
 *
 * @param value Anything.
 * @returns `true` when it has a `~standard` object of version 1 with a `validate` function.
 * @example
 * ```ts
 * import { isStandardSchema } from "./standard_schema.ts";
 * isStandardSchema({ "~standard": { version: 1, vendor: "me", validate: (value: unknown) => ({ value }) } }); // true
 * isStandardSchema({}); // false
 * ```
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props: unknown = (value as { "~standard"?: unknown })["~standard"];
  if (typeof props !== "object" || props === null) return false;
  const { version, validate } = props as { version?: unknown; validate?: unknown };
  return version === 1 && typeof validate === "function";
}
