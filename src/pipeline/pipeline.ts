// Text-to-image, instruction editing and inpainting on a loaded model. Sampling comes from
// src/flow (Euler/Heun, text and edit guidance); this module decides what goes in and out:
// noise from seeds, conditioning, which pixels the model may change, and the final composite
// that keeps every pixel outside the edited region byte-identical to the input.
import { randomInt } from 'node:crypto';
import { type ExecutionProvider, type Quantization, Rng } from '../engine/index.ts';
import { InputError } from '../errors.ts';
// From the flow modules themselves, not flow/index.ts, which also loads the training loss and
// conditioning dropout (a cold start pays for every module it loads).
import { editGuidance, isGuidanceInterval, textGuidance } from '../flow/guidance.ts';
import { toVelocity } from '../flow/path.ts';
import { type Denoiser, sampleEuler, sampleHeun } from '../flow/sampler.ts';
import { samplingSchedule } from '../flow/timesteps.ts';
import type { RgbImage } from '../image/index.ts';
import { type Grid, gridFor, maskPatches, patchify, unpatchify } from '../model/layout.ts';
import { type Conditioning, ModelRunner, type PredictInput, selectConditioning } from '../model/runner.ts';
import { loadModel } from '../model/store.ts';
import { type ModelSizes, baseSizeFor, modelSizes, noiseShift } from '../model/config.ts';
// From the modules themselves, not safety/index.ts, which also brings the red-team suite and
// release.ts that no image request runs (a cold start pays for every module it loads).
import { assertImageAllowed } from '../safety/image-filter.ts';
import { type Moderation, type SafetyPolicy, loadSafetyPolicy } from '../safety/policy.ts';
import { assertPromptAllowed } from '../safety/prompt-filter.ts';
import type { ProvenanceInput } from '../safety/provenance.ts';
import { type Upscaler, loadUpscaler } from '../model/upscaler.ts';
import { type Mask, resizeImage, resizeMask } from './image-io.ts';
import { autoEditMask, compositeOutside, dilateMask } from './masks.ts';
import { cropMask, cropRgb, editWindow, maskBounds, pasteRgb, placeMask } from './region.ts';
import { FlashPath } from './flash.ts';
import { drawScreened, refusedSeeds } from './redraw.ts';
import { EstimateMemory } from '../flow/self-condition.ts';
import type { CommonRequest, EditRequest, GeneratedImage, GenerateRequest } from './requests.ts';
import { validateSize } from './sizes.ts';
import { upscaleFactor, upscaleLabel, upscaleTo } from './upscale.ts';

export const DEFAULT_STEPS = 20;
export const FAST_STEPS = 4;
export const DEFAULT_GUIDANCE = 4;
export const DEFAULT_IMAGE_GUIDANCE = 1.5;
/** Pixels around a mask that may blend between old and new (the seam); beyond it, input bytes are kept. */
export const SEAM_PX = 2;
export const MAX_IMAGES_PER_CALL = 8;

export interface PipelineInfo {
  id: string;
  version: string;
  config: ModelRunner['config'];
  /** The model's native size (every entry point's default) and trained buckets. */
  sizes: ModelSizes;
  guidance: GuidanceInfo;
}

/** The text guidance a request gets when it names none, and the scales fast requests may name. */
export interface GuidanceInfo {
  default: number;
  /** The range a Flash that takes the scale as an input was distilled over; null: no such Flash. */
  fastRange: [number, number] | null;
}

/** Where a sampling run reports: the request's step callback and abort signal. */
type SampleProgress = Pick<CommonRequest, 'onStep' | 'signal'> & {
  /** Which of the request's n images this run draws (step events carry it). */
  index: number;
};

/** One sampling run: from `noise` on `grid` to the model's final estimate. */
interface SampleRun extends SampleProgress {
  noise: Float32Array;
  grid: Grid;
  steps: number;
  sampler: 'euler' | 'heun';
  denoise: Denoiser;
  /** The pixel size the run draws at (step previews are unpatchified to it). */
  size: { width: number; height: number };
}

/** The part of a large input an edit works on, and the model size it is drawn at. */
type EditWindow = ReturnType<typeof editWindow>;

