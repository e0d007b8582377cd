/**
 * The HTML report of a run: one self-contained page (inline CSS, script and SVG; no network; a
 * Content-Security-Policy of `default-src 'none'`) laid out from the {@link ReportView}, verdict
 * first. It shows what the terminal report prints (./tables.ts), with the same sentences and
 * figures, plus charts (each with a text alternative and its figures in a table) and the reports
 * themselves side by side, one row per study, to sort, filter and search.
 *
 * The page holds patient text by design: it is a local artefact, never uploaded or logged. All
 * text is escaped (entities in markup, `<` escaped inside the embedded JSON), and the page script
 * sets report text with `textContent` only.
 */
import { AGREEMENT_METRICS } from '../evaluation/agreement-summary';
import { ROUGE_METRICS } from '../evaluation/rows';
import { OBSERVATIONS } from '../labels/observations';
import { count, fmt, interval, percent, signed } from './format';
import { metricName, MODEL_DESCRIPTIONS, modelColour, modelName } from './names';
import { VERDICT_METRICS, VERDICT_MODELS, type DatasetView, type Estimate, type ModelFigures, type PairedLine, type ReportView } from './view';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 appears literally. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const e = escapeHtml;
/** Rounds SVG coordinates to a tenth of a pixel (shorter markup, same picture). */
const r1 = (v: number) => Math.round(v * 10) / 10;

function estimateCell(x: Estimate | undefined): string {
  return x === undefined || x.value === null
    ? '<td class="num">-</td>'
    : `<td class="num">${fmt(x.value)} <span class="ci">${interval(x.low, x.high)}</span></td>`;
}

function swatch(model: string): string {
  return `<i class="swatch" style="background:${modelColour(model)}" aria-hidden="true"></i>`;
}

/** A chart: the SVG with its title and description wired for screen readers. */
function svgOpen(id: string, width: number, height: number, title: string, description: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<title id="${id}-t">${e(title)}</title><desc id="${id}-d">${e(description)}</desc>`
  );
}

/**
 * Differences with their intervals against a zero line (a forest plot): one row per figure, its
 * words (`better by 0.38 [0.36, 0.40]`) beside it, so colour is never the only cue.
 */
export function forestSvg(id: string, lines: readonly PairedLine[], title: string): string {
  const left = 104;
  const right = 320;
  const plot = 240;
  const rowH = 30;
  const top = 28;
  const width = left + plot + right;
  const height = top + lines.length * rowH + 30;
  const extent = Math.max(0.02, ...lines.flatMap((l) => [l.difference.low, l.difference.high, l.difference.value].map((v) => Math.abs(v ?? 0)))) * 1.1;
  const x = (v: number) => left + ((v + extent) / (2 * extent)) * plot;
  const out = [svgOpen(id, width, height, title, lines.map((l) => `${l.label}: ${l.words}`).join('; '))];
  out.push(`<text x="${left}" y="14" class="axis-title">← pretrained better · fine-tuned better →</text>`);
  for (const t of [-extent, -extent / 2, 0, extent / 2, extent]) {
    out.push(
      `<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${top - 6}" y2="${height - 24}" class="${t === 0 ? 'zero' : 'grid'}"/>`,
      `<text x="${r1(x(t))}" y="${height - 8}" text-anchor="middle" class="tick">${signed(t, 2)}</text>`,
    );
  }
  lines.forEach((l, i) => {
    const y = top + i * rowH + rowH / 2;
    out.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end">${e(metricName(l.metric).short)}</text>`);
    const { value, low, high } = l.difference;
    if (value !== null && low !== null && high !== null) {
      const cls = l.outcome === 'better' ? 'better' : l.outcome === 'worse' ? 'worse' : 'unclear';
      out.push(
        `<g class="${cls}"><line x1="${r1(x(low))}" x2="${r1(x(high))}" y1="${y}" y2="${y}" class="bar"/>`,
        `<line x1="${r1(x(low))}" x2="${r1(x(low))}" y1="${y - 6}" y2="${y + 6}" class="bar"/><line x1="${r1(x(high))}" x2="${r1(x(high))}" y1="${y - 6}" y2="${y + 6}" class="bar"/>`,
        `<circle cx="${r1(x(value))}" cy="${y}" r="5" class="dot"/></g>`,
      );
    }
    out.push(`<text x="${left + plot + 10}" y="${y + 4}" class="outcome">${e(l.words)}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}

/** Means with their intervals, one panel per verdict figure, one row per model; published figures as hollow diamonds. */
export function meansSvg(id: string, d: DatasetView): string {
  const left = 180;
  const panel = 200;
  const gap = 28;
  const rowH = 22;
  const top = 34;
  const models = d.models;
  const width = left + VERDICT_METRICS.length * (panel + gap);
  const height = top + models.length * rowH + 28;
  const desc = models
    .map(
      (m) =>
        `${m.name}: ${VERDICT_METRICS.map((metric) => `${metricName(metric).short} ${fmt(m.estimates[metric]?.value)} ${interval(m.estimates[metric]?.low, m.estimates[metric]?.high)}`).join(', ')}`,
    )
    .join('; ');
  const out = [svgOpen(id, width, height, `Means with 95 % intervals, ${d.name}`, desc)];
  models.forEach((m, i) => {
    const y = top + i * rowH + rowH / 2;
    out.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end">${e(m.name)}</text>`);
  });
  VERDICT_METRICS.forEach((metric, p) => {
    const x0 = left + p * (panel + gap);
    const x = (v: number) => x0 + v * panel;
    out.push(`<text x="${x0}" y="14" class="panel-title">${e(metricName(metric).short)}</text>`);
    for (const [t, anchor] of [
      [0, 'start'],
      [0.5, 'middle'],
      [1, 'end'],
    ] as const) {
      out.push(
        `<line x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${top - 6}" y2="${height - 24}" class="grid"/><text x="${r1(x(t))}" y="${height - 8}" text-anchor="${anchor}" class="tick">${t.toFixed(1)}</text>`,
      );
    }
    models.forEach((m, i) => {
      const y = top + i * rowH + rowH / 2;
      const est = m.estimates[metric];
      const colour = modelColour(m.model);
      if (est !== undefined && est.value !== null) {
        if (est.low !== null && est.high !== null)
          out.push(`<line x1="${r1(x(est.low))}" x2="${r1(x(est.high))}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="3"/>`);
        out.push(`<circle cx="${r1(x(est.value))}" cy="${y}" r="4.5" fill="${colour}" stroke="#000" stroke-width="0.8"/>`);
      }
      const published = m.published?.[metric as keyof NonNullable<ModelFigures['published']>];
      if (published !== undefined) {
        const px = r1(x(published));
        out.push(`<path d="M${px} ${y - 6}L${px + 6} ${y}L${px} ${y + 6}L${px - 6} ${y}Z" class="published"/>`);
      }
    });
  });
  out.push('</svg>');
  return out.join('');
}

