/** AggregationStage alone, executed locally: the aggregate function is a stand-in that parses its event with the real parser. */
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AggregationStage } from '../../../lib/constructs/aggregation-stage';
import { parseAggregateEvent, type AggregateResult } from '../../../lib/core/evaluation';
import { at, statePath } from '../../../lib/core/json-path';
import type { EndpointDeployment, EndpointTeardown, EvaluationStageResult, RunState } from '../../../lib/core/run/contracts';
import { executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { sampleAggregateResult, sampleRunSetup } from '../../helpers/run-execution';

const DEFINITION = fragmentDefinition(
  (scope) =>
    new AggregationStage(scope, 'Aggregate', {
      resultPath: at(statePath<RunState>(), 'aggregation'),
      aggregateFunction: lambda.Function.fromFunctionArn(scope as Stack, 'Fn', 'arn:aws:lambda:us-east-1:123456789012:function:aggregate'),
    }),
);

const setup = sampleRunSetup();
const endpoint = (names: { endpoint: string; endpointConfig: string; model: string }, inServiceAt: string): EndpointDeployment => ({
  endpointName: names.endpoint,
  endpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${names.endpoint}`,
  endpointConfigName: names.endpointConfig,
  modelName: names.model,
  status: 'InService',
  inServiceAt,
});
const evaluation = (model: 'pretrained' | 'fine-tuned', endpointName: string): EvaluationStageResult => ({
  model,
  status: 'evaluated',
  endpointName,
  manifestKey: `runs/${setup.plan.runId}/evaluation/${model}/shards.jsonl`,
  shardCount: 4,
  recordCount: 8,
});

/** The run state when aggregation starts. */
function stateBefore(fineTunedTeardown: EndpointTeardown): Omit<RunState, 'aggregation' | 'endpointsLeftRunning'> {
  const pt = endpoint(setup.plan.names.pretrained, '2026-01-01T10:00:00.000Z');
  const ft = endpoint(setup.plan.names.fineTuned, '2026-01-01T11:00:00.000Z');
  return {
    ...setup,
    stage1: {
      training: { trainingJobName: setup.plan.names.trainingJob, modelData: setup.settings.inference.fineTunedModelData },
      pretrainedEvaluation: evaluation('pretrained', pt.endpointName),
      pretrainedEndpoint: pt,
      pretrainedTeardown: { deleted: true, kept: false, deletedAt: '2026-01-01T10:30:00.000Z' },
    },
    fineTunedEndpoint: ft,
    fineTunedEvaluation: evaluation('fine-tuned', ft.endpointName),
    fineTunedTeardown,
  };
}

async function aggregate(fineTunedTeardown: EndpointTeardown) {
  const input = stateBefore(fineTunedTeardown);
  const outcome = await executeDefinition({
    definition: DEFINITION,
    input,
    lambdas: { 'Aggregate results': (event): AggregateResult => sampleAggregateResult(parseAggregateEvent(event).runId) },
  });
  return { ...outcome, input, output: outcome.output as RunState | undefined };
}

describe('AggregationStage', () => {
  test('sends the aggregate function its AggregateEvent: run id, training, each endpoint measured InService to deleted', async () => {
    const { status, params, output, input } = await aggregate({ deleted: true, kept: false, deletedAt: '2026-01-01T11:45:00.000Z' });
    expect(status).toBe('SUCCEEDED');
    expect(params['Aggregate results']).toEqual({
      runId: setup.plan.runId,
      training: input.stage1.training,
      usage: {
        endpoints: [
          { model: 'pretrained', instanceType: 'ml.g5.2xlarge', inServiceAt: '2026-01-01T10:00:00.000Z', deletedAt: '2026-01-01T10:30:00.000Z', kept: false },
          { model: 'fine-tuned', instanceType: 'ml.g5.2xlarge', inServiceAt: '2026-01-01T11:00:00.000Z', deletedAt: '2026-01-01T11:45:00.000Z', kept: false },
        ],
      },
    });
    expect(output!.aggregation).toEqual(sampleAggregateResult(setup.plan.runId));
    expect(Object.keys(output!).sort()).toEqual([...Object.keys(input), 'aggregation'].sort());
  });

  test('a kept fine-tuned endpoint is costed as kept', async () => {
    const { params } = await aggregate({ deleted: false, kept: true, deletedAt: '2026-01-01T12:00:00.000Z' });
    const usage = (params['Aggregate results'] as { usage: { endpoints: { kept: boolean }[] } }).usage;
    expect(usage.endpoints.map((e) => e.kept)).toEqual([false, true]);
  });

  test('an aggregate failure fails the stage with the function error (the run catches it)', async () => {
    const outcome = await executeDefinition({
      definition: DEFINITION,
      input: stateBefore({ deleted: true, kept: false, deletedAt: 'x' }),
      failingStates: ['Aggregate results'],
    });
    expect({ status: outcome.status, error: outcome.error }).toEqual({ status: 'FAILED', error: 'EvaluationFailed' });
  });
});
