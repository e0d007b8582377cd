/** CleanupStage alone, executed locally against the SageMaker simulator. */
import { Duration } from 'aws-cdk-lib';
import { CleanupStage } from '../../../lib/constructs/cleanup-stage';
import type { FailedRunState, RunFailure } from '../../../lib/core/run/contracts';
import { executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleRunSetup } from '../../helpers/run-execution';
import { SageMakerSimulator, SimulatorOptions } from '../../helpers/sagemaker-simulator';

const definition = (maxPolls = 5) =>
  fragmentDefinition((scope) => new CleanupStage(scope, 'Cleanup', { resourcePrefix: 'impressions', pollInterval: Duration.minutes(1), maxPolls }));
const DEFINITION = definition();
const WHERE = 'Deploy fine-tuned (endpoint impressions-run-7-ft)';
/** The failure as the run's failure note describes it. */
const FAILURE: RunFailure = {
  where: WHERE,
  error: 'EndpointFailed',
  cause: `${WHERE} failed: The primary container did not pass the ping health check.`,
};

/** The tags the run puts on everything it creates. */
const RUN_TAGS = { 'impressions:app': 'impressions', 'impressions:run-id': 'run-7' };

/** A simulator holding a hosting (model, config, endpoint in `status`) for each name, and the run's training job when `training`, tagged as the run tags them. */
function leftBehind(names: string[], status: string, training?: string, options: SimulatorOptions = {}): SageMakerSimulator {
  const sim = new SageMakerSimulator(options);
  for (const name of names) sim.seedHosting(name, RUN_TAGS, status);
  if (training !== undefined) sim.seed('trainingJob', training, RUN_TAGS);
  sim.log.length = 0;
  return sim;
}

async function cleanUp(state: FailedRunState, sim: SageMakerSimulator, def = DEFINITION) {
  return executeDefinition({ definition: def, input: state, sim });
}

describe('CleanupStage', () => {
  test('deletes both hostings, stops the training job, then fails the run with the error that brought it here', async () => {
    const setup = sampleRunSetup();
    const { pretrained, fineTuned, trainingJob } = setup.plan.names;
    const sim = leftBehind([pretrained.endpoint, fineTuned.endpoint], 'InService', trainingJob);
    const { status, error, cause } = await cleanUp({ ...setup, failure: FAILURE }, sim);
    expect({ status, error, cause }).toEqual({ status: 'FAILED', error: FAILURE.error, cause: FAILURE.cause });
    expect(sim.leftovers()).toEqual([]);
    expect(sim.log).toContain(`stop trainingJob ${trainingJob}`);
  });

  test('nothing was created yet: every "not found" is skipped, nothing to stop, and the run still fails with its own error', async () => {
    const setup = sampleRunSetup();
    const sim = new SageMakerSimulator();
    const { status, error } = await cleanUp({ ...setup, failure: FAILURE }, sim);
    expect({ status, error }).toEqual({ status: 'FAILED', error: FAILURE.error });
    expect(sim.log).toEqual([]);
    expect(sim.calls.stopTrainingJob).toBe(1);
  });

  test('skipTraining: no StopTrainingJob call', async () => {
    const setup = sampleRunSetup({ input: { skipTraining: true, modelData: 's3://data-bucket/runs/earlier/model/model.tar.gz' } });
    const sim = leftBehind([setup.plan.names.fineTuned.endpoint], 'InService');
    const { status } = await cleanUp({ ...setup, failure: FAILURE }, sim);
    expect(status).toBe('FAILED');
    expect(sim.calls.stopTrainingJob).toBeUndefined();
    expect(sim.leftovers()).toEqual([]);
  });

  test('an endpoint that never settles is left to the janitor (CleanupIncomplete, naming the original error); the other hosting is still deleted', async () => {
    const setup = sampleRunSetup();
    const { pretrained, fineTuned } = setup.plan.names;
    const sim = leftBehind([pretrained.endpoint], 'Creating', undefined, { creatingPolls: 100 });
    sim.seed('model', fineTuned.model, RUN_TAGS);
    const { status, error, cause } = await cleanUp({ ...setup, failure: FAILURE }, sim, definition(2));
    expect({ status, error }).toEqual({ status: 'FAILED', error: 'CleanupIncomplete' });
    expect(cause).toBe(`${FAILURE.cause} The clean-up could not delete everything (${FAILURE.error}); the janitor deletes the rest.`);
    expect(sim.leftovers()).toEqual([`endpoint ${pretrained.endpoint}`, `endpointConfig ${pretrained.endpointConfig}`, `model ${pretrained.model}`]);
  });
});
