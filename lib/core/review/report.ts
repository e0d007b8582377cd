/**
 * The radiologist-review part of `impressions report`: figures for the terminal (no text, ids and
 * numbers only) and a section of the HTML page (which holds report text by design). Figures are
 * computed from the rows (./summary.ts), so a late answer counts at once.
 */
import { escapeHtml } from '../results-report/html';
import { fmt, layout } from '../results-report/tables';
import type { ReviewRow, ReviewSummaryRow } from '../run/contracts';
import { harmFlags, REVIEW_MODEL_ORDER, reviewSummaryRows } from './summary';

const ALPHA = [
  ['alpha_correct', 'correct', 'ordinal'],
  ['alpha_complete', 'complete', 'ordinal'],
  ['alpha_concise', 'concise', 'ordinal'],
  ['alpha_harm', 'harm', 'nominal'],
  ['alpha_preference', 'preference', 'nominal'],
] as const;

interface ReviewFigures {
  readonly reviewId: string;
  readonly kind: ReviewRow['kind'];
  readonly readers: number;
  readonly items: number;
  readonly rows: readonly ReviewRow[];
  readonly summary: readonly ReviewSummaryRow[];
}

/** The reviews among `rows`, newest first, each with its figures. */
function reviews(rows: readonly ReviewRow[]): ReviewFigures[] {
  const ids = [...new Set(rows.map((r) => r.review_id))].sort().reverse();
  return ids.map((reviewId) => {
    const own = rows.filter((r) => r.review_id === reviewId);
    return {
      reviewId,
      kind: own[0].kind,
      readers: new Set(own.map((r) => r.reader)).size,
      items: new Set(own.map((r) => r.item_id)).size,
      rows: own,
      summary: reviewSummaryRows(own[0].run_id, reviewId, own),
    };
  });
}

const interval = (f: ReviewSummaryRow | undefined) => (f === undefined ? '-' : `${fmt(f.value, 3)} [${fmt(f.ci_low, 3)}, ${fmt(f.ci_high, 3)}]`);
const get = (s: readonly ReviewSummaryRow[], metric: string, model = 'all', comparator: string | null = null) =>
  s.find((r) => r.dataset === 'all' && r.metric === metric && r.model === model && r.comparator === comparator);
const order = (m: string) => REVIEW_MODEL_ORDER.indexOf(m as never);

function loopLine(s: readonly ReviewSummaryRow[]): string {
  const n = (m: string) => get(s, m)?.value ?? 0;
  return `loops ${n('loops_total')}: ${n('loops_answered')} answered, ${n('loops_invalid')} unreadable output, ${n('loops_failed')} failed, ${n('loops_stopped')} stopped`;
}

function pairs(s: readonly ReviewSummaryRow[]): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const r of s) if (r.dataset === 'all' && r.metric === 'equal' && r.comparator !== null) seen.set(`${r.model}/${r.comparator}`, [r.model, r.comparator]);
  return [...seen.values()].sort((a, b) => order(a[0]) - order(b[0]) || order(a[1]) - order(b[1]));
}

function models(s: readonly ReviewSummaryRow[]): string[] {
  return [...new Set(s.filter((r) => r.dataset === 'all' && r.metric === 'rating_correct').map((r) => r.model))].sort((a, b) => order(a) - order(b));
}

