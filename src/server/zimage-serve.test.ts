// `flowpaint serve --model ZIMAGE_DIR`: a diffusers Z-Image folder served through the real server
// and worker thread (the same DiffusersPipeline as klein's), driven by the official `openai`
// client. The tiny random folder that diffusers made (scripts/parity/make_zimage_fixtures.py)
// generates at Turbo's 8 steps with its parameters and provenance in the file, and refuses
// instruction edits (it is text-to-image) with a 400.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { readProvenance } from '../safety/provenance.ts';
import { pngBytes, startTestServer, type TestServer } from './test-support/harness.ts';

const KEY = 'fp-zimage-test-key-0123456789';
const tiny = new URL('../model/zimage/testdata/zimage-tiny', import.meta.url).pathname;
const MODEL = 'z-image:zimage-tiny';

describe('serve a Z-Image folder', () => {
  let s: TestServer;
  let openai: OpenAI;
  let cache = '';
  let savedCache: string | undefined;
  before(async () => {
    cache = mkdtempSync(join(tmpdir(), 'zimage-serve-cache-'));
    savedCache = process.env.FLOWPAINT_CACHE;
    process.env.FLOWPAINT_CACHE = cache;
    s = await startTestServer(
      {
        // Random weights paint noise: the output filter is off here (the same code as for the own model).
        pipeline: { modelDir: tiny, options: { threads: 1, safetyConfig: { output: { enabled: false } } } },
        limits: { maxUploadBytes: 300_000 },
      },
      { env: { FLOWPAINT_API_KEYS: KEY } },
    );
    openai = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: KEY, maxRetries: 0 });
  });
  after(async () => {
    await s?.stop();
    if (savedCache === undefined) delete process.env.FLOWPAINT_CACHE;
    else process.env.FLOWPAINT_CACHE = savedCache;
    rmSync(cache, { recursive: true, force: true });
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
