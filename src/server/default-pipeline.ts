// The pipeline factory module worker threads load by default: flowpaint's own pipeline from a
// model directory, or FLUX.2 [klein] / Z-Image when the directory is a diffusers folder
// (model_index.json; docs/flux2-klein.md, docs/zimage.md). Options come from the server config's
// "pipeline" section; `device` (cpu or cuda; else $FLOWPAINT_DEVICE, else cpu) picks ONNX Runtime's
// execution provider for either kind, checked before anything loads (engine/device.ts).
import { parseDevice, resolveProvider } from '../engine/device.ts';
import type { ExecutionProvider } from '../engine/runtime.ts';
import { isDiffusersFolder } from '../model/diffusers/detect.ts';
import { loadPipeline } from '../pipeline/index.ts';
import type { Pipeline } from './pipeline-factory.ts';

export async function createPipeline(options: Record<string, unknown>): Promise<Pipeline> {
  const { modelDir, threads, device, ...rest } = options as { modelDir?: string; threads?: number; device?: unknown } & Record<string, unknown>;
  const provider = resolveProvider(device === undefined ? undefined : parseDevice(String(device), 'pipeline.options.device'));
  if (isDiffusersFolder(modelDir)) return createDiffusersPipeline(modelDir, threads, provider, rest);
  const pipe = await loadPipeline({ ...rest, ...(modelDir ? { modelDir } : {}), ...(threads ? { threads } : {}), provider });
  return served(pipe);
}

/** The same options as the own pipeline's loader: quantize, device, safetyConfig (a `safety` object is for in-process callers only). */
async function createDiffusersPipeline(modelDir: string, threads: number | undefined, provider: ExecutionProvider, o: Record<string, unknown>): Promise<Pipeline> {
  const [{ DiffusersPipeline }, { parseQuantization }] = await Promise.all([import('../pipeline/diffusers.ts'), import('../engine/index.ts')]);
  const known = new Set(['quantize', 'safetyConfig', 'safety']);
  const unknown = Object.keys(o).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`pipeline.options ${unknown.join(', ')} do not apply to a diffusers folder (${modelDir}); it takes quantize, device and safetyConfig`);
  const pipe = DiffusersPipeline.load({
    modelDir,
    threads,
    provider,
    quantize: o.quantize === undefined ? undefined : parseQuantization(String(o.quantize)),
    safetyConfig: o.safetyConfig,
    ...(o.safety !== undefined ? { safety: o.safety as never } : {}),
  });
  return served(pipe);
}

/** What the worker needs of a loaded pipeline, own or diffusers: the factory's interface, with release as dispose. */
type Loaded = Omit<Pipeline, 'dispose' | 'countTokens' | 'screenImage'> & Required<Pick<Pipeline, 'countTokens' | 'screenImage'>> & { release(): Promise<void> | void };

function served(pipe: Loaded): Pipeline {
  return {
    info: pipe.info,
    generate: (req) => pipe.generate(req),
    edit: (req) => pipe.edit(req),
    countTokens: (text) => pipe.countTokens(text),
    screenImage: (image, moderation) => pipe.screenImage(image, moderation),
    dispose: () => pipe.release(),
  };
}
