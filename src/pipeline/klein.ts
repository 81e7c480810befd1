// generate / edit with a FLUX.2 [klein] folder (src/model/flux2), with the same safety stages,
// metadata and provenance as flowpaint's own pipeline: the prompt filter before anything runs,
// the input-image filter for edits, the output filter on every image that leaves, and the
// generation parameters and AI-generated marks on every file. It takes the own pipeline's
// requests (requests.ts), so the CLI, the server's workers and the playground drive both alike.
// Inpainting pins the latents outside the mask to the input's during sampling and then keeps the
// input's bytes there; instruction edits keep them outside what the model changed.
import { randomInt } from 'node:crypto';
import type { Quantization } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import { KLEIN_DEFAULT_STEPS } from '../model/flux2/detect.ts';
import { fromRgb8, KleinModel, toRgb8 } from '../model/flux2/klein.ts';
import type { RgbImage } from '../image/index.ts';
import { type Moderation, type SafetyPolicy, assertImageAllowed, assertPromptAllowed, loadSafetyPolicy } from '../safety/index.ts';
import type { Mask } from './image-io.ts';
import { autoEditMask, compositeOutside, dilateMask } from './masks.ts';
import { drawScreened, refusedSeeds } from './redraw.ts';
import type { CommonRequest, EditRequest, GeneratedImage, GenerateRequest } from './requests.ts';
import { validateSize } from './sizes.ts';

