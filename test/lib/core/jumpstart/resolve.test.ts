import { ModelResolutionError } from '../../../../lib/core/jumpstart/errors';
import { fineTunedModelLocation, imageRepository, lookupImage, resolveModel, type ResolveModelInput } from '../../../../lib/core/jumpstart/resolve';
import { parseSpecJson } from '../../../../lib/core/jumpstart/spec-json';
import { fixtureText, samplePlan } from '../../../helpers/jumpstart';

interface DerivationCase {
  readonly id: string;
  readonly spec_file: string;
  readonly region: string;
  readonly requested_instance_type: string | null;
  readonly expected: Record<string, unknown>;
}
const cases = (JSON.parse(fixtureText('sdk-expected-derivations.json')) as { cases: DerivationCase[] }).cases;
const byId = (id: string): DerivationCase => cases.find((c) => c.id === id)!;

function input(specFile: string, overrides: Partial<ResolveModelInput> = {}): ResolveModelInput {
  const spec = parseSpecJson(fixtureText(specFile));
  const value = spec.value as { model_id: string; version: string };
  return {
    run: samplePlan(),
    modelId: value.model_id,
    version: value.version,
    region: 'us-west-2',
    specKey: `community_models/${value.model_id}/specs_v${value.version}.json`,
    spec,
    trainingInstanceType: 'ml.p3.16xlarge',
    inferenceInstanceType: 'ml.g5.2xlarge',
    trainingVolumeGb: 300,
    maxTrainingHours: 100,
    ...overrides,
  };
}

