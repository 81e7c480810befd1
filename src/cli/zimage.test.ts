// flowpaint generate/edit --model DIR on a diffusers Z-Image folder, as a user runs them: the tiny
// random folder made independently by diffusers (scripts/parity/make_zimage_fixtures.py) writes a
// PNG with its parameters; edit inpaints with a mask and refuses instruction edits; broken folders
// exit 2 naming the file and what was expected.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { readPngText } from '../pipeline/image-io.ts';

const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;
const tiny = new URL('../model/zimage/testdata/zimage-tiny', import.meta.url).pathname;
const run = promisify(execFile);

let dir = '';
let policy = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'zimage-cli-'));
  // A random-weight model paints noise, which the nudity classifier may call anything: the output
  // filter is off for these mechanics tests (the prompt filter stays on).
  policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ output: { enabled: false } }));
});

async function flowpaint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, FLOWPAINT_SAFETY_CONFIG: policy, FLOWPAINT_CACHE: join(dir, 'cache') };
    const { stdout, stderr } = await run(process.execPath, [bin, ...args, '--threads', '1'], { maxBuffer: 1 << 24, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function rgb(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

test('generate writes a PNG with its parameters; edit refuses instruction edits and inpaints with a mask, keeping the input outside it', async () => {
  const out = join(dir, 'gen.png');
  const r = await flowpaint(['generate', 'a red apple on a blue background', '--model', tiny, '--size', '80x64', '--steps', '2', '--seed', '5', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), out);
  assert.ok(existsSync(out));
  const img = await rgb(out);
  assert.equal(`${img.width}x${img.height}`, '80x64');
  const params = JSON.parse(readPngText(readFileSync(out))['flowpaint:parameters']!);
  assert.equal(params.model, 'z-image:zimage-tiny');
  assert.equal(params.steps, 2);
  assert.equal(params.seed, 5);
  assert.equal(params.mode, 'generate');
  // Random weights still depend on the input: the picture is not one flat colour.
  assert.ok(new Set(img.data).size > 10, 'the image should not be flat');

  const noMask = await flowpaint(['edit', out, 'make the apple green', '--model', tiny, '--steps', '2', '-o', join(dir, 'x.png')]);
  assert.equal(noMask.code, 2);
  assert.match(noMask.stderr, /Z-Image is a text-to-image model: edit needs --mask/);

  // A mask over the left half; the right half must come back byte-identical.
  const mask = Buffer.alloc(80 * 64 * 3);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 40; x++) mask.fill(255, (y * 80 + x) * 3, (y * 80 + x) * 3 + 3);
  const maskPath = join(dir, 'mask.png');
  await sharp(mask, { raw: { width: 80, height: 64, channels: 3 } }).png().toFile(maskPath);
  const edited = join(dir, 'edit.png');
  const e = await flowpaint(['edit', out, 'a green apple', '--mask', maskPath, '--model', tiny, '--steps', '2', '--seed', '6', '-o', edited]);
  assert.equal(e.code, 0, e.stderr);
  const after = await rgb(edited);
  for (let y = 0; y < 64; y++) {
    for (let x = 43; x < 80; x++) {
      const i = (y * 80 + x) * 3;
      assert.deepEqual([...after.data.subarray(i, i + 3)], [...img.data.subarray(i, i + 3)], `pixel ${x},${y} outside the mask changed`);
    }
  }
  assert.equal(JSON.parse(readPngText(readFileSync(edited))['flowpaint:parameters']!).mode, 'inpaint');
});

test('a missing weight file, configs that disagree, or options Z-Image does not have: exit 2 naming the problem', async () => {
  const broken = join(dir, 'broken');
  cpSync(tiny, broken, { recursive: true });
  rmSync(join(broken, 'text_encoder', 'model.safetensors'));
  let r = await flowpaint(['generate', 'a cat', '--model', broken, '--size', '64x64', '-o', join(dir, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /text encoder weights: .*text_encoder: no \.safetensors file/);

  const mismatched = join(dir, 'mismatched');
  cpSync(tiny, mismatched, { recursive: true });
  const cfgPath = join(mismatched, 'transformer', 'config.json');
  writeFileSync(cfgPath, readFileSync(cfgPath, 'utf8').replace('"cap_feat_dim": 16', '"cap_feat_dim": 24'));
  r = await flowpaint(['generate', 'a cat', '--model', mismatched, '--size', '64x64', '-o', join(dir, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /transformer\/config\.json: cap_feat_dim 24 must equal the text encoder's hidden_size 16/);

  r = await flowpaint(['generate', 'a cat', '--model', tiny, '--fast']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fast does not apply to Z-Image/);
});
