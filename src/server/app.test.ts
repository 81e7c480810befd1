// The server's mechanics over HTTP with the fake pipeline: shapes, limits, errors, queueing,
// cancellation and shutdown. The official-client tests against a real model are in openai.test.ts.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { pngBytes, startTestServer, type TestServer } from './test-support/harness.ts';

const KEY = 'fp-test-key-1-0123456789';
const OTHER_KEY = 'fp-other-key-0123456789';

async function post(s: TestServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(res: Response): Promise<{ status: number; code: string | null; param: string | null; type: string; message: string; retryAfter: string | null }> {
  const body = (await res.json()) as { error: { code: string | null; param: string | null; type: string; message: string } };
  assert.ok(body.error && typeof body.error.message === 'string', 'an OpenAI-shaped error body');
  return { status: res.status, ...body.error, retryAfter: res.headers.get('retry-after') };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

describe('server over the fake pipeline', () => {
  let s: TestServer;
  before(async () => {
    // The fake acts as a Flash distilled over guidance [1, 8] (fast requests outside it are an InputError).
    s = await startTestServer(
      { limits: { maxQueue: 5, maxUploadBytes: 200_000 }, quality: { low: { steps: 2, fast: true }, medium: { steps: 6 }, high: { steps: 9 } } },
      { env: { FLOWPAINT_API_KEYS: `${KEY},${OTHER_KEY}` }, fake: { flashGuidanceRange: [1, 8] } },
    );
  });
  after(async () => {
    s.openGate();
    await s.stop();
  });

  it('generates in the OpenAI response shape, mapping size and quality to the sampler', async () => {
    const res = await post(s, '/v1/images/generations', { prompt: 'a red apple', size: '128x64', quality: 'low', n: 2, output_format: 'webp' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { created: number; data: Array<{ b64_json: string }>; usage: { total_tokens: number; output_tokens: number }; size: string; quality: string; output_format: string };
    assert.equal(body.data.length, 2);
    const meta = await sharp(Buffer.from(body.data[0]!.b64_json, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 128, 64]);
    assert.deepEqual([body.size, body.quality, body.output_format], ['128x64', 'low', 'webp']);
    assert.ok(body.created > 1_600_000_000 && body.usage.output_tokens === 2 * 8 * 4 && body.usage.total_tokens > body.usage.output_tokens);
    const job = s.executed().find((j) => j.prompt === 'a red apple')!;
    assert.deepEqual([job.steps, job.fast, job.n], [2, true, 2]);
    await post(s, '/v1/images/generations', { prompt: 'high quality', quality: 'high' });
    const autoRes = await post(s, '/v1/images/generations', { prompt: 'default quality and size' });
    assert.equal(s.executed().find((j) => j.prompt === 'high quality')!.steps, 9);
    const auto = s.executed().find((j) => j.prompt === 'default quality and size')!;
    assert.equal(auto.steps, 6);
    // Without a size or a configured defaultSize, the served model's native size (the fake's is 64×64).
    const autoBody = (await autoRes.json()) as { data: Array<{ b64_json: string }>; size: string };
    const autoMeta = await sharp(Buffer.from(autoBody.data[0]!.b64_json, 'base64')).metadata();
    assert.deepEqual([autoMeta.width, autoMeta.height, autoBody.size], [64, 64, '64x64']);
  });

  it('hands out expiring URLs from its own store for response_format url', async () => {
    const res = await post(s, '/v1/images/generations', { prompt: 'as a link', response_format: 'url', size: '64x64', output_format: 'jpeg' });
    const { data } = (await res.json()) as { data: Array<{ url: string }> };
    assert.match(data[0]!.url, new RegExp(`^${s.url}/v1/images/files/[A-Za-z0-9_-]{22}\\.jpeg$`));
    const img = await fetch(data[0]!.url);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get('content-type'), 'image/jpeg');
    assert.equal((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width, 64);
    assert.equal((await fetch(`${s.url}/v1/images/files/AAAAAAAAAAAAAAAAAAAAAA.png`)).status, 404);
  });

  it('edits multipart and JSON uploads, reading an alpha mask', async () => {
    const image = await pngBytes(96, 64);
    const mask = await pngBytes(96, 64, { alpha: (x) => (x < 48 ? 0 : 255) });
    const form = new FormData();
    form.append('image[]', new Blob([image], { type: 'image/png' }), 'in.png');
    form.append('mask', new Blob([mask], { type: 'image/png' }), 'mask.png');
    form.append('prompt', 'make it blue');
    form.append('n', '1');
    const res = await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form });
    assert.equal(res.status, 200, await res.clone().text());
    const { data, size } = (await res.json()) as { data: Array<{ b64_json: string }>; size: string };
    assert.equal(size, '96x64');
    assert.equal(data.length, 1);
    const json = await post(s, '/v1/images/edits', { prompt: 'json edit', images: [{ image_url: `data:image/png;base64,${Buffer.from(image).toString('base64')}` }], size: '64x64' });
    assert.equal(json.status, 200);
    assert.equal(((await json.json()) as { size: string }).size, '64x64');
    const bad = await post(s, '/v1/images/edits', { prompt: 'mask too small', image: Buffer.from(image).toString('base64'), mask: Buffer.from(await pngBytes(32, 32, { alpha: () => 0 })).toString('base64') });
    const e = await errorOf(bad);
    assert.deepEqual([e.status, e.param], [400, 'mask']);
  });

  it('answers bad parameters with 400 and the parameter name', async () => {
    for (const [body, param] of [
      [{ prompt: 'x', size: '1040x1024' }, 'size'],
      [{ prompt: 'x', size: '100x100' }, 'size'],
      [{ prompt: 'x', n: 11 }, 'n'],
      [{ prompt: 'x', quality: 'ultra' }, 'quality'],
      [{ prompt: '' }, 'prompt'],
      [{ prompt: 'x', model: 'someone-elses-model' }, 'model'],
      [{ prompt: 'x', background: 'transparent' }, 'background'],
      [{ prompt: 'x', colour: 'red' }, null],
      [{ prompt: 'x', size: '64x64', stream: true, partial_images: 4 }, 'partial_images'],
    ] as const) {
      const e = await errorOf(await post(s, '/v1/images/generations', body));
      assert.equal(e.status, 400, JSON.stringify(body));
      assert.equal(e.type, 'invalid_request_error');
      if (param) assert.equal(e.param, param, JSON.stringify(body));
    }
    assert.equal((await errorOf(await post(s, '/v1/images/generations', '{"prompt": '))).status, 400);
    assert.equal((await errorOf(await post(s, '/v1/images/generations', { prompt: '[invalid]', size: '64x64' }))).status, 400);
    // Aliases of OpenAI model names are accepted, so existing code runs unchanged.
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'alias', model: 'gpt-image-1', size: '64x64' })).status, 200);
  });

  it('passes the guidance extension to the pipeline for generations and edits, JSON and multipart', async () => {
    const job = (prompt: string) => s.executed().find((j) => j.prompt === prompt)!;
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'guided generation', size: '64x64', guidance: 5.5 })).status, 200);
    assert.equal(job('guided generation').guidance, 5.5);
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'unguided generation', size: '64x64' })).status, 200);
    assert.ok(!('guidance' in job('unguided generation')), 'no guidance given: the model\'s own (none reaches the pipeline)');
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'guided without guidance', size: '64x64', guidance: 0 })).status, 200);
    assert.equal(job('guided without guidance').guidance, 0);
    const image = await pngBytes(64, 64);
    const json = await post(s, '/v1/images/edits', { prompt: 'guided json edit', image: Buffer.from(image).toString('base64'), guidance: 3 });
    assert.equal(json.status, 200, await json.clone().text());
    assert.deepEqual([job('guided json edit').kind, job('guided json edit').guidance], ['edit', 3]);
    const form = new FormData();
    form.append('image', new Blob([image], { type: 'image/png' }), 'in.png');
    form.append('prompt', 'guided multipart edit');
    form.append('guidance', '2.5');
    const multipart = await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form });
    assert.equal(multipart.status, 200, await multipart.clone().text());
    assert.deepEqual([job('guided multipart edit').kind, job('guided multipart edit').guidance], ['edit', 2.5]);
    // Quality "low" is the fast path: a scale inside the (fake) Flash's range is taken as given.
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'guided fast', size: '64x64', quality: 'low', guidance: 4 })).status, 200);
    assert.deepEqual([job('guided fast').fast, job('guided fast').guidance], [true, 4]);
  });

  it('refuses a guidance scale out of range with 400 naming guidance', async () => {
    for (const guidance of [31, -1, 'abc', null]) {
      const e = await errorOf(await post(s, '/v1/images/generations', { prompt: 'bad guidance', size: '64x64', guidance }));
      assert.deepEqual([e.status, e.type, e.param], [400, 'invalid_request_error', 'guidance'], JSON.stringify(guidance));
    }
    const image = await pngBytes(64, 64);
    const e = await errorOf(await post(s, '/v1/images/edits', { prompt: 'bad guidance', image: Buffer.from(image).toString('base64'), guidance: 31 }));
    assert.deepEqual([e.status, e.param], [400, 'guidance']);
    for (const guidance of ['31', '-1', 'abc']) {
      const form = new FormData();
      form.append('image', new Blob([image], { type: 'image/png' }), 'in.png');
      form.append('prompt', 'bad multipart guidance');
      form.append('guidance', guidance);
      const m = await errorOf(await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form }));
      assert.deepEqual([m.status, m.param], [400, 'guidance'], guidance);
    }
    // Valid for the API, outside the range the fast path's Flash was distilled for: the
    // pipeline's InputError comes back from the worker thread as a 400 naming guidance, not a 500.
    const flash = await errorOf(await post(s, '/v1/images/generations', { prompt: 'fast, guidance out of range', size: '64x64', quality: 'low', guidance: 9 }));
    assert.deepEqual([flash.status, flash.type, flash.param], [400, 'invalid_request_error', 'guidance']);
    assert.match(flash.message, /outside the range this model's Flash was distilled for, \[1, 8\]/);
    // The full sampler takes any scale from 0 to 30.
    assert.equal((await post(s, '/v1/images/generations', { prompt: 'slow, guidance 9', size: '64x64', quality: 'medium', guidance: 9 })).status, 200);
    assert.ok(!s.executed().some((j) => j.prompt === 'bad guidance' || j.prompt === 'bad multipart guidance' || j.prompt === 'fast, guidance out of range'));
  });

  it('refuses with content_policy_violation when the safety filters refuse', async () => {
    const e = await errorOf(await post(s, '/v1/images/generations', { prompt: '[refuse]', size: '64x64' }));
    assert.deepEqual([e.status, e.code, e.param], [400, 'content_policy_violation', 'prompt']);
  });

  it('answers 401 without a key or with a wrong one', async () => {
    const none = await errorOf(await post(s, '/v1/images/generations', { prompt: 'x' }, { Authorization: '' }));
    assert.deepEqual([none.status, none.type, none.code], [401, 'authentication_error', 'invalid_api_key']);
    assert.equal((await errorOf(await post(s, '/v1/images/generations', { prompt: 'x' }, { Authorization: 'Bearer wrong' }))).status, 401);
    assert.equal((await fetch(`${s.url}/v1/models`)).status, 401);
    const ok = await fetch(`${s.url}/v1/models`, { headers: { Authorization: `Bearer ${OTHER_KEY}` } });
    assert.equal(((await ok.json()) as { data: Array<{ id: string }> }).data[0]!.id, 'fake');
  });

  it('answers 413 for bodies over the limit, declared or streamed in chunks', async () => {
    const big = new Uint8Array(300_000);
    big.set(await pngBytes(8, 8));
    const form = new FormData();
    form.append('image', new Blob([big], { type: 'image/png' }), 'big.png');
    form.append('prompt', 'too big');
    const declared = await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form });
    assert.equal((await errorOf(declared)).status, 413);
    // Without a Content-Length the limit is enforced while the chunks arrive.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${s.url}/v1/images/generations`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}`, 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < 1_000_000) {
          sent += 16_384;
          if (!req.write('x'.repeat(16_384))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(status, 413);
  });

  it('answers 415 for uploads that are not images and bodies of the wrong type', async () => {
    const form = new FormData();
    form.append('image', new Blob(['just some text, not an image at all'], { type: 'image/png' }), 'fake.png');
    form.append('prompt', 'x');
    const e = await errorOf(await fetch(`${s.url}/v1/images/edits`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}` }, body: form }));
    assert.deepEqual([e.status, e.param], [415, 'image']);
    assert.equal((await errorOf(await post(s, '/v1/images/edits', { prompt: 'x', image: 'data:text/plain;base64,aGVsbG8=' }))).status, 415);
    assert.equal((await errorOf(await post(s, '/v1/images/generations', 'prompt=x', { 'Content-Type': 'application/x-www-form-urlencoded' }))).status, 415);
  });

  it('takes 20 simultaneous requests with a queue of 5: the rest get 429, none lost or run twice', async () => {
    s.closeGate();
    const before = s.executed().length;
    const count = (pred: (l: Record<string, unknown>) => boolean) => s.logs().filter(pred).length;
    const accepted0 = count((l) => l.event === 'job.accepted');
    const limited0 = count((l) => l.status === 429);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      post(s, '/v1/images/generations', { prompt: `[hold] burst ${i}`, size: '64x64' }).then(async (res) => {
        if (res.status === 429) return { i, status: 429, retryAfter: res.headers.get('retry-after'), code: (await errorOf(res)).code };
        return { i, status: res.status, body: (await res.json()) as { data: unknown[] } };
      }),
    ).map(async (p, i) => {
      // Open the gate once all 20 are decided: with the gate closed no job can finish, so
      // 6 are accepted (1 running + 5 waiting) and 14 refused.
      if (i === 0) {
        await until(() => count((l) => l.event === 'job.accepted') - accepted0 + count((l) => l.status === 429) - limited0 >= 20, 'the burst to be admitted');
        s.openGate();
      }
      return p;
    }));
    const ok = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    assert.equal(ok.length, 6);
    assert.equal(limited.length, 14);
    for (const r of limited) {
      assert.equal(r.code, 'queue_full');
      assert.ok(Number(r.retryAfter) >= 1);
    }
    const ran = s.executed().slice(before).map((j) => j.prompt).sort();
    assert.deepEqual(ran, ok.map((r) => `[hold] burst ${r.i}`).sort());
  });

  it('cancels the job of a client that disconnects', async () => {
    s.closeGate();
    const accepted = () => s.logs().filter((l) => l.event === 'job.accepted').length;
    const n0 = accepted();
    const controller = new AbortController();
    const gone = post(s, '/v1/images/generations', { prompt: '[hold] abandoned', size: '64x64' }, {}).catch((e: Error) => e);
    void gone;
    const req = fetch(`${s.url}/v1/images/generations`, { method: 'POST', signal: controller.signal, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` }, body: JSON.stringify({ prompt: '[hold] left early', size: '64x64' }) }).catch((e: Error) => e);
    await until(() => accepted() >= n0 + 2, 'both jobs to be accepted');
    controller.abort();
    await req;
    await until(() => s.logs().some((l) => l.event === 'job.failed' && l.error === 'JobCancelled'), 'the cancellation');
    s.openGate();
    assert.equal((await (await gone as Response)).status, 200);
    assert.ok(!s.executed().some((j) => j.prompt === '[hold] left early'), 'the abandoned job never finished');
    assert.ok(s.executed().some((j) => j.prompt === '[hold] abandoned'));
  });

  it('cancels the job of a streaming client that disconnects', async () => {
    s.closeGate();
    const cancelled = () => s.logs().filter((l) => l.event === 'job.failed' && l.error === 'JobCancelled').length;
    const c0 = cancelled();
    const controller = new AbortController();
    const res = await fetch(`${s.url}/v1/images/generations`, { method: 'POST', signal: controller.signal, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` }, body: JSON.stringify({ prompt: '[hold] streamed, abandoned', size: '64x64', stream: true, partial_images: 2 }) });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    controller.abort();
    await until(() => cancelled() > c0, 'the streamed job to be cancelled');
    s.openGate();
    assert.ok(!s.executed().some((j) => j.prompt === '[hold] streamed, abandoned'));
  });

  it('answers health checks while a worker is busy with a long blocking job', async () => {
    const job = post(s, '/v1/images/generations', { prompt: '[spin:1500] long', size: '64x64' });
    await until(() => s.logs().some((l) => l.event === 'job.accepted'), 'the job');
    const t0 = Date.now();
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = (await (await fetch(`${s.url}/readyz`)).json()) as { status: string; running: number };
    assert.equal(ready.status, 'ready');
    const done = await job;
    assert.equal(done.status, 200);
    assert.ok(Date.now() - t0 < 60_000);
  });

  it('exposes Prometheus metrics and an OpenAPI description', async () => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /^flowpaint_queue_depth \d+$/m);
    assert.match(text, /^flowpaint_images_generated_total\{kind="generate"\} \d+$/m);
    assert.match(text, /^flowpaint_rejections_total\{reason="queue_full"\} 14$/m);
    assert.match(text, /^flowpaint_rejections_total\{reason="unauthorized"\} \d+$/m);
    assert.match(text, /^flowpaint_job_duration_seconds_bucket\{.*kind="generate".*\} \d+$/m);
    assert.match(text, /flowpaint_nodejs_eventloop_lag_p99_seconds/);
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/v1/images/generations', '/v1/images/edits', '/v1/models', '/healthz', '/readyz', '/metrics', '/openapi.json']) assert.ok(doc.paths[p], p);
    assert.ok(doc.components.schemas.ImageGenerateRequest!.properties!.partial_images);
    for (const id of ['ImageGenerateRequest', 'ImageEditJsonRequest', 'ImageEditMultipartRequest']) {
      const guidance = doc.components.schemas[id]!.properties!.guidance as { type?: string; minimum?: number; maximum?: number; description?: string };
      assert.deepEqual([guidance.type, guidance.minimum, guidance.maximum], ['number', 0, 30], id);
      assert.match(guidance.description!, /^flowpaint extension: the text guidance scale/, id);
    }
  });
});

describe('server limits per key and shutdown', () => {
  it('answers 429 with Retry-After past a key\'s rate and concurrency', async () => {
    // Two requests a minute: the first, and the second refused for concurrency, use them up.
    const s = await startTestServer({ limits: { rateLimitPerMinute: 2, maxConcurrentPerKey: 1 } }, { env: { FLOWPAINT_API_KEYS: KEY } });
    try {
      s.closeGate();
      const held = post(s, '/v1/images/generations', { prompt: '[hold] one', size: '64x64' });
      await until(() => s.logs().some((l) => l.event === 'job.accepted'), 'the first job');
      const conc = await errorOf(await post(s, '/v1/images/generations', { prompt: 'two', size: '64x64' }));
      assert.deepEqual([conc.status, conc.code], [429, 'concurrency_limit_exceeded']);
      s.openGate();
      assert.equal((await held).status, 200);
      const rate = await errorOf(await post(s, '/v1/images/generations', { prompt: 'three', size: '64x64' }));
      assert.deepEqual([rate.status, rate.code], [429, 'rate_limit_exceeded']);
      assert.ok(Number(rate.retryAfter) >= 1 && Number(rate.retryAfter) <= 60);
    } finally {
      await s.stop();
    }
  });

  it('on shutdown refuses new requests with 503 and finishes the jobs in flight', async () => {
    const s = await startTestServer({}, {});
    s.closeGate();
    const inFlight = post(s, '/v1/images/generations', { prompt: '[hold] finishing', size: '64x64' });
    await until(() => s.logs().some((l) => l.event === 'job.accepted'), 'the job');
    const stopped = s.shutdown();
    let stoppedYet = false;
    void stopped.then(() => { stoppedYet = true; });
    await until(() => s.deps.state.draining, 'draining');
    const late = await errorOf(await post(s, '/v1/images/generations', { prompt: 'late', size: '64x64' }));
    assert.deepEqual([late.status, late.code], [503, 'shutting_down']);
    assert.ok(Number(late.retryAfter) >= 1);
    assert.equal((await fetch(`${s.url}/readyz`)).status, 503);
    assert.equal(stoppedYet, false, 'shutdown waits for the job in flight');
    s.openGate();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { data: unknown[] }).data.length, 1);
    await stopped;
    await s.stop();
  });

  it('answers CORS preflights for configured origins only', async () => {
    const s = await startTestServer({ cors: { origins: ['https://app.example'] } }, {});
    try {
      const pre = (origin: string) => fetch(`${s.url}/v1/images/generations`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } });
      const ok = await pre('https://app.example');
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.match(ok.headers.get('access-control-allow-headers') ?? '', /authorization/i);
      assert.equal((await pre('https://elsewhere.example')).headers.get('access-control-allow-origin'), null);
    } finally {
      await s.stop();
    }
  });

  it('without keys needs none but refuses to listen beyond loopback', async () => {
    const s = await startTestServer({}, {});
    try {
      const res = await fetch(`${s.url}/v1/models`);
      assert.equal(res.status, 200);
    } finally {
      await s.stop();
    }
    await assert.rejects(startTestServer({ host: '0.0.0.0' }, {}), /refusing to listen on 0\.0\.0\.0 without API keys/);
  });
});
