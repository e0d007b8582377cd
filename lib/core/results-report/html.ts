/**
 * A self-contained HTML page of a run's results for clinicians: inline CSS, inline script and SVG,
 * no network access. Box plots of each ROUGE score by dataset and model, the comparison of means,
 * the clinical agreement figures, and a filterable, paged table of every report (findings,
 * generated and reference impression with their labels, scores). The page holds report text by design: it is a local artefact, never uploaded or logged.
 * All text is escaped (HTML entities in markup, `<` escaped inside the embedded JSON).
 */
import { compareModels } from '../evaluation/aggregate';
import { AGREEMENT_METRICS, isAgreementMetric } from '../evaluation/agreement-summary';
import { decodeRowLabels, OBSERVATION_KEYS } from '../labels/row-labels';
import { OBSERVATIONS } from '../labels/observations';
import { ROUGE_METRICS } from '../evaluation/rows';
import type { PredictionRow, SummaryRow } from '../run/contracts';
import { PUBLISHED_MEANS } from './published';
import { fmt } from './tables';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 appears literally. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const COLORS = ['#4e79a7', '#f28e2b', '#76b7b2', '#e15759', '#59a14f', '#edc948', '#b07aa1', '#9c755f'];

/** One box plot (SVG) of a metric: a box per dataset × model (whiskers at min and max). */
export function boxPlotSvg(summary: readonly SummaryRow[], metric: string, label: string): string {
  const items = summary
    .filter((s) => s.metric === metric && s.p50 !== null)
    .sort((a, b) => (a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1));
  const models = [...new Set(items.map((s) => s.model))].sort(compareModels);
  const left = 40,
    top = 24,
    plotH = 200,
    boxW = 26,
    gap = 10,
    groupGap = 30;
  const datasets = [...new Set(items.map((s) => s.dataset))];
  const width = left + datasets.length * (models.length * (boxW + gap) + groupGap) + 20;
  const height = top + plotH + 50;
  const y = (v: number) => top + plotH - v * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="boxplot" role="img" aria-label="${escapeHtml(label)} by dataset and model" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  ];
  out.push(`<text x="${left}" y="14" class="title">${escapeHtml(label)} (F)</text>`);
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(t)}" y2="${y(t)}" class="grid"/><text x="${left - 6}" y="${y(t) + 4}" class="tick" text-anchor="end">${t.toFixed(2)}</text>`,
    );
  }
  let x = left + 10;
  for (const dataset of datasets) {
    const groupStart = x;
    for (const model of models) {
      const s = items.find((i) => i.dataset === dataset && i.model === model);
      if (s !== undefined) {
        const color = COLORS[models.indexOf(model) % COLORS.length];
        const cx = x + boxW / 2;
        const tip = `${dataset} ${model}: n=${s.count - s.errors}, mean ${fmt(s.mean)}, median ${fmt(s.p50)}, IQR ${fmt(s.p25)}–${fmt(s.p75)}, range ${fmt(s.min)}–${fmt(s.max)}`;
        out.push(
          `<g class="box" data-dataset="${escapeHtml(dataset)}" data-model="${escapeHtml(model)}"><title>${escapeHtml(tip)}</title>`,
          `<line x1="${cx}" x2="${cx}" y1="${y(s.max!)}" y2="${y(s.min!)}" stroke="#333"/>`,
          `<rect x="${x}" y="${y(s.p75!)}" width="${boxW}" height="${Math.max(1, y(s.p25!) - y(s.p75!))}" fill="${color}" fill-opacity="0.6" stroke="#333"/>`,
          `<line x1="${x}" x2="${x + boxW}" y1="${y(s.p50!)}" y2="${y(s.p50!)}" stroke="#000" stroke-width="2"/>`,
          s.mean === null ? '' : `<circle cx="${cx}" cy="${y(s.mean)}" r="3" fill="#fff" stroke="#000"/>`,
          '</g>',
        );
      }
      x += boxW + gap;
    }
    out.push(`<text x="${(groupStart + x - gap) / 2}" y="${top + plotH + 20}" text-anchor="middle" class="group">${escapeHtml(dataset)}</text>`);
    x += groupGap;
  }
  out.push('</svg>');
  return out.join('');
}

