/**
 * Turns a JumpStart spec into a {@link ResolvedModel}: everything CreateTrainingJob, CreateModel
 * and CreateEndpointConfig need, derived the way the SageMaker Python SDK (v2.257) derives it.
 *
 * What it cannot do: build images from the legacy `*_ecr_specs` (specs without
 * `*_instance_type_variants`, such as flan-t5 1.0.0-1.2.1): the tag table needed to do that
 * exactly is not part of the spec, so such specs fail with a {@link ModelResolutionError} instead
 * of guessing. Per-instance variant overrides other than environment variables (artifact keys,
 * hyperparameters) are not applied; no flan-t5 spec seen uses them. Gated models (private bucket)
 * are rejected.
 *
 * Network isolation and inter-container traffic encryption are not taken from the spec: the state
 * machine enables both for every training job and model (README "Security model"). Training
 * therefore always receives its script as the `code` channel, as the SDK does for isolated jobs.
 * A spec that says a container needs the network (`*_enable_network_isolation: false`, or an
 * environment value naming an `s3://` or `http(s)://` location the container would fetch at
 * start-up) fails resolution, and so does an artefact key outside what the training or hosting
 * role may read ({@link jumpStartKeyPatterns}).
 */
import type { ModelDataLocation, PayloadContract, ResolvedModel, TrainingChannel } from '../run/contracts';
import type { ResolveModelRun } from '../run/run-lambda-contracts';
import { matchesAnyIamPattern } from '../iam-pattern';
import { jumpStartKeyPatterns } from './artifact-scopes';
import { ModelResolutionError } from './errors';
import { instanceFamily, volumeKmsSupported, volumeSizeSupported } from './instance-types';
import type { JumpStartSpec, SpecHyperparameter, SpecInstanceTypeVariants } from './spec';
import { pythonString, type ParsedSpecJson } from './spec-json';

/** The public JumpStart content bucket of a region. */
export function jumpStartBucket(region: string): string {
  return `jumpstart-cache-prod-${region}`;
}

/** Where training code lands under network isolation (the `code` channel), as the SDK sets it. */
export const CODE_CHANNEL_SUBMIT_DIRECTORY = '/opt/ml/input/data/code/sourcedir.tar.gz';

/** JumpStart's fixed training entry point. */
export const TRAINING_ENTRY_POINT = 'transfer_learning.py';

/** The project's own metric definitions (validation loss, training loss, epoch), before the spec's. */
export const PROJECT_METRIC_DEFINITIONS: readonly { readonly Name: string; readonly Regex: string }[] = [
  { Name: 'impressions:validation-loss', Regex: "'eval_loss': ([0-9\\.]+)" },
  { Name: 'impressions:train-loss', Regex: "'loss': ([0-9\\.]+)" },
  { Name: 'impressions:epoch', Regex: "'epoch': ([0-9\\.]+)" },
];

/** Image repository → the request/response format its containers speak. */
const PAYLOAD_CONTRACT_BY_REPOSITORY: Readonly<Record<string, PayloadContract>> = {
  'huggingface-pytorch-tgi-inference': 'tgi',
  'huggingface-pytorch-inference': 'hf-text2text',
};

/** Inputs of {@link resolveModel}. */
export interface ResolveModelInput {
  readonly run: ResolveModelRun;
  readonly modelId: string;
  /** Exact version selected from the manifest. */
  readonly version: string;
  readonly region: string;
  /** `spec_key` of the manifest entry. */
  readonly specKey: string;
  /** The spec document parsed with {@link parseSpecJson}. */
  readonly spec: ParsedSpecJson;
  readonly trainingInstanceType: string;
  readonly inferenceInstanceType: string;
  readonly trainingVolumeGb: number;
  readonly maxTrainingHours: number;
}

/**
 * Resolves a spec for a run: the spec must be a public JumpStart spec; then training, then hosting
 * (each failure names its spec field, training's first).
 * @throws ModelResolutionError naming the model, version, region and the missing or bad field.
 */
