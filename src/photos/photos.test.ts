// The photo library on a folder of 50 photos with the tiny test model: originals stay byte for
// byte, a batch interrupted (abort, or a crash between index and journal) resumes without
// redoing finished work, every version restores and replays, EXIF orientation is applied and
// location is stripped unless asked for.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { loadPipeline, type Pipeline, readPngText } from '../pipeline/index.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { createBatch, editPhoto, presetInstruction, replayVersion, runBatch, saveBatch, unfinishedBatches } from './batch.ts';
import { hasLocation } from './exif.ts';
import { PhotoStore, sha256 } from './store.ts';

/** A little-endian TIFF/EXIF block: Make, Orientation and a GPS IFD with a latitude. */
function exifBlock(orientation: number): Buffer {
  const b = Buffer.alloc(112);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(3, 8);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeUInt32LE(count, at + 4);
    if (type === 3) b.writeUInt16LE(value, at + 8);
    else b.writeUInt32LE(value, at + 8);
  };
  entry(10, 0x010f, 2, 8, 50); // Make → "TestCam"
  entry(22, 0x0112, 3, 1, orientation);
  entry(34, 0x8825, 4, 1, 58); // GPS IFD
  b.write('TestCam\0', 50, 'latin1');
  b.writeUInt16LE(2, 58);
  entry(60, 0x0001, 2, 2, 0);
  b.write('N\0', 68, 'latin1');
  entry(72, 0x0002, 5, 3, 88);
  [51, 1, 30, 1, 1234, 100].forEach((v, i) => b.writeUInt32LE(v, 88 + 4 * i));
  return b;
}

/** A JPEG with an APP1 EXIF segment after its APP0. */
function withExif(jpeg: Buffer, tiff: Buffer): Buffer {
  const at = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 4 + jpeg.readUInt16BE(4) : 2;
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, at), head, body, jpeg.subarray(at)]);
}

/** The eXIf chunk of a PNG, if any. */
function pngExif(png: Uint8Array): Buffer | undefined {
  const b = Buffer.from(png);
  for (let at = 8; at < b.length; ) {
    const len = b.readUInt32BE(at);
    if (b.toString('latin1', at + 4, at + 8) === 'eXIf') return b.subarray(at + 8, at + 8 + len);
    at += 12 + len;
  }
  return undefined;
}

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

const N = 50;
let dir: string;
let model: string;
let pipe: Pipeline;
let originals: Map<string, string>;
const POLICY = { output: { enabled: false }, audit: { sink: 'none' } };

before(async () => {
  model = await tinyModelDir();
  pipe = await loadPipeline({ modelDir: model, threads: 1, safetyConfig: POLICY });
  dir = mkdtempSync(join(tmpdir(), 'photos-'));
  mkdirSync(join(dir, 'trip'));
  for (let i = 0; i < N - 1; i++) {
    const img = sharp({ create: { width: 64 + 16 * (i % 3), height: 64 + 16 * (i % 2), channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 13) % 256 } } });
    const folder = i % 10 === 0 ? join(dir, 'trip') : dir;
    const kind = ['png', 'jpg', 'webp'][i % 3]!;
    const bytes = kind === 'png' ? await img.png().toBuffer() : kind === 'jpg' ? await img.jpeg().toBuffer() : await img.webp().toBuffer();
    writeFileSync(join(folder, `photo-${String(i).padStart(2, '0')}.${kind}`), bytes);
  }
  // Stored 96×64, rotated 90° by EXIF (orientation 6), with a GPS location.
  const jpeg = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();
  writeFileSync(join(dir, 'rotated.jpg'), withExif(jpeg, exifBlock(6)));
  writeFileSync(join(dir, 'broken.jpg'), Buffer.from('not a jpeg at all'));
  writeFileSync(join(dir, 'notes.txt'), 'not a photo');
  originals = snapshot(dir);
});
after(async () => {
  await pipe?.release();
});

describe('index', () => {
  test('finds every photo (recursively), skips what sharp cannot read, makes upright thumbnails', async () => {
    const meta = await sharp(readFileSync(join(dir, 'rotated.jpg'))).metadata();
    assert.equal(meta.orientation, 6, 'the fixture carries EXIF orientation 6');
    assert.ok(hasLocation(meta.exif), 'the fixture carries a GPS location');
    const store = PhotoStore.open(dir);
    const r = await store.index();
    assert.equal(r.added.length, N);
    assert.deepEqual(r.skipped.map((s) => s.path), ['broken.jpg']);
    assert.ok(store.photos.some((p) => p.path === 'trip/photo-00.png'));
    const rotated = store.find('rotated.jpg');
    assert.deepEqual([rotated.width, rotated.height, rotated.orientation, rotated.hasLocation], [64, 96, 6, true]);
    const thumb = await sharp(store.path(rotated.thumb)).metadata();
    assert.deepEqual([thumb.width, thumb.height, thumb.exif], [64, 96, undefined]);
    const again = await PhotoStore.open(dir).index();
    assert.deepEqual([again.added.length, again.unchanged], [0, N]);
  });
});

