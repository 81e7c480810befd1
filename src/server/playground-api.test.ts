// The playground's own API over a real server with the fake pipeline: uploads are fitted to a
// size the model takes, bad input is refused with OpenAI-shaped errors, matches take one vote.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { pngBytes, startTestServer, type TestServer } from './test-support/harness.ts';

// Response bodies are checked field by field below; their types add nothing here.
const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

describe('playground API', () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fp-playground-api-'));
    s = await startTestServer({ playground: { dir } }, { fake: { flashGuidanceRange: [1, 8] } });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (meta: unknown, image?: Uint8Array) => {
    const form = new FormData();
    if (image) form.set('image', new Blob([image as Uint8Array<ArrayBuffer>]), 'x.png');
    form.set('meta', JSON.stringify(meta));
    return fetch(`${s.url}/playground/api/history`, { method: 'POST', body: form });
  };

  it('sends /playground, where people look for it, to the page at the root', async () => {
    for (const path of ['/playground', '/playground/']) {
      const res = await fetch(`${s.url}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 301, path);
      assert.equal(new URL(res.headers.get('location')!, s.url).pathname, '/');
    }
  });

  it('says whether a key is needed and what the limits are', async () => {
    const c = await body(fetch(`${s.url}/playground/api/config`));
    assert.equal(c.keyRequired, false);
    assert.equal(c.maxPixels, 1_048_576);
    assert.deepEqual([c.minSide, c.sideMultiple], [64, 16]);
    assert.ok(c.topics.includes('animals'));
    // The served model's default guidance scale, and the range its (fake) Flash takes it over.
    assert.deepEqual(c.guidance, { default: 4, fastRange: [1, 8] });
  });

  it('fits uploads to the model\'s size grid, and keeps API results byte for byte', async () => {
    const res = await post({ kind: 'upload' }, await pngBytes(100, 70));
    assert.equal(res.status, 201);
    const item = await body(res);
    assert.deepEqual([item.width, item.height, item.contentType], [96, 64, 'image/png']);
    const img = await (await fetch(`${s.url}/playground/api/history/${item.id}/image`)).arrayBuffer();
    const meta = await sharp(Buffer.from(img)).metadata();
    assert.deepEqual([meta.width, meta.height], [96, 64]);

    const original = await pngBytes(64, 64);
    const kept = await body(post({ kind: 'edit', prompt: 'x', parent: item.id }, original));
    assert.equal(kept.root, item.id);
    assert.deepEqual(new Uint8Array(await (await fetch(`${s.url}/playground/api/history/${kept.id}/image`)).arrayBuffer()), original);
  });

  it('refuses what is not an image, bad metadata and unknown parents', async () => {
    const notImage = await post({ kind: 'upload' }, new TextEncoder().encode('hello'));
    assert.equal(notImage.status, 400);
    assert.match((await body(notImage)).error.message, /not an image/);
    assert.equal((await post({ kind: 'paint' }, await pngBytes(64, 64))).status, 400);
    assert.equal((await post({ kind: 'upload' })).status, 400);
    const orphan = await post({ kind: 'edit', parent: '0000000000000000000' }, await pngBytes(64, 64));
    assert.equal(orphan.status, 400);
    assert.equal((await fetch(`${s.url}/playground/api/history/nope`, { method: 'DELETE' })).status, 404);
  });

  it('takes one vote per match and fits the leaderboard per topic', async () => {
    const json = (path: string, body: unknown) => fetch(`${s.url}/playground/api/arena/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await json('matches', { topic: 'nope', prompt: 'x' })).status, 400);
    const m = await body(json('matches', { topic: 'objects', prompt: 'a cup' }));
    assert.deepEqual(Object.keys(m).sort(), ['id', 'seed', 'size'], 'the page never learns which contender is which');
    assert.equal((await json('votes', { match: m.id, winner: 'tie' })).status, 201);
    assert.equal((await json('votes', { match: m.id, winner: 'left' })).status, 404);
    const board = await body(fetch(`${s.url}/playground/api/arena/leaderboard?topic=objects`));
    assert.equal(board.votes, 1);
    assert.equal(board.standings.reduce((n: number, x: { ties: number }) => n + x.ties, 0), 2);
    assert.equal((await fetch(`${s.url}/playground/api/arena/leaderboard?topic=bogus`)).status, 400);
  });
});