function legend(models: readonly string[]): string {
  return `<p class="legend">${models.map((m, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeHtml(m)}</span>`).join(' ')} · box: quartiles, bar: median, dot: mean, whiskers: min–max</p>`;
}

function meansTableHtml(all: readonly SummaryRow[]): string {
  // Agreement rows count labelled records, not rows: the ROUGE rows alone give reports and errors.
  const summary = all.filter((s) => !isAgreementMetric(s.metric));
  const keys = [...new Map(summary.map((s) => [`${s.dataset}\u0000${s.model}`, s])).values()].sort((a, b) =>
    a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1,
  );
  const cell = (d: string, m: string, metric: string) => fmt(summary.find((s) => s.dataset === d && s.model === m && s.metric === metric)?.mean);
  const rows = keys.flatMap((k) => {
    const published = PUBLISHED_MEANS[k.dataset]?.[k.model as 'pretrained' | 'fine-tuned'];
    const own = `<tr><td>${escapeHtml(k.dataset)}</td><td>${escapeHtml(k.model)}</td><td>${k.count}</td><td>${k.errors}</td>${ROUGE_METRICS.map((m) => `<td>${cell(k.dataset, k.model, m.metric)}</td>`).join('')}</tr>`;
    return published === undefined
      ? [own]
      : [
          own,
          `<tr class="published"><td>${escapeHtml(k.dataset)}</td><td>${escapeHtml(k.model)} (published)</td><td></td><td></td>${ROUGE_METRICS.map((m) => `<td>${fmt(published[m.metric])}</td>`).join('')}</tr>`,
        ];
  });
  return `<table class="means"><thead><tr><th>dataset</th><th>model</th><th>reports</th><th>errors</th>${ROUGE_METRICS.map((m) => `<th>${m.label}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function agreementTableHtml(summary: readonly SummaryRow[]): string {
  const rows = summary.filter((s) => isAgreementMetric(s.metric));
  if (rows.length === 0) return '<p class="note">This run has no agreement figures (its rows were written before labelling).</p>';
  const keys = [...new Map(rows.map((s) => [`${s.dataset}\u0000${s.model}`, s])).values()].sort((a, b) =>
    a.dataset === b.dataset ? compareModels(a.model, b.model) : a.dataset < b.dataset ? -1 : 1,
  );
  const cell = (d: string, m: string, metric: string) => {
    const s = rows.find((r) => r.dataset === d && r.model === m && r.metric === metric);
    return s === undefined || s.mean === null ? '<td>-</td>' : `<td>${fmt(s.mean)} <span class="ci">[${fmt(s.ci_low)}, ${fmt(s.ci_high)}]</span></td>`;
  };
  const body = keys.map(
    (k) =>
      `<tr><td>${escapeHtml(k.dataset)}</td><td>${escapeHtml(k.model)}</td><td>${k.count}</td><td>${k.errors}</td>${AGREEMENT_METRICS.map((m) => cell(k.dataset, k.model, m.metric)).join('')}</tr>`,
  );
  return `<table class="means agreement"><thead><tr><th>dataset</th><th>model</th><th>labelled</th><th>errors</th>${AGREEMENT_METRICS.map((m) => `<th>${m.label}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

const MARK = { 1: '+', 0: '−', [-1]: '?' } as const;

/**
 * Stored labels as short text for the reports table, e.g. `cardiomegaly +, edema ?, pneumothorax −`
 * (mentioned observations only); `-` when null, `(unreadable)` when malformed.
 */
export function labelsText(stored: string | null | undefined): string {
  if (stored === null || stored === undefined) return '-';
  let labels;
  try {
    labels = decodeRowLabels(stored, 'labels');
  } catch {
    return '(unreadable)';
  }
  const parts = OBSERVATIONS.flatMap((o) => (labels[o] === null ? [] : [`${OBSERVATION_KEYS[o]} ${MARK[labels[o]]}`]));
  return parts.length === 0 ? '(none mentioned)' : parts.join(', ');
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}th{background:#f3f3f3}
table.means td:nth-child(n+3){text-align:right}tr.published td{color:#666;font-style:italic}.ci{color:#666}
.plots{display:flex;flex-wrap:wrap;gap:12px}.boxplot text{font-size:11px}.boxplot .title{font-weight:600;font-size:12px}.grid{stroke:#e5e5e5}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;opacity:.7}
#filters{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:.5em 0}#reports td.text{max-width:28em;white-space:pre-wrap}
#reports td.labels{max-width:16em;font-size:12px}#reports td.num{text-align:right;font-variant-numeric:tabular-nums}#reports tr.error td{background:#fff4f4}.note{color:#555}`;

/** The page's script: filters and pages the embedded rows (text set with textContent, never innerHTML). */
const SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('report-data').textContent);
var rows=data.rows, page=0, size=50;
var ds=document.getElementById('f-dataset'), md=document.getElementById('f-model'), q=document.getElementById('f-text'), er=document.getElementById('f-errors');
function opt(sel,v){var o=document.createElement('option');o.value=v;o.textContent=v;sel.appendChild(o);}
data.datasets.forEach(function(v){opt(ds,v);});data.models.forEach(function(v){opt(md,v);});
function f4(v){return v===null||v===undefined?'-':v.toFixed(4);}
function matches(r){
 if(ds.value&&r.dataset!==ds.value)return false; if(md.value&&r.model!==md.value)return false;
 if(er.checked&&r.error===null)return false;
 var t=q.value.trim().toLowerCase(); if(!t)return true;
 return [r.study_id,r.findings,r.generated||'',r.reference].some(function(s){return s.toLowerCase().indexOf(t)>=0;});
}
function render(){
 var shown=rows.filter(matches), pages=Math.max(1,Math.ceil(shown.length/size)); if(page>=pages)page=pages-1;
 var body=document.getElementById('report-rows'); body.textContent='';
 shown.slice(page*size,page*size+size).forEach(function(r){
  var tr=document.createElement('tr'); if(r.error!==null)tr.className='error';
  [[r.dataset],[r.model],[r.study_id],[r.findings,'text'],[r.generated===null?'(error: '+r.error+')':r.generated,'text'],[r.reference,'text'],[r.generated_labels,'labels'],[r.reference_labels,'labels'],
   [f4(r.rouge1),'num'],[f4(r.rouge2),'num'],[f4(r.rougel),'num'],[f4(r.rougelsum),'num']].forEach(function(c){
   var td=document.createElement('td'); td.textContent=c[0]; if(c[1])td.className=c[1]; tr.appendChild(td);});
  body.appendChild(tr);});
 document.getElementById('status').textContent='Showing '+(shown.length?page*size+1:0)+'–'+Math.min(shown.length,page*size+size)+' of '+shown.length+' matching reports ('+rows.length+' in the run), page '+(page+1)+' of '+pages+'.';
 document.getElementById('prev').disabled=page===0; document.getElementById('next').disabled=page>=pages-1;
}
[ds,md,er].forEach(function(e){e.addEventListener('change',function(){page=0;render();});});
q.addEventListener('input',function(){page=0;render();});
document.getElementById('prev').addEventListener('click',function(){page--;render();});
document.getElementById('next').addEventListener('click',function(){page++;render();});
render();
})();`;

/** Builds the page. `generatedAt` is shown in the header. */
export function reportHtml(
  runId: string,
  summary: readonly SummaryRow[],
  rows: readonly PredictionRow[],
  options: { stemmer: boolean; generatedAt: Date; /** Further sections (already escaped HTML), e.g. the radiologist review. */ extraSections?: string },
): string {
  const models = [...new Set([...summary.map((s) => s.model), ...rows.map((r) => r.model)])].sort(compareModels);
  const datasets = [...new Set([...summary.map((s) => s.dataset), ...rows.map((r) => r.dataset)])].sort();
  const slim = rows.map((r) => ({
    dataset: r.dataset,
    model: r.model,
    study_id: r.study_id,
    findings: r.findings,
    generated: r.generated,
    reference: r.reference,
    generated_labels: labelsText(r.generated_labels),
    reference_labels: labelsText(r.reference_labels),
    rouge1: r.rouge1,
    rouge2: r.rouge2,
    rougel: r.rougel,
    rougelsum: r.rougelsum,
    error: r.error,
  }));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Radiology impressions: run ${escapeHtml(runId)}</title><style>${CSS}</style></head><body>
<h1>Radiology impressions: run ${escapeHtml(runId)}</h1>
<p class="note">ROUGE F measures of generated against reference impressions, ${options.stemmer ? 'with the Porter stemmer' : 'without stemming (as published)'}. Baselines are written without any model; a model that does not clearly beat them has not shown it helps. Contains patient report text: keep this file where the source data may be kept. Generated ${escapeHtml(options.generatedAt.toISOString())}.</p>
<h2>Mean scores</h2>${meansTableHtml(summary)}
<h2>Clinical agreement</h2>
<p class="note">Generated and reference impressions labelled for the 14 CheXpert observations by a rule-based labeler (an approximation of the CheXpert labeler, not CheXbert); present = positive or uncertain. Micro-F1 over the 13 observations other than No Finding is the headline; 95% bootstrap intervals over the labelled reports. In the reports table: + positive, − negative, ? uncertain; unmentioned observations are left out.</p>
${agreementTableHtml(summary)}
<h2>Score distributions</h2>${legend(models)}<div class="plots">${ROUGE_METRICS.map((m) => boxPlotSvg(summary, m.metric, m.label)).join('')}</div>
<h2>Reports</h2>
<div id="filters"><label>Dataset <select id="f-dataset"><option value="">all</option></select></label>
<label>Model <select id="f-model"><option value="">all</option></select></label>
<label>Search <input id="f-text" type="search" placeholder="study id or text"></label>
<label><input id="f-errors" type="checkbox"> errors only</label>
<button id="prev" type="button">Previous</button><button id="next" type="button">Next</button></div>
<p id="status">Loading…</p>
<table id="reports"><thead><tr><th>dataset</th><th>model</th><th>study</th><th>findings</th><th>generated impression</th><th>reference impression</th><th>generated labels</th><th>reference labels</th><th>R-1</th><th>R-2</th><th>R-L</th><th>R-Lsum</th></tr></thead><tbody id="report-rows"></tbody></table>
${options.extraSections ?? ''}
<script type="application/json" id="report-data">${jsonForScript({ datasets, models, rows: slim })}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
