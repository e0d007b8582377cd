/**
 * Narrow cdk-nag acknowledgements for findings that CDK grants produce and whose ids depend on how
 * cross-stack references are rendered (`cdk.json` sets weak cross-stack references, so a reference
 * to the data bucket becomes `Fn::GetStackOutput` at synthesis). The ids are computed with
 * cdk-nag's own renderer (`flattenCfnReference`, a deep import pinned with cdk-nag 3.0.2), so each
 * acknowledgement names exactly one finding.
 */
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

/**
 * Acknowledges AwsSolutions-IAM5 for the wildcard resources of `owner`'s policies that end with
 * one of `suffixes` (e.g. `/train_data/*`), and only those.
 *
 * Why a hook: grants on the data bucket reference another stack, and the finding id embeds the
 * reference as CloudFormation renders it after synthesis prepares cross-stack references
 * (`{"Fn::GetStackOutput": …}/train_data/*`). The id is computed at validation time with cdk-nag's
 * own renderer, so it is exactly the finding and nothing broader. It cannot acknowledge a finding
 * whose policy is not under `owner`.
 */
export function acknowledgeWildcardResources(owner: IConstruct, suffixes: readonly string[], reason: string): void {
  owner.node.addValidation({
    validate: () => {
      const ids = new Set<string>();
      for (const child of owner.node.findAll()) {
        if (!(child instanceof iam.CfnPolicy) && !(CfnResource.isCfnResource(child) && child.cfnResourceType === 'AWS::IAM::Policy')) continue;
        const document = Stack.of(child).resolve((child as iam.CfnPolicy).policyDocument) as { Statement?: { Resource?: unknown }[] };
        for (const statement of document.Statement ?? []) {
          const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
          for (const resource of resources) {
            if (resource === undefined) continue;
            const flat = flattenCfnReference(resource);
            if (suffixes.some((suffix) => flat.endsWith(suffix))) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
          }
        }
      }
      if (ids.size > 0) Validations.of(owner).acknowledge(...[...ids].map((id) => ({ id, reason })));
      return [];
    },
  });
}

/** Action wildcards that CDK's S3 and KMS grants emit (`s3:GetObject*`, `kms:GenerateDataKey*`, …). */
export const GRANT_ACTION_WILDCARDS = [
  's3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*',
  'kms:GenerateDataKey*', 'kms:ReEncrypt*',
] as const;

/** Acknowledges the action wildcards of CDK grants on `owner` (their expansion is the documented, read/write set of the grant). */
export function acknowledgeGrantActionWildcards(owner: IConstruct, grantDescription: string): void {
  Validations.of(owner).acknowledge(...GRANT_ACTION_WILDCARDS.map((action) => ({
    id: `AwsSolutions-IAM5[Action::${action}]`,
    reason: `Expanded by the CDK grant (${grantDescription}); the resources are limited to the named prefixes and the data key.`,
  })));
}
