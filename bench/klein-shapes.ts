// `npm run bench -- klein-shapes [--size 512] [--modes none,int8,int4] [--threads N] [--reps N] [--parts transformer,text] [--tmp DIR]`:
// memory and time of FLUX.2 [klein] 4B at its real shapes, without its files and without building
// the whole model. Random weights (nothing is downloaded) are baked into graphs of the real
// widths; the transformer is built with 1 double + 1 single block, 2 + 1 and 1 + 2, and the Qwen3
// text encoder with one and with two layers, so each block's own cost is a difference of two
// measurements that both hold the parts every model has once (embeddings, the shared modulation
// of each block kind, the output layer). The whole model is then an EXTRAPOLATION from them:
//   transformer step = (1 + 1) + 4 · double + 19 · single, text encoder = 1 layer + 26 · layer.
// Memory is resident-set growth (RSS after the session is made and has run once, the serialised
// graph dropped), which holds the weights in the session's format and the activations of a run.
// Run it under `node --expose-gc` (npm run bench does, through NODE_OPTIONS) for clean figures.
// Graphs go through the real model's cache writer into a temporary folder, their weights as ONNX
// external data (float32 graphs pass protobuf's 2 GB limit: the text encoder's embedding table
// alone is 1.56 GB); `--tmp DIR` puts that folder on a disk with room.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { HostTensor, type Quantization, Rng, Session, type Tensor } from '../src/engine/index.ts';
import { cachedOnnx } from '../src/model/diffusers/cache.ts';
import { buildQwen3, type Qwen3Config, qwen3Inputs } from '../src/model/diffusers/qwen3.ts';
import { buildTransformer, ropeTables4, type TransformerConfig } from '../src/model/flux2/transformer.ts';
import { gridIds } from '../src/model/flux2/klein.ts';
import { option } from './lib/util.ts';

/**
 * FLUX.2 [klein] 4B as published (black-forest-labs/FLUX.2-klein-4B): 5 double-stream and 20
 * single-stream blocks of width 3072 (24 heads × 128), 128 latent channels, text states of
 * 3 × 2560 from Qwen3-4B (36 layers of width 2560, MLP 9728, 32 query / 8 key-value heads,
 * 151,936 tokens). The counts give 3.9 B transformer parameters, matching the 7.75 GB bf16 file.
 */
const TRANSFORMER: TransformerConfig = {
  patchSize: 1, inChannels: 128, outChannels: 128, numLayers: 5, numSingleLayers: 20, headDim: 128, heads: 24,
  jointAttentionDim: 7680, timestepChannels: 256, mlpRatio: 3, axesDimsRope: [32, 32, 32, 32], ropeTheta: 2000, eps: 1e-6, guidanceEmbeds: false,
};
const QWEN3: Qwen3Config = { vocabSize: 151936, hidden: 2560, intermediate: 9728, layers: 36, heads: 32, kvHeads: 8, headDim: 128, eps: 1e-6, ropeTheta: 1_000_000 };
const TEXT_LEN = 512;
const TEXT_LAYERS = 27;

