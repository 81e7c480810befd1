// The output (and edit-input) image filter. Every image is classified before it is returned,
// stored or streamed; a refused image never leaves this module as bytes.
//
// Nudity: nsfwjs (MobileNetV2, 224×224, five classes: Drawing, Hentai, Neutral, Porn, Sexy), a
// maintained classifier whose weights ship inside its npm package. Nothing is downloaded. Its
// network runs on ONNX Runtime (nsfw-onnx.ts: the same layers and weights, converted once and
// cached): ~0.1 s from a cold process to the first answer and a few ms an image, where
// TensorFlow.js's WebAssembly backend took ~1 s to load and ~100 ms an image. NsfwjsTfjsDetector
// runs nsfwjs itself on TensorFlow.js; the tests hold the two to the same probabilities.
//
// What it cannot see: gore, violence, self-harm, hate symbols, real people, logos, or the age of
// a person. Those are refused at the prompt; SAFETY.md says so.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RgbImage } from '../image/index.ts';
import type { Category } from './categories.ts';
import { type AuditContext, type AuditSink, auditLog, auditSinkFor } from './audit.ts';
import { type Moderation, type SafetyPolicy, loadSafetyPolicy } from './policy.ts';
import { type SafetyDecision, SafetyRefusal, type SafetyStage } from './refusal.ts';
import { NsfwOnnx } from './nsfw-onnx.ts';
import { LOW_STRUCTURE, checkRgb, downscale, isLowStructure, isSkinFree, measureSkin, measureStructure } from './image-measures.ts';

/** A detector returns class probabilities for one image. */
export interface ImageDetector {
  readonly name: string;
  classify(image: RgbImage): Promise<Record<string, number>>;
}

type Tf = typeof import('@tensorflow/tfjs');
type NsfwModel = { classify(img: unknown, topk?: number): Promise<Array<{ className: string; probability: number }>> };

let loading: Promise<{ tf: Tf; model: NsfwModel }> | undefined;

/** Loads TensorFlow.js (wasm backend) and the bundled nsfwjs MobileNetV2 once per process (the reference detector only). */
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

/** nsfwjs run by TensorFlow.js itself (the reference the ONNX Runtime detector is held to). */
export class NsfwjsTfjsDetector implements ImageDetector {
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

let onnx: Promise<NsfwOnnx> | undefined;

/** The network on ONNX Runtime, opened once per process on the first image. */
function nsfwNetwork(): Promise<NsfwOnnx> {
  onnx ??= NsfwOnnx.open();
  onnx.catch(() => {
    onnx = undefined;
  });
  return onnx;
}

/** nsfwjs's network on ONNX Runtime as an ImageDetector: probabilities of Drawing, Hentai, Neutral, Porn, Sexy. */
export class NsfwjsDetector implements ImageDetector {
  readonly name = 'nsfwjs';

  async classify(image: RgbImage): Promise<Record<string, number>> {
    checkRgb(image);
    return (await nsfwNetwork()).classify(downscale(image, 256));
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
    // Pictures that cannot show what nsfwjs says (no structure, or colour without skin tones) may
    // only get higher thresholds (Math.max); every other image keeps the policy's thresholds, so
    // neither rule can refuse what the policy would allow.
    const tag = relaxedBy(image, o);
    const relaxed = tag !== '';
    const nudityThreshold = moderation === 'low' ? o.lowNudityThreshold : o.nudityThreshold;
    const threshold = relaxed ? Math.max(nudityThreshold, LOW_STRUCTURE.nudityThreshold) : nudityThreshold;
    const suggestiveThreshold = relaxed ? Math.max(o.suggestiveThreshold, LOW_STRUCTURE.suggestiveThreshold) : o.suggestiveThreshold;
    const category: Category = 'sexual';
    let allowed = true;
    let reason = `${this.detector.name}: below thresholds${tag}`;
    let score = explicit;
    let decisive = threshold;
    if (sexualOn && explicit >= threshold) {
      allowed = false;
      reason = `${this.detector.name}:explicit${tag}`;
    } else if (sexualOn && moderation === 'auto' && suggestive >= suggestiveThreshold) {
      // Suggestive but not explicit: refused under 'auto', allowed under 'low'.
      allowed = false;
      score = suggestive;
      decisive = suggestiveThreshold;
      reason = `${this.detector.name}:suggestive${tag}`;
    }
    return {
      allowed,
      stage,
      category: allowed && explicit < 0.01 && suggestive < 0.01 ? null : category,
      score,
      threshold: decisive,
      reason,
      scores: { sexual: Number(Math.max(explicit, suggestive).toFixed(4)) },
      moderation,
    };
  }
}

/** ' (low structure)' or ' (no skin tones)' when a rule raises this image's thresholds, else ''. */
function relaxedBy(image: RgbImage, o: SafetyPolicy['output']): string {
  if (o.lowStructure && isLowStructure(measureStructure(image))) return ' (low structure)';
  if (o.skinFree && isSkinFree(measureSkin(image))) return ' (no skin tones)';
  return '';
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
