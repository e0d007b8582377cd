/**
 * A deliberately plain reference of the MEDIQA 2021 Task 3 record rules (`make_mimic_data.py` with
 * `section_parser.py`, described in shared/notes/mimic-parsing.md), written without regular
 * expressions: character loops that follow the Python patterns step by step, so that a benchmark or
 * test can check `lib/core/mimic` against something other than itself (as naive-rouge.ts does for
 * ROUGE). Slow and simple on purpose. It shares only the section-name table with the port
 * (`normaliseSectionName`): header detection, section choice and every cleaning rule are its own.
 * Checked against the official records of data/mimic-sample and of the bullet-rule reports (test/lib/core/mimic/sample-corpus.test.ts).
 */
import { normaliseSectionName } from '../../lib/core/mimic/sections';
import type { EvalRecord } from '../../lib/core/eval-record';

/** Python's `\s` / `str.isspace()` set (notes, section 6), listed code point by code point. */
const PY_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
  0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

function isWs(ch: string | undefined): boolean {
  return ch !== undefined && ch.length === 1 && PY_WHITESPACE.has(ch.charCodeAt(0));
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** Characters allowed in a header name: `[A-Z ()/,-]`. */
function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'A' && ch <= 'Z') || ' ()/,-'.includes(ch));
}

function strip(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isWs(text[a])) a++;
  while (b > a && isWs(text[b - 1])) b--;
  return text.slice(a, b);
}

function removeNewlines(text: string): string {
  return text.split('\n').join('');
}

/** `re.sub(r'\s{2,}', ' ', t)`. */
function collapse(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!isWs(text[i])) {
      out += text[i];
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && isWs(text[j])) j++;
    out += j - i >= 2 ? ' ' : text[i];
    i = j;
  }
  return out;
}

interface Header {
  /** Index of the `\n` that starts the match. */
  readonly at: number;
  /** One past the whitespace character after the colon. */
  readonly end: number;
  readonly name: string;
}

/** Every match of `\n ([A-Z ()/,-]+):\s`, left to right, each search starting where the last match ended. */
function headers(text: string): Header[] {
  const found: Header[] = [];
  let p = 0;
  while (p < text.length) {
    if (text[p] === '\n' && text[p + 1] === ' ') {
      let q = p + 2;
      while (isNameChar(text[q])) q++;
      if (q > p + 2 && text[q] === ':' && isWs(text[q + 1])) {
        found.push({ at: p, end: q + 2, name: text.slice(p + 2, q) });
        p = q + 2;
        continue;
      }
    }
    p++;
  }
  return found;
}

function cleanImpressionPlain(raw: string): string {
  let t = removeNewlines(strip(raw));
  // re.sub(r'^[0-9]\.\s+', '', t)
  if (isDigit(t[0]) && t[1] === '.' && isWs(t[2])) {
    let k = 2;
    while (isWs(t[k])) k++;
    t = t.slice(k);
  }
  // re.sub(r'\s[0-9]\.\s+', ' ', t): one whitespace, a digit, a dot, then the whole whitespace run.
  let out = '';
  let i = 0;
  while (i < t.length) {
    if (isWs(t[i]) && isDigit(t[i + 1]) && t[i + 2] === '.' && isWs(t[i + 3])) {
      let k = i + 3;
      while (isWs(t[k])) k++;
      out += ' ';
      i = k;
    } else {
      out += t[i];
      i++;
    }
  }
  return collapse(out);
}

function cleanBackgroundPlain(raw: string): string {
  let t = strip(raw);
  if (t.startsWith('FINAL REPORT')) {
    t = t.slice('FINAL REPORT'.length);
    let a = 0;
    while (a < t.length && isWs(t[a])) a++;
    t = t.slice(a);
  }
  if (t.endsWith(':')) {
    const space = t.lastIndexOf(' ');
    t = space === -1 ? t.slice(0, t.length - 1) : t.slice(0, space);
    let b = t.length;
    while (b > 0 && isWs(t[b - 1])) b--;
    t = t.slice(0, b);
  }
  return removeNewlines(strip(collapse(t)));
}

/**
 * The record the official script writes for one decoded report, or undefined where it stops with a
 * ValueError (no findings or no impression section after removing blank ones).
 */
export function referenceRecord(text: string, studyId: string, subjectId: string): EvalRecord | undefined {
  const hs = headers(text);
  const sections: { name: string; start: number; body: string }[] = [];
  hs.forEach((h, i) => {
    const end = i + 1 < hs.length ? hs[i + 1].at : text.length;
    sections.push({ name: normaliseSectionName(h.name), start: h.end, body: text.slice(h.end, end) });
  });
  const kept = sections.filter((s) => !((s.name === 'findings' || s.name === 'impression') && strip(s.body) === ''));
  const findings = kept.find((s) => s.name === 'findings');
  const impression = kept.find((s) => s.name === 'impression');
  if (findings === undefined || impression === undefined) return undefined;
  return {
    study_id: studyId,
    subject_id: subjectId,
    findings: collapse(removeNewlines(strip(findings.body))),
    impression: cleanImpressionPlain(impression.body),
    background: cleanBackgroundPlain(text.slice(0, findings.start)),
  };
}
