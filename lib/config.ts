/**
 * Typed, validated settings of the app, read once from the `impressions:<key>` entries of the CDK
 * context (cdk.json, `-c impressions:<key>=<value>`).
 *
 * This module has no aws-cdk-lib import so the operator CLI reads the very same settings (from
 * cdk.json) without loading the CDK. Every problem is gathered into one {@link ConfigError} that
 * names each bad key, shows the value received and says what is allowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VERSION_REQUEST, VERSION_REQUEST_EXPECTED } from './core/jumpstart/manifest';
import { hyperparameterNameProblem, hyperparameterValue } from './core/run/hyperparameters';

/** Prefix of every context key this app reads. */
export const CONTEXT_PREFIX = 'impressions:';

/** The app's settings. Units are in the names; constructs turn them into `Duration` and `Size`. */
export interface ImpressionsConfig {
  /** Data bucket name; `undefined` means `llm-radiology-bucket-<account>-<region>`. */
  readonly bucketName?: string;
  /** Empty and delete the data and log buckets and the key on `cdk destroy` (default false: retain). */
  readonly removeDataOnDestroy: boolean;
  /** Lower-case prefix of every physical name this app derives (SageMaker resources, runs). */
  readonly resourcePrefix: string;
  /** JumpStart model id. */
  readonly modelId: string;
  /** JumpStart model version: exact (`2.2.3`) or a major wildcard (`2.*`). */
  readonly modelVersion: string;
  /** SageMaker training instance type (`ml.<family>.<size>`). */
  readonly trainingInstanceType: string;
  /** Training epochs (the JumpStart `epochs` hyperparameter). */
  readonly epochs: number;
  /** Hyperparameter overrides merged over the JumpStart defaults, all as strings. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** Training volume size in GiB (ignored by instance types with NVMe instance storage). */
  readonly trainingVolumeGb: number;
  /** Upper bound of a training job's run time, in hours. */
  readonly maxTrainingHours: number;
  /** Use managed spot training (with checkpoints under the run's prefix). */
  readonly spotTraining: boolean;
  /** SageMaker hosting instance type for both endpoints. */
  readonly inferenceInstanceType: string;
  /** Prompt for training and inference; `{context}` stands for the findings. */
  readonly promptTemplate: string;
  /** Longest generated impression, in tokens (`max_length` / `max_new_tokens`). */
  readonly maxNewTokens: number;
  /** Beam width where the container supports beam search. */
  readonly numBeams: number;
  /** Requests in flight per endpoint during evaluation. */
  readonly evalConcurrencyPerEndpoint: number;
  /** Records per evaluation shard (one Lambda invocation). */
  readonly evalShardSize: number;
  /** QuickSight users or groups given the dashboard; empty means no QuickSight resources. */
  readonly quicksightPrincipalArns: readonly string[];
  /** E-mail address subscribed to run notifications, if any. */
  readonly notificationEmail?: string;
  /** USD per hour by SageMaker instance type, for the run's cost estimate. */
  readonly hourlyPrices: Readonly<Record<string, number>>;
}

/** Default of every key (bucketName and notificationEmail default to "none"). */
export const CONFIG_DEFAULTS: Omit<ImpressionsConfig, 'bucketName' | 'notificationEmail'> = {
  removeDataOnDestroy: false,
  resourcePrefix: 'impressions',
  modelId: 'huggingface-text2text-flan-t5-xl',
  modelVersion: '2.*',
  trainingInstanceType: 'ml.p3.16xlarge',
  epochs: 3,
  hyperparameters: {},
  trainingVolumeGb: 300,
  maxTrainingHours: 100,
  spotTraining: false,
  inferenceInstanceType: 'ml.g5.2xlarge',
  promptTemplate: 'Generate radiology report impressions based on the following findings. Findings: {context}',
  maxNewTokens: 80,
  numBeams: 10,
  evalConcurrencyPerEndpoint: 4,
  evalShardSize: 100,
  quicksightPrincipalArns: [],
  hourlyPrices: { 'ml.p3.16xlarge': 28.152, 'ml.g5.2xlarge': 1.515 },
};

/** Every key this app reads, in documentation order. */
export const CONFIG_KEYS = [
  'bucketName',
  'removeDataOnDestroy',
  'resourcePrefix',
  'modelId',
  'modelVersion',
  'trainingInstanceType',
  'epochs',
  'hyperparameters',
  'trainingVolumeGb',
  'maxTrainingHours',
  'spotTraining',
  'inferenceInstanceType',
  'promptTemplate',
  'maxNewTokens',
  'numBeams',
  'evalConcurrencyPerEndpoint',
  'evalShardSize',
  'quicksightPrincipalArns',
  'notificationEmail',
  'hourlyPrices',
] as const satisfies readonly (keyof ImpressionsConfig)[];

