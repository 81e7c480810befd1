// Z-Image inpainting against the reference: two sampling steps of flowpaint's latent-pinned
// inpainting on the tiny random folder equal diffusers' ZImageInpaintPipeline at strength 1
// (scripts/parity/make_inpaint_fixtures.py; the one composed part, the input's latents taken as the
// posterior mode rather than a sample, is stated there), and the kept cells end exactly on the
// input's latents.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertClose, inpaintFixture, postprocess } from '../diffusers/parity-support.ts';
import { ZImageModel } from './zimage.ts';

const DATA = join(import.meta.dirname, 'testdata');

let model: ZImageModel;
before(() => {
  model = ZImageModel.open(join(DATA, 'zimage-tiny'), { threads: 1, maxSequenceLength: 24, cache: false });
});
after(async () => {
  await model?.release();
});

test('two inpainting steps equal ZImageInpaintPipeline (max relative error ≤ 1e-4); kept cells end on the input latents exactly', async (t) => {
  const fx = inpaintFixture(DATA, model.latentScale);
  const req = { prompt: fx.prompt, width: fx.width, height: fx.height, steps: fx.steps, guidance: 0, noise: fx.noise, inpaint: { pixels: fx.pixels, pinned: fx.pinned } };
  const latents = await model.sample(req);
  const clean = await model.encodeImage(fx.pixels, fx.width, fx.height);
  const cells = fx.pinned.length;
  for (let k = 0; k < latents.length; k++) {
    if (fx.pinned[k % cells]) assert.equal(latents[k], clean[k], `kept latent ${k} is not the input's`);
  }
  assert.ok(fx.pinned.includes(0) && fx.pinned.includes(1), 'the mask keeps some cells and repaints others');
  const s = model.latentScale;
  const image = await model.decodeLatents(latents, fx.height / s, fx.width / s);
  const err = assertClose('inpaint image', postprocess(image), fx.image, 1e-4);
  t.diagnostic(`inpainting, 2 steps: max relative error ${err.toExponential(2)}`);
});
