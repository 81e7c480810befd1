// generate / edit with a diffusers folder — FLUX.2 [klein] (src/model/flux2) or Z-Image
// (src/model/zimage) — with the same safety stages, metadata and provenance as flowpaint's own
// pipeline: the prompt filter before anything runs, the input-image filter for edits, the output
// filter on every image that leaves, and the generation parameters and AI-generated marks on every
// file. It takes the own pipeline's requests (requests.ts), so the CLI, the server's workers and
// the playground drive every model alike. Inpainting pins the latents outside the mask to the
// input's during sampling and then keeps the input's bytes there; klein's instruction edits keep
// them outside what the model changed. Z-Image is text-to-image: it inpaints (as its reference
// inpaint pipeline does) but has no instruction edits.
import { randomInt } from 'node:crypto';
import type { ExecutionProvider, Quantization } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import { type DiffusersKind, diffusersKind, KLEIN_DEFAULT_STEPS, ZIMAGE_DEFAULT_STEPS } from '../model/diffusers/detect.ts';
import { fromRgb8, toRgb8 } from '../model/diffusers/pixels.ts';
import type { ChatTokenizer } from '../model/diffusers/tokenizer.ts';
import { KleinModel } from '../model/flux2/klein.ts';
import { ZImageModel } from '../model/zimage/zimage.ts';
import type { RgbImage } from '../image/index.ts';
import { type Moderation, type SafetyPolicy, assertImageAllowed, assertPromptAllowed, loadSafetyPolicy } from '../safety/index.ts';
import type { Mask } from './image-io.ts';
import type { GuidanceInfo } from './pipeline.ts';
import { autoEditMask, compositeOutside, dilateMask } from './masks.ts';
import { drawScreened, refusedSeeds } from './redraw.ts';
import type { CommonRequest, EditRequest, GeneratedImage, GenerateRequest } from './requests.ts';
import { validateSize } from './sizes.ts';

const SEAM_PX = 2;
const MAX_IMAGES = 8;

export interface DiffusersLoadOptions {
  modelDir: string;
  threads?: number;
  quantize?: Quantization;
  /** ONNX Runtime's execution provider (default the CPU; see engine/device.ts). */
  provider?: ExecutionProvider;
  /** The safety policy's JSON config (as `flowpaint --safety-config`); `null` policy turns filters off (tests). */
  safetyConfig?: unknown;
  safety?: SafetyPolicy | null;
}

/** One image's sampling, as the pipeline asks a model for it. */
interface Draw {
  prompt: string;
  negativePrompt?: string;
  guidance?: number;
  width: number;
  height: number;
  steps: number;
  seed: number;
  /** The input image of an edit ([3, H, W] in [-1, 1]) and, for inpainting, its pinned latent cells. */
  edit?: { pixels: Float32Array; width: number; height: number; pinned?: Uint8Array };
  signal?: AbortSignal;
  onStep?: (e: { step: number; steps: number; predicted: Float32Array }) => void | Promise<void>;
}

/** What differs between the pipelines a folder can hold, behind one face. */
interface Family {
  kind: DiffusersKind;
  /** For messages: 'FLUX.2 [klein]', 'Z-Image'. */
  label: string;
  defaultSteps: number;
  /** Takes classifier-free guidance (a scale and a negative prompt). */
  guidance: boolean;
  /** Edits by instruction with the input as a reference image (else only inpainting). */
  instructionEdits: boolean;
  dir: string;
  tokenizer: ChatTokenizer;
  maxSequenceLength: number;
  /** Image sides are multiples of this. */
  sideMultiple: number;
  /** Pixels per latent cell along each side (the unit of pinning). */
  cell: number;
  draw(d: Draw): Promise<Float32Array>;
  /** A step's clean estimate decoded for a preview: pixels [3, height, width]. */
  preview(predicted: Float32Array, width: number, height: number): Promise<Float32Array>;
  release(): Promise<void>;
}

function kleinFamily(model: KleinModel): Family {
  return {
    kind: 'flux2-klein',
    label: 'FLUX.2 [klein]',
    defaultSteps: KLEIN_DEFAULT_STEPS,
    guidance: false,
    instructionEdits: true,
    dir: model.folder.dir,
    tokenizer: model.folder.tokenizer,
    maxSequenceLength: model.maxSequenceLength,
    sideMultiple: model.tokenScale,
    cell: model.tokenScale / 2,
    draw: (d) =>
      model.generate({
        prompt: d.prompt, width: d.width, height: d.height, steps: d.steps, seed: d.seed, signal: d.signal, onStep: d.onStep,
        ...(d.edit ? { reference: { pixels: d.edit.pixels, width: d.edit.width, height: d.edit.height }, pinned: d.edit.pinned } : {}),
      }),
    preview: (predicted, width, height) => model.decodeTokens(predicted, height / model.tokenScale, width / model.tokenScale),
    release: () => model.release(),
  };
}

