/**
 * Renders the HTML report in headless Chromium (Debian's `chromium` package, driven through the
 * DevTools protocol by test/helpers/chromium.ts) at 1,366 × 768 and 1,920 × 1,080, for the
 * committed fixture run and a generated 2,000 + 2,000 run: the verdict comes first, warnings and
 * intervals are shown, nothing overflows horizontally (also after sorting, filtering and expanding),
 * the filters count what the view says they should, the page script logs nothing, and hostile
 * report text stays text. Skipped, with a message, when no chromium binary is installed.
 *
 * `REPORT_SCREENSHOTS=<folder>` also writes a screenshot of the top of each page there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRunResults, localStore } from '../../../../lib/cli/run-results';
import { reportHtml } from '../../../../lib/core/results-report/html';
import { buildReportView, VERDICT_METRICS, type ReportView } from '../../../../lib/core/results-report/view';
import type { PredictionRow } from '../../../../lib/core/run/contracts';
import { LARGE_RUN_ID, makeLargeRun } from '../../../fixtures/make-large-run';
import { CHROMIUM, openPage, type ChromiumPage } from '../../../helpers/chromium';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');
const VIEWPORTS = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];

if (CHROMIUM === undefined) process.stderr.write('html.test.ts: SKIPPED, no chromium binary (apt-get install -y chromium)\n');
const maybe = CHROMIUM === undefined ? describe.skip : describe;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'report-html-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function loadView(dir: string, runId: string): Promise<ReportView> {
  const results = await loadRunResults(localStore(dir), runId);
  return buildReportView({ runId, summary: results.summary, rows: results.rows, runSummary: results.runSummary });
}

function writePage(view: ReportView, name: string): string {
  const file = path.join(work, `${name}.html`);
  fs.writeFileSync(file, reportHtml(view, { generatedAt: new Date('2026-01-16T00:00:00Z') }));
  return file;
}

/** Elements whose right edge passes the viewport, and the document's scroll width against the viewport. */
const OVERFLOW = `(() => {
  const w = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')].filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > w + 0.5)
    .slice(0, 5).map((el) => el.tagName + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className : ''));
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: w, wide };
})()`;

async function expectNoOverflow(page: ChromiumPage, when: string): Promise<void> {
  const o = await page.evaluate<{ scrollWidth: number; innerWidth: number; wide: string[] }>(OVERFLOW);
  expect({ when, ...o }).toEqual({ when, scrollWidth: o.innerWidth, innerWidth: o.innerWidth, wide: [] });
}

/** Sets a control's value and fires the event the page listens to. */
function set(id: string, value: string | boolean): string {
  const prop = typeof value === 'boolean' ? 'checked' : 'value';
  const event = id === 'f-text' ? 'input' : 'change';
  return `(() => { const el = document.getElementById(${JSON.stringify(id)}); el.${prop} = ${JSON.stringify(value)}; el.dispatchEvent(new Event('${event}')); return document.getElementById('status').textContent; })()`;
}

