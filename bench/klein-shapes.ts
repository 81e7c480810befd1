// `npm run bench -- klein-shapes [--size 512] [--modes none,int8,int4] [--threads N] [--reps N] [--parts transformer,text,vae] [--whole [--steps N] [--blocks D,S]] [--vae-sizes 512,1024] [--tmp DIR]`:
// memory and time of FLUX.2 [klein] 4B at its real shapes, without its files. Random weights
// (nothing is downloaded) are baked into graphs of the real widths; the transformer is built with
// 1 double + 1 single block, 2 + 1 and 1 + 2, and the Qwen3 text encoder with one and with two
// layers, so each block's own cost is a difference of two measurements that both hold the parts
// every model has once (embeddings, the shared modulation of each block kind, the output layer).
// The whole model is then an EXTRAPOLATION from them:
//   transformer step = (1 + 1) + 4 · double + 19 · single, text encoder = 1 layer + 26 · layer.
// Memory is resident-set growth (RSS after the session is made and has run once, the serialised
// graph dropped), which holds the weights in the session's format and the activations of a run.
// Run it under `node --expose-gc` (npm run bench does, through NODE_OPTIONS) for clean figures.
// Graphs go through the real model's cache writer into a temporary folder, their weights as ONNX
// external data (float32 graphs pass protobuf's 2 GB limit: the text encoder's embedding table
// alone is 1.56 GB); `--tmp DIR` puts that folder on a disk with room.
//
// Measured rather than extrapolated:
// - `--whole` (with the transformer part): the complete transformer, 5 + 20 blocks (`--blocks D,S`
//   for fewer), in each of --modes, sampling the first `--steps` (default 2) steps of a real
//   4-step schedule at --size; seconds per step and the process's peak resident set (VmHWM).
// - `--parts vae`: FLUX.2's VAE decoder and encoder at their real configuration, float32 as the
//   model runs them, at each of --vae-sizes (default 512,1024); seconds and peak resident set.
import os from 'node:os';
import { HostTensor, type Quantization } from '../src/engine/index.ts';
import { buildQwen3, type Qwen3Config, qwen3Inputs } from '../src/model/diffusers/qwen3.ts';
import { buildSession, type GraphParts, gc, randomWeights, rssMb, TEXT_LEN, TRANSFORMER, transformerFeeds, transformerGraph } from './lib/klein-common.ts';
import { measureVae, type VaeFigure } from './lib/klein-vae.ts';
import { runWhole, type WholeStep } from './lib/klein-whole.ts';
import { cpuSeconds, option } from './lib/util.ts';

/** Qwen3-4B, klein 4B's text encoder: 36 layers of width 2560, MLP 9728, 32 query / 8 key-value heads, 151,936 tokens. */
const QWEN3: Qwen3Config = { vocabSize: 151936, hidden: 2560, intermediate: 9728, layers: 36, heads: 32, kvHeads: 8, headDim: 128, eps: 1e-6, ropeTheta: 1_000_000 };
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

async function measure(graph: GraphParts, feeds: Record<string, HostTensor>, mode: Quantization, threads: number, reps: number, tmp: string): Promise<Measured> {
  gc();
  const before = rssMb();
  const { session, weightsMb, params } = await buildSession(graph, randomWeights(1), mode, threads, tmp);
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
    return { mb: rssMb() - before, weightsMb, wall, cpu, params };
  } finally {
    await session.release();
    gc();
  }
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

const mb = (x: number) => f(x, 0);
const gb = (x: number) => f(x / 1024, 2);