/** One generate sample's settings, already validated and encoded. */
interface GenerateSample {
  cond: Conditioning;
  grid: Grid;
  /** The size the model draws at (the request's, or its bucket before upscaling). */
  base: { width: number; height: number };
  steps: number;
  guidance: number;
  guidanceInterval?: readonly [number, number];
  sampler: 'euler' | 'heun';
  index: number;
  seed: number;
  /** Seeds of this image the output filter refused before (redraw.ts), for its metadata. */
  refused: number[];
}

/** One edit sample's settings, already validated, shared by the whole-image and windowed paths. */
interface EditSample extends SampleProgress {
  cond: Conditioning;
  steps: number;
  sampler: 'euler' | 'heun';
  guidance: number;
  imageGuidance: number;
  seed: number;
}

function checkCommon(r: CommonRequest, defaultGuidance: number): { n: number; steps: number; guidance: number; seed: number } {
  const n = r.n ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES_PER_CALL) throw new InputError(`n must be an integer from 1 to ${MAX_IMAGES_PER_CALL}, got ${r.n}`);
  const steps = r.steps ?? (r.fast ? FAST_STEPS : DEFAULT_STEPS);
  if (!Number.isInteger(steps) || steps < 1 || steps > 200) throw new InputError(`steps must be an integer from 1 to 200, got ${r.steps}`);
  if (r.fast && steps > FAST_STEPS) throw new InputError(`fast mode takes at most ${FAST_STEPS} steps, got ${steps}`);
  const guidance = r.guidance ?? defaultGuidance;
  if (!Number.isFinite(guidance) || guidance < 0 || guidance > 30) throw new InputError(`guidance must be between 0 and 30, got ${r.guidance}`);
  if (r.guidanceInterval !== undefined && !isGuidanceInterval(r.guidanceInterval)) {
    throw new InputError(`guidanceInterval must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, got [${r.guidanceInterval.join(', ')}]`);
  }
  const seed = r.seed ?? randomInt(0, 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError(`seed must be an integer from 0 to 4294967295, got ${r.seed}`);
  return { n, steps, guidance, seed };
}

function requireText(text: string, what: string): void {
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(`${what} is empty`);
}

export class Pipeline {
  /** `safety: null` turns every filter off (red-team pre-mitigation runs and tests only). */
  constructor(
    readonly runner: ModelRunner,
    readonly safety: SafetyPolicy | null,
    /** The learned ×2 upscaler for sizes above the model's own; without it, Lanczos. */
    readonly upscaler?: Upscaler,
  ) {}

  /**
   * How a width×height generation is made: the size the model draws at and the learned upscale
   * factor after it, if any (callers size progress bars with this).
   */
  plan(width: number, height: number): { base: { width: number; height: number }; upscale?: number } {
    const base = baseSizeFor(this.runner.config, width, height);
    return { base, upscale: this.upscaler ? upscaleFactor(base, { width, height }) : undefined };
  }

  /**
   * The prompt filter. Callers validate everything first (size, length, steps, guidance, mask):
   * a request that is invalid answers as bad input (exit 2 / HTTP 400 invalid_request), never
   * as a refusal, whatever its text.
   */
  private screenPrompt(text: string, moderation?: Moderation): void {
    if (this.safety) assertPromptAllowed(text, this.safety, { moderation });
  }

  /** Length limit before any safety stage: a prompt over MAX_PROMPT_TOKENS is an InputError. */
  private checkLength(...texts: (string | undefined)[]): void {
    for (const t of texts) if (t) this.runner.tokenize(t);
  }

  /** The output filter, for any image about to leave (results, streamed previews); throws SafetyRefusal. */
  async screenImage(image: RgbImage, moderation?: Moderation): Promise<void> {
    if (this.safety) await assertImageAllowed(image, this.safety, { stage: 'output-image', moderation });
  }

  /** The model's measured guidance scale when its config.json records one, else DEFAULT_GUIDANCE. */
  get defaultGuidance(): number {
    return this.runner.model.sampling?.guidance ?? DEFAULT_GUIDANCE;
  }

  /** Prompt length in tokens (the usage figures of the API). */
  countTokens(text: string): number {
    return this.runner.tokenize(text).length - 1;
  }

  private provenance(operation: string, prompt: string, seed: number): ProvenanceInput {
    const info = this.info;
    return { model: info.id, version: info.version, operation, prompt, seed };
  }

