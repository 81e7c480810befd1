// `npm run bench -- engine [--threads N] [--reps N] [--profile]`: matmul throughput through the engine, then a
// transformer stack's forward pass and one-run training step at a realistic size, as GFLOP/s and
// as ratios of the matmul figure (the ratios are what to compare across machines and runs).
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ADAMW, HostTensor, Rng, Session, TrainStep, compileTrainStep, initialTrainState, ops as o, serializeGraph, type Tensor } from '../src/engine/index.ts';
import { Scope, initParams, layerNorm, mlp, selfAttention } from '../src/nn/index.ts';
import { kernelTimeByOp, newestProfile } from './ort-profile.ts';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function timeIt(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn(); // warm-up: first run includes ORT's allocations
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps / 1000;
}

function randomTensor(shape: number[], rng: Rng): HostTensor {
  return HostTensor.f32(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

const B = 8;
const T = 256;
const D = 512;
const LAYERS = 8;
const HEADS = 8;

function transformerStack(s: Scope, x: Tensor): Tensor {
  let h = x;
  for (let l = 0; l < LAYERS; l++) {
    const blk = s.child('blocks').child(l);
    h = o.add(h, selfAttention(blk.child('attn'), layerNorm(blk.child('ln1'), h), { heads: HEADS, qkNorm: true }));
    h = o.add(h, mlp(blk.child('mlp'), layerNorm(blk.child('ln2'), h), 4 * D));
  }
  return h;
}

export async function run(args: string[]): Promise<void> {
  const threads = arg(args, '--threads', os.availableParallelism());
  const profilePrefix = args.includes('--profile') ? join(tmpdir(), `flowpaint-train-step-${process.pid}`) : undefined;
  const reps = arg(args, '--reps', 3);
  const rng = new Rng(0);
  const rows: Array<[string, string, string]> = [];

  // 1. matmul 4096³
  const N = 4096;
  const a = o.input('a', [N, N]);
  const b = o.input('b', [N, N]);
  const mm = await Session.create(serializeGraph({ outputs: { c: o.matmul(a, b) }, paramMode: 'inputs' }), { threads });
  const fa = randomTensor([N, N], rng);
  const fb = randomTensor([N, N], rng);
  const mmSec = await timeIt(() => mm.run({ a: fa, b: fb }), reps);
  await mm.release();
  const matmulGflops = (2 * N ** 3) / mmSec / 1e9;
  rows.push(['matmul 4096³', `${(mmSec * 1000).toFixed(0)} ms`, `${matmulGflops.toFixed(1)} GFLOP/s`]);

  // 2. transformer stack forward (weights baked in, as for inference)
  const tokens = B * T;
  const flopsPerLayer = 24 * tokens * D * D + 4 * B * T * T * D;
  const forwardFlops = LAYERS * flopsPerLayer;
  const scope = Scope.root();
  const x = o.input('x', [B, T, D]);
  const y = transformerStack(scope, x);
  const weights = initParams(scope, 1);
  const fwd = await Session.create(
    serializeGraph({ outputs: { y }, paramMode: 'initializers', weights: (n) => weights.get(n)!.data }),
    { threads },
  );
  const fx = randomTensor([B, T, D], rng);
  const fwdSec = await timeIt(() => fwd.run({ x: fx }), reps);
  await fwd.release();
  const blockGflops = forwardFlops / fwdSec / 1e9;
  rows.push([`forward ${LAYERS}×(attn+mlp) B=${B} T=${T} D=${D}`, `${(fwdSec * 1000).toFixed(0)} ms`, `${blockGflops.toFixed(1)} GFLOP/s`]);

  // 3. one-run training step (forward + backward + AdamW), counted as 3× the forward FLOPs
  const target = o.input('target', [B, T, D]);
  const diff = o.sub(y, target);
  const loss = o.mean(o.mul(diff, diff));
  const compiled = compileTrainStep({ loss, params: scope.params(), optimizer: DEFAULT_ADAMW });
  const stepper = await TrainStep.create(compiled, initialTrainState(weights), { threads, profilePrefix });
  const batch = { x: fx, target: randomTensor([B, T, D], rng) };
  const stepSec = await timeIt(() => stepper.run(batch, 1e-4), reps);
  await stepper.release();
  if (profilePrefix) {
    const { perOp } = kernelTimeByOp(newestProfile(profilePrefix), 1);
    console.log('train step kernel time by op type (ms per step):');
    for (const [name, ms] of perOp.slice(0, 15)) console.log(`  ${name.padEnd(24)} ${ms.toFixed(1).padStart(8)}`);
  }
  const trainGflops = (3 * forwardFlops) / stepSec / 1e9;
  rows.push([`train step (fwd+bwd+AdamW), ${(scope.count() / 1e6).toFixed(1)}M params`, `${(stepSec * 1000).toFixed(0)} ms`, `${trainGflops.toFixed(1)} GFLOP/s`]);

  console.log(`engine benchmark — ${os.cpus()[0]?.model ?? 'cpu'}, ${threads} threads, node ${process.version}`);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [name, t, g] of rows) console.log(`${name.padEnd(w)}  ${t.padStart(8)}  ${g.padStart(16)}`);
  console.log(
    JSON.stringify({
      matmul_gflops: +matmulGflops.toFixed(1),
      block_forward_gflops: +blockGflops.toFixed(1),
      train_step_gflops: +trainGflops.toFixed(1),
      block_forward_ratio: +(blockGflops / matmulGflops).toFixed(3),
      train_step_ratio: +(trainGflops / matmulGflops).toFixed(3),
      threads,
    }),
  );
}