function zimageFamily(model: ZImageModel): Family {
  return {
    kind: 'z-image',
    label: 'Z-Image',
    defaultSteps: ZIMAGE_DEFAULT_STEPS,
    guidance: true,
    instructionEdits: false,
    dir: model.folder.dir,
    tokenizer: model.folder.tokenizer,
    maxSequenceLength: model.maxSequenceLength,
    sideMultiple: model.tokenScale,
    cell: model.latentScale,
    draw: (d) =>
      model.generate({
        prompt: d.prompt, negativePrompt: d.negativePrompt, guidance: d.guidance, width: d.width, height: d.height, steps: d.steps, seed: d.seed, signal: d.signal, onStep: d.onStep,
        ...(d.edit?.pinned ? { inpaint: { pixels: d.edit.pixels, pinned: d.edit.pinned } } : {}),
      }),
    preview: (predicted, width, height) => model.decodePreview(predicted, width, height),
    release: () => model.release(),
  };
}

export class DiffusersPipeline {
  private constructor(
    private readonly family: Family,
    readonly safety: SafetyPolicy | null,
    readonly quantize: Quantization,
  ) {}

  /** Opens the folder with the loader for the pipeline its model_index.json names. */
  static load(o: DiffusersLoadOptions): DiffusersPipeline {
    const safety = o.safety !== undefined ? o.safety : loadSafetyPolicy(o.safetyConfig ?? {});
    const quantize = o.quantize ?? 'none';
    const opts = { threads: o.threads, quantize, provider: o.provider };
    const kind = diffusersKind(o.modelDir);
    // An unreadable or unknown model_index.json goes to the klein loader, whose check names the file and the supported pipelines.
    const family = kind === 'z-image' ? zimageFamily(ZImageModel.open(o.modelDir, opts)) : kleinFamily(KleinModel.open(o.modelDir, opts));
    return new DiffusersPipeline(family, safety, quantize);
  }

  get kind(): DiffusersKind {
    return this.family.kind;
  }

  /** The steps a request samples when it names none (what the checkpoint is distilled for). */
  get defaultSteps(): number {
    return this.family.defaultSteps;
  }

  /** The size the model draws when none is asked for (the reference pipelines' 1024², scaled to the folder's VAE). */
  get nativeSize(): { width: number; height: number } {
    const side = 64 * this.family.sideMultiple;
    return { width: side, height: side };
  }

  /**
   * What the server and playground show and validate against (the own pipeline's PipelineInfo, less a
   * config). Guidance: none for klein; Z-Image's default is 0 (Turbo's: no guidance), and it has no Flash.
   */
  get info(): { id: string; version: string; sizes: { native: { width: number; height: number } }; guidance: GuidanceInfo | null } {
    return { id: this.modelId, version: 'diffusers', sizes: { native: this.nativeSize }, guidance: this.family.guidance ? { default: 0, fastRange: null } : null };
  }

  get modelId(): string {
    return `${this.family.kind}:${this.family.dir.replace(/\/+$/, '').split('/').pop()}`;
  }

