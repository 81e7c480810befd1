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
      const m = arena.createMatch('alice', 'animals', 'a frog')!;
      assert.notEqual(m.left.name, m.right.name);
    }
    const m = arena.createMatch('alice', 'animals', 'a frog', '128x128')!;
    assert.equal(arena.openMatch('bob', m.id), undefined, 'another rater cannot see it');
    assert.equal(arena.openMatch('alice', m.id)?.size, '128x128');
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
    assert.deepEqual(reopened.comparisons('lettering'), []);
    assert.equal(reopened.all()[0]!.size, '128x128');
  });

  it('draws every pair of contenders, from the list of the moment, and none with fewer than two', () => {
    let list: Contender[] = contenders.slice(0, 1);
    const arena = new Arena(join(dir, 'pairs.jsonl'), () => list);
    assert.equal(arena.createMatch('alice', 'food', 'a pear'), undefined);
    list = [...contenders, { name: 'other@1', model: 'other@1', params: { quality: 'medium' }, description: 'x' }];
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const m = arena.createMatch('alice', 'food', 'a pear')!;
      seen.add([m.left.name, m.right.name].sort().join(' vs '));
    }
    assert.equal(seen.size, 6, 'all C(4,2) pairs appear');
  });
});