describe('resolveModel: JumpStart 2.x (flan-t5-base 2.2.3) matches the SDK', () => {
  const training = byId('flan-t5-base-2.2.3/estimator-defaults').expected;
  const deploy = byId('flan-t5-base-2.2.3/deploy-after-training').expected;
  const resolved = resolveModel(input('flan-t5-base-2.2.3.spec.json', { run: samplePlan({ hyperparameters: { learning_rate: 0.0002 } }) }));

  test('training image and channels (the SDK isolates this spec too: the script is the code channel)', () => {
    expect(training.enable_network_isolation).toBe(true);
    expect(resolved.training.instanceType).toBe(training.instance_type);
    expect(resolved.training.image).toBe(training.image_uri);
    const channels = Object.fromEntries(resolved.training.inputDataConfig.map((c) => [c.ChannelName, c]));
    expect(Object.keys(channels)).toEqual(['training', 'model', 'code']);
    expect(channels.training.DataSource.S3DataSource.S3Uri).toBe('s3://data-bucket/train_data/');
    expect(channels.model.DataSource.S3DataSource.S3Uri).toBe(training.model_uri);
    expect(channels.model.ContentType).toBe('application/x-sagemaker-model');
    expect(channels.code.DataSource.S3DataSource.S3Uri).toBe(training.source_dir);
  });

  test('hyperparameters: the SDK defaults exactly as it prints them, then config epochs and run overrides, then script mode', () => {
    const sdk = training.hyperparameters as Record<string, string>;
    const {
      epochs,
      learning_rate,
      sagemaker_program,
      sagemaker_submit_directory,
      sagemaker_container_log_level,
      sagemaker_job_name,
      sagemaker_region,
      ...rest
    } = resolved.training.hyperparameters;
    const { epochs: _e, learning_rate: _l, ...sdkRest } = sdk;
    expect(rest).toEqual(sdkRest);
    expect(epochs).toBe('3');
    expect(learning_rate).toBe('0.0002');
    expect(sagemaker_program).toBe(JSON.stringify(training.entry_point));
    expect(sagemaker_submit_directory).toBe('"/opt/ml/input/data/code/sourcedir.tar.gz"');
    expect(sagemaker_container_log_level).toBe('20');
    expect(sagemaker_job_name).toBe('"impressions-run-2024-01-01-train"');
    expect(sagemaker_region).toBe('"us-west-2"');
  });

  test('metrics, estimator settings and volume', () => {
    expect(resolved.training.metricDefinitions.map((m) => m.Name)).toEqual([
      'impressions:validation-loss',
      'impressions:train-loss',
      'impressions:epoch',
      'huggingface-text2text:eval-loss',
    ]);
    expect(resolved.training.metricDefinitions).toEqual(expect.arrayContaining(training.metric_definitions as object[]));
    expect(resolved.training.outputCompression).toBe('NONE');
    expect(resolved.training.maxRuntimeSeconds).toBe(training.max_run);
    expect(resolved.training.volumeSizeGb).toBe(training.volume_size);
    expect(resolved.training.volumeKmsSupported).toBe(true);
  });

  test('hosting: image, environment, timeouts, TGI contract', () => {
    expect(resolved.inference.instanceType).toBe(deploy.instance_type);
    expect(resolved.inference.image).toBe(deploy.image_uri);
    expect(resolved.inference.environment).toEqual(deploy.env);
    expect(resolved.inference.modelDataDownloadTimeoutSeconds).toBe(deploy.model_data_download_timeout);
    expect(resolved.inference.containerStartupHealthCheckTimeoutSeconds).toBe(deploy.container_startup_health_check_timeout);
    expect(resolved.inference.payloadContract).toBe('tgi');
    expect(resolved.inference.volumeKmsSupported).toBe(false);
    expect(resolved.inference.volumeSizeGb).toBeUndefined();
  });

  test('model data: the prepacked prefix for the pretrained model, the uncompressed training output for the fine-tuned one', () => {
    expect(resolved.inference.pretrainedModelData).toEqual({
      type: 'prefix',
      uri: 's3://jumpstart-cache-prod-us-west-2/huggingface-text2text/huggingface-text2text-flan-t5-base/artifacts/inference-prepack/v2.0.0/',
    });
    expect(resolved.inference.fineTunedModelData).toEqual({
      type: 'prefix',
      uri: 's3://data-bucket/runs/run-2024-01-01/model/impressions-run-2024-01-01-train/output/model/',
    });
    expect(resolved.specUri).toBe('s3://jumpstart-cache-prod-us-west-2/community_models/huggingface-text2text-flan-t5-base/specs_v2.2.3.json');
  });

  test('instance-type variant environment overrides the defaults (SM_NUM_GPUS on g5.12xlarge)', () => {
    const big = resolveModel(input('flan-t5-base-2.2.3.spec.json', { inferenceInstanceType: 'ml.g5.12xlarge' }));
    expect(big.inference.environment.SM_NUM_GPUS).toBe('4');
  });

  test('skipTraining hosts the given model data as the fine-tuned model', () => {
    const run = samplePlan({ skipTraining: true, modelData: 's3://data-bucket/runs/old/model/job/output/model/' });
    const r = resolveModel(input('flan-t5-base-2.2.3.spec.json', { run }));
    expect(r.inference.fineTunedModelData).toEqual({ type: 'prefix', uri: 's3://data-bucket/runs/old/model/job/output/model/' });
    const tarball = samplePlan({ skipTraining: true, modelData: 's3://data-bucket/runs/old/model/model.tar.gz' });
    expect(resolveModel(input('flan-t5-base-2.2.3.spec.json', { run: tarball })).inference.fineTunedModelData).toEqual({
      type: 'tarball',
      uri: 's3://data-bucket/runs/old/model/model.tar.gz',
    });
  });

  test('the fine-tuned weights are where SageMaker writes the job output: a prefix ending in / (uncompressed) or model.tar.gz', () => {
    const run = samplePlan();
    expect(fineTunedModelLocation(run, 'NONE')).toEqual({ type: 'prefix', uri: `${run.outputPath}${run.names.trainingJob}/output/model/` });
    expect(fineTunedModelLocation(run, 'GZIP')).toEqual({ type: 'tarball', uri: `${run.outputPath}${run.names.trainingJob}/output/model.tar.gz` });
  });

  test('NVMe training instances get no volume size and no volume KMS; the configured bound caps the runtime', () => {
    const r = resolveModel(input('flan-t5-base-2.2.3.spec.json', { trainingInstanceType: 'ml.g5.48xlarge', maxTrainingHours: 10 }));
    expect(r.training.volumeSizeGb).toBeUndefined();
    expect(r.training.volumeKmsSupported).toBe(false);
    expect(r.training.maxRuntimeSeconds).toBe(36000);
  });
});

