/**
 * Tokenizes texts into integer token ids (same tokens as `tokenize`), so the scorer compares
 * numbers instead of strings and stems each distinct word once. Ids are only meaningful within one
 * interner and are dropped wholesale by {@link TokenInterner.reset}, which the scorer calls between
 * pairs once the vocabulary passes a bound, so a long-lived scorer does not grow without limit.
 */
import { porterStem } from './porter';

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

/** FNV-1a offset basis and prime (32-bit). */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Maps tokens to dense integer ids, stemming first when configured to. Tokens are read straight from
 * the text's UTF-16 code units into an open-addressing hash table, without lower-casing the whole
 * text or allocating a string per token; a string is built only for a word seen for the first time.
 * Lower-casing is done per code unit: A–Z, and the only two non-ASCII characters whose lower case
 * contains ASCII letters or digits, U+212A KELVIN SIGN ("k") and U+0130 "İ" ("i" followed by
 * U+0307, a separator). Every other character's lower case is non-ASCII, hence a separator.
 */
export class TokenInterner {
  /** Stemmer mode: final token form (stem, or the word itself when short) → id. */
  private readonly byForm = new Map<string, number>();
  private nextId = 0;
  /** Characters of every known raw token, back to back. */
  private chars = new Uint16Array(1 << 14);
  private charsUsed = 0;
  /** Per entry: start in `chars`, length, hash, id. */
  private entryStart = new Int32Array(1 << 10);
  private entryLength = new Int32Array(1 << 10);
  private entryHash = new Int32Array(1 << 10);
  private entryId = new Int32Array(1 << 10);
  private entries = 0;
  /** Open-addressing slots holding entry index + 1 (0 = empty); length is a power of two. */
  private slots = new Int32Array(1 << 11);
  /** The token being read. */
  private token = new Uint16Array(64);

  constructor(private readonly stemmer: boolean) {}

  /** Number of distinct ids handed out since the last reset (ids are 0 … size − 1). */
  get size(): number {
    return this.nextId;
  }

  /** Number of distinct raw tokens remembered (what the memory use grows with). */
  get entryCount(): number {
    return this.entries;
  }

  /** Forgets every token and id (ids handed out before are meaningless afterwards). */
  reset(): void {
    this.byForm.clear();
    this.nextId = 0;
    this.charsUsed = 0;
    this.entries = 0;
    this.slots.fill(0);
  }

  /** Tokenizes `text` into `out` (cleared first), recording line ends at every "\n". */
  tokenize(text: string, out: TokenBuffer): void {
    out.length = 0;
    out.lineCount = 0;
    let token = this.token;
    let length = 0;
    let hash = FNV_OFFSET;
    const n = text.length;
    for (let i = 0; i < n; i += 1) {
      let code = text.charCodeAt(i);
      if (code >= 65 && code <= 90) code += 32;
      else if (code === 0x212a) code = 107;
      const dottedCapitalI = code === 0x130;
      if (dottedCapitalI) code = 105;
      if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) {
        if (length === token.length) {
          const grown = new Uint16Array(token.length * 2);
          grown.set(token);
          token = grown;
          this.token = grown;
        }
        token[length] = code;
        length += 1;
        hash = Math.imul(hash ^ code, FNV_PRIME);
        if (!dottedCapitalI) continue;
      }
      if (length > 0) {
        out.push(this.idOf(length, hash));
        length = 0;
        hash = FNV_OFFSET;
      }
      if (code === 10) out.endLine();
    }
    if (length > 0) out.push(this.idOf(length, hash));
    out.endLine();
  }

  /** The id of the token in `this.token[0, length)`, creating it on first sight. */
  private idOf(length: number, hash: number): number {
    const token = this.token;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.slots[slot] - 1;
      if (entry < 0) break;
      if (this.entryHash[entry] === hash && this.entryLength[entry] === length) {
        const start = this.entryStart[entry];
        let k = 0;
        while (k < length && this.chars[start + k] === token[k]) k += 1;
        if (k === length) return this.entryId[entry];
      }
      slot = (slot + 1) & mask;
    }
    const id = this.newId(length);
    this.insert(slot, length, hash, id);
    return id;
  }

  private newId(length: number): number {
    if (!this.stemmer) {
      this.nextId += 1;
      return this.nextId - 1;
    }
    let word = '';
    for (let k = 0; k < length; k += 1024) word += String.fromCharCode(...this.token.subarray(k, Math.min(length, k + 1024)));
    // Short words are kept as they are but still share ids with equal stems ("lie", "lying").
    const form = length > 3 ? porterStem(word) : word;
    const known = this.byForm.get(form);
    if (known !== undefined) return known;
    this.byForm.set(form, this.nextId);
    this.nextId += 1;
    return this.nextId - 1;
  }

  private insert(slot: number, length: number, hash: number, id: number): void {
    if (this.charsUsed + length > this.chars.length) {
      const grown = new Uint16Array(Math.max(this.chars.length * 2, this.charsUsed + length));
      grown.set(this.chars.subarray(0, this.charsUsed));
      this.chars = grown;
    }
    if (this.entries === this.entryId.length) {
      const grow = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.entryStart = grow(this.entryStart);
      this.entryLength = grow(this.entryLength);
      this.entryHash = grow(this.entryHash);
      this.entryId = grow(this.entryId);
    }
    const entry = this.entries;
    this.chars.set(this.token.subarray(0, length), this.charsUsed);
    this.entryStart[entry] = this.charsUsed;
    this.entryLength[entry] = length;
    this.entryHash[entry] = hash;
    this.entryId[entry] = id;
    this.charsUsed += length;
    this.entries += 1;
    this.slots[slot] = entry + 1;
    // Keep the load factor at most 1/2.
    if (this.entries * 2 > this.slots.length) this.rehash(this.slots.length * 2);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let entry = 0; entry < this.entries; entry += 1) {
      let slot = this.entryHash[entry] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
