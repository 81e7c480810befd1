// The playground's sizes and arena over real servers with the fake pipeline: the config says the
// served model's native size (what the page defaults to), and an arena with several model folders
// pairs models blindly, makes each side's image with its own model, and keeps votes per pair.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { hashKey } from './keys.ts';
import { startTestServer, type TestServer } from './test-support/harness.ts';

// Response bodies are checked field by field below; their types add nothing here.
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

describe('playground sizes', () => {
  it('gives the served model\'s native size and buckets, and the configured default size when there is one', async () => {
    const s = await startTestServer({ playground: { dir: join(tmpdir(), `fp-pg-sizes-${process.pid}`) } }, { fake: { native: { width: 128, height: 96 } } });
    try {
      const c = await body(fetch(`${s.url}/playground/api/config`));
      assert.deepEqual(c.sizes.native, { width: 128, height: 96 });
      assert.deepEqual(c.sizes.buckets[0], { width: 128, height: 96 });
      assert.deepEqual(c.defaultSize, { width: 128, height: 96 });
      assert.equal(c.arena.mode, 'quality');
    } finally {
      await s.stop();
    }
    const t = await startTestServer({ defaultSize: '192x64', playground: { dir: join(tmpdir(), `fp-pg-sizes2-${process.pid}`) } });
    try {
      const c = await body(fetch(`${t.url}/playground/api/config`));
      assert.deepEqual([c.sizes.native, c.defaultSize], [{ width: 64, height: 64 }, { width: 192, height: 64 }]);
    } finally {
      await t.stop();
    }
  });
});

describe('arena with several models', () => {
  let s: TestServer;
  let dir: string;
  const alice = 'alice-key-0123456789abcdef';
  const bob = 'bob-key-0123456789abcdefgh';
  const auth = (key: string) => ({ Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' });
  const api = (path: string, key = alice, init: RequestInit = {}) => fetch(`${s.url}/playground/api/arena/${path}`, { ...init, headers: { ...auth(key), ...(init.headers as object) } });
  const post = (path: string, b: unknown, key = alice) => api(path, key, { method: 'POST', body: JSON.stringify(b) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-arena-models-'));
    for (const m of ['cand-a', 'cand-b', 'fail-c']) mkdirSync(join(dir, m));
    s = await startTestServer({
      keys: [{ name: 'alice', hash: hashKey(alice) }, { name: 'bob', hash: hashKey(bob) }],
      playground: { dir: join(dir, 'pg') },
      arena: { models: [{ dir: join(dir, 'cand-a') }, { dir: join(dir, 'cand-b'), name: 'candidate-b' }, { dir: join(dir, 'fail-c') }] },
    });
    await s.arenaReady;
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the model folders beside the served model, leaving out one that fails to load', async () => {
    const c = await body(fetch(`${s.url}/playground/api/config`));
    assert.deepEqual(c.arena, { mode: 'models', contenders: 3 });
    assert.ok(!c.topics.includes('people'));
    const board = await body(api('leaderboard'));
    assert.deepEqual(board.contenders.map((x: { name: string }) => x.name).sort(), ['cand-a@1', 'candidate-b', 'fake@1']);
    assert.match(board.contenders.find((x: { name: string }) => x.name === 'fake@1').description, /^served model, fake 1, native 64×64, 20 steps$/);
    assert.ok(s.logs().some((l) => l.event === 'arena.model_failed'));
  });

  it('suggests prompts from the topics\' vocabulary', async () => {
    const r = await body(api('suggestion?topic=animals'));
    assert.match(r.prompt, /^an? .+ on an? \w+ background$/);
    assert.equal((await api('suggestion?topic=people')).status, 400);
  });

  it('keeps sides blind, makes each with its own model at one seed and size, and records votes per pair', async () => {
    const seenPairs = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const created = await post('matches', { topic: 'food', prompt: `a pear ${i}` });
      assert.equal(created.status, 201);
      const m = await body(created);
      assert.deepEqual(Object.keys(m).sort(), ['id', 'seed', 'size'], 'names and settings stay on the server');
      assert.equal(m.size, '64x64', 'the served model\'s native size by default');
      assert.equal((await api(`matches/${m.id}/left`, bob, { method: 'POST' })).status, 404, 'another key cannot use the match');
      for (const side of ['left', 'right']) {
        const res = await api(`matches/${m.id}/${side}`, alice, { method: 'POST' });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
        assert.deepEqual([meta.width, meta.height], [64, 64]);
      }
      const jobs = s.executed().filter((j) => j.prompt === `a pear ${i}`);
      assert.equal(jobs.length, 2);
      assert.notEqual(jobs[0]!.model, jobs[1]!.model, 'the two sides are different models');
      assert.equal(jobs[0]!.seed, m.seed);
      assert.equal(jobs[1]!.seed, m.seed);
      assert.ok(jobs.every((j) => j.steps === 20), 'every model at the arena quality');
      const v = await body(post('votes', { match: m.id, winner: i % 3 === 0 ? 'tie' : 'left' }));
      seenPairs.add([v.left, v.right].sort().join(' vs '));
      assert.equal(v.size, '64x64');
    }
    const board = await body(api('leaderboard'));
    assert.equal(board.votes, 12);
    const names = ['cand-a@1', 'candidate-b', 'fake@1'];
    assert.ok(board.pairs.length >= 2 && board.pairs.every((p: { a: string; b: string }) => names.includes(p.a) && names.includes(p.b) && p.a < p.b));
    assert.equal(board.pairs.reduce((n: number, p: { aWins: number; bWins: number; ties: number }) => n + p.aWins + p.bWins + p.ties, 0), 12);
    assert.equal(board.standings.length, 3);
    assert.ok(seenPairs.size >= 2);
    const sized = await body(post('matches', { topic: 'counting', prompt: 'two cats', size: '128x96' }));
    assert.equal(sized.size, '128x96');
    assert.equal((await post('matches', { topic: 'counting', prompt: 'two cats', size: '100x100' })).status, 400);
  });
});
