/**
 * Typed, validated settings of the app, read once from the `impressions:<key>` entries of the CDK
 * context (cdk.json, cdk.context.json, `-c impressions:<key>=<value>`).
 *
 * This module has no aws-cdk-lib import so the operator CLI reads the very same settings (from
 * cdk.json) without loading the CDK. Every problem is gathered into one {@link ConfigError} that
 * names each bad key, where its value came from, the value received and what is allowed; an
 * `impressions:*` key that is not a setting (a typo such as `impressions:epoch`) is a problem too,
 * with the closest setting suggested.
 */
import { contextSourceOf, mergeContext, readContextFiles, type ContextFile, type ContextSource } from './context-sources';
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
  /** How long the janitor keeps coming back for what an aborted or timed-out run left (Creating endpoints must settle), in hours. */
  readonly janitorMaxWaitHours: number;
  /** Deploy the radiologist review stack (Cognito readers, private workforce, A2I, review state machine). */
  readonly reviewEnabled: boolean;
  /** Cognito hosted-UI domain prefix of the readers' user pool; `undefined` means `<resourcePrefix>-readers-<account>`. */
  readonly reviewDomainPrefix?: string;
  /** Up to 10 CIDR ranges readers may reach the review portal from; empty means anywhere. */
  readonly reviewAllowedCidrs: readonly string[];
}

/** Default of every key (bucketName and notificationEmail default to "none"). */
export const CONFIG_DEFAULTS: Omit<ImpressionsConfig, 'bucketName' | 'notificationEmail' | 'reviewDomainPrefix'> = {
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
  janitorMaxWaitHours: 4,
  reviewEnabled: false,
  reviewAllowedCidrs: [],
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
  'janitorMaxWaitHours',
  'reviewEnabled',
  'reviewDomainPrefix',
  'reviewAllowedCidrs',
] as const satisfies readonly (keyof ImpressionsConfig)[];

/** One invalid setting, or an `impressions:*` key that is not a setting. */
export interface ConfigProblem {
  /** The key without the `impressions:` prefix. */
  readonly key: string;
  readonly received: unknown;
  /** What the key allows; for an unknown key, what to do instead. */
  readonly allowed: string;
  /** Where the value came from, when known (the CDK CLI merges several sources). */
  readonly source?: ContextSource;
  /** True when the key is not a setting of this app (`allowed` then names the closest setting, if any). */
  readonly unknownKey?: boolean;
}

/** Marks a {@link ConfigError} (a registered symbol: the same in every bundle). */
const CONFIG_ERROR_BRAND = Symbol.for('radiology-impressions.ConfigError');

