/**
 * sagemaker-log-group: custom resource (aws-cdk-lib `custom_resources.Provider`, onEvent only) that
 * puts a log group SageMaker writes to, but which the app does not own (`/aws/sagemaker/TrainingJobs`),
 * under the data key and a retention. Create and Update create the group, or adopt the existing one
 * (associate the key, put the retention) and keep what it replaced in the physical resource id;
 * Delete retains the group and gives an adopted one its previous key and retention back
 * (lib/core/run/log-group-adoption.ts). Logs carry the log group name and step names only.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  AssociateKmsKeyCommand,
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DisassociateKmsKeyCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  decodeAdoption,
  encodeAdoption,
  parseLogGroupRequest,
  planEnsure,
  planRelease,
  type Adoption,
  type LogGroupState,
  type LogGroupStep,
} from '../../lib/core/run/log-group-adoption';

const logger = new Logger();

/** What the provider framework expects back. */
export interface LogGroupResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly LogGroupName: string };
}

/** The group's key and retention, read with DescribeLogGroups (exact name, every page). */
export async function describeLogGroup(logs: CloudWatchLogsClient, logGroupName: string): Promise<LogGroupState> {
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName, nextToken }));
    const group = page.logGroups?.find((g) => g.logGroupName === logGroupName);
    if (group !== undefined) return { exists: true, kmsKeyId: group.kmsKeyId, retentionInDays: group.retentionInDays };
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return { exists: false };
}

async function run(logs: CloudWatchLogsClient, logGroupName: string, steps: readonly LogGroupStep[]): Promise<void> {
  for (const step of steps) {
    switch (step.action) {
      case 'create':
        await logs.send(new CreateLogGroupCommand({ logGroupName, kmsKeyId: step.kmsKeyId }));
        break;
      case 'associateKey':
        await logs.send(new AssociateKmsKeyCommand({ logGroupName, kmsKeyId: step.kmsKeyId }));
        break;
      case 'disassociateKey':
        await logs.send(new DisassociateKmsKeyCommand({ logGroupName }));
        break;
      case 'putRetention':
        await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: step.retentionInDays }));
        break;
      case 'deleteRetention':
        await logs.send(new DeleteRetentionPolicyCommand({ logGroupName }));
        break;
    }
  }
}

/** Builds the handler around its client (tests pass one pointed at a local stand-in). */
export function createHandler(logs: CloudWatchLogsClient) {
  const ensure = async (logGroupName: string, settings: { kmsKeyId: string; retentionInDays: number }, previous?: Adoption): Promise<Adoption> => {
    const current = await describeLogGroup(logs, logGroupName);
    const plan = planEnsure(current, settings, logGroupName, previous);
    try {
      await run(logs, logGroupName, plan.steps);
    } catch (error) {
      // SageMaker created the group between the describe and the create: adopt it instead.
      if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
      const again = planEnsure(await describeLogGroup(logs, logGroupName), settings, logGroupName, previous);
      await run(logs, logGroupName, again.steps);
      logger.info('log group ensured', { logGroupName, steps: again.steps.map((s) => s.action), created: again.adoption.created });
      return again.adoption;
    }
    logger.info('log group ensured', { logGroupName, steps: plan.steps.map((s) => s.action), created: plan.adoption.created });
    return plan.adoption;
  };

  return async (raw: unknown): Promise<LogGroupResponse> => {
    const event = parseLogGroupRequest(raw);
    const props = event.ResourceProperties;
    const settings = { kmsKeyId: props.KmsKeyId, retentionInDays: Number(props.RetentionInDays) };
    if (event.RequestType === 'Create') {
      const adoption = await ensure(props.LogGroupName, settings);
      return { PhysicalResourceId: encodeAdoption(adoption), Data: { LogGroupName: props.LogGroupName } };
    }
    if (event.RequestType === 'Update') {
      const previous = decodeAdoption(event.PhysicalResourceId);
      if (previous.logGroupName !== props.LogGroupName) throw new Error(`the log group cannot change from ${previous.logGroupName} to ${props.LogGroupName}`);
      const adoption = await ensure(props.LogGroupName, settings, previous);
      return { PhysicalResourceId: encodeAdoption(adoption), Data: { LogGroupName: props.LogGroupName } };
    }
    let adoption: Adoption;
    try {
      adoption = decodeAdoption(event.PhysicalResourceId);
    } catch {
      // A create that failed before it returned a record (CloudFormation rolls back with another id): nothing was taken.
      logger.warn('no adoption record to release', { logGroupName: props.LogGroupName });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const steps = planRelease(await describeLogGroup(logs, adoption.logGroupName), adoption, props.ReleaseKeyOnDelete === 'true');
    await run(logs, adoption.logGroupName, steps);
    logger.info('log group released', { logGroupName: adoption.logGroupName, steps: steps.map((s) => s.action), created: adoption.created });
    return { PhysicalResourceId: event.PhysicalResourceId };
  };
}

/** Provider `onEventHandler` entry point. */
export const handler = createHandler(new CloudWatchLogsClient({}));
