import * as fs from 'node:fs';
import * as path from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IDependable } from 'constructs';
import { A2I_OUTPUT_PREFIX, REVIEW_TEAMS, type ReviewTeam } from '../core/review/keys';
import { REVIEW_RESOURCE_TYPES, type FlowDefinitionProperties, type HumanTaskUiProperties } from '../core/review/review-lambda-contracts';
import type { ReviewKind } from '../core/run/contracts';
import { DataPrefix, DataStore } from './data-store';
import { acknowledgeGrantWildcards } from './nag-acknowledgements';
import { ReviewResourceProvider } from './review-resource-provider';

/** Folder of the worker task templates (Liquid + Crowd HTML Elements). */
export const WORKER_TEMPLATES = path.join(__dirname, 'worker-templates');

/** Properties of {@link ReviewTaskFlows}. */
export interface ReviewTaskFlowsProps {
  readonly provider: ReviewResourceProvider;
  /** Bucket (A2I writes under `reviews/a2i-output/`) and key (encrypts A2I's output). */
  readonly dataStore: DataStore;
  /** Work team ARN of each team. */
  readonly workteamArns: Readonly<Record<ReviewTeam, string>>;
  /** What must exist before the flow definitions (the work teams). */
  readonly dependsOn?: readonly IDependable[];
  /** Base name of each kind's human task UI (the custom resource appends a hash of the template). */
  readonly humanTaskUiName: (kind: ReviewKind) => string;
  /** Base name of each team's flow definition (the custom resource appends a hash of its resolved settings). */
  readonly flowDefinitionName: (team: ReviewTeam) => string;
  /**
   * How long a task stays available to its reader; a review's deadline cannot be later.
   * @default Duration.days(10) (A2I's maximum, 864,000 s)
   */
  readonly taskAvailability?: Duration;
  /**
   * How long a reader may take for one task once accepted.
   * @default Duration.hours(1)
   */
  readonly taskTimeLimit?: Duration;
}

/** A2I's limit on TaskAvailabilityLifetimeInSeconds. */
const MAX_AVAILABILITY = Duration.days(10);

/**
 * What A2I needs to put review tasks in front of readers: the role A2I assumes (it may write its
 * output documents under `reviews/a2i-output/` with the data key, nothing else: it reads no input
 * object, the task input travels in the human loop), a human task UI per review kind made from the
 * worker templates, and one flow definition per team (one reader per loop), whose output goes to
 * the data bucket encrypted with the data key.
 */
export class ReviewTaskFlows extends Construct {
  /** The role A2I assumes for the flow definitions. */
  public readonly a2iRole: iam.Role;
  /** Flow definition ARN of each team. */
  public readonly flowDefinitionArns: Readonly<Record<ReviewTeam, string>>;
  /** Human task UI ARN of each kind. */
  public readonly humanTaskUiArns: Readonly<Record<ReviewKind, string>>;

  constructor(scope: Construct, id: string, props: ReviewTaskFlowsProps) {
    super(scope, id);
    const availability = props.taskAvailability ?? MAX_AVAILABILITY;
    const timeLimit = props.taskTimeLimit ?? Duration.hours(1);
    if (!availability.isUnresolved() && (availability.toSeconds() < 1 || availability.toSeconds() > MAX_AVAILABILITY.toSeconds())) {
      throw new Error(`ReviewTaskFlows: taskAvailability must be from 1 s to 10 days, got ${availability.toHumanString()}`);
    }
    if (!timeLimit.isUnresolved() && (timeLimit.toSeconds() < 30 || timeLimit.toSeconds() > 28800)) {
      throw new Error(`ReviewTaskFlows: taskTimeLimit must be from 30 s to 8 h, got ${timeLimit.toHumanString()}`);
    }
    const stack = Stack.of(this);
    const { dataStore } = props;

    this.a2iRole = new iam.Role(this, 'A2iRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'radiology-impressions: A2I writes review answers under reviews/a2i-output/ (encrypted with the data key)',
    });
    acknowledgeGrantWildcards(
      this.a2iRole,
      dataStore.grantWrite(this.a2iRole, DataPrefix.A2I_OUTPUT),
      'A2I names its output documents <flow definition>/<yyyy/mm/dd/hh/mm/ss>/<loop>/output.json under reviews/a2i-output/.',
    );

