// Unit tests of the small parts: config and the bind rule, keys, limits, uploads, the image
// store, sizes and partial-image schedules.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkBindAllowed, isLoopback, loadServerConfig } from './config.ts';
import { toApiError } from './errors.ts';
import { InputError } from '../errors.ts';
import { errorFromFailure, failureOf, specFromJson, specToJson, type JobSpec } from './jobs.ts';
import { hashKey, KeyStore, keyFromHeaders } from './keys.ts';
import { ConcurrencyLimiter, RateLimiter } from './limits.ts';
import { decodeMask, partialSchedule } from './run-job.ts';
import { fitSize } from '../pipeline/sizes.ts';
import { ImageStore } from './store.ts';
import { pngBytes } from './test-support/harness.ts';
import { bytesFromString, sniffImage } from './uploads.ts';

describe('config', () => {
  it('hashes keys from FLOWPAINT_API_KEYS and removes the variable', () => {
    const env: NodeJS.ProcessEnv = { FLOWPAINT_API_KEYS: 'alpha-key-0123456789ab, beta-key-0123456789abc ,' };
    const c = loadServerConfig({ env });
    assert.deepEqual(c.keys.map((k) => k.hash), [hashKey('alpha-key-0123456789ab'), hashKey('beta-key-0123456789abc')]);
    assert.equal(env.FLOWPAINT_API_KEYS, undefined);
    assert.ok(!JSON.stringify(c).includes('alpha'), 'no key in the clear');
  });

  it('reads a file, applies defaults and overrides, and names what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-config-'));
    try {
      const file = join(dir, 'server.json');
      writeFileSync(file, JSON.stringify({ port: 9000, limits: { maxQueue: 3 }, keys: [{ name: 'ci', hash: hashKey('k') }] }));
      const c = loadServerConfig({ file, env: {}, overrides: { host: '127.0.0.2' } });
      assert.deepEqual([c.port, c.host, c.limits.maxQueue, c.limits.maxImages, c.quality.low.fast, c.keys[0]!.name], [9000, '127.0.0.2', 3, 4, true, 'ci']);
      writeFileSync(file, JSON.stringify({ keys: [{ hash: 'plain-text-key' }] }));
      assert.throws(() => loadServerConfig({ file, env: {} }), /keys\.0\.hash: must be "sha256:"/);
      writeFileSync(file, '{ nope');
      assert.throws(() => loadServerConfig({ file, env: {} }), /not valid JSON/);
      assert.throws(() => loadServerConfig({ file: join(dir, 'missing.json'), env: {} }), /cannot be read \(ENOENT\)/);
      writeFileSync(file, JSON.stringify({ limts: {} }));
      assert.throws(() => loadServerConfig({ file, env: {} }), /limts/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('allows any address with keys and only loopback without', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.org']) assert.ok(!isLoopback(h), h);
    assert.throws(() => checkBindAllowed({ host: '0.0.0.0', keys: [] }), /refusing to listen on 0\.0\.0\.0/);
    assert.doesNotThrow(() => checkBindAllowed({ host: '0.0.0.0', keys: [{ hash: hashKey('k') }] }));
    assert.doesNotThrow(() => checkBindAllowed({ host: '127.0.0.1', keys: [] }));
  });
});

describe('keys', () => {
  it('finds a key by its hash and reads it from Bearer or api-key headers', () => {
    const store = new KeyStore([{ hash: hashKey('secret'), name: 'app', maxConcurrent: 2 }, { hash: hashKey('other') }]);
    assert.equal(store.lookup('secret')?.id, 'app');
    assert.equal(store.lookup('other')?.id, hashKey('other').slice(7, 15));
    assert.equal(store.lookup('secreT'), undefined);
    assert.equal(store.open, false);
    assert.equal(new KeyStore([]).open, true);
    assert.equal(keyFromHeaders(new Headers({ Authorization: 'Bearer abc' })), 'abc');
    assert.equal(keyFromHeaders(new Headers({ 'api-key': 'xyz' })), 'xyz');
    assert.equal(keyFromHeaders(new Headers({ Authorization: 'Basic abc' })), undefined);
  });
});

describe('limits', () => {
  it('refills the rate bucket over time and says how long to wait', () => {
    let now = 0;
    const r = new RateLimiter(() => now);
    assert.ok(r.take('a', 2).ok && r.take('a', 2).ok);
    const refused = r.take('a', 2);
    assert.equal(refused.ok, false);
    assert.ok(Math.abs(refused.retryAfter - 30) < 1e-9, `one token per 30 s, got ${refused.retryAfter}`);
    assert.ok(r.take('b', 2).ok, 'keys are separate');
    now = 30_000;
    assert.ok(r.take('a', 2).ok);
  });

  it('counts requests in flight per key; a release counts once', () => {
    const c = new ConcurrencyLimiter();
    const r1 = c.acquire('a', 2)!;
    c.acquire('a', 2);
    assert.equal(c.acquire('a', 2), undefined);
    r1();
    r1();
    assert.equal(c.count('a'), 1);
    assert.ok(c.acquire('a', 2));
  });
});