/** Checks every run page shares: verdict first, warnings, intervals, no overflow before and after using the controls. */
async function checkPage(file: string, view: ReportView, viewport: { width: number; height: number }, shot: string): Promise<ChromiumPage> {
  const page = await openPage(file, viewport);
  try {
    expect(page.console).toEqual([]);
    // The verdict comes first: every data set's card starts within the first screen.
    const cards = await page.evaluate<{ title: string; top: number; untrusted: boolean }[]>(
      `[...document.querySelectorAll('#verdict article.card')].map((a) => ({ title: a.querySelector('h3').textContent, top: a.getBoundingClientRect().top, untrusted: a.classList.contains('untrusted') }))`,
    );
    expect(cards.map((c) => c.title)).toEqual(view.datasets.map((d) => d.title));
    for (const c of cards) expect(c.top).toBeLessThan(viewport.height);
    expect(cards.map((c) => c.untrusted)).toEqual(view.datasets.map((d) => !d.trustworthy));
    // Warnings, with their text, in the verdict.
    const warnings = await page.evaluate<string[]>(`[...document.querySelectorAll('#verdict ul.warnings li')].map((li) => li.textContent)`);
    expect(warnings).toEqual(view.datasets.flatMap((d) => d.warnings.map((w) => `⚠ Warning: ${w}`)));
    // Intervals on every chart: a bar per paired difference, a bar per mean, a bar beside every box.
    const bars = await page.evaluate<{ forest: number; means: number; boxes: number; meanBars: number }>(
      `({ forest: document.querySelectorAll('#verdict svg .bar').length, means: document.querySelectorAll('#means-section svg line[stroke-width="3"]').length,
          boxes: document.querySelectorAll('#distributions g.box').length, meanBars: document.querySelectorAll('#distributions g.box .mean-ci').length })`,
    );
    const pairedWithInterval = view.datasets.flatMap((d) => d.fineTunedVsPretrained).filter((p) => p.difference.low !== null).length;
    expect(bars.forest).toBe(pairedWithInterval * 3);
    expect(bars.boxes).toBeGreaterThan(0);
    expect(bars.meanBars).toBe(bars.boxes);
    expect(bars.means).toBe(
      view.datasets.flatMap((d) => d.models.flatMap((m) => VERDICT_METRICS.filter((metric) => (m.estimates[metric]?.low ?? null) !== null))).length,
    );
    // Every chart has a text alternative.
    const unlabelled = await page.evaluate<number>(
      `[...document.querySelectorAll('svg.chart')].filter((s) => s.getAttribute('role') !== 'img' || !s.querySelector('desc') || s.querySelector('desc').textContent.length < 20).length`,
    );
    expect(unlabelled).toBe(0);
    await expectNoOverflow(page, 'loaded');
    if (process.env.REPORT_SCREENSHOTS !== undefined) {
      fs.mkdirSync(process.env.REPORT_SCREENSHOTS, { recursive: true });
      fs.writeFileSync(path.join(process.env.REPORT_SCREENSHOTS, `${shot}-${viewport.width}.png`), await page.screenshot({ x: 0, y: 0, ...viewport }));
      const reportsTop = await page.evaluate<number>(`document.getElementById('reports-section').getBoundingClientRect().top + window.scrollY`);
      fs.writeFileSync(
        path.join(process.env.REPORT_SCREENSHOTS, `${shot}-${viewport.width}-reports.png`),
        await page.screenshot({ x: 0, y: reportsTop, ...viewport }),
      );
    }
    // Use the controls, then look again.
    await page.evaluate(set('f-size', '100'));
    await page.evaluate(`document.querySelector('#report-rows button.more:not([hidden])')?.click()`);
    await expectNoOverflow(page, '100 rows, one expanded');
    for (const sort of await page.evaluate<string[]>(`[...document.getElementById('f-sort').options].map((o) => o.value)`)) {
      await page.evaluate(set('f-sort', sort));
    }
    await page.evaluate(set('f-labels', 'any'));
    await expectNoOverflow(page, 'every sort, label disagreement');
    expect(page.console).toEqual([]);
    return page;
  } catch (error) {
    await page.close();
    throw error;
  }
}

