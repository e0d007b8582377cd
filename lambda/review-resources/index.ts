/**
 * review-resources: the custom resources of the review stack for what CloudFormation cannot
 * create here (README "Radiologist review"): the private workforce, the human task UIs and the
 * flow definitions. One function behind an aws-cdk-lib `custom_resources.Provider` (onEvent +
 * isComplete): onEvent calls Create*, Update* or Delete*, isComplete waits until SageMaker reports
 * the resource Active (or gone), so `cdk deploy` fails on a Failed resource and `cdk destroy`
 * finishes only once each is deleted.
 *
 * Human task UIs and flow definitions cannot be changed in place: their names carry a hash of
 * their settings, so a change is a new resource with a new physical id, and CloudFormation then
 * deletes the old one. A region has at most one private workforce: when one already exists for
 * this stack's Cognito user pool it is adopted (and left in place on delete); when one exists for
 * anything else, creation fails with what to do.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  CreateFlowDefinitionCommand,
  CreateHumanTaskUiCommand,
  CreateWorkforceCommand,
  DeleteFlowDefinitionCommand,
  DeleteHumanTaskUiCommand,
  DeleteWorkforceCommand,
  DescribeFlowDefinitionCommand,
  DescribeHumanTaskUiCommand,
  ListWorkforcesCommand,
  SageMakerClient,
  UpdateWorkforceCommand,
  type Workforce,
} from '@aws-sdk/client-sagemaker';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  REVIEW_RESOURCE_TYPES,
  type FlowDefinitionProperties,
  type HumanTaskUiProperties,
  type WorkforceProperties,
} from '../../lib/core/review/review-lambda-contracts';

const logger = new Logger();

/** What the provider framework gets back from onEvent. */
export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** What the provider framework gets back from isComplete. */
export interface IsCompleteResponse {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** The isComplete event: the onEvent event plus the physical id onEvent returned. */
export type IsCompleteEvent = CloudFormationCustomResourceEvent & { readonly PhysicalResourceId: string };

/** A resource is in a state no wait can fix (e.g. a Failed flow definition, a workforce of another pool). */
export class ReviewResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewResourceError';
  }
}

const ADOPTED = 'adopted:';

/**
 * The physical name of an immutable resource: its base name and 8 hex digits of a SHA-256 of its
 * settings as deployed (ARNs resolved), so any change is a new resource and a redeployment without
 * change keeps it.
 */
export function versionedName(base: string, settings: unknown): string {
  return `${base}-${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8)}`;
}

function uiName(p: HumanTaskUiProperties): string {
  return versionedName(p.HumanTaskUiName, p.Template);
}

function flowName(p: FlowDefinitionProperties): string {
  const { FlowDefinitionName, ...settings } = p as FlowDefinitionProperties & { ServiceToken?: string };
  delete (settings as { ServiceToken?: string }).ServiceToken;
  return versionedName(FlowDefinitionName, settings);
}

function isGone(error: unknown): boolean {
  return (error as Error).name === 'ResourceNotFound' || (error as Error).name === 'ResourceNotFoundException';
}

async function ignoreGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

function props<T>(event: CloudFormationCustomResourceEvent): T {
  return event.ResourceProperties as unknown as T;
}

function cidrs(p: WorkforceProperties): string[] {
  return Array.isArray(p.Cidrs) ? p.Cidrs.filter((c) => c !== '') : [];
}

/** The region's private workforce, if any (there is at most one). */
async function existingWorkforce(sagemaker: SageMakerClient): Promise<Workforce | undefined> {
  const page = await sagemaker.send(new ListWorkforcesCommand({ MaxResults: 10 }));
  return page.Workforces?.[0];
}

function describeOwner(w: Workforce): string {
  if (w.CognitoConfig !== undefined) return `Cognito user pool ${w.CognitoConfig.UserPool}`;
  if (w.OidcConfig !== undefined) return 'an OIDC identity provider';
  return 'another identity provider';
}