describe('a batch over 50 photos, interrupted and resumed', () => {
  test('abort after 5, a crash between index and journal, resume: every photo done once, originals untouched', async () => {
    let store = PhotoStore.open(dir);
    const journal = createBatch(store, [...store.photos], { instruction: presetInstruction('recolor', { object: 'sky', color: 'orange' }), seed: 40, steps: 1 });
    const abort = new AbortController();
    const first = await runBatch(store, pipe, journal, { signal: abort.signal, onItem: (p) => p.done === 5 && abort.abort() });
    assert.deepEqual(first, { done: 5, failed: 0, pending: N - 5 });
    // A crash after item 5's version reached the index, before the journal said so.
    const onDisk = JSON.parse(readFileSync(store.path('batches', `${journal.id}.json`), 'utf8'));
    assert.equal(onDisk.items.filter((i: { status: string }) => i.status === 'done').length, 5);
    onDisk.items[4].status = 'pending';
    delete onDisk.items[4].version;
    saveBatch(store, onDisk);

    store = PhotoStore.open(dir);
    const left = unfinishedBatches(store);
    assert.equal(left.length, 1);
    const second = await runBatch(store, pipe, left[0]!);
    assert.deepEqual(second, { done: N, failed: 0, pending: 0 });
    assert.equal(unfinishedBatches(store).length, 0);

    store = PhotoStore.open(dir);
    for (const [k, p] of store.photos.entries()) {
      assert.equal(p.versions.length, 1, `${p.path} has exactly one version`);
      const v = p.versions[0]!;
      assert.equal(p.current, 1);
      assert.equal(v.recipe.instruction, 'make the sky orange');
      assert.equal(v.recipe.seed, 40 + left[0]!.items.findIndex((i) => i.photo === p.id));
      assert.equal(sha256(readFileSync(store.path(v.file))), v.sha256);
      // Restorable both ways: the original and the version.
      store.restore(p, 0);
      assert.equal(p.current, 0);
      store.restore(p, 1);
      assert.equal(p.current, 1);
      const text = readPngText(readFileSync(store.path(v.file)));
      assert.equal(JSON.parse(text['flowpaint:history']!).length, 1, `${k}`);
      assert.ok(text['flowpaint:provenance']);
    }
    assert.deepEqual(snapshot(dir), originals, 'originals byte for byte');
    assert.deepEqual(store.verify(), { originals: N, versions: N, problems: [] });
  });

  test('EXIF: versions are upright; location stripped by default, EXIF kept on request without or with location', async () => {
    const store = PhotoStore.open(dir);
    const p = store.find('rotated.jpg');
    const v1 = p.versions[0]!;
    assert.deepEqual([v1.width, v1.height], [64, 96], 'upright');
    assert.equal(pngExif(readFileSync(store.path(v1.file))), undefined, 'no EXIF at all by default');
    const kept = await editPhoto(store, pipe, p, { instruction: 'remove the motion blur', seed: 1, steps: 1, exif: 'keep' });
    const exif = pngExif(readFileSync(store.path(kept.version.file)))!;
    assert.ok(exif, 'EXIF kept');
    assert.equal(hasLocation(exif), false);
    assert.ok(exif.includes(Buffer.from('TestCam')), 'camera kept');
    assert.ok(!exif.includes(Buffer.from([51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0])), 'the coordinates are gone, not just unreferenced');
    assert.equal((await sharp(readFileSync(store.path(kept.version.file))).metadata()).orientation ?? 1, 1);
    const withGps = await editPhoto(store, pipe, p, { instruction: 'remove the motion blur', seed: 1, steps: 1, exif: 'keep-location' });
    assert.equal(hasLocation(pngExif(readFileSync(store.path(withGps.version.file)))), true);
    // A chain: v2 came from v1, v3 from v2; the PNG carries all three rounds.
    assert.deepEqual([kept.version.parent, withGps.version.parent], [1, 2]);
    assert.equal(JSON.parse(readPngText(readFileSync(store.path(withGps.version.file)))['flowpaint:history']!).length, 3);
    assert.deepEqual(snapshot(dir), originals);
  });

  test('replay makes each version again, pixel for pixel', async () => {
    const store = PhotoStore.open(dir);
    const p = store.find('rotated.jpg');
    for (const n of [1, 2, 3]) assert.deepEqual(await replayVersion(store, pipe, p, n), { identical: true, modelMatches: true }, `v${n}`);
    assert.deepEqual(await replayVersion(store, pipe, store.find('trip/photo-10.jpg'), 1), { identical: true, modelMatches: true });
  });
});

