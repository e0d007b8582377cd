/** preflight-quotas: fails a run early when the account's SageMaker instance quotas cannot host it (lib/core/run/quotas). */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, ServiceQuotasClient, type ServiceQuota,
} from '@aws-sdk/client-service-quotas';
import type { PreflightQuotasEvent, PreflightQuotasResult } from '../../lib/core/run/lambda-contracts';
import { evaluateQuotas, QuotaTooLowError, quotaNeeds } from '../../lib/core/run/quotas';

export { QuotaTooLowError };

const logger = new Logger({ serviceName: 'impressions-preflight-quotas' });
const quotas = new ServiceQuotasClient({});

async function listAll(defaults: boolean): Promise<ServiceQuota[]> {
  const all: ServiceQuota[] = [];
  let NextToken: string | undefined;
  do {
    const input = { ServiceCode: 'sagemaker', MaxResults: 100, NextToken };
    const page = defaults
      ? await quotas.send(new ListAWSDefaultServiceQuotasCommand(input))
      : await quotas.send(new ListServiceQuotasCommand(input));
    all.push(...(page.Quotas ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined && NextToken !== '');
  return all;
}

/** Returns the quotas checked; throws `QuotaTooLowError` naming the quota (name and code) to raise. */
export async function handler(event: PreflightQuotasEvent): Promise<PreflightQuotasResult> {
  const needs = quotaNeeds(event);
  const applied = await listAll(false);
  const missing = needs.some((n) => !applied.some((q) => q.QuotaName === n.quotaName));
  const defaults = missing ? await listAll(true) : [];
  try {
    const result = evaluateQuotas(needs, applied, defaults);
    logger.info('quotas sufficient', { checked: result.checked.map((c) => `${c.quotaCode}=${c.value}`) });
    return result;
  } catch (error) {
    if (error instanceof QuotaTooLowError) logger.warn('quota too low', { quotas: needs.map((n) => n.quotaName) });
    throw error;
  }
}
