/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum of one prediction against one reference, bit-exact with Google's
 * `rouge-score` 0.1.2 called as `scorer.score(reference, prediction)` (what HF `evaluate` does).
 * Precision is measured against the prediction and recall against the reference. Single reference
 * only: `evaluate`'s multi-reference "best F per type" is not implemented here.
 */
import { TokenBuffer, TokenInterner } from './interner';
import { LcsScratch, lcsLength, markLcsPositions } from './lcs';
import { DEFAULT_ROUGE_TYPES, isRougeType, ratioScore, ZERO_SCORE } from './score-types';
import type { DefaultRougeType, RougeScores, RougeType, Score } from './score-types';

/** Options of {@link RougeScorer} and {@link scoreRouge}. */
export interface RougeOptions<T extends RougeType = DefaultRougeType> {
  /** Stem words longer than three characters with nltk's Porter variant. @default false */
  readonly stemmer?: boolean;
  /** Types to compute, in the order the result lists them. @default rouge1, rouge2, rougeL, rougeLsum */
  readonly types?: readonly T[];
}

/** Vocabulary size past which the interner is reset between pairs (bounds memory of a long run). */
const MAX_VOCABULARY = 1 << 20;
/** Bigram keys are a·2^26 + b, exact in a double while ids stay below 2^26. */
const BIGRAM_ID_LIMIT = 1 << 26;

/**
 * A reusable scorer: tokenizes into interned integer ids (each distinct word stemmed once) and keeps
 * typed-array scratch space between calls, so scoring many pairs allocates little. `score` is
 * synchronous, so one instance can serve a whole process (not shared across worker threads). It
 * keeps no text, only a bounded word → id table (reset past about a million distinct words).
 */
export class RougeScorer<T extends RougeType = DefaultRougeType> {
  /** Whether words are stemmed. */
  readonly stemmer: boolean;
  /** The types computed, in result order. */
  readonly types: readonly T[];

  private readonly interner: TokenInterner;
  private readonly pred = new TokenBuffer();
  private readonly ref = new TokenBuffer();
  private readonly lcs = new LcsScratch();
  private counts = new Int32Array(1024);
  private countsPred = new Int32Array(1024);
  private keysPred = new Float64Array(256);
  private keysRef = new Float64Array(256);
  private marks = new Uint8Array(256);

  /** @throws RangeError naming an invalid type (valid: rouge1 … rouge9, rougeL, rougeLsum), or when `types` is empty. */
  constructor(options: RougeOptions<T> = {}) {
    this.stemmer = options.stemmer ?? false;
    const types = options.types ?? (DEFAULT_ROUGE_TYPES as unknown as readonly T[]);
    if (types.length === 0) throw new RangeError('ROUGE types: at least one type is required');
    for (const type of types) {
      if (!isRougeType(type)) throw new RangeError(`ROUGE types: invalid type "${String(type)}" (valid: rouge1 … rouge9, rougeL, rougeLsum)`);
    }
    this.types = [...types];
    this.interner = new TokenInterner(this.stemmer);
  }

  /** Scores `prediction` against `reference` for every configured type. */
  score(prediction: string, reference: string): RougeScores<T> {
    if (this.interner.entryCount > MAX_VOCABULARY) this.interner.reset();
    this.interner.tokenize(prediction, this.pred);
    this.interner.tokenize(reference, this.ref);
    this.ensureVocabulary(this.interner.size);
    const pred = this.pred.view();
    const ref = this.ref.view();
    const result: Record<string, Score> = {};
    let lcs = -1;
    for (const type of this.types) {
      if (type === 'rougeL') {
        if (lcs < 0) lcs = lcsLength(ref, pred, this.lcs);
        result[type] = pred.length === 0 || ref.length === 0 ? ZERO_SCORE : ratioScore(lcs, pred.length, ref.length);
      } else if (type === 'rougeLsum') {
        if (this.pred.lineCount === 1 && this.ref.lineCount === 1) {
          // One line each: the union LCS is one LCS, every position of it is a hit, so this equals rougeL.
          if (lcs < 0) lcs = lcsLength(ref, pred, this.lcs);
          result[type] = ratioScore(lcs, pred.length, ref.length);
        } else {
          result[type] = this.unionLcsScore();
        }
      } else {
        result[type] = this.ngramScore(pred, ref, Number(type.slice(5)));
      }
    }
    return result as RougeScores<T>;
  }

  private ensureVocabulary(size: number): void {
    if (this.counts.length >= size) return;
    const next = Math.max(size, this.counts.length * 2);
    this.counts = new Int32Array(next);
    this.countsPred = new Int32Array(next);
  }

  /** ROUGE-N: clipped n-gram overlap over whole texts (lines do not matter). */
  private ngramScore(pred: Int32Array, ref: Int32Array, n: number): Score {
    const predGrams = Math.max(pred.length - n + 1, 0);
    const refGrams = Math.max(ref.length - n + 1, 0);
    let overlap = 0;
    if (predGrams > 0 && refGrams > 0) {
      if (n === 1) overlap = this.unigramOverlap(pred, ref);
      else if (n === 2 && this.interner.size < BIGRAM_ID_LIMIT) overlap = this.bigramOverlap(pred, ref);
      else overlap = ngramOverlapByKey(pred, ref, n);
    }
    return ratioScore(overlap, Math.max(predGrams, 1), Math.max(refGrams, 1));
  }

