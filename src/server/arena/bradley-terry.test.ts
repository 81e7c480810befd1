import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitStrengths, leaderboard, type Comparison } from './bradley-terry.ts';

const games = (a: string, b: string, aWins: number, bWins: number, ties = 0): Comparison[] => [
  ...Array.from({ length: aWins }, () => ({ a, b, score: 1 as const })),
  ...Array.from({ length: bWins }, () => ({ a, b, score: 0 as const })),
  ...Array.from({ length: ties }, () => ({ a, b, score: 0.5 as const })),
];

describe('Bradley–Terry', () => {
  it('recovers the strength ratio of two players from many games', () => {
    // 300 of 400 wins: p_a / (p_a + p_b) = 3/4, so log(p_a/p_b) = log 3 (the prior barely moves it).
    const s = fitStrengths(['a', 'b'], games('a', 'b', 300, 100));
    assert.ok(Math.abs(s.get('a')! - s.get('b')! - Math.log(3)) < 0.01, `${s.get('a')! - s.get('b')!}`);
  });

  it('is symmetric: swapping sides of every game changes nothing', () => {
    const g = [...games('a', 'b', 5, 2, 1), ...games('b', 'c', 4, 4), ...games('a', 'c', 6, 1)];
    const swapped = g.map(({ a, b, score }) => ({ a: b, b: a, score: (1 - score) as Comparison['score'] }));
    const x = fitStrengths(['a', 'b', 'c'], g);
    const y = fitStrengths(['a', 'b', 'c'], swapped);
    for (const p of ['a', 'b', 'c']) assert.ok(Math.abs(x.get(p)! - y.get(p)!) < 1e-9);
  });

  it('orders a transitive tournament and stays finite for an unbeaten player', () => {
    const board = leaderboard(['low', 'mid', 'high'], [...games('high', 'mid', 8, 0), ...games('mid', 'low', 8, 0), ...games('high', 'low', 8, 0)]);
    assert.deepEqual(board.map((s) => s.name), ['high', 'mid', 'low']);
    assert.ok(board.every((s) => Number.isFinite(s.rating) && Number.isFinite(s.ci[0]) && Number.isFinite(s.ci[1])));
    assert.deepEqual([board[0]!.wins, board[0]!.losses, board[2]!.losses], [16, 0, 16]);
  });

  it('treats ties as half wins and has intervals that contain the estimate and narrow with data', () => {
    const even = leaderboard(['a', 'b'], games('a', 'b', 0, 0, 20));
    assert.ok(Math.abs(even[0]!.rating - even[1]!.rating) < 1e-6);
    assert.equal(even[0]!.ties, 20);
    const width = (n: number) => {
      const [s] = leaderboard(['a', 'b'], games('a', 'b', 2 * n, n), { seed: 7 }).filter((x) => x.name === 'a');
      assert.ok(s!.ci[0] <= s!.rating && s!.rating <= s!.ci[1]);
      return s!.ci[1] - s!.ci[0];
    };
    assert.ok(width(100) < width(5) / 2, 'twenty times the votes, a much narrower interval');
  });

  it('gives everyone the same rating with no votes, and the same board for the same votes', () => {
    assert.deepEqual(leaderboard(['a', 'b'], []).map((s) => [s.rating, ...s.ci]), [[1000, 1000, 1000], [1000, 1000, 1000]]);
    const g = games('a', 'b', 3, 2, 1);
    assert.deepEqual(leaderboard(['a', 'b'], g), leaderboard(['a', 'b'], g));
  });
});
