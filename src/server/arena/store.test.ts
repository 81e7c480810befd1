import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Arena, type Contender } from './store.ts';

const contenders: Contender[] = ['low', 'medium', 'high'].map((q) => ({ name: `quality-${q}`, params: { quality: q as 'low' }, description: q }));

describe('arena votes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-arena-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pairs two different contenders, takes one vote per match from its rater, and keeps votes on disk', () => {
    const file = join(dir, 'votes.jsonl');
    const arena = new Arena(file, contenders);
    for (let i = 0; i < 20; i++) {
      const m = arena.createMatch('alice', 'animals', 'a frog');
      assert.notEqual(m.left.name, m.right.name);
    }
    const m = arena.createMatch('alice', 'animals', 'a frog');
    assert.equal(arena.vote('bob', m.id, 'left'), undefined, 'another rater cannot vote on it');
    const v = arena.vote('alice', m.id, 'right')!;
    assert.deepEqual([v.left, v.right, v.winner, v.topic, v.seed], [m.left.name, m.right.name, 'right', 'animals', m.seed]);
    assert.equal(arena.vote('alice', m.id, 'left'), undefined, 'a match takes one vote');
    assert.equal(arena.all().length, 1);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /alice/, 'raters are stored as hashes');

    appendFileSync(file, '{"torn'); // a crash mid-write
    const reopened = new Arena(file, contenders);
    assert.equal(reopened.all().length, 1);
    assert.deepEqual(reopened.comparisons(), [{ a: m.left.name, b: m.right.name, score: 0 }]);
    assert.deepEqual(reopened.comparisons('people'), []);
  });
});
