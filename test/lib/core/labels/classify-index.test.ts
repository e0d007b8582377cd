/**
 * The indexed mention rules of classify.ts (binary searches and prefix counts, so a long report is
 * labelled in linear time) against the same rules written as plain scans of the clause
 * (test/helpers/naive-classify.ts): identical label and deciding rule for every mention of the
 * Indiana reports, the MIMIC-format sample and generated word soups (long clauses, lists, cue-only
 * runs, text without sentence ends).
 */
import * as fs from 'node:fs';
import { classifyContext, explainMention } from '../../../../lib/core/labels/classify';
import { findCues } from '../../../../lib/core/labels/cue-matcher';
import {
  CUES,
  DESCRIPTIVE_PHRASES,
  FILLER_WORDS,
  LIST_WORDS,
  SINGULAR_COPULAS,
  SIZE_WORD_STEMS,
  TERMINATORS,
  UNCERTAIN_PHRASES,
} from '../../../../lib/core/labels/cues';
import { findMentions, phrasesOf, type MentionCategory } from '../../../../lib/core/labels/phrase-matcher';
import { tokenize } from '../../../../lib/core/labels/text';
import { dataPath } from '../../../helpers/data';
import { naiveClassifyContext, naiveExplainMention } from '../../../helpers/naive-classify';

/** Every mention's [label, rule] by both implementations. */
function bothWays(text: string): { indexed: string[]; naive: string[] } {
  const doc = tokenize(text);
  const cues = findCues(doc.tokens);
  const ctx = classifyContext(doc.tokens, cues);
  const naive = naiveClassifyContext(doc.tokens, cues);
  const mentions = findMentions(doc);
  return {
    indexed: mentions.map((m) => JSON.stringify(explainMention(ctx, m))),
    naive: mentions.map((m) => JSON.stringify(naiveExplainMention(naive, m))),
  };
}

function expectSame(texts: readonly string[]): number {
  let mentions = 0;
  for (const text of texts) {
    const { indexed, naive } = bothWays(text);
    mentions += indexed.length;
    if (indexed.join() !== naive.join()) expect({ text: text.slice(0, 300), indexed }).toEqual({ text: text.slice(0, 300), indexed: naive });
  }
  return mentions;
}

test('real reports: Indiana findings, impressions, both together, background; the MIMIC-format sample', () => {
  const indiana = JSON.parse(fs.readFileSync(dataPath('indiana_dev.json'), 'utf8')) as { findings: string; impression: string; background: string }[];
  const texts = indiana.flatMap((r) => [r.findings, r.impression, `${r.findings}\n\n${r.impression}`, r.background]);
  for (const file of ['expected-train.json', 'expected-dev.json']) {
    for (const r of JSON.parse(fs.readFileSync(dataPath('mimic-sample', file), 'utf8')) as { findings: string; impression: string }[])
      texts.push(r.findings, r.impression);
  }
  expect(expectSame(texts)).toBeGreaterThan(15000);
});

test('generated word soups of cues, mention phrases, fillers, list words and punctuation', () => {
  let seed = 20240601;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const categories: MentionCategory[] = [
    'Cardiomegaly',
    'Edema',
    'Pleural Effusion',
    'Pneumothorax',
    'Lung Opacity',
    'Atelectasis',
    'Consolidation',
    'Support Devices',
  ];
  const mentions = categories.flatMap((c) => phrasesOf(c));
  const words = [
    ...Object.values(CUES).flat(),
    ...FILLER_WORDS,
    ...LIST_WORDS,
    ...TERMINATORS,
    ...SINGULAR_COPULAS,
    ...DESCRIPTIVE_PHRASES,
    ...UNCERTAIN_PHRASES,
    ...SIZE_WORD_STEMS.map((stem) => `${stem}ed`),
    ...['or', 'versus', 'non-', 'un', ',', ',', '.', ';', ':', '/', '(', ')', '\n\n', 'lungs', 'normal', '____'],
  ];
  const texts: string[] = [];
  for (let t = 0; t < 3000; t++) {
    const length = 1 + Math.floor(random() * (t % 10 === 0 ? 300 : 50));
    const withoutEnds = t % 5 === 0;
    const pieces = Array.from({ length }, () => (random() < 0.3 ? pick(mentions) : pick(words))).filter((w) => !(withoutEnds && (w === '.' || w === '\n\n')));
    texts.push(pieces.join(' ').replace(/ ([,.;:])/g, t % 2 === 0 ? '$1' : ' $1'));
  }
  expect(expectSame(texts)).toBeGreaterThan(20000);
});
