/**
 * The rule-based CheXpert-style labeler: report text in, 14 observation labels out. An
 * approximation of the CheXpert labeler (phrase lists + surface rules instead of NegBio's
 * dependency patterns), not CheXbert; no model is involved.
 */
import { classifyContext, explainMention, type MentionLabel, type MentionRule } from './classify';
import { findCues } from './cue-matcher';
import { OBSERVATIONS, type LabelValue, type ReportLabels } from './observations';
import { findMentions, type Mention } from './phrase-matcher';
import { tokenize } from './text';

/** A mention with the label the rules gave it. */
export interface LabelledMention extends Mention {
  readonly label: MentionLabel;
}

/** A mention with the label (null: not a mention after all) and the rule that decided it. */
export interface ExplainedMention extends Mention {
  readonly label: MentionLabel | null;
  readonly rule: MentionRule;
}

/**
 * Every phrase match of the report with its label and the deciding rule, in the order found (per
 * category, then text order), including descriptive phrases the rules leave out (label null). For
 * error analysis (`impressions label --explain`).
 */
export function explainMentions(text: string): ExplainedMention[] {
  const doc = tokenize(text);
  const ctx = classifyContext(doc.tokens, findCues(doc.tokens));
  return findMentions(doc).map((mention) => ({ ...mention, ...explainMention(ctx, mention) }));
}

/**
 * Every mention of the report with its label, in the order found (per category, then text order).
 * A descriptive phrase that says nothing about size ("the heart and lungs") is left out.
 */
export function labelMentions(text: string): LabelledMention[] {
  const labelled: LabelledMention[] = [];
  for (const { rule: _rule, label, ...mention } of explainMentions(text)) {
    if (label !== null) labelled.push({ ...mention, label });
  }
  return labelled;
}

/** CheXpert's order of precedence when one observation has several mentions: positive, uncertain, negative. */
function merge(current: LabelValue, next: MentionLabel): LabelValue {
  if (current === 1 || next === 1) return 1;
  if (current === -1 || next === -1) return -1;
  return 0;
}

const HEART_FAILURE_PHRASES = new Set(['heart failure', 'chf']);

/**
 * Aggregates labelled mentions into report labels (a mention labelled null, a phrase the rules left
 * out, counts as absent):
 * - per observation, positive beats uncertain beats negative; no mention is null;
 * - a positive or uncertain "heart failure"/"chf" mention (an Edema phrase) makes an unmentioned
 *   Cardiomegaly uncertain;
 * - "No Finding" is 1 when no observation other than Support Devices, and no other abnormality of
 *   upstream's no_finding list (emphysema, granuloma, ...), is positive or uncertain; else null.
 *   An empty report is therefore "No Finding" 1, as in CheXpert.
 */
export function aggregate(mentions: readonly (LabelledMention | ExplainedMention)[]): ReportLabels {
  const labels = Object.fromEntries(OBSERVATIONS.map((o) => [o, null])) as ReportLabels;
  let otherFinding = false;
  let heartFailure = false;
  for (const mention of mentions) {
    if (mention.label === null) continue;
    if (mention.category === 'Other Finding') {
      if (mention.label !== 0) otherFinding = true;
      continue;
    }
    labels[mention.category] = merge(labels[mention.category], mention.label);
    if (mention.category === 'Edema' && mention.label !== 0 && HEART_FAILURE_PHRASES.has(mention.phrase)) heartFailure = true;
  }
  if (heartFailure && labels.Cardiomegaly === null) labels.Cardiomegaly = -1;
  const abnormal = otherFinding || OBSERVATIONS.some((o) => o !== 'No Finding' && o !== 'Support Devices' && (labels[o] === 1 || labels[o] === -1));
  labels['No Finding'] = abnormal ? null : 1;
  return labels;
}

/**
 * Labels one report (or one impression) for the 14 CheXpert observations. It cannot tell current
 * findings from history, indication or comparison text; pass only the sections to be labelled.
 */
export function labelReport(text: string): ReportLabels {
  return aggregate(explainMentions(text));
}