export { KLEIN_DEFAULT_STEPS };
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

  /** What the server and playground show and validate against (the own pipeline's PipelineInfo, less a config). */
  get info(): { id: string; version: string; sizes: { native: { width: number; height: number } } } {
    return { id: this.modelId, version: 'diffusers', sizes: { native: this.nativeSize } };
  }

  get modelId(): string {
    return `flux2-klein:${this.model.folder.dir.replace(/\/+$/, '').split('/').pop()}`;
  }

  /**
   * Checks what is common to both requests. klein is step-distilled and has no guidance: a
   * negative prompt, guidance scales or the Heun sampler are refused rather than ignored. `fast`
   * (the own models' few-step mode) asks for nothing klein does not already do, so it is accepted.
   */
  private common(r: CommonRequest & { negativePrompt?: string; imageGuidance?: number }): { n: number; steps: number; seed: number } {
    for (const [name, given] of [['negativePrompt', r.negativePrompt], ['guidance', r.guidance], ['imageGuidance', r.imageGuidance]] as const) {
      if (given !== undefined) throw new InputError(`${name} does not apply to FLUX.2 [klein] (step-distilled, no guidance)`);
    }
    if (r.sampler !== undefined && r.sampler !== 'euler') throw new InputError(`sampler ${r.sampler} does not apply to FLUX.2 [klein]: it samples with Euler steps`);
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

  /** Prompt tokens with the chat template (the API's usage figures; the limit is maxSequenceLength). */
  countTokens(text: string): number {
    return this.model.folder.tokenizer.ids(this.model.folder.tokenizer.chatText(text)).length;
  }

  private checkPrompt(text: string, what: string): void {
    if (typeof text !== 'string' || text.trim() === '') throw new InputError(`${what} is empty`);
    const tokens = this.countTokens(text);
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

  /** The output filter, for any image about to leave (results, streamed previews); throws SafetyRefusal. */
  async screenImage(image: RgbImage, moderation?: Moderation): Promise<void> {
    if (this.safety) await assertImageAllowed(image, this.safety, { stage: 'output-image', moderation });
  }

  /** The model's step callback for request image `index`: previews decode that step's clean estimate with the VAE, only when asked for. */
  private stepCallback(req: CommonRequest, index: number, width: number, height: number) {
    const onStep = req.onStep;
    if (!onStep) return undefined;
    const s = this.model.tokenScale;
    return (e: { step: number; steps: number; predicted: Float32Array }) =>
      onStep({
        index,
        step: e.step,
        steps: e.steps,
        preview: async () => ({ width, height, data: toRgb8(await this.model.decodeTokens(e.predicted, height / s, width / s), width, height) }),
      });
  }

  async generate(req: GenerateRequest): Promise<GeneratedImage[]> {
    this.checkSize(req.width, req.height);
    const { n, steps, seed } = this.common(req);
    this.checkPrompt(req.prompt, 'prompt');
    if (this.safety) assertPromptAllowed(req.prompt, this.safety, { moderation: req.moderation });
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = async (s: number, refused: number[]): Promise<GeneratedImage> => {
        const pixels = await this.model.generate({
          prompt: req.prompt, width: req.width, height: req.height, steps, seed: s, signal: req.signal, onStep: this.stepCallback(req, i, req.width, req.height),
        });
        return {
          image: { width: req.width, height: req.height, data: toRgb8(pixels, req.width, req.height) },
          seed: s,
          metadata: this.metadata({ mode: 'generate', prompt: req.prompt, seed: s, steps, size: `${req.width}x${req.height}`, refused_seeds: refusedSeeds(refused) }),
          provenance: { model: this.modelId, version: 'diffusers', operation: 'generate', prompt: req.prompt, seed: s },
        };
      };
      out.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return out;
  }

  /** Edits at the input's size (sides multiples of 16): the input is the reference image the model attends to. */
  async edit(req: EditRequest): Promise<GeneratedImage[]> {
    const { width, height } = req.image;
    this.checkSize(width, height);
    if (req.mask && (req.mask.width !== width || req.mask.height !== height)) {
      throw new InputError(`mask is ${req.mask.width}×${req.mask.height} but the image is ${width}×${height}; they must match`);
    }
    if (req.mask && !req.mask.data.some((v) => v > 0)) throw new InputError('mask is empty: paint the region to change in white');
    const { n, steps, seed } = this.common(req);
    this.checkPrompt(req.instruction, 'instruction');
    if (this.safety) {
      assertPromptAllowed(req.instruction, this.safety, { moderation: req.moderation });
      await assertImageAllowed(req.image, this.safety, { stage: 'input-image', moderation: req.moderation });
    }
    const reference = { pixels: fromRgb8(req.image.data, width, height), width, height };
    // The region that may change: the mask and its seam. Latent cells wholly outside it are pinned.
    const region = req.mask ? dilateMask(req.mask, SEAM_PX) : undefined;
    const pinned = region ? pinnedCells(region, this.model.tokenScale / 2) : undefined;
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = async (s: number, refused: number[]): Promise<GeneratedImage> => {
        const pixels = await this.model.generate({
          prompt: req.instruction, width, height, steps, seed: s, reference, pinned, signal: req.signal, onStep: this.stepCallback(req, i, width, height),
        });
        const generated: RgbImage = { width, height, data: toRgb8(pixels, width, height) };
        // The composite blends a seam of SEAM_PX pixels around the region and copies the input beyond it.
        return {
          image: compositeOutside(req.image, generated, req.mask ?? autoEditMask(req.image, generated), SEAM_PX),
          seed: s,
          metadata: this.metadata({ mode: req.mask ? 'inpaint' : 'edit', instruction: req.instruction, seed: s, steps, size: `${width}x${height}`, refused_seeds: refusedSeeds(refused) }),
          provenance: { model: this.modelId, version: 'diffusers', operation: req.mask ? 'inpaint' : 'edit', prompt: req.instruction, seed: s },
        };
      };
      out.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return out;
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}

/** Latent cells (cell × cell pixels each, row-major) that hold no pixel of `region`: 1 = pin to the input. */
export function pinnedCells(region: Mask, cell: number): Uint8Array {
  const { width, height } = region;
  if (width % cell || height % cell) throw new InputError(`mask ${width}x${height}: sides must be multiples of ${cell}`);
  const cw = width / cell;
  const out = new Uint8Array((height / cell) * cw).fill(1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (region.data[y * width + x]! > 0) out[Math.floor(y / cell) * cw + Math.floor(x / cell)] = 0;
  }
  return out;
}
