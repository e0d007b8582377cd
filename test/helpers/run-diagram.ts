/**
 * The README's diagram of a run (section "Architecture"), generated from the synthesized state
 * machine definition and the run's contracts: every state and the path between them (including
 * each Catch into the clean-up), what each state writes into the run state with its type, each
 * Lambda's event and result types, and the S3 keys each step reads and writes (from the key
 * functions of lib/core/evaluation/keys.ts). test/readme.test.ts fails when the README's block
 * differs from what this makes; `npm run diagram` rewrites the block.
 *
 * What the definition cannot say (a Lambda's handler and event type, the S3 keys a Lambda touches)
 * is in the tables below, keyed by state name; the test fails when a table names a state the
 * definition lacks, or a Lambda task has no entry, so they cannot drift apart silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataPrefix } from '../../lib/constructs/data-store';
import { partKey, runSummaryKey, shardManifestKey, summaryKey } from '../../lib/core/evaluation/keys';
import type { FineTuningBranchState, PretrainedBranchState, RunSetup, RunState } from '../../lib/core/run/contracts';
import { RUN_PATHS, RUNS_PREFIX } from '../../lib/core/run/run-keys';
import { AslDefinition, AslState } from './asl';

/** The type of each field of the run state, as the contracts name it. */
export const RUN_STATE_TYPES = {
  plan: 'RunPlan',
  preflight: 'PreflightQuotasResult',
  resolved: 'ResolvedModel',
  settingDefaults: 'SettingDefaults',
  settings: 'RunSettings',
  stage1: 'Stage1Result',
  fineTunedEndpoint: 'EndpointDeployment',
  fineTunedEvaluation: 'EvaluationStageResult',
  fineTunedTeardown: 'EndpointTeardown',
  aggregation: 'AggregateResult',
  endpointsLeftRunning: 'EndpointsLeftRunning',
  publication: 'PublicationResult',
} as const satisfies { readonly [K in keyof RunState]-?: string };

/** The type of each field the first Parallel's branches add to the run state. */
export const BRANCH_STATE_TYPES = {
  training: 'FineTuningResult',
  pretrainedEndpoint: 'EndpointDeployment',
  pretrainedEvaluation: 'EvaluationStageResult',
  pretrainedTeardown: 'EndpointTeardown',
} as const satisfies { readonly [K in Exclude<keyof FineTuningBranchState | keyof PretrainedBranchState, keyof RunSetup>]-?: string };

/** Each Lambda task: its handler folder (lambda/<folder>), event type and result type. */
export const LAMBDA_TASKS: Readonly<Record<string, readonly [handler: string, event: string, result: string]>> = {
  'Validate input': ['validate-input', 'ValidateInputEvent', 'RunPlan'],
  'Check quotas': ['preflight-quotas', 'PreflightQuotasEvent', 'PreflightQuotasResult'],
  'Resolve model': ['resolve-model', 'ResolveModelEvent', 'ResolvedModel'],
  'pretrained: plan shards': ['plan-evaluation', 'PlanEvaluationEvent', 'PlanEvaluationResult'],
  'pretrained: evaluate shard': ['evaluate', 'EvaluateEvent', 'EvaluateResult'],
  'fine-tuned: plan shards': ['plan-evaluation', 'PlanEvaluationEvent', 'PlanEvaluationResult'],
  'fine-tuned: evaluate shard': ['evaluate', 'EvaluateEvent', 'EvaluateResult'],
  'Aggregate results': ['aggregate', 'AggregateEvent', 'AggregateResult'],
  'Publish results': ['publish-results', 'PublishResultsEvent', 'PublishResultsOutput'],
};

/** The data bucket's keys, from the key functions (placeholders in braces). */
function keys() {
  const run = (key: string) => key.replaceAll('RUNID', '{run id}').replaceAll('xmodel', '{model}').replaceAll('xdataset', '{dataset}');
  return {
    trainData: `${DataPrefix.TRAIN_DATA}`,
    evalData: `${DataPrefix.EVAL_DATA}{dataset}.jsonl`,
    model: `${RUNS_PREFIX}{run id}/${RUN_PATHS.model}`,
    manifest: run(shardManifestKey('RUNID', 'xmodel')),
    parts: run(partKey('RUNID', 'xdataset', 'xmodel', 0)).replace(/part-0+\.jsonl$/, 'part-{n}.jsonl'),
    summary: run(summaryKey('RUNID')),
    runSummary: run(runSummaryKey('RUNID')),
    jumpStart: 'jumpstart-cache-prod-{region}: manifest, spec, artifacts',
  };
}

