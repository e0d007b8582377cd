import { Aws, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataStore } from '../constructs/data-store';
import { ReviewResourceProvider } from '../constructs/review-resource-provider';
import { ReviewStateMachine } from '../constructs/review-state-machine';
import { ReviewTaskFlows } from '../constructs/review-task-flows';
import { ReviewWorkforce } from '../constructs/review-workforce';
import { STACK_OUTPUTS } from '../core/deployment';
import { REVIEW_TEAMS, reviewNames } from '../core/review/keys';

/** Properties of {@link ReviewStack}. */
export interface ReviewStackProps extends StackProps {
  readonly config: ImpressionsConfig;
  readonly dataStore: DataStore;
  /**
   * The AnalyticsStack's publish function (registers the review's Glue partitions, refreshes SPICE).
   * @default - reviews end after their summary
   */
  readonly publishFunction?: lambda.IFunction;
}

/**
 * Radiologists in the loop (README "Radiologist review"): the readers (Cognito, MFA) and the
 * SageMaker private workforce with one work team per reader slot and one for feedback, the A2I
 * human task UIs and flow definitions, and the review state machine with its A2I event rule.
 * Deployed only with `impressions:reviewEnabled` (a region has one private workforce).
 */
export class ReviewStack extends Stack {
  public readonly workforce: ReviewWorkforce;
  public readonly taskFlows: ReviewTaskFlows;
  public readonly review: ReviewStateMachine;

  constructor(scope: Construct, id: string, props: ReviewStackProps) {
    super(scope, id, props);
    const { config, dataStore } = props;
    const names = reviewNames(config.resourcePrefix);
    const provider = new ReviewResourceProvider(this, 'Resources', { logKey: dataStore.key });
    this.workforce = new ReviewWorkforce(this, 'Readers', {
      provider,
      workforceName: names.workforce,
      workteamName: names.workteam,
      domainPrefix: config.reviewDomainPrefix ?? `${config.resourcePrefix}-readers-${Aws.ACCOUNT_ID}`,
      allowedCidrs: config.reviewAllowedCidrs,
      removeOnDestroy: config.removeDataOnDestroy,
    });
    this.taskFlows = new ReviewTaskFlows(this, 'TaskFlows', {
      provider,
      dataStore,
      workteamArns: this.workforce.workteamArns,
      dependsOn: this.workforce.workteams,
      humanTaskUiName: names.humanTaskUi,
      flowDefinitionName: names.flowDefinition,
    });
    this.review = new ReviewStateMachine(this, 'Review', {
      dataStore,
      stateMachineName: names.stateMachine,
      flowDefinitionArns: this.taskFlows.flowDefinitionArns,
      flowDefinitionBaseNames: REVIEW_TEAMS.map(names.flowDefinition),
      publishFunction: props.publishFunction,
    });

    new CfnOutput(this, STACK_OUTPUTS.reviewStateMachineArn, {
      value: this.review.stateMachine.stateMachineArn,
      description: 'Review state machine (npx impressions review start|drafts)',
    });
    new CfnOutput(this, STACK_OUTPUTS.reviewPortalUrl, { value: this.workforce.portalUrl, description: "Readers' worker portal (A2I tasks)" });
    new CfnOutput(this, STACK_OUTPUTS.reviewUserPoolId, {
      value: this.workforce.userPool.userPoolId,
      description: "Readers' Cognito user pool (npx impressions review readers add)",
    });
  }
}