async function workforceEvent(sagemaker: SageMakerClient, event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  const p = props<WorkforceProperties>(event);
  if (event.RequestType === 'Delete') {
    if (!event.PhysicalResourceId.startsWith(ADOPTED))
      await ignoreGone(sagemaker.send(new DeleteWorkforceCommand({ WorkforceName: event.PhysicalResourceId })));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  if (event.RequestType === 'Update') {
    const old = event.OldResourceProperties as unknown as WorkforceProperties;
    if (old.UserPoolId !== p.UserPoolId || old.ClientId !== p.ClientId || old.WorkforceName !== p.WorkforceName) {
      throw new ReviewResourceError('the workforce cannot move to another Cognito user pool, app client or name: destroy the review stack and deploy it again');
    }
    const name = event.PhysicalResourceId.replace(ADOPTED, '');
    await sagemaker.send(new UpdateWorkforceCommand({ WorkforceName: name, SourceIpConfig: { Cidrs: cidrs(p) } }));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const existing = await existingWorkforce(sagemaker);
  if (existing !== undefined) {
    if (existing.CognitoConfig?.UserPool === p.UserPoolId && existing.CognitoConfig?.ClientId === p.ClientId) {
      return { PhysicalResourceId: `${ADOPTED}${existing.WorkforceName}` };
    }
    throw new ReviewResourceError(
      `this account already has a private workforce in this region (${existing.WorkforceName}, ${describeOwner(existing)}); SageMaker allows one per region. ` +
        'Delete its work teams and the workforce (aws sagemaker delete-workforce), or deploy the review stack in another region.',
    );
  }
  const list = cidrs(p);
  await sagemaker.send(
    new CreateWorkforceCommand({
      WorkforceName: p.WorkforceName,
      CognitoConfig: { UserPool: p.UserPoolId, ClientId: p.ClientId },
      ...(list.length > 0 ? { SourceIpConfig: { Cidrs: list } } : {}),
    }),
  );
  return { PhysicalResourceId: p.WorkforceName };
}

async function workforceComplete(sagemaker: SageMakerClient, event: IsCompleteEvent): Promise<IsCompleteResponse> {
  const name = event.PhysicalResourceId.replace(ADOPTED, '');
  const found = await existingWorkforce(sagemaker);
  const w = found?.WorkforceName === name ? found : undefined;
  if (event.RequestType === 'Delete') return { IsComplete: event.PhysicalResourceId.startsWith(ADOPTED) || w === undefined };
  if (w === undefined) throw new ReviewResourceError(`workforce ${name} does not exist`);
  if (w.Status === 'Failed') throw new ReviewResourceError(`workforce ${name} failed: ${w.FailureReason ?? 'no reason given'}`);
  if (w.Status !== undefined && w.Status !== 'Active') return { IsComplete: false };
  const portal = w.SubDomain === undefined ? '' : w.SubDomain.startsWith('http') ? w.SubDomain : `https://${w.SubDomain}`;
  return { IsComplete: true, Data: { WorkforceArn: w.WorkforceArn ?? '', WorkforceName: name, PortalUrl: portal } };
}

async function humanTaskUiEvent(sagemaker: SageMakerClient, event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  const p = props<HumanTaskUiProperties>(event);
  if (event.RequestType === 'Delete') {
    await ignoreGone(sagemaker.send(new DeleteHumanTaskUiCommand({ HumanTaskUiName: event.PhysicalResourceId })));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const name = uiName(p);
  if (event.RequestType === 'Update' && event.PhysicalResourceId === name) return { PhysicalResourceId: name };
  await sagemaker.send(new CreateHumanTaskUiCommand({ HumanTaskUiName: name, UiTemplate: { Content: p.Template } }));
  return { PhysicalResourceId: name };
}

async function humanTaskUiComplete(sagemaker: SageMakerClient, event: IsCompleteEvent): Promise<IsCompleteResponse> {
  try {
    const ui = await sagemaker.send(new DescribeHumanTaskUiCommand({ HumanTaskUiName: event.PhysicalResourceId }));
    if (event.RequestType === 'Delete') return { IsComplete: false };
    return { IsComplete: ui.HumanTaskUiStatus === undefined || ui.HumanTaskUiStatus === 'Active', Data: { HumanTaskUiArn: ui.HumanTaskUiArn ?? '' } };
  } catch (error) {
    if (isGone(error) && event.RequestType === 'Delete') return { IsComplete: true };
    throw error;
  }
}

async function flowDefinitionEvent(sagemaker: SageMakerClient, event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> {
  const p = props<FlowDefinitionProperties>(event);
  if (event.RequestType === 'Delete') {
    await ignoreGone(sagemaker.send(new DeleteFlowDefinitionCommand({ FlowDefinitionName: event.PhysicalResourceId })));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const name = flowName(p);
  if (event.RequestType === 'Update' && event.PhysicalResourceId === name) return { PhysicalResourceId: name };
  await sagemaker.send(
    new CreateFlowDefinitionCommand({
      FlowDefinitionName: name,
      RoleArn: p.RoleArn,
      OutputConfig: { S3OutputPath: p.OutputPath, KmsKeyId: p.KmsKeyArn },
      HumanLoopConfig: {
        WorkteamArn: p.WorkteamArn,
        HumanTaskUiArn: p.HumanTaskUiArn,
        TaskTitle: p.TaskTitle,
        TaskDescription: p.TaskDescription,
        // One reader per loop: each reader slot has its own work team and flow definition (see the ReviewStack).
        TaskCount: 1,
        TaskAvailabilityLifetimeInSeconds: Number(p.TaskAvailabilitySeconds),
        TaskTimeLimitInSeconds: Number(p.TaskTimeLimitSeconds),
      },
    }),
  );
  return { PhysicalResourceId: name };
}

async function flowDefinitionComplete(sagemaker: SageMakerClient, event: IsCompleteEvent): Promise<IsCompleteResponse> {
  try {
    const fd = await sagemaker.send(new DescribeFlowDefinitionCommand({ FlowDefinitionName: event.PhysicalResourceId }));
    if (event.RequestType === 'Delete') return { IsComplete: false };
    if (fd.FlowDefinitionStatus === 'Failed')
      throw new ReviewResourceError(`flow definition ${event.PhysicalResourceId} failed: ${fd.FailureReason ?? 'no reason given'}`);
    return { IsComplete: fd.FlowDefinitionStatus === 'Active', Data: { FlowDefinitionArn: fd.FlowDefinitionArn ?? '' } };
  } catch (error) {
    if (isGone(error) && event.RequestType === 'Delete') return { IsComplete: true };
    throw error;
  }
}

/** Both handlers around a client (tests pass one pointed at a stand-in). */
export function createHandlers(sagemaker: SageMakerClient) {
  return {
    onEvent: async (event: CloudFormationCustomResourceEvent): Promise<OnEventResponse> => {
      logger.info('review resource event', { requestType: event.RequestType, resourceType: event.ResourceType, logicalId: event.LogicalResourceId });
      switch (event.ResourceType) {
        case REVIEW_RESOURCE_TYPES.workforce:
          return workforceEvent(sagemaker, event);
        case REVIEW_RESOURCE_TYPES.humanTaskUi:
          return humanTaskUiEvent(sagemaker, event);
        case REVIEW_RESOURCE_TYPES.flowDefinition:
          return flowDefinitionEvent(sagemaker, event);
        default:
          throw new ReviewResourceError(`unknown resource type ${event.ResourceType}`);
      }
    },
    isComplete: async (event: IsCompleteEvent): Promise<IsCompleteResponse> => {
      switch (event.ResourceType) {
        case REVIEW_RESOURCE_TYPES.workforce:
          return workforceComplete(sagemaker, event);
        case REVIEW_RESOURCE_TYPES.humanTaskUi:
          return humanTaskUiComplete(sagemaker, event);
        case REVIEW_RESOURCE_TYPES.flowDefinition:
          return flowDefinitionComplete(sagemaker, event);
        default:
          throw new ReviewResourceError(`unknown resource type ${event.ResourceType}`);
      }
    },
  };
}

const handlers = createHandlers(new SageMakerClient({}));
/** Provider `onEventHandler` entry point. */
export const onEvent = handlers.onEvent;
/** Provider `isCompleteHandler` entry point. */
export const isComplete = handlers.isComplete;