describe('resolveModel: JumpStart 1.x with variants (flan-t5-xxl-fp16 1.1.2) matches the SDK', () => {
  const model = byId('flan-t5-xxl-fp16-1.1.2/model-ml.p2.xlarge').expected;
  const resolved = resolveModel(input('flan-t5-xxl-fp16-1.1.2.spec.json', { inferenceInstanceType: 'ml.p2.xlarge' }));

  test('hosting image, prepacked tarball, environment and HF text2text contract', () => {
    expect(resolved.inference.image).toBe(model.image_uri);
    expect(resolved.inference.pretrainedModelData).toEqual({ type: 'tarball', uri: model.model_data });
    expect(resolved.inference.environment).toEqual(model.env);
    expect(resolved.inference.payloadContract).toBe('hf-text2text');
  });

  test('training from the 1.x variants; compressed output gives a tarball fine-tuned model', () => {
    expect(resolved.training.image).toBe(
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-training:1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04',
    );
    expect(resolved.training.outputCompression).toBe('GZIP');
    expect(resolved.inference.fineTunedModelData.uri).toMatch(/\/impressions-run-2024-01-01-train\/output\/model\.tar\.gz$/);
    expect(resolved.inference.modelDataDownloadTimeoutSeconds).toBe(3600);
  });
});

