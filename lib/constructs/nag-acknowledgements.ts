import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/** A prefix of a bucket whose objects a policy is granted, and why. */
export interface BucketPrefixAcknowledgement {
  /** Key prefix ending with `/`, e.g. `prediction_data/`. */
  readonly prefix: string;
  readonly reason: string;
}

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` finding for the object ARNs `<bucket>/<prefix>*` in
 * `policy`, and nothing else. cdk-nag names the finding after the resource as it renders it, and a
 * bucket of another stack renders twice: as `<LogicalId.Arn>` before synthesis (a test's
 * `validateScope`) and, once weak cross-stack references are resolved, as the JSON of its
 * `Fn::GetStackOutput`. The first form is acknowledged now; the second when the tree is validated,
 * after references are resolved and before the nag packs run.
 */
export function acknowledgeBucketPrefixWildcards(policy: iam.Policy | IConstruct, bucket: s3.IBucket, entries: readonly BucketPrefixAcknowledgement[]): void {
  const bucketResource = bucket.node.defaultChild as CfnResource;
  const bucketLogicalId = Stack.of(bucketResource).getLogicalId(bucketResource);
  Validations.of(policy).acknowledge(...entries.map((e) => ({ id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${e.prefix}*]`, reason: e.reason })));
  policy.node.addValidation({
    validate: () => {
      const cfnPolicy = policy.node.tryFindChild('Resource');
      if (!(cfnPolicy instanceof iam.CfnPolicy)) return [];
      const document = Stack.of(cfnPolicy).resolve(cfnPolicy.policyDocument) as { Statement?: { Resource?: unknown }[] };
      for (const statement of document.Statement ?? []) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of resources) {
          const flat = flattenCfnReference(resource);
          if (!flat.includes(bucketLogicalId)) continue;
          const entry = entries.find((e) => flat.endsWith(`/${e.prefix}*`));
          if (entry !== undefined) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason: entry.reason });
        }
      }
      return [];
    },
  });
}
