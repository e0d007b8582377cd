/**
 * Normalisation and tokenisation of report text for the labeler: one pass per report.
 */

/** The kind of a token: a word, a comma, a clause boundary (`; : ( )`), a sentence end (`. ? !`), a slash. */
export type TokenKind = 'word' | 'comma' | 'boundary' | 'end' | 'slash';

/** A token of the normalised text. `start`/`end` are character offsets into `TokenizedText.text`. */
export interface Token {
  readonly text: string;
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
  /** 0-based sentence index; a sentence-end token belongs to the sentence it ends. */
  readonly sentence: number;
}

/** A normalised report: lower-cased text, its tokens, and a map from character offset to token. */
export interface TokenizedText {
  readonly text: string;
  readonly tokens: readonly Token[];
  /** For each character of `text`, the index of the token covering it, or -1 (whitespace). */
  readonly tokenAt: Int32Array;
}

// Words keep an inner apostrophe ("can't"); hyphens split ("top-normal" is "top normal"), which the
// cue lists rely on. A period is a sentence end only when no letter or digit follows it ("1.5 cm").
// A de-identification mask ("____" in the Indiana reports; "XXXX" in other releases is a plain word)
// stands for a hidden word inside a sentence, never for a sentence end: it is one word token, so that
// windows count it and it neither splits nor joins sentences.
const TOKEN = /[a-z0-9]+(?:'[a-z]+)?|_{2,}|\.(?![a-z0-9])|[?!;:,()/]/g;

function kindOf(piece: string): TokenKind {
  switch (piece) {
    case ',':
      return 'comma';
    case '.':
    case '?':
    case '!':
      return 'end';
    case '/':
      return 'slash';
    case ';':
    case ':':
    case '(':
    case ')':
      return 'boundary';
    default:
      return 'word';
  }
}

/**
 * Lower-cases the text, turns a blank line into a sentence end (section breaks often lack a period)
 * and every other whitespace run into one space, so that phrases match across hard-wrapped lines.
 * It does not expand abbreviations or fix spelling.
 */
export function normalizeReport(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/\r\n?/g, '\n')
    .replace(/\n[^\S\n]*\n\s*/g, ' . ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Normalises and tokenises one report. Characters outside `[a-z0-9]` and the punctuation above are skipped. */
export function tokenize(raw: string): TokenizedText {
  const text = normalizeReport(raw);
  const tokens: Token[] = [];
  const tokenAt = new Int32Array(text.length).fill(-1);
  let sentence = 0;
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    const piece = match[0];
    const kind = kindOf(piece);
    tokenAt.fill(tokens.length, start, start + piece.length);
    tokens.push({ text: piece, kind, start, end: start + piece.length, sentence });
    if (kind === 'end') sentence += 1;
  }
  return { text, tokens, tokenAt };
}
