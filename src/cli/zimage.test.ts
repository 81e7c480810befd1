// flowpaint generate/edit --model DIR on a diffusers Z-Image folder, as a user runs them: the tiny
// random folder made independently by diffusers (scripts/parity/make_zimage_fixtures.py) writes a
// PNG with its parameters; edit inpaints with a mask and refuses instruction edits; broken folders
// exit 2 naming the file and what was expected.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPngText } from '../pipeline/image-io.ts';
import { assertKeptFrom, diffusersCli, rgb, writeLeftMask } from './test-support/diffusers-cli.ts';

const tiny = new URL('../model/zimage/testdata/zimage-tiny', import.meta.url).pathname;
const { dir: scratch, flowpaint } = diffusersCli('zimage-cli-');

test('generate writes a PNG with its parameters; edit refuses instruction edits and inpaints with a mask, keeping the input outside it', async () => {
  const dir = scratch();
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
  const maskPath = join(dir, 'mask.png');
  await writeLeftMask(maskPath, 80, 64, 40);
  const edited = join(dir, 'edit.png');
  const e = await flowpaint(['edit', out, 'a green apple', '--mask', maskPath, '--model', tiny, '--steps', '2', '--seed', '6', '-o', edited]);
  assert.equal(e.code, 0, e.stderr);
  assertKeptFrom(await rgb(edited), img, 43);
  assert.equal(JSON.parse(readPngText(readFileSync(edited))['flowpaint:parameters']!).mode, 'inpaint');
});

test('a missing weight file, configs that disagree, or options Z-Image does not have: exit 2 naming the problem', async () => {
  const dir = scratch();
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
