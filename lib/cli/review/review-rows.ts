/**
 * Reads review rows back from the data bucket (or a local folder with its layout) for the report
 * and for `prepare --feedback`. Every row is checked against the contract's fields; an error names
 * the file, line and field, never a text.
 */
import { REVIEWS_SCHEMA } from '../../core/analytics/tables';
import { mapPool } from '../../core/evaluation/pool';
import { isValidReviewId, REVIEW_RESULTS_PREFIX } from '../../core/review/keys';
import type { ReviewRow } from '../../core/run/contracts';
import { CliError } from '../errors';
import type { ResultStore } from '../run-results';

const ROWS_KEY = /\/review_id=([^/]+)\/rows\/[^/]+\.jsonl$/;

function check(value: unknown, where: string): ReviewRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${where}: not a JSON object`);
  const o = value as Record<string, unknown>;
  for (const [field, type] of Object.entries(REVIEWS_SCHEMA.fields)) {
    const v = o[field];
    if (v === null && !['run_id', 'review_id', 'kind', 'loop_name', 'status', 'source', 'created_at'].includes(field)) continue;
    const ok = type === 'string' ? typeof v === 'string' : typeof v === 'number' && Number.isFinite(v);
    if (!ok) throw new CliError(`${where}: field ${field} must be a ${type === 'string' ? 'string' : 'number'}${v === undefined ? ' (missing)' : ''}`);
  }
  return o as unknown as ReviewRow;
}

/**
 * The review rows under `prediction_data/reviews/` of run `runId` (every run when undefined),
 * limited to `reviewIds` when given. Empty when there are none.
 */
export async function loadReviewRows(store: ResultStore, options: { runId?: string; reviewIds?: readonly string[] } = {}): Promise<ReviewRow[]> {
  for (const id of options.reviewIds ?? []) if (!isValidReviewId(id)) throw new CliError(`review id ${JSON.stringify(id)} is not valid (ev-… or fb-…)`);
  const prefix = options.runId === undefined ? REVIEW_RESULTS_PREFIX : `${REVIEW_RESULTS_PREFIX}run_id=${options.runId}/`;
  const keys = (await store.list(prefix)).filter((k) => {
    const m = ROWS_KEY.exec(k);
    return m !== null && (options.reviewIds === undefined || options.reviewIds.includes(m[1]));
  });
  const parts = await mapPool(keys, 8, async (key) => {
    const text = (await store.read(key)) ?? '';
    return text
      .split('\n')
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => line.trim() !== '')
      .map(({ line, i }) => {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          throw new CliError(`${store.description}/${key} line ${i + 1}: not valid JSON`);
        }
        return check(value, `${store.description}/${key} line ${i + 1}`);
      });
  });
  return parts.flat();
}
