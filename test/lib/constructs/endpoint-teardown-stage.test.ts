/** EndpointTeardownStage alone, executed locally against the SageMaker simulator. */
import { Duration } from 'aws-cdk-lib';
import { EndpointTeardownStage } from '../../../lib/constructs/endpoint-teardown-stage';
import { at, statePath } from '../../../lib/core/json-path';
import type { PretrainedBranchState } from '../../../lib/core/run/contracts';
import { ENTERED_TIME, executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleRunSetup } from '../../helpers/run-execution';
import { SageMakerSimulator, SimulatedAwsError, SimulatorOptions } from '../../helpers/sagemaker-simulator';

const branch = statePath<PretrainedBranchState>();
const definition = (maxPolls: number) =>
  fragmentDefinition(
    (scope) =>
      new EndpointTeardownStage(scope, 'Delete', {
        label: 'pretrained',
        namesPath: at(branch, 'plan.names.pretrained'),
        resultPath: at(branch, 'pretrainedTeardown'),
        resourcePrefix: 'impressions',
        pollInterval: Duration.minutes(1),
        maxPolls,
      }),
  );
const DEFINITION = definition(5);
const SETUP = sampleRunSetup();
const NAME = SETUP.plan.names.pretrained.endpoint;

/** A simulator holding the model, config and endpoint of the pretrained hosting; the endpoint in `status`. */
function hosted(status: string, options: SimulatorOptions = {}): SageMakerSimulator {
  const sim = new SageMakerSimulator(options);
  sim.call('createModel', { ModelName: NAME });
  sim.call('createEndpointConfig', { EndpointConfigName: NAME, ProductionVariants: [{ ModelName: NAME }] });
  sim.call('createEndpoint', { EndpointName: NAME, EndpointConfigName: NAME });
  sim.endpoints.get(NAME)!.status = status;
  sim.log.length = 0;
  return sim;
}

async function teardown(sim: SageMakerSimulator, def = DEFINITION) {
  const outcome = await executeDefinition({ definition: def, input: SETUP, sim });
  return { ...outcome, output: outcome.output as PretrainedBranchState | undefined };
}

describe('EndpointTeardownStage', () => {
  test('deletes the endpoint, its config and the model, in that order; the result only is added', async () => {
    const { status, output, sim } = await teardown(hosted('InService'));
    expect(status).toBe('SUCCEEDED');
    expect(sim.log).toEqual([`delete endpoint ${NAME}`, `delete endpointConfig ${NAME}`, `delete model ${NAME}`]);
    expect(output!.pretrainedTeardown).toEqual({ deleted: true, kept: false, deletedAt: ENTERED_TIME });
    expect(Object.keys(output!).sort()).toEqual([...Object.keys(SETUP), 'pretrainedTeardown'].sort());
  });

  test('nothing exists (never created, or already deleted): each "not found" is skipped and the stage succeeds', async () => {
    const { status, sim } = await teardown(new SageMakerSimulator());
    expect(status).toBe('SUCCEEDED');
    expect(sim.log).toEqual([]);
    expect(sim.calls).toMatchObject({ describeEndpoint: 1, deleteEndpointConfig: 1, deleteModel: 1 });
  });

  test('an endpoint still Creating is waited for, then deleted', async () => {
    const sim = hosted('Creating', { creatingPolls: 3 });
    const { status } = await teardown(sim);
    expect(status).toBe('SUCCEEDED');
    expect(sim.calls.describeEndpoint).toBe(3);
    expect(sim.leftovers()).toEqual([]);
  });

  test('an endpoint that never settles fails the stage with EndpointStillSettling after maxPolls checks (the janitor takes over)', async () => {
    const sim = hosted('Creating', { creatingPolls: 100 });
    const { status, error, cause } = await teardown(sim, definition(2));
    expect({ status, error }).toEqual({ status: 'FAILED', error: 'EndpointStillSettling' });
    expect(cause).toMatch(/did not leave Creating\/Updating after 2 checks; the janitor deletes it later/);
    expect(sim.leftovers()).toEqual([`endpoint ${NAME}`, `endpointConfig ${NAME}`, `model ${NAME}`]);
  });

  test('an endpoint already Deleting is left to finish; config and model are deleted', async () => {
    const sim = hosted('Deleting');
    const { status } = await teardown(sim);
    expect(status).toBe('SUCCEEDED');
    expect(sim.calls.deleteEndpoint).toBeUndefined();
    expect(sim.log).toEqual([`delete endpointConfig ${NAME}`, `delete model ${NAME}`]);
  });

  test('a caught SageMaker error whose message is not "not found" is re-raised with its own name and cause', async () => {
    const sim = hosted('InService');
    const call = sim.call.bind(sim);
    sim.call = (action, params) => {
      if (action === 'deleteModel') throw new SimulatedAwsError('SageMaker.SageMakerException', 'Model is in use by another endpoint.');
      return call(action, params);
    };
    const { status, error, cause } = await teardown(sim);
    expect({ status, error, cause }).toEqual({ status: 'FAILED', error: 'SageMaker.SageMakerException', cause: 'Model is in use by another endpoint.' });
  });

  test('a SageMaker error other than "not found" is raised unchanged', async () => {
    const { status, error, cause } = await teardown(hosted('InService', { failOnce: { deleteModel: 'We encountered an internal error.' } }));
    expect({ status, error, cause }).toEqual({ status: 'FAILED', error: 'SageMaker.InternalFailureException', cause: 'We encountered an internal error.' });
  });
});
