// `npm run bench -- klein-shapes [--size 512] [--modes none,int8,int4] [--threads N] [--reps N] [--parts transformer,text]`:
// memory and time of FLUX.2 [klein] 4B at its real shapes, without its files and without building
// the whole model. Random weights (nothing is downloaded) are baked into graphs of the real
// widths; the transformer is built with one double-stream block, one single-stream block and one
// of each, and the Qwen3 text encoder with one and with two layers, so each block's own cost is a
// difference of two measurements. The whole model is then an EXTRAPOLATION from them:
//   transformer step = base + 5 · double + 20 · single, text encoder = 1 layer + 26 · layer.
// Memory is resident-set growth (RSS after the session is made and has run once, the serialised
// graph dropped), which holds the weights in the session's format and the activations of a run.
// Run it under `node --expose-gc` (npm run bench does, through NODE_OPTIONS) for clean figures.
import os from 'node:os';
import { HostTensor, type Quantization, Rng, type SerializedGraph, Session, serializeGraph, type Tensor } from '../src/engine/index.ts';
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

async function measure(graph: { outputs: Record<string, Tensor>; inputs: Tensor[] }, feeds: Record<string, HostTensor>, mode: Quantization, threads: number, reps: number): Promise<Measured> {
  gc();
  const before = rssMb();
  const w = randomWeights(1);
  let bytes: SerializedGraph | undefined = serializeGraph({ ...graph, paramMode: 'initializers', weights: w.weights, quantize: mode !== 'none' ? { mode } : undefined });
  const session = await Session.create(bytes!, { threads });
  bytes = undefined;
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
    return { mb: rssMb() - before, wall, cpu, params: w.count() };
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

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const reps = Number(option(args, '--reps') ?? 2);
  const side = Number(option(args, '--size') ?? 512);
  const modes = (option(args, '--modes') ?? 'int8,int4').split(',') as Quantization[];
  const parts = (option(args, '--parts') ?? 'transformer,text').split(',');
  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with NODE_OPTIONS=--expose-gc for clean memory figures');
  console.log(`klein-shapes — FLUX.2 [klein] 4B shapes, random weights, ${side}², ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`);
  console.log('EXTRAPOLATED: whole-model figures are per-block measurements × block counts, not a run of the whole model.\n');
  const result: Record<string, unknown> = { size: side, threads };
  for (const mode of modes) {
    const row: Record<string, number> = {};
    if (parts.includes('transformer')) {
      const feeds = transformerFeeds(side);
      // (A graph with no blocks at all is not a valid ONNX graph, so three graphs with blocks.)
      const a = await measure(transformerGraph(1, 0), feeds, mode, threads, reps);
      const b = await measure(transformerGraph(0, 1), feeds, mode, threads, reps);
      const c = await measure(transformerGraph(1, 1), feeds, mode, threads, reps);
      const minus = (x: Measured, y: Measured): Measured => ({ mb: x.mb - y.mb, wall: x.wall - y.wall, cpu: x.cpu - y.cpu, params: x.params - y.params });
      const d = minus(c, b);
      const s = minus(c, a);
      const base = minus(a, d);
      const nD = TRANSFORMER.numLayers;
      const nS = TRANSFORMER.numSingleLayers;
      const total = { mb: base.mb + nD * d.mb + nS * s.mb, wall: base.wall + nD * d.wall + nS * s.wall, cpu: base.cpu + nD * d.cpu + nS * s.cpu, params: base.params + nD * d.params + nS * s.params };
      console.log(`${mode}: transformer at ${side}² (${(side / 16) ** 2} image + ${TEXT_LEN} text tokens)`);
      console.log('| part | parameters (M) | resident MB | wall s | CPU s |\n| --- | --- | --- | --- | --- |');
      console.log(`| embeddings, shared modulation, output | ${f(base.params / 1e6, 1)} | ${f(base.mb, 0)} | ${f(base.wall)} | ${f(base.cpu)} |`);
      console.log(`| one double-stream block | ${f(d.params / 1e6, 1)} | ${f(d.mb, 0)} | ${f(d.wall)} | ${f(d.cpu)} |`);
      console.log(`| one single-stream block | ${f(s.params / 1e6, 1)} | ${f(s.mb, 0)} | ${f(s.wall)} | ${f(s.cpu)} |`);
      console.log(`| **whole transformer, extrapolated** (${nD} + ${nS} blocks) | ${f(total.params / 1e6, 0)} | ${f(total.mb, 0)} | ${f(total.wall)} | ${f(total.cpu)} |\n`);
      Object.assign(row, { transformerParamsM: total.params / 1e6, transformerMb: total.mb, stepWallS: total.wall, stepCpuS: total.cpu, doubleMb: d.mb, singleMb: s.mb, doubleWallS: d.wall, singleWallS: s.wall });
    }
    if (parts.includes('text')) {
      const feeds = textFeeds();
      const one = await measure(textGraph(1), feeds, mode, threads, reps);
      const two = await measure(textGraph(2), feeds, mode, threads, reps);
      const layer = { mb: two.mb - one.mb, wall: two.wall - one.wall, cpu: two.cpu - one.cpu, params: two.params - one.params };
      const k = TEXT_LAYERS - 1;
      const total = { mb: one.mb + k * layer.mb, wall: one.wall + k * layer.wall, cpu: one.cpu + k * layer.cpu, params: one.params + k * layer.params };
      console.log(`${mode}: Qwen3-4B text encoder, ${TEXT_LEN} tokens, layers 1–${TEXT_LAYERS}`);
      console.log('| part | parameters (M) | resident MB | wall s | CPU s |\n| --- | --- | --- | --- | --- |');
      console.log(`| embedding table + layer 1 | ${f(one.params / 1e6, 1)} | ${f(one.mb, 0)} | ${f(one.wall)} | ${f(one.cpu)} |`);
      console.log(`| one more layer | ${f(layer.params / 1e6, 1)} | ${f(layer.mb, 0)} | ${f(layer.wall)} | ${f(layer.cpu)} |`);
      console.log(`| **layers 1–${TEXT_LAYERS}, extrapolated** | ${f(total.params / 1e6, 0)} | ${f(total.mb, 0)} | ${f(total.wall)} | ${f(total.cpu)} |\n`);
      Object.assign(row, { textParamsM: total.params / 1e6, textMb: total.mb, textWallS: total.wall, textCpuS: total.cpu });
    }
    result[mode] = row;
  }
  console.log(JSON.stringify(result));
}
