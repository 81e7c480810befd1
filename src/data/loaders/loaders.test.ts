import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadDataset, loadImageFolder, loadJsonlManifest } from './dataset.ts';

let root: string;

async function png(path: string, w: number, h: number, rgb: [number, number, number]): Promise<void> {
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(path);
}

async function folder(name: string, files: Record<string, string | [number, number] | Buffer>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    if (Array.isArray(v)) await png(join(dir, f), v[0], v[1], [200, 30, 30]);
    else await writeFile(join(dir, f), v);
  }
  return dir;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'flowpaint-loaders-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('folder: images with .txt captions load, bucket by aspect ratio, decode to bucket size', async () => {
  const dir = await folder('ok', {
    'a.png': [300, 300], 'a.txt': 'a red square\n',
    'sub/wide.png': [800, 400], 'sub/wide.txt': 'a wide red thing',
  });
  const ds = await loadImageFolder(dir, { maxPixels: 128 * 128 });
  assert.equal(ds.size, 2);
  assert.equal(ds.skipped.length, 0);
  const a = await ds.get(0);
  assert.equal(a.kind, 't2i');
  if (a.kind !== 't2i') return;
  assert.equal(a.caption, 'a red square');
  assert.deepEqual([a.image.width, a.image.height], [128, 128]);
  assert.equal(a.image.data.length, 128 * 128 * 3);
  assert.deepEqual(Array.from(a.image.data.subarray(0, 3)), [200, 30, 30]);
  const wide = ds.items[1]!;
  assert.ok(wide.bucket.width > wide.bucket.height && wide.bucket.width % 16 === 0);
});

test('folder: a missing caption names the image', async () => {
  const dir = await folder('nocap', { 'a.png': [64, 64], 'a.txt': 'ok', 'b.png': [64, 64] });
  await assert.rejects(loadImageFolder(dir), (e: Error) => e.name === 'InputError' && /b\.png: no caption file/.test(e.message));
});

test('folder: an empty caption names the .txt file', async () => {
  const dir = await folder('emptycap', { 'a.png': [64, 64], 'a.txt': '  \n' });
  await assert.rejects(loadImageFolder(dir), /a\.txt: caption is empty/);
});

test('folder: broken, non-image and oversized files are named; skip mode counts them', async () => {
  const good = await readFile(await (async () => { const p = join(root, 'g.png'); await png(p, 64, 64, [1, 2, 3]); return p; })());
  const dir = await folder('broken', {
    'a.png': [64, 64], 'a.txt': 'fine',
    'b.png': good.subarray(0, Math.floor(good.length / 2)), 'b.txt': 'truncated',
    'c.png': Buffer.from('this is not a png'), 'c.txt': 'text file',
    'd.png': [400, 400], 'd.txt': 'too many pixels',
  });
  const limits = { maxInputPixels: 100_000 };
  await assert.rejects(loadImageFolder(dir, { limits }), (e: Error) => /b\.png: cannot decode image/.test(e.message));
  const ds = await loadImageFolder(dir, { limits, onError: 'skip' });
  assert.equal(ds.size, 1);
  assert.equal(ds.skipped.length, 3);
  const reasons = Object.fromEntries(ds.skipped.map((s) => [s.where.file.split('/').pop(), s.reason]));
  assert.match(reasons['b.png']!, /cannot decode/);
  assert.match(reasons['c.png']!, /not an image|cannot decode/);
  assert.match(reasons['d.png']!, /too large|limit is 100000/);
});

test('folder: files over the byte limit are refused before decoding', async () => {
  const dir = await folder('bytes', { 'a.png': [256, 256], 'a.txt': 'big' });
  await assert.rejects(loadImageFolder(dir, { limits: { maxFileBytes: 10 } }), /a\.png: file is \d+ bytes; the limit is 10/);
});