  /** Σ over tokens of min(count in reference, count in prediction), with a counts array by id. */
  private unigramOverlap(pred: Int32Array, ref: Int32Array): number {
    const counts = this.counts;
    for (let i = 0; i < ref.length; i += 1) counts[ref[i]] += 1;
    let overlap = 0;
    for (let i = 0; i < pred.length; i += 1) {
      const id = pred[i];
      if (counts[id] > 0) {
        counts[id] -= 1;
        overlap += 1;
      }
    }
    for (let i = 0; i < ref.length; i += 1) counts[ref[i]] = 0;
    return overlap;
  }

  /** Bigram overlap by sorting numeric bigram keys of both sides and merging. */
  private bigramOverlap(pred: Int32Array, ref: Int32Array): number {
    if (this.keysPred.length < pred.length) this.keysPred = new Float64Array(Math.max(pred.length, this.keysPred.length * 2));
    if (this.keysRef.length < ref.length) this.keysRef = new Float64Array(Math.max(ref.length, this.keysRef.length * 2));
    const a = bigramKeys(pred, this.keysPred);
    const b = bigramKeys(ref, this.keysRef);
    let i = 0;
    let j = 0;
    let overlap = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) {
        overlap += 1;
        i += 1;
        j += 1;
      } else if (a[i] < b[j]) {
        i += 1;
      } else {
        j += 1;
      }
    }
    return overlap;
  }

  /** rougeLsum: union LCS of each reference line against every prediction line, with token budgets. */
  private unionLcsScore(): Score {
    const pred = this.pred;
    const ref = this.ref;
    const m = ref.length;
    const n = pred.length;
    if (m === 0 || n === 0) return ZERO_SCORE;
    const budgetRef = this.counts;
    const budgetPred = this.countsPred;
    for (let i = 0; i < m; i += 1) budgetRef[ref.ids[i]] += 1;
    for (let i = 0; i < n; i += 1) budgetPred[pred.ids[i]] += 1;
    let hits = 0;
    let refStart = 0;
    for (let r = 0; r < ref.lineCount; r += 1) {
      const refEnd = ref.lineEnds[r];
      const refLine = ref.ids.subarray(refStart, refEnd);
      if (this.marks.length < refLine.length) this.marks = new Uint8Array(Math.max(refLine.length, this.marks.length * 2));
      const marks = this.marks;
      marks.fill(0, 0, refLine.length);
      let predStart = 0;
      for (let p = 0; p < pred.lineCount; p += 1) {
        const predEnd = pred.lineEnds[p];
        markLcsPositions(refLine, pred.ids.subarray(predStart, predEnd), marks, this.lcs);
        predStart = predEnd;
      }
      for (let i = 0; i < refLine.length; i += 1) {
        if (marks[i] === 0) continue;
        const id = refLine[i];
        if (budgetPred[id] > 0 && budgetRef[id] > 0) {
          hits += 1;
          budgetPred[id] -= 1;
          budgetRef[id] -= 1;
        }
      }
      refStart = refEnd;
    }
    for (let i = 0; i < m; i += 1) budgetRef[ref.ids[i]] = 0;
    for (let i = 0; i < n; i += 1) budgetPred[pred.ids[i]] = 0;
    return ratioScore(hits, n, m);
  }
}

function bigramKeys(ids: Int32Array, into: Float64Array): Float64Array {
  const keys = into.subarray(0, ids.length - 1);
  for (let i = 0; i < keys.length; i += 1) keys[i] = ids[i] * BIGRAM_ID_LIMIT + ids[i + 1];
  if (keys.length > 48) return keys.sort();
  // Insertion sort: report-sized inputs are short, and TypedArray#sort has a fixed cost per call.
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j -= 1;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** General n-gram overlap with string keys (n ≥ 3, or very large vocabularies). */
function ngramOverlapByKey(pred: Int32Array, ref: Int32Array, n: number): number {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= ref.length; i += 1) {
    const key = ref.subarray(i, i + n).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let overlap = 0;
  for (let i = 0; i + n <= pred.length; i += 1) {
    const key = pred.subarray(i, i + n).join(',');
    const count = counts.get(key) ?? 0;
    if (count > 0) {
      counts.set(key, count - 1);
      overlap += 1;
    }
  }
  return overlap;
}

const sharedScorers = new Map<string, RougeScorer<RougeType>>();

/**
 * Scores one pair with a shared scorer per option set (see {@link RougeScorer}). Convenient for one
 * call; loops over many pairs may as well hold their own `RougeScorer`.
 */
export function scoreRouge<T extends RougeType = DefaultRougeType>(prediction: string, reference: string, options: RougeOptions<T> = {}): RougeScores<T> {
  const key = `${options.stemmer ?? false}|${(options.types ?? DEFAULT_ROUGE_TYPES).join(',')}`;
  let scorer = sharedScorers.get(key);
  if (scorer === undefined) {
    scorer = new RougeScorer<RougeType>(options as RougeOptions<RougeType>);
    sharedScorers.set(key, scorer);
  }
  return scorer.score(prediction, reference) as RougeScores<T>;
}
