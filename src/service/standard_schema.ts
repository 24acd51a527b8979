/**
 * The Standard Schema interface (version 1), declared here by its shape so that this library
 * depends on no validator: any schema whose `~standard` property follows the specification
 * (zod, valibot, arktype and others) can check a method's params and result. The optional Standard
 * JSON Schema extension (`~standard.jsonSchema`) lets a schema also describe itself for
 * `rpc.discover`.
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
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The schema's Standard Schema properties. */
  readonly "~standard": StandardSchemaV1Props<Input, Output>;
}

/** What a Standard Schema carries under its `~standard` key. */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version of the specification: always `1`. */
  readonly version: 1;
  /** The name of the library that made the schema, such as `"zod"`. */
  readonly vendor: string;
  /** Checks a value: gives the (possibly transformed) value, or the issues found, maybe later. */
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  /** Type-only: the input and output types, for inference. Never read at run time. */
  readonly types?: StandardTypes<Input, Output> | undefined;
  /** Present when the schema also implements the Standard JSON Schema extension. */
  readonly jsonSchema?: StandardJsonSchemaConverter | undefined;
}

/** The input and output types a schema declares (type-only). */
export interface StandardTypes<Input = unknown, Output = Input> {
  /** What the schema accepts. */
  readonly input: Input;
  /** What the schema gives back. */
  readonly output: Output;
}

/** What `validate` answers: the value when it passes, the issues when it does not. */
export type StandardResult<Output> = StandardSuccess<Output> | StandardFailure;

/** A value that passed. */
export interface StandardSuccess<Output> {
  /** The value, possibly transformed by the schema. */
  readonly value: Output;
  /** Absent on success. */
  readonly issues?: undefined;
}

/** A value that did not pass. */
export interface StandardFailure {
  /** Why it did not pass. */
  readonly issues: readonly StandardIssue[];
}

/** One problem a schema found. */
export interface StandardIssue {
  /** What is wrong, in the validator's words. */
  readonly message: string;
  /** Where: keys and indexes from the checked value down to the faulty part. */
  readonly path?: readonly (PropertyKey | StandardPathSegment)[] | undefined;
}

/** A path step written as an object. */
export interface StandardPathSegment {
  /** The key or index of the step. */
  readonly key: PropertyKey;
}

/** The JSON Schema dialects a converter may be asked for. */
export type JsonSchemaTarget = "draft-2020-12" | "draft-07" | "openapi-3.0" | (string & {});

/** The Standard JSON Schema extension: turns a schema into a JSON Schema, either side of a transform. */
export interface StandardJsonSchemaConverter {
  /**
   * The JSON Schema of the values the schema accepts.
   *
   * @throws When the schema cannot be written as JSON Schema, or not in that dialect.
   */
  readonly input: (options: JsonSchemaOptions) => Record<string, unknown>;
  /**
   * The JSON Schema of the values the schema gives back.
   *
   * @throws When the schema cannot be written as JSON Schema (a transform, say).
   */
  readonly output: (options: JsonSchemaOptions) => Record<string, unknown>;
}

/** What a converter is asked for. */
export interface JsonSchemaOptions {
  /** The JSON Schema dialect wanted. */
  readonly target: JsonSchemaTarget;
  /** Options for one library, passed through as they are. */
  readonly libraryOptions?: Record<string, unknown> | undefined;
}

/** The declared types of a schema, or `never` when it declares none. */
type TypesOf<S> = S extends { readonly "~standard": { readonly types?: infer T } } ? NonNullable<T> : never;

/**
 * The type a schema accepts (`unknown` when it does not declare its types).
 *
 * @typeParam S The schema.
 */
export type InferInput<S> = TypesOf<S> extends { readonly input: infer I } ? I : unknown;

/**
 * The type a schema gives back (`unknown` when it does not declare its types).
 *
 * @typeParam S The schema.
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
