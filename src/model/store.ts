// A model directory: config.json (architecture + provenance), weights.safetensors, tokenizer.json.
// Loading validates each file and names the one that is missing or broken.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { asFloat32, castForStorage, type HostTensor, parseSafetensors, readCheckedSafetensors, safetensorsHeader, writeFileAtomic, writeSafetensors } from '../engine/index.ts';
import { bytesDigest } from '../engine/graph-cache.ts';
import { ModelConfig } from './config.ts';
// tokenizer.ts, not the tokenizer's index, which also brings BPE training and the caption corpus.
import { Tokenizer } from './tokenizer/tokenizer.ts';

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
  /** Guide only while t is in [lo, hi] (flow/guidance.ts); absent: at every step. */
  guidanceInterval: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).refine(([lo, hi]) => lo <= hi, 'lo must not exceed hi').optional(),
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
  /**
   * The file `weights` was read from, with the SHA-256 of its bytes: what compiled graphs are
   * cached under (model/runner.ts). Not enumerable, so a copy made with spread (`{ ...model,
   * weights: other }`) does not claim a file whose weights it no longer has.
   */
  readonly weightsFile?: WeightsFile;
}

export interface WeightsFile {
  path: string;
  digest: string;
}

/** Marks `model` as holding exactly the weights of `file` (see LoadedModel.weightsFile). */
export function withWeightsFile<T extends LoadedModel>(model: T, file: WeightsFile): T {
  return Object.defineProperty(model, 'weightsFile', { value: file, enumerable: false });
}

/** For a model made by loadModel: its weights file's bytes while its float32 weights have not been made. */
const storedBytes = new WeakMap<LoadedModel, () => Uint8Array | undefined>();

/**
 * The tensors of `model` whose names `select` accepts, in the dtype its weights file stores them
 * (float16 stays float16), without making its float32 weights: what a fingerprint needs (Flash
 * checks the text encoder's, model/flash.ts). Taken from `model.weights` once those exist, or for
 * a model loadModel did not read.
 */
export function storedTensors(model: LoadedModel, select: (name: string) => boolean): Map<string, HostTensor> {
  const bytes = storedBytes.get(model)?.();
  if (bytes) return parseSafetensors(bytes, model.weightsFile?.path, select).tensors;
  return new Map([...model.weights].filter(([name]) => select(name)));
}

/** Name -> shape of every tensor of `model`, from its weights file's header while its weights have not been made. */
export function tensorShapes(model: LoadedModel): Map<string, readonly number[]> {
  const bytes = storedBytes.get(model)?.();
  if (bytes) return new Map(safetensorsHeader(bytes, model.weightsFile?.path).entries.map((e) => [e.name, e.shape]));
  return new Map([...model.weights].map(([name, t]) => [name, t.shape]));
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
  // Read once: the bytes give the digest now and the tensors when first needed (below).
  let stored: Uint8Array | undefined;
  try {
    stored = readCheckedSafetensors(weightsPath);
  } catch (err) {
    throw new ModelLoadError((err as Error).message);
  }
  const digest = bytesDigest(stored);
  let tokenizer: Tokenizer;
  try {
    tokenizer = Tokenizer.fromFile(tokenizerPath);
  } catch (err) {
    throw new ModelLoadError(`${tokenizerPath}: ${(err as Error).message}`);
  }
  if (tokenizer.vocabSize > file.model.text.vocabSize) {
    throw new ModelLoadError(`${tokenizerPath}: ${tokenizer.vocabSize} tokens exceed the model's vocabulary of ${file.model.text.vocabSize}`);
  }
  // The tensors are made, and float16 weights become float32, when first read: a run whose graphs
  // come from the cache never reads them. The file's bytes are let go once they have.
  let weights: Map<string, HostTensor> | undefined;
  const model: LoadedModel = {
    dir,
    config: file.model,
    info: file.info,
    get weights() {
      if (!weights) {
        weights = new Map([...parseSafetensors(stored!, weightsPath).tensors].map(([k, t]) => [k, asFloat32(t)]));
        stored = undefined;
      }
      return weights;
    },
    tokenizer,
    ...(file.sampling ? { sampling: file.sampling } : {}),
  };
  storedBytes.set(model, () => stored);
  return withWeightsFile(model, { path: weightsPath, digest });
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
