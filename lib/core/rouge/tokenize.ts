/**
 * The tokenizer of `rouge-score`'s DefaultTokenizer: lower-case the text (full Unicode mapping),
 * keep the maximal runs of ASCII `[a-z0-9]`, and, with the stemmer on, replace each run longer than
 * three characters by its Porter stem. Every other character, including every non-ASCII letter,
 * separates tokens: "café" gives "caf", "naïve" gives "na ve", and a text in Greek or CJK gives no
 * tokens at all. That is the reference's behaviour, kept on purpose for bit-exact scores.
 */
import { porterStem } from './porter';

/** Options of {@link tokenize}. */
export interface TokenizeOptions {
  /** Stem tokens longer than three characters with the nltk Porter stemmer. @default false */
  readonly stemmer?: boolean;
}

/**
 * Splits `text` into ROUGE tokens (see the module comment). Allocates one string per token; the
 * {@link RougeScorer} uses its own interning tokenizer instead, with the same result.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const tokens = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  if (options.stemmer !== true) return tokens;
  return tokens.map((t) => (t.length > 3 ? porterStem(t) : t));
}

/**
 * Splits `text` into lines the way rougeLsum does: on "\n" only (not "\r", U+2028, "\v" …),
 * dropping empty lines, then tokenizes each line.
 */
export function tokenizeLines(text: string, options: TokenizeOptions = {}): string[][] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => tokenize(line, options));
}
