/**
 * Finds the cues of cues.ts in a tokenised report with a word trie built once at module load: one
 * left-to-right pass, the longest cue wins at each token.
 */
import { CUES, type CueKind } from './cues';
import type { Token } from './text';

/** A cue found in the text: its token span and every kind its wording belongs to. */
export interface CueMatch {
  readonly start: number;
  readonly end: number;
  readonly kinds: ReadonlySet<CueKind>;
}

interface TrieNode {
  readonly next: Map<string, TrieNode>;
  kinds: Set<CueKind> | undefined;
}

function buildTrie(): TrieNode {
  const root: TrieNode = { next: new Map(), kinds: undefined };
  for (const [kind, phrases] of Object.entries(CUES) as [CueKind, readonly string[]][]) {
    for (const phrase of phrases) {
      let node = root;
      for (const word of phrase.split(' ')) {
        let child = node.next.get(word);
        if (child === undefined) {
          child = { next: new Map(), kinds: undefined };
          node.next.set(word, child);
        }
        node = child;
      }
      node.kinds ??= new Set();
      node.kinds.add(kind);
    }
  }
  return root;
}

const TRIE = buildTrie();

/**
 * Every cue in the token list, left to right, non-overlapping. A cue is consecutive word tokens
 * only: punctuation inside breaks it. It does not look at meaning: "no" in "no. 2" is a cue too.
 */
export function findCues(tokens: readonly Token[]): CueMatch[] {
  const found: CueMatch[] = [];
  let i = 0;
  while (i < tokens.length) {
    let node: TrieNode | undefined = TRIE;
    let best: CueMatch | undefined;
    for (let j = i; j < tokens.length && tokens[j].kind === 'word'; j++) {
      node = node.next.get(tokens[j].text);
      if (node === undefined) break;
      if (node.kinds !== undefined) best = { start: i, end: j + 1, kinds: node.kinds };
    }
    if (best === undefined) {
      i += 1;
    } else {
      found.push(best);
      i = best.end;
    }
  }
  return found;
}
