import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { at, CONTEXT_PATHS, keysOf, statePath, type JsonPath } from '../core/json-path';
import type { EndpointDeployment, ModelDataLocation, RunSetup } from '../core/run/contracts';
import type { HostingNames } from '../core/run/naming';
import { ENDPOINT_LOG_GROUP_PREFIX, SAGEMAKER_LOG_RETENTION_DAYS } from '../core/run/sagemaker-logs';
import { TAG_APP, TAG_RUN_ID } from '../core/run/tags';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { endpointLogGroupsArn } from './sagemaker-log-groups';
import { sageMakerCall, type CallScratch } from './sagemaker-call';
import { runTags, sageMakerArn } from './sagemaker-tasks';
import { ref, stateFields } from './state-json';
import { TaskLikeStage } from './task-like-stage';

/** Properties of {@link EndpointDeploymentStage}. */
export interface EndpointDeploymentStageProps {
  /** Label used in state names and the result, e.g. `pretrained`. */
  readonly label: string;
  /** The run's names for this model, e.g. `$.plan.names.pretrained`. */
  readonly namesPath: JsonPath<HostingNames>;
  /** The weights to host. */
  readonly modelDataPath: JsonPath<ModelDataLocation>;
  /** Where the stage writes its result. */
  readonly resultPath: JsonPath<EndpointDeployment>;
  /** Role the model runs as (passed to CreateModel). */
  readonly executionRole: iam.IRole;
  /** Key encrypting the endpoint's storage volume where the instance type allows it, and its log group. */
  readonly key: kms.IKey;
  /** Prefix of every SageMaker name (IAM scope). */
  readonly resourcePrefix: string;
  /** Time between two DescribeEndpoint calls. */
  readonly pollInterval: Duration;
  /** Most DescribeEndpoint calls before the stage gives up with `EndpointNotInService`. */
  readonly maxPolls: number;
}

/** The stage's own fields beside the run state (inside its branch only). */
interface DeploymentScratch extends RunSetup {
  /** CreateModel's `PrimaryContainer`. */
  readonly container: unknown;
  readonly poll: { readonly count: number };
  /** The error CreateLogGroup raised, checked for "already exists". */
  readonly logGroupError: { readonly Error: string; readonly Cause: string };
  /** The fields of DescribeEndpoint the stage reads. */
  readonly endpointDescription: { readonly EndpointStatus: string; readonly EndpointArn: string; readonly FailureReason?: string };
  /** The SageMaker calls' attempts and caught error. */
  readonly call: CallScratch;
}

/**
 * Hosts one model on a real-time endpoint. First the endpoint's log group,
 * `/aws/sagemaker/Endpoints/<endpoint name>`, which SageMaker would otherwise create unencrypted
 * and without expiry on first write: created with the data key, the app and run-id tags and a
 * {@link SAGEMAKER_LOG_RETENTION_DAYS}-day retention; if it exists already (a run id reused after
 * its execution expired) the key is associated again and the retention set, so the step is
 * idempotent. Its events expire with the retention; the emptied group costs nothing. Then CreateModel (tarball `ModelDataUrl` or uncompressed
 * `ModelDataSource` prefix; always network-isolated), CreateEndpointConfig (one variant,
 * `KmsKeyId` only where `$.settings.inference.volumeKmsSupported`, download and start-up timeouts
 * from the resolved settings), CreateEndpoint, then polls DescribeEndpoint until InService.
 *
 * A {@link TaskLikeStage}: one `addCatch` on `unit` covers every call.
 *
 * Input: the run state, with `$.plan` (runId, names), `$.settings.inference` (image, environment,
 * instanceType, volumeKmsSupported, modelDataDownloadTimeoutSeconds,
 * containerStartupHealthCheckTimeoutSeconds) and the weights at `modelDataPath`.
 * Output: the input with `{ "endpointName", "endpointArn", "endpointConfigName", "modelName",
 * "status": "InService", "inServiceAt": <ISO time the run saw it InService> }` at `resultPath`.
 * Errors: `EndpointFailed` (cause: the endpoint's FailureReason, or that SageMaker gave none),
 * `EndpointNotInService` (still not in service after `maxPolls` checks: at most
 * `maxPolls × pollInterval`, 90 minutes by default), and any SageMaker error SageMakerCall does not
 * retry (e.g. `SageMaker.ResourceLimitExceededException`), or retries in vain.
 *
 * It cannot delete what it created: the caller's Catch leads to the clean-up stage.
 */
