// `flowpaint serve --model ZIMAGE_DIR`: a diffusers Z-Image folder served through the real server
// and worker thread (the same DiffusersPipeline as klein's), driven by the official `openai`
// client. The tiny random folder that diffusers made (scripts/parity/make_zimage_fixtures.py)
// generates at Turbo's 8 steps with its parameters and provenance in the file, and refuses
// instruction edits (it is text-to-image) with a 400.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { readProvenance } from '../safety/provenance.ts';
import { serveDiffusersFolder } from './test-support/diffusers-serve.ts';
import { pngBytes } from './test-support/harness.ts';

const KEY = 'fp-zimage-test-key-0123456789';
const tiny = new URL('../model/zimage/testdata/zimage-tiny', import.meta.url).pathname;
const MODEL = 'z-image:zimage-tiny';

describe('serve a Z-Image folder', () => {
  const served = serveDiffusersFolder(tiny, KEY);
  let openai: OpenAI;
  before(() => {
    openai = served.openai();
  });

  it('lists the folder and generates at Turbo\'s 8 steps, with parameters and provenance in the file', async () => {
    assert.deepEqual((await openai.models.list()).data.map((m) => m.id), [MODEL]);
    const params = { model: MODEL, prompt: 'a red apple on a blue background', size: '80x64' as '1024x1024', quality: 'medium' as const, seed: 7 };
    const res = await openai.images.generate(params as OpenAI.ImageGenerateParamsNonStreaming);
    const bytes = Buffer.from(res.data![0]!.b64_json!, 'base64');
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.width, meta.height], [80, 64]);
    const { record, text } = await readProvenance(bytes);
    const written = JSON.parse(text['flowpaint:parameters']!);
    assert.equal(written.model, MODEL);
    assert.equal(written.steps, 8, 'a Z-Image folder samples 8 steps unless the config sets quality');
    assert.equal(record?.ai_generated, true);
  });

  it('refuses an edit without a mask: Z-Image is text-to-image (400)', async () => {
    await assert.rejects(
      openai.images.edit({ image: await toFile(await pngBytes(80, 64), 'photo.png', { type: 'image/png' }), prompt: 'make it blue', quality: 'low' }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.APIError);
        assert.equal(err.status, 400);
        assert.match(err.message, /Z-Image is a text-to-image model: edit needs a mask/);
        return true;
      },
    );
  });
});