export function resolveModel(input: ResolveModelInput): ResolvedModel {
  const fail: Fail = (field, detail) => {
    throw new ModelResolutionError(input.modelId, input.version, input.region, field, detail);
  };
  const spec = publicSpec(input, fail);
  const bucket = jumpStartBucket(input.region);
  const context: Resolution = { input, spec, fail, s3: (key) => `s3://${bucket}/${key}` };
  const training = resolveTraining(context);
  return {
    modelId: input.modelId,
    version: input.version,
    region: input.region,
    specUri: context.s3(input.specKey),
    training,
    inference: resolveInference(context, training.outputCompression),
  };
}

type Fail = (field: string, detail: string) => never;

/** What every part of a resolution reads. */
interface Resolution {
  readonly input: ResolveModelInput;
  readonly spec: JumpStartSpec;
  readonly fail: Fail;
  /** `s3://<the region's JumpStart bucket>/<key>`. */
  readonly s3: (key: string) => string;
}

/** The spec as an object of a public (not gated) model. */
function publicSpec(input: ResolveModelInput, fail: Fail): JumpStartSpec {
  const value = input.spec.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('spec', `${input.specKey} is not a JSON object`);
  const spec = value as JumpStartSpec;
  if (spec.gated_bucket === true) fail('gated_bucket', 'gated models (private JumpStart bucket) are not supported');
  return spec;
}

/**
 * CreateTrainingJob's settings: the image for the instance type, the `training` (the run's data),
 * `model` (base weights) and `code` (script) channels, the hyperparameters, metric definitions,
 * output compression, volume and run-time limit. Fails when either container would need the
 * network, or an artefact is outside what the training role may read.
 */
function resolveTraining(context: Resolution): ResolvedModel['training'] {
  const { input, spec, fail, s3 } = context;
  if (spec.training_supported !== true) fail('training_supported', 'the model cannot be fine-tuned');
  const image = lookupImage(spec.training_instance_type_variants, input.trainingInstanceType, input.region, 'training_instance_type_variants', fail);
  const artifactKey = nonEmpty(spec.training_artifact_key) ?? fail('training_artifact_key', 'missing');
  const scriptKey =
    nonEmpty(spec.training_prepacked_script_key) ??
    nonEmpty(spec.training_script_key) ??
    fail('training_script_key', 'missing (and no training_prepacked_script_key)');
  requireIsolation(spec, fail);
  readableBy(context, 'training', 'training_artifact_key', artifactKey);
  readableBy(context, 'training', spec.training_prepacked_script_key === undefined ? 'training_script_key' : 'training_prepacked_script_key', scriptKey);
  const scriptUri = s3(scriptKey);
  // Under network isolation the container cannot download its script: it arrives as a channel.
  const channels: TrainingChannel[] = [
    s3Channel('training', input.run.trainingData),
    { ...s3Channel('model', s3(artifactKey)), ContentType: 'application/x-sagemaker-model' },
    s3Channel('code', scriptUri),
  ];
  const estimator = spec.estimator_kwargs ?? {};
  const configuredRuntime = Math.round(input.maxTrainingHours * 3600);
  const volume = Math.max(input.trainingVolumeGb, positive(spec.training_volume_size) ?? 0);
  return {
    image,
    instanceType: input.trainingInstanceType,
    hyperparameters: trainingHyperparameters(input, spec, CODE_CHANNEL_SUBMIT_DIRECTORY, fail),
    metricDefinitions: metricDefinitions(spec),
    inputDataConfig: channels,
    outputCompression: estimator.disable_output_compression === true ? 'NONE' : 'GZIP',
    volumeKmsSupported: volumeKmsSupported(input.trainingInstanceType),
    volumeSizeGb: volumeSizeSupported(input.trainingInstanceType) ? volume : undefined,
    maxRuntimeSeconds: typeof estimator.max_run === 'number' && estimator.max_run > 0 ? Math.min(configuredRuntime, estimator.max_run) : configuredRuntime,
  };
}