export class EndpointDeploymentStage extends TaskLikeStage<EndpointDeployment> {
  constructor(scope: Construct, id: string, props: EndpointDeploymentStageProps) {
    super(scope, id, {
      stateName: `Deploy ${props.label}`,
      resultKeys: keysOf<EndpointDeployment>({
        endpointName: true,
        endpointArn: true,
        endpointConfigName: true,
        modelName: true,
        status: true,
        inServiceAt: true,
      }),
      resultPath: props.resultPath,
    });
    const { label } = props;
    const state = statePath<DeploymentScratch>();
    const inference = at(state, 'settings.inference');
    const names = {
      model: at(props.namesPath, 'model'),
      endpointConfig: at(props.namesPath, 'endpointConfig'),
      endpoint: at(props.namesPath, 'endpoint'),
    };
    const modelDataUri = at(props.modelDataPath, 'uri');
    const tags = runTags(props.resourcePrefix);
    const scratch = at(state, 'call');

    const tarball = new sfn.Pass(this, 'Tarball', {
      stateName: `${label}: tarball container`,
      parameters: {
        'Image.$': at(inference, 'image'),
        'Environment.$': at(inference, 'environment'),
        'ModelDataUrl.$': modelDataUri,
      },
      resultPath: at(state, 'container'),
    });
    const prefix = new sfn.Pass(this, 'Prefix', {
      stateName: `${label}: prefix container`,
      parameters: {
        'Image.$': at(inference, 'image'),
        'Environment.$': at(inference, 'environment'),
        ModelDataSource: { S3DataSource: { 'S3Uri.$': modelDataUri, S3DataType: 'S3Prefix', CompressionType: 'None' } },
      },
      resultPath: at(state, 'container'),
    });

    const createModel = sageMakerCall(this, `${label}: create model`, {
      action: 'createModel',
      iamAction: 'sagemaker:CreateModel',
      iamResources: [sageMakerArn(this, 'model', props.resourcePrefix)],
      parameters: {
        'ModelName.$': names.model,
        ExecutionRoleArn: props.executionRole.roleArn,
        'PrimaryContainer.$': at(state, 'container'),
        // Never taken from the spec: the hosting container gets its weights as model data and needs no network.
        EnableNetworkIsolation: true,
        Tags: tags,
      },
      scratch,
      createsResource: true,
    });

    const variant = {
      VariantName: 'AllTraffic',
      'ModelName.$': names.model,
      'InstanceType.$': at(inference, 'instanceType'),
      InitialInstanceCount: 1,
      'ModelDataDownloadTimeoutInSeconds.$': at(inference, 'modelDataDownloadTimeoutSeconds'),
      'ContainerStartupHealthCheckTimeoutInSeconds.$': at(inference, 'containerStartupHealthCheckTimeoutSeconds'),
    };
    const configArns = [sageMakerArn(this, 'endpoint-config', props.resourcePrefix)];
    const createConfigWithKey = sageMakerCall(this, `${label}: create endpoint config (KMS)`, {
      action: 'createEndpointConfig',
      iamAction: 'sagemaker:CreateEndpointConfig',
      iamResources: configArns,
      parameters: { 'EndpointConfigName.$': names.endpointConfig, ProductionVariants: [variant], KmsKeyId: props.key.keyArn, Tags: tags },
      scratch,
      createsResource: true,
    });
    const createConfig = sageMakerCall(this, `${label}: create endpoint config`, {
      action: 'createEndpointConfig',
      iamAction: 'sagemaker:CreateEndpointConfig',
      iamResources: configArns,
      comment: 'The instance type has NVMe instance storage, which rejects KmsKeyId.',
      parameters: { 'EndpointConfigName.$': names.endpointConfig, ProductionVariants: [variant], Tags: tags },
      scratch,
      createsResource: true,
    });

    const createEndpoint = sageMakerCall(this, `${label}: create endpoint`, {
      action: 'createEndpoint',
      iamAction: 'sagemaker:CreateEndpoint',
      iamResources: [sageMakerArn(this, 'endpoint', props.resourcePrefix), ...configArns],
      parameters: { 'EndpointName.$': names.endpoint, 'EndpointConfigName.$': names.endpointConfig, Tags: tags },
      scratch,
      createsResource: true,
    });

    const startPolling = new sfn.Pass(this, 'StartPolling', {
      stateName: `${label}: start polling`,
      result: sfn.Result.fromObject({ count: 0 }),
      resultPath: at(state, 'poll'),
    });
    const wait = new sfn.Wait(this, 'Wait', { stateName: `${label}: wait for endpoint`, time: sfn.WaitTime.duration(props.pollInterval) });
    const describe = sageMakerCall(this, `${label}: describe endpoint`, {
      action: 'describeEndpoint',
      iamAction: 'sagemaker:DescribeEndpoint',
      iamResources: [sageMakerArn(this, 'endpoint', props.resourcePrefix)],
      parameters: { 'EndpointName.$': names.endpoint },
      // The whole description: a selector naming FailureReason would fail (States.Runtime) while the endpoint has none.
      resultPath: at(state, 'endpointDescription'),
      scratch,
    });
    const count = new sfn.Pass(this, 'Count', {
      stateName: `${label}: count polls`,
      parameters: { 'count.$': `States.MathAdd(${at(state, 'poll.count')}, 1)` },
      resultPath: at(state, 'poll'),
    });
    const ready = new sfn.Pass(this, 'Ready', {
      stateName: `${label}: endpoint in service`,
      parameters: stateFields<EndpointDeployment>({
        endpointName: ref(names.endpoint),
        endpointArn: ref(at(state, 'endpointDescription.EndpointArn')),
        endpointConfigName: ref(names.endpointConfig),
        modelName: ref(names.model),
        status: 'InService',
        // When the run saw the endpoint InService: the start of its billed time in the cost estimate.
        inServiceAt: ref(CONTEXT_PATHS.stateEnteredTime),
      }),
    });
    // SageMaker may leave FailureReason out: reading it then would raise States.Runtime, which no Catch handles.
    const failureReason = at(state, 'endpointDescription.FailureReason');
    const failed = new sfn.Choice(this, 'FailureReason', { stateName: `${label}: failure reason given?` })
      .when(
        sfn.Condition.isPresent(failureReason),
        new sfn.Fail(this, 'Failed', { stateName: `${label}: endpoint failed`, error: 'EndpointFailed', causePath: failureReason }),
      )
      .otherwise(
        new sfn.Fail(this, 'FailedWithoutReason', {
          stateName: `${label}: endpoint failed without a reason`,
          error: 'EndpointFailed',
          cause: `The ${label} endpoint is Failed; SageMaker gave no FailureReason (see its CloudWatch logs).`,
        }),
      );
    const tooSlow = new sfn.Fail(this, 'TooSlow', {
      stateName: `${label}: endpoint not in service`,
      error: 'EndpointNotInService',
      cause: `The ${label} endpoint was not InService after ${props.maxPolls} status checks ${props.pollInterval.toHumanString()} apart.`,
    });

    const logGroups = this.endpointLogGroup(props, names.endpoint);
    const start = new sfn.Choice(this, 'ModelDataType', { stateName: `${label}: model data type` })
      .when(sfn.Condition.stringEquals(at(props.modelDataPath, 'type'), 'tarball'), tarball)
      .otherwise(prefix);
    tarball.next(createModel);
    prefix.next(createModel);
    createModel.next(
      new sfn.Choice(this, 'EncryptVolume', { stateName: `${label}: encrypt endpoint volume?` })
        .when(sfn.Condition.booleanEquals(at(inference, 'volumeKmsSupported'), true), createConfigWithKey)
        .otherwise(createConfig),
    );
    createConfigWithKey.next(createEndpoint);
    createConfig.next(createEndpoint);
    createEndpoint
      .next(startPolling)
      .next(wait)
      .next(describe)
      .next(count)
      .next(
        new sfn.Choice(this, 'Status', { stateName: `${label}: endpoint status` })
          .when(sfn.Condition.stringEquals(at(state, 'endpointDescription.EndpointStatus'), 'InService'), ready)
          .when(sfn.Condition.stringEquals(at(state, 'endpointDescription.EndpointStatus'), 'Failed'), failed)
          .when(sfn.Condition.numberGreaterThanEquals(at(state, 'poll.count'), props.maxPolls), tooSlow)
          .otherwise(wait),
      );
    logGroups.endStates.forEach((end) => end.next(start));
    this.unit.branch(logGroups.start);
  }

