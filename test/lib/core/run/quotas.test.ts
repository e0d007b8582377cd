import { evaluateQuotas, quotaNameOf, QuotaTooLowError, quotaNeeds, usageByQuota } from '../../../../lib/core/run/quotas';

describe('quotas', () => {
  test('needs: training (unless skipped) and endpoint, one instance each', () => {
    const event = { trainingInstanceType: 'ml.p3.16xlarge', inferenceInstanceType: 'ml.g5.2xlarge', skipTraining: false, spotTraining: false };
    expect(quotaNeeds(event)).toEqual([
      { quotaName: 'ml.p3.16xlarge for training job usage', needed: 1 },
      { quotaName: 'ml.g5.2xlarge for endpoint usage', needed: 1 },
    ]);
    expect(quotaNeeds({ ...event, skipTraining: true })).toEqual([{ quotaName: 'ml.g5.2xlarge for endpoint usage', needed: 1 }]);
  });

  test('spot training needs the spot training quota, not the on-demand one', () => {
    const event = { trainingInstanceType: 'ml.p3.16xlarge', inferenceInstanceType: 'ml.g5.2xlarge', skipTraining: false, spotTraining: true };
    expect(quotaNeeds(event)).toEqual([
      { quotaName: 'ml.p3.16xlarge for spot training job usage', needed: 1 },
      { quotaName: 'ml.g5.2xlarge for endpoint usage', needed: 1 },
    ]);
  });

  test('instance holders count against the quota of their kind; spot training has its own', () => {
    expect(quotaNameOf({ kind: 'endpoint', name: 'e', instanceType: 'ml.g5.2xlarge', instances: 1 })).toBe('ml.g5.2xlarge for endpoint usage');
    expect(quotaNameOf({ kind: 'training job', name: 't', instanceType: 'ml.p3.2xlarge', instances: 1 })).toBe('ml.p3.2xlarge for training job usage');
    expect(quotaNameOf({ kind: 'training job', name: 't', instanceType: 'ml.p3.2xlarge', instances: 1, spot: true })).toBe(
      'ml.p3.2xlarge for spot training job usage',
    );
    const usage = usageByQuota([
      { kind: 'endpoint', name: 'a', instanceType: 'ml.g5.2xlarge', instances: 2 },
      { kind: 'endpoint', name: 'b', instanceType: 'ml.g5.2xlarge', instances: 1 },
      { kind: 'endpoint', name: 'idle', instanceType: 'ml.g5.2xlarge', instances: 0 },
      { kind: 'training job', name: 't', instanceType: 'ml.g5.2xlarge', instances: 1 },
    ]);
    expect(Object.fromEntries(usage)).toEqual({
      'ml.g5.2xlarge for endpoint usage': { inUse: 3, holders: ['endpoint a', 'endpoint b'] },
      'ml.g5.2xlarge for training job usage': { inUse: 1, holders: ['training job t'] },
    });
  });

  test('instances in use are subtracted; at most five holders are named', () => {
    const needs = [{ quotaName: 'x for endpoint usage', needed: 1 }];
    const quota = [{ QuotaName: 'x for endpoint usage', QuotaCode: 'L-X', Value: 7 }];
    const holders = Array.from({ length: 7 }, (_, i) => ({ kind: 'endpoint' as const, name: `e${i}`, instanceType: 'x', instances: 1 }));
    expect(() => evaluateQuotas(needs, quota, [], usageByQuota(holders))).toThrow(
      '"x for endpoint usage" (L-X) is 7 and 7 in use (endpoint e0, endpoint e1, endpoint e2, endpoint e3, endpoint e4 and 2 more), ' + 'the run needs 1 more',
    );
    expect(evaluateQuotas(needs, quota, [], usageByQuota(holders.slice(1))).checked).toEqual([
      { quotaName: 'x for endpoint usage', quotaCode: 'L-X', value: 7, inUse: 6, needed: 1 },
    ]);
  });

  test('applied values win over defaults; every problem is listed', () => {
    const needs = [
      { quotaName: 'a for endpoint usage', needed: 1 },
      { quotaName: 'b for endpoint usage', needed: 1 },
    ];
    expect(() =>
      evaluateQuotas(
        needs,
        [{ QuotaName: 'a for endpoint usage', QuotaCode: 'L-A', Value: 0 }],
        [{ QuotaName: 'a for endpoint usage', QuotaCode: 'L-A', Value: 5 }],
      ),
    ).toThrow(/"a for endpoint usage" \(L-A\) is 0, the run needs 1: request an increase of quota L-A.*; no Service Quotas quota named "b for endpoint usage"/);
    expect(() => evaluateQuotas(needs, [])).toThrow(QuotaTooLowError);
  });
});
