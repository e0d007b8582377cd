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

/** A wildcard ARN suffix on a referenced resource, and why it is granted. */
export interface ReferenceWildcardAcknowledgement {
  /** What follows the referenced ARN, e.g. `/prediction_data/*` (objects) or `:*` (function versions). */
  readonly suffix: string;
  readonly reason: string;
}

/**
 * Acknowledges cdk-nag's `AwsSolutions-IAM5` finding for the resources `<target ARN><suffix>` in
 * the IAM policies under `owner`, and nothing else. cdk-nag names the finding after the resource
 * as it renders it, and a resource of another stack renders twice: as `<LogicalId.Arn>` before
 * synthesis (a test's `validateScope`) and, once weak cross-stack references are resolved, as the
 * JSON of its `Fn::GetStackOutput`. The first form is acknowledged now; the second when the tree is
 * validated, after references are resolved and before the nag packs run.
 */
export function acknowledgeReferenceWildcards(owner: IConstruct, target: IConstruct, entries: readonly ReferenceWildcardAcknowledgement[]): void {
  const targetResource = (CfnResource.isCfnResource(target) ? target : target.node.defaultChild) as CfnResource;
  const targetLogicalId = Stack.of(targetResource).getLogicalId(targetResource);
  Validations.of(owner).acknowledge(...entries.map((e) => ({ id: `AwsSolutions-IAM5[Resource::<${targetLogicalId}.Arn>${e.suffix}]`, reason: e.reason })));
  owner.node.addValidation({
    validate: () => {
      for (const resource of policyResources(owner)) {
        const flat = flattenCfnReference(resource);
        if (!flat.includes(targetLogicalId)) continue;
        const entry = entries.find((e) => flat.endsWith(e.suffix));
        if (entry !== undefined) Validations.of(owner).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason: entry.reason });
      }
      return [];
    },
  });
}

/** A prefix of a bucket whose objects a policy is granted, and why. */
export interface BucketPrefixAcknowledgement {
  /** Key prefix ending with `/`, e.g. `prediction_data/`. */
  readonly prefix: string;
  readonly reason: string;
}

/** {@link acknowledgeReferenceWildcards} for object ARNs `<bucket>/<prefix>*` of a bucket. */
export function acknowledgeBucketPrefixWildcards(owner: IConstruct, bucket: s3.IBucket, entries: readonly BucketPrefixAcknowledgement[]): void {
  acknowledgeReferenceWildcards(
    owner,
    bucket,
    entries.map((e) => ({ suffix: `/${e.prefix}*`, reason: e.reason })),
  );
}

/** Every `Resource` entry of the IAM policies (L1) under `owner`, resolved. */
function policyResources(owner: IConstruct): unknown[] {
  const resources: unknown[] = [];
  for (const child of owner.node.findAll()) {
    if (!(child instanceof iam.CfnPolicy)) continue;
    const document = Stack.of(child).resolve(child.policyDocument) as { Statement?: { Resource?: unknown }[] };
    for (const statement of document.Statement ?? []) {
      const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      resources.push(...list.filter((r) => r !== undefined));
    }
  }
  return resources;
}

/**
 * {@link acknowledgeReferenceWildcards} with one reason for several suffixes on `target` (e.g. the
 * data bucket's `/train_data/*` and `/runs/*`).
 */
export function acknowledgeWildcardResources(owner: IConstruct, target: IConstruct, suffixes: readonly string[], reason: string): void {
  acknowledgeReferenceWildcards(
    owner,
    target,
    suffixes.map((suffix) => ({ suffix, reason })),
  );
}

/** Action wildcards that CDK's S3 and KMS grants emit (`s3:GetObject*`, `kms:GenerateDataKey*`, …). */
export const GRANT_ACTION_WILDCARDS = [
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
] as const;

/** Acknowledges the action wildcards of CDK grants on `owner` (their expansion is the documented, read/write set of the grant). */
export function acknowledgeGrantActionWildcards(owner: IConstruct, grantDescription: string): void {
  Validations.of(owner).acknowledge(
    ...GRANT_ACTION_WILDCARDS.map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `Expanded by the CDK grant (${grantDescription}); the resources are limited to the named prefixes and the data key.`,
    })),
  );
}

/** Every action of the IAM policies (L1) under `owner`, resolved now. */
function policyActions(owner: IConstruct): Set<string> {
  const actions = new Set<string>();
  for (const child of owner.node.findAll()) {
    if (!(child instanceof iam.CfnPolicy)) continue;
    const document = Stack.of(child).resolve(child.policyDocument) as { Statement?: { Action?: string | string[] }[] };
    for (const statement of document.Statement ?? []) for (const a of [statement.Action ?? []].flat()) actions.add(a);
  }
  return actions;
}

/**
 * {@link acknowledgeGrantActionWildcards} for only those wildcards the policies under `owner` hold
 * when it is called (call it after the grants), so no acknowledgement is left matching nothing.
 */
export function acknowledgeGrantActionWildcardsInUse(owner: IConstruct, grantDescription: string): void {
  const actions = policyActions(owner);
  const present = GRANT_ACTION_WILDCARDS.filter((a) => actions.has(a));
  if (present.length === 0) return;
  Validations.of(owner).acknowledge(
    ...present.map((action) => ({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `Expanded by the CDK grant (${grantDescription}); the resources are limited to the named prefixes and the data key.`,
    })),
  );
}
