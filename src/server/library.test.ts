// The playground's photo library API (`flowpaint serve --library DIR`) over a real server with the
// tiny test model: browse, edit with a painted mask, restore, a batch that is stopped and resumed,
// and what the server refuses (bad input, a busy library, paths outside the folder, non-admin
// keys). Versions made by the server are the ones `flowpaint photos replay` makes again in-process.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { PhotoStore, replayVersion, sha256 } from '../photos/index.ts';
import { loadPipeline, type Pipeline } from '../pipeline/index.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { hashKey } from './keys.ts';
import { startTestServer, type TestServer } from './test-support/harness.ts';

const body = async (r: Response | Promise<Response>): Promise<any> => (await r).json();
const POLICY = { output: { enabled: false }, audit: { sink: 'none' } };
const BASE = '/playground/api/library';

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === '.flowpaint') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), sha256(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

/** A PNG mask in the Images API's convention: transparent (change) in the left half. */
async function leftHalfMask(width: number, height: number): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(y * width + x) * 4 + 3] = x < width / 2 ? 0 : 255;
  return sharp(data, { raw: { width, height, channels: 4 } }).png().toBuffer();
}

describe('photo library API over the tiny model', () => {
  let s: TestServer;
  let lib: string;
  let model: string;
  let pipe: Pipeline;
  let originals: Map<string, string>;
  const url = (path: string) => `${s.url}${BASE}${path}`;
  const postJson = (path: string, b: unknown) => fetch(url(path), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
  const edit = (id: string, fields: Record<string, string>, mask?: Uint8Array) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    if (mask) form.set('mask', new Blob([mask as Uint8Array<ArrayBuffer>]), 'mask.png');
    return fetch(url(`/photos/${id}/edits`), { method: 'POST', body: form });
  };
  const until = async (done: () => Promise<boolean>) => {
    const deadline = Date.now() + 60_000;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const noBatchRunning = async () => !(await body(fetch(url('/batches')))).batches.some((b: { running: boolean }) => b.running);

  before(async () => {
    model = await tinyModelDir();
    lib = mkdtempSync(join(tmpdir(), 'fp-library-'));
    for (let i = 0; i < 6; i++) {
      const img = sharp({ create: { width: 64 + 16 * (i % 2), height: 64, channels: 3, background: { r: 40 * i, g: 120, b: 200 - 30 * i } } });
      writeFileSync(join(lib, `p${i}.${i % 2 ? 'jpg' : 'png'}`), i % 2 ? await img.jpeg().toBuffer() : await img.png().toBuffer());
    }
    originals = snapshot(lib);
    [s, pipe] = await Promise.all([
      startTestServer({
        pipeline: { modelDir: model, options: { threads: 1, safetyConfig: POLICY } },
        quality: { low: { steps: 1, fast: true }, medium: { steps: 1 }, high: { steps: 2 } },
        library: { dir: lib },
      }),
      loadPipeline({ modelDir: model, threads: 1, safetyConfig: POLICY }),
    ]);
  });
  after(async () => {
    await pipe?.release();
    await s?.stop();
    if (lib) rmSync(lib, { recursive: true, force: true });
  });

  it('indexes the folder and serves thumbnails and upright working images', async () => {
    const empty = await body(fetch(url('')));
    assert.deepEqual([empty.indexed, empty.photos.length], [false, 0]);
    const r = await body(postJson('/index', {}));
    assert.equal(r.added.length, 6);
    const l = await body(fetch(url('')));
    assert.equal(l.photos.length, 6);
    assert.ok(l.presets.some((p: { name: string }) => p.name === 'recolor'));
    const p1 = l.photos.find((p: { path: string }) => p.path === 'p1.jpg');
    assert.deepEqual([p1.width, p1.height, p1.working.width, p1.working.height, p1.current], [80, 64, 80, 64, 0]);
    const thumb = await fetch(url(`/photos/${p1.id}/versions/0/thumb`));
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    const img = await fetch(url(`/photos/${p1.id}/versions/0/image`));
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.exif], ['png', 80, 64, undefined]);
  });

  it('edits one photo with a painted mask: a new version, replayable in-process, originals untouched', async () => {
    const store = PhotoStore.open(lib);
    const p0 = store.find('p0.png');
    const res = await edit(p0.id, { instruction: 'a yellow star', quality: 'low', seed: '7' }, await leftHalfMask(64, 64));
    assert.equal(res.status, 201, JSON.stringify(await res.clone().json()));
    const r = await res.json() as { photo: { current: number }; version: { n: number; parent: number; masked: boolean; seed: number; steps: number; model: string } };
    assert.deepEqual([r.photo.current, r.version.n, r.version.parent, r.version.masked, r.version.seed, r.version.steps, r.version.model], [1, 1, 0, true, 7, 1, 'tiny']);
    // The stored mask is white on black, the left half.
    const fresh = PhotoStore.open(lib);
    const v = fresh.find('p0.png').versions[0]!;
    const mask = await sharp(fresh.path(v.recipe.mask!)).greyscale().raw().toBuffer();
    assert.deepEqual([mask[0], mask[63]], [255, 0]);
    // Outside the mask the photo is kept exactly (the pipeline pastes it back).
    const [before, after] = await Promise.all([0, 1].map(async (n) => sharp(Buffer.from(await (await fetch(url(`/photos/${p0.id}/versions/${n}/image`))).arrayBuffer())).raw().toBuffer()));
    assert.deepEqual(after!.subarray((64 - 1) * 3, 64 * 3), before!.subarray((64 - 1) * 3, 64 * 3));
    assert.deepEqual(await replayVersion(fresh, pipe, fresh.find('p0.png'), 1), { identical: true, modelMatches: true });
    // A second edit from the original, without a mask, by preset.
    const second = await body(edit(p0.id, { preset: 'recolor', object: 'sky', color: 'orange', quality: 'low', from: '0' }));
    assert.deepEqual([second.version.n, second.version.parent, second.version.instruction, second.version.preset], [2, 0, 'make the sky orange', 'recolor']);
    assert.deepEqual(snapshot(lib), originals);
  });

  it('restores any version; nothing is deleted', async () => {
    const id = PhotoStore.open(lib).find('p0.png').id;
    assert.equal((await body(postJson(`/photos/${id}/restore`, { version: 0 }))).current, 0);
    assert.equal((await body(postJson(`/photos/${id}/restore`, { version: 1 }))).current, 1);
    const missing = await postJson(`/photos/${id}/restore`, { version: 9 });
    assert.equal(missing.status, 404);
    assert.match((await body(missing)).error.message, /has no version 9/);
    assert.equal(PhotoStore.open(lib).find('p0.png').versions.length, 2);
  });

  it('refuses bad input with 400s and names the problem', async () => {
    const id = PhotoStore.open(lib).find('p2.png').id;
    const cases: Array<[() => Promise<Response>, number, RegExp]> = [
      [() => fetch(url('/photos/nope/versions/0/thumb')), 400, /12 hex digits/],
      [() => fetch(url('/photos/0123456789ab/versions/0/thumb')), 404, /no photo 0123456789ab/],
      [() => fetch(url(`/photos/${id}/versions/2/thumb`)), 404, /no version 2/],
      [() => fetch(url(`/photos/${id}/versions/x/image`)), 400, /version/],
      [() => fetch(url(`/photos/${id}/versions/3/image`)), 404, /no version 3/],
      [() => edit(id, {}), 400, /say what to change/],
      [() => edit(id, { instruction: 'x', preset: 'deblur' }), 400, /not both/],
      [() => edit(id, { preset: 'recolor', object: 'sky' }), 400, /needs --color/],
      [() => edit(id, { preset: 'paint' }), 400, /unknown preset 'paint'/],
      [() => edit(id, { instruction: 'x', strength: '3' }), 400, /unknown field 'strength'/],
      [() => edit(id, { instruction: 'x', quality: 'ultra' }), 400, /quality/],
      [async () => edit(id, { instruction: 'x' }, await leftHalfMask(32, 32)), 400, /mask is 32x32 but the image is 64x64/],
      [() => edit(id, { instruction: 'x' }, new TextEncoder().encode('not a png')), 400, /mask is not an image/],
      [() => edit(id, { instruction: 'x', from: '4' }), 404, /has no version 4/],
      [() => postJson(`/photos/${id}/edits`, { instruction: 'x' }), 400, /multipart/],
      [() => postJson(`/photos/${id}/restore`, { version: -1 }), 400, /version/],
      [() => fetch(url(`/photos/${id}/restore`), { method: 'POST', body: 'not json' }), 400, /JSON/],
      [() => postJson('/batches', { photos: [], instruction: 'x' }), 400, /at least one photo/],
      [() => postJson('/batches', { photos: ['0123456789ab'], instruction: 'x' }), 400, /not in the library: 0123456789ab/],
      [() => postJson('/batches/20260101T000000-abcdef/stop', {}), 404, /not running/],
      [() => postJson('/batches/20260101T000000-abcdef/resume', {}), 404, /no batch/],
      [() => postJson('/batches/..%2F..%2Fetc/resume', {}), 400, /not a batch id/],
    ];
    for (const [req, status, message] of cases) {
      const r = await req();
      const b = await body(r);
      assert.equal(r.status, status, JSON.stringify(b));
      assert.match(b.error.message, message);
    }
  });

  it('a batch over every photo: busy while it runs, stopped like Ctrl-C, resumed; every version restorable and replayable', async () => {
    const ids = PhotoStore.open(lib).photos.map((p) => p.id);
    const start = await postJson('/batches', { photos: ids, instruction: 'remove the motion blur', quality: 'low', seed: 100 });
    assert.equal(start.status, 202);
    const batch = await body(start);
    assert.deepEqual([batch.total, batch.running], [6, true]);
    // One writer at a time: an edit or a restore waits its turn (409), a read does not.
    const busy = await edit(ids[0]!, { instruction: 'x' });
    assert.equal(busy.status, 409);
    assert.match((await body(busy)).error.message, /busy with batch/);
    assert.equal((await fetch(url(''))).status, 200);
    assert.equal((await postJson(`/batches/${batch.id}/stop`, {})).status, 202);
    await until(noBatchRunning);
    const stopped = (await body(fetch(url('/batches')))).batches.find((b: { id: string }) => b.id === batch.id);
    assert.ok(stopped.pending > 0 && stopped.done + stopped.pending === 6, JSON.stringify(stopped));

    const resumed = await postJson(`/batches/${batch.id}/resume`, {});
    assert.equal(resumed.status, 202);
    await until(noBatchRunning);
    const finished = (await body(fetch(url('/batches')))).batches.find((b: { id: string }) => b.id === batch.id);
    assert.deepEqual([finished.done, finished.failed, finished.pending], [6, 0, 0]);
    assert.equal((await postJson(`/batches/${batch.id}/resume`, {})).status, 400, 'nothing left to resume');

    const store = PhotoStore.open(lib);
    for (const p of store.photos) {
      const made = p.versions.filter((v) => v.batch?.id === batch.id);
      assert.equal(made.length, 1, `${p.path}: one version from the batch`);
      assert.equal(made[0]!.recipe.seed, 100 + ids.indexOf(p.id));
      for (const v of p.versions) {
        assert.deepEqual(await replayVersion(store, pipe, p, v.n), { identical: true, modelMatches: true }, `${p.path} v${v.n}`);
        const restored = await body(postJson(`/photos/${p.id}/restore`, { version: v.n }));
        assert.equal(restored.current, v.n);
        const bytes = new Uint8Array(await (await fetch(url(`/photos/${p.id}/versions/${v.n}/image`))).arrayBuffer());
        assert.equal(sha256(bytes), v.sha256, `${p.path} v${v.n} served as stored`);
      }
    }
    assert.deepEqual(snapshot(lib), originals, 'originals byte for byte');
  });

  it('refuses to write while `flowpaint photos` holds the library (its lock file)', async () => {
    const lock = join(lib, '.flowpaint', 'lock');
    // A live process other than this one (the server runs in the test's process): the test runner.
    writeFileSync(lock, String(process.ppid));
    try {
      const id = PhotoStore.open(lib).find('p2.png').id;
      for (const r of [await postJson(`/photos/${id}/restore`, { version: 0 }), await postJson('/batches', { photos: [id], instruction: 'x', quality: 'low' })]) {
        assert.equal(r.status, 409);
        assert.match((await body(r)).error.message, new RegExp(`busy \\(process ${process.ppid} is working on it\\)`));
      }
      assert.equal((await fetch(url(''))).status, 200, 'reading does not wait');
    } finally {
      rmSync(lock, { force: true });
    }
    assert.equal((await body(fetch(url('/batches')))).batches.filter((b: { instruction: string }) => b.instruction === 'x').length, 0, 'no journal was written');
  });

  it('reads no file outside the library folder, whatever the index says', async () => {
    const file = join(lib, '.flowpaint', 'index.json');
    const saved = readFileSync(file, 'utf8');
    try {
      const index = JSON.parse(saved);
      index.photos[0].thumb = '../../../../../../etc/hostname';
      index.photos[0].versions[0].file = '../p1.jpg';
      writeFileSync(file, JSON.stringify(index));
      const id = index.photos[0].id;
      for (const path of [`/photos/${id}/versions/0/thumb`, `/photos/${id}/versions/${index.photos[0].versions[0].n}/image`, `/photos/${id}/versions/${index.photos[0].versions[0].n}/thumb`]) {
        const r = await fetch(url(path));
        assert.equal(r.status, 404, path);
        assert.match((await body(r)).error.message, /outside the library folder|missing/);
      }
    } finally {
      writeFileSync(file, saved);
    }
  });
});

describe('photo library API: who may use it', () => {
  it('404 without a library; 401 without a key, 403 for a key that is not admin', async () => {
    const plain = await startTestServer();
    try {
      const r = await fetch(`${plain.url}${BASE}`);
      assert.equal(r.status, 404);
      assert.match((await body(r)).error.message, /--library DIR/);
    } finally {
      await plain.stop();
    }
    const lib = mkdtempSync(join(tmpdir(), 'fp-library-keys-'));
    const keyed = await startTestServer({ library: { dir: lib }, keys: [{ name: 'admin', hash: hashKey('fp-admin-key-0123456789'), admin: true }, { name: 'user', hash: hashKey('fp-user-key-0123456789') }] });
    try {
      const get = (key?: string) => fetch(`${keyed.url}${BASE}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
      assert.equal((await get()).status, 401);
      const user = await get('fp-user-key-0123456789');
      assert.equal(user.status, 403);
      assert.match((await body(user)).error.message, /admin keys only/);
      assert.equal((await get('fp-admin-key-0123456789')).status, 200);
    } finally {
      await keyed.stop();
      rmSync(lib, { recursive: true, force: true });
    }
  });
});
