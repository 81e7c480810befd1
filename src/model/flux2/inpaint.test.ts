// Latent-pinned inpainting on the tiny random klein folder: two steps equal diffusers'
// Flux2KleinInpaintPipeline at strength 1 (scripts/parity/make_inpaint_fixtures.py); the pinned
// latent cells end exactly on the reference's latents, the rest is the model's own; and pinnedCells
// (src/pipeline/diffusers.ts) frees every cell that touches the painted region.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pinnedCells } from '../../pipeline/diffusers.ts';
import { assertClose, inpaintFixture, postprocess } from '../diffusers/parity-support.ts';
import { KleinModel } from './klein.ts';

const DATA = join(import.meta.dirname, 'testdata');
const MODEL = join(DATA, 'klein-tiny');
const W = 64;
const H = 48;

let model: KleinModel;
before(() => {
  model = KleinModel.open(MODEL, { threads: 1, maxSequenceLength: 24, cache: false });
});
after(async () => {
  await model?.release();
});

/** A smooth test picture [3, H, W] in [-1, 1]. */
function picture(): Float32Array {
  const p = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) p[(c * H + y) * W + x] = Math.sin((x + 2 * y) / 9 + c) * 0.8;
  return p;
}

test('pinned latent cells end on the reference latents exactly; the free cells are sampled', async () => {
  const cell = model.tokenScale / 2;
  const cw = W / cell;
  const ch = H / cell;
  // Pin the right half of the latent grid.
  const pinned = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) for (let x = cw / 2; x < cw; x++) pinned[y * cw + x] = 1;
  const pixels = picture();
  const reference = { pixels, width: W, height: H };
  const ref = await model.encodeImage(pixels, W, H);
  const C = model.folder.transformer.inChannels;
  const base = { prompt: 'a red apple', width: W, height: H, steps: 3, seed: 11, reference };
  const pinnedRun = await model.sample({ ...base, pinned });
  const freeRun = await model.sample(base);

  // Token (y, x), channel k = c·4 + dy·2 + dx is latent cell (2y + dy, 2x + dx).
  let kept = 0;
  let sampled = 0;
  let freeMatches = 0;
  for (let t = 0; t < pinnedRun.h * pinnedRun.w; t++) {
    const ty = Math.floor(t / pinnedRun.w);
    const tx = t % pinnedRun.w;
    for (let k = 0; k < C; k++) {
      const cellIndex = (2 * ty + ((k >> 1) & 1)) * cw + 2 * tx + (k & 1);
      const i = t * C + k;
      if (pinned[cellIndex]) {
        assert.equal(pinnedRun.tokens[i], ref[i], `pinned element ${i} is not the reference's latent`);
        kept++;
        if (freeRun.tokens[i] === ref[i]) freeMatches++;
      } else {
        assert.notEqual(pinnedRun.tokens[i], ref[i]);
        sampled++;
      }
    }
  }
  assert.equal(kept, sampled, 'half the elements are pinned');
  // Without pinning, the same cells are the model's (a test that pinning is what made them equal).
  assert.equal(freeMatches, 0);
});

test('two inpainting steps equal Flux2KleinInpaintPipeline (max relative error ≤ 1e-4)', async (t) => {
  // The reference conditions on the input image itself (its tokens at time 10), as flowpaint's edit does.
  const fx = inpaintFixture(DATA, model.tokenScale / 2);
  const reference = { pixels: fx.pixels, width: fx.width, height: fx.height };
  const image = await model.generate({ prompt: fx.prompt, width: fx.width, height: fx.height, steps: fx.steps, noise: fx.noise, reference, pinned: fx.pinned });
  const err = assertClose('inpaint image', postprocess(image), fx.image, 1e-4);
  t.diagnostic(`inpainting, 2 steps: max relative error ${err.toExponential(2)}`);
});

test('pinnedCells: a cell is pinned only when no pixel of the region lies in it', () => {
  const region = { width: 32, height: 16, data: new Uint8Array(32 * 16) };
  region.data[5 * 32 + 9] = 255; // one pixel in cell (0, 1) of an 8-pixel grid
  assert.deepEqual([...pinnedCells(region, 8)], [1, 0, 1, 1, 1, 1, 1, 1]);
  assert.throws(() => pinnedCells({ width: 30, height: 16, data: new Uint8Array(30 * 16) }, 8), /multiples of 8/);
});