/** The project's metric definitions, then the spec's (a name already defined is not repeated). */
function metricDefinitions(spec: JumpStartSpec): { Name: string; Regex: string }[] {
  const definitions = [...PROJECT_METRIC_DEFINITIONS];
  for (const metric of spec.metrics ?? []) {
    if (typeof metric?.Name === 'string' && typeof metric.Regex === 'string' && !definitions.some((m) => m.Name === metric.Name)) {
      definitions.push({ Name: metric.Name, Regex: metric.Regex });
    }
  }
  return definitions;
}

/**
 * CreateModel's and CreateEndpointConfig's settings: the inference image and the payload contract
 * its repository speaks, the pretrained weights, where the fine-tuned weights will be (laid out as
 * the training output is compressed), the container environment, volume and deploy timeouts.
 * Fails when the weights are outside what the hosting role may read, or the environment names a
 * network location.
 */
function resolveInference(context: Resolution, outputCompression: 'NONE' | 'GZIP'): ResolvedModel['inference'] {
  const { input, spec, fail, s3 } = context;
  const image = lookupImage(spec.hosting_instance_type_variants, input.inferenceInstanceType, input.region, 'hosting_instance_type_variants', fail);
  const repository = imageRepository(image);
  const payloadContract =
    PAYLOAD_CONTRACT_BY_REPOSITORY[repository] ??
    fail(
      'hosting_instance_type_variants',
      `image repository ${repository} speaks no known payload contract ` + `(known: ${Object.keys(PAYLOAD_CONTRACT_BY_REPOSITORY).join(', ')})`,
    );
  const hostingKey =
    nonEmpty(spec.hosting_prepacked_artifact_key) ??
    nonEmpty(spec.hosting_artifact_key) ??
    fail('hosting_artifact_key', 'missing (and no hosting_prepacked_artifact_key)');
  readableBy(context, 'hosting', spec.hosting_prepacked_artifact_key === undefined ? 'hosting_artifact_key' : 'hosting_prepacked_artifact_key', hostingKey);
  const pretrainedModelData = location(s3(hostingKey));
  const environment = inferenceEnvironment(input, spec, pretrainedModelData.type);
  for (const [name, value] of Object.entries(environment)) {
    if (/^(s3|https?):\/\//i.test(value)) {
      fail('inference_environment_variables', `${name} names a network location the container would fetch at start-up; a network-isolated container cannot`);
    }
  }
  const deploy = spec.deploy_kwargs ?? {};
  const volume = positive(spec.inference_volume_size);
  return {
    image,
    instanceType: input.inferenceInstanceType,
    pretrainedModelData,
    fineTunedModelData: fineTunedModelLocation(input.run, outputCompression),
    environment,
    payloadContract,
    volumeKmsSupported: volumeKmsSupported(input.inferenceInstanceType),
    volumeSizeGb: volume !== undefined && volumeSizeSupported(input.inferenceInstanceType) ? volume : undefined,
    modelDataDownloadTimeoutSeconds: positive(deploy.model_data_download_timeout),
    containerStartupHealthCheckTimeoutSeconds: positive(deploy.container_startup_health_check_timeout),
  };
}

/**
 * Fails when the spec says a container needs the network. An absent flag (older specs, such as
 * flan-t5-base 1.2.0) says nothing either way: the SDK would run such a model unisolated, this app
 * isolates it; JumpStart containers get their weights, code and data as channels or model data.
 */
function requireIsolation(spec: JumpStartSpec, fail: Fail): void {
  for (const [field, container] of [
    ['training_enable_network_isolation', 'training'],
    ['inference_enable_network_isolation', 'inference'],
  ] as const) {
    if (spec[field] === false) {
      fail(field, `the spec says the ${container} container needs network access; this app runs every SageMaker container network-isolated`);
    }
  }
}