describe('uploads', () => {
  it('recognises images by their first bytes and refuses the rest with 415', async () => {
    const png = await pngBytes(4, 4);
    assert.equal(sniffImage(png), 'png');
    assert.equal(sniffImage(new TextEncoder().encode('GIF89a......')), 'gif');
    assert.equal(sniffImage(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg">')), undefined);
    const b64 = Buffer.from(png).toString('base64');
    assert.deepEqual(bytesFromString(b64, 'image'), png);
    assert.deepEqual(bytesFromString(`data:image/png;base64,${b64}`, 'image'), png);
    const status = (f: () => unknown) => { try { f(); return 0; } catch (e) { return toApiError(e).status; } };
    assert.equal(status(() => bytesFromString(Buffer.from('hello world, not an image').toString('base64'), 'image')), 415);
    assert.equal(status(() => bytesFromString('data:text/plain;base64,aGk=', 'image')), 415);
    assert.equal(status(() => bytesFromString('https://example.org/cat.png', 'image')), 400);
    assert.equal(status(() => bytesFromString('not base64 at all!', 'image')), 400);
  });

  it('reads masks by transparency, or by whiteness without alpha, and checks their size', async () => {
    const alpha = await decodeMask(await pngBytes(8, 2, { alpha: (x) => (x < 4 ? 0 : 255) }), 8, 2);
    assert.deepEqual([...alpha.data.subarray(0, 8)], [255, 255, 255, 255, 0, 0, 0, 0]);
    const sharp = (await import('sharp')).default;
    const bw = await sharp(Buffer.from([0, 0, 0, 255, 255, 255]), { raw: { width: 2, height: 1, channels: 3 } }).png().toBuffer();
    assert.deepEqual([...(await decodeMask(bw, 2, 1)).data], [0, 255]);
    await assert.rejects(decodeMask(bw, 4, 4), /mask is 2x1 but the image is 4x4/);
  });
});

describe('sizes and partial images', () => {
  it('fits any source to a valid size with its aspect ratio', () => {
    assert.deepEqual(fitSize(96, 64), { width: 96, height: 64 });
    assert.deepEqual(fitSize(100, 70), { width: 96, height: 64 });
    const big = fitSize(4000, 3000);
    assert.ok(big.width * big.height <= 1_048_576 && big.width % 16 === 0 && big.height % 16 === 0);
    assert.ok(Math.abs(big.width / big.height - 4 / 3) < 0.02);
    assert.deepEqual(fitSize(10, 10), { width: 64, height: 64 });
  });

  it('spreads partial images over the steps before the last', () => {
    assert.deepEqual([...partialSchedule(3, 20)], [5, 10, 15]);
    assert.deepEqual([...partialSchedule(3, 4)], [1, 2, 3]);
    assert.deepEqual([...partialSchedule(3, 2)], [1]);
    assert.deepEqual([...partialSchedule(0, 20)], []);
  });
});

describe('job specs', () => {
  it('carry guidance through the Redis codec, and only when given', () => {
    const spec: JobSpec = { kind: 'edit', prompt: 'p', n: 1, steps: 4, fast: true, seed: 7, guidance: 2.5, outputFormat: 'png', partialImages: 0, moderation: 'auto', image: new Uint8Array([1, 2, 3]) };
    const json = JSON.parse(JSON.stringify(specToJson(spec)));
    assert.equal(json.guidance, 2.5);
    assert.deepEqual(specFromJson(json), spec);
    const { guidance: _g, ...without } = spec;
    assert.ok(!('guidance' in specFromJson(JSON.parse(JSON.stringify(specToJson(without))))));
  });

  it('maps a pipeline guidance refusal, after crossing a thread as plain data, to a 400 naming guidance', () => {
    for (const message of [
      "guidance 9 is outside the range this model's Flash was distilled for, [1, 8]: choose a scale in it, or drop fast mode for the full sampler",
      'guidance must be between 0 and 30, got 31',
      'guidance does not apply to FLUX.2 [klein] (step-distilled, no guidance)',
    ]) {
      const e = toApiError(errorFromFailure(failureOf(new InputError(message))));
      assert.deepEqual([e.status, e.param, e.message], [400, 'guidance', message]);
    }
  });
});

describe('image store', () => {
  it('serves stored images until they expire, then deletes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-store-'));
    let now = 1_000_000;
    const store = new ImageStore(dir, 60_000, () => now);
    try {
      const { name } = await store.put(new Uint8Array([1, 2, 3]), 'webp');
      assert.match(name, /^[A-Za-z0-9_-]{22}\.webp$/);
      const got = await store.get(name);
      assert.deepEqual([...got!.bytes], [1, 2, 3]);
      assert.equal(got!.contentType, 'image/webp');
      assert.equal(await store.get('../../etc/passwd'), undefined);
      now += 60_001;
      assert.equal(await store.get(name), undefined);
      assert.ok(!existsSync(join(dir, name)));
      await store.put(new Uint8Array([4]), 'png');
      now += 60_001;
      assert.equal(await store.sweep(), 1);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
