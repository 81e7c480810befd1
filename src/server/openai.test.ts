// The official `openai` client against a running server, changing only baseURL and apiKey:
// a real (tiny) model for generations, edits and streaming; the fake pipeline where a test
// must decide when jobs finish (a full queue, shutting down).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { hashKey } from './keys.ts';
import { pngBytes, startTestServer, type TestServer } from './test-support/harness.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';

const KEY = 'fp-openai-test-key-0123456789';
const LIMITED = 'fp-limited-key';

function client(s: TestServer, apiKey = KEY): OpenAI {
  // maxRetries 0: the client would otherwise retry 429 and 503 by itself, hiding them.
  return new OpenAI({ baseURL: `${s.url}/v1`, apiKey, maxRetries: 0 });
}

async function decode(b64: string) {
  const bytes = Buffer.from(b64, 'base64');
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { meta: await sharp(bytes).metadata(), data, info };
}

async function status(p: Promise<unknown>): Promise<{ status: number | undefined; code: string | null | undefined; name: string; headers?: Headers }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status, code: err.code, name: err.constructor.name, headers: err.headers };
    throw err;
  }
  assert.fail('the request succeeded');
}

describe('openai client against a real tiny model', () => {
  let s: TestServer;
  let openai: OpenAI;
  let modelDir: string;
  before(async () => {
    modelDir = await tinyModelDir();
    s = await startTestServer(
      {
        // The barely trained test model paints random blobs, which a nudity classifier may call
        // anything; its output filter is tested on the pipeline itself. The prompt filter stays on.
        pipeline: { modelDir, options: { threads: 1, safetyConfig: { output: { enabled: false } } } },
        quality: { medium: { steps: 6 }, high: { steps: 8 } },
        limits: { maxUploadBytes: 300_000 },
        keys: [{ name: 'limited', hash: hashKey(LIMITED), rateLimitPerMinute: 1 }],
      },
      { env: { FLOWPAINT_API_KEYS: KEY } },
    );
    openai = client(s);
  });
  after(async () => {
    await s?.stop();
  });

  it('lists the served model', async () => {
    const models = await openai.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['tiny']);
  });

  it('generates images (images.generate)', async () => {
    const res = await openai.images.generate({ model: 'tiny', prompt: 'a red apple left of a cat', size: '128x64' as '1024x1024', quality: 'low', n: 2 });
    assert.equal(res.data!.length, 2);
    const first = await decode(res.data![0]!.b64_json!);
    assert.deepEqual([first.meta.format, first.meta.width, first.meta.height], ['png', 128, 64]);
    assert.notDeepEqual(first.data, (await decode(res.data![1]!.b64_json!)).data, 'two different seeds');
    assert.ok(res.usage!.output_tokens > 0 && res.usage!.total_tokens >= res.usage!.output_tokens);
    assert.equal(res.quality, 'low');

    const linked = await openai.images.generate({ prompt: 'a blue square', size: '64x64' as '1024x1024', response_format: 'url', output_format: 'jpeg', quality: 'low' });
    const img = await fetch(linked.data![0]!.url!);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    assert.equal((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width, 64);
  });

  it('edits an image by instruction (images.edit without a mask)', async () => {
    const image = await toFile(await pngBytes(96, 64), 'photo.png', { type: 'image/png' });
    const res = await openai.images.edit({ image, prompt: 'make the background green', quality: 'low' });
    const out = await decode(res.data![0]!.b64_json!);
    assert.deepEqual([out.meta.width, out.meta.height], [96, 64]);
  });

  it('inpaints where the mask is transparent and keeps the rest (images.edit with a mask)', async () => {
    const source = await pngBytes(64, 64);
    const mask = await pngBytes(64, 64, { alpha: (x) => (x < 32 ? 0 : 255) });
    const res = await openai.images.edit({
      image: await toFile(source, 'photo.png', { type: 'image/png' }),
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      prompt: 'a yellow star',
      quality: 'low',
    });
    const out = await decode(res.data![0]!.b64_json!);
    const src = await decode(Buffer.from(source).toString('base64'));
    // Columns well right of the masked half (beyond the blending seam) are the source's bytes.
    let same = 0;
    let total = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 40; x < 64; x++) {
        total++;
        const i = (y * 64 + x) * 3;
        if (out.data[i] === src.data[i] && out.data[i + 1] === src.data[i + 1] && out.data[i + 2] === src.data[i + 2]) same++;
      }
    }
    assert.equal(same, total, 'pixels outside the mask are kept');
  });

  it('the real pipeline refuses unsafe prompts on both endpoints and when streaming', async () => {
    const gen = await status(openai.images.generate({ prompt: 'a naked woman on a bed', size: '64x64' as '1024x1024', quality: 'low' }));
    assert.deepEqual([gen.status, gen.code], [400, 'content_policy_violation']);
    const image = await toFile(await pngBytes(64, 64), 'a.png', { type: 'image/png' });
    const edit = await status(openai.images.edit({ image, prompt: 'cover him in blood and gore', quality: 'low' }));
    assert.deepEqual([edit.status, edit.code], [400, 'content_policy_violation']);
    const streamed = await status(
      (async () => {
        const stream = await openai.images.generate({ prompt: 'a n.a.k.e.d woman', size: '64x64' as '1024x1024', stream: true, partial_images: 1, quality: 'low' });
        for await (const e of stream) assert.notEqual(e.type, 'image_generation.partial_image', 'no image of a refused prompt is streamed');
      })(),
    );
    // Once a stream has started, the refusal arrives as the stream's error event (no HTTP status).
    assert.equal(streamed.code, 'content_policy_violation');
  });

  it('streams partial images, then the completed image (stream: true)', async () => {
    const stream = await openai.images.generate({ prompt: 'a green pear', size: '64x64' as '1024x1024', stream: true, partial_images: 2, quality: 'medium' });
    const events: Array<{ type: string; index?: number; b64: string }> = [];
    for await (const e of stream) events.push({ type: e.type, index: e.type === 'image_generation.partial_image' ? e.partial_image_index : undefined, b64: e.b64_json });
    assert.deepEqual(events.map((e) => e.type), ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
    assert.deepEqual(events.slice(0, 2).map((e) => e.index), [0, 1]);
    for (const e of events) assert.equal((await decode(e.b64)).meta.width, 64);

    const edits = await openai.images.edit({ image: await toFile(await pngBytes(64, 64), 'a.png', { type: 'image/png' }), prompt: 'blur it', stream: true, partial_images: 1, quality: 'medium' });
    const types: string[] = [];
    for await (const e of edits) types.push(e.type);
    assert.deepEqual(types, ['image_edit.partial_image', 'image_edit.completed']);
  });

  it('answers 400, 401, 413, 415 and a key\'s 429 as the client expects', async () => {
    const bad = await status(openai.images.generate({ prompt: 'x', size: '1536x1024' }));
    assert.deepEqual([bad.status, bad.name, bad.code], [400, 'BadRequestError', 'invalid_size']);
    const wrongKey = await status(client(s, 'not-a-key').images.generate({ prompt: 'x' }));
    assert.deepEqual([wrongKey.status, wrongKey.name], [401, 'AuthenticationError']);
    const big = new Uint8Array(400_000);
    big.set(await pngBytes(8, 8));
    const tooBig = await status(openai.images.edit({ image: await toFile(big, 'big.png', { type: 'image/png' }), prompt: 'x' }));
    assert.equal(tooBig.status, 413);
    const notImage = await status(openai.images.edit({ image: await toFile(Buffer.from('definitely not an image, just text'), 'a.png', { type: 'image/png' }), prompt: 'x' }));
    assert.equal(notImage.status, 415);
    const limited = client(s, LIMITED);
    await limited.images.generate({ prompt: 'first', size: '64x64' as '1024x1024', quality: 'low' });
    const rate = await status(limited.images.generate({ prompt: 'second', size: '64x64' as '1024x1024', quality: 'low' }));
    assert.deepEqual([rate.status, rate.name, rate.code], [429, 'RateLimitError', 'rate_limit_exceeded']);
    assert.ok(Number(rate.headers!.get('retry-after')) >= 1);
  });
});