/** `key`, or a failure of `field` when `key` is outside the JumpStart keys `role` may read ({@link jumpStartKeyPatterns}). */
function readableBy({ input, fail }: Resolution, role: 'training' | 'hosting', field: string, key: string): string {
  const scopes = jumpStartKeyPatterns(input.modelId)[role];
  return matchesAnyIamPattern(key, scopes)
    ? key
    : fail(
        field,
        `${key} is outside the JumpStart keys the ${role} role may read (${scopes.join(', ')}); the artefact layout of this version is not supported`,
      );
}

/**
 * The image for an instance type: `variants[<instance type>]`, else `variants[<family>]`, whose
 * `regional_properties.image_uri` alias (`$name`) is looked up in `regional_aliases[<region>]`.
 */
export function lookupImage(variants: SpecInstanceTypeVariants | undefined, instanceType: string, region: string, field: string, fail: Fail): string {
  if (variants?.variants === undefined) {
    return fail(field, 'missing: the spec has no instance type variants (legacy *_ecr_specs images are not derived)');
  }
  const family = instanceFamily(instanceType);
  const alias =
    variants.variants[instanceType]?.regional_properties?.image_uri ??
    variants.variants[family]?.regional_properties?.image_uri ??
    fail(field, `no image for instance type ${instanceType} (nor family ${family})`);
  if (!alias.startsWith('$')) return alias;
  const aliases = variants.regional_aliases?.[region] ?? fail(`${field}.regional_aliases`, `no entry for region ${region}`);
  return aliases[alias.slice(1)] ?? fail(`${field}.regional_aliases`, `alias ${alias} not defined for region ${region}`);
}

/** The repository of an ECR image URI (`<registry>/<repository>:<tag>` or `@digest`). */
export function imageRepository(imageUri: string): string {
  const path = imageUri.slice(imageUri.indexOf('/') + 1);
  return path.split(/[:@]/)[0];
}

/**
 * Algorithm-scope defaults (as the SDK prints them), then the run's (config + run) values, then
 * script mode's own entries JSON-encoded as the SDK sends them. Every run value is checked
 * against the spec's name, type, options and range, because the training script silently
 * ignores names it does not know (`epoch` for `epochs`).
 */
function trainingHyperparameters(input: ResolveModelInput, spec: JumpStartSpec, submitDirectory: string, fail: Fail): Record<string, string> {
  const declared = new Map<string, SpecHyperparameter>();
  const result: Record<string, string> = {};
  for (const hp of spec.hyperparameters ?? []) {
    if (typeof hp?.name !== 'string') continue;
    declared.set(hp.name, hp);
    if (hp.scope !== 'algorithm') continue;
    const text = pythonString(hp.default, input.spec.floats.get(hp)?.has('default') ?? false);
    if (text !== undefined) result[hp.name] = text;
  }
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input.run.hyperparameters)) {
    const hp = declared.get(name);
    const problem = hp === undefined || hp.scope !== 'algorithm' ? 'not a hyperparameter of this model' : checkHyperparameter(hp, value);
    if (problem !== undefined) problems.push(`${name}=${JSON.stringify(value)}: ${problem}`);
    else result[name] = value;
  }
  if (problems.length > 0) fail('hyperparameters', problems.join('; '));
  const containerDefault = (name: string, fallback: string): string => {
    const hp = declared.get(name);
    return hp?.scope === 'container' ? (pythonString(hp.default, false) ?? fallback) : fallback;
  };
  // The SDK JSON-encodes script-mode values; the training toolkit JSON-decodes every hyperparameter.
  result.sagemaker_program = JSON.stringify(containerDefault('sagemaker_program', TRAINING_ENTRY_POINT));
  result.sagemaker_submit_directory = JSON.stringify(submitDirectory);
  result.sagemaker_container_log_level = containerDefault('sagemaker_container_log_level', '20');
  result.sagemaker_job_name = JSON.stringify(input.run.names.trainingJob);
  result.sagemaker_region = JSON.stringify(input.region);
  return result;
}

