import * as path from 'node:path';
import { loadRunResults, localStore } from '../../../../lib/cli/run-results';
import { count, fmt, interval, percent, signed } from '../../../../lib/core/results-report/format';
import { reportHtml } from '../../../../lib/core/results-report/html';
import { metricName, modelName } from '../../../../lib/core/results-report/names';
import { textReport } from '../../../../lib/core/results-report/tables';
import { buildReportView, type ReportView } from '../../../../lib/core/results-report/view';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');

/** The page's visible text: tags dropped, entities decoded, whitespace collapsed. */
function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Every statement and figure of the verdict the reader must see, as text. */
function verdictStatements(view: ReportView): string[] {
  return [
    view.settings.text,
    view.run.costText,
    view.run.durationText,
    ...view.datasets.flatMap((d) => [
      d.title,
      d.headline,
      ...d.warnings,
      ...d.fineTunedVsPretrained.map((p) => p.words),
      ...d.baselineChecks.flatMap((c) => [
        `${fmt(c.mean.value)}`,
        `${signed(c.paired.difference.value)}`,
        interval(c.paired.difference.low, c.paired.difference.high),
      ]),
      ...d.errors.flatMap((e) => [modelName(e.model), percent(e.share)]),
      ...d.published.flatMap((p) => p.cells.flatMap((c) => [fmt(c.ours.value), `published ${fmt(c.published)}`])),
      ...d.models.flatMap((m) => Object.values(m.estimates).map((e) => `${fmt(e.value)} ${interval(e.low, e.high)}`)),
      ...d.observations.flatMap((o) => [o.observation, ...Object.values(o.models).map((c) => fmt(c.f1, 3))]),
    ]),
  ];
}

describe('terminal and HTML report', () => {
  let view: ReportView;
  let text: string;
  let page: string;
  beforeAll(async () => {
    const results = await loadRunResults(localStore(FIXTURE), 'fixture-run');
    view = buildReportView({ runId: 'fixture-run', summary: results.summary, rows: results.rows, runSummary: results.runSummary });
    text = textReport(view).replace(/\s+/g, ' ');
    page = pageText(reportHtml(view, { generatedAt: new Date('2026-01-16T00:00:00Z') }));
  });

  it('say the same things from the same view: every verdict statement and figure is in both', () => {
    const statements = verdictStatements(view).map((s) => s.replace(/\s+/g, ' '));
    expect(statements.length).toBeGreaterThan(100);
    expect(statements.filter((s) => !text.includes(s))).toEqual([]);
    expect(statements.filter((s) => !page.includes(s))).toEqual([]);
  });

  it('state the fixture verdict: dev2 not trustworthy (1 of 7 rows are errors), the paired differences in words', () => {
    const dev2 = view.datasets.find((d) => d.dataset === 'dev2')!;
    expect(dev2.title).toBe('dev2 · Indiana University, 7 reports');
    expect(dev2.trustworthy).toBe(false);
    expect(dev2.warnings[0]).toMatch(/^Not trustworthy: error rows above the 1\.0 % threshold: Pretrained 1 of 7 \(14\.3 %\); Fine-tuned 1 of 7/);
    expect(text).toContain('=== dev2 · Indiana University, 7 reports — NOT TRUSTWORTHY ===');
    expect(page).toContain('⚠ Not trustworthy.');
    // The same numbers as the run summary's paired differences.
    expect(dev2.fineTunedVsPretrained.find((p) => p.metric === 'rouge1')!.words).toBe('better by 0.3765 [0.0494, 0.6620]');
    expect(dev2.fineTunedVsPretrained.find((p) => p.metric === 'chexpert_micro_f1_13')!.words).toBe('no clear difference: −0.2857 [−0.6667, 0.0000]');
    const dev1 = view.datasets.find((d) => d.dataset === 'dev1')!;
    expect(dev1.trustworthy).toBe(true);
    expect(text).toContain('=== dev1 · MIMIC-CXR, 6 reports ===\n'.replace(/\s+/g, ' '));
  });

  it('use readable names, never the raw ids, outside the data', () => {
    for (const raw of ['chexpert_micro_f1_13', 'baseline-copy-findings', 'baseline-normal', '{"']) {
      expect(text).not.toContain(raw);
      expect(page).not.toContain(raw);
    }
    expect(page).toContain(metricName('chexpert_micro_f1_13').short);
    expect(page).toContain('Normal-answer baseline');
  });

  it('print the published figures beside ours, the cost and the instance time', () => {
    for (const t of [text, page]) {
      expect(t).toContain('Fine-tuned (published)');
      expect(t).toContain('0.5708');
      expect(t).toContain('Cost: $302.21 estimated');
      expect(t).toContain('training 10.69 h on 1 × ml.p3.16xlarge');
      expect(t).toContain(count(6));
    }
  });

  it('keep report text out of the terminal', () => {
    const findings = view.datasets[0].studies[0].findings;
    expect(findings.length).toBeGreaterThan(20);
    expect(text).not.toContain(findings.slice(0, 20));
  });
});
