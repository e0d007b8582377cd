/** validate-input: checks the run input against the deployment defaults and returns the run plan (lib/core/run/run-input). */
import { Logger } from '@aws-lambda-powertools/logger';
import { parseValidateInputEvent, type RunPlan } from '../../lib/core/run/run-lambda-contracts';
import { InvalidRunInputError, planRun } from '../../lib/core/run/run-input';

export { InvalidRunInputError };

const logger = new Logger();

/**
 * Returns the run plan; throws `InvalidRunInputError` (no retry) listing every bad field of the run
 * input, or `InvalidEventError` when the state machine's payload itself is malformed.
 */
export async function handler(event: unknown): Promise<RunPlan> {
  const parsed = parseValidateInputEvent(event);
  try {
    const plan = planRun(parsed);
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
