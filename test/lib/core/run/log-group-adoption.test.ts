import { assertRetention, decodeAdoption, encodeAdoption, planEnsure, planRelease } from '../../../../lib/core/run/log-group-adoption';

const WANTED = { kmsKeyId: 'k-data', retentionInDays: 90 };

describe('planEnsure', () => {
  test('a missing group is created with the key, then given the retention', () => {
    expect(planEnsure({ exists: false }, WANTED, 'g')).toEqual({
      steps: [
        { action: 'create', kmsKeyId: 'k-data' },
        { action: 'putRetention', retentionInDays: 90 },
      ],
      adoption: { logGroupName: 'g', created: true },
    });
  });

  test('an existing group gets only what differs, and its previous settings are recorded', () => {
    expect(planEnsure({ exists: true, kmsKeyId: 'k-other', retentionInDays: 90 }, WANTED, 'g')).toEqual({
      steps: [{ action: 'associateKey', kmsKeyId: 'k-data' }],
      adoption: { logGroupName: 'g', created: false, previousKmsKeyId: 'k-other', previousRetentionInDays: 90 },
    });
    expect(planEnsure({ exists: true, kmsKeyId: 'k-data', retentionInDays: 90 }, WANTED, 'g').steps).toEqual([]);
  });

  test('an update carries the first record on, whatever the group looks like now', () => {
    const first = { logGroupName: 'g', created: false };
    expect(planEnsure({ exists: true, kmsKeyId: 'k-data', retentionInDays: 30 }, WANTED, 'g', first).adoption).toBe(first);
  });

  test('a retention CloudWatch Logs does not accept is refused', () => {
    expect(() => planEnsure({ exists: false }, { kmsKeyId: 'k', retentionInDays: 100 }, 'g')).toThrow(/retention of 100 days/);
    expect(() => assertRetention(3653)).not.toThrow();
  });
});

describe('planRelease', () => {
  test('a created group keeps key and retention, unless the key goes with the stack', () => {
    const created = { logGroupName: 'g', created: true };
    expect(planRelease({ exists: true, kmsKeyId: 'k-data', retentionInDays: 90 }, created, false)).toEqual([]);
    expect(planRelease({ exists: true, kmsKeyId: 'k-data', retentionInDays: 90 }, created, true)).toEqual([{ action: 'disassociateKey' }]);
  });

  test('an adopted group gets its previous key and retention back, or none', () => {
    const current = { exists: true, kmsKeyId: 'k-data', retentionInDays: 90 };
    expect(planRelease(current, { logGroupName: 'g', created: false }, true)).toEqual([{ action: 'disassociateKey' }, { action: 'deleteRetention' }]);
    expect(planRelease(current, { logGroupName: 'g', created: false, previousKmsKeyId: 'k-other', previousRetentionInDays: 7 }, false)).toEqual([
      { action: 'associateKey', kmsKeyId: 'k-other' },
      { action: 'putRetention', retentionInDays: 7 },
    ]);
  });

  test('a group that is gone needs nothing', () => {
    expect(planRelease({ exists: false }, { logGroupName: 'g', created: false, previousKmsKeyId: 'k' }, true)).toEqual([]);
  });
});

describe('adoption records in the physical resource id', () => {
  test('round trip', () => {
    const record = { logGroupName: '/aws/sagemaker/TrainingJobs', created: false, previousRetentionInDays: 30 };
    expect(decodeAdoption(encodeAdoption(record))).toEqual(record);
  });

  test.each(['not json', '{}', '{"logGroupName":"g","created":"no"}', '{"logGroupName":"g","created":true,"previousRetentionInDays":"30"}', 'null'])(
    'anything else is refused: %s',
    (id) => {
      expect(() => decodeAdoption(id)).toThrow(/is not an adoption record/);
    },
  );
});
