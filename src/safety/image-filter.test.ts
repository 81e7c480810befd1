// The output filter runs nsfwjs locally (weights from its npm package, TensorFlow.js wasm
// backend from its npm package: no network). A refused image is never encoded or written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ImageFilter, type ImageDetector, NsfwjsDetector, type RgbImage, assertImageAllowed, downscale } from './image-filter.ts';
import { loadSafetyPolicy } from './policy.ts';
import { SafetyRefusal } from './refusal.ts';
import { releaseImage, saveReleasedImage } from './release.ts';

const policy = loadSafetyPolicy();
const dir = mkdtempSync(join(tmpdir(), 'flowpaint-safety-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 90;
    }
  }
  return { width, height, data };
}

/** A stand-in detector with fixed outputs, to test what happens on each decision. */
class FixedDetector implements ImageDetector {
  readonly name = 'fixed';
  calls = 0;
  constructor(private readonly probs: Record<string, number>) {}
  async classify(): Promise<Record<string, number>> {
    this.calls++;
    return this.probs;
  }
}

const EXPLICIT = { Porn: 0.9, Hentai: 0.02, Sexy: 0.05, Neutral: 0.02, Drawing: 0.01 };
const SUGGESTIVE = { Porn: 0.05, Hentai: 0.01, Sexy: 0.9, Neutral: 0.03, Drawing: 0.01 };
const NEUTRAL = { Porn: 0.01, Hentai: 0.01, Sexy: 0.01, Neutral: 0.9, Drawing: 0.07 };

describe('image filter', () => {
  test('nsfwjs runs locally on an RGB image and returns five class probabilities', async () => {
    const probs = await new NsfwjsDetector().classify(gradient(300, 200));
    assert.deepEqual(Object.keys(probs).sort(), ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
    const total = Object.values(probs).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-3, `sum ${total}`);
    const d = await new ImageFilter(policy).check(gradient(300, 200));
    assert.equal(d.allowed, true, JSON.stringify(d));
    assert.equal(d.stage, 'output-image');
  });

  test('explicit output is refused in both moderation levels; suggestive only under auto', async () => {
    const explicit = new ImageFilter(policy, new FixedDetector(EXPLICIT));
    for (const moderation of ['auto', 'low'] as const) {
      const d = await explicit.check(gradient(8, 8), { moderation });
      assert.equal(d.allowed, false);
      assert.equal(d.category, 'sexual');
    }
    const suggestive = new ImageFilter(policy, new FixedDetector(SUGGESTIVE));
    assert.equal((await suggestive.check(gradient(8, 8), { moderation: 'auto' })).allowed, false);
    assert.equal((await suggestive.check(gradient(8, 8), { moderation: 'low' })).allowed, true);
    assert.equal((await new ImageFilter(policy, new FixedDetector(NEUTRAL)).check(gradient(8, 8))).allowed, true);
  });

  test('edit inputs are screened with stage input-image', async () => {
    const lines: string[] = [];
    await assert.rejects(
      assertImageAllowed(gradient(8, 8), policy, { stage: 'input-image', filter: new ImageFilter(policy, new FixedDetector(EXPLICIT)), sink: (l) => lines.push(l) }),
      (err: unknown) => err instanceof SafetyRefusal && err.stage === 'input-image' && /input image/i.test(err.message),
    );
    assert.equal(lines.length, 1);
    const rec = JSON.parse(lines[0]!);
    assert.equal(rec.stage, 'input-image');
    assert.equal(rec.image_bytes, 8 * 8 * 3);
    assert.match(rec.image_sha256, /^[0-9a-f]{64}$/);
  });

  test('a refused output is not on disk and not in the response', async () => {
    const path = join(dir, 'refused.png');
    const detector = new FixedDetector(EXPLICIT);
    const filter = new ImageFilter(policy, detector);
    let released: unknown;
    await assert.rejects(
      (async () => {
        released = await saveReleasedImage(path, gradient(16, 16), policy, { filter, provenance: { model: 'test', version: '0' }, sink: () => {} });
      })(),
      SafetyRefusal,
    );
    assert.equal(detector.calls, 1);
    assert.equal(released, undefined);
    assert.equal(existsSync(path), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('refused')), []);
  });

  test('an allowed output is written as a PNG', async () => {
    const path = join(dir, 'ok.png');
    const r = await saveReleasedImage(path, gradient(16, 16), policy, { filter: new ImageFilter(policy, new FixedDetector(NEUTRAL)), provenance: { model: 'test', version: '0' }, c2pa: false });
    assert.equal(existsSync(path), true);
    assert.equal(r.decision.allowed, true);
    assert.equal(r.png.subarray(1, 4).toString('latin1'), 'PNG');
    const again = await releaseImage(gradient(4, 4), policy, { filter: new ImageFilter(policy, new FixedDetector(NEUTRAL)), provenance: { model: 'test', version: '0' }, c2pa: false });
    assert.ok(again.png.length > 0);
  });

  test('the output filter can be switched off per deployment, and bad images are named', async () => {
    const off = new ImageFilter(loadSafetyPolicy({ output: { enabled: false } }), new FixedDetector(EXPLICIT));
    assert.equal((await off.check(gradient(8, 8))).allowed, true);
    await assert.rejects(new ImageFilter(policy, new FixedDetector(NEUTRAL)).check({ width: 4, height: 4, data: new Uint8Array(10) }), /10 bytes for a 4x4 RGB image/);
  });

  test('downscale averages boxes and keeps the aspect ratio', () => {
    const small = downscale(gradient(1000, 500), 256);
    assert.equal(small.width, 256);
    assert.equal(small.height, 128);
    assert.equal(small.data.length, 256 * 128 * 3);
  });
});
