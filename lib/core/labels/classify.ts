/**
 * Classifies one mention as positive, negative or uncertain with ordered surface rules over the
 * tokens of its sentence, in CheXpert's order: pre-negation uncertainty, negation, post-negation
 * uncertainty (hedges), otherwise positive. Cue wordings and windows live in cues.ts.
 */
import type { CueMatch } from './cue-matcher';
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
} from './cues';
import type { Mention } from './phrase-matcher';
import type { Token } from './text';

/** A mention's label: 1 positive, 0 negative, -1 uncertain. */
export type MentionLabel = 1 | 0 | -1;

const TERMINATOR_SET = new Set(TERMINATORS);
const FILLER_SET = new Set(FILLER_WORDS);
const LIST_SET = new Set(LIST_WORDS);
const SINGULAR_SET = new Set(SINGULAR_COPULAS);
const ALTERNATIVE_SET = new Set(ALTERNATIVE_WORDS);
const DESCRIPTIVE_SET = new Set(DESCRIPTIVE_PHRASES);
const UNCERTAIN_PHRASE_SET = new Set(UNCERTAIN_PHRASES);
const NEGATING_PREFIX_SET = new Set(NEGATING_PREFIXES);

/**
 * The tokens and cues of one report with what the rules ask of them, computed once per report so
 * that each mention costs a few binary searches and at most a bounded walk: clause limits per token,
 * per-kind cue lists (cues are non-overlapping and in text order, so their starts and ends both
 * ascend) and prefix counts of the words the windows count. Every rule reads the same facts as a
 * token-by-token scan of the mention's clause would, so labels do not depend on this layout; only
 * the time does (linear in the report's length instead of quadratic).
 */
export interface ClassifyContext {
  readonly tokens: readonly Token[];
  readonly cues: readonly CueMatch[];
  /** For each token, the index in `cues` of the cue covering it, or -1. */
  readonly cueAt: Int32Array;
  /** Per token: the first token of its clause when a mention starts there. */
  readonly clauseStartAt: Int32Array;
  /** Per token: the first clause boundary at or after it (tokens.length when none). */
  readonly nextBoundary: Int32Array;
  /** Per token: one past the last token of its sentence. */
  readonly sentenceEnd: Int32Array;
  /** Per cue kind: indices into `cues`, ascending. */
  readonly cuesOfKind: ReadonlyMap<CueKind, readonly number[]>;
  /** Prefix counts (length tokens + 1) of counted words, list crossings and singular copulas, as {@link gap} counts them. */
  readonly countedBefore: Int32Array;
  readonly listBefore: Int32Array;
  readonly singularBefore: Int32Array;
  /** Prefix count of word tokens starting with a size stem (SIZE_WORD_STEMS). */
  readonly sizeWordsBefore: Int32Array;
}

/** True when token `i` ends a clause: punctuation other than a comma or slash, or a terminator word outside a cue. */
function isBoundary(tokens: readonly Token[], cueAt: Int32Array, i: number): boolean {
  const token = tokens[i];
  if (token.kind === 'end' || token.kind === 'boundary') return true;
  return token.kind === 'word' && cueAt[i] < 0 && TERMINATOR_SET.has(token.text);
}

/** Builds the context once per report (linear in tokens and cues). */
export function classifyContext(tokens: readonly Token[], cues: readonly CueMatch[]): ClassifyContext {
  const n = tokens.length;
  const cueAt = new Int32Array(n).fill(-1);
  cues.forEach((cue, index) => cueAt.fill(index, cue.start, cue.end));
  const clauseStartAt = new Int32Array(n);
  const nextBoundary = new Int32Array(n);
  const sentenceEnd = new Int32Array(n);
  const countedBefore = new Int32Array(n + 1);
  const listBefore = new Int32Array(n + 1);
  const singularBefore = new Int32Array(n + 1);
  const sizeWordsBefore = new Int32Array(n + 1);
  // Left to right: the last boundary before each token, and where its sentence starts.
  let lastBoundary = -1;
  let sentenceStart = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && tokens[i].sentence !== tokens[i - 1].sentence) sentenceStart = i;
    // The scan left from a mention stops at a boundary or at a token of another sentence.
    clauseStartAt[i] = Math.max(lastBoundary, sentenceStart - 1) + 1;
    if (isBoundary(tokens, cueAt, i)) lastBoundary = i;
    const token = tokens[i];
    const separator = token.kind === 'comma' || token.kind === 'slash';
    const listWord = LIST_SET.has(token.text);
    countedBefore[i + 1] = countedBefore[i] + (!separator && !FILLER_SET.has(token.text) && !listWord ? 1 : 0);
    listBefore[i + 1] = listBefore[i] + (separator || listWord ? 1 : 0);
    singularBefore[i + 1] = singularBefore[i] + (!separator && SINGULAR_SET.has(token.text) ? 1 : 0);
    sizeWordsBefore[i + 1] = sizeWordsBefore[i] + (token.kind === 'word' && SIZE_WORD_STEMS.some((stem) => token.text.startsWith(stem)) ? 1 : 0);
  }
  // Right to left: the next boundary at or after each token, and where its sentence ends.
  let next = n;
  let end = n;
  for (let i = n - 1; i >= 0; i--) {
    if (i + 1 < n && tokens[i + 1].sentence !== tokens[i].sentence) end = i + 1;
    if (isBoundary(tokens, cueAt, i)) next = i;
    nextBoundary[i] = next;
    sentenceEnd[i] = end;
  }
  const cuesOfKind = new Map<CueKind, number[]>();
  cues.forEach((cue, index) => {
    for (const kind of cue.kinds) {
      let list = cuesOfKind.get(kind);
      if (list === undefined) cuesOfKind.set(kind, (list = []));
      list.push(index);
    }
  });
  return { tokens, cues, cueAt, clauseStartAt, nextBoundary, sentenceEnd, cuesOfKind, countedBefore, listBefore, singularBefore, sizeWordsBefore };
}