  /**
   * Checks what is common to both requests. klein is step-distilled and has no guidance: a negative
   * prompt or guidance scale is refused rather than ignored; Z-Image takes both (guidance 0, its
   * Turbo default, samples without). Image guidance, guidance intervals and the Heun sampler apply
   * to neither. `fast` (the own models' few-step mode) asks for nothing these do not already do.
   */
  private common(r: CommonRequest & { negativePrompt?: string; imageGuidance?: number }): { n: number; steps: number; seed: number; guidance?: number } {
    const label = this.family.label;
    if (!this.family.guidance) {
      for (const [name, given] of [['negativePrompt', r.negativePrompt], ['guidance', r.guidance]] as const) {
        if (given !== undefined) throw new InputError(`${name} does not apply to ${label} (step-distilled, no guidance)`);
      }
    } else {
      if (r.guidance !== undefined && !(Number.isFinite(r.guidance) && r.guidance >= 0 && r.guidance <= 30)) throw new InputError(`guidance must be a number from 0 to 30, got ${r.guidance}`);
      if (r.negativePrompt !== undefined && !(r.guidance! > 0)) throw new InputError(`negativePrompt needs guidance above 0 (${label} samples without guidance by default)`);
    }
    if (r.imageGuidance !== undefined) throw new InputError(`imageGuidance does not apply to ${label}`);
    if (r.guidanceInterval !== undefined) throw new InputError(`guidanceInterval does not apply to ${label}`);
    if (r.sampler !== undefined && r.sampler !== 'euler') throw new InputError(`sampler ${r.sampler} does not apply to ${label}: it samples with Euler steps`);
    const n = r.n ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES) throw new InputError(`n must be an integer from 1 to ${MAX_IMAGES}, got ${r.n}`);
    const steps = r.steps ?? this.family.defaultSteps;
    if (!Number.isInteger(steps) || steps < 1 || steps > 200) throw new InputError(`steps must be an integer from 1 to 200, got ${r.steps}`);
    const seed = r.seed ?? randomInt(0, 2 ** 31);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`seed must be an integer from 0 to 4294967295, got ${r.seed}`);
    return { n, steps, seed, guidance: this.family.guidance && r.guidance ? r.guidance : undefined };
  }

  private checkSize(width: number, height: number): void {
    validateSize(width, height);
    const s = this.family.sideMultiple;
    if (width % s || height % s) throw new InputError(`size ${width}x${height}: ${this.family.label} needs sides that are multiples of ${s}`);
  }

  /** Prompt tokens with the chat template (the API's usage figures; the limit is maxSequenceLength). */
  countTokens(text: string): number {
    const tok = this.family.tokenizer;
    return tok.ids(tok.chatText(text)).length;
  }

  private checkPrompt(text: string, what: string, mayBeEmpty = false): void {
    if (typeof text !== 'string' || (!mayBeEmpty && text.trim() === '')) throw new InputError(`${what} is empty`);
    const tokens = this.countTokens(text);
    if (tokens > this.family.maxSequenceLength) {
      // The reference pipelines truncate silently; flowpaint says so instead of dropping words.
      throw new InputError(`${what} is ${tokens} tokens with the chat template; ${this.family.label} reads at most ${this.family.maxSequenceLength}`);
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
    return (e: { step: number; steps: number; predicted: Float32Array }) =>
      onStep({
        index,
        step: e.step,
        steps: e.steps,
        preview: async () => ({ width, height, data: toRgb8(await this.family.preview(e.predicted, width, height), width, height) }),
      });
  }

  async generate(req: GenerateRequest): Promise<GeneratedImage[]> {
    this.checkSize(req.width, req.height);
    const { n, steps, seed, guidance } = this.common(req);
    this.checkPrompt(req.prompt, 'prompt');
    if (req.negativePrompt !== undefined) this.checkPrompt(req.negativePrompt, 'negative prompt', true);
    if (this.safety) assertPromptAllowed(req.prompt, this.safety, { moderation: req.moderation });
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = async (s: number, refused: number[]): Promise<GeneratedImage> => {
        const pixels = await this.family.draw({
          prompt: req.prompt, negativePrompt: req.negativePrompt, guidance, width: req.width, height: req.height, steps, seed: s, signal: req.signal, onStep: this.stepCallback(req, i, req.width, req.height),
        });
        return {
          image: { width: req.width, height: req.height, data: toRgb8(pixels, req.width, req.height) },
          seed: s,
          metadata: this.metadata({ mode: 'generate', prompt: req.prompt, negative_prompt: req.negativePrompt, guidance, seed: s, steps, size: `${req.width}x${req.height}`, refused_seeds: refusedSeeds(refused) }),
          provenance: { model: this.modelId, version: 'diffusers', operation: 'generate', prompt: req.prompt, seed: s },
        };
      };
      out.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return out;
  }

  /**
   * Edits at the input's size (sides multiples of 16). klein: the input is the reference image the
   * model attends to, with or without a mask. Z-Image: inpainting only (a mask is required).
   */
  async edit(req: EditRequest): Promise<GeneratedImage[]> {
    const { width, height } = req.image;
    if (!req.mask && !this.family.instructionEdits) {
      throw new InputError(`${this.family.label} is a text-to-image model: edit needs a mask (inpainting: white = repaint); instruction edits without one are not supported`);
    }
    this.checkSize(width, height);
    if (req.mask && (req.mask.width !== width || req.mask.height !== height)) {
      throw new InputError(`mask is ${req.mask.width}×${req.mask.height} but the image is ${width}×${height}; they must match`);
    }
    if (req.mask && !req.mask.data.some((v) => v > 0)) throw new InputError('mask is empty: paint the region to change in white');
    const { n, steps, seed, guidance } = this.common(req);
    this.checkPrompt(req.instruction, 'instruction');
    if (this.safety) {
      assertPromptAllowed(req.instruction, this.safety, { moderation: req.moderation });
      await assertImageAllowed(req.image, this.safety, { stage: 'input-image', moderation: req.moderation });
    }
    const pixels = fromRgb8(req.image.data, width, height);
    // The region that may change: the mask and its seam. Latent cells wholly outside it are pinned.
    const region = req.mask ? dilateMask(req.mask, SEAM_PX) : undefined;
    const pinned = region ? pinnedCells(region, this.family.cell) : undefined;
    const out: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = async (s: number, refused: number[]): Promise<GeneratedImage> => {
        const drawn = await this.family.draw({
          prompt: req.instruction, guidance, width, height, steps, seed: s, edit: { pixels, width, height, pinned }, signal: req.signal, onStep: this.stepCallback(req, i, width, height),
        });
        const generated: RgbImage = { width, height, data: toRgb8(drawn, width, height) };
        // The composite blends a seam of SEAM_PX pixels around the region and copies the input beyond it.
        return {
          image: compositeOutside(req.image, generated, req.mask ?? autoEditMask(req.image, generated), SEAM_PX),
          seed: s,
          metadata: this.metadata({ mode: req.mask ? 'inpaint' : 'edit', instruction: req.instruction, guidance, seed: s, steps, size: `${width}x${height}`, refused_seeds: refusedSeeds(refused) }),
          provenance: { model: this.modelId, version: 'diffusers', operation: req.mask ? 'inpaint' : 'edit', prompt: req.instruction, seed: s },
        };
      };
      out.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return out;
  }

  async release(): Promise<void> {
    await this.family.release();
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
