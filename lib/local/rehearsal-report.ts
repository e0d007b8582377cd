/**
 * What the rehearsal prints and writes about a run: the execution history as a table (state,
 * entered, exited, duration), the "what was created / deleted / left" table from the control plane's
 * ledger, and the one-screen summary. Pure formatting: ids, names, counts and times, never report
 * text.
 */
import type { HistoryEvent } from './step-functions';
import type { LedgerEntry, ResourceKind } from './sagemaker-control-plane';

/** One state run: when it was entered and exited. */
export interface StateRun {
  readonly state: string;
  /** `<map state> #<item>` for a state of a Distributed Map child execution. */
  readonly scope: string;
  readonly entered: Date;
  readonly exited?: Date;
  readonly durationMs?: number;
  /** The error when the state failed (before any catch). */
  readonly error?: string;
}

/** Pairs each entered event with its exit (or failure) in the same scope. */
export function stateRuns(history: readonly HistoryEvent[]): StateRun[] {
  const open = new Map<string, { state: string; scope: string; entered: Date; index: number }[]>();
  const runs: StateRun[] = [];
  for (const event of history) {
    if (event.stateName === undefined) continue;
    const key = `${event.scope ?? ''}\u0000${event.stateName}`;
    if (event.type.endsWith('StateEntered')) {
      const list = open.get(key) ?? [];
      list.push({ state: event.stateName, scope: event.scope ?? '', entered: event.timestamp, index: runs.length });
      open.set(key, list);
      runs.push({ state: event.stateName, scope: event.scope ?? '', entered: event.timestamp });
    } else if (event.type.endsWith('StateExited') || event.type === 'StateFailed') {
      const started = open.get(key)?.shift();
      if (started === undefined) continue;
      runs[started.index] = {
        ...runs[started.index],
        exited: event.timestamp,
        durationMs: event.timestamp.getTime() - started.entered.getTime(),
        error: event.type === 'StateFailed' ? event.error : undefined,
      };
    }
  }
  return runs;
}

/** The history as tab-separated lines: state, scope, entered, exited, duration (ms), error. */
export function historyTsv(runs: readonly StateRun[]): string {
  const lines = ['state\tscope\tentered\texited\tduration_ms\terror'];
  for (const r of runs) {
    lines.push([r.state, r.scope, r.entered.toISOString(), r.exited?.toISOString() ?? '', r.durationMs ?? '', r.error ?? ''].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

/** The fate of one SageMaker resource. */
export interface ResourceFate {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly created?: LedgerEntry;
  readonly stopped?: LedgerEntry;
  readonly deleted?: LedgerEntry;
  /** Still exists (training jobs: still running) at the end. */
  readonly left: boolean;
  /** Status at the end, when left. */
  readonly status?: string;
}

/** Joins the ledger with what is live at the end. */
export function resourceFates(ledger: readonly LedgerEntry[], live: readonly { kind: ResourceKind; name: string; status: string }[]): ResourceFate[] {
  const fates = new Map<string, { kind: ResourceKind; name: string; created?: LedgerEntry; stopped?: LedgerEntry; deleted?: LedgerEntry }>();
  for (const entry of ledger) {
    const key = `${entry.kind} ${entry.name}`;
    const fate = fates.get(key) ?? { kind: entry.kind, name: entry.name };
    if (entry.action === 'create') fate.created = entry;
    if (entry.action === 'stop') fate.stopped = entry;
    if (entry.action === 'delete') fate.deleted = entry;
    fates.set(key, fate);
  }
  return [...fates.values()].map((f) => {
    const still = live.find((l) => l.kind === f.kind && l.name === f.name);
    return { ...f, left: still !== undefined && still.status !== 'Deleting', status: still?.status };
  });
}

function clock(at: Date | undefined, start: Date): string {
  if (at === undefined) return '';
  const s = (at.getTime() - start.getTime()) / 1000;
  return `+${s.toFixed(1)}s`;
}

/** The "what was created / what was deleted / what is left" table. */
export function resourceTable(fates: readonly ResourceFate[], start: Date): string {
  const rows = fates.map((f) => [
    f.kind,
    f.name,
    f.created === undefined ? '' : `${clock(f.created.at, start)} by ${f.created.by}`,
    f.deleted !== undefined
      ? `deleted ${clock(f.deleted.at, start)} by ${f.deleted.by}`
      : f.stopped !== undefined
        ? `stopped ${clock(f.stopped.at, start)} by ${f.stopped.by}`
        : '',
    f.left ? `LEFT (${f.status ?? '?'})` : 'no',
  ]);
  const header = ['kind', 'name', 'created', 'deleted / stopped', 'left'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const created = fates.filter((f) => f.created !== undefined).length;
  const deleted = fates.filter((f) => f.deleted !== undefined).length;
  const left = fates.filter((f) => f.left);
  return [
    'What was created / what was deleted / what is left (SageMaker):',
    line(header),
    ...rows.map(line),
    `${created} created, ${deleted} deleted, ${fates.filter((f) => f.stopped !== undefined).length} stopped, ${left.length} left${left.length > 0 ? `: ${left.map((f) => `${f.kind} ${f.name}`).join(', ')}` : ''}`,
    '',
  ].join('\n');
}
