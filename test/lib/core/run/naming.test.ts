import { runIdFromExecutionName, runResourceNames, sameSageMakerName } from '../../../../lib/core/run/naming';
import { runTags, TAG_APP, TAG_RUN_ID } from '../../../../lib/core/run/tags';

const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

describe('runIdFromExecutionName', () => {
  test('a valid name of at most 32 characters is kept as is, case included', () => {
    expect(runIdFromExecutionName('Run-2024--01')).toBe('Run-2024--01');
    expect(runIdFromExecutionName('a'.repeat(32))).toBe('a'.repeat(32));
  });

  test.each(['a'.repeat(33), 'my_run.2024', '-leading', 'trailing-', 'ünïcode run', '____', '7c0b6a2e-2d6a-4a0e-9d3f-0d3f1c2b4a5e'])(
    '%p becomes a deterministic slug of at most 32 valid characters',
    (name) => {
      const id = runIdFromExecutionName(name);
      expect(id).toBe(runIdFromExecutionName(name));
      expect(id.length).toBeLessThanOrEqual(32);
      expect(id).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*-[0-9a-f]{8}$/);
      expect(id).not.toBe(name);
    },
  );

  test('different names that sanitise alike still differ', () => {
    expect(runIdFromExecutionName('my_run')).not.toBe(runIdFromExecutionName('my.run'));
    expect(runIdFromExecutionName('my_run').startsWith('my-run-')).toBe(true);
    expect(runIdFromExecutionName('____')).toMatch(/^run-[0-9a-f]{8}$/);
  });
});

describe('runResourceNames', () => {
  test('names for a 20-character prefix and a 32-character run id fit SageMaker', () => {
    const names = runResourceNames('a'.repeat(20), runIdFromExecutionName('x'.repeat(80)));
    for (const name of [names.trainingJob, names.pretrained.endpoint, names.fineTuned.model]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(SAGEMAKER_NAME);
    }
  });

  test('fixed shapes, one name per hosting kind', () => {
    expect(runResourceNames('impressions', 'r1')).toEqual({
      trainingJob: 'impressions-r1-train',
      pretrained: { model: 'impressions-r1-pt', endpointConfig: 'impressions-r1-pt', endpoint: 'impressions-r1-pt' },
      fineTuned: { model: 'impressions-r1-ft', endpointConfig: 'impressions-r1-ft', endpoint: 'impressions-r1-ft' },
    });
  });

  test('rejects names SageMaker would reject', () => {
    expect(() => runResourceNames('a'.repeat(30), 'b'.repeat(32))).toThrow(/must be 1-63 letters, digits and inner hyphens/);
    expect(() => runResourceNames('bad_prefix', 'r1')).toThrow(/SageMaker name "bad_prefix-r1-train"/);
  });

  test('ARN names compare without case', () => {
    expect(sameSageMakerName('impressions-Run1-pt', 'impressions-run1-pt')).toBe(true);
  });
});

test('runTags', () => {
  expect(runTags('impressions', 'r1')).toEqual([
    { Key: TAG_APP, Value: 'impressions' },
    { Key: TAG_RUN_ID, Value: 'r1' },
  ]);
  expect([TAG_APP, TAG_RUN_ID]).toEqual(['impressions:app', 'impressions:run-id']);
});