/** Thrown when one or more settings are invalid; the message lists every problem. */
export class ConfigError extends Error {
  /** `instanceof` holds across copies of this class (each command of the built CLI is its own bundle; see lib/cli/errors.ts). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONFIG_ERROR_BRAND] === true;
  }

  /** The brand {@link ConfigError}'s `instanceof` checks. */
  readonly [CONFIG_ERROR_BRAND] = true;

  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` + problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

function formatProblem(p: ConfigProblem): string {
  const key = `${CONTEXT_PREFIX}${p.key}${p.source !== undefined ? ` (${p.source})` : ''}`;
  if (p.unknownKey === true) return `  - ${key}: not a setting of this app; ${p.allowed}`;
  return `  - ${key}: received ${showValue(p.received)}; allowed: ${p.allowed}`;
}

function showValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Where the value of a context key came from; undefined when not known (an App built in a test). */
export type SourceOf = (key: string) => ContextSource | undefined;

/** Longest spot training run: 28 days (SageMaker's MaxWaitTimeInSeconds limit) less the 12 h wait allowance. */
const MAX_SPOT_TRAINING_HOURS = 672 - 12;

const INSTANCE_TYPE = /^ml\.[a-z0-9]+(-[a-z0-9]+)?\.[a-z0-9]+$/;
const MODEL_ID = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const RESOURCE_PREFIX = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const QUICKSIGHT_PRINCIPAL = /^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[^\s]+$/;
/** Cognito domain prefixes: lower-case letters, digits, hyphens; no reserved words. */
const COGNITO_DOMAIN_PREFIX = /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;

/**
 * Reads and validates the whole configuration from the merged context (every key, the CDK's own
 * included: only `impressions:*` keys are read, and each of them must be a setting).
 * @param context every context key and its value (`app.node.getAllContext()` in the app).
 * @param sourceOf where each value came from, named in the messages.
 * @throws ConfigError listing every invalid or unknown key.
 */
export function loadConfig(context: Readonly<Record<string, unknown>>, sourceOf: SourceOf = () => undefined): ImpressionsConfig {
  const problems: ConfigProblem[] = unknownKeyProblems(Object.keys(context), sourceOf);
  const reader = new KeyReader((key) => context[key], problems, sourceOf);

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
    janitorMaxWaitHours: reader.number('janitorMaxWaitHours', 3, 24),
    reviewEnabled: reader.boolean('reviewEnabled'),
    reviewDomainPrefix: reader.optionalString(
      'reviewDomainPrefix',
      (v) => COGNITO_DOMAIN_PREFIX.test(v),
      '1-63 lower-case letters, digits and inner hyphens, without "aws", "amazon" or "cognito" (a Cognito domain prefix)',
    ),
    reviewAllowedCidrs: reader.stringList(
      'reviewAllowedCidrs',
      (v) => IPV4_CIDR.test(v),
      'up to 10 IPv4 CIDR ranges (203.0.113.0/24), as a JSON list or comma-separated',
    ),
  };
  if (config.reviewAllowedCidrs.length > 10) {
    problems.push({ key: 'reviewAllowedCidrs', received: config.reviewAllowedCidrs, allowed: 'at most 10 CIDR ranges (SageMaker workforce limit)' });
  }

  if (problems.length === 0 && config.spotTraining && config.maxTrainingHours > MAX_SPOT_TRAINING_HOURS) {
    // Spot jobs wait up to 12 h longer than they run; SageMaker caps MaxWaitTimeInSeconds at 28 days.
    problems.push({
      key: 'maxTrainingHours',
      received: config.maxTrainingHours,
      allowed: `at most ${MAX_SPOT_TRAINING_HOURS} with spotTraining (run time + 12 h of waiting for capacity must stay within SageMaker's 28-day limit)`,
      source: sourceOf(`${CONTEXT_PREFIX}maxTrainingHours`),
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
          source: sourceOf(`${CONTEXT_PREFIX}hourlyPrices`),
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Reads the configuration the way `cdk synth` does, for the operator CLI: from the `context` of
 * `projectDir`/cdk.json, `projectDir`/cdk.context.json and `userHome`/.cdk.json, merged with the
 * CDK CLI's precedence (lib/context-sources.ts).
 * @throws ConfigError for an invalid or unknown setting; Error naming a file that is not valid JSON.
 */
export function loadConfigFromProject(projectDir: string, userHome?: string): ImpressionsConfig {
  return configFromContextFiles(readContextFiles(projectDir, userHome));
}

/** The configuration held by context files (precedence order), each problem naming its file. */
export function configFromContextFiles(files: readonly ContextFile[]): ImpressionsConfig {
  const values = mergeContext(files);
  return loadConfig(values, (key) => contextSourceOf(files, key, values[key]));
}

/** Every `impressions:*` key of `keys` that is not a setting, with the closest setting suggested. */
function unknownKeyProblems(keys: readonly string[], sourceOf: SourceOf): ConfigProblem[] {
  const known: readonly string[] = CONFIG_KEYS;
  return keys
    .filter((key) => key.startsWith(CONTEXT_PREFIX) && !known.includes(key.slice(CONTEXT_PREFIX.length)))
    .sort()
    .map((key) => {
      const name = key.slice(CONTEXT_PREFIX.length);
      const closest = closestSetting(name);
      return {
        key: name,
        received: undefined,
        allowed: closest !== undefined ? `did you mean \`${closest}\`?` : 'the settings are listed in README.md, "Configuration"',
        source: sourceOf(key),
        unknownKey: true,
      };
    });
}

/**
 * The setting closest to `name`: case-insensitive edit distance, accepted when within a third of the
 * longer name (at least 2), or when one name contains the other (`trainingInstance`). Ties go to
 * the setting listed first.
 */
export function closestSetting(name: string): string | undefined {
  const wanted = name.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of CONFIG_KEYS) {
    const candidate = key.toLowerCase();
    const distance = editDistance(wanted, candidate);
    const near = distance <= Math.max(2, Math.floor(Math.max(wanted.length, candidate.length) / 3));
    const contained = wanted.length >= 4 && (candidate.includes(wanted) || wanted.includes(candidate));
    if ((near || contained) && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Reads one key at a time, applying defaults and recording problems instead of throwing. */
class KeyReader {
  constructor(
    private readonly lookup: (key: string) => unknown,
    private readonly problems: ConfigProblem[],
    private readonly sourceOf: SourceOf,
  ) {}

  private raw(key: string): unknown {
    const value = this.lookup(`${CONTEXT_PREFIX}${key}`);
    return value === null ? undefined : value;
  }

  private fail<T>(key: string, received: unknown, allowed: string, fallback: T): T {
    this.problems.push({ key, received, allowed, source: this.sourceOf(`${CONTEXT_PREFIX}${key}`) });
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

  stringList(key: 'quicksightPrincipalArns' | 'reviewAllowedCidrs', valid: (v: string) => boolean, allowed: string): readonly string[] {
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
