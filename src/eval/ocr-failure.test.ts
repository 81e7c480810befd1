// A Tesseract that fails on an image must not end an evaluation: the image reads as nothing (the
// word counts as not read), the failure is reported with the input kept for a look. A stand-in
// `tesseract` on PATH answers --version and fails every read, as the real one did once on a
// generated lettering edit (its own file so the stand-in never meets the other OCR tests).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { layoutScene } from '../data/scene.ts';
import { renderScene } from '../data/render.ts';
import { textPrompts } from './prompts/text.ts';
import { readText } from './ocr.ts';

const bin = mkdtempSync(join(tmpdir(), 'flowpaint-fake-tesseract-'));
after(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(join(bin, 'tesseract'), '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "tesseract 5.0.0 (stand-in)"; exit 0; fi\necho "Warning: Invalid resolution 25 dpi. Using 70 instead." >&2\nexit 1\n');
chmodSync(join(bin, 'tesseract'), 0o755);
process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;

test('a failing read is reported, its input kept, and the image reads as nothing', async () => {
  const item = textPrompts(1)[0]!;
  const img = renderScene(layoutScene(item.truth, 128, 128)).image;
  const warnings: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { warnings.push(String(chunk)); return true; }) as typeof process.stderr.write;
  let read: string[];
  try {
    read = await readText(img);
  } finally {
    process.stderr.write = write;
  }
  assert.deepEqual(read, []);
  assert.ok(warnings.length > 0, 'the failure is reported');
  const kept = /kept at (\S+\.png)/.exec(warnings[0]!)?.[1];
  assert.match(warnings[0]!, /^ocr: tesseract failed \(exit 1\)/);
  assert.ok(kept && existsSync(kept), `the failing input is kept: ${warnings[0]}`);
  for (const w of warnings) rmSync(/kept at (\S+\.png)/.exec(w)![1]!, { force: true });
});
