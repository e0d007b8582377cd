/**
 * Names shared by the stacks (which create them) and the operator CLI (which looks them up):
 * stack names and the keys of their outputs. Plain strings, so the CLI needs no CDK.
 */

/** CloudFormation stack names, derived from the configured resource prefix. */
export function stackNames(resourcePrefix: string): { readonly data: string; readonly pipeline: string; readonly analytics: string } {
  return {
    data: `${resourcePrefix}-data`,
    pipeline: `${resourcePrefix}-pipeline`,
    analytics: `${resourcePrefix}-analytics`,
  };
}

/** Output keys of the stacks. */
export const STACK_OUTPUTS = {
  /** DataStack: name of the data bucket. */
  dataBucketName: 'DataBucketName',
  /** DataStack: ARN of the customer-managed KMS key. */
  dataKeyArn: 'DataKeyArn',
  /** PipelineStack: ARN of the run state machine. */
  stateMachineArn: 'StateMachineArn',
  /** AnalyticsStack: Athena workgroup name. */
  athenaWorkgroup: 'AthenaWorkgroupName',
  /** AnalyticsStack: Glue database name. */
  glueDatabase: 'GlueDatabaseName',
} as const;
