/**
 * Finds CheXpert observation mentions in a tokenised report with precompiled matchers: one combined
 * regular expression of mention phrases and one of unmention phrases per observation, built once at
 * module load from `phrases/chexpert-phrases.json` (MIT, see phrases/README.md).
 */
import phraseData from './phrases/chexpert-phrases.json';
import type { TokenizedText } from './text';

/**
 * Where phrases are matched: the 13 CheXpert observations other than "No Finding", plus
 * "Other Finding" for upstream's `no_finding` list (other abnormalities that only block No Finding).
 */
export type MentionCategory =
  | 'Enlarged Cardiomediastinum'
  | 'Cardiomegaly'
  | 'Lung Opacity'
  | 'Lung Lesion'
  | 'Edema'
  | 'Consolidation'
  | 'Pneumonia'
  | 'Atelectasis'
  | 'Pneumothorax'
  | 'Pleural Effusion'
  | 'Pleural Other'
  | 'Fracture'
  | 'Support Devices'
  | 'Other Finding';

/** One mention: the phrase matched (as listed, `_` already a space) and its token span. */
export interface Mention {
  readonly category: MentionCategory;
  readonly phrase: string;
  /** First token of the mention. */
  readonly tokenStart: number;
  /** One past the last token of the mention. */
  readonly tokenEnd: number;
  readonly sentence: number;
}

interface CompiledCategory {
  readonly category: MentionCategory;
  readonly mention: RegExp;
  readonly unmention: RegExp | undefined;
  /** The listed mention phrases, `_` turned into a space. */
  readonly phrases: readonly string[];
}

/** Upstream reads each line as a regular expression with `_` standing for a space; every line is literal text. */
function phraseText(line: string): string {
  return line.replace(/_/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Longest first, so that an alternation prefers "nodular opacity" over a shorter overlapping phrase. */
function combined(phrases: readonly string[]): RegExp {
  const sorted = [...new Set(phrases)].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
}

/**
 * The unmentions upstream builds in code for Cardiomegaly and Enlarged Cardiomediastinum: a mention
 * phrase after "over the", "overly the" or "in the", optionally with "superior", "left" or "right"
 * ("opacity over the left heart border" is about the lung, "mass in the mediastinum" is not an
 * enlarged mediastinum). For Cardiomegaly "the " is taken out of the phrase and the two phrases that
 * name the disease itself are skipped.
 */
export function builtUnmentions(category: 'Cardiomegaly' | 'Enlarged Cardiomediastinum', mentions: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of mentions) {
    let phrase = phraseText(raw).trim();
    if (category === 'Cardiomegaly') {
      if (phrase === 'cardiomegaly' || phrase === 'cardiac enlargement') continue;
      phrase = phrase.replace('the ', '');
    }
    for (const prefix of ['over the', 'overly the', 'in the']) {
      for (const side of ['', ' superior', ' left', ' right']) out.push(`${prefix}${side} ${phrase}`);
    }
  }
  return out;
}

const NO_FINDING_LIST = 'No Finding';

/**
 * Unmentions added by this project (not upstream), each a wording where a mention stem sits inside a
 * word or phrase that names something else: healed granulomatous disease and "postinfectious"
 * change are old infection, not pneumonia; a lumpectomy is breast surgery, not a lung lump; soft
 * tissue edema is not pulmonary edema.
 */
export const PROJECT_UNMENTIONS: Readonly<Partial<Record<string, readonly string[]>>> = {
  Pneumonia: ['granulomatous infection', 'granulomatous infectious', 'postinfectious', 'post infectious'],
  'Lung Lesion': ['lumpectomy'],
  Edema: ['soft tissue edema'],
};

/**
 * Mentions added by this project to upstream's `no_finding` list (other abnormalities that block No
 * Finding): stems of upstream's own entries, so that other word forms match too ("hyperexpanded" for
 * "hyperexpansion", "elevated" for "elevation", "osteophytes" for "osteophytosis").
 */
export const PROJECT_MENTIONS: Readonly<Partial<Record<string, readonly string[]>>> = {
  'No Finding': ['hyperexpan', 'elevat', 'osteophyt'],
};

function compile(): readonly CompiledCategory[] {
  const mentionLists = phraseData.mention as Record<string, string[]>;
  const unmentionLists = phraseData.unmention as Record<string, string[]>;
  return Object.keys(mentionLists).map((name) => {
    const category = (name === NO_FINDING_LIST ? 'Other Finding' : name) as MentionCategory;
    const phrases = [...mentionLists[name], ...(PROJECT_MENTIONS[name] ?? [])].map(phraseText);
    const unmentions = [...(unmentionLists[name] ?? []), ...(PROJECT_UNMENTIONS[name] ?? [])].map(phraseText);
    if (category === 'Cardiomegaly' || category === 'Enlarged Cardiomediastinum') {
      unmentions.push(...builtUnmentions(category, mentionLists[name]));
    }
    return {
      category,
      mention: combined(phrases),
      unmention: unmentions.length > 0 ? combined(unmentions) : undefined,
      phrases,
    };
  });
}

const COMPILED = compile();

/** The phrases listed for a category (after `_` → space), for tests and documentation. */
export function phrasesOf(category: MentionCategory): readonly string[] {
  return COMPILED.find((c) => c.category === category)?.phrases ?? [];
}

/** Maps a character span to its token span; undefined when the span covers no token. */
function tokenSpan(doc: TokenizedText, start: number, end: number): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = start; i < end; i++) {
    const t = doc.tokenAt[i];
    if (t < 0) continue;
    if (first < 0) first = t;
    last = t;
  }
  return first < 0 ? undefined : [first, last + 1];
}

/** True when offset `i` of `text` is the first character of a word (not preceded by a letter or digit). */
function startsWord(text: string, i: number): boolean {
  return i === 0 || !/[a-z0-9]/.test(text[i - 1]);
}

/**
 * Every mention in the report, in text order per category. Phrases match anywhere inside words, as
 * upstream's stems do ("opaci" matches "opacities"); a mention overlapping an unmention of its own
 * category is dropped. Unlike upstream, an unmention must start a word: "uncalcified nodule" and
 * "within the heart" do not contain the unmentions "calcified nodul" and "in the heart". It cannot tell a current finding from history or indication text: pass only
 * the sections to be labelled.
 */
export function findMentions(doc: TokenizedText): Mention[] {
  const mentions: Mention[] = [];
  for (const compiled of COMPILED) {
    const blocked: [number, number][] = [];
    if (compiled.unmention !== undefined) {
      for (const m of doc.text.matchAll(compiled.unmention)) {
        if (startsWord(doc.text, m.index)) blocked.push([m.index, m.index + m[0].length]);
      }
    }
    for (const m of doc.text.matchAll(compiled.mention)) {
      const start = m.index;
      const end = start + m[0].length;
      if (blocked.some(([a, b]) => start < b && a < end)) continue;
      const span = tokenSpan(doc, start, end);
      if (span === undefined) continue;
      mentions.push({
        category: compiled.category,
        phrase: m[0].trim(),
        tokenStart: span[0],
        tokenEnd: span[1],
        sentence: doc.tokens[span[0]].sentence,
      });
    }
  }
  return mentions;
}