  get info(): PipelineInfo {
    const m = this.runner.model;
    const guidance = { default: this.defaultGuidance, fastRange: this.flash?.entry.guidanceRange ?? null };
    return { id: m.info.id, version: m.info.version, config: m.config, sizes: modelSizes(m.config), guidance };
  }

  private noise(seed: number, length: number): Float32Array {
    return new Rng(seed).fillNormal(new Float32Array(length));
  }

  private async sample(run: SampleRun): Promise<Float32Array> {
    const { grid, size, index, onStep } = run;
    const schedule = samplingSchedule(run.steps, noiseShift(this.runner.config, grid.rows * grid.cols));
    const patch = this.runner.config.patchSize;
    const sampleWith = run.sampler === 'heun' ? sampleHeun : sampleEuler;
    let last: Float32Array | undefined;
    const out = await sampleWith(run.noise, schedule, run.denoise, {
      signal: run.signal,
      onStep: async (s) => {
        last = s.predictedData;
        await onStep?.({ index, step: s.step + 1, steps: s.steps, preview: () => unpatchify(s.predictedData, size.width, size.height, patch) });
      },
    });
    // x-prediction: the last step's data estimate is the model's own answer (see flow/path.ts on tMin).
    return this.runner.config.prediction === 'x' && last ? last : out;
  }

  /** Velocity from the model's raw output, with known pixels pinned to the source (inpainting). */
  /**
   * One model evaluation of the branches `keys` (one conditioning row each) at (xt, t), as
   * velocities: pinned pixels (`keep`) are set in each prediction first, and each branch's
   * estimate is kept for its next step's self-conditioning.
   */
  private async predictBranches(
    memory: EstimateMemory,
    keys: readonly string[],
    input: Omit<PredictInput, 'noisy' | 'selfCond'>,
    xt: Float32Array,
    keep?: { values: Float32Array; where: Float32Array },
  ): Promise<Float32Array[]> {
    const { t } = input;
    const kind = this.runner.config.prediction;
    const preds = await this.runner.predict({ ...input, noisy: keys.map(() => xt), selfCond: memory.recall(keys) });
    if (keep) for (const p of preds) for (let i = 0; i < p.length; i++) if (keep.where[i]! > 0) p[i] = keep.values[i]!;
    preds.forEach((p, i) => memory.remember(keys[i]!, p, xt, t, kind));
    return preds.map((p) => toVelocity(p, xt, t, kind));
  }

  /**
   * How a text guidance scale is applied: as classifier-free guidance over conditional and
   * unconditional passes, or, for a model that takes the scale as an input (a Flash student
   * distilled over a range of scales), given to the model, whose one conditional pass already
   * draws at that scale: guiding it again would apply the scale twice.
   */
  private guidanceSplit(scale: number): { classifierFree: number; modelInput: { guidance?: number } } {
    return this.runner.config.guidanceEmbedding ? { classifierFree: 1, modelInput: { guidance: scale } } : { classifierFree: scale, modelInput: {} };
  }

  /** Flash, the distilled few-step student, when the model directory has one: `fast` requests go to it. */
  flash?: FlashPath;

  async generate(req: GenerateRequest): Promise<GeneratedImage[]> {
    if (req.fast && this.flash) return this.flash.generate(req);
    requireText(req.prompt, 'prompt');
    validateSize(req.width, req.height);
    const { n, steps, guidance, seed } = checkCommon(req, this.defaultGuidance);
    this.checkLength(req.prompt, req.negativePrompt);
    this.screenPrompt(req.prompt, req.moderation);
    const sampler = req.sampler ?? 'euler';
    const cfg = this.runner.config;
    // Beyond its native area the model is drawn at the trained bucket nearest the aspect ratio and
    // resized: it never learned positions or textures at larger sizes (BENCHMARKS.md, sizes).
    const base = baseSizeFor(cfg, req.width, req.height);
    const grid = gridFor(base.width, base.height, cfg.patchSize);
    const guidanceInterval = req.guidanceInterval ?? this.runner.model.sampling?.guidanceInterval;
    // Row 1, the negative prompt, is only read by classifier-free guidance: a scale of 1 (or a
    // model that takes the scale as an input, Flash) never runs the unconditional branch.
    const unguided = this.guidanceSplit(guidance).classifierFree === 1;
    const cond = await this.runner.encode(unguided ? [req.prompt] : [req.prompt, req.negativePrompt ?? '']);
    const results: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = (s: number, refused: number[]) => this.drawGenerated(req, { cond, grid, base, steps, guidance, guidanceInterval, sampler, index: i, seed: s, refused });
      results.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return results;
  }

