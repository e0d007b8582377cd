/**
 * Validates a run's input (DESIGN.md "The run") against the deployment's defaults and turns it
 * into the {@link RunPlan} every later state reads. All problems are gathered into one
 * {@link InvalidRunInputError}. It checks shapes and locations only: whether the objects exist, and
 * whether hyperparameter names fit the model, is checked later (S3 reads, JumpStart resolution).
 */
import { VERSION_REQUEST, VERSION_REQUEST_EXPECTED } from '../jumpstart/manifest';
import { hyperparameterNameProblem, hyperparameterValue } from './hyperparameters';
import { RUN_ERROR_NAMES, type RawRunInput, type RunPlan, type ValidateInputEvent } from './run-lambda-contracts';
import { runIdFromExecutionName, runResourceNames } from './naming';

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
 * Builds the run plan.
 * @param now the validation time (`startedAt`); injected for tests.
 * @throws InvalidRunInputError listing every bad field.
 */
export function planRun(event: ValidateInputEvent, now: Date = new Date()): RunPlan {
  const { defaults } = event;
  const problems: RunInputProblem[] = [];
  const bad = (field: string, problem: string): undefined => {
    problems.push({ field, problem });
    return undefined;
  };
  const raw = event.input ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidRunInputError([{ field: '(input)', problem: 'expected a JSON object' }]);
  }
  const input = raw as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(RUN_INPUT_FIELDS as readonly string[]).includes(key)) bad(key, `unknown field (allowed: ${RUN_INPUT_FIELDS.join(', ')})`);
  }
  const bucket = `s3://${defaults.bucketName}/`;
  const trainPrefix = new RegExp(`^${escape(bucket)}train_data/(${SAFE_SEGMENT}/)*$`);
  const evalObject = new RegExp(`^${escape(bucket)}eval_data/(${SAFE_SEGMENT}/)*${SAFE_SEGMENT}\\.jsonl$`);
  const modelObject = new RegExp(`^${escape(bucket)}runs/(${SAFE_SEGMENT}/)*(${SAFE_SEGMENT}\\.tar\\.gz|${SAFE_SEGMENT}/)$`);

  const str = (key: string, test: RegExp, expected: string): string | undefined => {
    const v = input[key];
    if (v === undefined) return undefined;
    return typeof v === 'string' && test.test(v) && !hasDotSegment(v) ? v : bad(key, `${show(v)}: expected ${expected}`);
  };
  const bool = (key: string): boolean | undefined => {
    const v = input[key];
    if (v === undefined || typeof v === 'boolean') return v;
    return bad(key, `${show(v)}: expected true or false`);
  };

  const runName = str('runName', RUN_NAME, '1-80 letters, digits, spaces, dots, underscores or hyphens');
  const modelVersion = str('modelVersion', VERSION_REQUEST, VERSION_REQUEST_EXPECTED);
  const trainingData = str('trainingData', trainPrefix, `a prefix ending with / under ${bucket}train_data/`);
  const modelData = str('modelData', modelObject, `a .tar.gz or a prefix ending with / under ${bucket}runs/`);
  const skipTraining = bool('skipTraining');
  const keepEndpoints = bool('keepEndpoints');

  const evalData: Record<string, string> = { dev1: defaults.evalData.dev1, dev2: defaults.evalData.dev2 };
  const rawEval = input.evalData;
  if (rawEval !== undefined) {
    if (rawEval === null || typeof rawEval !== 'object' || Array.isArray(rawEval)) {
      bad('evalData', `${show(rawEval)}: expected an object of dataset name → s3:// URI`);
    } else {
      for (const [name, uri] of Object.entries(rawEval)) {
        if (!DATASET_NAME.test(name)) bad(`evalData.${name}`, 'dataset names are 1-32 lower-case letters, digits, _ or -, starting with a letter or digit');
        else if (typeof uri !== 'string' || !evalObject.test(uri) || hasDotSegment(uri)) {
          bad(`evalData.${name}`, `${show(uri)}: expected a .jsonl object under ${bucket}eval_data/`);
        } else evalData[name] = uri;
      }
    }
  }

  if (skipTraining === true && input.modelData === undefined) {
    bad('modelData', 'required when skipTraining is true (the weights to host as the fine-tuned model)');
  }
  if (skipTraining !== true && input.modelData !== undefined) {
    bad('modelData', 'only allowed with skipTraining: true (a trained run hosts its own output)');
  }

  const hyperparameters: Record<string, string> = { ...defaults.hyperparameters, epochs: String(defaults.epochs) };
  const rawHp = input.hyperparameters;
  if (rawHp !== undefined) {
    if (rawHp === null || typeof rawHp !== 'object' || Array.isArray(rawHp)) {
      bad('hyperparameters', `${show(rawHp)}: expected an object of name → string, number or boolean`);
    } else {
      for (const [name, value] of Object.entries(rawHp)) {
        const field = `hyperparameters.${name}`;
        const nameProblem = hyperparameterNameProblem(name);
        const sent = hyperparameterValue(value);
        if (nameProblem !== undefined) bad(field, nameProblem);
        else if ('problem' in sent) bad(field, `${show(value)}: ${sent.problem}`);
        else hyperparameters[name] = sent.text;
      }
    }
  }

  if (problems.length > 0) throw new InvalidRunInputError(problems);

  const runId = runIdFromExecutionName(event.executionName);
  const runRoot = `${bucket}runs/${runId}/`;
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
    outputPath: `${runRoot}model/`,
    checkpointPath: `${runRoot}checkpoints/`,
    startedAt: now.toISOString(),
  };
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
