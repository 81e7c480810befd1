// klein-shapes' `--whole` run: the complete klein 4B transformer (all 5 double-stream and 20
// single-stream blocks) in one graph, quantized, sampling the first steps of a real 4-step klein
// schedule at `side`² — a measured step and a measured peak instead of the per-block extrapolation.
// Memory: the float32 weights (14.8 GB) are never all held; the cache writer quantizes each linear
// from its own freshly made float32 tensor and drops it before the next (buildSession).
import { HostTensor, type Quantization } from '../../src/engine/index.ts';
import { eulerStep, parseSchedulerConfig } from '../../src/model/diffusers/flow-match.ts';
import { kleinSchedule } from '../../src/model/flux2/scheduler.ts';
import { buildSession, gc, rssMb, TRANSFORMER, tiledRandomWeights, transformerFeeds, transformerGraph } from './klein-common.ts';
import { peakRssMb, resetPeakRss } from './process-memory.ts';
import { cpuSeconds } from './util.ts';

/** klein's scheduler_config.json as far as the schedule depends on it (mu is the pipeline's empirical one). */
const SCHEDULER = parseSchedulerConfig({ _class_name: 'FlowMatchEulerDiscreteScheduler', use_dynamic_shifting: true, time_shift_type: 'exponential' }, 'klein scheduler_config.json');
/** klein is step-distilled to 4 steps; the run takes the first `steps` of them. */
const SCHEDULE_STEPS = 4;

export interface WholeStep {
  step: number;
  sigma: number;
  wall: number;
  cpu: number;
  /** Process peak resident set since the session was ready, MB. */
  peakMb: number;
}

export interface WholeFigures {
  mode: Quantization;
  side: number;
  blocks: [number, number];
  params: number;
  weightsMb: number;
  /** Writing the graph (weights made and quantized one tensor at a time) and opening the session. */
  buildWall: number;
  buildCpu: number;
  /** Peak while building and loading, and the resident set once loaded (whole process, MB). */
  buildPeakMb: number;
  loadedMb: number;
  steps: WholeStep[];
  /** Non-finite values in the final latents: random weights through 25 blocks may overflow; timing does not depend on it. */
  nonFinite: number;
}

export async function runWhole(opts: { side: number; mode: Quantization; threads: number; steps: number; blocks: [number, number]; tmp: string; report: (s: WholeStep) => void }): Promise<WholeFigures> {
  const { side, mode, threads, blocks } = opts;
  if (opts.steps < 1 || opts.steps > SCHEDULE_STEPS) throw new Error(`klein-shapes --whole: --steps must be 1–${SCHEDULE_STEPS}`);
  gc();
  resetPeakRss();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const built = await buildSession(transformerGraph(blocks[0], blocks[1]), tiledRandomWeights(1), mode, threads, opts.tmp);
  const buildWall = (performance.now() - t0) / 1000;
  const buildCpu = cpuSeconds() - c0;
  gc();
  const buildPeakMb = peakRssMb();
  const loadedMb = rssMb();
  const C = TRANSFORMER.inChannels;
  const feeds = transformerFeeds(side);
  const x = feeds.hidden_states!.f32().slice(); // the initial noise
  const N = x.length / C;
  const sched = kleinSchedule(SCHEDULER, SCHEDULE_STEPS, N);
  const steps: WholeStep[] = [];
  resetPeakRss();
  try {
    for (let i = 0; i < opts.steps; i++) {
      const sigma = sched.sigmas[i]!;
      feeds.hidden_states = HostTensor.f32(x, [1, N, C]);
      feeds.timestep = HostTensor.f32(Float32Array.of(sigma), [1]);
      const s0 = cpuSeconds();
      const w0 = performance.now();
      const out = await built.session.run(feeds);
      const step: WholeStep = { step: i + 1, sigma, wall: (performance.now() - w0) / 1000, cpu: cpuSeconds() - s0, peakMb: peakRssMb() };
      eulerStep(x, out.velocity!.f32(), sigma, sched.sigmas[i + 1]!);
      steps.push(step);
      opts.report(step);
    }
  } finally {
    await built.session.release();
  }
  return { mode, side, blocks, params: built.params, weightsMb: built.weightsMb, buildWall, buildCpu, buildPeakMb, loadedMb, steps, nonFinite: x.filter((v) => !Number.isFinite(v)).length };
}
