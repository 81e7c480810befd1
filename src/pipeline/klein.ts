// generate / edit with a FLUX.2 [klein] folder (src/model/flux2), with the same safety stages,
// metadata and provenance as flowpaint's own pipeline: the prompt filter before anything runs,
// the input-image filter for edits, the output filter on every image that leaves, and the
// generation parameters and AI-generated marks on every file. Edits keep the input's bytes
// outside the painted mask (inpainting) or outside what the model changed (instruction edits).
import { randomInt } from 'node:crypto';
import type { Quantization } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import { fromRgb8, KleinModel, toRgb8 } from '../model/flux2/klein.ts';
import type { RgbImage } from '../image/index.ts';
import { type SafetyPolicy, assertImageAllowed, assertPromptAllowed, loadSafetyPolicy } from '../safety/index.ts';
import type { Mask } from './image-io.ts';
import { autoEditMask, compositeOutside } from './masks.ts';
import type { GeneratedImage } from './requests.ts';
import { validateSize } from './sizes.ts';

/** klein is step-distilled: 4 steps is what it was distilled for. */
export const KLEIN_DEFAULT_STEPS = 4;
const SEAM_PX = 2;
const MAX_IMAGES = 8;

export interface KleinLoadOptions {
  modelDir: string;
  threads?: number;
  quantize?: Quantization;
  /** The safety policy's JSON config (as `flowpaint --safety-config`); `null` policy turns filters off (tests). */
  safetyConfig?: unknown;
  safety?: SafetyPolicy | null;
}

interface Common {
  n?: number;
  seed?: number;
  steps?: number;
  onStep?: () => void;
}

export interface KleinGenerateRequest extends Common {
  prompt: string;
  width: number;
  height: number;
}

export interface KleinEditRequest extends Common {
  image: RgbImage;
  instruction: string;
  /** White = repaint; the rest keeps the input's bytes. */
  mask?: Mask;
}

export class KleinPipeline {
  private constructor(
    readonly model: KleinModel,
    readonly safety: SafetyPolicy | null,
    readonly quantize: Quantization,
  ) {}

  static load(o: KleinLoadOptions): KleinPipeline {
    const safety = o.safety !== undefined ? o.safety : loadSafetyPolicy(o.safetyConfig ?? {});
    const quantize = o.quantize ?? 'none';
    return new KleinPipeline(KleinModel.open(o.modelDir, { threads: o.threads, quantize }), safety, quantize);
  }

  /** The size the model draws when none is asked for (the reference pipeline's 1024², scaled to the folder's VAE). */
  get nativeSize(): { width: number; height: number } {
    const side = 64 * this.model.tokenScale;
    return { width: side, height: side };
  }

  private common(r: Common): { n: number; steps: number; seed: number } {
    const n = r.n ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES) throw new InputError(`n must be an integer from 1 to ${MAX_IMAGES}, got ${r.n}`);
    const steps = r.steps ?? KLEIN_DEFAULT_STEPS;
    if (!Number.isInteger(steps) || steps < 1 || steps > 200) throw new InputError(`steps must be an integer from 1 to 200, got ${r.steps}`);
    const seed = r.seed ?? randomInt(0, 2 ** 31);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`seed must be an integer from 0 to 4294967295, got ${r.seed}`);
    return { n, steps, seed };
  }

  private checkSize(width: number, height: number): void {
    validateSize(width, height);
    const s = this.model.tokenScale;
    if (width % s || height % s) throw new InputError(`size ${width}x${height}: FLUX.2 [klein] needs sides that are multiples of ${s}`);
  }

  private checkPrompt(text: string, what: string): void {
    if (typeof text !== 'string' || text.trim() === '') throw new InputError(`${what} is empty`);
    const tokens = this.model.folder.tokenizer.ids(this.model.folder.tokenizer.chatText(text)).length;
    if (tokens > this.model.maxSequenceLength) {
      // The reference pipeline truncates silently; flowpaint says so instead of dropping words.
      throw new InputError(`${what} is ${tokens} tokens with the chat template; FLUX.2 [klein] reads at most ${this.model.maxSequenceLength}`);
    }
  }

  private metadata(params: Record<string, unknown>): Record<string, string> {
    const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    return {
      Software: 'flowpaint',
      'flowpaint:parameters': JSON.stringify({ ...clean, model: this.modelId, ...(this.quantize !== 'none' ? { quantize: this.quantize } : {}) }),
    };
  }

  get modelId(): string {
    return `flux2-klein:${this.model.folder.dir.replace(/\/+$/, '').split('/').pop()}`;
  }

  private async screen(images: GeneratedImage[]): Promise<GeneratedImage[]> {
    if (this.safety) for (const img of images) await assertImageAllowed(img.image, this.safety, { stage: 'output-image' });
    return images;
  }

  async generate(req: KleinGenerateRequest): Promise<GeneratedImage[]> {
    this.checkSize(req.width, req.height);
    const { n, steps, seed } = this.common(req);
    this.checkPrompt(req.prompt, 'prompt');
    if (this.safety) assertPromptAllowed(req.prompt, this.safety, {});
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const s = (seed + i) >>> 0;
      const pixels = await this.model.generate({ prompt: req.prompt, width: req.width, height: req.height, steps, seed: s, onStep: req.onStep });
      out.push({
        image: { width: req.width, height: req.height, data: toRgb8(pixels, req.width, req.height) },
        seed: s,
        metadata: this.metadata({ mode: 'generate', prompt: req.prompt, seed: s, steps, size: `${req.width}x${req.height}` }),
        provenance: { model: this.modelId, version: 'diffusers', operation: 'generate', prompt: req.prompt, seed: s },
      });
    }
    return this.screen(out);
  }

  /** Edits at the input's size (sides multiples of 16): the input is the reference image the model attends to. */
  async edit(req: KleinEditRequest): Promise<GeneratedImage[]> {
    const { width, height } = req.image;
    this.checkSize(width, height);
    if (req.mask && (req.mask.width !== width || req.mask.height !== height)) {
      throw new InputError(`mask is ${req.mask.width}×${req.mask.height} but the image is ${width}×${height}; they must match`);
    }
    if (req.mask && !req.mask.data.some((v) => v > 0)) throw new InputError('mask is empty: paint the region to change in white');
    const { n, steps, seed } = this.common(req);
    this.checkPrompt(req.instruction, 'instruction');
    if (this.safety) {
      assertPromptAllowed(req.instruction, this.safety, {});
      await assertImageAllowed(req.image, this.safety, { stage: 'input-image' });
    }
    const reference = { pixels: fromRgb8(req.image.data, width, height), width, height };
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const s = (seed + i) >>> 0;
      const pixels = await this.model.generate({ prompt: req.instruction, width, height, steps, seed: s, reference, onStep: req.onStep });
      const generated: RgbImage = { width, height, data: toRgb8(pixels, width, height) };
      // The composite blends a seam of SEAM_PX pixels around the region and copies the input beyond it.
      const region = req.mask ?? autoEditMask(req.image, generated);
      out.push({
        image: compositeOutside(req.image, generated, region, SEAM_PX),
        seed: s,
        metadata: this.metadata({ mode: req.mask ? 'inpaint' : 'edit', instruction: req.instruction, seed: s, steps, size: `${width}x${height}` }),
        provenance: { model: this.modelId, version: 'diffusers', operation: req.mask ? 'inpaint' : 'edit', prompt: req.instruction, seed: s },
      });
    }
    return this.screen(out);
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}
