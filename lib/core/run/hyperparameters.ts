/**
 * The rules for a hyperparameter given by a person (config `hyperparameters` or the run input's
 * `hyperparameters`): which names are allowed and how a value is sent. Both places apply these, so a
 * name or a value the config accepts is accepted, and sent the same way, from a run input. Whether
 * the model declares the name, and whether the value fits its type, range or options, is checked by
 * resolution against the JumpStart spec (lib/core/jumpstart/resolve.ts).
 */

/** JumpStart's hyperparameter names: lower-case letters, digits and underscores (SageMaker allows up to 256 characters). */
const NAME = /^[a-z_][a-z0-9_]{0,255}$/;

/** SageMaker's limit on a hyperparameter value. */
export const MAX_HYPERPARAMETER_VALUE_LENGTH = 2500;

/** Why `name` cannot be set, or `undefined` when it can. */
export function hyperparameterNameProblem(name: string): string | undefined {
  if (!NAME.test(name)) return 'names are lower-case letters, digits and underscores (1-256, not starting with a digit)';
  if (name.startsWith('sagemaker_')) return 'sagemaker_* entries are set by the pipeline (script mode)';
  return undefined;
}

/**
 * The string sent for a hyperparameter value: strings as given, numbers as JavaScript prints them,
 * booleans as `True`/`False` (the spelling JumpStart's scripts expect, as in the spec defaults);
 * `undefined` for anything else (objects, arrays, null, non-finite numbers).
 */
export function hyperparameterText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return undefined;
}

/** The text of a value, or why it cannot be sent. */
export function hyperparameterValue(value: unknown): { readonly text: string } | { readonly problem: string } {
  const text = hyperparameterText(value);
  if (text === undefined) return { problem: 'expected a string, a finite number or a boolean' };
  if (text.length > MAX_HYPERPARAMETER_VALUE_LENGTH) return { problem: `longer than ${MAX_HYPERPARAMETER_VALUE_LENGTH} characters` };
  return { text };
}
