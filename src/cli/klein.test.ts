// flowpaint generate/edit --model DIR on a diffusers FLUX.2 [klein] folder, as a user runs them:
// the tiny random folder made independently by diffusers (scripts/parity) generates and edits
// end to end; broken folders exit 2 naming the file.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPngText } from '../pipeline/image-io.ts';
import { assertKeptFrom, diffusersCli, rgb, writeLeftMask } from './test-support/diffusers-cli.ts';

const tiny = new URL('../model/flux2/testdata/klein-tiny', import.meta.url).pathname;
const { dir: scratch, flowpaint } = diffusersCli('klein-cli-');

test('generate, then an inpainting edit of the result: files, parameters, and the input kept byte for byte outside the mask', async () => {
  const dir = scratch();
  const out = join(dir, 'gen.png');
  const r = await flowpaint(['generate', 'a red apple on a blue background', '--model', tiny, '--size', '80x64', '--steps', '2', '--seed', '5', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), out);
  const img = await rgb(out);
  assert.equal(`${img.width}x${img.height}`, '80x64');
  const params = JSON.parse(readPngText(readFileSync(out))['flowpaint:parameters']!);
  assert.equal(params.model, 'flux2-klein:klein-tiny');
  assert.equal(params.steps, 2);
  assert.equal(params.seed, 5);
  // Random weights still depend on the input: the picture is not one flat colour.
  assert.ok(new Set(img.data).size > 10, 'the image should not be flat');

  // A mask over the left half; the right half must come back byte-identical.
  const maskPath = join(dir, 'mask.png');
  await writeLeftMask(maskPath, 80, 64, 40);
  const edited = join(dir, 'edit.png');
  const e = await flowpaint(['edit', out, 'make the apple green', '--mask', maskPath, '--model', tiny, '--steps', '2', '--seed', '6', '-o', edited]);
  assert.equal(e.code, 0, e.stderr);
  assertKeptFrom(await rgb(edited), img, 43);
  assert.equal(JSON.parse(readPngText(readFileSync(edited))['flowpaint:parameters']!).mode, 'inpaint');
});

test('a missing shard, a config that disagrees with the weights, or own-model options: exit 2 naming the problem', async () => {
  const dir = scratch();
  const broken = join(dir, 'broken');
  cpSync(tiny, broken, { recursive: true });
  rmSync(join(broken, 'transformer', 'diffusion_pytorch_model-00002-of-00003.safetensors'));
  let r = await flowpaint(['generate', 'a cat', '--model', broken, '--size', '64x64', '-o', join(dir, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /diffusion_pytorch_model-00002-of-00003\.safetensors is missing/);

  const mismatched = join(dir, 'mismatched');
  cpSync(tiny, mismatched, { recursive: true });
  const cfgPath = join(mismatched, 'vae', 'config.json');
  writeFileSync(cfgPath, readFileSync(cfgPath, 'utf8').replace('"latent_channels": 2', '"latent_channels": 4'));
  r = await flowpaint(['generate', 'a cat', '--model', mismatched, '--size', '64x64', '-o', join(dir, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /transformer\/config\.json: in_channels 8 must be 4 × the VAE's latent_channels 4/);

  const noTokenizer = join(dir, 'no-tokenizer');
  cpSync(tiny, noTokenizer, { recursive: true });
  rmSync(join(noTokenizer, 'tokenizer', 'tokenizer.json'));
  r = await flowpaint(['generate', 'a cat', '--model', noTokenizer, '--size', '64x64', '-o', join(dir, 'x.png')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tokenizer\/tokenizer\.json: missing/);

  r = await flowpaint(['generate', 'a cat', '--model', tiny, '--fast']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--fast does not apply to FLUX\.2 \[klein\]/);
});
