import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatReviewItems, parseReviewDescription, parseReviewItems, reviewTeams, taskInput } from '../../../../lib/core/review/items';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures', 'review');
const text = fs.readFileSync(path.join(FIXTURES, 'evaluation-items.jsonl'), 'utf8');

describe('review items', () => {
  it('round-trips items and gives the reader texts in A/B order without any source', () => {
    const items = parseReviewItems(text, 'items.jsonl');
    expect(items).toHaveLength(10);
    expect(formatReviewItems(items)).toBe(text);
    const input = taskInput(items[2]);
    expect(input).toEqual(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'task-inputs', 'ev-20260102-090000-00aa-0002-r1.json'), 'utf8')));
    expect(JSON.stringify(input)).not.toMatch(/pretrained|fine-tuned|reference|rougelsum|label_match|study/);
    expect(input).toMatchObject({ impressionA: items[2].impressions[0].text, impressionB: items[2].impressions[1].text });
  });

  it('names the line and field of a bad item, never its text', () => {
    const lines = text.trimEnd().split('\n');
    const broken = JSON.parse(lines[1]) as Record<string, unknown>;
    broken.impressions = [(broken.impressions as unknown[])[1], (broken.impressions as unknown[])[0]];
    expect(() => parseReviewItems([lines[0], JSON.stringify(broken)].join('\n'), 'items.jsonl')).toThrow(
      /^items.jsonl line 2: review ev-20260102-090000-00aa item 0001: an evaluation item needs impressions A then B$/,
    );
    const wrongIndex = { ...(JSON.parse(lines[0]) as object), index: 3 };
    expect(() => parseReviewItems(JSON.stringify(wrongIndex), 'f')).toThrow('f line 1: field index must be 0');
    const noSource = JSON.parse(lines[0]) as { impressions: { source: string }[] };
    noSource.impressions[0].source = 'oracle';
    expect(() => parseReviewItems(JSON.stringify(noSource), 'f')).toThrow(
      'f line 1 impressions[0]: field source must be one of pretrained, fine-tuned, reference, draft',
    );
    expect(() => parseReviewItems('{"review_id": "x"', 'f')).toThrow('f line 1: not valid JSON');
  });

  it('assigns the first reader slots, or the feedback team', () => {
    expect(reviewTeams('evaluation', 2)).toEqual(['reader-1', 'reader-2']);
    expect(reviewTeams('feedback', 2)).toEqual(['feedback']);
    expect(() => reviewTeams('evaluation', 4)).toThrow('readers must be a whole number from 1 to 3, got 4');
  });

  it('checks the review description', () => {
    const good = {
      reviewId: 'ev-20260102-090000-00aa',
      kind: 'evaluation',
      runId: 'fixture-run',
      createdAt: '2026-01-02T09:00:00.000Z',
      deadline: '2026-01-09T09:00:00.000Z',
      teams: ['reader-1', 'reader-2'],
      items: 10,
      loops: 20,
      selection: { seed: 7 },
    };
    expect(parseReviewDescription(JSON.stringify(good), 'review.json')).toEqual(good);
    expect(() => parseReviewDescription(JSON.stringify({ ...good, loops: 10 }), 'review.json')).toThrow('review.json: field loops must be items × teams');
    expect(() => parseReviewDescription(JSON.stringify({ ...good, teams: ['reader-9'] }), 'review.json')).toThrow(/field teams/);
    expect(() => parseReviewDescription(JSON.stringify({ ...good, deadline: 'soon' }), 'review.json')).toThrow(/field deadline/);
  });
});
