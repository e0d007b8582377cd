import * as fs from 'node:fs';
import { DEFAULT_ROUGE_TYPES, fmeasure, RougeScorer, scoreRouge } from '../../../../lib/core/rouge';
import type { Score } from '../../../../lib/core/rouge';
import { naiveRougeN, naiveScore, naiveTokens } from './naive-rouge';
import { dataPath } from '../../../helpers/data';

const DEV = dataPath('indiana_dev.json');
const records = JSON.parse(fs.readFileSync(DEV, 'utf8')) as { findings: string; impression: string }[];

function expected(precision: number, recall: number): Score {
  return { precision, recall, fmeasure: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
}
const ZERO = { precision: 0, recall: 0, fmeasure: 0 };

describe('scoreRouge: hand-computed cases', () => {
  test('one line, partial overlap', () => {
    const s = scoreRouge('The cat sat on the mat.', 'the cat was on the mat');
    expect(s.rouge1).toEqual(expected(5 / 6, 5 / 6));
    expect(s.rouge2).toEqual(expected(3 / 5, 3 / 5)); // the cat, on the, the mat
    expect(s.rougeL).toEqual(expected(5 / 6, 5 / 6)); // the cat on the mat
    expect(s.rougeLsum).toEqual(s.rougeL);
  });

  test("repeated tokens are clipped by the other side's counts", () => {
    const s = scoreRouge('a a a b', 'a b b');
    expect(s.rouge1).toEqual(expected(2 / 4, 2 / 3));
    expect(s.rouge2).toEqual(expected(1 / 3, 1 / 2));
    expect(s.rougeL).toEqual(expected(2 / 4, 2 / 3));
  });

  test('precision is against the prediction and recall against the reference', () => {
    const s = scoreRouge('no acute disease', 'no acute cardiopulmonary disease here');
    expect(s.rouge1).toEqual(expected(3 / 3, 3 / 5));
    expect(s.rouge2).toEqual(expected(1 / 2, 1 / 4));
  });

  test.each([
    ['empty prediction', '', 'heart normal'],
    ['empty reference', 'heart normal', ''],
    ['both empty', '', ''],
    ['punctuation only', '...', '— —'],
    ['no overlap', 'heart normal', 'lungs clear'],
    ['non-Latin text', 'Сердце в норме', 'Сердце в норме'],
  ])('zero case: %s', (_name, prediction, reference) => {
    const s = scoreRouge(prediction, reference);
    for (const type of DEFAULT_ROUGE_TYPES) expect(s[type]).toEqual(ZERO);
  });

  test('a single token has no bigram: rouge2 is 0 while rouge1 is 1', () => {
    const s = scoreRouge('Normal.', 'normal');
    expect(s.rouge1).toEqual(expected(1, 1));
    expect(s.rouge2).toEqual(ZERO);
  });

  test('the stemmer makes inflections match', () => {
    expect(scoreRouge('effusions noted', 'effusion noting').rouge1.fmeasure).toBe(0);
    expect(scoreRouge('effusions noted', 'effusion noting', { stemmer: true }).rouge1).toEqual(expected(1, 1));
  });

  test('rouge3 and a subset of types', () => {
    const s = scoreRouge('a b c d', 'a b c e', { types: ['rouge3', 'rougeL'] });
    expect(Object.keys(s)).toEqual(['rouge3', 'rougeL']);
    expect(s.rouge3).toEqual(expected(1 / 2, 1 / 2));
  });

  test('invalid types are rejected', () => {
    expect(() => new RougeScorer({ types: ['rouge0' as 'rouge1'] })).toThrow(/invalid type "rouge0"/);
    expect(() => new RougeScorer({ types: ['rouge10' as 'rouge1'] })).toThrow(/invalid type "rouge10"/);
    expect(() => new RougeScorer({ types: [] })).toThrow(/at least one type/);
  });
});

describe('rougeLsum', () => {
  test('lines are matched as units: the union LCS sees reordered sentences', () => {
    const s = scoreRouge('c d a b', 'a b\nc d');
    expect(s.rougeL).toEqual(expected(2 / 4, 2 / 4));
    expect(s.rougeLsum).toEqual(expected(1, 1));
  });

  test('tie rule: on equal cells the backtrack steps up (drops the reference token)', () => {
    // ref "a b" vs pred line "b a": both "a" and "b" are an LCS; rouge-score picks "a" (position 0),
    // the pred line "b" adds position 1, so the union has 2 hits. Stepping left on ties would give 1.
    const s = scoreRouge('b a\nb', 'a b');
    expect(s.rougeLsum).toEqual(expected(2 / 3, 2 / 2));
  });

  test('token budgets: a reference token counts at most as often as the prediction has it', () => {
    expect(scoreRouge('a', 'a\na').rougeLsum).toEqual(expected(1 / 1, 1 / 2));
  });

  test('only "\\n" separates lines; CRLF works, a lone "\\r" does not split', () => {
    expect(scoreRouge('c d a b', 'a b\r\nc d').rougeLsum).toEqual(expected(1, 1));
    expect(scoreRouge('c d a b', 'a b\rc d').rougeLsum).toEqual(expected(2 / 4, 2 / 4));
  });

  test('leading, trailing and empty lines do not change the score', () => {
    expect(scoreRouge('\n\nthe heart is normal\n', 'heart normal\n\n').rougeLsum).toEqual(scoreRouge('the heart is normal', 'heart normal').rougeL);
  });

  test('swapping sides of a multi-line pair is not symmetric (union LCS runs over reference lines)', () => {
    expect(scoreRouge('b a\nb', 'a b').rougeLsum).toEqual(expected(2 / 3, 1));
    expect(scoreRouge('a b', 'b a\nb').rougeLsum).toEqual(expected(1 / 2, 1 / 3));
  });
});

describe('properties on the Indiana dev set', () => {
  const toLines = (text: string): string => text.replace(/\. /g, '.\n');

  test('a text against itself scores 1 for every type', () => {
    const scorer = new RougeScorer();
    for (const r of records) {
      for (const text of [r.findings, toLines(r.findings)]) {
        if (naiveTokens(text, false).length < 2) continue;
        const s = scorer.score(text, text);
        for (const type of DEFAULT_ROUGE_TYPES) expect(s[type]).toEqual(expected(1, 1));
      }
    }
  });

  test('swapping prediction and reference exchanges precision and recall (rougeN, rougeL, one-line rougeLsum)', () => {
    const scorer = new RougeScorer({ stemmer: true });
    for (const r of records) {
      const a = scorer.score(r.findings, r.impression);
      const b = scorer.score(r.impression, r.findings);
      for (const type of DEFAULT_ROUGE_TYPES) {
        expect([b[type].precision, b[type].recall]).toEqual([a[type].recall, a[type].precision]);
        expect(b[type].fmeasure).toBe(a[type].fmeasure);
      }
    }
  });

  test.each([false, true])('stemmer %s: bit-identical to the plain transcription of the algorithm', (stemmer) => {
    const scorer = new RougeScorer({ stemmer });
    const cases: [string, string][] = [];
    for (const r of records) {
      cases.push([r.findings, r.impression], [toLines(r.findings), toLines(r.impression)], [toLines(r.impression), r.findings]);
    }
    const mismatches = cases.filter(([p, ref]) => JSON.stringify(scorer.score(p, ref)) !== JSON.stringify(naiveScore(p, ref, stemmer)));
    expect(mismatches.length).toBe(0);
  });

  test('random multi-line texts over a tiny vocabulary (many ties and repeats) match the transcription', () => {
    let state = 12345;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const text = (): string => Array.from({ length: next(14) }, () => ['a', 'b', 'c', 'd', '\n'][next(5)]).join(' ');
    const scorer = new RougeScorer({ types: ['rouge1', 'rouge2', 'rouge3', 'rougeL', 'rougeLsum'] });
    for (let k = 0; k < 3000; k += 1) {
      const p = text();
      const r = text();
      const got = scorer.score(p, r);
      const want: Record<string, Score> = { ...naiveScore(p, r, false), rouge3: naiveRougeN(naiveTokens(r, false), naiveTokens(p, false), 3) };
      for (const type of scorer.types) expect(got[type]).toEqual(want[type]);
    }
  });

  test('the constant answer "No acute cardiopulmonary process." scores 0.436/0.336/0.436 (DESIGN.md)', () => {
    const scorer = new RougeScorer();
    const scores = records.map((r) => scorer.score('No acute cardiopulmonary process.', r.impression));
    const meanOf = (type: 'rouge1' | 'rouge2' | 'rougeL'): number => scores.reduce((a, s) => a + s[type].fmeasure, 0) / scores.length;
    expect(meanOf('rouge1').toFixed(3)).toBe('0.436');
    expect(meanOf('rouge2').toFixed(3)).toBe('0.336');
    expect(meanOf('rougeL').toFixed(3)).toBe('0.436');
  });

  test('F is computed as ((2·P)·R)/(P+R)', () => {
    expect(fmeasure(0, 0)).toBe(0);
    expect(fmeasure(1 / 3, 2 / 7)).toBe((2 * (1 / 3) * (2 / 7)) / (1 / 3 + 2 / 7));
  });
});
