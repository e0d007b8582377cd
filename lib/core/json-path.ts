/**
 * JSONPaths derived from TypeScript types, so a path the state machine reads or writes is checked
 * by the compiler against the type of the state it points into: rename a field of `RunState` and
 * every path through it stops compiling. Plain strings at run time; the types do the work.
 *
 * ```ts
 * const run = statePath<RunState>();            // '$'
 * const names = at(run, 'plan.names.pretrained'); // '$.plan.names.pretrained', a JsonPath<HostingNames>
 * at(names, 'endpoint');                          // '$.plan.names.pretrained.endpoint', a JsonPath<string>
 * at(run, 'plan.nmes');                           // does not compile
 * ```
 */

declare const pointsTo: unique symbol;

/**
 * A JSONPath (`$`, `$.a.b`, `$[0].a`, `$$.Execution.Name`) to a value of type `V`. The brand exists
 * in the type only: a plain string is not a `JsonPath`, so every path comes from the helpers here.
 */
export type JsonPath<V> = string & { readonly [pointsTo]: V };

/** Counts down the depth of {@link FieldPath} (TypeScript needs a bound on recursive types). */
type Shallower = [never, 0, 1, 2, 3, 4, 5, 6];

/**
 * Every dotted field path into `T` (`'plan'`, `'plan.names'`, `'plan.names.pretrained'`, …), up to
 * six levels. Arrays and primitives are leaves (Step Functions paths here never index into arrays);
 * an index signature (`Record<string, string>`) allows any key.
 */
export type FieldPath<T, Depth extends number = 6> = [Depth] extends [never]
  ? never
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: K | `${K}.${FieldPath<NonNullable<T[K]>, Shallower[Depth]>}` }[keyof T & string]
      : never;

/** The type of the value at dotted path `P` in `T` (optional fields lose their `undefined` on the way down). */
export type FieldType<T, P extends string> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof T
    ? FieldType<NonNullable<T[K]>, Rest>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** The root of a state whose shape is `T`: `$`. */
export function statePath<T>(): JsonPath<T> {
  return '$' as JsonPath<T>;
}

/** The path of `field` (dotted) below `base`: `at('$.plan', 'names.pretrained')` is `$.plan.names.pretrained`. */
export function at<T, P extends FieldPath<T>>(base: JsonPath<T>, field: P): JsonPath<FieldType<T, P>> {
  return `${base}.${field}` as JsonPath<FieldType<T, P>>;
}

/** The output of branch `index` of a Parallel state whose branches end with states of shape `T`: `$[index]`. */
export function branchOutput<T>(index: number): JsonPath<T> {
  if (!Number.isInteger(index) || index < 0) throw new Error(`branch index must be a whole number ≥ 0, got ${index}`);
  return `$[${index}]` as JsonPath<T>;
}

/** Paths into the Step Functions context object (`$$`) that the run reads. */
export const CONTEXT_PATHS = {
  /** The execution input as the caller passed it (never trusted: validate-input checks it). */
  executionInput: '$$.Execution.Input' as JsonPath<unknown>,
  /** The execution name; the run id derives from it. */
  executionName: '$$.Execution.Name' as JsonPath<string>,
  /** When the current state was entered (ISO-8601 UTC). */
  stateEnteredTime: '$$.State.EnteredTime' as JsonPath<string>,
} as const;

/**
 * The keys of `T`, in the order written, from an object that must list each key of `T` exactly once
 * (`keysOf<EndpointDeployment>({ endpointName: true, … })`): a key added to or removed from `T`
 * stops the call from compiling.
 */
export function keysOf<T>(keys: { readonly [K in keyof T]-?: true }): (keyof T & string)[] {
  return Object.keys(keys) as (keyof T & string)[];
}
