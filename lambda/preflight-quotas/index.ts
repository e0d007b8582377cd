/** preflight-quotas: fails a run early when the account's SageMaker instance quotas cannot host it (lib/core/run/quotas). */
import { Logger } from '@aws-lambda-powertools/logger';
import { ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, ServiceQuotasClient, type ServiceQuota } from '@aws-sdk/client-service-quotas';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parsePreflightQuotasEvent, type PreflightQuotasResult } from '../../lib/core/run/run-lambda-contracts';
import { evaluateQuotas, QuotaTooLowError, quotaNeeds, usageByQuota } from '../../lib/core/run/quotas';
import { findInstanceHolders } from './instance-holders';

export { QuotaTooLowError };

const logger = new Logger();
const quotas = new ServiceQuotasClient({});
const sagemaker = new SageMakerClient({});

async function listAll(defaults: boolean): Promise<ServiceQuota[]> {
  const all: ServiceQuota[] = [];
  let NextToken: string | undefined;
  do {
    const input = { ServiceCode: 'sagemaker', MaxResults: 100, NextToken };
    const page = defaults ? await quotas.send(new ListAWSDefaultServiceQuotasCommand(input)) : await quotas.send(new ListServiceQuotasCommand(input));
    all.push(...(page.Quotas ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined && NextToken !== '');
  return all;
}

/**
 * Returns the quotas checked with the instances already in use; throws `QuotaTooLowError` naming the
 * quota (name and code) to raise, or the jobs and endpoints that hold it.
 */
export async function handler(raw: unknown): Promise<PreflightQuotasResult> {
  const event = parsePreflightQuotasEvent(raw);
  const needs = quotaNeeds(event);
  // Independent reads: the quota listing and the (slower) describe calls of the instance holders run side by side.
  const [applied, holders] = await Promise.all([
    listAll(false),
    findInstanceHolders(sagemaker, {
      trainingTypes: new Set(event.skipTraining ? [] : [event.trainingInstanceType]),
      endpointTypes: new Set([event.inferenceInstanceType]),
    }),
  ]);
  const missing = needs.some((n) => !applied.some((q) => q.QuotaName === n.quotaName));
  const defaults = missing ? await listAll(true) : [];
  try {
    const result = evaluateQuotas(needs, applied, defaults, usageByQuota(holders));
    logger.info('quotas sufficient', { checked: result.checked.map((c) => `${c.quotaCode}=${c.value} in use ${c.inUse}`) });
    return result;
  } catch (error) {
    if (error instanceof QuotaTooLowError) logger.warn('quota too low', { quotas: needs.map((n) => n.quotaName) });
    throw error;
  }
}
