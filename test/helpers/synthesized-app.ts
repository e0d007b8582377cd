/**
 * The whole app synthesized as `cdk synth` does it (weak cross-stack references resolved, the nag
 * acknowledgements rendered), its templates read back from the cloud assembly.
 */
import * as path from 'node:path';
import { App, CfnResource } from 'aws-cdk-lib';
import { buildApp, type ImpressionsStacks } from '../../lib/app';
import { testApp } from './cdk';
import { resolveValue, type TemplateJson } from './iam-policy';

/** The synthesized app. */
export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: ImpressionsStacks;
  readonly templates: { readonly data: TemplateJson; readonly pipeline: TemplateJson; readonly analytics: TemplateJson };
  /** The template files as `cdk synth` writes them. */
  readonly templateFiles: readonly string[];
  /** The construct path of every CloudFormation resource, by `<stack name>/<logical id>`. */
  readonly paths: Readonly<Record<string, string>>;
}

/** Builds and synthesizes the app with cdk.json's context plus `context` (no Lambda bundling). */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const app = testApp(context);
  const stacks = buildApp(app);
  const assembly = app.synth();
  const template = (stack: { artifactId: string }) => assembly.getStackArtifact(stack.artifactId).template as TemplateJson;
  return {
    app,
    stacks,
    templates: { data: template(stacks.data), pipeline: template(stacks.pipeline), analytics: template(stacks.analytics) },
    templateFiles: assembly.stacks.map((s) => path.join(assembly.directory, s.templateFile)),
    paths: Object.fromEntries(
      [stacks.data, stacks.pipeline, stacks.analytics].flatMap((stack) =>
        stack.node
          .findAll()
          .filter(CfnResource.isCfnResource)
          .map((r) => [`${stack.stackName}/${stack.getLogicalId(r)}`, r.node.path]),
      ),
    ),
  };
}

/** Every object in `value` (deeply) for which `match` holds. */
export function findObjects(value: unknown, match: (o: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (match(o)) out.push(o);
      Object.values(o).forEach(visit);
    }
  };
  visit(value);
  return out;
}

/**
 * How `template` renders the value another stack exports under an output whose name contains
 * `fragment` (a weak cross-stack reference, `Fn::GetStackOutput`), as {@link resolveValue} renders it.
 */
export function crossStackValue(template: TemplateJson, fragment: string): string {
  const found = findObjects(template, (o) => {
    const output = o['Fn::GetStackOutput'] as { OutputName?: string } | undefined;
    return output?.OutputName?.includes(fragment) === true;
  });
  if (found.length === 0) throw new Error(`no cross-stack reference with an output name containing ${fragment}`);
  return resolveValue(found[0]);
}
