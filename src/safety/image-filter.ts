// The output (and edit-input) image filter. Every image is classified before it is returned,
// stored or streamed; a refused image never leaves this module as bytes.
//
// Nudity: nsfwjs (MobileNetV2, 224×224, five classes: Drawing, Hentai, Neutral, Porn, Sexy), a
// maintained classifier whose weights ship inside its npm package, run locally on TensorFlow.js's
// WebAssembly backend (whose .wasm files also ship in the npm package). Nothing is downloaded.
// Measured on the 2-core development machine: ~80 ms per image after a ~0.3 s first load; the
// pure-JS CPU backend took ~1.4 s, which is why the wasm backend is used.
//
// What it cannot see: gore, violence, self-harm, hate symbols, real people, logos, or the age of
// a person. Those are refused at the prompt; SAFETY.md says so.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Category } from './categories.ts';
import { type AuditContext, type AuditSink, auditLog, auditSinkFor } from './audit.ts';
import { type Moderation, type SafetyPolicy, loadSafetyPolicy } from './policy.ts';
import { type SafetyDecision, SafetyRefusal, type SafetyStage } from './refusal.ts';

/** An image as the pipelines hold it: 8-bit RGB, rows top to bottom, channels interleaved. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A detector returns class probabilities for one image. */
export interface ImageDetector {
  readonly name: string;
  classify(image: RgbImage): Promise<Record<string, number>>;
}

export function checkRgb(image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new Error(`image filter: bad size ${width}x${height}`);
  if (data.length !== width * height * 3) throw new Error(`image filter: ${data.length} bytes for a ${width}x${height} RGB image (expected ${width * height * 3})`);
}

/** Box-filter downscale to at most `size` on the long side; the classifier sees 224×224 anyway. */
export function downscale(image: RgbImage, size: number): RgbImage {
  const { width, height, data } = image;
  const s = Math.max(width, height) / size;
  if (s <= 1) return image;
  const w = Math.max(1, Math.round(width / s));
  const h = Math.max(1, Math.round(height / s));
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * width) / w));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * width + xx) * 3;
          r += data[i]!;
          g += data[i + 1]!;
          b += data[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { width: w, height: h, data: out };
}

type Tf = typeof import('@tensorflow/tfjs');
type NsfwModel = { classify(img: unknown, topk?: number): Promise<Array<{ className: string; probability: number }>> };

let loading: Promise<{ tf: Tf; model: NsfwModel }> | undefined;

/** Loads TensorFlow.js (wasm backend) and the bundled nsfwjs MobileNetV2 once per process. */
async function loadNsfw(): Promise<{ tf: Tf; model: NsfwModel }> {
  loading ??= (async () => {
    const info = console.info;
    // nsfwjs announces which bundled model it loads on every load; keep the CLI's output clean.
    console.info = () => {};
    try {
      const tf = await import('@tensorflow/tfjs');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
      wasm.setWasmPaths(wasmDir);
      if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js wasm backend failed to start');
      await tf.ready();
      const { load } = await import('nsfwjs/core');
      const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');
      const model = (await load('MobileNetV2', { modelDefinitions: [MobileNetV2Model] })) as unknown as NsfwModel;
      return { tf, model };
    } finally {
      console.info = info;
    }
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** nsfwjs as an ImageDetector: probabilities of Drawing, Hentai, Neutral, Porn, Sexy. */
export class NsfwjsDetector implements ImageDetector {
  readonly name = 'nsfwjs';

  async classify(image: RgbImage): Promise<Record<string, number>> {
    checkRgb(image);
    const { tf, model } = await loadNsfw();
    const small = downscale(image, 256);
    const t = tf.tensor3d(Int32Array.from(small.data), [small.height, small.width, 3], 'int32');
    try {
      const preds = await model.classify(t, 5);
      return Object.fromEntries(preds.map((p) => [p.className, p.probability]));
    } finally {
      t.dispose();
    }
  }
}

export interface ImageCheckOptions {
  moderation?: Moderation;
  stage?: Exclude<SafetyStage, 'prompt'>;
}

export class ImageFilter {
  constructor(
    readonly policy: SafetyPolicy = loadSafetyPolicy(),
    readonly detector: ImageDetector = new NsfwjsDetector(),
  ) {}

  async check(image: RgbImage, opts: ImageCheckOptions = {}): Promise<SafetyDecision> {
    checkRgb(image);
    const moderation = opts.moderation ?? this.policy.moderation;
    const stage = opts.stage ?? 'output-image';
    const o = this.policy.output;
    const sexualOn = this.policy.categories.sexual.enabled;
    if (!o.enabled) {
      return { allowed: true, stage, category: null, score: 0, threshold: 1, reason: 'output filter disabled', scores: {}, moderation };
    }
    const p = await this.detector.classify(image);
    const explicit = (p.Porn ?? 0) + (p.Hentai ?? 0);
    const suggestive = p.Sexy ?? 0;
    const threshold = moderation === 'low' ? o.lowNudityThreshold : o.nudityThreshold;
    const category: Category = 'sexual';
    let allowed = true;
    let reason = `${this.detector.name}: below thresholds`;
    let score = explicit;
    if (sexualOn && explicit >= threshold) {
      allowed = false;
      reason = `${this.detector.name}:explicit`;
    } else if (sexualOn && moderation === 'auto' && suggestive >= o.suggestiveThreshold) {
      // Suggestive but not explicit: refused under 'auto', allowed under 'low'.
      allowed = false;
      score = suggestive;
      reason = `${this.detector.name}:suggestive`;
    }
    return {
      allowed,
      stage,
      category: allowed && explicit < 0.01 && suggestive < 0.01 ? null : category,
      score,
      threshold: reason.endsWith('suggestive') ? o.suggestiveThreshold : threshold,
      reason,
      scores: { sexual: Number(Math.max(explicit, suggestive).toFixed(4)) },
      moderation,
    };
  }
}

const imageFilters = new WeakMap<SafetyPolicy, ImageFilter>();

export function imageFilterFor(policy: SafetyPolicy): ImageFilter {
  let f = imageFilters.get(policy);
  if (!f) {
    f = new ImageFilter(policy);
    imageFilters.set(policy, f);
  }
  return f;
}

export interface AssertImageOptions extends ImageCheckOptions {
  filter?: ImageFilter;
  audit?: Omit<AuditContext, 'text' | 'image'>;
  sink?: AuditSink;
}

/** Screens an image (an output, or an edit's input with stage 'input-image'); throws SafetyRefusal. */
export async function assertImageAllowed(image: RgbImage, policy: SafetyPolicy, opts: AssertImageOptions = {}): Promise<SafetyDecision> {
  const filter = opts.filter ?? imageFilterFor(policy);
  const decision = await filter.check(image, opts);
  if (!decision.allowed) {
    auditLog(decision, { ...opts.audit, image: image.data }, opts.sink ?? auditSinkFor(policy.audit.sink));
    throw new SafetyRefusal(decision);
  }
  return decision;
}
