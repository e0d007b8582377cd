import { ArnFormat, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Properties of {@link RunAlarms}. */
export interface RunAlarmsProps {
  readonly stateMachine: sfn.StateMachine;
  /** Key encrypting the topic (CloudWatch is allowed to use it for publishing). */
  readonly key: kms.IKey;
  /**
   * E-mail address subscribed to the topic (the subscription must be confirmed from the mail).
   * @default - no subscription
   */
  readonly notificationEmail?: string;
  /**
   * More conditions worth an alarm on the same topic, e.g. the analytics refresh failing.
   * @default - none
   */
  readonly extraAlarms?: readonly RunAlarmMetric[];
}

/** A metric that raises an alarm when it reaches 1 in one of its periods. */
export interface RunAlarmMetric {
  /** Construct id suffix of the alarm. */
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
  /** What it means and what to do; no run data. */
  readonly description: string;
}

/**
 * Alarms on runs that failed, timed out or were aborted, publishing to an SNS topic encrypted
 * with the data key (TLS-only publishing). Each alarm fires on one such execution within five
 * minutes. Messages name the alarm and the state machine only, never a run's data.
 *
 * CloudWatch publishes an alarm's notification as `cloudwatch.amazonaws.com`, so two policies must
 * let it: the key policy (it encrypts for the topic; statement added here) and the topic policy.
 * The topic's own policy is not SNS's default once a statement is added (here the TLS-only deny of
 * `enforceSSL`), so it must allow the publish itself: `sns:Publish` for `cloudwatch.amazonaws.com`,
 * narrowed to this account (`aws:SourceAccount`) and to the ARNs of these alarms (`aws:SourceArn`),
 * as the Amazon SNS developer guide's access-control examples do for AWS services publishing to a
 * topic ("aws:SourceAccount and aws:SourceOwner"; CloudWatch alarms publishing to a topic).
 */
export class RunAlarms extends Construct {
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RunAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'radiology-impressions run alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    const keyStack = Stack.of(props.key);
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // A key policy's resource is always the key itself.
        resources: ['*'],
        // Confused deputy: only for alarms of this account and region. The SNS documentation's key
        // policy for AWS services publishing to encrypted topics binds the service principal with
        // aws:SourceArn (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). The
        // topic is in another stack: naming it here would make the key's stack depend on this one.
        conditions: {
          StringEquals: { 'aws:SourceAccount': keyStack.account },
          ArnLike: {
            'aws:SourceArn': keyStack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheseAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => this.alarms.map((a) => a.alarmArn) }) },
        },
      }),
    );
    if (props.notificationEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.notificationEmail));
    }
    const machine = props.stateMachine;
    const metrics: [string, cloudwatch.Metric, string][] = [
      ['Failed', machine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }), 'A run failed (its clean-up ran; check that nothing is left).'],
      ['TimedOut', machine.metricTimedOut({ period: Duration.minutes(5), statistic: 'Sum' }), 'A run timed out; the janitor deletes what it left.'],
      ['Aborted', machine.metricAborted({ period: Duration.minutes(5), statistic: 'Sum' }), 'A run was stopped; the janitor deletes what it left.'],
    ];
    for (const [name, metric, description] of metrics) this.addAlarm({ name: `Runs${name}`, metric, description });
    for (const extra of props.extraAlarms ?? []) this.addAlarm(extra);
  }

  /** An alarm at 1 on `metric` that publishes to the topic (and is allowed to by its policy). */
  addAlarm(spec: RunAlarmMetric): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, spec.name, {
      metric: spec.metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