/** Why a value does not fit a hyperparameter's declared type, options or range; `undefined` if it fits. */
export function checkHyperparameter(hp: SpecHyperparameter, value: string): string | undefined {
  if (hp.type === 'int' || hp.type === 'float') {
    const isNumber = hp.type === 'int' ? /^-?\d+$/.test(value) : /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value);
    if (!isNumber) return `expected ${hp.type === 'int' ? 'an integer' : 'a number'}`;
    const n = Number(value);
    if (typeof hp.min === 'number' && n < hp.min) return `below the minimum ${hp.min}`;
    if (typeof hp.max === 'number' && n > hp.max) return `above the maximum ${hp.max}`;
  }
  if (Array.isArray(hp.options) && hp.options.length > 0 && !hp.options.map((o) => String(o)).includes(value)) {
    return `expected one of ${hp.options.map((o) => String(o)).join(', ')}`;
  }
  return undefined;
}

/**
 * Container environment: the `required_for_model_class` variables (what the SDK's model uses), then
 * the family's and the instance type's variant overrides; every value a string.
 * `SAGEMAKER_SUBMIT_DIRECTORY` is dropped for uncompressed (prefix) artifacts: the code sits in the
 * model prefix and the variable would point the container elsewhere.
 */
function inferenceEnvironment(input: ResolveModelInput, spec: JumpStartSpec, dataType: ModelDataLocation['type']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of spec.inference_environment_variables ?? []) {
    if (typeof v?.name !== 'string' || v.required_for_model_class !== true) continue;
    const text = pythonString(v.default, input.spec.floats.get(v)?.has('default') ?? false);
    if (text !== undefined) env[v.name] = text;
  }
  const variants = spec.hosting_instance_type_variants?.variants ?? {};
  for (const key of [instanceFamily(input.inferenceInstanceType), input.inferenceInstanceType]) {
    const overrides = variants[key]?.properties?.environment_variables ?? {};
    for (const [name, value] of Object.entries(overrides)) {
      const text = pythonString(value, input.spec.floats.get(overrides)?.has(name) ?? false);
      if (text !== undefined) env[name] = text;
    }
  }
  if (dataType === 'prefix') delete env.SAGEMAKER_SUBMIT_DIRECTORY;
  return env;
}

function s3Channel(name: string, uri: string): TrainingChannel {
  return {
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } },
    InputMode: 'File',
  };
}

/** The fields of the run plan that decide where the fine-tuned weights are. */
export type FineTunedModelRun = Pick<ResolveModelRun, 'skipTraining' | 'modelData' | 'outputPath' | 'names'>;

/**
 * Where a run's fine-tuned weights are: the run's `modelData` when training is skipped, else where
 * SageMaker writes the job's output, `<S3OutputPath><TrainingJobName>/output/model.tar.gz`, or, with
 * `CompressionType: NONE`, the prefix `…/output/model/`. The prefix ends with `/`: "a valid key
 * name prefix identified by S3Uri always ends with a forward slash" (API reference, S3ModelDataSource
 * `S3DataType`), and the SageMaker Python SDK adds it to the job's `S3ModelArtifacts` before it
 * deploys uncompressed output (shared/notes/jumpstart.md "Output"). The state machine hosts this
 * location; it never re-derives it from the job's `S3ModelArtifacts`.
 */
export function fineTunedModelLocation(run: FineTunedModelRun, outputCompression: 'NONE' | 'GZIP'): ModelDataLocation {
  if (run.skipTraining && run.modelData !== null) return location(run.modelData);
  const output = `${run.outputPath}${run.names.trainingJob}/output/`;
  return outputCompression === 'NONE' ? { type: 'prefix', uri: `${output}model/` } : { type: 'tarball', uri: `${output}model.tar.gz` };
}

/** A weights location from its URI: a key ending in `/` is an uncompressed prefix, anything else a `model.tar.gz`. */
export function location(uri: string): ModelDataLocation {
  return { type: uri.endsWith('/') ? 'prefix' : 'tarball', uri };
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
