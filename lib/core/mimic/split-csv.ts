/**
 * The MEDIQA 2021 Task 3 split file (`study_id,subject_id,split`), read the way Python's
 * `csv.DictReader` reads it in text mode: universal newlines, `"` quoting, blank lines skipped,
 * values kept exactly as written (no trimming, no number conversion).
 */

/** Split names a split file may use; `test` rows are accepted and counted but not prepared. */
export const SPLIT_NAMES = ['train', 'dev', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** One data row of the split file. */
export interface SplitRow {
  readonly studyId: string;
  readonly subjectId: string;
  readonly split: SplitName;
  /** 1-based physical line where the row starts, for messages. */
  readonly line: number;
}

/** The required columns. */
export const SPLIT_COLUMNS = ['study_id', 'subject_id', 'split'] as const;

/** A split file that cannot be used; the message names the file, the line and the field. */
export class SplitFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitFileError';
  }
}

interface CsvRow {
  readonly fields: string[];
  readonly line: number;
}

/** Splits CSV text into rows of fields (RFC 4180 quoting; `\r\n`, `\r` and `\n` end a row). */
function* csvRows(text: string, file: string): Generator<CsvRow> {
  if (text.indexOf('"') === -1) {
    // Fast path (the real split file): no quoting, so rows are lines and fields are comma-separated.
    const lines = text.split(/\r\n|\r|\n/);
    for (let i = 0; i < lines.length; i += 1) {
      if (lines[i] === '') continue;
      yield { fields: lines[i].split(','), line: i + 1 };
    }
    return;
  }
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const rowLine = line;
    const fields: string[] = [];
    let field = '';
    let endOfRow = false;
    while (!endOfRow) {
      if (i < n && text.charCodeAt(i) === 0x22 && field === '') {
        // Quoted field: runs to the closing quote; "" is a literal quote; newlines are kept (as \n).
        i += 1;
        for (;;) {
          if (i >= n) throw new SplitFileError(`${file} line ${rowLine}: a quoted field is not closed`);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            break;
          }
          if (c === '\r' || c === '\n') {
            line += 1;
            i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
            field += '\n';
            continue;
          }
          field += c;
          i += 1;
        }
      }
      // Unquoted part (or what follows a closing quote, which Python also appends).
      while (i < n) {
        const c = text[i];
        if (c === ',' || c === '\r' || c === '\n') break;
        field += c;
        i += 1;
      }
      fields.push(field);
      field = '';
      if (i >= n) {
        endOfRow = true;
      } else if (text[i] === ',') {
        i += 1;
        if (i >= n) fields.push('');
        if (i >= n) endOfRow = true;
      } else {
        i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line += 1;
        endOfRow = true;
      }
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line: DictReader skips it
    yield { fields, line: rowLine };
  }
}

/**
 * Parses and validates a split file. Checks: the header has exactly the columns `study_id`,
 * `subject_id`, `split` (any order; a byte-order mark is reported, since it would rename the first
 * column); every row has three fields; ids are non-empty; split is train, dev or test; a study id
 * appears once (the official script would give every copy the data of the last one).
 * @throws SplitFileError naming the file, the line and the field.
 */
export function parseSplitCsv(text: string, file: string): SplitRow[] {
  if (text.charCodeAt(0) === 0xfeff) {
    throw new SplitFileError(`${file} line 1: starts with a byte-order mark, which would rename column study_id; save the file without BOM`);
  }
  const rows = csvRows(text, file);
  const first = rows.next();
  if (first.done === true) throw new SplitFileError(`${file}: empty file; expected the header ${SPLIT_COLUMNS.join(',')}`);
  const header = first.value.fields;
  const sorted = [...header].sort().join(',');
  if (header.length !== SPLIT_COLUMNS.length || sorted !== [...SPLIT_COLUMNS].sort().join(',')) {
    throw new SplitFileError(`${file} line ${first.value.line}: expected the columns ${SPLIT_COLUMNS.join(',')}, got ${JSON.stringify(header.join(','))}`);
  }
  const column = (name: string): number => header.indexOf(name);
  const [iStudy, iSubject, iSplit] = [column('study_id'), column('subject_id'), column('split')];
  const result: SplitRow[] = [];
  const seen = new Map<string, number>();
  for (const { fields, line } of rows) {
    if (fields.length !== header.length) {
      throw new SplitFileError(`${file} line ${line}: expected ${header.length} fields (${header.join(',')}), got ${fields.length}`);
    }
    const studyId = fields[iStudy];
    const subjectId = fields[iSubject];
    const split = fields[iSplit];
    if (studyId === '') throw new SplitFileError(`${file} line ${line}: field study_id is empty`);
    if (subjectId === '') throw new SplitFileError(`${file} line ${line} (study_id ${studyId}): field subject_id is empty`);
    if (!(SPLIT_NAMES as readonly string[]).includes(split)) {
      throw new SplitFileError(`${file} line ${line} (study_id ${studyId}): field split is ${JSON.stringify(split)}; allowed: ${SPLIT_NAMES.join(', ')}`);
    }
    const earlier = seen.get(studyId);
    if (earlier !== undefined) {
      throw new SplitFileError(`${file} line ${line}: field study_id ${studyId} repeats line ${earlier}`);
    }
    seen.set(studyId, line);
    result.push({ studyId, subjectId, split: split as SplitName, line });
  }
  return result;
}
