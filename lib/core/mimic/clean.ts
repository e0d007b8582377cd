/**
 * Cleaning of the findings, impression and background text, as the MEDIQA 2021 Task 3 preparation
 * does it (shared/notes/mimic-parsing.md, "Cleaning"). Whitespace is Python's set throughout.
 * Newlines are deleted, not replaced: a line without its usual leading space is glued to the
 * previous word, exactly as in the official records.
 */
import { PY_WS_CLASS, collapseWhitespaceRuns, deleteNewlines, pyLStrip, pyRStrip, pyStrip } from './python-text';

/** Findings: strip, delete every `\n`, collapse runs of 2+ whitespace characters to one space. */
export function cleanFindings(raw: string): string {
  return collapseWhitespaceRuns(deleteNewlines(pyStrip(raw)));
}

const LEADING_NUMBER = new RegExp(`^[0-9]\\.[${PY_WS_CLASS}]+`);
const INNER_NUMBER = new RegExp(`[${PY_WS_CLASS}][0-9]\\.[${PY_WS_CLASS}]+`, 'g');

/**
 * Impression: strip and delete `\n` as for findings; delete a leading `<digit>.` and all the
 * whitespace after it (Python `re.sub(r'^[0-9]\.\s+', '', t)`); replace each `<ws><digit>.<ws run>`
 * with one space (`re.sub(r'\s[0-9]\.\s+', ' ', t)`: non-overlapping, left to right, and the run is
 * greedy, so the whitespace a match eats cannot start the next one: `COPD. 2.  4.  No` gives
 * `COPD. 4. No`); collapse runs. Numbers of two digits (`10.`) and `1)` stay.
 */
export function cleanImpression(raw: string): string {
  const text = deleteNewlines(pyStrip(raw)).replace(LEADING_NUMBER, '').replace(INNER_NUMBER, ' ');
  return collapseWhitespaceRuns(text);
}

const FINAL_REPORT = 'FINAL REPORT';

/**
 * Background from the raw report text before the end of the findings header match: strip; drop a
 * leading `FINAL REPORT` and left-strip; if it ends with `:`, cut at the last ASCII space (or drop
 * just the last character when there is none, as Python's `text[:-1]` does) and right-strip;
 * collapse whitespace runs; strip; delete `\n`. Collapsing before deleting newlines is the
 * original's order, so `x\n\ty` gives `x y` here but `x\ty` in findings.
 */
export function cleanBackground(rawBeforeFindings: string): string {
  let text = pyStrip(rawBeforeFindings);
  if (text.startsWith(FINAL_REPORT)) text = pyLStrip(text.slice(FINAL_REPORT.length));
  if (text.endsWith(':')) {
    const space = text.lastIndexOf(' ');
    text = pyRStrip(space === -1 ? text.slice(0, text.length - 1) : text.slice(0, space));
  }
  return deleteNewlines(pyStrip(collapseWhitespaceRuns(text)));
}