maybe('HTML report in headless Chromium', () => {
  let fixtureView: ReportView;
  let largeView: ReportView;
  let fixtureFile: string;
  let largeFile: string;

  beforeAll(async () => {
    fixtureView = await loadView(FIXTURE, 'fixture-run');
    fixtureFile = writePage(fixtureView, 'fixture');
    const large = path.join(work, 'large-run');
    await makeLargeRun(large);
    largeView = await loadView(large, LARGE_RUN_ID);
    largeFile = writePage(largeView, 'large');
  }, 300_000);

  for (const viewport of VIEWPORTS) {
    it(`fixture run at ${viewport.width} × ${viewport.height}: verdict first, warnings, intervals, no overflow`, async () => {
      const page = await checkPage(fixtureFile, fixtureView, viewport, 'fixture');
      try {
        expect(await page.evaluate(`document.getElementById('status').textContent`)).toMatch(/^Showing 1–\d+ of \d+ matching studies \(13 in the run\)/);
        // dev2 has one unreadable record in every model: 1 of 7 rows, above 1 %.
        expect(await page.evaluate(`document.querySelector('#verdict article.untrusted .banner').textContent`)).toContain('Not trustworthy.');
        await page.evaluate(set('f-labels', ''));
        expect(await page.evaluate(set('f-errors', true))).toMatch(/ of 1 matching studies/);
      } finally {
        await page.close();
      }
    });

    it(`2,000 + 2,000 run at ${viewport.width} × ${viewport.height}: filters count what the view says`, async () => {
      const page = await checkPage(largeFile, largeView, viewport, 'large');
      try {
        const studies = largeView.datasets.flatMap((d) => d.studies);
        expect(studies).toHaveLength(4000);
        const status = (n: number) => new RegExp(` of ${n.toLocaleString('en-US')} matching studies \\(4,000 in the run\\)`);
        await page.evaluate(set('f-labels', ''));
        const ft = (s: (typeof studies)[number]) => s.answers['fine-tuned'];
        const pt = (s: (typeof studies)[number]) => s.answers.pretrained;
        const lost = studies.filter(
          (s) => ft(s)?.scores.rougeLsum != null && pt(s)?.scores.rougeLsum != null && ft(s)!.scores.rougeLsum! < pt(s)!.scores.rougeLsum!,
        );
        await page.evaluate(set('f-sort', 'd3'));
        expect(await page.evaluate(set('f-lost', true))).toMatch(status(lost.length));
        await page.evaluate(set('f-lost', false));
        const disagree = studies.filter((s) => ft(s) !== undefined && ft(s)!.error === null && ft(s)!.misses.length + ft(s)!.adds.length > 0);
        expect(await page.evaluate(set('f-labels', 'ft'))).toMatch(status(disagree.length));
        await page.evaluate(set('f-labels', ''));
        const index =
          (await page.evaluate<string[]>(`[...document.getElementById('f-observation').options].map((o) => o.textContent)`)).indexOf('Pleural Effusion') - 1;
        const effusion = studies.filter(
          (s) => s.referencePresent.includes('Pleural Effusion') || Object.values(s.answers).some((a) => a.present.includes('Pleural Effusion')),
        );
        expect(await page.evaluate(set('f-observation', String(index)))).toMatch(status(effusion.length));
        await page.evaluate(set('f-observation', ''));
        expect(await page.evaluate(set('f-dataset', '1'))).toMatch(status(2000));
        await page.evaluate(set('f-dataset', ''));
        const id = largeView.datasets[0].studies[1234].studyId;
        expect(await page.evaluate(set('f-text', id))).toMatch(status(1));
        expect(await page.evaluate(`document.querySelector('#report-rows .sid').textContent`)).toBe(id);
        expect(await page.evaluate(set('f-text', 'PNEUMOTHORAX'))).toMatch(
          status(
            studies.filter((s) =>
              [s.studyId, s.findings, s.reference, ...Object.values(s.answers).map((a) => a.generated ?? '')].some((t) => /pneumothorax/i.test(t)),
            ).length,
          ),
        );
        // Worst first: the first row of "fine-tuned ROUGE-1, lowest first" has the lowest fine-tuned ROUGE-1.
        await page.evaluate(set('f-text', ''));
        await page.evaluate(set('f-sort', 'm1:0'));
        const lowest = Math.min(...studies.map((s) => ft(s)?.scores.rouge1 ?? Infinity));
        expect(await page.evaluate(`document.querySelector('#report-rows td.answer:last-child .scores').textContent`)).toMatch(
          new RegExp(`^R-1 ${lowest.toFixed(3)} `),
        );
        await expectNoOverflow(page, 'after filtering');
        expect(page.console).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it('shows hostile report text as text: nothing in it runs', async () => {
    const results = await loadRunResults(localStore(FIXTURE), 'fixture-run');
    const hostile = '</script><script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> & \u2028';
    const target = results.rows[0].study_id;
    const rows: PredictionRow[] = results.rows.map((r) => (r.study_id === target ? { ...r, findings: hostile, generated: hostile } : r));
    const view = buildReportView({ runId: 'fixture-<b>run</b>', summary: results.summary, rows, runSummary: results.runSummary });
    const page = await openPage(writePage(view, 'hostile'), VIEWPORTS[0]);
    try {
      expect(page.console).toEqual([]);
      expect(await page.evaluate('document.title')).toBe('Radiology impressions: run fixture-<b>run</b>');
      await page.evaluate(set('f-text', 'pwned'));
      expect(await page.evaluate(`document.querySelector('#report-rows td.findings .clamp').textContent`)).toBe(hostile);
      expect(await page.evaluate(`document.querySelectorAll('#report-rows img').length`)).toBe(0);
      // The overflow check can fail: a report text too wide to break is caught.
      await page.evaluate(
        `(() => { const d = document.createElement('div'); d.id = 'wide'; d.style.width = '2000px'; document.querySelector('main').appendChild(d); })()`,
      );
      expect((await page.evaluate<{ wide: string[] }>(OVERFLOW)).wide).toContain('DIV#wide');
    } finally {
      await page.close();
    }
  });
});
