/**
 * `impressions label`: labels the text of each JSONL record with the rule-based CheXpert-style
 * labeler and writes one `{"id", "labels"}` line per record, in input order.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { aggregate, explainMentions, type ExplainedMention } from '../../core/labels/labeler';
import { OBSERVATIONS, type ReportLabels } from '../../core/labels/observations';
import { CliError } from '../errors';
import { writeFileAtomic } from '../files';
import { decodeUtf8File } from '../utf8';

export { textAgreement, type AgreementReport, type TextPair } from '../../core/labels/agreement';
export { formatAgreementTable } from '../../core/labels/agreement-table';

/** Arguments of the label command. */
export interface LabelArgs {
  readonly input: string;
  /** Record field holding the text. @default 'text' */
  readonly field?: string;
  /** Output file; when absent the lines go to `stdout`. */
  readonly out?: string;
  /** Add every phrase match with its label and deciding rule to each line. */
  readonly explain?: boolean;
}

/** One output line. */
export interface LabelLine {
  readonly id: string | number;
  readonly labels: ReportLabels;
  /** Every phrase match with its label and rule (the labels above aggregate these). */
  readonly mentions: readonly ExplainedMention[];
}

/**
 * Reads and validates every record before labelling, so a bad line fails the whole run with
 * nothing written. Errors name the file, the line and the field, never the text. Blank lines are
 * skipped; the id is the record's `id`, else `study_id`, else the 1-based line number.
 */
export function labelJsonl(content: string, file: string, field: string): LabelLine[] {
  const out: LabelLine[] = [];
  const lines = content.split('\n');
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(raw);
    } catch {
      throw new CliError(`${file}: line ${lineNumber}: not valid JSON`);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new CliError(`${file}: line ${lineNumber}: expected a JSON object`);
    }
    const fields = record as Record<string, unknown>;
    const text = fields[field];
    if (text === undefined) throw new CliError(`${file}: line ${lineNumber}: field "${field}" is missing`);
    if (typeof text !== 'string') throw new CliError(`${file}: line ${lineNumber}: field "${field}" must be a string`);
    const id = fields.id ?? fields.study_id ?? lineNumber;
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new CliError(`${file}: line ${lineNumber}: field "${fields.id === undefined ? 'study_id' : 'id'}" must be a string or a number`);
    }
    const mentions = explainMentions(text);
    out.push({ id, labels: aggregate(mentions), mentions });
  });
  if (out.length === 0) throw new CliError(`${file}: no records (the file is empty)`);
  return out;
}

/**
 * One JSON line with the 14 observations in CheXpert's order; with `explain`, also `mentions`: each
 * phrase match as `{observation, phrase, sentence, label, rule}` ("Other Finding" for the abnormalities
 * that only block No Finding, label null for a phrase the rules left out).
 */
function formatLine(line: LabelLine, explain: boolean): string {
  const labels = Object.fromEntries(OBSERVATIONS.map((o) => [o, line.labels[o]]));
  if (!explain) return JSON.stringify({ id: line.id, labels });
  const mentions = line.mentions.map((m) => ({ observation: m.category, phrase: m.phrase, sentence: m.sentence + 1, label: m.label, rule: m.rule }));
  return JSON.stringify({ id: line.id, labels, mentions });
}

/**
 * The action of `label`: returns the number of records labelled. Output goes to `args.out` (atomic)
 * or to `stdout`. Input that is not UTF-8 is an error naming the byte offset (a leading BOM is skipped).
 */
export async function runLabel(args: LabelArgs, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const field = args.field ?? 'text';
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(args.input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`${args.input}: cannot read the input file (${code === 'ENOENT' ? 'not found' : (code ?? 'error')})`);
  }
  let content = decodeUtf8File(bytes, args.input);
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  const lines = labelJsonl(content, args.input, field);
  const text = `${lines.map((line) => formatLine(line, args.explain ?? false)).join('\n')}\n`;
  if (args.out === undefined) {
    stdout.write(text);
  } else {
    writeFileAtomic(args.out, text);
  }
  return lines.length;
}

/** Registers `label` on the program. */
export function register(program: Command): void {
  program
    .command('label')
    .description('label report or impression text for the 14 CheXpert observations with rules (1 positive, 0 negative, -1 uncertain, null not mentioned)')
    .requiredOption('--input <records.jsonl>', 'JSONL file, one record per line')
    .option('--field <name>', 'record field holding the text', 'text')
    .option('--out <labels.jsonl>', 'output file (default: stdout)')
    .option('--explain', 'add "mentions": every phrase match with its label and the rule that decided it', false)
    .action(async (options: { input: string; field: string; out?: string; explain: boolean }) => {
      const count = await runLabel(options);
      if (options.out !== undefined) process.stderr.write(`labelled ${count} records -> ${options.out}\n`);
    });
}
