/**
 * Builds the MEDIQA record of one MIMIC-CXR report: the first non-empty findings section, the first
 * non-empty impression section, and the background (everything up to the end of the findings header).
 */
import { cleanBackground, cleanFindings, cleanImpression } from './clean';
import { EvalRecord } from '../eval-record';
import { splitSections } from './sections';

/** Why a report yields no record; the official script stops with a ValueError on such a report. */
export type UnparsableReason = 'no findings section' | 'no impression section' | 'no findings or impression section';

/** The outcome for one report: a record, or the reason there is none. */
export type ReportOutcome = { readonly record: EvalRecord } | { readonly reason: UnparsableReason };

/** Parses one decoded report (`text` exactly as decoded, BOM and CR kept) into its record. */
export function recordFromReport(text: string, studyId: string, subjectId: string): ReportOutcome {
  const sections = splitSections(text);
  const findings = sections.find((s) => s.name === 'findings');
  const impression = sections.find((s) => s.name === 'impression');
  if (findings === undefined || impression === undefined) {
    const reason: UnparsableReason =
      findings === undefined ? (impression === undefined ? 'no findings or impression section' : 'no findings section') : 'no impression section';
    return { reason };
  }
  return {
    record: {
      study_id: studyId,
      subject_id: subjectId,
      findings: cleanFindings(findings.text),
      impression: cleanImpression(impression.text),
      background: cleanBackground(text.slice(0, findings.start)),
    },
  };
}

/** Zip entry name of a report: `files/p<first two characters of subject>/p<subject>/s<study>.txt`. */
export function reportEntryName(studyId: string, subjectId: string): string {
  // Python slices by code point; Array.from does the same for an id with astral characters.
  let plain = true;
  for (let i = 0; i < 4 && i < subjectId.length; i += 1) {
    const code = subjectId.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) plain = false;
  }
  const prefix = plain ? subjectId.slice(0, 2) : Array.from(subjectId).slice(0, 2).join('');
  return `files/p${prefix}/p${subjectId}/s${studyId}.txt`;
}