describe('openai client: full queue, refusals, shutting down', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ limits: { maxQueue: 0 } }, { env: { FLOWPAINT_API_KEYS: KEY } });
  });
  after(async () => {
    s.openGate();
    await s.stop();
  });

  it('answers content_policy_violation when the safety filters refuse', async () => {
    const r = await status(client(s).images.generate({ prompt: '[refuse] something', size: '64x64' as '1024x1024' }));
    assert.deepEqual([r.status, r.code], [400, 'content_policy_violation']);
  });

  it('answers 429 with Retry-After when the queue is full, and 503 while shutting down', async () => {
    s.closeGate();
    const openai = client(s);
    const first = openai.images.generate({ prompt: '[hold] occupies the only worker', size: '64x64' as '1024x1024' });
    for (let i = 0; i < 500 && !s.logs().some((l) => l.event === 'job.accepted'); i++) await new Promise((r) => setTimeout(r, 10));
    const full = await status(openai.images.generate({ prompt: 'no room', size: '64x64' as '1024x1024' }));
    assert.deepEqual([full.status, full.name, full.code], [429, 'RateLimitError', 'queue_full']);
    assert.ok(Number(full.headers!.get('retry-after')) >= 1);
    const stopping = s.shutdown();
    const late = await status(openai.images.generate({ prompt: 'too late', size: '64x64' as '1024x1024' }));
    assert.deepEqual([late.status, late.name, late.code], [503, 'InternalServerError', 'shutting_down']);
    s.openGate();
    assert.equal((await first).data!.length, 1, 'the job in flight still completes');
    await stopping;
  });
});