/** The review figures of a run for the terminal (empty when the run has no review rows). */
export function reviewReportText(rows: readonly ReviewRow[]): string {
  const all = reviews(rows);
  if (all.length === 0) return '';
  const out = ['Radiologist reviews (blinded A/B; 95% bootstrap intervals over items, 1,000 resamples, seed 0; answered judgements only):'];
  for (const r of all) {
    const s = r.summary;
    out.push('', `Review ${r.reviewId} (${r.kind}): ${r.items} items, ${r.readers} reader${r.readers === 1 ? '' : 's'}; ${loopLine(s)}`);
    if (r.kind === 'feedback') {
      const d = (k: string) => get(s, `decision_${k}`, 'draft')?.value ?? 0;
      out.push(`  drafts accepted ${d('accepted')}, corrected ${d('corrected')}, rejected ${d('rejected')}`);
      continue;
    }
    out.push(
      'Preference (share of judgements of each pair):',
      layout(
        ['pair', 'first preferred', 'second preferred', 'equal', 'judgements'],
        pairs(s).map(([a, b]) => [
          `${a} vs ${b}`,
          interval(get(s, 'preferred', a, b)),
          interval(get(s, 'preferred', b, a)),
          interval(get(s, 'equal', a, b)),
          String(get(s, 'equal', a, b)?.count ?? 0),
        ]),
        1,
      ),
      'Ratings (mean, 1-5) and share flagged as possibly harmful:',
      layout(
        ['model', 'correct', 'complete', 'concise', 'harm rate', 'judgements'],
        models(s).map((m) => [
          m,
          interval(get(s, 'rating_correct', m)),
          interval(get(s, 'rating_complete', m)),
          interval(get(s, 'rating_concise', m)),
          interval(get(s, 'harm_rate', m)),
          String(get(s, 'rating_correct', m)?.count ?? 0),
        ]),
        1,
      ),
      "Inter-reader agreement (Krippendorff's alpha):",
      layout(
        ['answer', 'level', 'alpha', 'units'],
        ALPHA.map(([metric, label, level]) => [label, level, interval(get(s, metric)), String(get(s, metric)?.count ?? 0)]),
        2,
      ),
      'How well the automatic scores rank impressions as the readers do (Spearman with the mean correctness rating):',
      layout(
        ['score', 'rho', 'impressions'],
        [
          ['ROUGE-Lsum F', interval(get(s, 'spearman_rouge_correct', 'generated')), String(get(s, 'spearman_rouge_correct', 'generated')?.count ?? 0)],
          ['label agreement', interval(get(s, 'spearman_labels_correct', 'generated')), String(get(s, 'spearman_labels_correct', 'generated')?.count ?? 0)],
        ],
        1,
      ),
    );
    const flags = harmFlags(r.rows);
    out.push(
      flags.length === 0
        ? 'Harm flags: none.'
        : `Harm flags (${flags.length}; the texts and reasons are in the HTML report and the review-harm-flags query): ${flags.map((f) => `item ${f.item_id} (${f.dataset} study ${f.study_id}, ${f.reader}, ${f.source})`).join('; ')}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  return `<table class="review"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body
    .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The review section of the HTML page (empty when the run has no review rows). Every text is escaped. */
export function reviewSectionHtml(rows: readonly ReviewRow[]): string {
  const all = reviews(rows);
  if (all.length === 0) return '';
  const parts = [
    '<h2 id="radiologist-review">Radiologist review</h2>',
    '<p class="note">Radiologists judged blinded pairs of impressions (A and B in a random order per item, the source never shown). Intervals: 95% bootstrap over items (1,000 resamples, seed 0). Only answered judgements count; loops without an answer are counted apart.</p>',
  ];
  for (const r of all) {
    const s = r.summary;
    parts.push(`<h3>Review ${escapeHtml(r.reviewId)} (${escapeHtml(r.kind)})</h3><p>${r.items} items, ${r.readers} reader(s); ${escapeHtml(loopLine(s))}.</p>`);
    if (r.kind === 'feedback') {
      parts.push(
        table(
          ['decision', 'drafts'],
          ['accepted', 'corrected', 'rejected'].map((d) => [d, String(get(s, `decision_${d}`, 'draft')?.value ?? 0)]),
        ),
      );
      continue;
    }
    parts.push(
      table(
        ['pair', 'first preferred', 'second preferred', 'equal', 'judgements'],
        pairs(s).map(([a, b]) => [
          `${a} vs ${b}`,
          interval(get(s, 'preferred', a, b)),
          interval(get(s, 'preferred', b, a)),
          interval(get(s, 'equal', a, b)),
          String(get(s, 'equal', a, b)?.count ?? 0),
        ]),
      ),
      table(
        ['model', 'correct', 'complete', 'concise', 'harm rate', 'judgements'],
        models(s).map((m) => [
          m,
          interval(get(s, 'rating_correct', m)),
          interval(get(s, 'rating_complete', m)),
          interval(get(s, 'rating_concise', m)),
          interval(get(s, 'harm_rate', m)),
          String(get(s, 'rating_correct', m)?.count ?? 0),
        ]),
      ),
      table(
        ["Krippendorff's alpha", 'level', 'value', 'units'],
        ALPHA.map(([metric, label, level]) => [label, level, interval(get(s, metric)), String(get(s, metric)?.count ?? 0)]),
      ),
      table(
        ['Spearman with mean correctness', 'rho', 'impressions'],
        [
          ['ROUGE-Lsum F', interval(get(s, 'spearman_rouge_correct', 'generated')), String(get(s, 'spearman_rouge_correct', 'generated')?.count ?? 0)],
          ['label agreement', interval(get(s, 'spearman_labels_correct', 'generated')), String(get(s, 'spearman_labels_correct', 'generated')?.count ?? 0)],
        ],
      ),
    );
    const flags = harmFlags(r.rows);
    parts.push(
      `<h4>Harm flags (${flags.length})</h4>`,
      flags.length === 0
        ? '<p>None.</p>'
        : table(
            ['item', 'data set', 'study', 'reader', 'model', 'impression', 'reason', 'findings'],
            flags.map((f) => [f.item_id, f.dataset, f.study_id, f.reader, f.source, f.impression, f.harm_reason ?? '', f.findings]),
          ),
    );
  }
  return parts.join('\n');
}
