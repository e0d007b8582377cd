/**
 * Finds CheXpert observation mentions in a tokenised report with precompiled matchers: one combined
 * regular expression of mention phrases and one of unmention phrases per observation, built once at
 * module load from `phrases/chexpert-phrases.json` (MIT, see phrases/README.md).
 */
import phraseData from './phrases/chexpert-phrases.json';
import { NEGATING_PREFIXES } from './cues';
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
  /**
   * The letters of the first word before the phrase when the phrase starts inside a word ("non"
   * for "consolidat" in "nonconsolidating"), else ''.
   */
  readonly wordPrefix: string;
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
 * tissue edema is not pulmonary edema; a vertebral endplate is not a surgical plate; "atelectatic"
 * is atelectasis (labelled as such), not the "ectatic" aorta of PROJECT_MENTIONS.
 */
export const PROJECT_UNMENTIONS: Readonly<Partial<Record<string, readonly string[]>>> = {
  Pneumonia: ['granulomatous infection', 'granulomatous infectious', 'postinfectious', 'post infectious'],
  'Lung Lesion': ['lumpectomy'],
  Edema: ['soft tissue edema'],
  'Support Devices': ['endplate', 'end plate'],
  'No Finding': ['atelectatic'],
};

/**
 * Mentions added by this project. Pneumothorax: "pleural air" ("pleural air collection", the
 * radiologist's other word for it). Upstream's `no_finding` list (other abnormalities that block No
 * Finding), each another wording of an entry upstream already lists:
 * - stems of upstream's entries, so that other word forms match ("hyperexpanded" for
 *   "hyperexpansion", "elevated" for "elevation", "osteophytes" for "osteophytosis");
 * - the opposite of "hyperinflation": low lung volumes, hypoinflation, hypoventilation;
 * - "aortic disease" as radiologists word it: a tortuous, ectatic or unfolded aorta (in chest reports
 *   these words describe the aorta or its branches; "atelectatic" is an unmention, see
 *   PROJECT_UNMENTIONS);
 * - "scoliosis" and "degenera" in other words: curvature of the spine, spondylosis.
 * Like every mention they are classified: "normal lung volumes" does not contain them and "no
 * curvature" negates.
 */
export const PROJECT_MENTIONS: Readonly<Partial<Record<string, readonly string[]>>> = {
  Pneumothorax: ['pleural air'],
  'No Finding': [
    'hyperexpan',
    'elevat',
    'osteophyt',
    'low lung volume',
    'low volume',
    'volumes are low',
    'decreased lung volume',
    'diminished lung volume',
    'hypoinflat',
    'hypoventilat',
    'underinflat',
    'tortu',
    'ectatic',
    'ectasia',
    'unfold',
    'curvature',
    'spondylo',
  ],
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

const HYPHENATED_NEGATING_PREFIX = new RegExp(`(?:^|[^a-z0-9])(?:${NEGATING_PREFIXES.join('|')})-$`);

/** True when an unmention at offset `i` may block mentions: it starts a word and is not "non-" prefixed ("non-calcified nodule"). */
function blocksMentions(text: string, i: number): boolean {
  return startsWord(text, i) && !HYPHENATED_NEGATING_PREFIX.test(text.slice(Math.max(0, i - 5), i));
}

/**
 * True when [start, end) overlaps one of `blocked`: spans of one regular expression's matches, so
 * they do not overlap and ascend in both start and end. Only the first span ending after `start`
 * can overlap without an earlier one doing so (binary search instead of a scan of every span).
 */
function overlapsBlocked(blocked: readonly (readonly [number, number])[], start: number, end: number): boolean {
  let lo = 0;
  let hi = blocked.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (blocked[mid][1] <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < blocked.length && blocked[lo][0] < end;
}

/**
 * Every mention in the report, in text order per category. Phrases match anywhere inside words, as
 * upstream's stems do ("opaci" matches "opacities"); a mention overlapping an unmention of its own
 * category is dropped. Unlike upstream, an unmention must start a word and carry no negating
 * prefix: "uncalcified nodule", "non-calcified nodule" and "within the heart" do not contain the
 * unmentions "calcified nodul" and "in the heart". It cannot tell a current finding from history or indication text: pass only
 * the sections to be labelled.
 */
export function findMentions(doc: TokenizedText): Mention[] {
  const mentions: Mention[] = [];
  for (const compiled of COMPILED) {
    const blocked: [number, number][] = [];
    if (compiled.unmention !== undefined) {
      for (const m of doc.text.matchAll(compiled.unmention)) {
        if (blocksMentions(doc.text, m.index)) blocked.push([m.index, m.index + m[0].length]);
      }
    }
    for (const m of doc.text.matchAll(compiled.mention)) {
      const start = m.index;
      const end = start + m[0].length;
      if (overlapsBlocked(blocked, start, end)) continue;
      const span = tokenSpan(doc, start, end);
      if (span === undefined) continue;
      const first = doc.tokens[span[0]];
      mentions.push({
        category: compiled.category,
        phrase: m[0].trim(),
        tokenStart: span[0],
        tokenEnd: span[1],
        sentence: first.sentence,
        wordPrefix: doc.text.slice(first.start, Math.max(first.start, start)),
      });
    }
  }
  return mentions;
}
