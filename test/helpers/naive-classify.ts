/**
 * The labeler's mention rules written as plain scans over the clause (the way they were first
 * written): every query walks the tokens and cues it concerns, so each mention costs time in
 * proportion to its clause and the report's cues. lib/core/labels/classify.ts answers the same
 * queries from per-report indexes in bounded time; test/lib/core/labels/classify-index.test.ts
 * holds the two to identical labels and rules on real and generated text.
 */
import type { CueMatch } from '../../lib/core/labels/cue-matcher';
import {
  type CueKind,
  AFTER_LIST_WINDOW,
  AFTER_WINDOW,
  ALTERNATIVE_WINDOW,
  ALTERNATIVE_WORDS,
  DESCRIPTIVE_PHRASES,
  FILLER_WORDS,
  LIST_WORDS,
  NEGATING_PREFIXES,
  NORMAL_BEFORE_WINDOW,
  SINGULAR_COPULAS,
  SIZE_WORD_STEMS,
  TERMINATORS,
  UNCERTAIN_PHRASES,
} from '../../lib/core/labels/cues';
import type { Mention } from '../../lib/core/labels/phrase-matcher';
import type { Token } from '../../lib/core/labels/text';

import type { MentionLabel, MentionRule } from '../../lib/core/labels/classify';

const TERMINATOR_SET = new Set(TERMINATORS);
const FILLER_SET = new Set(FILLER_WORDS);
const LIST_SET = new Set(LIST_WORDS);
const SINGULAR_SET = new Set(SINGULAR_COPULAS);
const ALTERNATIVE_SET = new Set(ALTERNATIVE_WORDS);
const DESCRIPTIVE_SET = new Set(DESCRIPTIVE_PHRASES);
const UNCERTAIN_PHRASE_SET = new Set(UNCERTAIN_PHRASES);
const NEGATING_PREFIX_SET = new Set(NEGATING_PREFIXES);

/** The tokens and cues of one report, with an index from token to the cue covering it. */
interface ClassifyContext {
  readonly tokens: readonly Token[];
  readonly cues: readonly CueMatch[];
  /** For each token, the index in `cues` of the cue covering it, or -1. */
  readonly cueAt: Int32Array;
}

/** Builds the context once per report. */
export function naiveClassifyContext(tokens: readonly Token[], cues: readonly CueMatch[]): ClassifyContext {
  const cueAt = new Int32Array(tokens.length).fill(-1);
  cues.forEach((cue, index) => cueAt.fill(index, cue.start, cue.end));
  return { tokens, cues, cueAt };
}

/** True when token `i` ends a clause: punctuation other than a comma or slash, or a terminator word outside a cue. */
function isBoundary(ctx: ClassifyContext, i: number): boolean {
  const token = ctx.tokens[i];
  if (token.kind === 'end' || token.kind === 'boundary') return true;
  return token.kind === 'word' && ctx.cueAt[i] < 0 && TERMINATOR_SET.has(token.text);
}

/** First token of the clause holding the mention (scan left to a boundary or the sentence start). */
function clauseStart(ctx: ClassifyContext, mention: Mention): number {
  let i = mention.tokenStart - 1;
  while (i >= 0 && ctx.tokens[i].sentence === mention.sentence && !isBoundary(ctx, i)) i -= 1;
  return i + 1;
}

/** One past the last token of the clause holding the mention. */
function clauseEnd(ctx: ClassifyContext, mention: Mention): number {
  let i = mention.tokenEnd;
  while (i < ctx.tokens.length && ctx.tokens[i].sentence === mention.sentence && !isBoundary(ctx, i)) i += 1;
  return i;
}

interface Gap {
  readonly counted: number;
  readonly crossesList: boolean;
  readonly singular: boolean;
}

