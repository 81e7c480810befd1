// The pipeline factory module worker threads load by default: flowpaint's own pipeline from a
// model directory. Options come from the server config's "pipeline" section.
import { loadPipeline } from '../pipeline/index.ts';
import type { Pipeline } from './pipeline-factory.ts';

export async function createPipeline(options: Record<string, unknown>): Promise<Pipeline> {
  const { modelDir, threads, ...rest } = options as { modelDir?: string; threads?: number } & Record<string, unknown>;
  const pipe = await loadPipeline({ ...rest, ...(modelDir ? { modelDir } : {}), ...(threads ? { threads } : {}) });
  return {
    info: pipe.info,
    generate: (req) => pipe.generate(req),
    edit: (req) => pipe.edit(req),
    countTokens: (text) => pipe.countTokens(text),
    screenImage: (image, moderation) => pipe.screenImage(image, moderation),
    dispose: () => pipe.release(),
  };
}