interface Measured {
  /** Resident growth in MB once the session exists and has run. */
  mb: number;
  /** Size of the serialised graph in MB: its weights in the session's format (int8/int4 linears quantized). */
  weightsMb: number;
  /** Best wall seconds of one run, and CPU seconds of that run. */
  wall: number;
  cpu: number;
  params: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Random weights of each parameter's shape: N(0, 1/fan-in) for matrices, ones for norm vectors. */
function randomWeights(seed: number): { weights: (name: string, t: Tensor) => Float32Array; count: () => number } {
  const rng = new Rng(seed);
  let n = 0;
  return {
    weights: (_name, t) => {
      const shape = t.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      n += size;
      if (shape.length === 1) return new Float32Array(size).fill(1);
      return rng.fillNormal(new Float32Array(size), 1 / Math.sqrt(shape[0]!));
    },
    count: () => n,
  };
}

async function measure(graph: { outputs: Record<string, Tensor>; inputs: Tensor[] }, feeds: Record<string, HostTensor>, mode: Quantization, threads: number, reps: number, tmp: string): Promise<Measured> {
  gc();
  const before = rssMb();
  const w = randomWeights(1);
  const dir = mkdtempSync(join(tmp, 'klein-shapes-'));
  let session: Session;
  let weightsMb: number;
  try {
    // The real model's cache writer: weights streamed to external data, never one protobuf.
    const file = cachedOnnx({ bench: 'klein-shapes' }, () => ({ ...graph, paramMode: 'initializers', weights: w.weights, quantize: mode !== 'none' ? { mode } : undefined }), dir);
    weightsMb = (statSync(file).size + statSync(`${file}.data`).size) / 2 ** 20;
    gc();
    session = await Session.create(file, { threads });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let wall = Infinity;
  let cpu = Infinity;
  try {
    for (let r = 0; r < reps; r++) {
      const c0 = cpuSeconds();
      const t0 = performance.now();
      await session.run(feeds);
      const dt = (performance.now() - t0) / 1000;
      if (dt < wall) {
        wall = dt;
        cpu = cpuSeconds() - c0;
      }
    }
    gc();
    return { mb: rssMb() - before, weightsMb, wall, cpu, params: w.count() };
  } finally {
    await session.release();
    gc();
  }
}

function transformerFeeds(side: number): Record<string, HostTensor> {
  const h = side / 16;
  const N = h * h;
  const L = TEXT_LEN;
  const rng = new Rng(2);
  const ids = new Int32Array((L + N) * 4);
  for (let l = 0; l < L; l++) ids[l * 4 + 3] = l;
  ids.set(gridIds(h, h, 0), L * 4);
  const { cos, sin } = ropeTables4(ids, L + N, TRANSFORMER.axesDimsRope, TRANSFORMER.ropeTheta);
  return {
    hidden_states: HostTensor.f32(rng.fillNormal(new Float32Array(N * 128)), [1, N, 128]),
    encoder_hidden_states: HostTensor.f32(rng.fillNormal(new Float32Array(L * 7680)), [1, L, 7680]),
    timestep: HostTensor.f32(Float32Array.of(0.5), [1]),
    rope_cos: HostTensor.f32(cos, [L + N, 128]),
    rope_sin: HostTensor.f32(sin, [L + N, 128]),
  };
}

function transformerGraph(double: number, single: number) {
  const g = buildTransformer({ ...TRANSFORMER, numLayers: double, numSingleLayers: single });
  return { outputs: { velocity: g.output }, inputs: [g.inputs.hidden, g.inputs.text, g.inputs.timestep, g.inputs.ropeCos, g.inputs.ropeSin] };
}

function textFeeds(): Record<string, HostTensor> {
  const mask = Array.from({ length: TEXT_LEN }, (_, i) => (i < 40 ? 1 : 0));
  const { bias, cos, sin } = qwen3Inputs(mask, 1, TEXT_LEN, QWEN3);
  return {
    input_ids: HostTensor.i64(Array.from({ length: TEXT_LEN }, (_, i) => (i * 7919) % QWEN3.vocabSize), [1, TEXT_LEN]),
    attention_bias: HostTensor.f32(bias, [1, 1, TEXT_LEN, TEXT_LEN]),
    rope_cos: HostTensor.f32(cos, [TEXT_LEN, QWEN3.headDim]),
    rope_sin: HostTensor.f32(sin, [TEXT_LEN, QWEN3.headDim]),
  };
}

function textGraph(layers: number) {
  // The output of layer `layers` only: the graph's work is the embedding and `layers` layers.
  const g = buildQwen3(QWEN3, { batch: 1, length: TEXT_LEN }, [layers]);
  return { outputs: { prompt_embeds: g.output }, inputs: [g.inputs.ids, g.inputs.bias, g.inputs.cos, g.inputs.sin] };
}

const f = (x: number, d = 2) => x.toFixed(d);
const FIELDS = ['mb', 'weightsMb', 'wall', 'cpu', 'params'] as const;
const combine = (g: (k: (typeof FIELDS)[number]) => number): Measured => Object.fromEntries(FIELDS.map((k) => [k, g(k)])) as unknown as Measured;
const minus = (x: Measured, y: Measured): Measured => combine((k) => x[k] - y[k]);
const times = (x: Measured, n: number): Measured => combine((k) => x[k] * n);
const plus = (...xs: Measured[]): Measured => combine((k) => xs.reduce((a, x) => a + x[k], 0));
const row = (name: string, m: Measured) => `| ${name} | ${f(m.params / 1e6, 1)} | ${f(m.weightsMb, 0)} | ${f(m.mb, 0)} | ${f(m.wall)} | ${f(m.cpu)} |`;
const HEADER = '| part | parameters (M) | weights MB | resident growth MB | wall s | CPU s |\n| --- | --- | --- | --- | --- | --- |';

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const reps = Number(option(args, '--reps') ?? 2);
  const side = Number(option(args, '--size') ?? 512);
  const modes = (option(args, '--modes') ?? 'int8,int4').split(',') as Quantization[];
  const parts = (option(args, '--parts') ?? 'transformer,text').split(',');
  const tmp = option(args, '--tmp') ?? os.tmpdir();
  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with NODE_OPTIONS=--expose-gc for clean memory figures');
  console.log(`klein-shapes — FLUX.2 [klein] 4B shapes, random weights, ${side}², ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('EXTRAPOLATED: whole-model figures are per-block measurements × block counts, not a run of the whole model.\n');
  const result: Record<string, unknown> = { size: side, threads };
  for (const mode of modes) {
    const figures: Record<string, number> = {};
    if (parts.includes('transformer')) {
      const feeds = transformerFeeds(side);
      // Every graph has at least one block of each kind, so the modulation shared by all blocks of
      // a kind is in each of them once and never counted as a block's own.
      const base = await measure(transformerGraph(1, 1), feeds, mode, threads, reps, tmp);
      const twoDouble = await measure(transformerGraph(2, 1), feeds, mode, threads, reps, tmp);
      const twoSingle = await measure(transformerGraph(1, 2), feeds, mode, threads, reps, tmp);
      const d = minus(twoDouble, base);
      const s = minus(twoSingle, base);
      const total = plus(base, times(d, TRANSFORMER.numLayers - 1), times(s, TRANSFORMER.numSingleLayers - 1));
      console.log(`${mode}: transformer at ${side}² (${(side / 16) ** 2} image + ${TEXT_LEN} text tokens)`);
      console.log(HEADER);
      console.log(row('one block of each kind, with embeddings, shared modulation, output (measured)', base));
      console.log(row('one more double-stream block', d));
      console.log(row('one more single-stream block', s));
      console.log(`${row(`**whole transformer, extrapolated** (${TRANSFORMER.numLayers} + ${TRANSFORMER.numSingleLayers} blocks)`, total)}\n`);
      Object.assign(figures, { transformerParamsM: total.params / 1e6, transformerMb: total.mb, transformerWeightsMb: total.weightsMb, stepWallS: total.wall, stepCpuS: total.cpu, doubleMb: d.mb, singleMb: s.mb, doubleWallS: d.wall, singleWallS: s.wall });
    }
    if (parts.includes('text')) {
      const feeds = textFeeds();
      const one = await measure(textGraph(1), feeds, mode, threads, reps, tmp);
      const two = await measure(textGraph(2), feeds, mode, threads, reps, tmp);
      const layer = minus(two, one);
      const total = plus(one, times(layer, TEXT_LAYERS - 1));
      console.log(`${mode}: Qwen3-4B text encoder, ${TEXT_LEN} tokens, layers 1–${TEXT_LAYERS}`);
      console.log(HEADER);
      console.log(row('embedding table + layer 1 (measured)', one));
      console.log(row('one more layer', layer));
      console.log(`${row(`**layers 1–${TEXT_LAYERS}, extrapolated**`, total)}\n`);
      Object.assign(figures, { textParamsM: total.params / 1e6, textMb: total.mb, textWeightsMb: total.weightsMb, textWallS: total.wall, textCpuS: total.cpu });
    }
    result[mode] = figures;
  }
  console.log(JSON.stringify(result));
}
