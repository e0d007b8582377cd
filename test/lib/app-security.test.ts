/**
 * The security properties of issue 15, read from the synthesized templates of the whole app (as
 * `cdk synth` writes them) and, where a policy decides, evaluated for concrete requests with IAM's
 * documented semantics (test/helpers/iam-policy.ts). Each test fails on the unsafe form.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Validations } from 'aws-cdk-lib';
import { TAG_APP } from '../../lib/core/run/tags';
import { nagReport, testApp } from '../helpers/cdk';
import { evaluate, resolveValue, roleStatements, rolesStartingWith, type TemplateJson, type TemplateStatement } from '../helpers/iam-policy';
import { crossStackValue, findObjects, synthesizeApp } from '../helpers/synthesized-app';
import { allStates, type AslDefinition } from '../helpers/asl';

const QUICKSIGHT = { 'impressions:quicksightPrincipalArns': ['arn:aws:quicksight:us-east-1:123456789012:user/default/clinician'] };
const { templates, app, stacks } = synthesizeApp(QUICKSIGHT);
const { data, pipeline, analytics } = templates;

/** The run state machine's definition, intrinsics rendered as {@link resolveValue} renders them. */
function runDefinition(template: TemplateJson = pipeline): AslDefinition {
  const [machine] = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('RunStateMachine'));
  return JSON.parse(resolveValue(machine[1].Properties!.DefinitionString)) as AslDefinition;
}
const states = Object.fromEntries(allStates(runDefinition()));
const only = (id: string): string => {
  const ids = rolesStartingWith(pipeline, id);
  if (ids.length !== 1) throw new Error(`${id}: ${ids.length} roles`);
  return ids[0];
};
const stateMachineRole = only('RunStateMachineRole');
const trainingRole = only('SageMakerTraining');
const hostingRole = only('SageMakerHosting');
/** The data bucket and key as the pipeline stack renders them (weak cross-stack references). */
const bucketArn = crossStackValue(pipeline, 'DataBucketE6B0FAA8Arn');
const keyArn = crossStackValue(pipeline, 'DataKey5F086070Arn');
const object = (key: string) => `${bucketArn}/${key}`;
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
// The pseudo parameters render as intrinsics too: build the ARNs the roles are granted from the same renderings.
const partition = resolveValue({ Ref: 'AWS::Partition' });
const region = resolveValue({ Ref: 'AWS::Region' });
const account = resolveValue({ Ref: 'AWS::AccountId' });
const sm = (type: string, name: string) => `arn:${partition}:sagemaker:${region}:${account}:${type}/${name}`;

describe('1. the state machine reads the shard manifests under runs/, nothing else of the data bucket', () => {
  const statements = roleStatements(pipeline, stateMachineRole);

  test.each([
    ['runs/r-1/evaluation/pretrained/shards.jsonl', 'allowed'],
    ['runs/r-1/evaluation/fine-tuned/shards.jsonl', 'allowed'],
    ['train_data/train.jsonl', 'implicit-deny'],
    ['eval_data/dev1.jsonl', 'implicit-deny'],
    ['prediction_data/predictions/run_id=r-1/dataset=dev1/model=pretrained/part-00000.jsonl', 'implicit-deny'],
    ['runs/r-1/model/job/output/model.tar.gz', 'implicit-deny'],
    ['runs/r-1/run-summary.json', 'implicit-deny'],
  ])('s3:GetObject %s: %s', (key, decision) => {
    expect(evaluate(statements, { action: 's3:GetObject', resource: object(key) })).toBe(decision);
  });

  test('no statement of the role names every object of the bucket, and no acknowledgement hides one', () => {
    const objectResources = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).map(resolveValue);
    expect(objectResources.filter((r) => r === `${bucketArn}/*` || r.endsWith(':::*'))).toEqual([]);
    const role = stacks.pipeline.run.stateMachine.role;
    const acknowledged = role.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as object));
    expect(acknowledged.filter((id) => id.includes('DataBucket'))).toEqual([expect.stringMatching(/\/runs\/\*\/evaluation\/\*\/shards\.jsonl\]$/)]);
  });

  test('the Distributed Maps still read their manifest with the S3 JSON Lines reader', () => {
    const maps = Object.values(states).filter((s) => s.Type === 'Map' && s.ItemReader !== undefined);
    expect(maps).toHaveLength(2);
    for (const map of maps) {
      expect(map.ItemReader).toEqual({
        Resource: `arn:${partition}:states:::s3:getObject`,
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { Bucket: crossStackValue(pipeline, 'RefDataBucketE6B0FAA8'), 'Key.$': '$.shards.manifestKey' },
      });
    }
  });
});