/** Measures the tokens in [from, to): counted words, whether a list is crossed, a singular copula. */
function gap(ctx: ClassifyContext, from: number, to: number): Gap {
  let counted = 0;
  let crossesList = false;
  let singular = false;
  for (let i = from; i < to; i++) {
    const token = ctx.tokens[i];
    if (token.kind === 'comma' || token.kind === 'slash') {
      crossesList = true;
      continue;
    }
    if (LIST_SET.has(token.text)) crossesList = true;
    if (SINGULAR_SET.has(token.text)) singular = true;
    if (!FILLER_SET.has(token.text) && !LIST_SET.has(token.text)) counted += 1;
  }
  return { counted, crossesList, singular };
}

/**
 * True when an after-cue starting at `cueStart` reaches back to the mention: the cue is not
 * attributive to what follows it (a comma or "and" right before it), and the words between are
 * few, or a list with a plural or no copula ("heart, lungs and mediastinum are normal").
 */
function reachesBack(ctx: ClassifyContext, mention: Mention, cueStart: number): boolean {
  if (cueStart > mention.tokenEnd) {
    const before = ctx.tokens[cueStart - 1];
    if (before.kind === 'comma' || LIST_SET.has(before.text)) return false;
  }
  const between = gap(ctx, mention.tokenEnd, cueStart);
  if (between.crossesList) return !between.singular && between.counted <= AFTER_LIST_WINDOW;
  return between.counted <= AFTER_WINDOW;
}

interface Scope {
  readonly start: number;
  readonly end: number;
}

function has(cue: CueMatch, kind: CueKind): boolean {
  return cue.kinds.has(kind);
}

/** A cue of `kind` before the mention in its clause (forward scope to the end of the clause). */
function before(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind): boolean {
  return ctx.cues.some((cue) => has(cue, kind) && cue.start >= scope.start && cue.end <= mention.tokenStart);
}

/**
 * An uncertainty cue before the mention in its clause with no negation cue between them: a later
 * negation opens its own scope ("no definite consolidation, no effusion" negates the effusion).
 */
function uncertainBeforeNotNegated(ctx: ClassifyContext, mention: Mention, scope: Scope): boolean {
  return ctx.cues.some(
    (cue) =>
      has(cue, 'uncertainBefore') &&
      cue.start >= scope.start &&
      cue.end <= mention.tokenStart &&
      !ctx.cues.some((n) => has(n, 'negationBefore') && n.start >= cue.end && n.end <= mention.tokenStart),
  );
}

/** A cue of `kind` after the mention in its clause that reaches back to it. */
function after(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind): boolean {
  return ctx.cues.some((cue) => has(cue, kind) && cue.start >= mention.tokenEnd && cue.end <= scope.end && reachesBack(ctx, mention, cue.start));
}

/** A cue of `kind` shortly before the mention: at most `window` counted words between. */
function shortlyBefore(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind, window: number): boolean {
  return ctx.cues.some(
    (cue) => has(cue, kind) && cue.start >= scope.start && cue.end <= mention.tokenStart && gap(ctx, cue.end, mention.tokenStart).counted <= window,
  );
}

/** An alternative ("or", "versus") within a few tokens on either side, inside the clause. */
function nextToAlternative(ctx: ClassifyContext, mention: Mention, scope: Scope): boolean {
  const near = (i: number): boolean => ctx.tokens[i].kind === 'word' && ALTERNATIVE_SET.has(ctx.tokens[i].text);
  for (let i = mention.tokenEnd; i < Math.min(scope.end, mention.tokenEnd + ALTERNATIVE_WINDOW); i++) {
    if (near(i)) return true;
  }
  for (let i = mention.tokenStart - 1; i >= Math.max(scope.start, mention.tokenStart - ALTERNATIVE_WINDOW); i--) {
    if (near(i)) return true;
  }
  return false;
}

