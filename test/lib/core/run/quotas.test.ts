import { evaluateQuotas, QuotaTooLowError, quotaNeeds } from '../../../../lib/core/run/quotas';

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

  test('applied values win over defaults; every problem is listed', () => {
    const needs = [{ quotaName: 'a for endpoint usage', needed: 1 }, { quotaName: 'b for endpoint usage', needed: 1 }];
    expect(() => evaluateQuotas(needs, [{ QuotaName: 'a for endpoint usage', QuotaCode: 'L-A', Value: 0 }],
      [{ QuotaName: 'a for endpoint usage', QuotaCode: 'L-A', Value: 5 }])).toThrow(
      /"a for endpoint usage" \(L-A\) is 0, the run needs 1: request an increase of quota L-A.*; no Service Quotas quota named "b for endpoint usage"/);
    expect(() => evaluateQuotas(needs, [])).toThrow(QuotaTooLowError);
  });
});