  /** CreateLogGroup (key, tags), or AssociateKmsKey when it exists, then PutRetentionPolicy. */
  private endpointLogGroup(props: EndpointDeploymentStageProps, endpointName: JsonPath<string>): { start: sfn.State; endStates: sfn.INextable[] } {
    const { label } = props;
    const state = statePath<DeploymentScratch>();
    const logGroupArn = endpointLogGroupsArn(this, props.resourcePrefix);
    const logGroupName = `States.Format('${ENDPOINT_LOG_GROUP_PREFIX}{}', ${endpointName})`;
    const logsCall = (id: string, action: string, iamAction: string, parameters: Record<string, unknown>, extra: string[] = []): tasks.CallAwsService =>
      new tasks.CallAwsService(this, id, {
        stateName: `${label}: ${id}`,
        service: 'cloudwatchlogs',
        action,
        iamAction,
        iamResources: [logGroupArn],
        additionalIamStatements: extra.length > 0 ? [new iam.PolicyStatement({ actions: extra, resources: [logGroupArn] })] : undefined,
        parameters: { 'LogGroupName.$': logGroupName, ...parameters },
        resultPath: sfn.JsonPath.DISCARD,
      });
    const create = logsCall(
      'create log group',
      'createLogGroup',
      'logs:CreateLogGroup',
      { KmsKeyId: props.key.keyArn, Tags: { [TAG_APP]: props.resourcePrefix, [`${TAG_RUN_ID}.$`]: at(state, 'plan.runId') } },
      // Tags on CreateLogGroup are authorized as logs:TagResource.
      ['logs:TagResource'],
    );
    const associate = logsCall('encrypt existing log group', 'associateKmsKey', 'logs:AssociateKmsKey', { KmsKeyId: props.key.keyArn });
    const retention = logsCall('set log retention', 'putRetentionPolicy', 'logs:PutRetentionPolicy', { RetentionInDays: SAGEMAKER_LOG_RETENTION_DAYS });
    // A Catch always writes Error, not always Cause: reading a missing Cause would raise States.Runtime, which no Catch handles.
    const logGroupCause = at(state, 'logGroupError.Cause');
    const reraise = new sfn.Choice(this, 'LogGroupCause', { stateName: `${label}: log group error has a cause?` })
      .when(
        sfn.Condition.isPresent(logGroupCause),
        new sfn.Fail(this, 'LogGroupFailed', {
          stateName: `${label}: log group failed`,
          errorPath: at(state, 'logGroupError.Error'),
          causePath: logGroupCause,
        }),
      )
      .otherwise(
        new sfn.Fail(this, 'LogGroupFailedWithoutCause', {
          stateName: `${label}: log group failed without a cause`,
          errorPath: at(state, 'logGroupError.Error'),
          cause: `Creating the ${label} endpoint's log group failed; CloudWatch Logs gave no cause.`,
        }),
      );
    // The SDK integration names the error <service>.ResourceAlreadyExistsException; matching the suffix keeps the service spelling out of it.
    create.addCatch(
      new sfn.Choice(this, 'LogGroupExists', { stateName: `${label}: log group exists?` })
        .when(sfn.Condition.stringMatches(at(state, 'logGroupError.Error'), '*.ResourceAlreadyExistsException'), associate)
        .otherwise(reraise),
      { resultPath: at(state, 'logGroupError') },
    );
    create.next(retention);
    associate.next(retention);
    return { start: create, endStates: [retention] };
  }
}
