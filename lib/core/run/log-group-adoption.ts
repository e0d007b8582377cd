/**
 * Bringing a log group the app does not own, SageMaker's account-wide `/aws/sagemaker/TrainingJobs`,
 * under the data key and a retention, without breaking an account where it already exists, and
 * giving it back on stack deletion. Pure planning: the custom resource
 * (lambda/sagemaker-log-group) executes the steps and keeps what it took over in its physical
 * resource id, which CloudFormation hands back on every update and on delete.
 */

/** What a log group looks like now. */
export interface LogGroupState {
  readonly exists: boolean;
  /** The associated KMS key ARN, if any. */
  readonly kmsKeyId?: string;
  /** Days events are kept; absent: never expire. */
  readonly retentionInDays?: number;
}

/** The settings the app wants on the group. */
export interface LogGroupSettings {
  readonly kmsKeyId: string;
  readonly retentionInDays: number;
}

/**
 * What the app found when it first took the group: whether it created it, and otherwise the key
 * and retention it replaced (to restore on delete).
 */
export interface Adoption {
  readonly logGroupName: string;
  readonly created: boolean;
  readonly previousKmsKeyId?: string;
  readonly previousRetentionInDays?: number;
}

/** One call to CloudWatch Logs. */
export type LogGroupStep =
  | { readonly action: 'create'; readonly kmsKeyId: string }
  | { readonly action: 'associateKey'; readonly kmsKeyId: string }
  | { readonly action: 'disassociateKey' }
  | { readonly action: 'putRetention'; readonly retentionInDays: number }
  | { readonly action: 'deleteRetention' };

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Throws unless `days` is a retention CloudWatch Logs accepts. */
export function assertRetention(days: number): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(`retention of ${days} days is not one CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`);
  }
}

/**
 * The steps that give the group the wanted key and retention, and the adoption record to keep. On
 * an update, `previous` (the record kept since creation) is carried on unchanged: what is restored
 * on delete is what the group had before the app ever touched it.
 */
export function planEnsure(
  current: LogGroupState,
  wanted: LogGroupSettings,
  logGroupName: string,
  previous?: Adoption,
): { steps: LogGroupStep[]; adoption: Adoption } {
  assertRetention(wanted.retentionInDays);
  const steps: LogGroupStep[] = [];
  if (!current.exists) steps.push({ action: 'create', kmsKeyId: wanted.kmsKeyId });
  else if (current.kmsKeyId !== wanted.kmsKeyId) steps.push({ action: 'associateKey', kmsKeyId: wanted.kmsKeyId });
  if (!current.exists || current.retentionInDays !== wanted.retentionInDays) steps.push({ action: 'putRetention', retentionInDays: wanted.retentionInDays });
  const adoption: Adoption = previous ?? {
    logGroupName,
    created: !current.exists,
    ...(current.exists && current.kmsKeyId !== undefined ? { previousKmsKeyId: current.kmsKeyId } : {}),
    ...(current.exists && current.retentionInDays !== undefined ? { previousRetentionInDays: current.retentionInDays } : {}),
  };
  return { steps, adoption };
}

/**
 * The steps on stack deletion. The group and its events stay (retain: they are evidence, and
 * SageMaker keeps writing there for any training job of the account). A group the app adopted gets
 * its previous key and retention back. A group the app created keeps the data key and retention,
 * unless the key is about to be deleted (`releaseKey`, the data's `removeDataOnDestroy`): a group
 * whose key is gone can no longer be written, so it goes back to CloudWatch Logs' own encryption
 * (events written so far stay under the data key and become unreadable with it).
 */
