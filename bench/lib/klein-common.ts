// What the klein-shapes bench's parts share: FLUX.2 [klein] 4B's transformer configuration, random
// weights, building a session through the real model's cache writer, the transformer's inputs,
// and the process's CPU time.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HostTensor, type Quantization, Rng, Session, type Tensor } from '../../src/engine/index.ts';
import { cachedOnnx } from '../../src/model/diffusers/cache.ts';
import { gridIds } from '../../src/model/flux2/klein.ts';
import { buildTransformer, ropeTables4, type TransformerConfig } from '../../src/model/flux2/transformer.ts';

/**
 * FLUX.2 [klein] 4B as published (black-forest-labs/FLUX.2-klein-4B): 5 double-stream and 20
 * single-stream blocks of width 3072 (24 heads × 128), 128 latent channels, text states of
 * 3 × 2560 from Qwen3-4B. The counts give 3.9 B transformer parameters, matching the 7.75 GB bf16 file.
 */
export const TRANSFORMER: TransformerConfig = {
  patchSize: 1, inChannels: 128, outChannels: 128, numLayers: 5, numSingleLayers: 20, headDim: 128, heads: 24,
  jointAttentionDim: 7680, timestepChannels: 256, mlpRatio: 3, axesDimsRope: [32, 32, 32, 32], ropeTheta: 2000, eps: 1e-6, guidanceEmbeds: false,
};
/** The pipeline pads prompts to 512 tokens. */
export const TEXT_LEN = 512;

export const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
export const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

export interface WeightSource {
  weights: (name: string, t: Tensor) => Float32Array;
  /** Parameters handed out so far. */
  count: () => number;
}

/**
 * Weights of each parameter's shape: ones for norm vectors, and for matrices and conv kernels
 * whatever `fill` draws at N(0, 1/fan-in) scale. The fan-in of a [K, N] matrix is K; of a conv
 * kernel [out, in, kh, kw] it is in·kh·kw.
 */
function scaledWeights(fill: (size: number, std: number) => Float32Array): WeightSource {
  let n = 0;
  return {
    weights: (_name, t) => {
      const shape = t.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      n += size;
      if (shape.length === 1) return new Float32Array(size).fill(1);
      const fanIn = shape.length === 2 ? shape[0]! : size / shape[0]!;
      return fill(size, 1 / Math.sqrt(fanIn));
    },
    count: () => n,
  };
}

/** Fresh normals for every parameter. */
export function randomWeights(seed: number): WeightSource {
  const rng = new Rng(seed);
  return scaledWeights((size, std) => rng.fillNormal(new Float32Array(size), std));
}

/** Length of the pool of normals that tiledRandomWeights repeats (prime, so rows and columns do not line up with it). */
const POOL = 1_048_573;

/**
 * Like randomWeights (same scale per tensor), but each tensor is one pool of normals repeated: the
 * values do not change how long a matmul or a convolution takes, and drawing 3.9 B fresh normals
 * for the whole transformer would cost more CPU than running it.
 */
export function tiledRandomWeights(seed: number): WeightSource {
  const pool = new Rng(seed).fillNormal(new Float32Array(POOL));
  return scaledWeights((size, std) => {
    const scaled = pool.map((v) => v * std);
    const out = new Float32Array(size);
    for (let at = 0; at < size; at += POOL) out.set(at + POOL <= size ? scaled : scaled.subarray(0, size - at), at);
    return out;
  });
}

export interface GraphParts {
  outputs: Record<string, Tensor>;
  inputs: Tensor[];
}

export interface BuiltSession {
  session: Session;
  /** Size of the written model and its external data in MB: the weights in the session's format. */
  weightsMb: number;
  params: number;
}

/**
 * Writes the graph with `source`'s weights through the real model's cache writer into a temporary
 * folder under `tmp` (weights streamed to external data; linears quantized one at a time, each
 * float32 tensor dropped once it is quantized), opens an ONNX Runtime session on it, and removes
 * the folder.
 */
export async function buildSession(graph: GraphParts, source: WeightSource, mode: Quantization, threads: number, tmp: string): Promise<BuiltSession> {
  const dir = mkdtempSync(join(tmp, 'klein-shapes-'));
  try {
    const file = cachedOnnx({ bench: 'klein-shapes' }, () => ({ ...graph, paramMode: 'initializers', weights: source.weights, quantize: mode !== 'none' ? { mode } : undefined }), dir);
    const weightsMb = (statSync(file).size + statSync(`${file}.data`).size) / 2 ** 20;
    // The quantized graph (its int8/int4 constants) is garbage once written; free it before ORT loads its own copy.
    gc();
    const session = await Session.create(file, { threads });
    return { session, weightsMb, params: source.count() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function transformerGraph(double: number, single: number): GraphParts {
  const g = buildTransformer({ ...TRANSFORMER, numLayers: double, numSingleLayers: single });
  return { outputs: { velocity: g.output }, inputs: [g.inputs.hidden, g.inputs.text, g.inputs.timestep, g.inputs.ropeCos, g.inputs.ropeSin] };
}

/** The transformer's inputs at `side`² (side/16 squared image tokens after the 2×2 packing), text states random. */
export function transformerFeeds(side: number): Record<string, HostTensor> {
  const h = side / 16;
  const N = h * h;
  const L = TEXT_LEN;
  const rng = new Rng(2);
  const ids = new Int32Array((L + N) * 4);
  for (let l = 0; l < L; l++) ids[l * 4 + 3] = l;
  ids.set(gridIds(h, h, 0), L * 4);
  const { cos, sin } = ropeTables4(ids, L + N, TRANSFORMER.axesDimsRope, TRANSFORMER.ropeTheta);
  const C = TRANSFORMER.inChannels;
  return {
    hidden_states: HostTensor.f32(rng.fillNormal(new Float32Array(N * C)), [1, N, C]),
    encoder_hidden_states: HostTensor.f32(rng.fillNormal(new Float32Array(L * TRANSFORMER.jointAttentionDim)), [1, L, TRANSFORMER.jointAttentionDim]),
    timestep: HostTensor.f32(Float32Array.of(0.5), [1]),
    rope_cos: HostTensor.f32(cos, [L + N, TRANSFORMER.headDim]),
    rope_sin: HostTensor.f32(sin, [L + N, TRANSFORMER.headDim]),
  };
}
