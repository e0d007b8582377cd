import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ImpressionsConfig } from '../config';
import { DataStore } from '../constructs/data-store';
import { STACK_OUTPUTS } from '../core/deployment';

/** Properties of {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** The app's validated configuration. */
  readonly config: ImpressionsConfig;
}

/**
 * Stateful stack: the KMS key and the data bucket with its access-log bucket. Retained on destroy
 * unless `removeDataOnDestroy` is set. Other stacks receive {@link DataStack.dataStore} by reference.
 */
export class DataStack extends Stack {
  /** The key and buckets, with prefix-scoped grants. */
  public readonly dataStore: DataStore;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.dataStore = new DataStore(this, 'Data', {
      bucketName: props.config.bucketName,
      removeDataOnDestroy: props.config.removeDataOnDestroy,
      keyAlias: `alias/${props.config.resourcePrefix}-data`,
    });
    new CfnOutput(this, STACK_OUTPUTS.dataBucketName, {
      value: this.dataStore.bucket.bucketName,
      description: 'Data bucket (train_data/, eval_data/, runs/, prediction_data/)',
    });
    new CfnOutput(this, STACK_OUTPUTS.dataKeyArn, { value: this.dataStore.key.keyArn, description: 'Customer-managed KMS key of the data' });
  }
}
