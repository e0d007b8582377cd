import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataStore } from '../constructs/data-store';
import { EvaluationFunctions } from '../constructs/evaluation-functions';
import { RunAlarms } from '../constructs/run-alarms';
import { RunFunctions } from '../constructs/run-functions';
import { RunSafetyNets } from '../constructs/run-safety-nets';
import { RunStateMachine } from '../constructs/run-state-machine';
import { SageMakerExecutionRoles } from '../constructs/sagemaker-execution-roles';
import { TrainingJobsLogGroup } from '../constructs/sagemaker-log-groups';
import { STACK_OUTPUTS } from '../core/deployment';
import { templateSha256 } from '../core/run/training-channel';

/** Properties of {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The app's validated configuration. */
  readonly config: ImpressionsConfig;
  /** Bucket and key of the DataStack. */
  readonly dataStore: DataStore;
  /**
   * The AnalyticsStack's publish step, invoked after aggregation, and its failure metric.
   * @default - runs end after aggregation (results stay in S3 only)
   */
  readonly analytics?: {
    readonly publishFunction: lambda.IFunction;
    readonly refreshFailedMetric: cloudwatch.IMetric;
  };
}

/**
 * The run: the SageMaker execution roles, the run's Lambdas, the state machine, its clean-up nets
 * (janitor rule, stack-deletion sweep) and its alarms. Stateless: `cdk destroy` removes it after
 * the sweep has deleted every SageMaker resource of the app.
 */
export class PipelineStack extends Stack {
  public readonly run: RunStateMachine;
  /** The roles SageMaker training jobs and models run as. */
  public readonly sageMakerRoles: SageMakerExecutionRoles;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config, dataStore } = props;
    const key = dataStore.key;

    this.sageMakerRoles = new SageMakerExecutionRoles(this, 'SageMaker', { dataStore, modelId: config.modelId, resourcePrefix: config.resourcePrefix });

    // SageMaker's training log group, under the data key before any training job writes to it.
    const trainingLogs = new TrainingJobsLogGroup(this, 'TrainingJobLogs', { key, keyDeletedWithStack: config.removeDataOnDestroy });

    const runFunctions = new RunFunctions(this, 'RunFunctions', { logKey: key });
    const evaluation = new EvaluationFunctions(this, 'Evaluation', { dataStore, logKey: key, config });

    this.run = new RunStateMachine(this, 'Run', {
      dataStore,
      trainingRole: this.sageMakerRoles.training,
      hostingRole: this.sageMakerRoles.hosting,
      functions: {
        validateInput: runFunctions.validateInput,
        preflightQuotas: runFunctions.preflightQuotas,
        resolveModel: runFunctions.resolveModel,
        planEvaluation: evaluation.planEvaluation,
        evaluate: evaluation.evaluate,
        aggregate: evaluation.aggregate,
        publishResults: props.analytics?.publishFunction,
      },
      evaluationMaxConcurrency: evaluation.maxConcurrency,
      resourcePrefix: config.resourcePrefix,
      // RunModelSettings is a subset of the config's fields.
      model: config,
    });

    this.run.stateMachine.node.addDependency(trainingLogs.resource);

    const analytics = props.analytics;
    const alarms = new RunAlarms(this, 'Alarms', {
      stateMachine: this.run.stateMachine,
      key,
      notificationEmail: config.notificationEmail,
      extraAlarms:
        analytics === undefined
          ? []
          : [
              {
                name: 'PublishFailed',
                metric: analytics.publishFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
                description:
                  'Publishing a run\'s results for Athena/QuickSight failed; the scores are in S3. Re-invoke the publish function with { "runId": "<run id>" }.',
              },
              {
                name: 'AnalyticsRefreshFailed',
                metric: analytics.refreshFailedMetric,
                description: 'A QuickSight SPICE refresh of the run results failed; the dashboard shows older data until the next refresh.',
              },
            ],
    });
    const nets = new RunSafetyNets(this, 'SafetyNets', {
      stateMachine: this.run.stateMachine,
      dataStore,
      resourcePrefix: config.resourcePrefix,
      alarmTopic: alarms.topic,
      janitorMaxWait: Duration.hours(config.janitorMaxWaitHours),
    });
    alarms.addAlarm({
      name: 'JanitorGaveUp',
      metric: nets.metricJanitorFailed(),
      description:
        'The janitor could not delete everything a run left (its notification names what is left); delete it with npx impressions endpoints delete --run <run id>. The hourly orphan check keeps trying.',
    });
    alarms.addAlarm({
      name: 'OrphanedResources',
      metric: nets.metricOrphanedResources(),
      description:
        'The hourly orphan check found SageMaker resources of this app that no run owns (it deletes them; see its log for their names). An earlier safety net failed.',
    });
    alarms.addAlarm({
      name: 'SafetyNetDeadLetters',
      metric: nets.metricDeadLetters(),
      description:
        'An event for the janitor or the orphan check could not be delivered and waits in their dead-letter queue; replay it or run the clean-up by hand.',
    });

    new CfnOutput(this, STACK_OUTPUTS.stateMachineArn, {
      value: this.run.stateMachine.stateMachineArn,
      description: 'Run state machine (npx impressions run)',
    });
    new CfnOutput(this, STACK_OUTPUTS.promptTemplateSha256, {
      value: templateSha256(config.promptTemplate),
      description: 'SHA-256 of the prompt template the evaluation uses (npx impressions run checks the training channel against it)',
    });
  }
}