  /** Image `c.index` of a generate request, drawn from seed `c.seed`; not yet screened. */
  private async drawGenerated(req: GenerateRequest, c: GenerateSample): Promise<GeneratedImage> {
    const { cond, grid, base, steps, guidance, sampler, index, seed } = c;
    const cfg = this.runner.config;
    const P = cfg.patchSize * cfg.patchSize * 3;
    const { classifierFree, modelInput } = this.guidanceSplit(guidance);
    const memory = new EstimateMemory(cfg.selfCondition);
    const predictRows = (xt: Float32Array, t: number, rows: number[]) =>
      this.predictBranches(memory, rows.map((r) => `text${r}`), { t, grid, cond: selectConditioning(cond, rows), ...modelInput }, xt);
    const denoise = textGuidance(
      async (xt, t) => (await predictRows(xt, t, [0]))[0]!,
      async (xt, t) => (await predictRows(xt, t, [1]))[0]!,
      classifierFree,
      { batched: (xt, t, which) => predictRows(xt, t, which.map((w) => (w === 'cond' ? 0 : 1))), interval: c.guidanceInterval },
    );
    const x = await this.sample({
      noise: this.noise(seed, grid.rows * grid.cols * P), grid, steps, sampler, denoise, size: base, index, signal: req.signal, onStep: req.onStep,
    });
    const drawn = unpatchify(x, base.width, base.height, cfg.patchSize);
    const resized = base.width !== req.width || base.height !== req.height;
    const factor = resized && this.upscaler ? upscaleFactor(base, req) : undefined;
    return {
      image: resized ? await upscaleTo(drawn, req.width, req.height, this.upscaler, (e) => req.onUpscale?.({ ...e, index })) : drawn,
      seed,
      metadata: this.metadata({
        mode: 'generate', prompt: req.prompt, negative_prompt: req.negativePrompt, seed, steps, guidance, guidance_interval: c.guidanceInterval, sampler,
        size: `${req.width}x${req.height}`, base_size: resized ? `${base.width}x${base.height}` : undefined,
        upscale: resized ? upscaleLabel(factor) : undefined, refused_seeds: refusedSeeds(c.refused),
      }),
      provenance: this.provenance('generate', req.prompt, seed),
    };
  }

  async edit(req: EditRequest): Promise<GeneratedImage[]> {
    if (req.fast && this.flash) return this.flash.edit(req);
    requireText(req.instruction, 'instruction');
    const { width, height } = req.image;
    validateSize(width, height);
    if (req.mask && (req.mask.width !== width || req.mask.height !== height)) {
      throw new InputError(`mask is ${req.mask.width}×${req.mask.height} but the image is ${width}×${height}; they must match`);
    }
    if (req.mask && !req.mask.data.some((v) => v > 0)) throw new InputError('mask is empty: paint the region to change in white');
    const { n, steps, guidance, seed } = checkCommon(req, this.defaultGuidance);
    const imageGuidance = req.imageGuidance ?? DEFAULT_IMAGE_GUIDANCE;
    if (!Number.isFinite(imageGuidance) || imageGuidance < 0 || imageGuidance > 30) throw new InputError(`imageGuidance must be between 0 and 30, got ${req.imageGuidance}`);
    this.checkLength(req.instruction);
    this.screenPrompt(req.instruction, req.moderation);
    if (this.safety) await assertImageAllowed(req.image, this.safety, { stage: 'input-image', moderation: req.moderation });
    const sampler = req.sampler ?? 'euler';
    const cond: Conditioning = await this.runner.encode([req.instruction, '']);
    const { native, buckets } = modelSizes(this.runner.config);
    // Larger than the model's own area: edit a window at model scale and upscale it back.
    const large = width * height > native.width * native.height;
    const window = large ? editWindow(width, height, buckets, req.mask ? maskBounds(req.mask) : undefined) : undefined;
    const results: GeneratedImage[] = [];
    for (let i = 0; i < n; i++) {
      const draw = (s: number, refused: number[]) =>
        this.drawEdited(req, window, { cond, steps, sampler, guidance, imageGuidance, seed: s, index: i, signal: req.signal, onStep: req.onStep }, refused);
      results.push(await drawScreened((seed + i) >>> 0, i, draw, (img) => this.screenImage(img.image, req.moderation), req.onRedraw));
    }
    return results;
  }

