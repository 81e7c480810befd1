// The model under evaluation, as the suites see it: generate from a prompt, edit an image. The
// real one wraps src/pipeline (loaded lazily, so scorer tests never load a model); tests and
// the scorer's own validation pass simpler implementations.
import type { RgbImage } from '../data/index.ts';
import type { Quantization } from '../engine/index.ts';

export interface GenerateCall {
  prompt: string;
  width: number;
  height: number;
  seed: number;
  steps?: number;
  fast?: boolean;
}

export interface EditCall {
  image: RgbImage;
  instruction: string;
  seed: number;
  steps?: number;
}

export interface ModelUnderTest {
  id: string;
  version: string;
  /** Outputs the safety filter refused; each was scored as a plain gray image (a wrong answer). */
  refusals: number;
  generate(call: GenerateCall): Promise<RgbImage>;
  edit(call: EditCall): Promise<RgbImage>;
  release(): Promise<void>;
}

export interface LoadModelOptions {
  /** A model directory (default: the shipped models/default). */
  modelDir?: string;
  threads?: number;
  /** Sampling steps (default: the pipeline's). */
  steps?: number;
  /** Text guidance scale (default: the model's own, else the pipeline's). */
  guidance?: number;
  /** Guide only while t is in [lo, hi] (default: the model's own, else every step). */
  guidanceInterval?: readonly [number, number];
  /** The few-step mode: Flash when the model directory has it (at most 4 steps). */
  fast?: boolean;
  /** Linear layers in int8 or int4 (default float32): what quantization costs in the figures. */
  quantize?: Quantization;
}

export async function loadModelUnderTest(opts: LoadModelOptions = {}): Promise<ModelUnderTest> {
  const { loadPipeline } = await import('../pipeline/index.ts');
  const pipe = await loadPipeline({ modelDir: opts.modelDir, threads: opts.threads, ...(opts.quantize ? { quantize: opts.quantize } : {}) });
  const { isSafetyRefusal } = await import('../safety/index.ts');
  const info = pipe.info;
  // The suites' prompts are benign, but the output filter can still refuse an image (a false
  // positive). The product never lets such an image out, so neither does the evaluation: the
  // item is scored on a gray image, i.e. counted wrong, and the refusal is counted and reported.
  const model: ModelUnderTest = {
    id: info.id,
    // A quantized run is named as one in every table, report and JSON line it makes.
    version: opts.quantize && opts.quantize !== 'none' ? `${info.version}+${opts.quantize}` : info.version,
    refusals: 0,
    async generate(c) {
      try {
        const out = await pipe.generate({ prompt: c.prompt, width: c.width, height: c.height, seed: c.seed, steps: c.steps ?? opts.steps, guidance: opts.guidance, guidanceInterval: opts.guidanceInterval, fast: c.fast ?? opts.fast, n: 1 });
        return out[0]!.image;
      } catch (err) {
        if (!isSafetyRefusal(err)) throw err;
        return refused(c.width, c.height);
      }
    },
    async edit(c) {
      try {
        const out = await pipe.edit({ image: c.image, instruction: c.instruction, seed: c.seed, steps: c.steps ?? opts.steps, guidance: opts.guidance, fast: opts.fast, n: 1 });
        return out[0]!.image;
      } catch (err) {
        if (!isSafetyRefusal(err)) throw err;
        return refused(c.image.width, c.image.height);
      }
    },
    release: () => pipe.release(),
  };
  const refused = (width: number, height: number): RgbImage => {
    model.refusals++;
    process.stderr.write('eval: the output filter refused an image; scored as a gray image (wrong)\n');
    return { width, height, data: new Uint8Array(width * height * 3).fill(128) };
  };
  return model;
}
