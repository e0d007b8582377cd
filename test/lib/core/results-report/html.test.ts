/**
 * Renders the HTML report in headless Chromium (Debian's `chromium` package) and checks that it
 * renders, shows every model and dataset, runs its script, and logs nothing to the console.
 * Skipped, with a message, when no chromium binary is installed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRunResults, localStore } from '../../../../lib/cli/run-results';
import { reportHtml } from '../../../../lib/core/results-report/html';
import type { PredictionRow } from '../../../../lib/core/run/contracts';

const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'evaluation-run');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => fs.existsSync(p));

if (CHROMIUM === undefined) {
  process.stderr.write('html.test.ts: SKIPPED, no chromium binary (apt-get install -y chromium)\n');
}
const maybe = CHROMIUM === undefined ? describe.skip : describe;

function render(html: string): { dom: string; console: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-html-'));
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);
  const result = spawnSync(
    CHROMIUM!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--enable-logging=stderr',
      '--v=0',
      '--dump-dom',
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`chromium exited with ${result.status}: ${result.stderr.slice(-2000)}`);
  return { dom: result.stdout, console: result.stderr.split('\n').filter((l) => l.includes(':CONSOLE')) };
}

maybe('HTML report in headless Chromium', () => {
  it('renders every dataset and model, fills the report table, logs no console error', async () => {
    const results = await loadRunResults(localStore(FIXTURE), 'fixture-run');
    const { dom, console } = render(
      reportHtml('fixture-run', results.summary, results.rows, { stemmer: false, generatedAt: new Date('2026-01-16T00:00:00Z') }),
    );
    expect(console).toEqual([]);
    expect(dom).toContain('Showing 1–50 of 65 matching reports (65 in the run), page 1 of 2.');
    expect((dom.match(/<g class="box"/g) ?? []).length).toBe(4 * 2 * 5);
    for (const model of ['pretrained', 'fine-tuned', 'baseline-normal', 'baseline-copy-findings', 'baseline-first-sentence']) {
      expect(dom).toContain(`<option value="${model}">${model}</option>`);
      for (const dataset of ['dev1', 'dev2']) expect(dom).toContain(`data-dataset="${dataset}" data-model="${model}"`);
    }
    const tbody = /<tbody id="report-rows">([\s\S]*?)<\/tbody>/.exec(dom)![1];
    expect((tbody.match(/<tr/g) ?? []).length).toBe(50);
    expect(tbody).toContain('(error: eval_data/dev2.jsonl line 7 (record 6), study_id broken-1: findings must be a string)');
  });

  it('shows hostile report text as text: nothing in it runs', async () => {
    const results = await loadRunResults(localStore(FIXTURE), 'fixture-run');
    const hostile = '</script><script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> & \u2028';
    const rows: PredictionRow[] = results.rows.map((r, i) => (i === 0 ? { ...r, findings: hostile, generated: hostile } : r));
    const { dom, console } = render(reportHtml('fixture-<b>run</b>', results.summary, rows, { stemmer: false, generatedAt: new Date() }));
    expect(console).toEqual([]);
    expect(dom).toContain('<title>Radiology impressions: run fixture-&lt;b&gt;run&lt;/b&gt;</title>');
    expect(dom).not.toContain('pwned</title>');
    expect(dom).toContain('&lt;/script&gt;&lt;script&gt;document.title="pwned"&lt;/script&gt;');
  });
});