describe('resolveModel failures name model, version, region and field', () => {
  test('a spec without variants (flan-t5-base 1.2.0) is not resolved from legacy ecr specs', () => {
    expect(() => resolveModel(input('flan-t5-base-1.2.0.spec.json'))).toThrow(
      'JumpStart model huggingface-text2text-flan-t5-base version 1.2.0 in region us-west-2: training_instance_type_variants: ' +
        'missing: the spec has no instance type variants (legacy *_ecr_specs images are not derived)',
    );
  });

  test('a region without an image', () => {
    expect(() => resolveModel(input('flan-t5-base-2.2.3.spec.json', { region: 'eu-central-2' }))).toThrow(
      /version 2\.2\.3 in region eu-central-2: training_instance_type_variants\.regional_aliases: no entry for region eu-central-2/,
    );
  });

  test('an instance type without an image', () => {
    expect(() => resolveModel(input('flan-t5-base-2.2.3.spec.json', { inferenceInstanceType: 'ml.c5.xlarge' }))).toThrow(
      /hosting_instance_type_variants: no image for instance type ml\.c5\.xlarge \(nor family c5\)/,
    );
  });

  const edited = (edit: (spec: Record<string, unknown>) => void): ResolveModelInput => {
    const spec = JSON.parse(fixtureText('flan-t5-base-2.2.3.spec.json')) as Record<string, unknown>;
    edit(spec);
    return input('flan-t5-base-2.2.3.spec.json', { spec: parseSpecJson(JSON.stringify(spec)) });
  };

  test('training not supported', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          s.training_supported = false;
        }),
      ),
    ).toThrow(/: training_supported: the model cannot be fine-tuned$/);
  });

  test('no training artifact key', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          delete s.training_artifact_key;
        }),
      ),
    ).toThrow(/in region us-west-2: training_artifact_key: missing$/);
  });

  test('no training script', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          delete s.training_script_key;
          delete s.training_prepacked_script_key;
        }),
      ),
    ).toThrow(/: training_script_key: missing/);
  });

  test('no hosting artifact', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          delete s.hosting_artifact_key;
          delete s.hosting_prepacked_artifact_key;
        }),
      ),
    ).toThrow(/: hosting_artifact_key: missing/);
  });

  test('an image repository with no known payload contract', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          const v = s.hosting_instance_type_variants as { regional_aliases: Record<string, Record<string, string>> };
          v.regional_aliases['us-west-2'].gpu_ecr_uri_1 = '763104351884.dkr.ecr.us-west-2.amazonaws.com/djl-inference:0.1';
        }),
      ),
    ).toThrow(/hosting_instance_type_variants: image repository djl-inference speaks no known payload contract/);
  });

  test('a spec without isolation flags (as flan-t5-base 1.2.0) is still run isolated: its script arrives as the code channel', () => {
    const r = resolveModel(
      edited((s) => {
        delete s.training_enable_network_isolation;
        delete s.inference_enable_network_isolation;
      }),
    );
    expect(r.training.inputDataConfig.map((c) => c.ChannelName)).toEqual(['training', 'model', 'code']);
    expect(r.training.hyperparameters.sagemaker_submit_directory).toBe('"/opt/ml/input/data/code/sourcedir.tar.gz"');
    expect(r).not.toHaveProperty('training.enableNetworkIsolation');
    expect(r).not.toHaveProperty('inference.enableNetworkIsolation');
  });

  test.each(['training', 'inference'])('a spec whose %s container needs network access fails resolution', (container) => {
    expect(() =>
      resolveModel(
        edited((s) => {
          s[`${container}_enable_network_isolation`] = false;
        }),
      ),
    ).toThrow(
      `JumpStart model huggingface-text2text-flan-t5-base version 2.2.3 in region us-west-2: ${container}_enable_network_isolation: ` +
        `the spec says the ${container} container needs network access; this app runs every SageMaker container network-isolated`,
    );
  });

  test.each(['s3://other-bucket/code.tar.gz', 'https://huggingface.co/google/flan-t5-base', 'HTTP://example.org/x'])(
    'an inference environment value naming a network location (%s) fails resolution, naming the variable only',
    (value) => {
      const run = () =>
        resolveModel(
          edited((s) => {
            const variables = s.inference_environment_variables as { name: string; default: unknown }[];
            variables.find((v) => v.name === 'HF_MODEL_ID')!.default = value;
          }),
        );
      expect(run).toThrow(/: inference_environment_variables: HF_MODEL_ID names a network location the container would fetch at start-up/);
      expect(run).not.toThrow(value);
    },
  );

  test.each([
    ['training_artifact_key', 'other-models/train-huggingface-text2text-flan-t5-base.zip', 'training'],
    ['training_prepacked_script_key', 'somewhere/else/sourcedir.tar.gz', 'training'],
    ['hosting_prepacked_artifact_key', 'huggingface-text2text/huggingface-text2text-flan-t5-xl/artifacts/inference-prepack/v2.0.0/', 'hosting'],
  ])('an artefact key the %s role may not read fails resolution', (field, key, role) => {
    expect(() =>
      resolveModel(
        edited((s) => {
          s[field] = key;
        }),
      ),
    ).toThrow(`: ${field}: ${key} is outside the JumpStart keys the ${role} role may read`);
  });

  test('gated models', () => {
    expect(() =>
      resolveModel(
        edited((s) => {
          s.gated_bucket = true;
        }),
      ),
    ).toThrow(/: gated_bucket: gated models/);
  });

  test('unknown, mistyped or out-of-range hyperparameters are all listed', () => {
    const run = samplePlan({ hyperparameters: { epoch: 3, batch_size: 'big', seed: 5000, peft_type: 'qlora' } });
    expect(() => resolveModel(input('flan-t5-base-2.2.3.spec.json', { run }))).toThrow(
      'JumpStart model huggingface-text2text-flan-t5-base version 2.2.3 in region us-west-2: hyperparameters: ' +
        'epoch="3": not a hyperparameter of this model; batch_size="big": expected an integer; ' +
        'seed="5000": above the maximum 1000; peft_type="qlora": expected one of lora, none',
    );
  });

  test('a spec that is not an object', () => {
    expect(() => resolveModel(input('flan-t5-base-2.2.3.spec.json', { spec: parseSpecJson('[]') }))).toThrow(ModelResolutionError);
  });
});

describe('lookupImage and imageRepository on the recorded flan-t5-xl 2.2.15 hosting data', () => {
  const xl = (
    JSON.parse(fixtureText('flan-t5-xl-hosting.json')) as Record<
      string,
      {
        instanceAliases: { region: string; aliases: Record<string, string> }[];
      }
    >
  ).HUGGINGFACE_TEXT2TEXT_FLAN_T5_XL_2_2_15;

  test('region-specific ECR accounts come from the aliases, not a guess', () => {
    const variants = {
      regional_aliases: Object.fromEntries(xl.instanceAliases.map((a) => [a.region, a.aliases])),
      variants: { g5: { regional_properties: { image_uri: '$gpu_ecr_uri_1' } } },
    };
    const fail = (field: string, detail: string): never => {
      throw new Error(`${field}: ${detail}`);
    };
    const image = lookupImage(variants, 'ml.g5.2xlarge', 'af-south-1', 'hosting', fail);
    expect(image).toBe('626614931356.dkr.ecr.af-south-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04');
    expect(imageRepository(image)).toBe('huggingface-pytorch-tgi-inference');
  });
});
