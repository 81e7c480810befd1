// Worker threads and worker processes build their own pipeline (ONNX Runtime sessions belong to
// the thread that made them), so the server is given not a pipeline but a recipe for one: a module
// that exports createPipeline(options), plus plain-data options. Tests pass a fake module here.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RgbImage } from '../image/index.ts';
import type { EditRequest, GeneratedImage, GenerateRequest, GuidanceInfo, StepEvent } from '../pipeline/index.ts';
import type { ProvenanceInput } from '../safety/index.ts';

// The requests are the pipeline's own (type-only imports: nothing of the pipeline loads here).
export type { EditRequest, GenerateRequest };

/** One sampling step's progress, as the pipeline reports it to onStep. */
export type StepProgress = StepEvent & { index: number };

/** An image a pipeline returns; provenance may be left out by test pipelines. */
export type PipelineOutput = Omit<GeneratedImage, 'provenance'> & {
  /** Marks encoded files as AI-generated (src/pipeline always sets it). */
  provenance?: ProvenanceInput;
};

/** What the server needs of a pipeline (src/pipeline's satisfies it). */
export interface Pipeline {
  /**
   * sizes.native is what a generation without a size ("auto") is drawn at; buckets, the other trained
   * sizes. guidance: the default text guidance scale and Flash's range (null: the model takes none).
   */
  info: { id: string; version: string; config?: unknown; sizes: { native: { width: number; height: number }; buckets?: Array<{ width: number; height: number }> }; guidance?: GuidanceInfo | null };
  generate(req: GenerateRequest): Promise<PipelineOutput[]>;
  edit(req: EditRequest): Promise<PipelineOutput[]>;
  /** Counts prompt tokens for the usage figures, when the pipeline can. */
  countTokens?(text: string): number;
  /** Runs the output filter on an image that is about to leave (streamed partials); throws SafetyRefusal. */
  screenImage?(image: RgbImage, moderation?: 'auto' | 'low'): Promise<void>;
  dispose?(): Promise<void> | void;
}

export interface PipelineFactory {
  /** A module URL (file://...) or a path; the module exports `createPipeline(options)`. */
  module: string;
  options: Record<string, unknown>;
}

export const DEFAULT_PIPELINE_MODULE = new URL('./default-pipeline.ts', import.meta.url).href;

export async function createFromFactory(factory: PipelineFactory): Promise<Pipeline> {
  const spec = /^(file|data|node):/.test(factory.module) ? factory.module : pathToFileURL(resolve(factory.module)).href;
  const mod = (await import(spec)) as { createPipeline?: (o: Record<string, unknown>) => Promise<Pipeline> | Pipeline };
  if (typeof mod.createPipeline !== 'function') throw new Error(`pipeline module ${factory.module} does not export createPipeline(options)`);
  return mod.createPipeline(factory.options);
}
