import { ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, QuotaTooLowError } from '../../../lambda/preflight-quotas/index';

const sq = mockClient(ServiceQuotasClient);
const event = { trainingInstanceType: 'ml.p3.16xlarge', inferenceInstanceType: 'ml.g5.2xlarge', skipTraining: false, spotTraining: false };

beforeEach(() => sq.reset());

describe('preflight-quotas', () => {
  test('reads every page of sagemaker quotas and reports the ones checked', async () => {
    sq.on(ListServiceQuotasCommand)
      .resolvesOnce({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 2 }], NextToken: 'n' })
      .resolvesOnce({ Quotas: [{ QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-T1', Value: 1 }] });
    expect(await handler(event)).toEqual({
      checked: [
        { quotaName: 'ml.p3.16xlarge for training job usage', quotaCode: 'L-T1', value: 1, needed: 1 },
        { quotaName: 'ml.g5.2xlarge for endpoint usage', quotaCode: 'L-E1', value: 2, needed: 1 },
      ],
    });
    expect(sq).toHaveReceivedNthCommandWith(1, ListServiceQuotasCommand, { ServiceCode: 'sagemaker' });
    expect(sq).toHaveReceivedNthCommandWith(2, ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: 'n' });
    expect(sq).not.toHaveReceivedCommand(ListAWSDefaultServiceQuotasCommand);
  });

  test('a zero quota fails naming the quota and its code', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [
      { QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-T1', Value: 0 },
      { QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 1 },
    ] });
    await expect(handler(event)).rejects.toThrow(QuotaTooLowError);
    await expect(handler(event)).rejects.toThrow(
      'SageMaker quota too low: "ml.p3.16xlarge for training job usage" (L-T1) is 0, the run needs 1: request an increase of quota L-T1 for service sagemaker');
  });

  test('skipTraining checks only the endpoint quota', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 1 }] });
    const result = await handler({ ...event, skipTraining: true });
    expect(result.checked.map((c) => c.quotaCode)).toEqual(['L-E1']);
  });

  test('a quota never adjusted is read from the AWS defaults; one that does not exist fails', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    sq.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 4 }] });
    const error = await handler(event).then(() => new Error('no error thrown'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(QuotaTooLowError);
    expect(error.name).toBe('QuotaTooLowError');
    expect(error.message).toBe(
      'SageMaker quota too low: no Service Quotas quota named "ml.p3.16xlarge for training job usage" for sagemaker in this region ' +
        '(is the instance type offered here?)');
  });
});
