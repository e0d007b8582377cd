/**
 * Which SageMaker quotas a run needs and whether the account's values cover them. Service Quotas
 * names SageMaker instance quotas `<instance type> for training job usage` and
 * `<instance type> for endpoint usage`, and spot training has its own quota, `<instance type> for spot
 * training job usage`; codes (`L-…`) differ per quota and are read from the listing. A quota is a
 * limit on instances held at once, so the instances that running training jobs and live endpoints of
 * the account already hold (`InstanceHolder`, found by the Lambda) are subtracted from it.
 */
import { RUN_ERROR_NAMES, type PreflightQuotasEvent, type PreflightQuotasResult, type QuotaCheck } from './run-lambda-contracts';

/** A quota as Service Quotas lists it. */
export interface ListedQuota {
  readonly QuotaName?: string;
  readonly QuotaCode?: string;
  readonly Value?: number;
}

/** A quota the run needs. */
export interface QuotaNeed {
  readonly quotaName: string;
  readonly needed: number;
}

/** A training job or endpoint that holds instances now, as the Lambda found it. */
export interface InstanceHolder {
  readonly kind: 'training job' | 'endpoint';
  readonly name: string;
  readonly instanceType: string;
  readonly instances: number;
  /** Managed spot training (counts against the spot training quota). */
  readonly spot?: boolean;
}

/** Instances held per quota name, with who holds them. */
export interface QuotaUsage {
  readonly inUse: number;
  /** `<kind> <name>` of each holder, in the order found. */
  readonly holders: readonly string[];
}

/** The name of the quota that a training job (on-demand or spot) or an endpoint on `instanceType` counts against. */
function instanceQuotaName(instanceType: string, kind: InstanceHolder['kind'], spot: boolean): string {
  const usage = kind === 'endpoint' ? 'endpoint usage' : spot ? 'spot training job usage' : 'training job usage';
  return `${instanceType} for ${usage}`;
}

/** The quota an instance holder counts against. */
export function quotaNameOf(holder: InstanceHolder): string {
  return instanceQuotaName(holder.instanceType, holder.kind, holder.spot === true);
}

/** Sums the instances held per quota name. */
export function usageByQuota(holders: readonly InstanceHolder[]): Map<string, QuotaUsage> {
  const usage = new Map<string, QuotaUsage>();
  for (const holder of holders) {
    if (holder.instances <= 0) continue;
    const name = quotaNameOf(holder);
    const current = usage.get(name) ?? { inUse: 0, holders: [] };
    usage.set(name, { inUse: current.inUse + holder.instances, holders: [...current.holders, `${holder.kind} ${holder.name}`] });
  }
  return usage;
}

/** At most this many holders are named in an error; the rest are counted. */
const HOLDERS_NAMED = 5;

function describeHolders(holders: readonly string[]): string {
  const named = holders.slice(0, HOLDERS_NAMED).join(', ');
  return holders.length > HOLDERS_NAMED ? `${named} and ${holders.length - HOLDERS_NAMED} more` : named;
}

/** Thrown when a quota is too low or unknown; says which quota (name and code) to raise. */
export class QuotaTooLowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = RUN_ERROR_NAMES.quotaTooLow;
  }
}

/**
 * The quotas a run needs: one training instance (unless training is skipped; the spot quota with
 * spot training) and one endpoint instance at a time.
 */
export function quotaNeeds(event: PreflightQuotasEvent): QuotaNeed[] {
  const needs: QuotaNeed[] = [];
  if (!event.skipTraining) {
    needs.push({ quotaName: instanceQuotaName(event.trainingInstanceType, 'training job', event.spotTraining), needed: 1 });
  }
  needs.push({ quotaName: instanceQuotaName(event.inferenceInstanceType, 'endpoint', false), needed: 1 });
  return needs;
}

/**
 * Checks the needs against listed quotas (applied values first, AWS defaults for quotas never
 * adjusted), less the instances already in use.
 * @throws QuotaTooLowError listing every quota that is too low, taken, or not offered in the region.
 */
export function evaluateQuotas(
  needs: readonly QuotaNeed[],
  applied: readonly ListedQuota[],
  defaults: readonly ListedQuota[] = [],
  usage: ReadonlyMap<string, QuotaUsage> = new Map(),
): PreflightQuotasResult {
  const checked: QuotaCheck[] = [];
  const problems: string[] = [];
  for (const need of needs) {
    const quota = applied.find((q) => q.QuotaName === need.quotaName) ?? defaults.find((q) => q.QuotaName === need.quotaName);
    if (quota === undefined) {
      problems.push(`no Service Quotas quota named "${need.quotaName}" for sagemaker in this region (is the instance type offered here?)`);
      continue;
    }
    const value = quota.Value ?? 0;
    const named = `"${need.quotaName}" (${quota.QuotaCode ?? 'unknown code'}) is ${value}`;
    const raise = `request an increase of quota ${quota.QuotaCode ?? need.quotaName} for service sagemaker`;
    const used = usage.get(need.quotaName) ?? { inUse: 0, holders: [] };
    if (value < need.needed) {
      problems.push(`${named}, the run needs ${need.needed}: ${raise}`);
    } else if (value - used.inUse < need.needed) {
      problems.push(
        `${named} and ${used.inUse} in use (${describeHolders(used.holders)}), the run needs ${need.needed} more: ` +
          `wait for or delete what holds them, or ${raise}`,
      );
    } else {
      checked.push({ quotaName: need.quotaName, quotaCode: quota.QuotaCode ?? '', value, inUse: used.inUse, needed: need.needed });
    }
  }
  if (problems.length > 0) throw new QuotaTooLowError(`SageMaker quota too low: ${problems.join('; ')}`);
  return { checked };
}