async function wholeTransformer(mode: Quantization, side: number, threads: number, steps: number, blocks: [number, number], tmp: string): Promise<Record<string, number>> {
  console.log(`${mode}: the whole transformer, ${blocks[0]} + ${blocks[1]} blocks, ${steps} step(s) of a 4-step schedule at ${side}² (${(side / 16) ** 2} image + ${TEXT_LEN} text tokens) — MEASURED`);
  const report = (s: WholeStep) => console.log(`  step ${s.step} (sigma ${f(s.sigma, 3)}): ${f(s.wall)} s wall, ${f(s.cpu)} s CPU, process peak RSS ${gb(s.peakMb)} GB`);
  const w = await runWhole({ side, mode, threads, steps, blocks, tmp, report });
  const best = w.steps.reduce((a, s) => (s.wall < a.wall ? s : a));
  const peak = Math.max(w.buildPeakMb, ...w.steps.map((s) => s.peakMb));
  console.log('| parameters (M) | weights MB | build wall s (CPU s) | build peak RSS GB | RSS loaded GB | best step wall s | its CPU s | run peak RSS GB | non-finite outputs |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| ${f(w.params / 1e6, 1)} | ${mb(w.weightsMb)} | ${f(w.buildWall, 1)} (${f(w.buildCpu, 1)}) | ${gb(w.buildPeakMb)} | ${gb(w.loadedMb)} | ${f(best.wall)} | ${f(best.cpu)} | ${gb(Math.max(...w.steps.map((s) => s.peakMb)))} | ${w.nonFinite} |\n`);
  return { wholeParamsM: w.params / 1e6, wholeWeightsMb: w.weightsMb, wholeBuildWallS: w.buildWall, wholeBuildCpuS: w.buildCpu, wholeBuildPeakMb: w.buildPeakMb, wholeLoadedMb: w.loadedMb, wholeStepWallS: best.wall, wholeStepCpuS: best.cpu, wholePeakMb: peak };
}

async function vae(sides: number[], threads: number, reps: number, tmp: string): Promise<VaeFigure[]> {
  console.log(`FLUX.2 VAE, float32 (as the model runs it), best of ${reps} — MEASURED`);
  console.log('| half | image | parameters (M) | weights MB | RSS loaded MB | peak RSS MB | wall s | CPU s |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
  const figures = await measureVae(sides, threads, reps, tmp, (v) => console.log(`| ${v.half} | ${v.side}² | ${f(v.params / 1e6, 1)} | ${mb(v.weightsMb)} | ${mb(v.loadedMb)} | ${mb(v.peakMb)} | ${f(v.wall)} | ${f(v.cpu)} |`));
  console.log('');
  return figures;
}

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const reps = Number(option(args, '--reps') ?? 2);
  const side = Number(option(args, '--size') ?? 512);
  const modes = (option(args, '--modes') ?? 'int8,int4').split(',') as Quantization[];
  const parts = (option(args, '--parts') ?? 'transformer,text').split(',');
  const whole = args.includes('--whole');
  const steps = Number(option(args, '--steps') ?? 2);
  const blocks = (option(args, '--blocks') ?? `${TRANSFORMER.numLayers},${TRANSFORMER.numSingleLayers}`).split(',').map(Number) as [number, number];
  const vaeSides = (option(args, '--vae-sizes') ?? '512,1024').split(',').map(Number);
  const tmp = option(args, '--tmp') ?? os.tmpdir();
  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run with NODE_OPTIONS=--expose-gc for clean memory figures');
  const at = parts.some((p) => p === 'transformer' || p === 'text') ? ` ${side}²,` : '';
  console.log(`klein-shapes — FLUX.2 [klein] 4B shapes, random weights,${at} ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 10)}`);
  if ((parts.includes('transformer') && !whole) || parts.includes('text')) console.log('EXTRAPOLATED: rows marked so are per-block measurements × block counts, not a run of the whole model.\n');
  const result: Record<string, unknown> = { size: side, threads };
  for (const mode of modes) {
    const figures: Record<string, number> = {};
    if (parts.includes('transformer') && whole) Object.assign(figures, await wholeTransformer(mode, side, threads, steps, blocks, tmp));
    else if (parts.includes('transformer')) {
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
    if (Object.keys(figures).length) result[mode] = figures;
  }
  if (parts.includes('vae')) result.vae = await vae(vaeSides, threads, reps, tmp);
  console.log(JSON.stringify(result));
}
