/**
 * Validates a run's input (DESIGN.md "The run") against the deployment's defaults and turns it
 * into the {@link RunPlan} every later state reads. All problems are gathered into one
 * {@link InvalidRunInputError}. It checks shapes and locations only: whether the objects exist, and
 * whether hyperparameter names fit the model, is checked later (S3 reads, JumpStart resolution).
 */
import { VERSION_REQUEST, VERSION_REQUEST_EXPECTED } from '../jumpstart/manifest';
import { hyperparameterNameProblem, hyperparameterValue } from './hyperparameters';
import { RUN_ERROR_NAMES, type RawRunInput, type RunDefaults, type RunPlan, type ValidateInputEvent } from './run-lambda-contracts';
import { runIdFromExecutionName, runResourceNames } from './naming';
import { RUN_PATHS, RUNS_PREFIX } from './run-keys';

/** One bad field of the run input. */
export interface RunInputProblem {
  /** Dotted path, e.g. `evalData.dev3` or `hyperparameters.epochs`. */
  readonly field: string;
  readonly problem: string;
}

/** Thrown when the run input is invalid; the message lists every bad field. */
export class InvalidRunInputError extends Error {
  constructor(public readonly problems: readonly RunInputProblem[]) {
    super(`Invalid run input (${problems.length} problem${problems.length === 1 ? '' : 's'}): ` + problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
    this.name = RUN_ERROR_NAMES.invalidRunInput;
  }
}

/** Fields a run input may have. */
export const RUN_INPUT_FIELDS = [
  'runName',
  'modelVersion',
  'trainingData',
  'evalData',
  'skipTraining',
  'modelData',
  'keepEndpoints',
  'hyperparameters',
] as const satisfies readonly (keyof RawRunInput)[];

const RUN_NAME = /^[A-Za-z0-9 ._-]{1,80}$/;
const DATASET_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
/** S3 key segments made of S3's "safe" characters, so a URI never needs escaping downstream. */
const SAFE_SEGMENT = "[A-Za-z0-9!_.*'()-]+";

/**
 * Builds the run plan: each field of the input checked (all problems gathered), the deployment's
 * defaults where the input is silent, then the names and paths every later state uses.
 * @param now the validation time (`startedAt`); injected for tests.
 * @throws InvalidRunInputError listing every bad field.
 */
export function planRun(event: ValidateInputEvent, now: Date = new Date()): RunPlan {
  const { defaults } = event;
  const fields = new InputFields(event.input);
  const where = locations(defaults.bucketName);
  const runName = fields.string('runName', RUN_NAME, '1-80 letters, digits, spaces, dots, underscores or hyphens');
  const modelVersion = fields.string('modelVersion', VERSION_REQUEST, VERSION_REQUEST_EXPECTED);
  const trainingData = fields.string('trainingData', where.trainingPrefix, `a prefix ending with / under ${where.bucket}train_data/`);
  const modelData = fields.string(
    'modelData',
    where.modelData,
    `a .tar.gz or a prefix ending with / under ${where.bucket}${RUNS_PREFIX}<run id>/${RUN_PATHS.model}`,
  );
  const skipTraining = fields.boolean('skipTraining');
  const keepEndpoints = fields.boolean('keepEndpoints');
  const evalData = readEvalData(fields, defaults, where);
  checkModelDataGoesWithSkip(fields, skipTraining);
  const hyperparameters = readHyperparameters(fields, defaults);
  fields.throwIfBad();

  const runId = runIdFromExecutionName(event.executionName);
  const runRoot = `${where.bucket}${RUNS_PREFIX}${runId}/`;
  return {
    runId,
    runName: runName ?? event.executionName,
    modelVersion: modelVersion ?? defaults.modelVersion,
    trainingData: trainingData ?? defaults.trainingData,
    evalData,
    skipTraining: skipTraining ?? false,
    modelData: skipTraining === true ? (modelData ?? null) : null,
    keepEndpoints: keepEndpoints ?? false,
    hyperparameters,
    names: runResourceNames(defaults.resourcePrefix, runId),
    outputPath: `${runRoot}${RUN_PATHS.model}`,
    checkpointPath: `${runRoot}${RUN_PATHS.checkpoints}`,
    startedAt: now.toISOString(),
  };
}

/** The run input's fields, read one by one; each problem is kept until {@link throwIfBad}. */
class InputFields {
  private readonly input: Readonly<Record<string, unknown>>;
  private readonly problems: RunInputProblem[] = [];

  /** @throws InvalidRunInputError when the input is not a JSON object. Unknown fields are problems. */
  constructor(raw: unknown) {
    const input = raw ?? {};
    if (typeof input !== 'object' || Array.isArray(input)) throw new InvalidRunInputError([{ field: '(input)', problem: 'expected a JSON object' }]);
    this.input = input as Record<string, unknown>;
    for (const key of Object.keys(this.input)) {
      if (!(RUN_INPUT_FIELDS as readonly string[]).includes(key)) this.bad(key, `unknown field (allowed: ${RUN_INPUT_FIELDS.join(', ')})`);
    }
  }