/**
 * The condition keys each action supports, from the Service Authorization Reference for SageMaker
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html):
 * the action's own keys, plus aws:ResourceTag/${TagKey} of the resource types it is authorized on.
 */
const SUPPORTED_CONDITION_KEYS: Record<string, readonly string[]> = {
  'sagemaker:CreateTrainingJob': [
    'aws:RequestTag/',
    'sagemaker:NetworkIsolation',
    'sagemaker:InterContainerTrafficEncryption',
    'sagemaker:OutputKmsKey',
    'sagemaker:VolumeKmsKey',
  ],
  'sagemaker:CreateModel': ['aws:RequestTag/', 'sagemaker:NetworkIsolation'],
  'sagemaker:CreateEndpointConfig': ['aws:RequestTag/', 'sagemaker:VolumeKmsKey'],
  'sagemaker:CreateEndpoint': ['aws:RequestTag/'],
  'sagemaker:DeleteEndpoint': ['aws:ResourceTag/'],
  'sagemaker:DeleteEndpointConfig': ['aws:ResourceTag/'],
  'sagemaker:DeleteModel': ['aws:ResourceTag/'],
  'sagemaker:StopTrainingJob': ['aws:ResourceTag/'],
};

describe('2. network isolation and inter-container encryption, whatever the spec says', () => {
  const statements = roleStatements(pipeline, stateMachineRole);
  const training = states['training: fine-tune'].Parameters as Record<string, unknown>;
  /** A CreateTrainingJob as the state machine sends it, with `overrides` applied (undefined removes a key). */
  const createTrainingJob = (overrides: Record<string, string | undefined> = {}) => {
    const context: Record<string, string> = {
      'sagemaker:NetworkIsolation': 'true',
      'sagemaker:InterContainerTrafficEncryption': 'true',
      'sagemaker:OutputKmsKey': resolveValue((training.OutputDataConfig as { KmsKeyId: unknown }).KmsKeyId),
      [`aws:RequestTag/${TAG_APP}`]: 'impressions',
    };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === undefined) delete context[k];
      else context[k] = v;
    }
    return evaluate(statements, { action: 'sagemaker:CreateTrainingJob', resource: sm('training-job', 'impressions-r-train'), context });
  };

  test('the training job and both models set isolation (and training traffic encryption) as literals, not from the resolved spec', () => {
    expect(training).toEqual(expect.objectContaining({ EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: true }));
    expect(training).not.toHaveProperty('EnableNetworkIsolation.$');
    for (const name of ['pretrained: create model', 'fine-tuned: create model']) {
      expect(states[name].Parameters).toEqual(expect.objectContaining({ EnableNetworkIsolation: true }));
    }
    expect(JSON.stringify(runDefinition())).not.toMatch(/enableNetworkIsolation|enableInterContainerTrafficEncryption/);
  });

  test('the role may start the job the state machine sends', () => {
    expect(createTrainingJob()).toBe('allowed');
  });

  test.each([
    ['network access', { 'sagemaker:NetworkIsolation': 'false' }],
    ['isolation left out', { 'sagemaker:NetworkIsolation': undefined }],
    ['unencrypted traffic between instances', { 'sagemaker:InterContainerTrafficEncryption': 'false' }],
    ['traffic encryption left out', { 'sagemaker:InterContainerTrafficEncryption': undefined }],
    ['output under another key', { 'sagemaker:OutputKmsKey': OTHER_KEY }],
    ['output without a key', { 'sagemaker:OutputKmsKey': undefined }],
    ['a volume under another key', { 'sagemaker:VolumeKmsKey': OTHER_KEY }],
    ['no app tag', { [`aws:RequestTag/${TAG_APP}`]: undefined }],
    ["another app's tag", { [`aws:RequestTag/${TAG_APP}`]: 'impressions-dev' }],
  ])('SageMaker refuses a training job with %s', (_what, overrides) => {
    expect(createTrainingJob(overrides)).toBe('explicit-deny');
  });

  test('a volume under the data key, or none (NVMe instance storage rejects a volume key), is accepted', () => {
    expect(createTrainingJob({ 'sagemaker:VolumeKmsKey': keyArn })).toBe('allowed');
  });

  test.each([
    ['sagemaker:CreateModel', 'model', { 'sagemaker:NetworkIsolation': 'false' }, 'explicit-deny'],
    ['sagemaker:CreateModel', 'model', {}, 'explicit-deny'],
    ['sagemaker:CreateModel', 'model', { 'sagemaker:NetworkIsolation': 'true' }, 'allowed'],
    ['sagemaker:CreateEndpointConfig', 'endpoint-config', { 'sagemaker:VolumeKmsKey': OTHER_KEY }, 'explicit-deny'],
    ['sagemaker:CreateEndpointConfig', 'endpoint-config', { 'sagemaker:VolumeKmsKey': keyArn }, 'allowed'],
    ['sagemaker:CreateEndpointConfig', 'endpoint-config', {}, 'allowed'],
  ])('%s on a %s with %j: %s', (action, type, extra, decision) => {
    const context = { [`aws:RequestTag/${TAG_APP}`]: 'impressions', ...extra };
    expect(evaluate(statements, { action, resource: sm(type, 'impressions-r-pt'), context })).toBe(decision);
  });

  test('every condition key of every Deny is one its actions support (Service Authorization Reference)', () => {
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => s.Sid).sort()).toEqual([
      'DenyContainersWithNetworkAccess',
      'DenyRemovingResourcesOfOtherApps',
      'DenyResourcesWithoutTheAppTag',
      'DenyTrainingOutputWithoutTheDataKey',
      'DenyUnencryptedTrainingTraffic',
      'DenyVolumesWithAnotherKey',
    ]);
    for (const statement of denies) {
      const keys = Object.values(statement.Condition ?? {}).flatMap((k) => Object.keys(k));
      for (const action of [statement.Action].flat() as string[]) {
        for (const key of keys)
          expect({ action, key, supported: SUPPORTED_CONDITION_KEYS[action]?.some((k) => key.startsWith(k)) ?? false }).toEqual({
            action,
            key,
            supported: true,
          });
      }
    }
  });
});