/** The S3 objects each state reads and writes (by state name; for a stage, those of the Lambdas inside). */
function s3Access(): Readonly<Record<string, { readonly reads?: readonly string[]; readonly writes?: readonly string[] }>> {
  const k = keys();
  return {
    'Resolve model': { reads: [k.jumpStart] },
    'training: fine-tune': { reads: [k.trainData, k.jumpStart], writes: [k.model] },
    'pretrained: plan shards': { reads: [k.evalData], writes: [k.manifest] },
    'pretrained: evaluate shard': { reads: [k.evalData], writes: [k.parts] },
    'fine-tuned: plan shards': { reads: [k.evalData], writes: [k.manifest] },
    'fine-tuned: evaluate shard': { reads: [k.evalData], writes: [k.parts] },
    'Aggregate results': { reads: [k.parts], writes: [k.summary, k.runSummary] },
    'Publish results': { reads: [k.parts, k.summary] },
  };
}

/** Every state name of `definition`, nested ones included. */
function stateNames(definition: AslDefinition): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    name,
    ...(state.Branches ?? []).flatMap(stateNames),
    ...nested(state).flatMap(stateNames),
  ]);
}

function nested(state: AslState): AslDefinition[] {
  return [state.Iterator, state.ItemProcessor].filter((d): d is AslDefinition => d !== undefined);
}

/** Names the tables use that the definition lacks, and Lambda tasks the tables lack (both must be empty). */
export function tableProblems(definition: AslDefinition): string[] {
  const names = new Set(stateNames(definition));
  const problems = [...Object.keys(LAMBDA_TASKS), ...Object.keys(s3Access())].filter((n) => !names.has(n)).map((n) => `no state named ${n}`);
  const walk = (d: AslDefinition): void => {
    for (const [name, state] of Object.entries(d.States)) {
      if (state.Type === 'Task' && (state.Resource ?? '').includes(':function:') && LAMBDA_TASKS[name] === undefined)
        problems.push(`Lambda task ${name} has no entry`);
      (state.Branches ?? []).forEach(walk);
      nested(state).forEach(walk);
    }
  };
  walk(definition);
  return problems;
}

/**
 * The run-state field a state writes, with its contract type: the field of a `$.<field>`
 * ResultPath, or, for a state whose result replaces the state (no ResultPath), the field of its
 * ResultSelector.
 */
function written(state: AslState): string | undefined {
  const resultPath = state.ResultPath;
  const selector = Object.keys((state.ResultSelector as Record<string, unknown> | undefined) ?? {});
  const field =
    typeof resultPath === 'string' && resultPath.startsWith('$.')
      ? resultPath.slice(2)
      : resultPath === undefined && selector.length === 1 && selector[0].endsWith('.$')
        ? selector[0].slice(0, -2)
        : undefined;
  if (field === undefined) return undefined;
  const type = (RUN_STATE_TYPES as Record<string, string>)[field] ?? (BRANCH_STATE_TYPES as Record<string, string>)[field];
  return type === undefined ? undefined : `→ $.${field}: ${type}`;
}

/** The Lambda tasks inside a state (itself, or the states of its branches and map). */
function lambdaTasksIn(name: string, state: AslState): string[] {
  const inner = [...(state.Branches ?? []), ...nested(state)].flatMap((d) => Object.entries(d.States).flatMap(([n, s]) => lambdaTasksIn(n, s)));
  return LAMBDA_TASKS[name] !== undefined && state.Type === 'Task' ? [name, ...inner] : inner;
}

/** The SageMaker calls a state makes (itself, or the states of its branches), in first-call order. */
function sageMakerCalls(state: AslState): string[] {
  const own = /:::(?:aws-sdk:)?sagemaker:(\w+(?:\.sync)?)$/.exec(state.Resource ?? '')?.[1];
  const inner = (state.Branches ?? []).flatMap((branch) => Object.values(branch.States).flatMap(sageMakerCalls));
  return [...new Set([...(own !== undefined ? [own] : []), ...inner])];
}

/** Mermaid label text: quotes and line breaks made safe. */
function label(lines: readonly string[]): string {
  return `"${lines.map((l) => l.replaceAll('"', '#quot;')).join('<br/>')}"`;
}

/**
 * The Mermaid flowchart of the run: top-level states in order; the first Parallel as a subgraph
 * with its branches; a stage (a Parallel of one branch) as one node naming the Lambdas inside.
 */
