import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HistoryStore } from './store.ts';

describe('history store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fp-history-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const png = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
  const base = { prompt: 'a cat', params: { seed: 1 }, width: 64, height: 64, contentType: 'image/png' };

  it('keeps versions with their lineage, per owner, across instances, newest first', () => {
    const store = new HistoryStore(dir);
    const first = store.add('alice', { ...base, kind: 'generate' }, png);
    const second = store.add('alice', { ...base, kind: 'edit', prompt: 'make it blue', parent: first.id }, png);
    const third = store.add('alice', { ...base, kind: 'edit', prompt: 'add a hat', parent: second.id }, png);
    assert.deepEqual([first.root, second.root, third.root], [first.id, first.id, first.id]);

    const reopened = new HistoryStore(dir);
    assert.deepEqual(reopened.list('alice').map((i) => i.id), [third.id, second.id, first.id]);
    assert.deepEqual([...reopened.image('alice', second.id)!.bytes], [...png]);
    assert.deepEqual(reopened.list('bob'), [], 'another key sees nothing');
    assert.equal(reopened.get('bob', first.id), undefined);
    assert.throws(() => reopened.add('alice', { ...base, kind: 'edit', parent: 'nope0000000000000000' }, png), /no history item/);
  });

  it('deletes one version and refuses ids that are not ids', () => {
    const store = new HistoryStore(dir);
    const item = store.add('carol', { ...base, kind: 'upload' }, png);
    assert.equal(store.get('carol', '../../etc/passwd'), undefined);
    assert.equal(store.delete('carol', item.id), true);
    assert.equal(store.delete('carol', item.id), false);
    assert.deepEqual(store.list('carol'), []);
  });
});
