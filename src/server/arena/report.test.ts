import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparisonsOf, leaderboardMarkdown, pairRecords, playersOf, withLeaderboard, CARD_END, CARD_START } from './report.ts';
import type { Vote } from './store.ts';

const vote = (left: string, right: string, winner: Vote['winner'], topic = 'animals', rater = 'r1'): Vote =>
  ({ match: 'm', time: '2026-01-02T03:04:05Z', topic, prompt: 'a cat', seed: 1, left, right, winner, rater });

describe('arena report', () => {
  const votes = [vote('a', 'b', 'left'), vote('b', 'a', 'left'), vote('b', 'a', 'tie'), vote('a', 'c', 'right', 'food', 'r2')];

  it('keeps each pair\'s record with sides merged, and lists players served or voted on', () => {
    const games = comparisonsOf(votes);
    assert.deepEqual(pairRecords(games), [
      { a: 'a', b: 'b', aWins: 1, bWins: 1, ties: 1 },
      { a: 'a', b: 'c', aWins: 0, bWins: 1, ties: 0 },
    ]);
    assert.deepEqual(playersOf(['d', 'a'], games), ['d', 'a', 'b', 'c']);
    assert.equal(comparisonsOf(votes, 'food').length, 1);
  });

  it('prints Markdown only when there are votes, and replaces the card\'s section in place', () => {
    assert.equal(leaderboardMarkdown([]), null);
    assert.equal(leaderboardMarkdown(votes, { topic: 'lettering' }), null);
    const md = leaderboardMarkdown(votes, { descriptions: { c: 'candidate' } })!;
    assert.match(md, /^4 votes from 2 raters, 2026-01-02 to 2026-01-02; Bradley–Terry/);
    assert.match(md, /\| 1 \| c \(candidate\) \| \d+ \|/);
    assert.match(md, /\| a vs b \| 1 \| 1 \| 1 \|/);
    const card = withLeaderboard('# Model card\n\nText.\n', md);
    assert.match(card, /## Human preference \(arena\)/);
    const again = withLeaderboard(card, 'new table\n');
    assert.equal(again.split(CARD_START).length, 2);
    assert.match(again, new RegExp(`${CARD_START}\\nnew table\\n${CARD_END}`));
    assert.doesNotMatch(again, /a vs b/);
  });
});