  /** Image `c.index` of an edit request, drawn from seed `c.seed` and composited onto the input; not yet screened. */
  private async drawEdited(req: EditRequest, window: EditWindow | undefined, c: EditSample, refused: number[]): Promise<GeneratedImage> {
    const { width, height } = req.image;
    let image: RgbImage;
    let factor: number | undefined;
    if (!window) {
      const generated = await this.editAtModelScale(req.image, req.mask, c);
      // Keep the input's bytes wherever the edit is not meant to reach: the painted mask, or for
      // instruction edits the region the model actually changed.
      image = compositeOutside(req.image, generated, req.mask ?? autoEditMask(req.image, generated), SEAM_PX);
    } else {
      const { box, model } = window;
      const scale = box.width / model.width;
      const source = await resizeImage(cropRgb(req.image, box), model.width, model.height);
      // Grown before the nearest-neighbour shrink, so no painted pixel vanishes at model scale.
      const mask = req.mask ? await resizeMask(dilateMask(cropMask(req.mask, box), Math.ceil(scale / 2)), model.width, model.height) : undefined;
      const edited = await this.editAtModelScale(source, mask, c);
      factor = this.upscaler ? upscaleFactor(model, box) : undefined;
      const back = await upscaleTo(edited, box.width, box.height, this.upscaler, (e) => req.onUpscale?.({ ...e, index: c.index }));
      // The region to take from the edit, at full size: the painted mask itself, or what the
      // model changed at its scale (found there, where the upscaler's own differences cannot count).
      const region = req.mask ?? placeMask(width, height, dilateMask(await resizeMask(autoEditMask(source, edited), box.width, box.height), Math.ceil(scale)), box);
      image = compositeOutside(req.image, pasteRgb(req.image, back, box), region, SEAM_PX);
    }
    const mode = req.mask ? 'inpaint' : 'edit';
    return {
      image,
      seed: c.seed,
      metadata: this.metadata({
        mode, instruction: req.instruction, seed: c.seed, steps: c.steps, guidance: c.guidance, image_guidance: c.imageGuidance, sampler: c.sampler, size: `${width}x${height}`,
        ...(window ? { edit_window: `${window.box.width}x${window.box.height}+${window.box.x}+${window.box.y}`, base_size: `${window.model.width}x${window.model.height}`, upscale: upscaleLabel(factor as 2 | 4 | 8 | undefined) } : {}),
        refused_seeds: refusedSeeds(refused),
      }),
      provenance: this.provenance(mode, req.instruction, c.seed),
    };
  }

  /** One edit sample of `image` at the size it is (a size the model can take), before any composite. */
  private async editAtModelScale(image: RgbImage, mask: Mask | undefined, c: EditSample): Promise<RgbImage> {
    const { width, height } = image;
    const p = this.runner.config.patchSize;
    const grid = gridFor(width, height, p);
    const source = patchify(image, p);
    const maskTokens = mask ? maskPatches(mask, p) : undefined;
    // Inpainting pins every pixel beyond the seam to the source during sampling as well as after.
    const region = mask ? dilateMask(mask, SEAM_PX) : undefined;
    const keep = region ? { values: source, where: patchify(invertToRgb(region), p).map((v) => (v > 0 ? 1 : 0)) } : undefined;
    const { cond } = c;
    const { classifierFree, modelInput } = this.guidanceSplit(c.guidance);
    const memory = new EstimateMemory(this.runner.config.selfCondition);
    const withSource = (xt: Float32Array, t: number, rows: number[]) =>
      this.predictBranches(memory, rows.map((r) => `source${r}`), { t, grid, cond: selectConditioning(cond, rows), source, mask: maskTokens, ...modelInput }, xt, keep);
    const noSource = async (xt: Float32Array, t: number) =>
      (await this.predictBranches(memory, ['none'], { t, grid, cond: selectConditioning(cond, [1]), mask: maskTokens, ...modelInput }, xt, keep))[0]!;
    const denoise = editGuidance(
      {
        full: async (xt, t) => (await withSource(xt, t, [0]))[0]!,
        imageOnly: async (xt, t) => (await withSource(xt, t, [1]))[0]!,
        none: noSource,
        batched: async (xt, t, which) => {
          const rows = which.filter((w) => w !== 'none').map((w) => (w === 'full' ? 0 : 1));
          const paired = rows.length ? await withSource(xt, t, rows) : [];
          let k = 0;
          return Promise.all(which.map(async (w) => (w === 'none' ? noSource(xt, t) : paired[k++]!)));
        },
      },
      classifierFree,
      c.imageGuidance,
    );
    const x = await this.sample({
      noise: this.noise(c.seed, source.length), grid, steps: c.steps, sampler: c.sampler, denoise, size: image, index: c.index, signal: c.signal, onStep: c.onStep,
    });
    return unpatchify(x, width, height, p);
  }

