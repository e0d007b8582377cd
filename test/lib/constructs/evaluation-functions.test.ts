import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { fanOutShape } from '../../../lib/core/evaluation/fan-out';
import { testApp } from '../../helpers/cdk';

const { pipeline } = buildApp(testApp({ 'impressions:evalConcurrencyPerEndpoint': 6, 'impressions:evalShardSize': 50 }));
const template = Template.fromStack(pipeline);

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function statementsOf(rolePrefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => {
    const props = (p as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } }).Properties;
    return props.Roles.some((r) => r.Ref.startsWith(rolePrefix)) ? props.PolicyDocument.Statement : [];
  });
}
const render = (v: unknown): string => JSON.stringify(v);
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function functionEnv(service: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: service } } } });
  const [fn] = Object.values(fns) as { Properties: { Environment: { Variables: Record<string, unknown> }; Timeout: number } }[];
  return { ...fn.Properties.Environment.Variables, timeout: fn.Properties.Timeout };
}

describe('fanOutShape', () => {
  it('splits the per-endpoint concurrency into Lambdas of 2 requests', () => {
    expect(fanOutShape(4)).toEqual({ maxConcurrency: 2, requestsPerLambda: 2 });
    expect(fanOutShape(1)).toEqual({ maxConcurrency: 1, requestsPerLambda: 1 });
    expect(fanOutShape(5)).toEqual({ maxConcurrency: 3, requestsPerLambda: 2 });
    expect(() => fanOutShape(0)).toThrow(/whole number ≥ 1, got 0/);
  });
});

describe('EvaluationFunctions', () => {
  it('configures each function from the config', () => {
    expect(functionEnv('plan-evaluation')).toMatchObject({ EVAL_SHARD_SIZE: '50' });
    expect(functionEnv('evaluate')).toMatchObject({
      PROMPT_TEMPLATE: 'Generate radiology report impressions based on the following findings. Findings: {context}',
      MAX_NEW_TOKENS: '80',
      NUM_BEAMS: '10',
      REQUESTS_PER_LAMBDA: '2',
      timeout: 900,
    });
    expect(functionEnv('aggregate')).toMatchObject({
      METRIC_NAMESPACE: 'RadiologyImpressions',
      HOURLY_PRICES: JSON.stringify({ 'ml.p3.16xlarge': 28.152, 'ml.g5.2xlarge': 1.515 }),
    });
  });

  it('evaluate: InvokeEndpoint on <prefix>-* endpoints only; reads eval_data/, writes prediction_data/predictions/ only', () => {
    const statements = statementsOf('EvaluationEvaluateRole');
    const invoke = statements.filter((s) => actions(s).some((a) => a.startsWith('sagemaker:')));
    expect(invoke).toHaveLength(1);
    expect(actions(invoke[0])).toEqual(['sagemaker:InvokeEndpoint']);
    expect(render(invoke[0].Resource)).toMatch(/:endpoint\/impressions-\*"/);
    const s3Resources = statements
      .filter((s) => actions(s).some((a) => a.startsWith('s3:')))
      .map((s) => render(s.Resource))
      .join(' ');
    expect(s3Resources).toContain('/eval_data/*');
    expect(s3Resources).toContain('/prediction_data/predictions/*');
    expect(s3Resources).not.toMatch(/\/runs\/|\/train_data\/|prediction_data\/summary/);
    const write = statements.find((s) => actions(s).includes('s3:PutObject'))!;
    expect(render(write.Resource)).not.toContain('eval_data');
  });

  it('aggregate: no PutMetricData (its metrics are EMF lines in its log, namespace from the environment); training jobs only by prefix', () => {
    const statements = statementsOf('EvaluationAggregateRole');
    expect(statements.flatMap(actions).filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'aggregate', METRIC_NAMESPACE: 'RadiologyImpressions' }) },
    });
    const describe = statements.find((s) => actions(s).includes('sagemaker:DescribeTrainingJob'))!;
    expect(render(describe.Resource)).toMatch(/:training-job\/impressions-\*"/);
  });

  it('the run maps shards with maxConcurrency from the fan-out shape', () => {
    const definition = render(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"MaxConcurrency\\":3');
  });
});
