/** validate-input: checks the run input against the deployment defaults and returns the run plan (lib/core/run/run-input). */
import { Logger } from '@aws-lambda-powertools/logger';
import type { RunPlan, ValidateInputEvent } from '../../lib/core/run/lambda-contracts';
import { InvalidRunInputError, planRun } from '../../lib/core/run/run-input';

export { InvalidRunInputError };

const logger = new Logger({ serviceName: 'impressions-validate-input' });

/** Returns the run plan; throws `InvalidRunInputError` (no retry) listing every bad field. */
export async function handler(event: ValidateInputEvent): Promise<RunPlan> {
  try {
    const plan = planRun(event);
    logger.info('run planned', {
      runId: plan.runId,
      skipTraining: plan.skipTraining,
      keepEndpoints: plan.keepEndpoints,
      datasets: Object.keys(plan.evalData).length,
      hyperparameters: Object.keys(plan.hyperparameters).length,
    });
    return plan;
  } catch (error) {
    if (error instanceof InvalidRunInputError) {
      logger.warn('invalid run input', { fields: error.problems.map((p) => p.field) });
    }
    throw error;
  }
}
