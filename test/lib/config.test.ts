import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_DEFAULTS, CONFIG_KEYS, ConfigError, loadConfig, loadConfigFromProject } from '../../lib/config';

const from = (values: Record<string, unknown>) => loadConfig(values);
const key = (k: string) => `impressions:${k}`;

describe('loadConfig', () => {
  test('every key has its documented default', () => {
    const config = from({});
    expect(config).toEqual({ ...CONFIG_DEFAULTS, bucketName: undefined, notificationEmail: undefined });
    expect(config.modelId).toBe('huggingface-text2text-flan-t5-xl');
    expect(config.modelVersion).toBe('2.*');
    expect(config.trainingInstanceType).toBe('ml.p3.16xlarge');
    expect(config.epochs).toBe(3);
    expect(config.trainingVolumeGb).toBe(300);
    expect(config.maxTrainingHours).toBe(100);
    expect(config.inferenceInstanceType).toBe('ml.g5.2xlarge');
    expect(config.promptTemplate).toBe('Generate radiology report impressions based on the following findings. Findings: {context}');
    expect(config.maxNewTokens).toBe(80);
    expect(config.numBeams).toBe(10);
    expect(config.evalConcurrencyPerEndpoint).toBe(4);
    expect(config.evalShardSize).toBe(100);
    expect(config.quicksightPrincipalArns).toEqual([]);
    expect(config.hourlyPrices).toEqual({ 'ml.p3.16xlarge': 28.152, 'ml.g5.2xlarge': 1.515 });
    expect(config.removeDataOnDestroy).toBe(false);
    expect(config.spotTraining).toBe(false);
  });

  test('CONFIG_KEYS lists every key of the config', () => {
    expect([...CONFIG_KEYS].sort()).toEqual(Object.keys(from({ [key('bucketName')]: 'my-bucket', [key('notificationEmail')]: 'a@b.org' })).sort());
  });

  test('string values from -c are converted to their types', () => {
    const config = from({
      [key('epochs')]: '5',
      [key('removeDataOnDestroy')]: 'true',
      [key('spotTraining')]: 'false',
      [key('maxTrainingHours')]: '12.5',
      [key('hyperparameters')]: '{"learning_rate": 0.0002, "peft_type": "lora", "gradient_checkpointing": true}',
      [key('quicksightPrincipalArns')]:
        'arn:aws:quicksight:us-east-1:123456789012:user/default/alice, arn:aws:quicksight:us-east-1:123456789012:group/default/radiology',
      [key('hourlyPrices')]: '{"ml.p4d.24xlarge": 37.688}',
    });
    expect(config.epochs).toBe(5);
    expect(config.removeDataOnDestroy).toBe(true);
    expect(config.spotTraining).toBe(false);
    expect(config.maxTrainingHours).toBe(12.5);
    // Booleans are sent as True/False, as from a run input (lib/core/run/hyperparameters.ts).
    expect(config.hyperparameters).toEqual({ learning_rate: '0.0002', peft_type: 'lora', gradient_checkpointing: 'True' });
    expect(config.quicksightPrincipalArns).toEqual([
      'arn:aws:quicksight:us-east-1:123456789012:user/default/alice',
      'arn:aws:quicksight:us-east-1:123456789012:group/default/radiology',
    ]);
    expect(config.hourlyPrices).toEqual({ 'ml.p3.16xlarge': 28.152, 'ml.g5.2xlarge': 1.515, 'ml.p4d.24xlarge': 37.688 });
  });

  test('lists are accepted as JSON', () => {
    const arn = 'arn:aws:quicksight:eu-west-1:123456789012:user/default/bob';
    expect(from({ [key('quicksightPrincipalArns')]: `["${arn}"]` }).quicksightPrincipalArns).toEqual([arn]);
    expect(from({ [key('quicksightPrincipalArns')]: [arn] }).quicksightPrincipalArns).toEqual([arn]);
  });

  test.each([
    ['epochs', 'zero', /impressions:epochs: received "zero"; allowed: a whole number from 1 to 100/],
    ['epochs', 2.5, /impressions:epochs: received 2.5; allowed: a whole number from 1 to 100/],
    ['epochs', 0, /impressions:epochs: received 0; allowed: a whole number from 1 to 100/],
    ['removeDataOnDestroy', 'yes', /impressions:removeDataOnDestroy: received "yes"; allowed: true or false/],
    ['spotTraining', 1, /impressions:spotTraining: received 1; allowed: true or false/],
    ['bucketName', 'My_Bucket', /impressions:bucketName: received "My_Bucket"; allowed: 3-63 characters/],
    ['bucketName', 'a..b', /impressions:bucketName: received "a..b"/],
    ['resourcePrefix', 'Impressions', /impressions:resourcePrefix: received "Impressions"; allowed: 2-20 characters/],
    ['modelId', 'Flan T5', /impressions:modelId: received "Flan T5"; allowed: a JumpStart model id/],
    ['modelVersion', 'latest', /impressions:modelVersion: received "latest"; allowed: an exact version such as 2.2.3, a major wildcard such as 2.\*, or \*/],
    ['modelVersion', '2.2', /impressions:modelVersion: received "2.2"/],
    ['trainingInstanceType', 'p3.16xlarge', /impressions:trainingInstanceType: received "p3.16xlarge"; allowed: a SageMaker instance type/],
    ['inferenceInstanceType', 'ml.g5', /impressions:inferenceInstanceType: received "ml.g5"/],
    [
      'hyperparameters',
      '{"learning_rate": [1]}',
      /impressions:hyperparameters: received .*; allowed: a JSON object of hyperparameter name \(.*\) to string, number or boolean/,
    ],
    ['hyperparameters', 'not json', /impressions:hyperparameters: received "not json"; allowed: a JSON object/],
    // The run input's rules (lib/core/run/hyperparameters.ts): lower-case names, no sagemaker_* entries.
    ['hyperparameters', '{"Learning_Rate": 0.1}', /impressions:hyperparameters: received .*; allowed: a JSON object of hyperparameter name \(lower-case/],
    ['hyperparameters', '{"sagemaker_program": "x.py"}', /impressions:hyperparameters: received .*sagemaker_program/],
    [
      'hyperparameters',
      '{"epochs": 4}',
      /impressions:hyperparameters: .*allowed: hyperparameter overrides other than epochs \(set impressions:epochs instead\)/,
    ],
    ['trainingVolumeGb', '-1', /impressions:trainingVolumeGb: received "-1"; allowed: a whole number from 1 to 16384/],
    ['maxTrainingHours', '1000', /impressions:maxTrainingHours: received "1000"; allowed: a number from 0.25 to 672/],
    [
      'promptTemplate',
      'Findings: {findings}',
      /impressions:promptTemplate: received "Findings: {findings}"; allowed: text containing the placeholder \{context\} exactly once/,
    ],
    ['promptTemplate', '{context} {context}', /impressions:promptTemplate/],
    ['maxNewTokens', 0, /impressions:maxNewTokens: received 0; allowed: a whole number from 1 to 2048/],
    ['numBeams', 'ten', /impressions:numBeams: received "ten"; allowed: a whole number from 1 to 64/],
    ['evalConcurrencyPerEndpoint', 100, /impressions:evalConcurrencyPerEndpoint: received 100; allowed: a whole number from 1 to 64/],
    ['evalShardSize', '1e9', /impressions:evalShardSize: received "1e9"; allowed: a whole number from 1 to 10000/],
    ['quicksightPrincipalArns', 'alice', /impressions:quicksightPrincipalArns: received "alice"; allowed: QuickSight user or group ARNs/],
    ['notificationEmail', 'not-an-address', /impressions:notificationEmail: received "not-an-address"; allowed: an e-mail address/],
    ['hourlyPrices', '{"ml.g5.2xlarge": -1}', /impressions:hourlyPrices: received .*; allowed: a JSON object of SageMaker instance type/],
    ['hourlyPrices', '{"g5.2xlarge": 1}', /impressions:hourlyPrices/],
  ])('%s = %p is rejected with a message naming the key, the value and what is allowed', (k, value, message) => {
    expect(() => from({ [key(k)]: value })).toThrow(message);
  });

  test("spot training leaves room for the 12 h wait within SageMaker's 28 days", () => {
    expect(() => from({ [key('spotTraining')]: true, [key('maxTrainingHours')]: 661 })).toThrow(
      /impressions:maxTrainingHours: received 661; allowed: at most 660 with spotTraining/,
    );
    expect(from({ [key('spotTraining')]: true, [key('maxTrainingHours')]: 660 }).maxTrainingHours).toBe(660);
    expect(from({ [key('maxTrainingHours')]: 672 }).maxTrainingHours).toBe(672);
  });

  test('an instance type without a price is rejected', () => {
    expect(() => from({ [key('trainingInstanceType')]: 'ml.p4d.24xlarge' })).toThrow(
      /impressions:hourlyPrices: .*allowed: an object that includes a price for trainingInstanceType ml.p4d.24xlarge/,
    );
  });

  test('every problem is reported in one error', () => {
    let error: unknown;
    try {
      from({ [key('epochs')]: 'zero', [key('numBeams')]: -1, [key('spotTraining')]: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.key)).toEqual(['epochs', 'spotTraining', 'numBeams']);
    expect((error as Error).message).toMatch(/^Invalid configuration \(3 problems\):/);
  });

  test.each([
    ['epoch', 'epochs'],
    ['trainingInstance', 'trainingInstanceType'],
    ['EPOCHS', 'epochs'],
    ['numbeam', 'numBeams'],
    ['hyperparameter', 'hyperparameters'],
    ['prompt', 'promptTemplate'],
    ['bucket', 'bucketName'],
  ])('an unknown key impressions:%s fails, suggesting `%s`', (k, suggestion) => {
    expect(() => from({ [key(k)]: '5' })).toThrow(
      `Invalid configuration (1 problem):\n  - impressions:${k}: not a setting of this app; did you mean \`${suggestion}\`?`,
    );
  });

  test('an unknown key with nothing close points to the README; keys of other prefixes are not ours to check', () => {
    expect(() => from({ [key('colour')]: 'blue', '@aws-cdk/core:newStyleStackSynthesis': true, 'other:epoch': 1 })).toThrow(
      'Invalid configuration (1 problem):\n  - impressions:colour: not a setting of this app; the settings are listed in README.md, "Configuration"',
    );
  });

  test('unknown keys and invalid values are reported together, with their sources', () => {
    const sources: Record<string, 'command line' | 'cdk.json'> = { 'impressions:epoch': 'command line', 'impressions:numBeams': 'cdk.json' };
    expect(() => loadConfig({ [key('epoch')]: '5', [key('numBeams')]: 0 }, (k) => sources[k])).toThrow(
      'Invalid configuration (2 problems):\n' +
        '  - impressions:epoch (command line): not a setting of this app; did you mean `epochs`?\n' +
        '  - impressions:numBeams (cdk.json): received 0; allowed: a whole number from 1 to 64',
    );
  });

  test('empty optional strings mean "not set"', () => {
    expect(from({ [key('bucketName')]: '', [key('notificationEmail')]: '' })).toMatchObject({ bucketName: undefined, notificationEmail: undefined });
  });
});

describe('loadConfigFromProject', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('merges cdk.json, cdk.context.json and ~/.cdk.json with the CDK CLI precedence (cdk.json first)', () => {
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: { 'impressions:epochs': 4, 'impressions:numBeams': 2 } }));
    fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ 'impressions:numBeams': 5, 'impressions:evalShardSize': 50 }));
    fs.writeFileSync(path.join(home, '.cdk.json'), JSON.stringify({ context: { 'impressions:evalShardSize': 7, 'impressions:maxNewTokens': 60 } }));
    expect(loadConfigFromProject(dir, home)).toMatchObject({ epochs: 4, numBeams: 2, evalShardSize: 50, maxNewTokens: 60 });
    expect(loadConfigFromProject(dir)).toMatchObject({ maxNewTokens: 80 });
  });

  test('a bad or unknown setting names the file it is set in', () => {
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ context: { 'impressions:epochs': 'three' } }));
    fs.writeFileSync(path.join(dir, 'cdk.context.json'), JSON.stringify({ 'impressions:promptTemplat': 'T: {context}' }));
    expect(() => loadConfigFromProject(dir)).toThrow(
      new ConfigError([
        { key: 'promptTemplat', received: undefined, allowed: 'did you mean `promptTemplate`?', source: 'cdk.context.json', unknownKey: true },
        { key: 'epochs', received: 'three', allowed: 'a whole number from 1 to 100', source: 'cdk.json' },
      ]).message,
    );
    expect(() => loadConfigFromProject(dir)).toThrow(
      'Invalid configuration (2 problems):\n' +
        '  - impressions:promptTemplat (cdk.context.json): not a setting of this app; did you mean `promptTemplate`?\n' +
        '  - impressions:epochs (cdk.json): received "three"; allowed: a whole number from 1 to 100',
    );
  });

  test('the project cdk.json yields a valid configuration', () => {
    expect(loadConfigFromProject(path.join(__dirname, '..', '..')).modelId).toBe('huggingface-text2text-flan-t5-xl');
  });

  test('a broken cdk.json is reported with its path', () => {
    fs.writeFileSync(path.join(dir, 'cdk.json'), '{ nope');
    expect(() => loadConfigFromProject(dir)).toThrow(/cdk\.json: not valid JSON/);
  });
});
