import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

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