    const uis = {} as Record<ReviewKind, string>;
    for (const kind of ['evaluation', 'feedback'] as const) {
      const template = fs.readFileSync(path.join(WORKER_TEMPLATES, `${kind}-review.liquid.html`), 'utf8');
      const ui = new CustomResource(this, `HumanTaskUi-${kind}`, {
        serviceToken: props.provider.serviceToken,
        resourceType: REVIEW_RESOURCE_TYPES.humanTaskUi,
        properties: { HumanTaskUiName: props.humanTaskUiName(kind), Template: template } satisfies Record<keyof HumanTaskUiProperties, unknown>,
      });
      uis[kind] = ui.getAttString('HumanTaskUiArn');
    }
    this.humanTaskUiArns = uis;

    const outputPath = `s3://${dataStore.bucket.bucketName}/${A2I_OUTPUT_PREFIX}`;
    const flows = {} as Record<ReviewTeam, string>;
    for (const team of REVIEW_TEAMS) {
      const kind: ReviewKind = team === 'feedback' ? 'feedback' : 'evaluation';
      const settings: Omit<FlowDefinitionProperties, 'FlowDefinitionName'> = {
        WorkteamArn: props.workteamArns[team],
        HumanTaskUiArn: uis[kind],
        RoleArn: this.a2iRole.roleArn,
        OutputPath: outputPath,
        KmsKeyArn: dataStore.key.keyArn,
        TaskTitle: kind === 'feedback' ? 'Check a draft chest X-ray impression' : 'Rate two chest X-ray impressions',
        TaskDescription:
          kind === 'feedback'
            ? 'Accept, correct or reject a draft impression written from the findings.'
            : 'Rate two impressions of the same findings (correct, complete, concise, harm) and choose the better one.',
        TaskAvailabilitySeconds: String(availability.toSeconds()),
        TaskTimeLimitSeconds: String(timeLimit.toSeconds()),
      };
      const flow = new CustomResource(this, `FlowDefinition-${team}`, {
        serviceToken: props.provider.serviceToken,
        resourceType: REVIEW_RESOURCE_TYPES.flowDefinition,
        properties: { FlowDefinitionName: props.flowDefinitionName(team), ...settings } satisfies Record<keyof FlowDefinitionProperties, unknown>,
      });
      for (const d of props.dependsOn ?? []) flow.node.addDependency(d);
      // A2I checks at creation that it may use the role.
      const policy = this.a2iRole.node.tryFindChild('DefaultPolicy');
      if (policy !== undefined) flow.node.addDependency(policy);
      flows[team] = flow.getAttString('FlowDefinitionArn');
    }
    this.flowDefinitionArns = flows;

    const baseName = (team: ReviewTeam) => props.flowDefinitionName(team);
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageReviewHumanTaskUis',
        actions: ['sagemaker:CreateHumanTaskUi', 'sagemaker:DeleteHumanTaskUi', 'sagemaker:DescribeHumanTaskUi'],
        resources: (['evaluation', 'feedback'] as const).map((k) =>
          stack.formatArn({ service: 'sagemaker', resource: 'human-task-ui', resourceName: `${props.humanTaskUiName(k)}-*` }),
        ),
      }),
    );
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ManageReviewFlowDefinitions',
        actions: ['sagemaker:CreateFlowDefinition', 'sagemaker:DeleteFlowDefinition', 'sagemaker:DescribeFlowDefinition'],
        resources: REVIEW_TEAMS.map((t) => stack.formatArn({ service: 'sagemaker', resource: 'flow-definition', resourceName: `${baseName(t)}-*` })),
      }),
    );
    props.provider.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassTheA2iRole',
        actions: ['iam:PassRole'],
        resources: [this.a2iRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    props.provider.acknowledge(
      ...(['evaluation', 'feedback'] as const).map((k) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:human-task-ui/${props.humanTaskUiName(k)}-*]`,
        reason: 'Human task UIs are immutable: each template version is a new UI named <base>-<template hash>; only those names.',
      })),
      ...REVIEW_TEAMS.map((t) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:flow-definition/${baseName(t)}-*]`,
        reason: 'Flow definitions are immutable: each version of the settings is a new one named <base>-<settings hash>; only those names.',
      })),
    );

    Validations.of(this.a2iRole).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: "Assumed by A2I for this app's flow definitions only; its one grant (put under reviews/a2i-output/ with the data key) is generated next to it.",
    });
  }
}
