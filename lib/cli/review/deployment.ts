/**
 * Where the review lives in a deployment: the data bucket (data stack output) and the review
 * stack's state machine, worker portal and user pool (review stack outputs), and how a review is
 * handed to it: its description and items written to `reviews/<id>/`, then one execution of the
 * review state machine named after the review.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { writeText } from '../../aws/s3-text';
import { stackNames, STACK_OUTPUTS } from '../../core/deployment';
import { formatReviewItems, type ReviewDescription, type ReviewItem } from '../../core/review/items';
import { reviewDescriptionKey, reviewItemsKey } from '../../core/review/keys';
import type { ReviewExecutionInput } from '../../core/review/review-lambda-contracts';
import { CliError, EXIT } from '../errors';
import { readStackOutputs, requireStackOutput } from '../stack-outputs';

/** The deployed review resources the CLI needs. */
export interface ReviewDeployment {
  readonly bucket: string;
  readonly stateMachineArn: string;
  readonly portalUrl: string;
  readonly userPoolId: string;
}

/**
 * Reads the review deployment from the stacks' outputs.
 * @throws CliError when the review stack is not deployed (it is opt-in: the message says how to
 * deploy it); any other AWS failure (network, credentials, access) as the SDK raised it, for the
 * CLI's one description of AWS failures (lib/cli/aws.ts).
 */
export async function resolveReviewDeployment(cf: CloudFormationClient, resourcePrefix: string, bucket?: string): Promise<ReviewDeployment> {
  const names = stackNames(resourcePrefix);
  const outputs = await readStackOutputs(cf, names.review).catch((error: Error) => {
    // CloudFormation answers DescribeStacks of a missing stack with a ValidationError "Stack with id <name> does not exist".
    if (error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new CliError(
        `stack ${names.review} is not deployed in this account and region: the review stack is opt-in, deploy it with ` +
          '-c impressions:reviewEnabled=true (README "Radiologist review")',
        EXIT.failed,
      );
    }
    throw error;
  });
  const need = (key: string) => {
    const value = outputs[key];
    if (value === undefined) throw new CliError(`stack ${names.review} has no output ${key}; redeploy it with this version (npx cdk deploy --all)`);
    return value;
  };
  return {
    bucket: bucket ?? (await requireStackOutput(cf, names.data, STACK_OUTPUTS.dataBucketName)),
    stateMachineArn: need(STACK_OUTPUTS.reviewStateMachineArn),
    portalUrl: need(STACK_OUTPUTS.reviewPortalUrl),
    userPoolId: need(STACK_OUTPUTS.reviewUserPoolId),
  };
}

/** Writes the review's items and description (items first: the description announces them). */
export async function writeReview(s3: S3Client, bucket: string, description: ReviewDescription, items: readonly ReviewItem[]): Promise<void> {
  await writeText(s3, bucket, reviewItemsKey(description.reviewId), formatReviewItems(items), 'application/x-ndjson');
  await writeText(s3, bucket, reviewDescriptionKey(description.reviewId), `${JSON.stringify(description, null, 2)}\n`, 'application/json');
}

/** Starts the review state machine for the review; returns the execution ARN. */
export async function startReviewExecution(sfn: SFNClient, stateMachineArn: string, description: ReviewDescription): Promise<string> {
  const input: ReviewExecutionInput = { reviewId: description.reviewId, runId: description.runId };
  try {
    const response = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: description.reviewId, input: JSON.stringify(input) }));
    return response.executionArn ?? '';
  } catch (error) {
    throw new CliError(`could not start the review state machine: ${(error as Error).name}: ${(error as Error).message}`, EXIT.failed);
  }
}

/** The ARN of the execution of `reviewId` (executions are named after their review). */
export function reviewExecutionArn(stateMachineArn: string, reviewId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${reviewId}`;
}

/** The review's deadline `days` after `now` (decimals allowed), within the flow definitions' 10 days. */
export function reviewDeadline(now: Date, days: number): Date {
  if (!(days >= 0.01 && days <= 10))
    throw new CliError(`--deadline-days ${days}: must be from 0.01 to 10 (tasks stay available to readers for at most 10 days)`);
  return new Date(now.getTime() + Math.round(days * 86_400_000));
}
