// `flowpaint serve --model KLEIN_DIR`: a diffusers FLUX.2 [klein] folder served through the real
// server and worker thread, driven by the official `openai` client. The tiny random folder that
// diffusers made (scripts/parity) generates, inpaints, streams partial images (decoded by its
// VAE) and is refused by the prompt filter like flowpaint's own model; every image carries the
// generation parameters and the AI-generated provenance record.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { readProvenance } from '../safety/provenance.ts';
import { serveDiffusersFolder } from './test-support/diffusers-serve.ts';
import { pngBytes } from './test-support/harness.ts';

const KEY = 'fp-klein-test-key-0123456789';
const tiny = new URL('../model/flux2/testdata/klein-tiny', import.meta.url).pathname;
const MODEL = 'flux2-klein:klein-tiny';

async function rgb(bytes: Buffer) {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

describe('serve a FLUX.2 [klein] folder', () => {
  const served = serveDiffusersFolder(tiny, KEY);
  let openai: OpenAI;
  before(() => {
    openai = served.openai();
  });

  it('lists the folder as the served model', async () => {
    assert.deepEqual((await openai.models.list()).data.map((m) => m.id), [MODEL]);
  });

  it('tells the playground it takes no text guidance (the page shows no Guidance field)', async () => {
    const config = await (await fetch(new URL('/playground/api/config', openai.baseURL))).json() as { guidance: unknown };
    assert.equal(config.guidance, null);
  });

  it('generates with klein\'s 4 steps at every quality, with parameters and provenance in the file', async () => {
    // `seed` is a flowpaint extension the client's types do not name.
    const params = { model: MODEL, prompt: 'a red apple on a blue background', size: '80x64' as '1024x1024', quality: 'medium' as const, seed: 7 };
    const res = await openai.images.generate(params as OpenAI.ImageGenerateParamsNonStreaming);
    const bytes = Buffer.from(res.data![0]!.b64_json!, 'base64');
    const img = await rgb(bytes);
    assert.deepEqual([img.width, img.height], [80, 64]);
    assert.ok(new Set(img.data).size > 10, 'the image should not be flat');
    const { record, text } = await readProvenance(bytes);
    const written = JSON.parse(text['flowpaint:parameters']!);
    assert.equal(written.model, MODEL);
    assert.equal(written.steps, 4, 'a klein folder samples 4 steps unless the config sets quality');
    assert.equal(written.seed, 7);
    assert.equal(record?.ai_generated, true);
    assert.equal(record?.model, MODEL);
    assert.ok(res.usage!.input_tokens > 0, 'prompt tokens counted with the folder\'s tokenizer');
  });

  it('inpaints: bytes outside the mask (beyond the 2-pixel seam) are the input\'s', async () => {
    const source = await pngBytes(80, 64);
    // Transparent = change (OpenAI's convention): the left half.
    const mask = await pngBytes(80, 64, { alpha: (x) => (x < 40 ? 0 : 255) });
    const res = await openai.images.edit({
      image: await toFile(source, 'photo.png', { type: 'image/png' }),
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      prompt: 'a yellow star',
      quality: 'low',
    });
    const bytes = Buffer.from(res.data![0]!.b64_json!, 'base64');
    const out = await rgb(bytes);
    const src = await rgb(Buffer.from(source));
    let changedInside = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 80; x++) {
        const i = (y * 80 + x) * 3;
        const same = out.data[i] === src.data[i] && out.data[i + 1] === src.data[i + 1] && out.data[i + 2] === src.data[i + 2];
        if (x >= 42) assert.ok(same, `pixel ${x},${y} outside the mask changed`);
        else if (x < 38 && !same) changedInside++;
      }
    }
    assert.ok(changedInside > 100, `the masked half should be repainted (${changedInside} pixels changed)`);
    const { record, text } = await readProvenance(bytes);
    assert.equal(JSON.parse(text['flowpaint:parameters']!).mode, 'inpaint');
    assert.equal(record?.model, MODEL);
  });

  it('streams partial images decoded by the folder\'s VAE, then the completed image', async () => {
    const stream = await openai.images.generate({ prompt: 'a green pear', size: '64x64' as '1024x1024', stream: true, partial_images: 2, quality: 'high' });
    const events: { type: string; b64?: string }[] = [];
    for await (const e of stream) events.push({ type: e.type, b64: e.b64_json });
    assert.deepEqual(events.map((e) => e.type), ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
    for (const e of events) assert.equal((await sharp(Buffer.from(e.b64!, 'base64')).metadata()).width, 64);
    // A partial is a different image from the final one (an earlier estimate), and marked as AI-made.
    assert.notEqual(events[0]!.b64, events[2]!.b64);
    assert.equal((await readProvenance(Buffer.from(events[0]!.b64!, 'base64'))).record?.ai_generated, true);
  });

  it('refuses unsafe prompts (content policy) and prompts longer than klein reads (400)', async () => {
    await assert.rejects(openai.images.generate({ prompt: 'cover him in blood and gore', size: '64x64' as '1024x1024', quality: 'low' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.code, 'content_policy_violation');
      return true;
    });
    // klein reads 512 tokens; the reference pipeline would cut the prompt silently.
    await assert.rejects(openai.images.generate({ prompt: 'a red apple '.repeat(200), size: '64x64' as '1024x1024', quality: 'low' }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 400);
      assert.match(err.message, /FLUX\.2 \[klein\] reads at most 512/);
      return true;
    });
  });
});

describe('quality steps for a klein folder', () => {
  it('every level samples 4 steps unless the settings name their own quality', async () => {
    const { loadServerConfig } = await import('./config.ts');
    assert.deepEqual(loadServerConfig({ env: {}, overrides: { pipeline: { modelDir: tiny } } }).quality.high, { steps: 4, fast: false });
    assert.equal(loadServerConfig({ env: {}, overrides: { pipeline: { modelDir: tiny }, quality: { high: { steps: 9 } } } }).quality.high.steps, 9);
    assert.equal(loadServerConfig({ env: {}, overrides: { pipeline: { modelDir: 'models/default' } } }).quality.high.steps, 40);
  });
});
