/** How the rehearsal words the cause of a failed run: the Lambda's message, or the training job's FailureReason. */
import { causeMessage } from '../../../lib/local/rehearsal';

describe('causeMessage', () => {
  const job = { TrainingJobName: 'impressions-r1-train', TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: CUDA out of memory' };

  test("a Lambda error payload, alone or after the run's own words, gives its errorMessage; a plain cause stays as it is", () => {
    expect(causeMessage(JSON.stringify({ errorType: 'Error', errorMessage: 'run r1: no prediction part files' }))).toBe('run r1: no prediction part files');
    const payload = JSON.stringify({ errorType: 'Error', errorMessage: 'run r1: no prediction part files', trace: ['Error: run r1'] });
    expect(causeMessage(`Aggregate (run r1) failed: ${payload}`)).toBe('run r1: no prediction part files');
    expect(causeMessage("Path expression '$.manifestKey' does not point to a value")).toBe("Path expression '$.manifestKey' does not point to a value");
  });

  test("a failed training job's description, alone or after the run's own words, gives the job and its FailureReason", () => {
    expect(causeMessage(JSON.stringify(job))).toBe('training job impressions-r1-train: AlgorithmError: CUDA out of memory');
    expect(causeMessage(`Fine-tune (training job impressions-r1-train) failed: ${JSON.stringify(job)}`)).toBe(
      'training job impressions-r1-train: AlgorithmError: CUDA out of memory',
    );
  });

  test('also when States.Format left the description invalid JSON (a hyperparameter whose quotes lost their escapes)', () => {
    const broken = `Fine-tune (training job impressions-r1-train) failed: {"TrainingJobName":"impressions-r1-train","HyperParameters":{"sagemaker_program":""transfer_learning.py""},"FailureReason":"AlgorithmError: CUDA out of memory"}`;
    expect(causeMessage(broken)).toBe('training job impressions-r1-train: AlgorithmError: CUDA out of memory');
  });
});