export function planRelease(current: LogGroupState, adoption: Adoption, releaseKey: boolean): LogGroupStep[] {
  if (!current.exists) return [];
  const steps: LogGroupStep[] = [];
  if (adoption.created) {
    if (releaseKey && current.kmsKeyId !== undefined) steps.push({ action: 'disassociateKey' });
    return steps;
  }
  if (adoption.previousKmsKeyId === undefined) {
    if (current.kmsKeyId !== undefined) steps.push({ action: 'disassociateKey' });
  } else if (current.kmsKeyId !== adoption.previousKmsKeyId) {
    steps.push({ action: 'associateKey', kmsKeyId: adoption.previousKmsKeyId });
  }
  if (adoption.previousRetentionInDays === undefined) {
    if (current.retentionInDays !== undefined) steps.push({ action: 'deleteRetention' });
  } else if (current.retentionInDays !== adoption.previousRetentionInDays) {
    steps.push({ action: 'putRetention', retentionInDays: adoption.previousRetentionInDays });
  }
  return steps;
}

/** The physical resource id that carries an adoption record through CloudFormation. */
export function encodeAdoption(adoption: Adoption): string {
  return JSON.stringify(adoption);
}

/**
 * Reads an adoption record back from a physical resource id.
 * @throws Error naming the id when it is not one {@link encodeAdoption} wrote.
 */
export function decodeAdoption(physicalResourceId: string): Adoption {
  let value: unknown;
  try {
    value = JSON.parse(physicalResourceId);
  } catch {
    throw new Error(`physical resource id ${JSON.stringify(physicalResourceId)} is not an adoption record`);
  }
  const v = value as Partial<Adoption> | null;
  const optional = (x: unknown, type: string): boolean => x === undefined || typeof x === type;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.logGroupName !== 'string' ||
    typeof v.created !== 'boolean' ||
    !optional(v.previousKmsKeyId, 'string') ||
    !optional(v.previousRetentionInDays, 'number')
  ) {
    throw new Error(`physical resource id ${JSON.stringify(physicalResourceId)} is not an adoption record`);
  }
  return v as Adoption;
}

/** The custom resource's properties (CloudFormation passes every value as a string). */
export interface LogGroupResourceProperties {
  readonly LogGroupName: string;
  readonly KmsKeyId: string;
  readonly RetentionInDays: string;
  /** `'true'` when the key is deleted with the stack (see {@link planRelease}). */
  readonly ReleaseKeyOnDelete: string;
}

/** A custom-resource request as the provider framework passes it to `onEvent`. */
export type LogGroupRequest =
  | { readonly RequestType: 'Create'; readonly ResourceProperties: LogGroupResourceProperties }
  | { readonly RequestType: 'Update'; readonly PhysicalResourceId: string; readonly ResourceProperties: LogGroupResourceProperties }
  | { readonly RequestType: 'Delete'; readonly PhysicalResourceId: string; readonly ResourceProperties: LogGroupResourceProperties };

/** Parses an `onEvent` request, with an error naming the field. */
export function parseLogGroupRequest(raw: unknown): LogGroupRequest {
  const event = raw as Record<string, unknown> | null;
  if (event === null || typeof event !== 'object') throw new Error('log group request: expected an object');
  const type = event.RequestType;
  if (type !== 'Create' && type !== 'Update' && type !== 'Delete')
    throw new Error(`log group request: RequestType ${JSON.stringify(type)} is not Create, Update or Delete`);
  const props = event.ResourceProperties as Record<string, unknown> | undefined;
  for (const field of ['LogGroupName', 'KmsKeyId', 'RetentionInDays', 'ReleaseKeyOnDelete'] as const) {
    if (typeof props?.[field] !== 'string' || props[field] === '') throw new Error(`log group request: ResourceProperties.${field} must be a non-empty string`);
  }
  const days = Number(props!.RetentionInDays);
  assertRetention(days);
  if (props!.ReleaseKeyOnDelete !== 'true' && props!.ReleaseKeyOnDelete !== 'false') {
    throw new Error(`log group request: ResourceProperties.ReleaseKeyOnDelete must be "true" or "false"`);
  }
  if (type !== 'Create' && typeof event.PhysicalResourceId !== 'string') throw new Error(`log group request: ${type} without a PhysicalResourceId`);
  return event as unknown as LogGroupRequest;
}
