// The model under evaluation, as the suites see it: generate from a prompt, edit an image. The
// real one wraps src/pipeline (loaded lazily, so scorer tests never load a model); tests and
// the scorer's own validation pass simpler implementations.
import type { RgbImage } from '../data/index.ts';

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
}

export async function loadModelUnderTest(opts: LoadModelOptions = {}): Promise<ModelUnderTest> {
  const { loadPipeline } = await import('../pipeline/index.ts');
  const pipe = await loadPipeline({ modelDir: opts.modelDir, threads: opts.threads });
  const info = pipe.info;
  return {
    id: info.id,
    version: info.version,
    async generate(c) {
      const out = await pipe.generate({ prompt: c.prompt, width: c.width, height: c.height, seed: c.seed, steps: c.steps ?? opts.steps, fast: c.fast, n: 1 });
      return out[0]!.image;
    },
    async edit(c) {
      const out = await pipe.edit({ image: c.image, instruction: c.instruction, seed: c.seed, steps: c.steps ?? opts.steps, n: 1 });
      return out[0]!.image;
    },
    release: () => pipe.release(),
  };
}
