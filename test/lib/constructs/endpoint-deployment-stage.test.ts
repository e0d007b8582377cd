/** EndpointDeploymentStage alone, executed locally against the SageMaker simulator. */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EndpointDeploymentStage } from '../../../lib/constructs/endpoint-deployment-stage';
import { at, statePath } from '../../../lib/core/json-path';
import type { PretrainedBranchState, ResolvedModel, RunSetup } from '../../../lib/core/run/contracts';
import { ENTERED_TIME, executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleResolvedModel, sampleRunSetup } from '../../helpers/run-execution';
import { arnOf, LIMIT_EXCEEDED, SageMakerSimulator, SimulatorOptions } from '../../helpers/sagemaker-simulator';

const branch = statePath<PretrainedBranchState>();

function definition(maxPolls = 90) {
  return fragmentDefinition((scope) => {
    const stage = new EndpointDeploymentStage(scope, 'Deploy', {
      label: 'pretrained',
      namesPath: at(branch, 'plan.names.pretrained'),
      modelDataPath: at(branch, 'settings.inference.pretrainedModelData'),
      resultPath: at(branch, 'pretrainedEndpoint'),
      executionRole: new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }),
      key: new kms.Key(scope, 'Key'),
      resourcePrefix: 'impressions',
      pollInterval: Duration.minutes(1),
      maxPolls,
    });
    // The caller's single Catch covers every state inside.
    stage.unit.addCatch(new sfn.Fail(scope, 'Caught', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), { resultPath: '$.error' });
    return stage;
  });
}
const DEFINITION = definition();

async function deploy(setup: RunSetup, sim: SimulatorOptions = {}, def = DEFINITION) {
  const outcome = await executeDefinition({ definition: def, input: setup, sim: new SageMakerSimulator(sim) });
  return { ...outcome, output: outcome.output as PretrainedBranchState | undefined };
}

function withWeights(base: ResolvedModel, uri: string, volumeKmsSupported: boolean): ResolvedModel {
  return { ...base, inference: { ...base.inference, pretrainedModelData: { type: uri.endsWith('/') ? 'prefix' : 'tarball', uri }, volumeKmsSupported } };
}

describe('EndpointDeploymentStage', () => {
  test('prefix weights on an NVMe instance: ModelDataSource, no KmsKeyId, polled until InService; the result only is added', async () => {
    const setup = sampleRunSetup();
    const names = setup.plan.names.pretrained;
    const { status, output, params, sim } = await deploy(setup, { creatingPolls: 3 });
    expect(status).toBe('SUCCEEDED');
    expect(output!.pretrainedEndpoint).toEqual({
      endpointName: names.endpoint,
      endpointArn: arnOf('endpoint', names.endpoint),
      endpointConfigName: names.endpointConfig,
      modelName: names.model,
      status: 'InService',
      inServiceAt: ENTERED_TIME,
    });
    // The stage's own fields (container, poll, endpointDescription) stay inside its Parallel.
    expect(Object.keys(output!).sort()).toEqual([...Object.keys(setup), 'pretrainedEndpoint'].sort());
    expect(sim.log).toEqual([`create model ${names.model}`, `create endpointConfig ${names.endpointConfig}`, `create endpoint ${names.endpoint}`]);
    expect(sim.calls.describeEndpoint).toBe(3);
    expect(params['pretrained: create model']).toEqual(
      expect.objectContaining({
        ModelName: names.model,
        PrimaryContainer: {
          Image: setup.settings.inference.image,
          Environment: setup.settings.inference.environment,
          ModelDataSource: { S3DataSource: { S3Uri: setup.settings.inference.pretrainedModelData.uri, S3DataType: 'S3Prefix', CompressionType: 'None' } },
        },
        EnableNetworkIsolation: true,
      }),
    );
    const config = params['pretrained: create endpoint config'];
    expect(config).not.toHaveProperty('KmsKeyId');
    expect(config.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: names.model,
        InstanceType: 'ml.g5.2xlarge',
        InitialInstanceCount: 1,
        ModelDataDownloadTimeoutInSeconds: 3600,
        ContainerStartupHealthCheckTimeoutInSeconds: 3600,
      },
    ]);
    expect(config.Tags).toEqual([
      { Key: 'impressions:app', Value: 'impressions' },
      { Key: 'impressions:run-id', Value: setup.plan.runId },
    ]);
  });

  test('tarball weights on an instance with an EBS volume: ModelDataUrl and the volume KMS key', async () => {
    const setup = sampleRunSetup({ resolved: withWeights(sampleResolvedModel(), 's3://jumpstart-cache-prod-us-east-1/flan/model.tar.gz', true) });
    const { status, params } = await deploy(setup);
    expect(status).toBe('SUCCEEDED');
    expect(params['pretrained: create model'].PrimaryContainer).toEqual({
      Image: setup.settings.inference.image,
      Environment: setup.settings.inference.environment,
      ModelDataUrl: 's3://jumpstart-cache-prod-us-east-1/flan/model.tar.gz',
    });
    expect(params['pretrained: create endpoint config (KMS)']).toHaveProperty('KmsKeyId');
  });

  test('a Failed endpoint fails the stage with EndpointFailed and its FailureReason', async () => {
    const setup = sampleRunSetup();
    const { status, error, cause } = await deploy(setup, { failingEndpoints: { [setup.plan.names.pretrained.endpoint]: 'capacity error' } });
    expect({ status, error, cause }).toEqual({ status: 'FAILED', error: 'EndpointFailed', cause: 'capacity error' });
  });

  test('an endpoint not InService after maxPolls fails with EndpointNotInService, after exactly maxPolls checks', async () => {
    const { status, error, cause, sim } = await deploy(sampleRunSetup(), { creatingPolls: 100 }, definition(3));
    expect({ status, error }).toEqual({ status: 'FAILED', error: 'EndpointNotInService' });
    expect(cause).toBe('The pretrained endpoint was not InService after 3 status checks 1 minute apart.');
    expect(sim.calls.describeEndpoint).toBe(3);
  });

  test('throttled and internal-error calls are retried; a SageMaker error that is not transient fails the stage', async () => {
    expect((await deploy(sampleRunSetup(), { throttle: { createModel: 1, createEndpoint: 1 }, internalErrors: { createEndpointConfig: 1 } })).status).toBe(
      'SUCCEEDED',
    );
    const failed = await deploy(sampleRunSetup(), { refuse: { createEndpoint: LIMIT_EXCEEDED() } });
    expect({ status: failed.status, error: failed.error }).toEqual({ status: 'FAILED', error: 'SageMaker.ResourceLimitExceededException' });
  });
});
