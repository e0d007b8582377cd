/**
 * Validation of the labeler against the Open-i report labels (`openi_gld_std14.csv` of NegBio:
 * ChestX-ray14 findings and `normal`, derived from the MeSH terms NLM indexers gave each whole
 * Indiana report; presence only). Used by `npm run bench -- labels` and by a regression test.
 *
 * The two schemes share ten observations, some only approximately: MeSH "Infiltration" is the word
 * "infiltrate" (31 of 1,947 reports) while CheXpert's Lung Opacity is every opacity, scar and
 * airspace disease, so that pair caps any CheXpert-style labeler (see `ceilingMicroF1`).
 */
import { f1 } from './agreement';
import type { LabelValue, Observation, ReportLabels } from './observations';

/** Open-i columns (any of them 1 = present) for each CheXpert observation both schemes cover. */
export const OPEN_I_SHARED: readonly (readonly [Observation, readonly string[]])[] = [
  ['No Finding', ['normal']],
  ['Cardiomegaly', ['Cardiomegaly']],
  ['Lung Opacity', ['Infiltration']],
  ['Lung Lesion', ['Mass', 'Nodule']],
  ['Edema', ['Edema']],
  ['Consolidation', ['Consolidation']],
  ['Pneumonia', ['Pneumonia']],
  ['Atelectasis', ['Atelectasis']],
  ['Pneumothorax', ['Pneumothorax']],
  ['Pleural Effusion', ['Effusion']],
];

/** The observation whose Open-i counterpart is much narrower than CheXpert's definition. */
export const APPROXIMATE_OBSERVATION: Observation = 'Lung Opacity';

/** Open-i labels of one report: column name → 0 or 1. */
export type OpenILabels = Readonly<Record<string, 0 | 1>>;

/**
 * Parses `openi_gld_std14.csv`: a header `filename,<column>,...` then one row per report
 * (`CXR<study_id>`, 0/1 per column). Returns the labels keyed by the filename. Throws an error naming
 * `source`, the line and the column for anything else: a missing column this validation needs, a
 * short row, a value other than 0/1, a repeated filename.
 */
export function parseOpenILabels(csv: string, source: string): Map<string, OpenILabels> {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error(`${source}: empty file`);
  const header = lines[0].split(',').map((h) => h.trim());
  if (header[0] !== 'filename') throw new Error(`${source}: line 1: first column must be "filename", found "${header[0]}"`);
  for (const [, columns] of OPEN_I_SHARED) {
    for (const column of columns) {
      if (!header.includes(column)) throw new Error(`${source}: line 1: column "${column}" is missing`);
    }
  }
  const labels = new Map<string, OpenILabels>();
  lines.slice(1).forEach((line, index) => {
    const where = `${source}: line ${index + 2}`;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new Error(`${where}: ${cells.length} fields, expected ${header.length}`);
    const row: Record<string, 0 | 1> = {};
    for (let i = 1; i < header.length; i++) {
      if (cells[i] !== '0' && cells[i] !== '1') throw new Error(`${where}: column "${header[i]}": expected 0 or 1, found "${cells[i]}"`);
      row[header[i]] = cells[i] === '1' ? 1 : 0;
    }
    if (labels.has(cells[0])) throw new Error(`${where}: filename "${cells[0]}" repeated`);
    labels.set(cells[0], row);
  });
  return labels;
}

/** Counts of one shared observation. */
export interface OpenICounts {
  readonly observation: Observation;
  readonly columns: readonly string[];
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

/** The comparison of labeler output with Open-i over the shared observations. */
export interface OpenIValidation {
  readonly reports: number;
  readonly observations: readonly OpenICounts[];
  /** Micro-F1 pooling TP/FP/FN over the ten shared observations. */
  readonly microF1: number;
  /** The same without the approximate pair (Lung Opacity ~ Infiltration). */
  readonly microF1WithoutApproximate: number;
  /**
   * The micro-F1 over the ten if every other observation matched Open-i exactly and Lung Opacity
   * stayed as labelled: what the approximate pair alone allows.
   */
  readonly ceilingMicroF1: number;
}

/**
 * Compares labeler output with Open-i labels, one pair per report; `present` says which label values
 * count as present (positive or uncertain, or positive only).
 */
export function validateAgainstOpenI(
  pairs: readonly { readonly labels: ReportLabels; readonly gold: OpenILabels }[],
  present: (value: LabelValue) => boolean,
): OpenIValidation {
  const observations = OPEN_I_SHARED.map(([observation, columns]) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { labels, gold } of pairs) {
      const predicted = present(labels[observation]);
      const actual = columns.some((c) => gold[c] === 1);
      if (predicted && actual) tp += 1;
      else if (predicted) fp += 1;
      else if (actual) fn += 1;
    }
    return { observation, columns, truePositives: tp, falsePositives: fp, falseNegatives: fn };
  });
  const sum = (counts: readonly OpenICounts[], key: 'truePositives' | 'falsePositives' | 'falseNegatives'): number =>
    counts.reduce((total, c) => total + c[key], 0);
  const others = observations.filter((o) => o.observation !== APPROXIMATE_OBSERVATION);
  const approximate = observations.find((o) => o.observation === APPROXIMATE_OBSERVATION)!;
  const otherGoldPositives = sum(others, 'truePositives') + sum(others, 'falseNegatives');
  return {
    reports: pairs.length,
    observations,
    microF1: f1(sum(observations, 'truePositives'), sum(observations, 'falsePositives'), sum(observations, 'falseNegatives')),
    microF1WithoutApproximate: f1(sum(others, 'truePositives'), sum(others, 'falsePositives'), sum(others, 'falseNegatives')),
    ceilingMicroF1: f1(approximate.truePositives + otherGoldPositives, approximate.falsePositives, approximate.falseNegatives),
  };
}
