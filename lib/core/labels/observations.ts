/**
 * The 14 CheXpert observations and the label values of the rule-based labeler.
 */

/** The 14 observation names, exactly as CheXpert spells them, in CheXpert's column order. */
export const OBSERVATIONS = [
  'No Finding',
  'Enlarged Cardiomediastinum',
  'Cardiomegaly',
  'Lung Opacity',
  'Lung Lesion',
  'Edema',
  'Consolidation',
  'Pneumonia',
  'Atelectasis',
  'Pneumothorax',
  'Pleural Effusion',
  'Pleural Other',
  'Fracture',
  'Support Devices',
] as const;

/** One of the 14 CheXpert observation names. */
export type Observation = (typeof OBSERVATIONS)[number];

/**
 * A label: 1 positive, 0 negative, -1 uncertain, null not mentioned. "No Finding" is only ever 1 or
 * null (CheXpert never negates it).
 */
export type LabelValue = 1 | 0 | -1 | null;

/** The labels of one report, one entry per observation. */
export type ReportLabels = Record<Observation, LabelValue>;

/** True when `name` is one of the 14 observation names (case-sensitive). */
export function isObservation(name: string): name is Observation {
  return (OBSERVATIONS as readonly string[]).includes(name);
}