describe('flowpaint photos (the command)', () => {
  const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;

  function flowpaint(args: string[], opts: { killAfter?: RegExp; signal?: NodeJS.Signals } = {}): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
    const policy = join(dir, '..', `photos-policy-${process.pid}.json`);
    writeFileSync(policy, JSON.stringify(POLICY));
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, FLOWPAINT_SAFETY_CONFIG: policy, FLOWPAINT_ORT_SPINNING: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (opts.killAfter?.test(stderr) && !child.killed) child.kill(opts.signal ?? 'SIGKILL');
    });
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  }

  test('Ctrl-C (SIGINT) stops a batch cleanly: finished versions kept, exit 130, resume does the rest', async () => {
    const lib = mkdtempSync(join(tmpdir(), 'photos-cli-int-'));
    for (let i = 0; i < 5; i++) writeFileSync(join(lib, `q${i}.png`), await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 50 * i, b: 90 } } }).png().toBuffer());
    const before = snapshot(lib);
    assert.equal((await flowpaint(['photos', 'index', lib])).code, 0);
    const stopped = await flowpaint(['photos', 'edit', lib, '--all', '--instruction', 'remove the motion blur', '--seed', '3', '--model', model, '--steps', '1', '--threads', '1'], { killAfter: /1\/5/, signal: 'SIGINT' });
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /stopping: finished versions are kept/);
    const m = /batch \S+: (\d+) done, 0 failed, (\d+) left/.exec(stopped.stdout)!;
    assert.ok(m, stopped.stdout);
    const [done, left] = [Number(m[1]), Number(m[2])];
    assert.ok(done >= 1 && left >= 1 && done + left === 5, stopped.stdout);
    const store = PhotoStore.open(lib);
    assert.equal(store.photos.filter((p) => p.versions.length === 1).length, done, 'the index holds exactly the finished versions');
    assert.equal(unfinishedBatches(store).length, 1);
    const resumed = await flowpaint(['photos', 'resume', lib, '--model', model, '--threads', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /5 done, 0 failed, 0 left/);
    const after = PhotoStore.open(lib);
    assert.ok(after.photos.every((p) => p.versions.length === 1 && p.current === 1), 'each photo edited once');
    assert.deepEqual(after.verify(), { originals: 5, versions: 5, problems: [] });
    assert.deepEqual(snapshot(lib), before);
  });

  test('a batch killed mid-way (SIGKILL) resumes; restore and export; usage errors exit 2', async () => {
    const lib = mkdtempSync(join(tmpdir(), 'photos-cli-'));
    for (let i = 0; i < 6; i++) writeFileSync(join(lib, `p${i}.png`), await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40 * i, g: 90, b: 200 } } }).png().toBuffer());
    const before = snapshot(lib);
    const indexed = await flowpaint(['photos', 'index', lib]);
    assert.equal(indexed.code, 0, indexed.stderr);
    const common = ['--model', model, '--steps', '1', '--threads', '1'];
    const killed = await flowpaint(['photos', 'edit', lib, '--all', '--instruction', 'make the sky orange', '--seed', '9', ...common], { killAfter: /2\/6/ });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const store = PhotoStore.open(lib);
    const done = store.photos.filter((p) => p.versions.length === 1).length;
    assert.ok(done >= 2 && done < 6, `${done} finished before the kill`);
    const resumed = await flowpaint(['photos', 'resume', lib, '--model', model, '--threads', '1']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /6 done, 0 failed, 0 left/);
    const after = PhotoStore.open(lib);
    assert.ok(after.photos.every((p) => p.versions.length === 1 && p.current === 1));
    assert.equal((await flowpaint(['photos', 'restore', lib, 'p0.png', '0'])).code, 0);
    assert.equal(PhotoStore.open(lib).find('p0.png').current, 0);
    const out = join(lib, '..', `export-${process.pid}.png`);
    assert.equal((await flowpaint(['photos', 'export', lib, 'p1.png', '-o', out])).code, 0);
    assert.equal(sha256(readFileSync(out)), after.find('p1.png').versions[0]!.sha256);
    assert.match((await flowpaint(['photos', 'history', lib, 'p1.png'])).stdout, /v1 from original: "make the sky orange" seed \d+, 1 steps, tiny 0/);
    const verified = await flowpaint(['photos', 'verify', lib]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /^6\/6 originals byte-identical, 6\/6 versions intact\n$/);
    assert.equal((await flowpaint(['photos', 'edit', lib, '--all'])).code, 2);
    assert.equal((await flowpaint(['photos', 'edit', lib, 'nope.png', '--instruction', 'x'])).code, 2);
    assert.equal((await flowpaint(['photos', 'edit', lib, '--all', '--preset', 'recolor', '--object', 'sky'])).code, 2);
    assert.deepEqual(snapshot(lib), before);
    // A changed original and a damaged version are both reported, and the exit status says so.
    writeFileSync(join(lib, 'p2.png'), 'changed');
    writeFileSync(after.path(after.find('p3.png').versions[0]!.file), 'damaged');
    const broken = await flowpaint(['photos', 'verify', lib]);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /^5\/6 originals byte-identical, 5\/6 versions intact, 2 problems/);
    assert.match(broken.stderr, /p2\.png: the original differs/);
    assert.match(broken.stderr, /p3\.png v1: versions\/[0-9a-f]+\/1\.png does not match its recorded checksum/);
  });
});
