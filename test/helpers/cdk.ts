/**
 * Test helpers for CDK code: an App that sees the same feature flags as `cdk synth` (from
 * cdk.json) and a cdk-nag check that fails with every unacknowledged finding listed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

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

/** What the nag packs say about a scope: findings left unacknowledged, and acknowledgements no finding needs. */
export interface NagReport {
  /** Unacknowledged findings, as "rule at construct path". */
  readonly unacknowledged: string[];
  /** Acknowledgements that match no finding of their construct or its children, as "rule at construct path". */
  readonly stale: string[];
}

/** The private method of cdk-nag 3.0.2's NagPack that every finding passes through (see node_modules/cdk-nag/lib/nag-pack.js). */
type AcknowledgementCheck = (resource: CfnResource, ruleId: string) => boolean;

/**
 * Runs the AwsSolutions and HIPAA Security packs over `scope` the way `cdk synth` does: the app is
 * synthesized first, so cross-stack references are resolved and the acknowledgements rendered in
 * validation hooks (lib/constructs/nag-acknowledgements.ts) exist. cdk-nag 3 asks
 * `isAcknowledged(resource, ruleId)` once per finding and reads acknowledgements from the
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY` metadata of the resource and its ancestors; the
 * check is wrapped here to record every finding, so an acknowledgement that matches none of its
 * construct's findings is reported as stale.
 */
export function nagReport(scope: IConstruct): NagReport {
  const app = scope.node.root as App;
  app.synth();
  const findings: { path: string; rule: string; acknowledged: boolean }[] = [];
  for (const pack of [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app)]) {
    const internals = pack as unknown as { isAcknowledged?: AcknowledgementCheck };
    const check = internals.isAcknowledged;
    if (typeof check !== 'function') throw new Error('cdk-nag no longer has NagPack.isAcknowledged: update nagReport (test/helpers/cdk.ts)');
    internals.isAcknowledged = (resource, ruleId) => {
      const acknowledged = check.call(pack, resource, ruleId);
      findings.push({ path: resource.node.path, rule: ruleId, acknowledged });
      return acknowledged;
    };
    pack.validateScope(scope);
  }
  const acknowledgements: { path: string; rule: string }[] = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const id of Object.keys(entry.data as object)) acknowledgements.push({ path: construct.node.path, rule: id.replace(/^annotation::/i, '') });
    }
  }
  const within = (path: string, owner: string): boolean => path === owner || path.startsWith(`${owner}/`);
  return {
    unacknowledged: findings.filter((f) => !f.acknowledged).map((f) => `${f.rule} at ${f.path}`),
    stale: [
      ...new Set(acknowledgements.filter((a) => !findings.some((f) => f.rule === a.rule && within(f.path, a.path))).map((a) => `${a.rule} at ${a.path}`)),
    ],
  };
}

/** Every unacknowledged AwsSolutions and HIPAA Security finding in `stack`, as "rule at path" lines. */
export function nagFindings(stack: Stack): string[] {
  return nagReport(stack).unacknowledged;
}
