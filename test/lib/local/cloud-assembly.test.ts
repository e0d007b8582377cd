/** Reading a cloud assembly with every intrinsic resolved to the local deployment's names. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudAssembly, CloudAssemblyError } from '../../../lib/local/cloud-assembly';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  const write = (file: string, value: unknown) => fs.writeFileSync(path.join(dir, file), JSON.stringify(value));
  write('manifest.json', {
    artifacts: {
      data: { type: 'aws:cloudformation:stack', properties: { templateFile: 'data.template.json' } },
      pipeline: { type: 'aws:cloudformation:stack', properties: { templateFile: 'pipeline.template.json' } },
    },
  });
  write('data.template.json', {
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Join': ['', ['data-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] } } },
      Key: { Type: 'AWS::KMS::Key' },
    },
    Outputs: { BucketOut: { Value: { Ref: 'Bucket' } }, KeyOut: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
  });
  fs.mkdirSync(path.join(dir, 'asset.abc'));
  fs.writeFileSync(path.join(dir, 'asset.abc', 'index.js'), 'exports.handler = async () => 1;');
  write('pipeline.assets.json', { files: { abc: { source: { path: 'asset.abc', packaging: 'zip' } } } });
  write('pipeline.template.json', {
    Resources: {
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'index.handler',
          Timeout: 30,
          Code: { S3Bucket: 'assets', S3Key: 'abc.zip' },
          Environment: { Variables: { DATA_BUCKET: { 'Fn::GetStackOutput': { StackName: 'data', OutputName: 'BucketOut' } }, PLAIN: 'x' } },
        },
      },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                { 'Fn::GetAtt': ['Fn', 'Arn'] },
                '","Parameters":{"Key":"',
                { 'Fn::GetStackOutput': { StackName: 'data', OutputName: 'KeyOut' } },
                '"},"End":true}}}',
              ],
            ],
          },
        },
      },
    },
    Outputs: { StateMachineArn: { Value: { Ref: 'Machine' } }, Sub: { Value: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Fn.Arn}' } } },
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CloudAssembly', () => {
  test('resolves names, cross-stack outputs, joins, subs and values set by the deployment', () => {
    const assembly = CloudAssembly.load(dir);
    assembly.setPhysical('data', 'Key', { ref: 'key-1', attributes: { Arn: 'arn:aws:kms:us-east-1:123456789012:key/key-1' } });
    expect(assembly.outputs('data')).toEqual({ BucketOut: 'data-123456789012-us-east-1', KeyOut: 'arn:aws:kms:us-east-1:123456789012:key/key-1' });
    expect(assembly.output('pipeline', 'Sub')).toBe('arn:aws:x:us-east-1:arn:aws:lambda:us-east-1:123456789012:function:pipeline-Fn');
  });

  test('functions come with their bundle folder and resolved environment; the state machine with its resolved definition', () => {
    const assembly = CloudAssembly.load(dir);
    assembly.setPhysical('data', 'Key', { ref: 'key-1', attributes: { Arn: 'arn:kms-key' } });
    const [fn] = assembly.functions();
    expect(fn).toMatchObject({
      name: 'pipeline-Fn',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:pipeline-Fn',
      bundleDir: path.join(dir, 'asset.abc'),
      environment: { DATA_BUCKET: 'data-123456789012-us-east-1', PLAIN: 'x' },
      timeoutSeconds: 30,
    });
    const machine = assembly.stateMachineOfOutput('pipeline', 'StateMachineArn');
    expect(machine.arn).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:pipeline-Machine');
    expect(machine.definition).toEqual({ StartAt: 'A', States: { A: { Type: 'Task', Resource: fn.arn, Parameters: { Key: 'arn:kms-key' }, End: true } } });
  });

  test('an attribute the deployment did not give, or a missing assembly, is an error that names it', () => {
    expect(() => CloudAssembly.load(dir).output('data', 'KeyOut')).not.toThrow();
    expect(() => CloudAssembly.load(dir).getAtt('data', 'Key', 'KeyId')).toThrow(/Fn::GetAtt Key\.KeyId has no local value/);
    expect(() => CloudAssembly.load(path.join(dir, 'nope'))).toThrow(CloudAssemblyError);
  });
});
