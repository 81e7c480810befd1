// Reading the files of a diffusers folder (model_index.json, component configs, safetensors
// weights) with errors that name the file and what was expected: the pieces every pipeline's
// folder loader (src/model/flux2/folder.ts, src/model/zimage/folder.ts) shares, down to opening the
// three components' weights and checking them against the graphs that will read them.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Checkpoint } from '../../engine/index.ts';
import { DIFFUSERS_PIPELINES } from './detect.ts';
import { DiffusersFormatError } from './errors.ts';
import { buildVae, type KlVaeConfig } from './kl-vae.ts';
import type { ParamTable } from './params.ts';
import { buildQwen3, type Qwen3Config, qwen3Prefix } from './qwen3.ts';

export const COMPONENTS = ['scheduler', 'text_encoder', 'tokenizer', 'transformer', 'vae'] as const;

/** A JSON object file; missing or malformed files are named with what they should hold. */
export function readJson(path: string, what: string): Record<string, unknown> {
  if (!existsSync(path)) throw new DiffusersFormatError(`${path}: missing (${what})`);
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new DiffusersFormatError(`${path}: not valid JSON (${(err as Error).message}); expected ${what}`);
  }
}

/** A component's safetensors weights (one file or shards with their index). */
export function openCheckpoint(dir: string, what: string): Checkpoint {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DiffusersFormatError(`${dir}: missing folder (${what} weights)`);
  try {
    return Checkpoint.open(dir);
  } catch (err) {
    // The checkpoint's own message names the file (missing shard, truncated file, bad header).
    throw new DiffusersFormatError(`${what} weights: ${(err as Error).message}`);
  }
}

/**
 * model_index.json, checked to name `pipeline` (what this loader runs; `label` for messages) and
 * every component a text-to-image pipeline has.
 */
export function readModelIndex(dir: string, pipeline: keyof typeof DIFFUSERS_PIPELINES, label: string): Record<string, unknown> {
  const file = join(dir, 'model_index.json');
  const index = readJson(file, 'the diffusers pipeline index');
  const cls = index._class_name;
  if (cls !== pipeline) {
    throw new DiffusersFormatError(`${file}: _class_name is ${JSON.stringify(cls)}; this loader runs ${pipeline} folders (${label}); flowpaint runs ${Object.keys(DIFFUSERS_PIPELINES).join(', ')}`);
  }
  for (const c of COMPONENTS) {
    if (!Array.isArray(index[c])) throw new DiffusersFormatError(`${file}: no '${c}' component (expected ${COMPONENTS.join(', ')})`);
  }
  return index;
}

export interface ComponentWeights {
  checkpoints: { transformer: Checkpoint; textEncoder: Checkpoint; vae: Checkpoint };
  /** 'model.' or '' (see qwen3Prefix). */
  textEncoderPrefix: string;
  close(): void;
}

/**
 * The transformer's, text encoder's and VAE's weights, opened and checked against what the graphs
 * will read: the transformer's exactly (`transformer`, strict), the Qwen3 layers up to the deepest
 * one read (later layers, the final norm and an LM head are never used), the VAE's encoder and
 * decoder, then whatever `more` checks. If anything fails, the files already opened are closed.
 */
export function openComponentWeights(
  dir: string,
  spec: { transformer: ParamTable; textEncoder: Qwen3Config; layers: readonly number[]; vae: KlVaeConfig; more?: (c: ComponentWeights['checkpoints']) => void },
): ComponentWeights {
  const opened: Checkpoint[] = [];
  const open = (sub: string, what: string) => {
    const c = openCheckpoint(join(dir, sub), what);
    opened.push(c);
    return c;
  };
  try {
    const transformer = open('transformer', 'transformer');
    spec.transformer.check(transformer, 'the transformer', { strict: true });
    const textEncoder = open('text_encoder', 'text encoder');
    const textEncoderPrefix = qwen3Prefix((k) => textEncoder.has(k));
    buildQwen3(spec.textEncoder, { batch: 'B', length: 'L' }, spec.layers, textEncoderPrefix).params.check(textEncoder, 'the text encoder');
    const vae = open('vae', 'VAE');
    const graphs = buildVae(spec.vae);
    graphs.encoderParams.check(vae, 'the VAE encoder');
    graphs.decoderParams.check(vae, 'the VAE decoder');
    const checkpoints = { transformer, textEncoder, vae };
    spec.more?.(checkpoints);
    return {
      checkpoints,
      textEncoderPrefix,
      close() {
        for (const c of opened) c.close();
      },
    };
  } catch (err) {
    for (const c of opened) c.close();
    throw err;
  }
}
