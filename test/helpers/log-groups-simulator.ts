/**
 * An in-memory CloudWatch Logs for the log-group calls of the run state machine (the endpoint log
 * groups of the deployment stage): CreateLogGroup fails with ResourceAlreadyExistsException for a
 * name that exists, AssociateKmsKey and PutRetentionPolicy fail with ResourceNotFoundException for
 * one that does not, as CloudWatch Logs does. Errors are named as the AWS SDK integration of Step
 * Functions names them (`CloudWatchLogs.<exception>`).
 */
import { TaskError } from './sagemaker-simulator';

/** A simulated log group. */
export interface SimulatedLogGroup {
  kmsKeyId?: string;
  retentionInDays?: number;
  tags: Record<string, string>;
}

/** The simulated service. */
export class LogGroupsSimulator {
  readonly groups = new Map<string, SimulatedLogGroup>();
  /** Calls in order, as `<action> <log group>`. */
  readonly log: string[] = [];

  /** Runs an SDK action (`createLogGroup`, `associateKmsKey`, `putRetentionPolicy`) with its parameters. */
  call(action: string, params: Record<string, unknown>): Record<string, unknown> {
    const name = params.LogGroupName;
    if (typeof name !== 'string' || name === '') throw new TaskError('CloudWatchLogs.InvalidParameterException', 'LogGroupName is required');
    this.log.push(`${action} ${name}`);
    const group = this.groups.get(name);
    switch (action) {
      case 'createLogGroup':
        if (group !== undefined) throw new TaskError('CloudWatchLogs.ResourceAlreadyExistsException', 'The specified log group already exists');
        this.groups.set(name, { kmsKeyId: params.KmsKeyId as string | undefined, tags: { ...((params.Tags as Record<string, string>) ?? {}) } });
        return {};
      case 'associateKmsKey':
        if (group === undefined) throw new TaskError('CloudWatchLogs.ResourceNotFoundException', 'The specified log group does not exist.');
        group.kmsKeyId = params.KmsKeyId as string;
        return {};
      case 'putRetentionPolicy':
        if (group === undefined) throw new TaskError('CloudWatchLogs.ResourceNotFoundException', 'The specified log group does not exist.');
        group.retentionInDays = params.RetentionInDays as number;
        return {};
      default:
        throw new Error(`LogGroupsSimulator: ${action} is not simulated`);
    }
  }
}
