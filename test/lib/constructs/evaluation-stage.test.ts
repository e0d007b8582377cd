/** EvaluationStage alone, executed locally: plan-evaluation and evaluate are stand-ins that parse their events with the real parsers. */
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EvaluationStage } from '../../../lib/constructs/evaluation-stage';
import { parseEvaluateEvent, type EvaluateResult, type ShardItem } from '../../../lib/core/evaluation';
import { at, statePath } from '../../../lib/core/json-path';
import type { EndpointDeployment, PretrainedBranchState, RunSetup } from '../../../lib/core/run/contracts';
import { allStates } from '../../helpers/asl';
import { executeDefinition, fragmentDefinition } from '../../helpers/asl-execution';
import { testApp } from '../../helpers/cdk';
import { inlineShardManifest, planShardsStandIn, sampleRunSetup } from '../../helpers/run-execution';

const branch = statePath<PretrainedBranchState>();
const fn = (scope: Stack, id: string) => lambda.Function.fromFunctionArn(scope, id, `arn:aws:lambda:us-east-1:123456789012:function:${id}`);

const DEFINITION = fragmentDefinition((scope) => {
  const stage = new EvaluationStage(scope, 'Evaluate', {
    model: 'pretrained',
    endpointPath: at(branch, 'pretrainedEndpoint'),
    resultPath: at(branch, 'pretrainedEvaluation'),
    planFunction: fn(scope as Stack, 'plan'),
    evaluateFunction: fn(scope as Stack, 'evaluate'),
    bucket: s3.Bucket.fromBucketName(scope, 'Bucket', 'data-bucket'),
    maxConcurrency: 3,
  });
  stage.unit.addCatch(new sfn.Fail(scope, 'Caught', { errorPath: '$.error.Error', causePath: '$.error.Cause' }), { resultPath: '$.error' });
  return stage;
});

const SETUP = sampleRunSetup();
const ENDPOINT: EndpointDeployment = {
  endpointName: SETUP.plan.names.pretrained.endpoint,
  endpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${SETUP.plan.names.pretrained.endpoint}`,
  endpointConfigName: SETUP.plan.names.pretrained.endpointConfig,
  modelName: SETUP.plan.names.pretrained.model,
  status: 'InService',
  inServiceAt: '2026-01-01T12:00:00.000Z',
};

async function evaluate(failing = false) {
  const shards: ShardItem[] = [];
  const outcome = await executeDefinition({
    definition: DEFINITION,
    input: { ...SETUP, pretrainedEndpoint: ENDPOINT } satisfies RunSetup & { pretrainedEndpoint: EndpointDeployment },
    lambdas: {
      'pretrained: plan shards': planShardsStandIn,
      'pretrained: evaluate shard': (event): EvaluateResult => {
        const item = parseEvaluateEvent(event);
        if (failing && item.model === 'baseline-normal') throw Object.assign(new Error('shard could not be written'), { name: 'S3WriteError' });
        shards.push(item);
        return { partKey: item.partKey, rows: item.end - item.start, scored: item.end - item.start, errors: 0, retries: 0 };
      },
    },
    patch: inlineShardManifest,
  });
  return { ...outcome, output: outcome.output as PretrainedBranchState | undefined, shards };
}

describe('EvaluationStage', () => {
  test('plans the shards, evaluates each (the baselines with the pretrained model) and adds its result only', async () => {
    const { status, output, params, shards } = await evaluate();
    expect(status).toBe('SUCCEEDED');
    // The plan function receives a PlanEvaluationEvent built from the branch input.
    expect(params['pretrained: plan shards']).toEqual({ plan: SETUP.plan, resolved: SETUP.resolved, endpointName: ENDPOINT.endpointName, model: 'pretrained' });
    expect(shards).toHaveLength(2 * 2 * 4);
    expect(new Set(shards.map((s) => s.model))).toEqual(new Set(['pretrained', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']));
    expect(output!.pretrainedEvaluation).toEqual({
      model: 'pretrained',
      status: 'evaluated',
      endpointName: ENDPOINT.endpointName,
      manifestKey: `runs/${SETUP.plan.runId}/evaluation/pretrained/shards.jsonl`,
      shardCount: 16,
      recordCount: 8,
    });
    expect(Object.keys(output!).sort()).toEqual([...Object.keys(SETUP), 'pretrainedEndpoint', 'pretrainedEvaluation'].sort());
  });

  test('a shard that fails fails the stage (tolerated failures: 0), and one Catch on the unit sees it', async () => {
    const { status, error } = await evaluate(true);
    expect(status).toBe('FAILED');
    // A Distributed Map past its tolerated failures fails with States.ExceedToleratedFailureThreshold; the
    // local interpreter passes the item's own error on. The run's Catch (States.ALL) takes either.
    expect(['States.ExceedToleratedFailureThreshold', 'S3WriteError']).toContain(error);
  });

  test('the map reads the manifest from S3 (JSONL), maxConcurrency evaluate Lambdas at once', () => {
    // aws-local-stepfunctions has no ItemReader, so this part of the definition is checked as written.
    const map = Object.fromEntries(allStates(DEFINITION))['pretrained: evaluate shards'];
    expect(map).toMatchObject({
      MaxConcurrency: 3,
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { Bucket: 'data-bucket', 'Key.$': '$.shards.manifestKey' },
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
      ResultPath: null,
    });
  });

  test('maxConcurrency must be a whole number of at least 1', () => {
    const stack = new Stack(testApp(), 'S');
    const props = {
      model: 'pretrained' as const,
      endpointPath: at(branch, 'pretrainedEndpoint'),
      resultPath: at(branch, 'pretrainedEvaluation'),
      planFunction: fn(stack, 'plan'),
      evaluateFunction: fn(stack, 'evaluate'),
      bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'data-bucket'),
    };
    expect(() => new EvaluationStage(stack, 'E0', { ...props, maxConcurrency: 0 })).toThrow(
      'EvaluationStage E0: maxConcurrency must be a whole number ≥ 1, got 0',
    );
    expect(() => new EvaluationStage(stack, 'E1', { ...props, maxConcurrency: 1.5 })).toThrow(/got 1.5/);
  });
});