describe('3. separate execution roles: hosting reads models only, training its data and writes its run', () => {
  const role = (id: string) => roleStatements(pipeline, id);
  const can = (id: string, action: string, key: string) => evaluate(role(id), { action, resource: object(key) });

  test.each([
    [hostingRole, 's3:GetObject', 'runs/r-1/model/impressions-r-1-train/output/model.tar.gz', 'allowed'],
    [hostingRole, 's3:GetObject', 'train_data/train.jsonl', 'implicit-deny'],
    [hostingRole, 's3:GetObject', 'runs/r-1/checkpoints/checkpoint-1/model.safetensors', 'implicit-deny'],
    [hostingRole, 's3:GetObject', 'eval_data/dev1.jsonl', 'implicit-deny'],
    [hostingRole, 's3:PutObject', 'runs/r-1/model/x', 'implicit-deny'],
    [trainingRole, 's3:GetObject', 'train_data/train.jsonl', 'allowed'],
    [trainingRole, 's3:PutObject', 'runs/r-1/model/impressions-r-1-train/output/model.tar.gz', 'allowed'],
    [trainingRole, 's3:PutObject', 'runs/r-1/checkpoints/checkpoint-1/model.safetensors', 'allowed'],
    [trainingRole, 's3:GetObject', 'runs/r-1/checkpoints/checkpoint-1/model.safetensors', 'allowed'],
    [trainingRole, 's3:PutObject', 'runs/r-1/evaluation/pretrained/shards.jsonl', 'implicit-deny'],
    [trainingRole, 's3:PutObject', 'train_data/train.jsonl', 'implicit-deny'],
    [trainingRole, 's3:GetObject', 'eval_data/dev1.jsonl', 'implicit-deny'],
    [trainingRole, 's3:GetObject', 'prediction_data/summary/run_id=r-1/summary.jsonl', 'implicit-deny'],
    [trainingRole, 's3:DeleteObject', 'runs/r-1/model/x', 'implicit-deny'],
    [trainingRole, 's3:DeleteObjectVersion', 'runs/r-1/checkpoints/x', 'implicit-deny'],
  ])('%s %s %s: %s', (id, action, key, decision) => {
    expect(can(id, action, key)).toBe(decision);
  });

  test('the training job runs as the training role, both models as the hosting role, and the state machine may pass only those two, only to SageMaker', () => {
    const roleRef = (value: unknown) => resolveValue(value);
    expect(roleRef(states['training: fine-tune'].Parameters!['RoleArn' as never])).toBe(resolveValue({ 'Fn::GetAtt': [trainingRole, 'Arn'] }));
    for (const name of ['pretrained: create model', 'fine-tuned: create model']) {
      expect(roleRef((states[name].Parameters as Record<string, unknown>).ExecutionRoleArn)).toBe(resolveValue({ 'Fn::GetAtt': [hostingRole, 'Arn'] }));
    }
    const pass = roleStatements(pipeline, stateMachineRole).filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(pass).toHaveLength(1);
    expect(pass[0].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect([pass[0].Resource].flat().map(resolveValue).sort()).toEqual(
      [resolveValue({ 'Fn::GetAtt': [hostingRole, 'Arn'] }), resolveValue({ 'Fn::GetAtt': [trainingRole, 'Arn'] })].sort(),
    );
  });

  test('each role reads the JumpStart artefacts of its own side only', () => {
    const jumpStart = (key: string) => `arn:${partition}:s3:::jumpstart-cache-prod-${region}/${key}`;
    const weights = 'huggingface-training/train-huggingface-text2text-flan-t5-xl.tar.gz';
    const script = 'source-directory-tarballs/huggingface/transfer_learning/text2text/prepack/v1.1.2/sourcedir.tar.gz';
    const inference = 'huggingface-text2text/huggingface-text2text-flan-t5-xl/artifacts/inference-prepack/v2.0.0/config.json';
    for (const [id, key, decision] of [
      [trainingRole, weights, 'allowed'],
      [trainingRole, script, 'allowed'],
      [trainingRole, inference, 'implicit-deny'],
      [hostingRole, inference, 'allowed'],
      [hostingRole, weights, 'implicit-deny'],
      [hostingRole, script, 'implicit-deny'],
    ] as const) {
      expect({ id, key, decision: evaluate(role(id), { action: 's3:GetObject', resource: jumpStart(key) }) }).toEqual({ id, key, decision });
    }
  });
});

describe("4. SageMaker's own log groups: under the data key, with a retention", () => {
  test('each endpoint gets its log group (data key, tags, retention) before the model and the endpoint exist', () => {
    for (const label of ['pretrained', 'fine-tuned']) {
      const create = states[`${label}: create log group`];
      expect(create.Resource).toMatch(/:::aws-sdk:cloudwatchlogs:createLogGroup$/);
      expect(create.Parameters).toEqual({
        'LogGroupName.$': expect.stringMatching(/^States\.Format\('\/aws\/sagemaker\/Endpoints\/\{\}', \$\..*\.endpoint\)$/),
        KmsKeyId: keyArn,
        Tags: { [TAG_APP]: 'impressions', 'impressions:run-id.$': '$.plan.runId' },
      });
      expect(states[`${label}: set log retention`].Parameters).toEqual(expect.objectContaining({ RetentionInDays: 90 }));
      // An existing group (a reused run id) is put under the key again, then given the retention: idempotent.
      expect(states[`${label}: encrypt existing log group`].Parameters).toEqual(expect.objectContaining({ KmsKeyId: keyArn }));
      expect(states[`${label}: encrypt existing log group`].Next).toBe(`${label}: set log retention`);
      expect(states[`${label}: set log retention`].Next).toBe(`${label}: model data type`);
      expect(statesBefore(`${label}: create endpoint`)).toEqual(expect.arrayContaining([`${label}: create log group`, `${label}: set log retention`]));
      expect(statesBefore(`${label}: create model`)).toContain(`${label}: set log retention`);
    }
  });

  test('/aws/sagemaker/TrainingJobs is created or adopted by a custom resource before the state machine exists, under the data key, 90 days', () => {
    const [id, resource] = Object.entries(pipeline.Resources).find(([, r]) => r.Type === 'Custom::SageMakerLogGroup')!;
    expect(resource.Properties).toEqual(
      expect.objectContaining({ LogGroupName: '/aws/sagemaker/TrainingJobs', KmsKeyId: expect.anything(), RetentionInDays: '90', ReleaseKeyOnDelete: 'false' }),
    );
    expect(resolveValue(resource.Properties!.KmsKeyId)).toBe(keyArn);
    const machine = Object.entries(pipeline.Resources).find(
      ([rid, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && rid.startsWith('RunStateMachine'),
    )![1];
    expect([machine.DependsOn].flat()).toContain(id);
  });

  test('removeDataOnDestroy tells the custom resource the key goes with the stack', () => {
    const removing = synthesizeApp({ 'impressions:removeDataOnDestroy': true }).templates.pipeline;
    const resource = Object.values(removing.Resources).find((r) => r.Type === 'Custom::SageMakerLogGroup')!;
    expect(resource.Properties!.ReleaseKeyOnDelete).toBe('true');
  });

  test('the key policy lets CloudWatch Logs use the key for these log groups, by encryption context, in this account only', () => {
    const policy = keyPolicy().filter((s) => JSON.stringify(s.Principal).includes('logs.'));
    const logsRequest = (group: string, extra: Record<string, string> = {}) =>
      evaluate(policy, {
        action: 'kms:GenerateDataKey',
        resource: '*',
        context: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:${group}`, ...extra },
      });
    expect(logsRequest('/aws/sagemaker/TrainingJobs')).toBe('allowed');
    expect(logsRequest('/aws/sagemaker/Endpoints/impressions-r-1-pt')).toBe('allowed');
    expect(logsRequest('/aws/sagemaker/TrainingJobs', { 'aws:SourceAccount': '999999999999' })).toBe('implicit-deny');
    expect(
      evaluate(policy, {
        action: 'kms:GenerateDataKey',
        resource: '*',
        context: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:999999999999:log-group:/aws/sagemaker/TrainingJobs' },
      }),
    ).toBe('implicit-deny');
    expect(policy).toHaveLength(1);
  });

  test('the README says what the training container logs', () => {
    expect(readme()).toMatch(/### What SageMaker's containers log/);
  });
});

/** Names of the states from which `target` can be reached (its predecessors), in the run definition. */
function statesBefore(target: string): string[] {
  const next = (state: Record<string, unknown>): string[] => [
    ...(typeof state.Next === 'string' ? [state.Next] : []),
    ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
    ...(typeof state.Default === 'string' ? [state.Default] : []),
    ...((state.Catch as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
  ];
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, state] of Object.entries(states)) {
      if (found.has(name)) continue;
      if (next(state).some((n) => n === target || found.has(n))) {
        found.add(name);
        grew = true;
      }
    }
  }
  return [...found];
}

/** The data key's policy statements (DataStack). */
function keyPolicy(): TemplateStatement[] {
  const key = Object.values(data.Resources).find((r) => r.Type === 'AWS::KMS::Key')!;
  return (key.Properties!.KeyPolicy as { Statement: TemplateStatement[] }).Statement;
}

function readme(): string {
  return fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
}

describe('5. the data bucket accepts objects under the data key only', () => {
  const bucketPolicy = () => {
    const bucketId = Object.entries(data.Resources).find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('DataBucket'))![0];
    const policy = Object.values(data.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties!.Bucket).includes(bucketId))!;
    return { bucketId, statements: (policy.Properties!.PolicyDocument as { Statement: TemplateStatement[] }).Statement };
  };
  const { bucketId, statements } = bucketPolicy();
  const dataKey = resolveValue({ 'Fn::GetAtt': [Object.entries(data.Resources).find(([, r]) => r.Type === 'AWS::KMS::Key')![0], 'Arn'] });
  const put = (context: Record<string, string>) =>
    evaluate(statements, {
      action: 's3:PutObject',
      resource: `${resolveValue({ 'Fn::GetAtt': [bucketId, 'Arn'] })}/runs/r-1/run-summary.json`,
      context: { 'aws:SecureTransport': 'true', 's3:TlsVersion': '1.3', ...context },
    });

  test.each([
    ['no encryption header (the bucket default: the data key), as the Lambdas and the CLI write', {}, 'implicit-deny'],
    [
      'SSE-KMS with the data key, as Athena and SageMaker write',
      { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': dataKey },
      'implicit-deny',
    ],
    ['SSE-S3', { 's3:x-amz-server-side-encryption': 'AES256' }, 'explicit-deny'],
    ['DSSE-KMS', { 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': dataKey }, 'explicit-deny'],
    [
      'SSE-KMS with another key',
      { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY },
      'explicit-deny',
    ],
    ['SSE-KMS without a key (the AWS managed aws/s3 key)', { 's3:x-amz-server-side-encryption': 'aws:kms' }, 'explicit-deny'],
    ['SSE-C', { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }, 'explicit-deny'],
  ])('a put with %s: %s', (_what, context, decision) => {
    // The bucket policy grants nothing: implicit-deny there means "not refused"; the writer's role allows it.
    expect(put(context)).toBe(decision);
  });

  test('the Athena workgroup and the training job name the data key for their writes', () => {
    const workGroup = Object.values(analytics.Resources).find((r) => r.Type === 'AWS::Athena::WorkGroup')!;
    const encryption = findObjects(workGroup, (o) => o.EncryptionOption !== undefined)[0];
    expect(encryption.EncryptionOption).toBe('SSE_KMS');
    expect(resolveValue(encryption.KmsKey)).toBe(crossStackValue(analytics, 'DataKey5F086070Arn'));
    expect(resolveValue((states['training: fine-tune'].Parameters as { OutputDataConfig: { KmsKeyId: unknown } }).OutputDataConfig.KmsKeyId)).toBe(keyArn);
  });
});

describe('6. deletes: no role may delete data, and SageMaker deletes respect the app tag', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const allPolicies = (template: TemplateJson) =>
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: TemplateStatement[] }).Statement);

  test('no IAM policy of any stack allows deleting an object of the data bucket', () => {
    for (const [name, template] of Object.entries(templates)) {
      const bucket = name === 'data' ? undefined : crossStackValue(template, 'DataBucketE6B0FAA8Arn');
      if (bucket === undefined) continue;
      const statements = allPolicies(template);
      for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion']) {
        for (const key of ['runs/r-1/model/x', 'prediction_data/predictions/run_id=r-1/x', 'athena-results/q.csv', 'train_data/train.jsonl']) {
          expect({ name, action, key, decision: evaluate(statements, { action, resource: `${bucket}/${key}` }) }).toEqual({
            name,
            action,
            key,
            decision: 'implicit-deny',
          });
        }
      }
    }
  });

  test('every data-bucket grant goes through DataStore: no construct calls a bucket grant of its own', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && !full.endsWith(path.join('constructs', 'data-store.ts'))) {
          const text = fs.readFileSync(full, 'utf8');
          for (const m of text.matchAll(/(dataStore|data)\.bucket\.grant\w*\(|\bbucket\.grant(Read|Write|Put|Delete|ReadWrite)\(/g))
            offenders.push(`${path.relative(ROOT, full)}: ${m[0]}`);
        }
      }
    };
    walk(path.join(ROOT, 'lib'));
    expect(offenders).toEqual([]);
  });

  const DELETES = ['sagemaker:DeleteEndpoint', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DeleteModel', 'sagemaker:StopTrainingJob'];
  const typeOf: Record<string, string> = {
    'sagemaker:DeleteEndpoint': 'endpoint',
    'sagemaker:DeleteEndpointConfig': 'endpoint-config',
    'sagemaker:DeleteModel': 'model',
    'sagemaker:StopTrainingJob': 'training-job',
  };
  const tagged = (tag?: string): Record<string, string> => (tag === undefined ? {} : { [`aws:ResourceTag/${TAG_APP}`]: tag });
  const removers = () => [stateMachineRole, ...['SafetyNetsJanitorRole', 'SafetyNetsSweepOnEventRole', 'SafetyNetsSweepIsCompleteRole'].map(only)];

  test.each(DELETES)('%s: this app, untagged or already gone: allowed; tagged for another deployment with a matching name: refused', (action) => {
    for (const role of removers()) {
      const statements = roleStatements(pipeline, role);
      const resource = sm(typeOf[action], 'impressions-dev-r-1-pt');
      expect({ role, own: evaluate(statements, { action, resource, context: tagged('impressions') }) }).toEqual({ role, own: 'allowed' });
      // A resource that no longer exists has no tags: "not found", not an access error, keeps the clean-up repeatable.
      expect({ role, untagged: evaluate(statements, { action, resource, context: tagged() }) }).toEqual({ role, untagged: 'allowed' });
      expect({ role, other: evaluate(statements, { action, resource, context: tagged('impressions-dev') }) }).not.toEqual({ role, other: 'allowed' });
      expect({
        role,
        unrelated: evaluate(statements, { action, resource: sm(typeOf[action], 'someone-else-pt'), context: tagged('impressions') }),
      }).not.toEqual({
        role,
        unrelated: 'allowed',
      });
    }
  });
});

describe('8. confused deputy: CloudWatch may use the key only for this account', () => {
  test('alarms: aws:SourceAccount and an alarm aws:SourceArn of this account and region', () => {
    const alarms = keyPolicy().filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    expect(alarms).toHaveLength(1);
    const request = (context: Record<string, string>) => evaluate(alarms, { action: 'kms:GenerateDataKey', resource: '*', context });
    const alarm = `arn:${partition}:cloudwatch:${region}:${account}:alarm:impressions-pipeline-AlarmsRunsFailed-X`;
    expect(request({ 'aws:SourceAccount': account, 'aws:SourceArn': alarm })).toBe('allowed');
    expect(request({ 'aws:SourceAccount': '999999999999', 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:999999999999:alarm:theirs' })).toBe('implicit-deny');
    expect(request({})).toBe('implicit-deny');
  });

  test('logs: the encryption context names a log group of this account; a source account, when sent, must be this one', () => {
    const logs = keyPolicy().find((s) => JSON.stringify(s.Principal).includes('logs.'))!;
    expect(Object.keys(logs.Condition!).sort()).toEqual(['ArnLike', 'ArnLikeIfExists', 'StringEqualsIfExists']);
    expect(Object.keys(logs.Condition!.StringEqualsIfExists)).toEqual(['aws:SourceAccount']);
  });
});

describe('9. acknowledgements: each names a finding that exists', () => {
  test.each([
    ['QuickSight on (the app of this file)', undefined],
    ['the default app', {}],
    [
      'spot training, e-mail, data removed on destroy',
      { 'impressions:spotTraining': true, 'impressions:notificationEmail': 'ops@example.org', 'impressions:removeDataOnDestroy': true },
    ],
    // Acknowledgement ids are rendered from the ARNs the policies hold: another prefix and bucket name leave none stale.
    ['another prefix and bucket name', { 'impressions:resourcePrefix': 'rad', 'impressions:bucketName': 'chest-xray-data' }],
  ])('%s: no unacknowledged finding and no stale acknowledgement', (_name, context) => {
    const built = context === undefined ? app : synthesizeApp(context).app;
    expect(nagReport(built)).toEqual({ unacknowledged: [], stale: [] });
  });

  test('the check fails on an acknowledgement that matches no finding', () => {
    const stack = new Stack(testApp(), 'S');
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'no such finding here' });
    Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'the role has no policy at all' });
    expect(nagReport(stack).stale).toEqual(['AwsSolutions-SQS3 at S/Bucket', 'AwsSolutions-IAM5[Resource::*] at S/Role']);
  });

  test("the sweep's waiter state machine logs (aws-cdk-lib disables it by default) and no acknowledgement says otherwise", () => {
    const waiter = Object.entries(pipeline.Resources).find(([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && !id.startsWith('RunStateMachine'))![1];
    expect(waiter.Properties!.LoggingConfiguration).toEqual(expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }));
    expect(JSON.stringify(pipeline)).not.toContain('AwsSolutions-SF1');
  });
});

// Point 7 (QuickSight) is held by test/lib/stacks/analytics-stack.test.ts: viewer actions only, the predictions by direct query.
test('the README says, in the security model, that the report text is queried directly and what SPICE would do', () => {
  expect(readme()).toMatch(/DIRECT_QUERY/);
  expect(readme()).toMatch(/SPICE/);
});
