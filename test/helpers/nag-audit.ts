/**
 * Finds stale cdk-nag acknowledgements: acknowledgements that match no finding the packs raise when
 * nothing is acknowledged. `build` must create a fresh app each call (it is called twice: once to
 * record the acknowledgements, once with them switched off to collect every finding).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

interface Recorded {
  readonly path: string;
  readonly id: string;
}

type AcknowledgeFn = (this: { scope: IConstruct }, ...entries: { id: string }[]) => void;

/** Every "id at path" acknowledged under `build()`'s stack that matches no raw finding at or below its path. */
export function staleAcknowledgements(build: () => Stack): string[] {
  const proto = Validations.prototype as unknown as { acknowledge: AcknowledgeFn };
  const original = proto.acknowledge;
  const recorded: Recorded[] = [];
  proto.acknowledge = function (this: { scope: IConstruct }, ...entries: { id: string }[]) {
    for (const e of entries) recorded.push({ path: this.scope.node.path, id: e.id });
  };
  let findings: Recorded[];
  try {
    const stack = build();
    // Deferred acknowledgements (added by validations once references are resolved) are recorded too.
    for (const c of stack.node.findAll()) c.node.validate();
    const app = stack.node.root;
    findings = [];
    for (const pack of [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app)]) {
      const report = pack.validateScope(stack);
      for (const v of report.violations) for (const r of v.violatingResources) findings.push({ id: v.ruleName, path: r.constructPath ?? '' });
    }
    const root = stack.node.path;
    return [...new Set(recorded.filter((a) => a.path.startsWith(root)).map((a) => `${a.id} at ${a.path}`))].filter((line) => {
      const at = line.lastIndexOf(' at ');
      const id = line.slice(0, at);
      const path = line.slice(at + 4);
      return !findings.some((f) => f.id === id && (f.path === path || f.path.startsWith(`${path}/`)));
    });
  } finally {
    proto.acknowledge = original;
  }
}