/** First token of the clause holding the mention (the scan left to a boundary or the sentence start). */
function clauseStart(ctx: ClassifyContext, mention: Mention): number {
  return ctx.clauseStartAt[mention.tokenStart];
}

/** One past the last token of the clause holding the mention. */
function clauseEnd(ctx: ClassifyContext, mention: Mention): number {
  const sentenceEnd = ctx.sentenceEnd[mention.tokenStart];
  if (sentenceEnd <= mention.tokenEnd) return mention.tokenEnd;
  const boundary = mention.tokenEnd < ctx.tokens.length ? ctx.nextBoundary[mention.tokenEnd] : ctx.tokens.length;
  return Math.min(boundary, sentenceEnd);
}

interface Gap {
  readonly counted: number;
  readonly crossesList: boolean;
  readonly singular: boolean;
}

/**
 * Measures the tokens in [from, to): counted words (not fillers, list words, commas or slashes),
 * whether a list is crossed (a comma, slash or list word), and whether a singular copula occurs.
 */
function gap(ctx: ClassifyContext, from: number, to: number): Gap {
  if (to <= from) return { counted: 0, crossesList: false, singular: false };
  return {
    counted: ctx.countedBefore[to] - ctx.countedBefore[from],
    crossesList: ctx.listBefore[to] - ctx.listBefore[from] > 0,
    singular: ctx.singularBefore[to] - ctx.singularBefore[from] > 0,
  };
}

/** The widest backward window; an after-cue farther away never reaches back. */
const WIDEST_AFTER_WINDOW = Math.max(AFTER_WINDOW, AFTER_LIST_WINDOW);

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

/** Position in `list` (cue indices of one kind) of the last cue ending at or before `token`, or -1. */
function lastEndingBy(ctx: ClassifyContext, list: readonly number[], token: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ctx.cues[list[mid]].end <= token) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Position in `list` of the first cue starting at or after `token` (list.length when none). */
function firstStartingFrom(ctx: ClassifyContext, list: readonly number[], token: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ctx.cues[list[mid]].start < token) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The last cue of `kind` that ends before the mention starts, or undefined. Cues do not overlap, so
 * it is also the one that starts last: any "cue before the mention in its clause" exists exactly
 * when this one starts inside the clause, and it is the nearest one.
 */
function lastCueBefore(ctx: ClassifyContext, mention: Mention, kind: CueKind): CueMatch | undefined {
  const list = ctx.cuesOfKind.get(kind);
  if (list === undefined) return undefined;
  const at = lastEndingBy(ctx, list, mention.tokenStart);
  return at < 0 ? undefined : ctx.cues[list[at]];
}

/** A cue of `kind` before the mention in its clause (forward scope to the end of the clause). */
function before(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind): boolean {
  const cue = lastCueBefore(ctx, mention, kind);
  return cue !== undefined && cue.start >= scope.start;
}

/**
 * An uncertainty cue before the mention in its clause with no negation cue between them: a later
 * negation opens its own scope ("no definite consolidation, no effusion" negates the effusion).
 * The nearest uncertainty cue decides: any earlier one has the same negations after it and more.
 */
function uncertainBeforeNotNegated(ctx: ClassifyContext, mention: Mention, scope: Scope): boolean {
  const cue = lastCueBefore(ctx, mention, 'uncertainBefore');
  if (cue === undefined || cue.start < scope.start) return false;
  const negation = lastCueBefore(ctx, mention, 'negationBefore');
  return negation === undefined || negation.start < cue.end;
}

/**
 * A cue of `kind` after the mention in its clause that reaches back to it. Cues are tried nearest
 * first; the counted words between only grow, so the walk stops past the widest window.
 */
function after(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind): boolean {
  const list = ctx.cuesOfKind.get(kind);
  if (list === undefined) return false;
  for (let at = firstStartingFrom(ctx, list, mention.tokenEnd); at < list.length; at++) {
    const cue = ctx.cues[list[at]];
    if (cue.end > scope.end) return false;
    if (reachesBack(ctx, mention, cue.start)) return true;
    if (gap(ctx, mention.tokenEnd, cue.start).counted > WIDEST_AFTER_WINDOW) return false;
  }
  return false;
}

/** A cue of `kind` shortly before the mention: at most `window` counted words between (the nearest cue has the fewest). */
function shortlyBefore(ctx: ClassifyContext, mention: Mention, scope: Scope, kind: CueKind, window: number): boolean {
  const cue = lastCueBefore(ctx, mention, kind);
  return cue !== undefined && cue.start >= scope.start && gap(ctx, cue.end, mention.tokenStart).counted <= window;
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
  return scope.end > scope.start && ctx.sizeWordsBefore[scope.end] - ctx.sizeWordsBefore[scope.start] > 0;
}

/**
 * The rule that decided a mention's label (for error analysis; no patient text): a cue list that
 * fired (every kind but the pseudo-negations, which only hide other cues), or a rule without a cue
 * list.
 */
export type MentionRule = Exclude<CueKind, 'pseudo'> | 'alternative' | 'uncertainPhrase' | 'negatingPrefix' | 'descriptiveWithoutSize' | 'positive';

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
export function explainMention(ctx: ClassifyContext, mention: Mention): { label: MentionLabel | null; rule: MentionRule } {
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
