/**
 * Section splitting of MIMIC-CXR free-text reports, ported from the MIMIC-CXR `section_parser.py`
 * used by the MEDIQA 2021 Task 3 preparation (rules in shared/notes/mimic-parsing.md).
 *
 * A header is `\n` + one space + a name of ASCII capitals, space, `()/,-` + `:` + one Python
 * whitespace character (consumed). A section's text runs from the end of its header to the `\n`
 * that starts the next header, or to the end of the report. Indexes are UTF-16 offsets into the
 * very string given; never mix them with byte offsets.
 */
import { PY_WS_CLASS, isPyBlank, pyStrip } from './python-text';

/** One section of a report. */
export interface ReportSection {
  /** Normalised name (`preamble`, `findings`, `impression`, `history`, …; `full report` when there is no header). */
  readonly name: string;
  /** Raw text of the section, header excluded. */
  readonly text: string;
  /** Offset in the report where `text` starts (for a header section: the end of its header match). */
  readonly start: number;
}

/** The header pattern; the `g` flag makes the search non-overlapping, left to right. */
const HEADER = new RegExp(`\\n ([A-Z ()/,-]+):[${PY_WS_CLASS}]`, 'g');

/** Names looked up verbatim after lower-casing (synonyms and misspellings seen in MIMIC-CXR). */
const NAME_TABLE: ReadonlyMap<string, string> = buildNameTable({
  preamble: ['preamble'],
  impression: [
    'impression',
    'conclusion',
    'findings and impression',
    'findings/impression',
    'findings/ impression',
    // The original table maps this truncated "indication" to impression; kept for identical records.
    'ndication',
    'impresson',
    'imprression',
    'imoression',
    'impressoin',
    'imprssion',
    'impresion',
    'imperssion',
    'mpression',
    'impession',
  ],
  findings: ['findings', 'chest, two views', 'finding', 'findins', 'findindgs', 'findgings', 'findngs', 'findnings', 'finidngs', 'reference findings'],
  comparison: ['comparison', 'comparisons', 'reference exam', 'comparison exam', 'comparison film', 'comparision', 'comparsion', 'comparrison', 'comparisions'],
  indication: ['indication', 'reason for examination', 'reason for exam', 'clinical indication', 'idication'],
  examination: ['examination', 'exam', 'type of examination'],
  technique: ['technique'],
  history: ['history', 'clinical history', 'clinical information', 'patient history', 'pfi'],
  notification: ['notification'],
  recommendations: ['recommendation(s)', 'recommendations', 'recommendation'],
  addendum: ['addendum'],
  date: ['date'],
  comment: ['comment'],
  'wet read': ['wet read', 'wetread'],
});

function buildNameTable(groups: Record<string, readonly string[]>): Map<string, string> {
  const table = new Map<string, string>();
  for (const [target, names] of Object.entries(groups)) for (const name of names) table.set(name, target);
  return table;
}

/** Words that, as a substring of an unlisted name, give the section that name (first match wins). */
const MAIN_WORDS = ['impression', 'findings', 'history', 'comparison', 'addendum'] as const;

/** View descriptions that, as a substring of an unlisted name, make it a findings section. */
const FINDINGS_LIKE = [
  'chest',
  'portable',
  'pa and lateral',
  'lateral and pa',
  'ap and lateral',
  'lateral and ap',
  'frontal and',
  'two views',
  'frontal view',
  'pa view',
  'ap view',
  'one view',
  'lateral view',
  'bone window',
  'frontal upright',
  'frontal semi-upright',
  'ribs',
  'pa and lat',
] as const;

/**
 * Normalises a captured header name: lower-case and strip; then the table; then a contained main
 * word; then a contained view description (→ `findings`); else the lower-cased, stripped name.
 */
export function normaliseSectionName(rawName: string): string {
  const name = pyStrip(rawName.toLowerCase());
  const listed = NAME_TABLE.get(name);
  if (listed !== undefined) return listed;
  for (const word of MAIN_WORDS) if (name.includes(word)) return word;
  for (const view of FINDINGS_LIKE) if (name.includes(view)) return 'findings';
  return name;
}

/** One header match: where it starts (the `\n`), where it ends, and the captured name. */
export interface HeaderMatch {
  readonly index: number;
  readonly end: number;
  readonly rawName: string;
}

/** Every header of a report, left to right, as the original's search loop finds them. */
export function findHeaders(text: string): HeaderMatch[] {
  const headers: HeaderMatch[] = [];
  HEADER.lastIndex = 0;
  for (let m = HEADER.exec(text); m !== null; m = HEADER.exec(text)) {
    // The original restarts its search at the first "\n" at or after the match end; a header
    // always begins with "\n", so searching on from the match end (what exec does) is the same.
    headers.push({ index: m.index, end: HEADER.lastIndex, rawName: m[1] });
  }
  return headers;
}

/** Paragraph separator of the MIMIC-CXR format (a line holding a single space). */
const PARAGRAPH_BREAK = '\n \n';

/**
 * Splits a report into sections with normalised names, then, like the original:
 * - removes `findings` and `impression` sections whose text is blank (Python whitespace);
 * - when neither a `findings` nor an `impression` section is left and the last section contains a
 *   paragraph break, splits that section at its first break and appends the rest as
 *   `last_paragraph` (its `start` reproduces the original offset, which omits the break's length).
 *
 * The preamble (text before the first header) is `text.slice(0, firstHeader.index + 2)`, i.e. it
 * keeps the header's `\n ` as the original does; it is named `preamble`.
 */
export function splitSections(text: string): ReportSection[] {
  const headers = findHeaders(text);
  const sections: ReportSection[] = [];
  if (headers.length === 0) {
    sections.push({ name: 'full report', text, start: 0 });
  } else {
    sections.push({ name: 'preamble', text: text.slice(0, headers[0].index + 2), start: 0 });
    for (let i = 0; i < headers.length; i += 1) {
      const end = i + 1 < headers.length ? headers[i + 1].index : text.length;
      sections.push({ name: normaliseSectionName(headers[i].rawName), text: text.slice(headers[i].end, end), start: headers[i].end });
    }
  }
  const kept = sections.filter((s) => !((s.name === 'findings' || s.name === 'impression') && isPyBlank(s.text)));
  if (!kept.some((s) => s.name === 'findings' || s.name === 'impression')) {
    const last = kept[kept.length - 1];
    const cut = last.text.indexOf(PARAGRAPH_BREAK);
    if (cut !== -1) {
      const head = last.text.slice(0, cut);
      kept[kept.length - 1] = { ...last, text: head };
      kept.push({ name: 'last_paragraph', text: last.text.slice(cut + PARAGRAPH_BREAK.length), start: last.start + head.length });
    }
  }
  return kept;
}