test('manifest: captioned images and edit triplets, paths relative to the manifest', async () => {
  const dir = await folder('man', { 'imgs/x.png': [96, 64], 'imgs/y.png': [96, 64] });
  await sharp({ create: { width: 96, height: 64, channels: 3, background: '#000' } })
    .composite([{ input: { create: { width: 30, height: 64, channels: 3, background: '#fff' } }, left: 0, top: 0 }])
    .png()
    .toFile(join(dir, 'imgs/m.png'));
  const manifest = join(dir, 'data.jsonl');
  await writeFile(manifest, [
    JSON.stringify({ image: 'imgs/x.png', caption: 'a red rectangle' }),
    '',
    JSON.stringify({ source: 'imgs/x.png', instruction: 'keep it red', target: 'imgs/y.png', mask: 'imgs/m.png' }),
    JSON.stringify({ source: 'imgs/x.png', instruction: 'no mask here', target: 'imgs/y.png' }),
  ].join('\n'));
  const ds = await loadDataset(manifest, { maxPixels: 64 * 64 });
  assert.equal(ds.size, 3);
  const e = await ds.get(1);
  assert.equal(e.kind, 'edit');
  if (e.kind !== 'edit') return;
  assert.equal(e.instruction, 'keep it red');
  assert.equal(e.source.width, e.target.width);
  assert.ok(e.mask);
  const set = e.mask.data.filter((v) => v === 255).length;
  assert.ok(set > 0 && set < e.mask.data.length, 'mask keeps its white part only');
  assert.ok(e.mask.data.every((v) => v === 0 || v === 255));
  const noMask = await ds.get(2);
  assert.equal(noMask.kind === 'edit' && noMask.mask, null);
});

test('manifest errors name the manifest line and the field or file', async () => {
  const dir = await folder('manerr', { 'x.png': [64, 64], 'small.png': [32, 32] });
  const m = join(dir, 'm.jsonl');
  const cases: [string, RegExp][] = [
    ['{"image": "x.png", "caption": "ok"}\n{not json', /m\.jsonl:2: invalid JSON/],
    ['{"image": "x.png"}', /m\.jsonl:1: field "caption": is missing/],
    ['{"image": "x.png", "caption": "a", "extra": 1}', /m\.jsonl:1: unknown field\(s\) "extra"/],
    ['{"source": "x.png", "target": "x.png"}', /m\.jsonl:1: field "instruction": is missing/],
    ['{"source": "x.png", "target": "x.png", "instruction": 3}', /m\.jsonl:1: field "instruction": must be a string/],
    ['[1, 2]', /m\.jsonl:1: expected a JSON object/],
    ['\n\n{"image": "gone.png", "caption": "a"}', /m\.jsonl:3: .*gone\.png: file not found/],
    ['{"source": "x.png", "instruction": "i", "target": "small.png"}', /m\.jsonl:1: .*small\.png: target is 32x32 but source is 64x64/],
    ['{"image": "x.png", "caption": ""}', /m\.jsonl:1: field "caption"/],
  ];
  for (const [text, re] of cases) {
    await writeFile(m, text);
    await assert.rejects(loadJsonlManifest(m), (e: Error) => e.name === 'InputError' && re.test(e.message), `case ${text}`);
  }
  await assert.rejects(loadJsonlManifest(join(dir, 'nope.jsonl')), /nope\.jsonl: manifest not found/);
  await writeFile(m, '{"image": "x.png", "caption": "ok"}\n{bad\n{"image": "gone.png", "caption": "a"}\n');
  const ds = await loadJsonlManifest(m, { onError: 'skip' });
  assert.equal(ds.size, 1);
  assert.deepEqual(ds.skipped.map((s) => s.where.line), [2, 3]);
});

test('epochs: seeded order, one bucket per batch, and a file broken after loading is skipped, not thrown', async () => {
  const files: Record<string, string | [number, number]> = {};
  for (let i = 0; i < 6; i++) {
    files[`sq${i}.png`] = [64, 64];
    files[`sq${i}.txt`] = `square ${i}`;
    files[`wd${i}.png`] = [200, 80];
    files[`wd${i}.txt`] = `wide ${i}`;
  }
  const dir = await folder('epoch', files);
  const ds = await loadImageFolder(dir, { maxPixels: 64 * 64, verify: 'header' });
  const run = async (seed: number) => {
    const out: string[] = [];
    for await (const batch of ds.epoch({ seed, batchSize: 4 })) {
      const sizes = new Set(batch.map((s) => (s.kind === 't2i' ? `${s.image.width}x${s.image.height}` : '')));
      assert.equal(sizes.size, 1);
      for (const s of batch) if (s.kind === 't2i') out.push(s.caption);
    }
    return out;
  };
  const a = await run(1);
  assert.equal(a.length, 12);
  assert.deepEqual(await run(1), a);
  assert.notDeepEqual(await run(2), a);
  await unlink(join(dir, 'sq3.png'));
  const b = await run(1);
  assert.equal(b.length, 11);
  assert.equal(ds.skipped.length, 1);
  assert.match(ds.skipped[0]!.where.file, /sq3\.png$/);
});

test('loadDataset refuses paths that are neither a folder nor a .jsonl', async () => {
  await assert.rejects(loadDataset(join(root, 'missing')), /not found/);
  const f = join(root, 'x.csv');
  await writeFile(f, 'a,b');
  await assert.rejects(loadDataset(f), /expected a folder or a \.jsonl manifest/);
});
