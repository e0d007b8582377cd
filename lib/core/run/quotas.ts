/**
 * Which SageMaker quotas a run needs and whether the account's values cover them. Service Quotas
 * names SageMaker instance quotas `<instance type> for training job usage` and
 * `<instance type> for endpoint usage`, and spot training has its own quota, `<instance type> for spot
 * training job usage`; codes (`L-…`) differ per quota and are read from the listing. The values are
 * limits, not free capacity: instances other jobs or kept endpoints already use are not counted.
 */
import type { PreflightQuotasEvent, PreflightQuotasResult, QuotaCheck } from './lambda-contracts';

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

/** Thrown when a quota is too low or unknown; says which quota (name and code) to raise. */
export class QuotaTooLowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaTooLowError';
  }
}

/**
 * The quotas a run needs: one training instance (unless training is skipped; the spot quota with
 * spot training) and one endpoint instance at a time.
 */
export function quotaNeeds(event: PreflightQuotasEvent): QuotaNeed[] {
  const needs: QuotaNeed[] = [];
  if (!event.skipTraining) {
    const usage = event.spotTraining ? 'spot training job usage' : 'training job usage';
    needs.push({ quotaName: `${event.trainingInstanceType} for ${usage}`, needed: 1 });
  }
  needs.push({ quotaName: `${event.inferenceInstanceType} for endpoint usage`, needed: 1 });
  return needs;
}

/**
 * Checks the needs against listed quotas (applied values first, AWS defaults for quotas never
 * adjusted).
 * @throws QuotaTooLowError listing every quota that is too low or not offered in the region.
 */
export function evaluateQuotas(needs: readonly QuotaNeed[], applied: readonly ListedQuota[], defaults: readonly ListedQuota[] = []): PreflightQuotasResult {
  const checked: QuotaCheck[] = [];
  const problems: string[] = [];
  for (const need of needs) {
    const quota = applied.find((q) => q.QuotaName === need.quotaName) ?? defaults.find((q) => q.QuotaName === need.quotaName);
    if (quota === undefined) {
      problems.push(`no Service Quotas quota named "${need.quotaName}" for sagemaker in this region (is the instance type offered here?)`);
    } else if ((quota.Value ?? 0) < need.needed) {
      problems.push(`"${need.quotaName}" (${quota.QuotaCode ?? 'unknown code'}) is ${quota.Value ?? 0}, the run needs ${need.needed}: ` +
        `request an increase of quota ${quota.QuotaCode ?? need.quotaName} for service sagemaker`);
    } else {
      checked.push({ quotaName: need.quotaName, quotaCode: quota.QuotaCode ?? '', value: quota.Value ?? 0, needed: need.needed });
    }
  }
  if (problems.length > 0) throw new QuotaTooLowError(`SageMaker quota too low: ${problems.join('; ')}`);
  return { checked };
}