  /** The raw value of `key`. */
  value(key: string): unknown {
    return this.input[key];
  }

  /** Records a problem; returns `undefined` so a reader can return it. */
  bad(field: string, problem: string): undefined {
    this.problems.push({ field, problem });
    return undefined;
  }

  /** A string matching `test` without `.` or `..` segments, or `undefined` when absent (or bad). */
  string(key: string, test: RegExp, expected: string): string | undefined {
    const v = this.input[key];
    if (v === undefined) return undefined;
    return typeof v === 'string' && test.test(v) && !hasDotSegment(v) ? v : this.bad(key, `${show(v)}: expected ${expected}`);
  }

  /** A boolean, or `undefined` when absent (or bad). */
  boolean(key: string): boolean | undefined {
    const v = this.input[key];
    if (v === undefined || typeof v === 'boolean') return v;
    return this.bad(key, `${show(v)}: expected true or false`);
  }

  /** The entries of an object field, or `undefined` when absent (or not an object). */
  entries(key: string, expected: string): [string, unknown][] | undefined {
    const v = this.input[key];
    if (v === undefined) return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.bad(key, `${show(v)}: expected ${expected}`);
    return Object.entries(v);
  }

  /** @throws InvalidRunInputError listing every problem recorded. */
  throwIfBad(): void {
    if (this.problems.length > 0) throw new InvalidRunInputError(this.problems);
  }
}

/**
 * Where a run's data may be, in S3's safe characters: the data bucket's `train_data/`, `eval_data/`,
 * and for given model data some run's `runs/<run id>/model/` folder, where the hosting role may read
 * (RUN_KEY_PATTERNS.model).
 */
function locations(bucketName: string): { bucket: string; trainingPrefix: RegExp; evalObject: RegExp; modelData: RegExp } {
  const bucket = `s3://${bucketName}/`;
  return {
    bucket,
    trainingPrefix: new RegExp(`^${escape(bucket)}train_data/(${SAFE_SEGMENT}/)*$`),
    evalObject: new RegExp(`^${escape(bucket)}eval_data/(${SAFE_SEGMENT}/)*${SAFE_SEGMENT}\\.jsonl$`),
    modelData: new RegExp(`^${escape(bucket)}${RUNS_PREFIX}${SAFE_SEGMENT}/${RUN_PATHS.model}(${SAFE_SEGMENT}/)*(${SAFE_SEGMENT}\\.tar\\.gz)?$`),
  };
}

/** The default dev1 and dev2, with the input's datasets merged over them. */
function readEvalData(fields: InputFields, defaults: RunDefaults, where: ReturnType<typeof locations>): Record<string, string> {
  const evalData: Record<string, string> = { dev1: defaults.evalData.dev1, dev2: defaults.evalData.dev2 };
  for (const [name, uri] of fields.entries('evalData', 'an object of dataset name → s3:// URI') ?? []) {
    if (!DATASET_NAME.test(name)) fields.bad(`evalData.${name}`, 'dataset names are 1-32 lower-case letters, digits, _ or -, starting with a letter or digit');
    else if (typeof uri !== 'string' || !where.evalObject.test(uri) || hasDotSegment(uri)) {
      fields.bad(`evalData.${name}`, `${show(uri)}: expected a .jsonl object under ${where.bucket}eval_data/`);
    } else evalData[name] = uri;
  }
  return evalData;
}

/** `modelData` is required with `skipTraining: true` and allowed only then. */
function checkModelDataGoesWithSkip(fields: InputFields, skipTraining: boolean | undefined): void {
  const given = fields.value('modelData') !== undefined;
  if (skipTraining === true && !given) fields.bad('modelData', 'required when skipTraining is true (the weights to host as the fine-tuned model)');
  if (skipTraining !== true && given) fields.bad('modelData', 'only allowed with skipTraining: true (a trained run hosts its own output)');
}

/** Config hyperparameters, then `epochs`, then the run's overrides (later wins), by the rules of lib/core/run/hyperparameters.ts. */
function readHyperparameters(fields: InputFields, defaults: RunDefaults): Record<string, string> {
  const hyperparameters: Record<string, string> = { ...defaults.hyperparameters, epochs: String(defaults.epochs) };
  for (const [name, value] of fields.entries('hyperparameters', 'an object of name → string, number or boolean') ?? []) {
    const field = `hyperparameters.${name}`;
    const nameProblem = hyperparameterNameProblem(name);
    const sent = hyperparameterValue(value);
    if (nameProblem !== undefined) fields.bad(field, nameProblem);
    else if ('problem' in sent) fields.bad(field, `${show(value)}: ${sent.problem}`);
    else hyperparameters[name] = sent.text;
  }
  return hyperparameters;
}

function hasDotSegment(uri: string): boolean {
  return uri
    .slice('s3://'.length)
    .split('/')
    .some((s) => s === '.' || s === '..');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
