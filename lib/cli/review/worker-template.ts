/**
 * The worker task templates of the two review kinds (lib/constructs/worker-templates/, the same
 * files the human task UIs are made from) and a local renderer that treats them as A2I does:
 * Liquid (liquidjs) with every `{{ }}` output HTML-escaped by default and A2I's own filters
 * `skip_autoescape` and `to_json` (https://docs.aws.amazon.com/sagemaker/latest/dg/a2i-custom-templates.html,
 * "Use Variable Filters"). `grant_read_access` presigns S3 URIs in A2I; the templates do not use
 * it, so here it refuses to render rather than pretend.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Liquid } from 'liquidjs';
import type { TaskInput } from '../../core/review/items';
import type { ReviewKind } from '../../core/run/contracts';

/** Folder of the templates. */
export const WORKER_TEMPLATE_DIR = path.join(__dirname, '..', '..', 'constructs', 'worker-templates');

/** File of each kind's template. */
export function workerTemplatePath(kind: ReviewKind): string {
  return path.join(WORKER_TEMPLATE_DIR, `${kind}-review.liquid.html`);
}

/** The template text of `kind`. */
export function readWorkerTemplate(kind: ReviewKind): string {
  return fs.readFileSync(workerTemplatePath(kind), 'utf8');
}

/** A Liquid engine configured like A2I's template rendering. */
export function a2iLiquid(): Liquid {
  const engine = new Liquid({ outputEscape: 'escape', strictFilters: true, ownPropertyOnly: true });
  engine.registerFilter('skip_autoescape', { handler: (v: unknown) => v, raw: true });
  engine.registerFilter('to_json', (v: unknown) => JSON.stringify(v));
  engine.registerFilter('grant_read_access', () => {
    throw new Error('grant_read_access presigns S3 URIs inside A2I only; the review templates must not need it');
  });
  return engine;
}

/** Renders `template` with `task.input` = `input`, as the worker sees it (without A2I's surrounding page). */
export async function renderWorkerTemplate(template: string, input: TaskInput): Promise<string> {
  return a2iLiquid().parseAndRender(template, { task: { input } });
}
