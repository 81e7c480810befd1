// Loading a pipeline from a command's --model, --threads, --quantize, --device (else $FLOWPAINT_DEVICE)
// and --safety-config (else
// $FLOWPAINT_SAFETY_CONFIG), for every command that makes images (generate, edit, slides, photos).
import { readFileSync } from 'node:fs';
import { type Device, type Quantization, resolveProvider } from '../engine/index.ts';
import { type Pipeline, loadPipeline } from '../pipeline/index.ts';
import { UsageError } from './errors.ts';

export interface PipelineOptions {
  model?: string;
  threads?: number;
  quantize?: Quantization;
  device?: Device;
  safetyConfig?: string;
}

export function loadCliPipeline(o: PipelineOptions): Promise<Pipeline> {
  const safetyConfig = readSafetyConfig(o.safetyConfig ?? process.env.FLOWPAINT_SAFETY_CONFIG);
  const provider = resolveProvider(o.device);
  // One command, one kind of request: compile only the graphs it runs.
  return loadPipeline({ modelDir: o.model, threads: o.threads, provider, ...(o.quantize ? { quantize: o.quantize } : {}), safetyConfig, lazy: true });
}

/** The safety policy JSON a --safety-config (or $FLOWPAINT_SAFETY_CONFIG) names; undefined for none. */
export function readSafetyConfig(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`safety config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
