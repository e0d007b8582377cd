/**
 * The labels of a prediction row (`generated_labels`, `reference_labels`) as stored in
 * `prediction_data/`: a string holding compact JSON, e.g. `{"cardiomegaly":1,"pleural_effusion":0}`.
 *
 * Why a string and not a Glue `struct<...>`: QuickSight's Athena data sets import scalar columns
 * only (a struct column has no input column type), while a string column reaches the dashboard
 * as-is and Athena reads each observation with
 * `json_extract_scalar(generated_labels, '$.pleural_effusion')`, which is null exactly when the
 * observation was not mentioned. The keys are the 14 CheXpert observations in snake case (no
 * spaces, safe as Athena identifiers and JSON paths), in CheXpert's order; an observation not
 * mentioned (label null) is left out to keep the text short enough to read in a table.
 */
import { OBSERVATIONS, type LabelValue, type Observation, type ReportLabels } from './observations';

/** Snake-case key of each observation, in CheXpert's order (`No Finding` → `no_finding`). */
export const OBSERVATION_KEYS: { readonly [O in Observation]: string } = Object.fromEntries(
  OBSERVATIONS.map((o) => [o, o.toLowerCase().replace(/ /g, '_')]),
) as { readonly [O in Observation]: string };

const BY_KEY = new Map<string, Observation>(OBSERVATIONS.map((o) => [OBSERVATION_KEYS[o], o]));

/** Compact JSON of `labels`: mentioned observations only (1, 0 or -1), snake-case keys, CheXpert order. */
export function encodeRowLabels(labels: ReportLabels): string {
  const out: Record<string, LabelValue> = {};
  for (const o of OBSERVATIONS) if (labels[o] !== null) out[OBSERVATION_KEYS[o]] = labels[o];
  return JSON.stringify(out);
}

/**
 * Reads labels written by {@link encodeRowLabels} back into all 14 observations (absent key: null).
 * `where` names the row in errors (file, line, field); the value itself is never quoted.
 * @throws Error when the text is not a JSON object of known keys with values 1, 0 or -1.
 */
export function decodeRowLabels(text: string, where: string): ReportLabels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${where}: not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where}: not a JSON object`);
  const labels = Object.fromEntries(OBSERVATIONS.map((o) => [o, null])) as ReportLabels;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const observation = BY_KEY.get(key);
    if (observation === undefined) throw new Error(`${where}: unknown observation key ${JSON.stringify(key)}`);
    if (value !== 1 && value !== 0 && value !== -1 && value !== null) throw new Error(`${where}: ${key} must be 1, 0, -1 or null`);
    labels[observation] = value;
  }
  return labels;
}