/** True when the mention's first word is negated by a prefix: "nonconsolidating", "non-calcified". */
function negatedByPrefix(ctx: ClassifyContext, mention: Mention): boolean {
  if (mention.wordPrefix !== '') return NEGATING_PREFIX_SET.has(mention.wordPrefix);
  if (mention.tokenStart === 0) return false;
  const previous = ctx.tokens[mention.tokenStart - 1];
  const joined = previous.end + 1 === ctx.tokens[mention.tokenStart].start;
  return joined && previous.kind === 'word' && NEGATING_PREFIX_SET.has(previous.text);
}

/** True when a word of the clause starts with one of SIZE_WORD_STEMS ("enlarged", "prominence"). */
function statesSize(ctx: ClassifyContext, scope: Scope): boolean {
  for (let i = scope.start; i < scope.end; i++) {
    const token = ctx.tokens[i];
    if (token.kind === 'word' && SIZE_WORD_STEMS.some((stem) => token.text.startsWith(stem))) return true;
  }
  return false;
}

/**
 * The label of one mention and the rule that decided it. Rules, first match wins:
 * 0. negative: a negating prefix on its first word ("nonconsolidating", "non-calcified");
 * 1. uncertain: an uncertainty cue before it in its clause ("cannot exclude", "no definite") or just
 *    after it ("is not excluded", "upper limits of normal", "borderline");
 * 2. negative: a negation before it in its clause ("no", "without", "free of") or an attributive
 *    normal cue just before it ("normal heart size");
 *    uncertain: borderline-size wording just before it ("upper limits of normal heart size");
 *    negative: a negation just after it ("is not seen", "has resolved", "are normal", across a list
 *    with a plural copula);
 * 3. uncertain: a hedge before it in its clause ("likely", "suspicious for") or just after it ("is
 *    suspected"), an alternative next to it ("X or Y"), or an uncertain phrase ("vascular congestion");
 * 4. not a mention (null): a descriptive cardiac or mediastinal phrase ("the heart", "contour")
 *    with no cue and no size word in its clause (SIZE_WORD_STEMS);
 * 5. positive.
 * It reads surface order only, not syntax: a scope runs to a terminator word or punctuation, so
 * "no effusion, large pneumothorax" negates both.
 */
export function naiveExplainMention(ctx: ClassifyContext, mention: Mention): { label: MentionLabel | null; rule: MentionRule } {
  const scope = { start: clauseStart(ctx, mention), end: clauseEnd(ctx, mention) };
  if (negatedByPrefix(ctx, mention)) return { label: 0, rule: 'negatingPrefix' };
  if (uncertainBeforeNotNegated(ctx, mention, scope)) return { label: -1, rule: 'uncertainBefore' };
  if (after(ctx, mention, scope, 'uncertainAfter')) return { label: -1, rule: 'uncertainAfter' };
  if (before(ctx, mention, scope, 'negationBefore')) return { label: 0, rule: 'negationBefore' };
  if (shortlyBefore(ctx, mention, scope, 'normalBefore', NORMAL_BEFORE_WINDOW)) return { label: 0, rule: 'normalBefore' };
  if (shortlyBefore(ctx, mention, scope, 'uncertainAttributive', NORMAL_BEFORE_WINDOW)) {
    return { label: -1, rule: 'uncertainAttributive' };
  }
  if (after(ctx, mention, scope, 'negationAfter')) return { label: 0, rule: 'negationAfter' };
  if (before(ctx, mention, scope, 'hedgeBefore')) return { label: -1, rule: 'hedgeBefore' };
  if (after(ctx, mention, scope, 'hedgeAfter')) return { label: -1, rule: 'hedgeAfter' };
  if (nextToAlternative(ctx, mention, scope)) return { label: -1, rule: 'alternative' };
  if (UNCERTAIN_PHRASE_SET.has(mention.phrase)) return { label: -1, rule: 'uncertainPhrase' };
  if (DESCRIPTIVE_SET.has(mention.phrase) && !statesSize(ctx, scope)) return { label: null, rule: 'descriptiveWithoutSize' };
  return { label: 1, rule: 'positive' };
}
