/**
 * The HTML report of a 2,000 + 2,000 run: how long `impressions report --html` takes as a user runs
 * it, how big the page is, and how fast the page is in headless Chromium (load to first rows, then
 * each control: sort, filters, search, paging), each time including the layout it forces.
 * Generates the run with test/fixtures/make-large-run.ts (`REPORT_BENCH_DIR=<dir>` keeps it).
 * Prints figures, asserts nothing; skips the browser figures when no chromium is installed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LARGE_RUN_ID, makeLargeRun } from '../test/fixtures/make-large-run';
import { CHROMIUM, openPage } from '../test/helpers/chromium';

async function main(): Promise<void> {
  const dir = process.env.REPORT_BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'report-bench-'));
  if (!fs.existsSync(path.join(dir, 'runs', LARGE_RUN_ID))) {
    const t = performance.now();
    const rows = await makeLargeRun(dir);
    process.stdout.write(`generated ${rows.length} rows in ${((performance.now() - t) / 1000).toFixed(1)} s under ${dir}\n`);
  }
  const html = path.join(dir, 'report.html');
  const root = path.join(__dirname, '..');
  const started = performance.now();
  const cli = spawnSync(process.execPath, [path.join(root, 'bin', 'impressions.cjs'), 'report', '--run', LARGE_RUN_ID, '--from', dir, '--html', html], {
    cwd: root,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  if (cli.status !== 0) throw new Error(`report failed: ${cli.stderr}`);
  process.stdout.write(
    `impressions report --html (2,000 + 2,000 studies, 20,000 rows): ${seconds.toFixed(1)} s; page ${(fs.statSync(html).size / 1024 / 1024).toFixed(1)} MiB\n`,
  );
  if (CHROMIUM === undefined) {
    process.stdout.write('no chromium: browser figures skipped\n');
    return;
  }
  for (const viewport of [
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
  ]) {
    const page = await openPage(html, viewport);
    try {
      const load = await page.evaluate<number>(`Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd)`);
      // Each step: set a control, fire its event, force layout; the page handles events synchronously.
      const steps: [string, string, string | boolean][] = [
        ['sort: fine-tuned ROUGE-1, lowest first', 'f-sort', 'm1:0'],
        ['sort: Δ ROUGE-Lsum, most lost first', 'f-sort', 'd3'],
        ['filter: fine-tuned disagrees with the reference', 'f-labels', 'ft'],
        ['filter: observation Pleural Effusion', 'f-observation', '10'],
        ['filter: fine-tuned lost to pretrained', 'f-lost', true],
        ['search "effusion" (first search builds the index)', 'f-text', 'effusion'],
        ['search "pneumothorax"', 'f-text', 'pneumothorax'],
        ['100 rows per page', 'f-size', '100'],
      ];
      const lines = [`Chromium ${viewport.width} × ${viewport.height}: load to first rows ${load} ms`];
      // Each step starts from no filter and 50 rows a page (untimed).
      const reset = `(() => { for (const [id, v] of [['f-dataset', ''], ['f-labels', ''], ['f-observation', ''], ['f-text', ''], ['f-size', '50']]) document.getElementById(id).value = v;
        document.getElementById('f-lost').checked = false; document.getElementById('f-errors').checked = false;
        document.getElementById('f-dataset').dispatchEvent(new Event('change')); })()`;
      for (const [label, id, value] of steps) {
        await page.evaluate(reset);
        const prop = typeof value === 'boolean' ? 'checked' : 'value';
        const event = id === 'f-text' ? 'input' : 'change';
        const ms = await page.evaluate<number>(
          `(() => { const el = document.getElementById('${id}'); const t = performance.now(); el.${prop} = ${JSON.stringify(value)}; el.dispatchEvent(new Event('${event}')); void document.body.offsetHeight; return performance.now() - t; })()`,
        );
        const status = await page.evaluate<string>(`document.getElementById('status').textContent`);
        lines.push(`  ${label}: ${ms.toFixed(0)} ms (${status.replace(/^Showing \S+ of /, '').replace(/ matching.*$/, '')} studies match)`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await page.close();
    }
  }
  if (process.env.REPORT_BENCH_DIR === undefined) fs.rmSync(dir, { recursive: true, force: true });
}

void main();
