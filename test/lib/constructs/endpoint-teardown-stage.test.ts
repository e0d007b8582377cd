/** EndpointTeardownStage alone, executed locally against the SageMaker simulator. */
import { Duration } from 'aws-cdk-lib';
import { at, statePath } from '../../../lib/core/json-path';
import type { PretrainedBranchState } from '../../../lib/core/run/contracts';
import { ENTERED_TIME, executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleRunSetup } from '../../helpers/run-execution';
import { DELETE_RETRY_DELAYS_SECONDS, EndpointTeardownStage } from '../../../lib/constructs/endpoint-teardown-stage';
import { SageMakerSimulator, ServiceError, SimulatorOptions } from '../../helpers/sagemaker-simulator';

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
    // Never a DeleteEndpoint while it was Creating (SageMaker refuses it), and config and model only once it is gone.
    expect(sim.refusals).toEqual([]);
    expect(sim.violations).toEqual([]);
    expect(sim.leftovers()).toEqual([]);
  });

  test('an endpoint that never settles fails the stage with EndpointStillSettling after maxPolls checks (the janitor takes over)', async () => {
    const sim = hosted('Creating', { creatingPolls: 100 });
    const { status, error, cause } = await teardown(sim, definition(2));
    expect({ status, error }).toEqual({ status: 'FAILED', error: 'EndpointStillSettling' });
    expect(cause).toBe('The pretrained endpoint was still Creating or Updating after 2 checks 1 minute apart.');
    expect(sim.leftovers()).toEqual([`endpoint ${NAME}`, `endpointConfig ${NAME}`, `model ${NAME}`]);
  });

  test('an endpoint already Deleting is left to finish; config and model are deleted', async () => {
    const sim = hosted('Deleting');
    const { status } = await teardown(sim);
    expect(status).toBe('SUCCEEDED');
    expect(sim.calls.deleteEndpoint).toBeUndefined();
    expect(sim.log).toEqual([`delete endpointConfig ${NAME}`, `delete model ${NAME}`]);
  });

  test('a delete refused for a reason other than "not found" is tried again while the resource is there, then re-raised with its own name and cause', async () => {
    const sim = hosted('InService', { refuse: { deleteModel: new ServiceError('ValidationException', 'Model is in use by another endpoint.') } });
    const { status, error, cause } = await teardown(sim);
    expect({ status, error }).toEqual({ status: 'FAILED', error: 'SageMaker.SageMakerException' });
    expect(cause).toMatch(/^Model is in use by another endpoint\. \(Service: SageMaker, Status Code: 400, Request ID: /);
    expect(sim.calls.deleteModel).toBe(DELETE_RETRY_DELAYS_SECONDS.length);
    expect(sim.leftovers()).toEqual([`model ${NAME}`]);
  });

  test('a transient SageMaker error (HTTP 500) is retried and the teardown finishes', async () => {
    const { status, sim } = await teardown(hosted('InService', { internalErrors: { deleteModel: 2 } }));
    expect(status).toBe('SUCCEEDED');
    expect(sim.leftovers()).toEqual([]);
  });
});
