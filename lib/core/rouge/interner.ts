/**
 * Tokenizes texts into integer token ids (same tokens as {@link tokenize}), so the scorer compares
 * numbers instead of strings and stems each distinct word once. Ids are only meaningful within one
 * interner and are dropped wholesale by {@link TokenInterner.reset}, which the scorer calls between
 * pairs once the vocabulary passes a bound, so a long-lived scorer does not grow without limit.
 */
import { porterStem } from './porter';
import { isTokenChar } from './tokenize';

/** A tokenized text: token ids, and the end offsets of its lines that hold at least one token. */
export class TokenBuffer {
  /** Token ids; only the first `length` entries are valid. */
  ids = new Int32Array(256);
  length = 0;
  /** Exclusive end offsets (into `ids`) of the non-empty lines; only the first `lineCount` are valid. */
  lineEnds = new Int32Array(16);
  lineCount = 0;

  /** The valid token ids as a view. */
  view(): Int32Array {
    return this.ids.subarray(0, this.length);
  }

  push(id: number): void {
    if (this.length === this.ids.length) {
      const grown = new Int32Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[this.length] = id;
    this.length += 1;
  }

  /** Closes the current line if it has tokens (rougeLsum drops lines without tokens harmlessly). */
  endLine(): void {
    const start = this.lineCount === 0 ? 0 : this.lineEnds[this.lineCount - 1];
    if (this.length === start) return;
    if (this.lineCount === this.lineEnds.length) {
      const grown = new Int32Array(this.lineEnds.length * 2);
      grown.set(this.lineEnds);
      this.lineEnds = grown;
    }
    this.lineEnds[this.lineCount] = this.length;
    this.lineCount += 1;
  }
}

/** Maps token strings to dense integer ids, stemming first when configured to. */
export class TokenInterner {
  private readonly byToken = new Map<string, number>();
  /** Stemmer mode: final token form (stem, or the word itself when short) → id. */
  private readonly byForm = new Map<string, number>();
  private nextId = 0;

  constructor(private readonly stemmer: boolean) {}

  /** Number of distinct ids handed out since the last reset. */
  get size(): number {
    return this.nextId;
  }

  /** Forgets every id (ids handed out before are meaningless afterwards). */
  reset(): void {
    this.byToken.clear();
    this.byForm.clear();
    this.nextId = 0;
  }

  /** Tokenizes `text` into `out` (cleared first), recording line ends at every "\n". */
  tokenize(text: string, out: TokenBuffer): void {
    out.length = 0;
    out.lineCount = 0;
    const lower = text.toLowerCase();
    const n = lower.length;
    let i = 0;
    while (i < n) {
      const code = lower.charCodeAt(i);
      if (isTokenChar(code)) {
        const start = i;
        i += 1;
        while (i < n && isTokenChar(lower.charCodeAt(i))) i += 1;
        out.push(this.idOf(lower.slice(start, i)));
        continue;
      }
      if (code === 10) out.endLine();
      i += 1;
    }
    out.endLine();
  }

  private idOf(token: string): number {
    const known = this.byToken.get(token);
    if (known !== undefined) return known;
    let id: number;
    if (this.stemmer) {
      // Short words are kept as they are but still share ids with equal stems ("lie", "lying").
      const form = token.length > 3 ? porterStem(token) : token;
      const formId = this.byForm.get(form);
      if (formId === undefined) {
        id = this.nextId;
        this.nextId += 1;
        this.byForm.set(form, id);
      } else {
        id = formId;
      }
    } else {
      id = this.nextId;
      this.nextId += 1;
    }
    this.byToken.set(token, id);
    return id;
  }
}
