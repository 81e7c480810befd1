// A model directory: config.json (architecture + provenance), weights.safetensors, tokenizer.json.
// Loading validates each file and names the one that is missing or broken.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { asFloat32, castForStorage, type HostTensor, readSafetensors, writeFileAtomic, writeSafetensors } from '../engine/index.ts';
import { ModelConfig } from './config.ts';
import { Tokenizer } from './tokenizer/index.ts';

export const ModelInfo = z.object({
  id: z.string(),
  version: z.string(),
  /** How it was trained: the command, steps, samples and CPU time, for the model card. */
  training: z.record(z.string(), z.unknown()).optional(),
});

/** Sampling defaults chosen for these weights by measurement (a sweep per checkpoint). */
export const SamplingDefaults = z.object({
  /** Classifier-free guidance scale for text. */
  guidance: z.number().min(0).max(30),
});
export type SamplingDefaults = z.infer<typeof SamplingDefaults>;

export const ModelFile = z.object({ model: ModelConfig, info: ModelInfo, sampling: SamplingDefaults.optional() });
export type ModelInfo = z.infer<typeof ModelInfo>;

export interface LoadedModel {
  dir: string;
  config: ModelConfig;
  info: ModelInfo;
  weights: Map<string, HostTensor>;
  tokenizer: Tokenizer;
  sampling?: SamplingDefaults;
}

export class ModelLoadError extends Error {
  override name = 'InputError';
}

export function loadModel(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new ModelLoadError(`model directory ${dir} does not exist`);
  const configPath = join(dir, 'config.json');
  const weightsPath = join(dir, 'weights.safetensors');
  const tokenizerPath = join(dir, 'tokenizer.json');
  for (const p of [configPath, weightsPath, tokenizerPath]) {
    if (!existsSync(p)) throw new ModelLoadError(`model directory ${dir} is missing ${p.slice(dir.length + 1)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`${configPath}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = ModelFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ModelLoadError(`${configPath}: not a valid model config (${issues})`);
  }
  const file = parsed.data;
  let weights: Map<string, HostTensor>;
  try {
    weights = new Map([...readSafetensors(weightsPath).tensors].map(([k, t]) => [k, asFloat32(t)]));
  } catch (err) {
    throw new ModelLoadError((err as Error).message);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromFile(tokenizerPath);
  } catch (err) {
    throw new ModelLoadError(`${tokenizerPath}: ${(err as Error).message}`);
  }
  if (tokenizer.vocabSize > file.model.text.vocabSize) {
    throw new ModelLoadError(`${tokenizerPath}: ${tokenizer.vocabSize} tokens exceed the model's vocabulary of ${file.model.text.vocabSize}`);
  }
  return { dir, config: file.model, info: file.info, weights, tokenizer, ...(file.sampling ? { sampling: file.sampling } : {}) };
}

/** Writes a model directory (via a temp dir renamed into place, so a reader never sees half of one). */
export function saveModel(
  dir: string,
  m: { config: ModelConfig; info: ModelInfo; weights: Map<string, HostTensor>; tokenizer: Tokenizer; sampling?: SamplingDefaults },
  storage: 'float32' | 'float16' = 'float16',
): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const stored = new Map([...m.weights].map(([k, t]) => [k, castForStorage(t, storage)]));
  writeSafetensors(join(tmp, 'weights.safetensors'), stored, { format: 'flowpaint', model: m.info.id, version: m.info.version });
  writeFileAtomic(join(tmp, 'config.json'), new TextEncoder().encode(`${JSON.stringify({ model: m.config, info: m.info, ...(m.sampling ? { sampling: m.sampling } : {}) }, null, 2)}\n`));
  m.tokenizer.save(join(tmp, 'tokenizer.json'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
