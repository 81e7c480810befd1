import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { previewSheet, wrapText, writePreview } from './preview.ts';

test('wrapText keeps lines short and marks a cut', () => {
  const lines = wrapText('one two three four five six seven eight nine ten', 10, 3);
  assert.equal(lines.length, 3);
  for (const l of lines.slice(0, 2)) assert.ok(l.length <= 10, l);
  assert.ok(lines[2]!.endsWith('…'));
  assert.deepEqual(wrapText('short text', 40, 3), ['short text']);
});

test('the preview sheet holds n tiles (three per edit) with text under each', () => {
  const sheet = previewSheet({ n: 4, size: 64, seed: 1, edits: false });
  const edits = previewSheet({ n: 2, size: 64, seed: 1, edits: true });
  assert.ok(sheet.width >= 2 * 64 && sheet.height >= 2 * 64);
  assert.ok(edits.width >= 3 * 64);
  // Caption text is drawn in dark ink below the first tile.
  let dark = 0;
  for (let y = 6 + 64 + 4; y < 6 + 64 + 40; y++) {
    for (let x = 6; x < 6 + 64; x++) if (sheet.data[(y * sheet.width + x) * 3]! < 100) dark++;
  }
  assert.ok(dark > 20, `only ${dark} dark caption pixels`);
});

test('writePreview writes a PNG of the sheet', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flowpaint-preview-'));
  try {
    const out = join(dir, 'grid.png');
    await writePreview(out, { n: 2, size: 64, seed: 3, edits: true });
    const meta = await sharp(out).metadata();
    assert.equal(meta.format, 'png');
    const sheet = previewSheet({ n: 2, size: 64, seed: 3, edits: true });
    assert.equal(meta.width, sheet.width);
    assert.equal(meta.height, sheet.height);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
