import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ListAWSDefaultServiceQuotasCommand, ListServiceQuotasCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler, QuotaTooLowError } from '../../../lambda/preflight-quotas/index';

const sq = mockClient(ServiceQuotasClient);
const sm = mockClient(SageMakerClient);
const event = { trainingInstanceType: 'ml.p3.16xlarge', inferenceInstanceType: 'ml.g5.2xlarge', skipTraining: false, spotTraining: false };

beforeEach(() => {
  sq.reset();
  sm.reset();
  // An account with nothing running.
  sm.on(ListTrainingJobsCommand).resolves({ TrainingJobSummaries: [] });
  sm.on(ListEndpointsCommand).resolves({ Endpoints: [] });
});

function notFound(what: string): Error {
  return Object.assign(new Error(`Could not find ${what}.`), { name: 'ValidationException' });
}

describe('preflight-quotas', () => {
  test('reads every page of sagemaker quotas and reports the ones checked', async () => {
    sq.on(ListServiceQuotasCommand)
      .resolvesOnce({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 2 }], NextToken: 'n' })
      .resolvesOnce({ Quotas: [{ QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-T1', Value: 1 }] });
    expect(await handler(event)).toEqual({
      checked: [
        { quotaName: 'ml.p3.16xlarge for training job usage', quotaCode: 'L-T1', value: 1, inUse: 0, needed: 1 },
        { quotaName: 'ml.g5.2xlarge for endpoint usage', quotaCode: 'L-E1', value: 2, inUse: 0, needed: 1 },
      ],
    });
    expect(sq).toHaveReceivedNthCommandWith(1, ListServiceQuotasCommand, { ServiceCode: 'sagemaker' });
    expect(sq).toHaveReceivedNthCommandWith(2, ListServiceQuotasCommand, { ServiceCode: 'sagemaker', NextToken: 'n' });
    expect(sq).not.toHaveReceivedCommand(ListAWSDefaultServiceQuotasCommand);
  });

  test('a zero quota fails naming the quota and its code', async () => {
    sq.on(ListServiceQuotasCommand).resolves({
      Quotas: [
        { QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-T1', Value: 0 },
        { QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 1 },
      ],
    });
    await expect(handler(event)).rejects.toThrow(QuotaTooLowError);
    await expect(handler(event)).rejects.toThrow(
      'SageMaker quota too low: "ml.p3.16xlarge for training job usage" (L-T1) is 0, the run needs 1: request an increase of quota L-T1 for service sagemaker',
    );
  });

  test('skipTraining checks only the endpoint quota and lists no training jobs', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 1 }] });
    const result = await handler({ ...event, skipTraining: true });
    expect(result.checked.map((c) => c.quotaCode)).toEqual(['L-E1']);
    expect(sm).not.toHaveReceivedCommand(ListTrainingJobsCommand);
  });

  test('subtracts the instances that running jobs and live endpoints hold, and names them when nothing is left', async () => {
    sq.on(ListServiceQuotasCommand).resolves({
      Quotas: [
        { QuotaName: 'ml.p3.16xlarge for training job usage', QuotaCode: 'L-T1', Value: 2 },
        { QuotaName: 'ml.p3.16xlarge for spot training job usage', QuotaCode: 'L-S1', Value: 1 },
        { QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 2 },
      ],
    });
    sm.on(ListTrainingJobsCommand, { StatusEquals: 'InProgress' }).callsFake((input: { NextToken?: string }) =>
      input.NextToken === 't'
        ? { TrainingJobSummaries: [{ TrainingJobName: 'spot-job' }, { TrainingJobName: 'cpu-job' }] }
        : { TrainingJobSummaries: [{ TrainingJobName: 'other-job' }], NextToken: 't' },
    );
    sm.on(ListTrainingJobsCommand, { StatusEquals: 'Stopping' }).resolves({ TrainingJobSummaries: [{ TrainingJobName: 'gone-job' } as never] });
    sm.on(DescribeTrainingJobCommand, { TrainingJobName: 'other-job' }).resolves({
      TrainingJobStatus: 'InProgress',
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 1 },
    } as never);
    sm.on(DescribeTrainingJobCommand, { TrainingJobName: 'spot-job' }).resolves({
      TrainingJobStatus: 'InProgress',
      EnableManagedSpotTraining: true,
      ResourceConfig: { InstanceType: 'ml.p3.16xlarge', InstanceCount: 1, VolumeSizeInGB: 1 },
    } as never);
    sm.on(DescribeTrainingJobCommand, { TrainingJobName: 'cpu-job' }).resolves({
      TrainingJobStatus: 'InProgress',
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 4, VolumeSizeInGB: 1 },
    } as never);
    sm.on(DescribeTrainingJobCommand, { TrainingJobName: 'gone-job' }).rejects(
      Object.assign(new Error('Requested resource not found.'), { name: 'ResourceNotFound' }),
    );
    sm.on(ListEndpointsCommand).resolves({
      Endpoints: [
        { EndpointName: 'kept-ft', EndpointStatus: 'InService' },
        { EndpointName: 'scaled', EndpointStatus: 'InService' },
        { EndpointName: 'creating', EndpointStatus: 'Creating' },
        { EndpointName: 'being-deleted', EndpointStatus: 'Deleting' },
        { EndpointName: 'raced', EndpointStatus: 'InService' },
      ] as never,
    });
    sm.on(DescribeEndpointCommand, { EndpointName: 'kept-ft' }).resolves({ EndpointStatus: 'InService', EndpointConfigName: 'kept-ft-config' } as never);
    sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'kept-ft-config' }).resolves({
      ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 }],
    } as never);
    sm.on(DescribeEndpointCommand, { EndpointName: 'scaled' }).resolves({
      EndpointStatus: 'InService',
      EndpointConfigName: 'scaled-config',
      ProductionVariants: [
        { VariantName: 'v', CurrentInstanceCount: 3, DesiredInstanceCount: 3 },
        { VariantName: 'cpu', CurrentInstanceCount: 1 },
      ],
    } as never);
    sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'scaled-config' }).resolves({
      ProductionVariants: [
        { VariantName: 'v', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 },
        { VariantName: 'cpu', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    } as never);
    sm.on(DescribeEndpointCommand, { EndpointName: 'creating' }).resolves({ EndpointStatus: 'Creating', EndpointConfigName: 'creating-config' } as never);
    sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'creating-config' }).resolves({
      ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 2 }],
    } as never);
    sm.on(DescribeEndpointCommand, { EndpointName: 'raced' }).rejects(notFound('endpoint "raced"'));

    const error = await handler(event).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QuotaTooLowError);
    // Training: 1 of 2 on-demand instances in use (the spot job counts against the spot quota), so that need is met.
    // Endpoints: 1 + 3 + 2 = 6 of 2 in use; the deleting endpoint and the one gone since the listing are not counted.
    expect(error.message).toBe(
      'SageMaker quota too low: "ml.g5.2xlarge for endpoint usage" (L-E1) is 2 and 6 in use ' +
        '(endpoint kept-ft, endpoint scaled, endpoint creating), the run needs 1 more: wait for or delete what holds them, ' +
        'or request an increase of quota L-E1 for service sagemaker',
    );
    expect(sm).not.toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'being-deleted' });

    // The same account with spot training: the spot quota (1) is taken by spot-job.
    const spot = await handler({ ...event, spotTraining: true }).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(spot.message).toContain('"ml.p3.16xlarge for spot training job usage" (L-S1) is 1 and 1 in use (training job spot-job)');
  });

  test('reports the instances in use when enough are free', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 2 }] });
    sm.on(ListEndpointsCommand).resolves({ Endpoints: [{ EndpointName: 'kept-ft', EndpointStatus: 'InService' }] as never });
    sm.on(DescribeEndpointCommand).resolves({ EndpointStatus: 'InService', EndpointConfigName: 'c' } as never);
    sm.on(DescribeEndpointConfigCommand).resolves({
      ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.2xlarge', InitialInstanceCount: 1 }],
    } as never);
    expect((await handler({ ...event, skipTraining: true })).checked).toEqual([
      { quotaName: 'ml.g5.2xlarge for endpoint usage', quotaCode: 'L-E1', value: 2, inUse: 1, needed: 1 },
    ]);
  });

  test('a SageMaker error other than "not found" fails the check', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 2 }] });
    sm.on(ListEndpointsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: sagemaker:ListEndpoints'), { name: 'AccessDeniedException' }),
    );
    await expect(handler({ ...event, skipTraining: true })).rejects.toThrow('not authorized');
  });

  test('a quota never adjusted is read from the AWS defaults; one that does not exist fails', async () => {
    sq.on(ListServiceQuotasCommand).resolves({ Quotas: [] });
    sq.on(ListAWSDefaultServiceQuotasCommand).resolves({ Quotas: [{ QuotaName: 'ml.g5.2xlarge for endpoint usage', QuotaCode: 'L-E1', Value: 4 }] });
    const error = await handler(event).then(
      () => new Error('no error thrown'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(QuotaTooLowError);
    expect(error.name).toBe('QuotaTooLowError');
    expect(error.message).toBe(
      'SageMaker quota too low: no Service Quotas quota named "ml.p3.16xlarge for training job usage" for sagemaker in this region ' +
        '(is the instance type offered here?)',
    );
  });
});