  private metadata(params: Record<string, unknown>): Record<string, string> {
    const info = this.info;
    const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    return {
      Software: 'flowpaint',
      'flowpaint:parameters': JSON.stringify({
        ...clean,
        model: info.id,
        model_version: info.version,
        ...(this.runner.quantize !== 'none' ? { quantize: this.runner.quantize } : {}),
      }),
    };
  }

  async release(): Promise<void> {
    await this.flash?.release();
    await this.runner.release();
    await this.upscaler?.release();
  }
}

/** A mask as an RGB image whose white marks pixels to KEEP (the complement of the mask). */
function invertToRgb(m: Mask): RgbImage {
  const data = new Uint8Array(m.width * m.height * 3);
  for (let i = 0; i < m.data.length; i++) {
    const v = m.data[i]! > 0 ? 0 : 255;
    data[i * 3] = v;
    data[i * 3 + 1] = v;
    data[i * 3 + 2] = v;
  }
  return { width: m.width, height: m.height, data };
}

export interface LoadPipelineOptions {
  /** A model directory; default: the model shipped in the repository (models/default). */
  modelDir?: string;
  threads?: number;
  /** ONNX Runtime's execution provider for the model's graphs (default the CPU; see engine/device.ts). */
  provider?: ExecutionProvider;
  /** Linear layers in float32 ('none', the default), int8 or int4 (see RuntimeOptions.quantize). */
  quantize?: Quantization;
  /** The deployment's safety policy; default: loadSafetyPolicy() defaults. null disables filtering. */
  safety?: SafetyPolicy | null;
  /** Or the policy as plain config (what a server config file or a worker thread can carry). */
  safetyConfig?: unknown;
  /** Notices such as a stale Flash file (default: standard error). */
  warn?: (line: string) => void;
  /**
   * Compile the model's graphs on first use rather than at load (a one-shot command: `--fast`
   * with Flash never compiles the base denoiser). A server keeps the default and pays at start.
   */
  lazy?: boolean;
}

export async function loadPipeline(opts: LoadPipelineOptions = {}): Promise<Pipeline> {
  const dir = opts.modelDir ?? defaultModelDir();
  const model = loadModel(dir);
  const safety = opts.safety !== undefined ? opts.safety : loadSafetyPolicy(opts.safetyConfig ?? {});
  // A model directory with upscaler.safetensors gets the learned second stage for large sizes.
  const runtime = { threads: opts.threads, quantize: opts.quantize, provider: opts.provider };
  const pipe = new Pipeline(await ModelRunner.create(model, runtime, { lazy: opts.lazy }), safety, loadUpscaler(dir, opts.threads));
  // Flash (flash.safetensors beside the weights) serves fast requests; compiled on the first one,
  // with the base model's text encoder (the student shares its weights).
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  pipe.flash = FlashPath.open(model, runtime, (runner) => new Pipeline(runner, safety, pipe.upscaler), warn, { lazy: opts.lazy, textFrom: pipe.runner });
  return pipe;
}

export function defaultModelDir(): string {
  return new URL('../../models/default', import.meta.url).pathname;
}