/** One invalid setting. */
export interface ConfigProblem {
  readonly key: string;
  readonly received: unknown;
  readonly allowed: string;
}

/** Thrown when one or more settings are invalid; the message lists every problem. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${CONTEXT_PREFIX}${p.key}: received ${showValue(p.received)}; allowed: ${p.allowed}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function showValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Reads one context value; returns `undefined` when the key is not set. */
export type ContextLookup = (key: string) => unknown;

/** Longest spot training run: 28 days (SageMaker's MaxWaitTimeInSeconds limit) less the 12 h wait allowance. */
const MAX_SPOT_TRAINING_HOURS = 672 - 12;

const INSTANCE_TYPE = /^ml\.[a-z0-9]+(-[a-z0-9]+)?\.[a-z0-9]+$/;
const MODEL_ID = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const RESOURCE_PREFIX = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const QUICKSIGHT_PRINCIPAL = /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[^\s]+$/;

/**
 * Reads and validates the whole configuration.
 * @throws ConfigError listing every invalid key.
 */
export function loadConfig(lookup: ContextLookup): ImpressionsConfig {
  const problems: ConfigProblem[] = [];
  const reader = new KeyReader(lookup, problems);

  const config: ImpressionsConfig = {
    bucketName: reader.optionalString(
      'bucketName',
      (v) => BUCKET_NAME.test(v),
      '3-63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
    ),
    removeDataOnDestroy: reader.boolean('removeDataOnDestroy'),
    resourcePrefix: reader.string(
      'resourcePrefix',
      (v) => RESOURCE_PREFIX.test(v),
      '2-20 characters: lower-case letters, digits and hyphens, starting with a letter',
    ),
    modelId: reader.string('modelId', (v) => MODEL_ID.test(v), 'a JumpStart model id such as huggingface-text2text-flan-t5-xl'),
    modelVersion: reader.string('modelVersion', (v) => VERSION_REQUEST.test(v), VERSION_REQUEST_EXPECTED),
    trainingInstanceType: reader.string('trainingInstanceType', (v) => INSTANCE_TYPE.test(v), 'a SageMaker instance type such as ml.p3.16xlarge'),
    epochs: reader.integer('epochs', 1, 100),
    hyperparameters: reader.stringMap('hyperparameters'),
    trainingVolumeGb: reader.integer('trainingVolumeGb', 1, 16384),
    maxTrainingHours: reader.number('maxTrainingHours', 0.25, 672),
    spotTraining: reader.boolean('spotTraining'),
    inferenceInstanceType: reader.string('inferenceInstanceType', (v) => INSTANCE_TYPE.test(v), 'a SageMaker instance type such as ml.g5.2xlarge'),
    promptTemplate: reader.string('promptTemplate', (v) => v.split('{context}').length === 2, 'text containing the placeholder {context} exactly once'),
    maxNewTokens: reader.integer('maxNewTokens', 1, 2048),
    numBeams: reader.integer('numBeams', 1, 64),
    evalConcurrencyPerEndpoint: reader.integer('evalConcurrencyPerEndpoint', 1, 64),
    evalShardSize: reader.integer('evalShardSize', 1, 10000),
    quicksightPrincipalArns: reader.stringList(
      'quicksightPrincipalArns',
      (v) => QUICKSIGHT_PRINCIPAL.test(v),
      'QuickSight user or group ARNs (arn:aws:quicksight:<region>:<account>:user/<namespace>/<name>), as a JSON list or comma-separated',
    ),
    notificationEmail: reader.optionalString('notificationEmail', (v) => EMAIL.test(v), 'an e-mail address'),
    hourlyPrices: reader.priceMap('hourlyPrices'),
  };

  if (problems.length === 0 && config.spotTraining && config.maxTrainingHours > MAX_SPOT_TRAINING_HOURS) {
    // Spot jobs wait up to 12 h longer than they run; SageMaker caps MaxWaitTimeInSeconds at 28 days.
    problems.push({
      key: 'maxTrainingHours',
      received: config.maxTrainingHours,
      allowed: `at most ${MAX_SPOT_TRAINING_HOURS} with spotTraining (run time + 12 h of waiting for capacity must stay within SageMaker's 28-day limit)`,
    });
  }
  if (problems.length === 0) {
    for (const key of ['trainingInstanceType', 'inferenceInstanceType'] as const) {
      const instanceType = config[key];
      if (config.hourlyPrices[instanceType] === undefined) {
        problems.push({
          key: 'hourlyPrices',
          received: config.hourlyPrices,
          allowed: `an object that includes a price for ${key} ${instanceType} (USD per hour)`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Reads the configuration the way `cdk synth` does, from the `context` of cdk.json (and of
 * cdk.context.json when present), for the operator CLI. `overrides` win over both files.
 */
export function loadConfigFromProject(projectDir: string, overrides: Record<string, unknown> = {}): ImpressionsConfig {
  const context: Record<string, unknown> = {};
  for (const file of ['cdk.json', 'cdk.context.json']) {
    const full = path.join(projectDir, file);
    if (!fs.existsSync(full)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (error) {
      throw new Error(`${full}: not valid JSON (${(error as Error).message})`, { cause: error });
    }
    const ctx = file === 'cdk.json' ? (parsed as { context?: Record<string, unknown> }).context : parsed;
    Object.assign(context, ctx ?? {});
  }
  Object.assign(context, overrides);
  return loadConfig((key) => context[key]);
}

/** Reads one key at a time, applying defaults and recording problems instead of throwing. */
class KeyReader {
  constructor(
    private readonly lookup: ContextLookup,
    private readonly problems: ConfigProblem[],
  ) {}

  private raw(key: string): unknown {
    const value = this.lookup(`${CONTEXT_PREFIX}${key}`);
    return value === null ? undefined : value;
  }

  private fail<T>(key: string, received: unknown, allowed: string, fallback: T): T {
    this.problems.push({ key, received, allowed });
    return fallback;
  }

  string(key: keyof typeof CONFIG_DEFAULTS, valid: (v: string) => boolean, allowed: string): string {
    const fallback = CONFIG_DEFAULTS[key] as string;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !valid(value)) return this.fail(key, value, allowed, fallback);
    return value;
  }

  optionalString(key: string, valid: (v: string) => boolean, allowed: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !valid(value)) return this.fail(key, value, allowed, undefined);
    return value;
  }

  boolean(key: keyof typeof CONFIG_DEFAULTS): boolean {
    const fallback = CONFIG_DEFAULTS[key] as boolean;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    return this.fail(key, value, 'true or false', fallback);
  }

  number(key: keyof typeof CONFIG_DEFAULTS, min: number, max: number): number {
    const fallback = CONFIG_DEFAULTS[key] as number;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n = toNumber(value);
    if (n === undefined || n < min || n > max) return this.fail(key, value, `a number from ${min} to ${max}`, fallback);
    return n;
  }

  integer(key: keyof typeof CONFIG_DEFAULTS, min: number, max: number): number {
    const fallback = CONFIG_DEFAULTS[key] as number;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n = toNumber(value);
    if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
      return this.fail(key, value, `a whole number from ${min} to ${max}`, fallback);
    }
    return n;
  }

  stringList(key: 'quicksightPrincipalArns', valid: (v: string) => boolean, allowed: string): readonly string[] {
    const value = this.raw(key);
    if (value === undefined || value === '') return CONFIG_DEFAULTS[key];
    let list: unknown = value;
    if (typeof value === 'string') {
      const text = value.trim();
      list = text.startsWith('[')
        ? tryParseJson(text)
        : text
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    }
    if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string' && valid(v))) {
      return this.fail(key, value, allowed, CONFIG_DEFAULTS[key]);
    }
    return list;
  }

  /** Hyperparameter overrides, by the same rules as a run input's (lib/core/run/hyperparameters.ts). */
  stringMap(key: 'hyperparameters'): Readonly<Record<string, string>> {
    const allowed = 'a JSON object of hyperparameter name (lower-case letters, digits, _; not sagemaker_*) to string, number or boolean';
    const object = this.object(key, allowed);
    if (object === undefined) return CONFIG_DEFAULTS[key];
    const result: Record<string, string> = {};
    for (const [name, v] of Object.entries(object)) {
      const sent = hyperparameterValue(v);
      if (hyperparameterNameProblem(name) !== undefined || 'problem' in sent) return this.fail(key, object, allowed, CONFIG_DEFAULTS[key]);
      result[name] = sent.text;
    }
    if ('epochs' in result) {
      return this.fail(key, object, 'hyperparameter overrides other than epochs (set impressions:epochs instead)', CONFIG_DEFAULTS[key]);
    }
    return result;
  }

  priceMap(key: 'hourlyPrices'): Readonly<Record<string, number>> {
    const allowed = 'a JSON object of SageMaker instance type (ml.x.y) to a positive USD-per-hour price';
    const object = this.object(key, allowed);
    if (object === undefined) return CONFIG_DEFAULTS[key];
    const result: Record<string, number> = { ...CONFIG_DEFAULTS[key] };
    for (const [name, v] of Object.entries(object)) {
      const n = toNumber(v);
      if (!INSTANCE_TYPE.test(name) || n === undefined || n <= 0) return this.fail(key, object, allowed, CONFIG_DEFAULTS[key]);
      result[name] = n;
    }
    return result;
  }

  private object(key: string, allowed: string): Record<string, unknown> | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    const parsed = typeof value === 'string' ? tryParseJson(value) : value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return this.fail(key, value, allowed, undefined);
    return parsed as Record<string, unknown>;
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())) {
    return Number(value);
  }
  return undefined;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
