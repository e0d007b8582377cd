import { isNotFound, toTaggedResources, unlessGone } from '../../../../lib/core/run/cleanup-plan';

const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012';
const tags = (app: string, runId?: string, kept = false) => [
  { Key: 'impressions:app', Value: app },
  ...(runId === undefined ? [] : [{ Key: 'impressions:run-id', Value: runId }]),
  ...(kept ? [{ Key: 'impressions:keep', Value: 'true' }] : []),
];

describe('toTaggedResources', () => {
  test('keeps only this app (and run), orders training jobs, endpoints, configs, models, and restores name case', () => {
    const resources = toTaggedResources(
      [
        { ResourceARN: `${ARN}:model/impressions-abc-ft`, Tags: tags('impressions', 'ABC') },
        { ResourceARN: `${ARN}:endpoint/impressions-abc-ft`, Tags: tags('impressions', 'ABC') },
        { ResourceARN: `${ARN}:endpoint/impressions-x-ft`, Tags: tags('impressions', 'x') },
        { ResourceARN: `${ARN}:endpoint/impressions-abc-pt`, Tags: tags('other', 'ABC') },
        { ResourceARN: `${ARN}:endpoint/no-run-tag`, Tags: tags('impressions') },
        { ResourceARN: `${ARN}:notebook-instance/impressions-abc`, Tags: tags('impressions', 'ABC') },
        { ResourceARN: `${ARN}:training-job/impressions-abc-train`, Tags: tags('impressions', 'ABC') },
      ],
      'impressions',
      { runId: 'ABC' },
    );
    expect(resources.map((r) => `${r.kind}:${r.name}`)).toEqual([
      'training-job:impressions-ABC-train',
      'endpoint:impressions-ABC-ft',
      'model:impressions-ABC-ft',
    ]);
  });

  test("scope 'app': every resource of the app, with or without a run id; unknown names keep the ARN spelling", () => {
    const resources = toTaggedResources(
      [
        { ResourceARN: `${ARN}:model/handmade`, Tags: tags('impressions', 'r') },
        { ResourceARN: `${ARN}:model/impressions-q-pt`, Tags: tags('impressions', 'q') },
        { ResourceARN: `${ARN}:endpoint/no-run-id`, Tags: tags('impressions') },
        { ResourceARN: `${ARN}:endpoint/impressions-k-ft`, Tags: tags('impressions', 'k', true) },
        { ResourceARN: `${ARN}:endpoint/untagged`, Tags: [] },
        { ResourceARN: `${ARN}:endpoint/other-app`, Tags: tags('other', 'q') },
      ],
      'impressions',
      'app',
    );
    expect(resources.map((r) => [r.name, r.runId, r.kept])).toEqual([
      ['no-run-id', undefined, false],
      ['impressions-k-ft', 'k', true],
      ['handmade', 'r', false],
      ['impressions-q-pt', 'q', false],
    ]);
  });

  test("scope 'unassigned': the app's resources without a run id only", () => {
    const resources = toTaggedResources(
      [
        { ResourceARN: `${ARN}:endpoint/no-run-id`, Tags: tags('impressions') },
        { ResourceARN: `${ARN}:endpoint/impressions-q-pt`, Tags: tags('impressions', 'q') },
        { ResourceARN: `${ARN}:endpoint/untagged`, Tags: [] },
      ],
      'impressions',
      'unassigned',
    );
    expect(resources.map((r) => r.name)).toEqual(['no-run-id']);
  });
});

test('isNotFound', () => {
  expect(isNotFound(Object.assign(new Error('x'), { name: 'ResourceNotFound' }))).toBe(true);
  expect(isNotFound(Object.assign(new Error('Could not find model "m".'), { name: 'ValidationException' }))).toBe(true);
  expect(isNotFound(Object.assign(new Error('Cannot update in-progress endpoint'), { name: 'ValidationException' }))).toBe(false);
  expect(isNotFound(new Error('Could not find'))).toBe(false);
});

test('unlessGone: the result, undefined for a missing resource, any other error rethrown', async () => {
  await expect(unlessGone(async () => 'described')).resolves.toBe('described');
  await expect(
    unlessGone(async () => {
      throw Object.assign(new Error('Could not find endpoint "e".'), { name: 'ValidationException' });
    }),
  ).resolves.toBeUndefined();
  await expect(
    unlessGone(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }),
  ).rejects.toThrow('Rate exceeded');
});