export function runDiagram(definition: AslDefinition): string {
  const lines: string[] = ['flowchart TD'];
  const ids = new Map<string, string>();
  const id = (name: string) => {
    if (!ids.has(name)) ids.set(name, `s${ids.size + 1}`);
    return ids.get(name)!;
  };
  const access = s3Access();
  const s3Ids = new Map<string, string>();
  const s3Edges: string[] = [];
  const s3 = (name: string, lambdas: readonly string[]) => {
    for (const source of [name, ...lambdas]) {
      for (const [verb, list] of [
        ['reads', access[source]?.reads],
        ['writes', access[source]?.writes],
      ] as const) {
        for (const key of list ?? []) {
          if (!s3Ids.has(key)) s3Ids.set(key, `k${s3Ids.size + 1}`);
          const edge = `  ${id(name)} -.->|${verb}| ${s3Ids.get(key)}`;
          if (!s3Edges.includes(edge)) s3Edges.push(edge);
        }
      }
    }
  };

  const render = (states: AslDefinition['States'], startAt: string, indent: string): void => {
    const order: string[] = [];
    const visit = (name: string) => {
      if (order.includes(name) || states[name] === undefined) return;
      order.push(name);
      const state = states[name];
      const nexts = [
        state.Next as string | undefined,
        ...((state.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next),
        state.Default as string | undefined,
      ];
      for (const next of nexts) if (next !== undefined) visit(next);
      for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) visit(c.Next);
    };
    visit(startAt);
    for (const name of order) {
      const state = states[name];
      const branches = state.Branches ?? [];
      if (state.Type === 'Parallel' && branches.length > 1 && written(state) !== undefined) {
        lines.push(`${indent}subgraph ${id(name)} [${label([`${name} (in parallel)`, written(state) ?? ''].filter((l) => l !== ''))}]`);
        branches.forEach((branch, i) => {
          lines.push(`${indent}  subgraph ${id(name)}b${i} [" "]`);
          render(branch.States, branch.StartAt, `${indent}    `);
          lines.push(`${indent}  end`);
        });
        lines.push(`${indent}end`);
      } else {
        const lambdas = lambdaTasksIn(name, state);
        const detail = lambdas.map((l) => {
          const [handler, event, result] = LAMBDA_TASKS[l];
          return `λ ${handler}: ${event} → ${result}`;
        });
        const calls = sageMakerCalls(state);
        const kind = state.Type === 'Choice' ? '◇ ' : state.Type === 'Fail' ? '✕ ' : state.Type === 'Succeed' ? '✓ ' : '';
        const text = [
          `${kind}${name}`,
          ...(calls.length > 0 ? [`SageMaker ${calls.join(', ')}`] : []),
          ...detail,
          ...(written(state) !== undefined ? [written(state)!] : []),
        ];
        lines.push(`${indent}${id(name)}[${label(text)}]`);
        s3(name, lambdas);
      }
    }
    for (const name of order) {
      const state = states[name];
      if (state.Next !== undefined) lines.push(`${indent}${id(name)} --> ${id(state.Next as string)}`);
      for (const choice of (state.Choices as { Next: string }[] | undefined) ?? []) lines.push(`${indent}${id(name)} -->|yes| ${id(choice.Next)}`);
      if (state.Default !== undefined) lines.push(`${indent}${id(name)} -->|no| ${id(state.Default as string)}`);
      for (const c of (state.Catch as { Next: string; ErrorEquals: string[] }[] | undefined) ?? []) {
        lines.push(`${indent}${id(name)} -.->|${c.ErrorEquals.join(', ')}| ${id(c.Next)}`);
      }
    }
  };
  lines.push(`  runInput([${label(['execution input: RawRunInput'])}]) --> ${id(definition.StartAt)}`);
  render(definition.States, definition.StartAt, '  ');
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Succeed') lines.push(`  ${id(name)} --> runOutput([${label(['execution output: RunOutput'])}])`);
  }
  for (const [key, kid] of s3Ids) lines.push(`  ${kid}[(${label([`S3 ${key}`])})]`);
  lines.push(...s3Edges);
  return lines.join('\n');
}

/** Where the diagram sits in the README. */
export const README = path.join(__dirname, '..', '..', 'README.md');
export const BEGIN = '<!-- run-diagram: generated by `npm run diagram` from the synthesized definition; test/readme.test.ts checks it -->';
export const END = '<!-- /run-diagram -->';

/** The README's current diagram block (between the markers, without them). */
export function readmeDiagram(readme: string): string | undefined {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + BEGIN.length, end).trim();
}

/** The block as the README holds it: a Mermaid code fence. */
export function diagramBlock(definition: AslDefinition): string {
  return ['```mermaid', runDiagram(definition), '```'].join('\n');
}

/** Rewrites the README's block (`npm run diagram`). */
export function writeReadmeDiagram(definition: AslDefinition): void {
  const readme = fs.readFileSync(README, 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} … ${END} block`);
  fs.writeFileSync(README, `${readme.slice(0, start + BEGIN.length)}\n${diagramBlock(definition)}\n${readme.slice(end)}`);
}