/** Tukey box plots of one ROUGE type: a group per data set, a box per model, outliers as dots, the mean with its interval. */
export function boxPlotSvg(id: string, datasets: readonly DatasetView[], metric: string): string {
  const label = metricName(metric).short;
  const left = 44;
  const top = 30;
  const plotH = 220;
  const boxW = 26;
  const gap = 12;
  const groupGap = 34;
  const models = [...new Set(datasets.flatMap((d) => d.models.map((m) => m.model)))];
  const width = left + datasets.length * (models.length * (boxW + gap) + groupGap) + 10;
  const height = top + plotH + 44;
  const y = (v: number) => top + plotH - v * plotH;
  const desc: string[] = [];
  const out: string[] = [`<text x="${left}" y="14" class="panel-title">${e(label)} F per report</text>`];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<line x1="${left}" x2="${width - 6}" y1="${r1(y(t))}" y2="${r1(y(t))}" class="grid"/><text x="${left - 6}" y="${r1(y(t)) + 4}" class="tick" text-anchor="end">${t.toFixed(2)}</text>`,
    );
  }
  let x = left + 10;
  for (const d of datasets) {
    const start = x;
    for (const model of models) {
      const m = d.models.find((f) => f.model === model);
      const b = m?.boxes[metric];
      if (m !== undefined && b !== undefined && b.n > 0) {
        const cx = x + boxW / 2;
        const est = m.estimates[metric];
        const text = `${d.dataset} ${m.name}: n ${count(b.n)}, median ${fmt(b.median)}, quartiles ${fmt(b.q1)}–${fmt(b.q3)}, whiskers ${fmt(b.whiskerLow)}–${fmt(b.whiskerHigh)}, ${count(b.outlierCount)} outliers, mean ${fmt(est?.value)} ${interval(est?.low, est?.high)}`;
        desc.push(text);
        out.push(
          `<g class="box" data-dataset="${e(d.dataset)}" data-model="${e(model)}"><title>${e(text)}</title>`,
          `<line x1="${cx}" x2="${cx}" y1="${r1(y(b.whiskerHigh!))}" y2="${r1(y(b.q3!))}" class="whisker"/><line x1="${cx}" x2="${cx}" y1="${r1(y(b.q1!))}" y2="${r1(y(b.whiskerLow!))}" class="whisker"/>`,
          `<line x1="${x + 6}" x2="${x + boxW - 6}" y1="${r1(y(b.whiskerHigh!))}" y2="${r1(y(b.whiskerHigh!))}" class="whisker"/><line x1="${x + 6}" x2="${x + boxW - 6}" y1="${r1(y(b.whiskerLow!))}" y2="${r1(y(b.whiskerLow!))}" class="whisker"/>`,
          `<rect x="${x}" y="${r1(y(b.q3!))}" width="${boxW}" height="${r1(Math.max(1, y(b.q1!) - y(b.q3!)))}" fill="${modelColour(model)}" fill-opacity="0.55" stroke="#222"/>`,
          `<line x1="${x}" x2="${x + boxW}" y1="${r1(y(b.median!))}" y2="${r1(y(b.median!))}" stroke="#000" stroke-width="2.5"/>`,
        );
        // One dot per pixel row: thousands of outliers would otherwise draw the same dot many times.
        const drawn = new Set<number>();
        for (const o of b.outliers) {
          const py = Math.round(y(o.value));
          if (drawn.has(py)) continue;
          drawn.add(py);
          out.push(`<circle cx="${cx}" cy="${py}" r="2.2" class="outlier"/>`);
        }
        if (est !== undefined && est.value !== null) {
          if (est.low !== null && est.high !== null)
            out.push(`<line x1="${cx + 9}" x2="${cx + 9}" y1="${r1(y(est.high))}" y2="${r1(y(est.low))}" class="mean-ci"/>`);
          out.push(`<circle cx="${cx + 9}" cy="${r1(y(est.value))}" r="3" class="mean"/>`);
        }
        out.push('</g>');
      }
      x += boxW + gap;
    }
    out.push(`<text x="${r1((start + x - gap) / 2)}" y="${top + plotH + 22}" text-anchor="middle" class="group">${e(d.name)}</text>`);
    x += groupGap;
  }
  out.push('</svg>');
  return svgOpen(id, width, height, `${label} F per report: Tukey box plots by data set and model`, desc.join('; ')) + out.join('');
}

/** The verdict of one data set at a glance: trust, headline, the differences as a chart with their words, the warnings. */
function verdictCard(d: DatasetView, view: ReportView, index: number): string {
  const parts = [
    `<article class="card${d.trustworthy ? '' : ' untrusted'}" aria-labelledby="verdict-${index}">`,
    `<h3 id="verdict-${index}">${e(d.title)}</h3>`,
  ];
  if (!d.trustworthy) {
    parts.push(
      `<p class="banner" role="alert"><strong>⚠ Not trustworthy.</strong> Error rows exceed ${e(percent(view.maxErrorShare))} for at least one model: the figures leave those reports out.</p>`,
    );
  }
  parts.push(`<p class="headline">${e(d.headline)}</p>`);
  if (d.fineTunedVsPretrained.length > 0) {
    parts.push(forestSvg(`forest-${index}`, d.fineTunedVsPretrained, `Fine-tuned − pretrained with 95 % paired bootstrap intervals, ${d.name}`));
  }
  if (d.warnings.length > 0) {
    parts.push(`<ul class="warnings" aria-label="Warnings">${d.warnings.map((w) => `<li><strong>⚠ Warning:</strong> ${e(w)}</li>`).join('')}</ul>`);
  }
  if (d.published.length > 0) {
    parts.push(
      '<table class="published-figures"><caption>Ours against the published figures (mean F, no stemmer)</caption><thead><tr><th scope="col">model</th>',
      ...ROUGE_METRICS.map((m) => `<th scope="col">${e(m.label)}</th>`),
      '</tr></thead><tbody>',
      ...d.published.map(
        (p) =>
          `<tr><th scope="row" title="${e(p.words)}">${swatch(p.model)}${e(modelName(p.model))}</th>${p.cells.map((c) => `<td class="num">${fmt(c.ours.value)} <span class="ci">(published ${fmt(c.published)})</span></td>`).join('')}</tr>`,
      ),
      '</tbody></table>',
    );
  }
  parts.push(`<p><a href="#details-${index}">The figures behind this verdict</a></p>`, '</article>');
  return parts.join('\n');
}

/** The figures behind a verdict: the paired differences, the baseline checks and the error counts. */
function verdictDetails(d: DatasetView, view: ReportView, index: number): string {
  const parts = [`<h3 id="details-${index}">${e(d.title)}</h3>`];
  if (d.fineTunedVsPretrained.length > 0) {
    parts.push(
      '<h4>Fine-tuned − pretrained on the same reports</h4>',
      '<table class="paired"><thead><tr><th scope="col">figure</th><th scope="col">pairs</th><th scope="col">fine-tuned</th><th scope="col">pretrained</th><th scope="col">difference [95 % interval]</th><th scope="col">in words</th></tr></thead><tbody>',
      ...d.fineTunedVsPretrained.map(
        (p) =>
          `<tr class="${p.outcome === 'worse' ? 'worse' : ''}"><th scope="row">${e(metricName(p.metric).short)}</th><td class="num">${count(p.pairs)}</td><td class="num">${fmt(p.a)}</td><td class="num">${fmt(p.b)}</td><td class="num">${signed(p.difference.value)} <span class="ci">${interval(p.difference.low, p.difference.high)}</span></td><td>${e(p.words)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  if (d.baselineChecks.length > 0) {
    parts.push(
      '<h4>Each model against the best baseline</h4>',
      '<table class="baselines"><thead><tr><th scope="col">model</th><th scope="col">figure</th><th scope="col">mean [95 % interval]</th><th scope="col">best baseline</th><th scope="col">its mean</th><th scope="col">difference [95 % interval]</th><th scope="col">result</th></tr></thead><tbody>',
      ...d.baselineChecks.map(
        (c) =>
          `<tr class="${c.beats ? '' : 'worse'}"><th scope="row">${swatch(c.model)}${e(modelName(c.model))}</th><td>${e(metricName(c.metric).short)}</td>${estimateCell(c.mean)}<td>${e(c.baseline === undefined ? '-' : modelName(c.baseline))}</td>${estimateCell(c.baselineMean)}<td class="num">${signed(c.paired.difference.value)} <span class="ci">${interval(c.paired.difference.low, c.paired.difference.high)}</span></td><td>${c.beats ? 'beats it' : '<strong>⚠ does not beat it</strong>'}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  parts.push(
    `<h4>Errors (above ${e(percent(view.maxErrorShare))} of rows the verdict is not trustworthy)</h4>`,
    '<table class="errors"><thead><tr><th scope="col">model</th><th scope="col">rows</th><th scope="col">errors</th><th scope="col">share</th><th scope="col">trusted</th></tr></thead><tbody>',
    ...d.errors.map(
      (x) =>
        `<tr class="${x.trusted ? '' : 'worse'}"><th scope="row">${swatch(x.model)}${e(modelName(x.model))}</th><td class="num">${count(x.rows)}</td><td class="num">${count(x.errors)}</td><td class="num">${percent(x.share)}</td><td>${x.trusted ? 'yes' : '<strong>⚠ no</strong>'}</td></tr>`,
    ),
    '</tbody></table>',
  );
  return parts.join('\n');
}

function meansSection(d: DatasetView, index: number): string {
  const rows = d.models.flatMap((m) => {
    const own = `<tr><th scope="row">${swatch(m.model)}${e(m.name)}</th><td class="num">${count(m.rows)}</td><td class="num">${count(m.errors)}</td>${VERDICT_METRICS.map((metric) => estimateCell(m.estimates[metric])).join('')}</tr>`;
    if (m.published === undefined) return [own];
    return [
      own,
      `<tr class="published"><th scope="row">${e(m.name)} (published)</th><td></td><td></td>${ROUGE_METRICS.map((r) => `<td class="num">${fmt(m.published![r.metric])}</td>`).join('')}<td></td></tr>`,
    ];
  });
  return [
    `<h3>${e(d.title)}</h3>`,
    meansSvg(`means-${index}`, d),
    `<table class="means"><thead><tr><th scope="col">model</th><th scope="col">reports</th><th scope="col">errors</th>${VERDICT_METRICS.map((m) => `<th scope="col">${e(metricName(m).short)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`,
  ].join('\n');
}

function agreementSection(d: DatasetView): string {
  const labelled = d.models.filter((m) => m.labelled !== null);
  if (labelled.length === 0) return `<h3>${e(d.title)}</h3><p class="note">This run has no agreement figures (its rows were written before labelling).</p>`;
  const headline = `<table class="means agreement"><thead><tr><th scope="col">model</th><th scope="col">labelled</th>${AGREEMENT_METRICS.map((m) => `<th scope="col">${e(m.label)}</th>`).join('')}</tr></thead><tbody>${labelled
    .map(
      (m) =>
        `<tr><th scope="row">${swatch(m.model)}${e(m.name)}</th><td class="num">${count(m.labelled!)}</td>${AGREEMENT_METRICS.map((a) => estimateCell(m.estimates[a.metric])).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
  const models = Object.keys(d.observations[0]?.models ?? {});
  const head =
    `<tr><th scope="col" rowspan="2">observation</th>${models.map((m) => `<th scope="colgroup" colspan="7">${swatch(m)}${e(modelName(m))}</th>`).join('')}</tr>` +
    `<tr>${models.map(() => ['support', 'asserts', 'misses', 'adds', 'sensitivity', 'precision', 'F1'].map((h) => `<th scope="col">${h}</th>`).join('')).join('')}</tr>`;
  const body = d.observations
    .map(
      (o) =>
        `<tr><th scope="row">${e(o.observation)}</th>${models
          .map((m) => {
            const c = o.models[m];
            return `<td class="num">${count(c.support)}</td><td class="num">${count(c.asserts)}</td><td class="num${c.misses > 0 ? ' miss' : ''}">${count(c.misses)}</td><td class="num${c.adds > 0 ? ' add' : ''}">${count(c.adds)}</td><td class="num">${fmt(c.sensitivity, 3)}</td><td class="num">${fmt(c.precision, 3)}</td><td class="num">${fmt(c.f1, 3)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return [
    `<h3>${e(d.title)}</h3>`,
    headline,
    models.length === 0
      ? ''
      : `<h4>Per observation, worst first by the fine-tuned F1</h4><table class="observations"><thead>${head}</thead><tbody>${body}</tbody></table>`,
  ].join('\n');
}

function distributionTableHtml(datasets: readonly DatasetView[]): string {
  const rows = datasets.flatMap((d) =>
    d.models.flatMap((m) =>
      ROUGE_METRICS.map((r) => {
        const b = m.boxes[r.metric];
        return `<tr><td>${e(d.dataset)}</td><th scope="row">${e(m.name)}</th><td>${r.label}</td><td class="num">${count(b.n)}</td>${estimateCell(m.estimates[r.metric])}<td class="num">${fmt(b.q1)}</td><td class="num">${fmt(b.median)}</td><td class="num">${fmt(b.q3)}</td><td class="num">${fmt(b.whiskerLow)}–${fmt(b.whiskerHigh)}</td><td class="num">${count(b.outlierCount)}</td></tr>`;
      }),
    ),
  );
  return `<details><summary>The box plots' figures as a table</summary><table class="distribution"><thead><tr><th scope="col">data set</th><th scope="col">model</th><th scope="col">ROUGE</th><th scope="col">n</th><th scope="col">mean [95 % interval]</th><th scope="col">Q1</th><th scope="col">median</th><th scope="col">Q3</th><th scope="col">whiskers (1.5 IQR)</th><th scope="col">outliers</th></tr></thead><tbody>${rows.join('')}</tbody></table></details>`;
}

const CSS = `*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1a1a1a;background:#fff}
header,main{padding:0 24px;max-width:1680px;margin:0 auto}h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:2px solid #ddd}
h3{font-size:1.1em;margin:1.2em 0 .4em}h4{font-size:1em;margin:1em 0 .3em}.note,.settings{color:#444}.settings{background:#f5f5f5;border:1px solid #ddd;padding:8px 12px;border-radius:4px}
table{border-collapse:collapse;max-width:100%;margin:.3em 0 1em}td,th{border:1px solid #ccc;padding:3px 7px;vertical-align:top;text-align:left;overflow-wrap:break-word}thead th{background:#f0f0f0}
th[scope=row]{font-weight:500}.num{text-align:right;font-variant-numeric:tabular-nums}.ci{color:#555;white-space:nowrap;font-size:.92em}
tr.published th,tr.published td{color:#555;font-style:italic}tr.worse{background:#fff1e6}td.miss{background:#fde3d3}td.add{background:#dcebf7}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;border:1px solid #333;vertical-align:-.05em}
.published-figures{width:100%;table-layout:fixed}.published-figures caption{text-align:left;font-weight:600;padding:4px 0}.published-figures .ci{display:block;white-space:normal}.published-figures th:first-child{width:22%}.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,560px),1fr));gap:16px;margin:12px 0}
article.card{border:1px solid #bbb;border-radius:6px;padding:2px 16px 6px;min-width:0}article.untrusted{border:3px solid #b00020}
.banner{background:#fde8ea;border:1px solid #b00020;padding:8px 12px;color:#5c0010}.headline{font-size:1.05em}
ul.warnings{list-style:none;padding:0}ul.warnings li{border-left:6px solid #D55E00;background:#fff3e8;padding:6px 10px;margin:4px 0}
.card svg.chart{width:100%}
svg.chart{max-width:100%;height:auto;display:block;margin:.4em 0}svg.chart text{font-size:12px;fill:#1a1a1a}svg.chart .tick{font-size:11px;fill:#444}
svg.chart .panel-title,svg.chart .group,svg.chart .axis-title{font-weight:600}.grid{stroke:#e3e3e3}.zero{stroke:#333;stroke-dasharray:4 3}
.better .bar,.better .dot{stroke:#0072B2;fill:#0072B2;stroke-width:2.5}.worse .bar,.worse .dot{stroke:#D55E00;fill:#D55E00;stroke-width:2.5}.unclear .bar,.unclear .dot{stroke:#555;fill:#fff;stroke-width:2.5}
.published{fill:none;stroke:#000;stroke-width:1.5}.whisker{stroke:#222}.outlier{fill:#222;fill-opacity:.45}.mean{fill:#fff;stroke:#000}.mean-ci{stroke:#000;stroke-width:1.5}
.plots{display:flex;flex-wrap:wrap;gap:16px}.plots svg{flex:1 1 520px;max-width:660px}
#controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:.5em 0;padding:8px;background:#f5f5f5;border:1px solid #ddd}
#controls label{display:flex;flex-direction:column;font-size:.9em}#controls select,#controls input[type=search]{font:inherit;padding:2px 4px;max-width:22em}
#controls .check{flex-direction:row;align-items:center;gap:.3em}#pager{display:flex;gap:8px;align-items:center;margin:.4em 0}
button{font:inherit;padding:2px 10px}button.more{font-size:.85em;padding:0 6px;margin-top:2px}table#reports{table-layout:fixed;width:100%}#reports td,#reports th{font-size:.93em}
#reports col.c-study{width:10%}#reports col.c-findings{width:24%}#reports col.c-reference{width:18%}#reports col.c-answer{width:24%}
.clamp{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;white-space:pre-wrap}.open .clamp{display:block}
.text{white-space:pre-wrap}.scores{color:#333;font-size:.9em;margin:.3em 0 0;font-variant-numeric:tabular-nums}.labels{margin:.3em 0 0;font-size:.9em}
mark{padding:0 .2em;color:#000}mark.miss{background:#fbd0b5}mark.add{background:#c7e0f4}.agree{color:#2f6b2f}.error{color:#8a0015;font-weight:600}
.lost{color:#a33c00;font-weight:600}.sid{font-weight:600;display:block}.ds{display:block;color:#444}
:focus-visible{outline:3px solid #0072B2;outline-offset:2px}.sr{position:absolute;left:-9999px}`;

/**
 * The page script: sorts, filters, searches and pages the embedded studies; renders a page of rows
 * with textContent only. Studies are arrays (compact JSON): [dataset index, study id, findings,
 * reference, reference observations, answers], an answer per model (null when absent):
 * [generated, error, scores (4), misses, adds].
 */
const SCRIPT = `(function(){'use strict';
var data=JSON.parse(document.getElementById('report-data').textContent);
var S=data.studies,O=data.observations,M=data.models,L=data.metrics;
function $(id){return document.getElementById(id);}
var fDs=$('f-dataset'),fSort=$('f-sort'),fLab=$('f-labels'),fObs=$('f-observation'),fLost=$('f-lost'),fErr=$('f-errors'),fText=$('f-text'),fSize=$('f-size');
function opt(sel,v,t,group){var o=document.createElement('option');o.value=v;o.textContent=t;(group||sel).appendChild(o);}
data.datasets.forEach(function(d,i){opt(fDs,String(i),d);});
O.forEach(function(o,i){opt(fObs,String(i),o);});
var ft=M.indexOf('fine-tuned'),pt=M.indexOf('pretrained');
function grp(t){var g=document.createElement('optgroup');g.label=t;fSort.appendChild(g);return g;}
if(ft>=0&&pt>=0){var gd=grp('Fine-tuned − pretrained');L.forEach(function(l,k){opt(fSort,'d'+k,'Δ '+l+', most lost first',gd);});}
M.forEach(function(m,mi){var g=grp(data.modelNames[mi]);L.forEach(function(l,k){opt(fSort,'m'+mi+':'+k,data.modelNames[mi]+' '+l+', lowest first',g);});});
opt(fSort,'id','Study id');
fSort.value=(ft>=0&&pt>=0)?'d3':'m0:3';
var text=null;
function searchText(){if(text)return text;text=S.map(function(s){var t=s[1]+'\\n'+s[2]+'\\n'+s[3];s[5].forEach(function(a){if(a&&a[0])t+='\\n'+a[0];});return t.toLowerCase();});return text;}
function score(s,m,k){var a=s[5][m];return a&&a[2]?a[2][k]:null;}
function delta(s,k){var f=score(s,ft,k),p=score(s,pt,k);return f===null||p===null?null:f-p;}
function disagrees(a){return !!a&&a[1]===null&&(a[3].length>0||a[4].length>0);}
function sortKey(){var v=fSort.value;if(v==='id')return null;if(v[0]==='d'){var k=+v.slice(1);return function(s){return delta(s,k);};}
 var p=v.slice(1).split(':'),mi=+p[0],mk=+p[1];return function(s){return score(s,mi,mk);};}
var shown=[],page=0;
function apply(){
 var ds=fDs.value,lab=fLab.value,ob=fObs.value===''?-1:+fObs.value,lost=fLost.checked,err=fErr.checked,q=fText.value.trim().toLowerCase();
 var st=q?searchText():null,lk=fSort.value[0]==='d'?+fSort.value.slice(1):3;
 var out=[];
 for(var i=0;i<S.length;i++){var s=S[i];
  if(ds!==''&&s[0]!==+ds)continue;
  if(lab==='ft'&&!disagrees(s[5][ft]))continue;
  if(lab==='pt'&&!disagrees(s[5][pt]))continue;
  if(lab==='any'&&!s[5].some(disagrees))continue;
  if(lab==='none'&&s[5].some(disagrees))continue;
  if(ob>=0&&s[4].indexOf(ob)<0&&!s[5].some(function(a){return a&&(a[5].indexOf(ob)>=0);}))continue;
  if(lost){var d=delta(s,lk);if(d===null||d>=0)continue;}
  if(err&&!s[5].some(function(a){return a&&a[1]!==null;}))continue;
  if(q&&st[i].indexOf(q)<0)continue;
  out.push(s);}
 var key=sortKey();
 if(key===null)out.sort(function(a,b){return a[0]-b[0]||(a[1]<b[1]?-1:a[1]>b[1]?1:0);});
 else{var kv=new Map();out.forEach(function(s){kv.set(s,key(s));});
  out.sort(function(a,b){var x=kv.get(a),y=kv.get(b);if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;return x-y;});}
 shown=out;page=0;render();}
function el(tag,cls,txt){var n=document.createElement(tag);if(cls)n.className=cls;if(txt!==undefined)n.textContent=txt;return n;}
function f3(v){return v===null||v===undefined?'-':v.toFixed(3);}
function names(list){return list.map(function(i){return O[i];}).join(', ');}
function answerCell(a,refObs){var td=el('td','answer');
 if(!a){td.appendChild(el('p','note','(no row)'));return td;}
 if(a[1]!==null){td.appendChild(el('p','error','Error: '+a[1]));return td;}
 td.appendChild(el('div','text',a[0]));
 td.appendChild(el('p','scores',data.metricsShort.map(function(l,k){return l+' '+f3(a[2][k]);}).join(' · ')));
 var p=el('p','labels');
 if(a[3].length===0&&a[4].length===0)p.appendChild(el('span','agree','Labels agree with the reference'));
 if(a[3].length>0)p.appendChild(el('mark','miss','misses: '+names(a[3])));
 if(a[3].length>0&&a[4].length>0)p.appendChild(document.createTextNode(' '));
 if(a[4].length>0)p.appendChild(el('mark','add','adds: '+names(a[4])));
 td.appendChild(p);return td;}
function render(){
 var size=+fSize.value,pages=Math.max(1,Math.ceil(shown.length/size));if(page>=pages)page=pages-1;
 var body=$('report-rows'),frag=document.createDocumentFragment(),lk=fSort.value[0]==='d'?+fSort.value.slice(1):3;
 shown.slice(page*size,page*size+size).forEach(function(s){
  var tr=el('tr');var th=el('th','study');th.scope='row';
  th.appendChild(el('span','ds',data.datasets[s[0]]));th.appendChild(el('span','sid',s[1]));
  var d=ft>=0&&pt>=0?delta(s,lk):null;if(d!==null)th.appendChild(el('span',d<0?'lost':'','Δ '+L[lk]+' '+(d<0?'−':'+')+Math.abs(d).toFixed(3)));
  tr.appendChild(th);
  var fd=el('td','findings');var c=el('div','clamp',s[2]);fd.appendChild(c);var b=el('button','more','Show all');b.type='button';b.setAttribute('aria-expanded','false');fd.appendChild(b);tr.appendChild(fd);
  var rf=el('td','reference');rf.appendChild(el('div','text',s[3]));rf.appendChild(el('p','labels',s[4].length?'Present: '+names(s[4]):'No observation present'));tr.appendChild(rf);
  M.forEach(function(m,mi){tr.appendChild(answerCell(s[5][mi],s[4]));});
  frag.appendChild(tr);});
 body.textContent='';body.appendChild(frag);
 Array.prototype.forEach.call(body.querySelectorAll('td.findings'),function(td){var c=td.firstChild;if(c.scrollHeight<=c.clientHeight+1)td.lastChild.hidden=true;});
 $('status').textContent='Showing '+(shown.length?page*size+1:0)+'–'+Math.min(shown.length,page*size+size)+' of '+shown.length.toLocaleString('en-US')+' matching studies ('+S.length.toLocaleString('en-US')+' in the run), page '+(page+1)+' of '+pages+'.';
 $('prev').disabled=page===0;$('next').disabled=page>=pages-1;}
$('report-rows').addEventListener('click',function(ev){var b=ev.target;if(!(b instanceof HTMLButtonElement)||b.className!=='more')return;
 var td=b.parentNode,open=td.classList.toggle('open');b.textContent=open?'Show less':'Show all';b.setAttribute('aria-expanded',String(open));});
[fDs,fSort,fLab,fObs,fLost,fErr].forEach(function(x){x.addEventListener('change',apply);});
fSize.addEventListener('change',function(){page=0;render();});
fText.addEventListener('input',apply);
$('prev').addEventListener('click',function(){page--;render();});
$('next').addEventListener('click',function(){page++;render();});
apply();
})();`;

/** The embedded studies (see {@link SCRIPT} for the array layout). */
function studiesData(view: ReportView): unknown {
  const obsIndex = new Map<string, number>(OBSERVATIONS.map((o, i) => [o, i]));
  const idx = (list: readonly string[]) => list.map((o) => obsIndex.get(o)!);
  const models = [...VERDICT_MODELS].filter((m) => view.datasets.some((d) => d.studies.some((s) => s.answers[m] !== undefined)));
  return {
    datasets: view.datasets.map((d) => d.name),
    observations: OBSERVATIONS,
    models,
    modelNames: models.map(modelName),
    metrics: ROUGE_METRICS.map((m) => m.label),
    metricsShort: ROUGE_METRICS.map((m) => m.label.replace('ROUGE-', 'R-')),
    studies: view.datasets.flatMap((d, di) =>
      d.studies.map((s) => [
        di,
        s.studyId,
        s.findings,
        s.reference,
        idx(s.referencePresent),
        models.map((m) => {
          const a = s.answers[m];
          return a === undefined ? null : [a.generated, a.error, ROUGE_METRICS.map((r) => a.scores[r.metric]), idx(a.misses), idx(a.adds), idx(a.present)];
        }),
      ]),
    ),
  };
}

/** Builds the page. `generatedAt` is shown in the header. */
export function reportHtml(
  view: ReportView,
  options: { generatedAt: Date; /** Further sections (already escaped HTML), e.g. the radiologist review. */ extraSections?: string },
): string {
  const models = [...new Set(view.datasets.flatMap((d) => d.models.map((m) => m.model)))];
  const answerModels = [...VERDICT_MODELS].filter((m) => view.datasets.some((d) => d.studies.some((s) => s.answers[m] !== undefined)));
  const studies = view.datasets.reduce((n, d) => n + d.studies.length, 0);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Radiology impressions: run ${e(view.runId)}</title><style>${CSS}</style></head><body>
<header><h1>Radiology impressions: run ${e(view.runId)}</h1>
<p class="note">Generated ${e(options.generatedAt.toISOString())}. Contains patient report text: keep this file where the source data may be kept.</p></header>
<main>
<section id="verdict" aria-labelledby="verdict-h"><h2 id="verdict-h">Verdict</h2>
<div class="cards">${view.datasets.map((d, i) => verdictCard(d, view, i)).join('\n')}</div>
<p class="settings">${e(view.settings.text)}</p>
<p>${e(view.run.costText)} ${e(view.run.durationText)}</p>
</section>
<section id="details-section" aria-labelledby="details-h"><h2 id="details-h">The figures behind the verdict</h2>
<p class="note">Better or worse: the 95 % paired bootstrap interval of the difference lies wholly above or below 0; otherwise no clear difference. A model beats the best baseline (the one with the highest mean on that figure) when the interval of model − baseline lies wholly above 0.</p>
${view.datasets.map((d, i) => verdictDetails(d, view, i)).join('\n')}
</section>
<section id="means-section" aria-labelledby="means-h"><h2 id="means-h">Means with 95 % intervals</h2>
<p class="note">Dots: means; bars: 95 % bootstrap intervals; hollow diamonds: the published figures (mean F, no stemmer). Baselines are written without any model.</p>
${view.datasets.map((d, i) => meansSection(d, i)).join('\n')}
</section>
<section id="agreement-section" aria-labelledby="agreement-h"><h2 id="agreement-h">Clinical agreement</h2>
<p class="note">Generated and reference impressions labelled for the 14 CheXpert observations by a rule-based labeler (an approximation of the CheXpert labeler, not CheXbert); present = positive or uncertain. Micro-F1 over the 13 observations other than No Finding is the headline. Per observation: <em>asserts</em> both present, <em>misses</em> present in the reference only, <em>adds</em> present in the generated impression only; sensitivity = asserts ÷ support, precision = asserts ÷ (asserts + adds).</p>
${view.datasets.map((d) => agreementSection(d)).join('\n')}
</section>
<section id="distributions" aria-labelledby="dist-h"><h2 id="dist-h">Score distributions</h2>
<p class="legend">${models.map((m) => `<span>${swatch(m)}${e(modelName(m))}</span>`).join(' ')}</p>
<p class="note">Box: quartiles; thick bar: median; whiskers: the most extreme reports within 1.5 × IQR of the box; dots: reports beyond them; white dot and black bar beside each box: the mean with its 95 % interval.</p>
<div class="plots">${ROUGE_METRICS.map((m) => boxPlotSvg(`box-${m.column}`, view.datasets, m.metric)).join('')}</div>
${distributionTableHtml(view.datasets)}
</section>
<section id="reports-section" aria-labelledby="reports-h"><h2 id="reports-h">Reports side by side</h2>
<p class="note">One row per study: findings, the reference impression with the observations it has, and each model's impression with its ROUGE F scores and how its labels differ from the reference's (<mark class="miss">misses</mark>, <mark class="add">adds</mark>).</p>
<div id="controls" role="search">
<label>Data set<select id="f-dataset"><option value="">all</option></select></label>
<label>Sort<select id="f-sort"></select></label>
<label>Labels<select id="f-labels"><option value="">all studies</option><option value="any">any model disagrees with the reference</option><option value="ft">fine-tuned disagrees</option><option value="pt">pretrained disagrees</option><option value="none">all agree</option></select></label>
<label>Observation<select id="f-observation"><option value="">any</option></select></label>
<label class="check"><input id="f-lost" type="checkbox"> fine-tuned lost to pretrained</label>
<label class="check"><input id="f-errors" type="checkbox"> with an error</label>
<label>Search<input id="f-text" type="search" placeholder="study id or text"></label>
<label>Per page<select id="f-size"><option>25</option><option selected>50</option><option>100</option></select></label>
</div>
<div id="pager"><button id="prev" type="button">Previous</button><button id="next" type="button">Next</button><p id="status" role="status" aria-live="polite">Loading…</p></div>
<noscript><p class="note">The reports table needs JavaScript (inline, no network).</p></noscript>
<table id="reports"><caption class="sr">Reports side by side (${count(studies)} studies)</caption><colgroup><col class="c-study"><col class="c-findings"><col class="c-reference">${answerModels.map(() => '<col class="c-answer">').join('')}</colgroup>
<thead><tr><th scope="col">study</th><th scope="col">findings</th><th scope="col">reference impression</th>${answerModels.map((m) => `<th scope="col">${swatch(m)}${e(modelName(m))}</th>`).join('')}</tr></thead><tbody id="report-rows"></tbody></table>
</section>
${options.extraSections ?? ''}
<section id="models" aria-labelledby="models-h"><h2 id="models-h">Models</h2><ul>${models.map((m) => `<li>${swatch(m)}<strong>${e(modelName(m))}</strong>: ${e((MODEL_DESCRIPTIONS as Readonly<Record<string, string>>)[m] ?? m)}</li>`).join('')}</ul></section>
</main>
<script type="application/json" id="report-data">${jsonForScript(studiesData(view))}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
