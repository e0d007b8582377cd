/** CleanupStage alone, executed locally against the SageMaker simulator. */
import { Duration } from 'aws-cdk-lib';
import { CleanupStage } from '../../../lib/constructs/cleanup-stage';
import type { FailedRunState } from '../../../lib/core/run/contracts';
import { executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleRunSetup } from '../../helpers/run-execution';
import { SageMakerSimulator, SimulatorOptions } from '../../helpers/sagemaker-simulator';

const definition = (maxPolls = 5) =>
  fragmentDefinition((scope) => new CleanupStage(scope, 'Cleanup', { resourcePrefix: 'impressions', pollInterval: Duration.minutes(1), maxPolls }));
const DEFINITION = definition();
const ERROR = { Error: 'EndpointFailed', Cause: 'The primary container did not pass the ping health check.' };

/** A simulator holding a hosting (model, config, endpoint in `status`) for each name, and the run's training job when `training`. */
function leftBehind(names: string[], status: string, training?: string, options: SimulatorOptions = {}): SageMakerSimulator {
  const sim = new SageMakerSimulator(options);
  for (const name of names) {
    sim.call('createModel', { ModelName: name });
    sim.call('createEndpointConfig', { EndpointConfigName: name, ProductionVariants: [{ ModelName: name }] });
    sim.call('createEndpoint', { EndpointName: name, EndpointConfigName: name });
    sim.endpoints.get(name)!.status = status;
  }
  if (training !== undefined) sim.trainingJobs.set(training, { TrainingJobStatus: 'InProgress' });
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
    const { status, error, cause } = await cleanUp({ ...setup, error: ERROR }, sim);
    expect({ status, error, cause }).toEqual({ status: 'FAILED', error: ERROR.Error, cause: ERROR.Cause });
    expect(sim.leftovers()).toEqual([]);
    expect(sim.log).toContain(`stop trainingJob ${trainingJob}`);
  });

  test('nothing was created yet: every "not found" is skipped, nothing to stop, and the run still fails with its own error', async () => {
    const setup = sampleRunSetup();
    const sim = new SageMakerSimulator();
    const { status, error } = await cleanUp({ ...setup, error: ERROR }, sim);
    expect({ status, error }).toEqual({ status: 'FAILED', error: ERROR.Error });
    expect(sim.log).toEqual([]);
    expect(sim.calls.stopTrainingJob).toBe(1);
  });

  test('skipTraining: no StopTrainingJob call', async () => {
    const setup = sampleRunSetup({ input: { skipTraining: true, modelData: 's3://data-bucket/runs/earlier/model.tar.gz' } });
    const sim = leftBehind([setup.plan.names.fineTuned.endpoint], 'InService');
    const { status } = await cleanUp({ ...setup, error: ERROR }, sim);
    expect(status).toBe('FAILED');
    expect(sim.calls.stopTrainingJob).toBeUndefined();
    expect(sim.leftovers()).toEqual([]);
  });

  test('an endpoint that never settles is left to the janitor; the other hosting is still deleted and the run fails with its own error', async () => {
    const setup = sampleRunSetup();
    const { pretrained, fineTuned } = setup.plan.names;
    const sim = leftBehind([pretrained.endpoint], 'Creating', undefined, { creatingPolls: 100 });
    sim.call('createModel', { ModelName: fineTuned.model });
    const { status, error } = await cleanUp({ ...setup, error: ERROR }, sim, definition(2));
    expect({ status, error }).toEqual({ status: 'FAILED', error: ERROR.Error });
    expect(sim.leftovers()).toEqual([`endpoint ${pretrained.endpoint}`, `endpointConfig ${pretrained.endpointConfig}`, `model ${pretrained.model}`]);
  });
});
