/**
 * Typed `Parameters`, `ResultSelector` and Lambda payload objects for the run's JSONPath states.
 * A field is either a value or `ref(path)`, a reference typed as the value the path points at
 * (lib/core/json-path.ts), so `lambdaPayload<PreflightQuotasEvent>({...})` fails to compile when a
 * field is missing, unknown to the event type, or of the wrong type. CDK renders `key: ref(path)`
 * as `"key.$": "<path>"`, exactly as a hand-written `'key.$'` entry.
 */
import type { IResolvable } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { JsonPath } from '../core/json-path';

declare const refersTo: unique symbol;

/** A JSONPath reference that stands for a value of type `V` in a state input object. */
export type JsonPathRef<V> = IResolvable & { readonly [refersTo]: V };

/**
 * What a field of type `V` may be given as: the value, a reference to a value of that type, or,
 * for objects and arrays, the same shape built field by field (for a union of object types, the
 * shape of any one member).
 */
export type StateInput<V> = V | JsonPathRef<V> | StateFields<NonNullable<V>>;

/** An object or array of type `V` built field by field (distributes over the members of a union). */
export type StateFields<V> = V extends readonly (infer E)[]
  ? readonly StateInput<E>[]
  : V extends object
    ? { readonly [K in keyof V]: StateInput<V[K]> }
    : never;

/**
 * A reference to the value at `path`, for a field of a state input object. Typed as the value (a
 * type-level promise the compiler checks against the field); at synth time a JSONPath token.
 */
export function ref<V>(path: JsonPath<V>): JsonPathRef<V> {
  return sfn.JsonPath.objectAt(path) as unknown as JsonPathRef<V>;
}

/** The payload of a Lambda task whose handler takes an event of type `E`. */
export function lambdaPayload<E>(fields: StateInput<E> & object): sfn.TaskInput {
  return sfn.TaskInput.fromObject(fields as Record<string, unknown>);
}

/** A `Parameters` or `ResultSelector` object that produces a value of type `V`. */
export function stateFields<V>(fields: StateInput<V> & object): Record<string, unknown> {
  return fields as Record<string, unknown>;
}
