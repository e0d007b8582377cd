/**
 * Test helpers for CDK code: an App that sees the same feature flags as `cdk synth` (from
 * cdk.json) and a cdk-nag check that fails with every unacknowledged finding listed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The feature flags and other context of cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * An App with cdk.json's context plus `context` (e.g. `impressions:*` keys), without nag plugins
 * (so templates can be read) and, unless `bundle` is true, without Lambda bundling.
 */
export function testApp(context: Record<string, unknown> = {}, bundle = false): App {
  return new App({
    context: { ...cdkJsonContext(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  });
}

/** Every unacknowledged AwsSolutions and HIPAA Security finding in `stack`, as "rule at path" lines. */
export function nagFindings(stack: Stack): string[] {
  const app = stack.node.root as App;
  const findings: string[] = [];
  for (const pack of [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app)]) {
    const report = pack.validateScope(stack);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId ?? '?'}`);
      }
    }
  }
  return findings;
}
