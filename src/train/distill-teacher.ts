// The teacher's side of step distillation: Euler trajectories of the base model, sampled exactly as
// the pipeline samples (guidance, inpainting pins), and the training pairs they give the student.
//
// A pair is a point x_t of a trajectory and the teacher's point x_t' at the next time t' of the
// student's grid (every k-th teacher time, k = teacherSteps / studentSteps). The student is asked
// for the velocity that takes one Euler step from x_t straight to x_t': (x_t − x_t') / (t − t').
// With studentSteps = 1 that is the trajectory's end, knowledge distillation (Luhman & Luhman,
// arXiv 2101.02388); with k = 2 and the student as the next teacher it is progressive distillation
// (Salimans & Ho, arXiv 2202.00512), here taken in one round from trajectories the pipeline would
// really follow. No Jacobian-vector product is needed.
import { HostTensor, Rng } from '../engine/index.ts';
import type { TrainingSample } from '../data/stream.ts';
import { DEFAULT_T_MIN, type Denoiser, EstimateMemory, editGuidance, sampleEuler, samplingSchedule, textGuidance, toVelocity } from '../flow/index.ts';
import { noiseShift } from '../model/config.ts';
import { type Grid, gridFor, layoutFeeds, maskPatches, patchify, type Segment } from '../model/layout.ts';
import { type Conditioning, type ModelRunner, selectConditioning } from '../model/runner.ts';
import { dilateMask } from '../pipeline/masks.ts';
import type { DistillConfig } from './distill-config.ts';

/** The pipeline's seam (SEAM_PX in pipeline.ts): pixels this far outside a mask may change. */
const SEAM_PX = 2;

export interface Trajectory {
  /** x at every teacher time, schedule[0] = 1 (noise) … schedule[T] = 0: T + 1 arrays [n, P]. */
  points: Float32Array[];
  /**
   * Rollouts only: the teacher's point at the end of each student segment, reached from the
   * student's own state at the segment's start (points at the student's grid times are the
   * student's states, so they cannot also be the targets). Absent: the targets are the points.
   */
  ends?: Float32Array[];
  schedule: Float32Array;
  grid: Grid;
  /** The conditioning row the student is given (the prompt; one row). */
  cond: Conditioning;
  /** Edits: clean source patches and mask patches (zeros for instruction edits). */
  source?: Float32Array;
  mask?: Float32Array;
  /**
   * The text guidance scale the teacher used, which the student is given as its input (runs with
   * DistillConfig.guidanceRange). Absent: the scale is baked into the student.
   */
  guidance?: number;
}

export interface TeacherScales {
  guidance: number;
  imageGuidance: number;
}

/** The guidance input a run's student takes: the teacher's text scale with guidanceRange, none when it is baked in. */
function studentGuidance(cfg: DistillConfig, scales: TeacherScales): { guidance?: number } {
  return cfg.guidanceRange ? { guidance: scales.guidance } : {};
}

/**
 * Every Euler state along `schedule`. Ending at t = 0 with x-prediction, the last one is the final
 * step's data estimate, which is what the pipeline returns (pipeline.ts, sample()).
 */
async function eulerStates(start: Float32Array, schedule: Float32Array, velocity: Denoiser, prediction: 'x' | 'v'): Promise<Float32Array[]> {
  const states: Float32Array[] = [start];
  let last: Float32Array | undefined;
  await sampleEuler(start, schedule, velocity, {
    onStep: (s) => {
      states.push(s.x);
      last = s.predictedData;
    },
  });
  if (prediction === 'x' && last && schedule[schedule.length - 1] === 0) states[states.length - 1] = last;
  return states;
}

/**
 * The teacher's trajectory from `noise`; with a student, a rollout: each segment of the student's
 * grid (k teacher steps) starts from the student's own state — its Euler steps from the same
 * noise — and the teacher's k steps from there give that segment's points and target. A student
 * trained only on the teacher's path meets states at sampling time that its own earlier steps put
 * off that path; rollouts train it on those (the on-policy idea of DAgger, Ross et al. 2011,
 * applied to step distillation). The teacher's cost is the same; the student adds one pass per
 * segment.
 */
async function trajectory(
  noise: Float32Array,
  schedule: Float32Array,
  velocity: Denoiser,
  prediction: 'x' | 'v',
  rollout?: { k: number; student: Denoiser },
): Promise<{ points: Float32Array[]; ends?: Float32Array[] }> {
  if (!rollout) return { points: await eulerStates(noise, schedule, velocity, prediction) };
  const { k, student } = rollout;
  const T = schedule.length - 1;
  const points: Float32Array[] = [noise];
  const ends: Float32Array[] = [];
  let start = noise;
  for (let s0 = 0; s0 < T; s0 += k) {
    const states = await eulerStates(start, schedule.subarray(s0, s0 + k + 1), velocity, prediction);
    points.push(...states.slice(1, k));
    ends.push(states[k]!);
    if (s0 + k < T) {
      const v = await student(start, schedule[s0]!);
      const h = schedule[s0 + k]! - schedule[s0]!;
      start = start.map((x, e) => x + h * v[e]!);
      points.push(start);
    }
  }
  points.push(ends[ends.length - 1]!);
  return { points, ends };
}

/** Text-to-image trajectories for a batch of same-size scenes, all in one batched model call per step. */
export async function textTrajectories(runner: ModelRunner, samples: TrainingSample[], rng: Rng, cfg: DistillConfig, scales: TeacherScales, student?: ModelRunner): Promise<Trajectory[]> {
  const m = runner.config;
  const first = samples[0]!;
  if (first.kind !== 't2i') throw new Error('textTrajectories: text-to-image samples expected');
  const grid = gridFor(first.image.width, first.image.height, m.patchSize);
  const B = samples.length;
  const len = grid.rows * grid.cols * m.patchSize * m.patchSize * 3;
  const cond = await runner.encode([...samples.map((s) => (s.kind === 't2i' ? s.caption : s.instruction)), '']);
  const schedule = samplingSchedule(cfg.teacherSteps, noiseShift(m, grid.rows * grid.cols));
  const split = (x: Float32Array) => Array.from({ length: B }, (_, b) => x.subarray(b * len, (b + 1) * len));
  const join = (parts: Float32Array[]) => {
    const out = new Float32Array(B * len);
    parts.forEach((p, b) => out.set(p, b * len));
    return out;
  };
  // All B trajectories advance together as one flat state; each condition is one batched call.
  // A self-conditioning teacher samples as the pipeline does: each (row, item) branch gets its own last estimate.
  const memory = new EstimateMemory(m.selfCondition);
  const predictRows = async (xt: Float32Array, t: number, rows: number[], items: Float32Array[]) => {
    const keys = rows.map((r, i) => `${r}:${i % B}`);
    const preds = await runner.predict({ noisy: items, t, grid, cond: selectConditioning(cond, rows), selfCond: memory.recall(keys) });
    preds.forEach((p, i) => memory.remember(keys[i]!, p, items[i]!, t, m.prediction));
    return preds.map((p, i) => toVelocity(p, items[i]!, t, m.prediction));
  };
  const condRows = samples.map((_, b) => b);
  const uncondRows = samples.map(() => B);
  const velocity = textGuidance(
    async (xt, t) => join(await predictRows(xt, t, condRows, split(xt))),
    async (xt, t) => join(await predictRows(xt, t, uncondRows, split(xt))),
    scales.guidance,
    {
      batched: async (xt, t, which) => {
        const items = split(xt);
        const rows = which.flatMap((w) => (w === 'cond' ? condRows : uncondRows));
        const v = await predictRows(xt, t, rows, which.flatMap(() => items));
        return which.map((_, j) => join(v.slice(j * B, (j + 1) * B)));
      },
    },
  );
  // The student has the guidance baked in, or given as its input: one pass per step on the prompt alone.
  const studentGuided = studentGuidance(cfg, scales);
  const studentVelocity: Denoiser | undefined = student
    ? async (xt, t) => {
        const items = split(xt);
        const preds = await student.predict({ noisy: items, t, grid, cond: selectConditioning(cond, condRows), ...studentGuided });
        return join(preds.map((p, i) => toVelocity(p, items[i]!, t, m.prediction)));
      }
    : undefined;
  const k = cfg.teacherSteps / cfg.studentSteps;
  const { points, ends } = await trajectory(rng.fillNormal(new Float32Array(B * len)), schedule, velocity, m.prediction, studentVelocity && { k, student: studentVelocity });
  const row = (x: Float32Array, b: number) => x.slice(b * len, (b + 1) * len);
  return samples.map((_, b) => ({
    points: points.map((x) => row(x, b)),
    ...(ends ? { ends: ends.map((x) => row(x, b)) } : {}),
    schedule,
    grid,
    cond: selectConditioning(cond, [b]),
    ...studentGuided,
  }));
}

/** One edit trajectory (edits share no source image, so they run one at a time), guided and pinned as the pipeline does. */
export async function editTrajectory(runner: ModelRunner, sample: TrainingSample, inpaint: boolean, rng: Rng, cfg: DistillConfig, scales: TeacherScales, student?: ModelRunner): Promise<Trajectory> {
  if (sample.kind !== 'edit') throw new Error('editTrajectory: an edit sample expected');
  const m = runner.config;
  const p = m.patchSize;
  const grid = gridFor(sample.source.width, sample.source.height, p);
  const source = patchify(sample.source, p);
  const maskTokens = inpaint ? maskPatches(sample.mask, p) : undefined;
  // Inpainting pins every pixel beyond the seam to the source (pipeline.ts, velocities()).
  let keep: Float32Array | undefined;
  if (inpaint) {
    const region = dilateMask(sample.mask, SEAM_PX);
    const outside = { width: region.width, height: region.height, data: new Uint8Array(region.data.length * 3) };
    region.data.forEach((v, i) => outside.data.fill(v > 0 ? 0 : 255, i * 3, i * 3 + 3));
    keep = patchify(outside, p).map((v) => (v > 0 ? 1 : 0));
  }
  const cond = await runner.encode([sample.instruction, '']);
  const memory = new EstimateMemory(m.selfCondition);
  // Teacher branches pass `keys` (their estimates feed the next step); the student passes none.
  const velocities = (preds: Float32Array[], xt: Float32Array, t: number, keys?: string[]) =>
    preds.map((pred, j) => {
      if (keep) for (let i = 0; i < pred.length; i++) if (keep[i]! > 0) pred[i] = source[i]!;
      if (keys) memory.remember(keys[j]!, pred, xt, t, m.prediction);
      return toVelocity(pred, xt, t, m.prediction);
    });
  const withSource = async (xt: Float32Array, t: number, rows: number[]) => {
    const keys = rows.map((r) => `source${r}`);
    return velocities(await runner.predict({ noisy: rows.map(() => xt), t, grid, cond: selectConditioning(cond, rows), source, mask: maskTokens, selfCond: memory.recall(keys) }), xt, t, keys);
  };
  const noSource = async (xt: Float32Array, t: number) =>
    velocities(await runner.predict({ noisy: [xt], t, grid, cond: selectConditioning(cond, [1]), mask: maskTokens, selfCond: memory.recall(['none']) }), xt, t, ['none'])[0]!;
  const velocity = editGuidance(
    {
      full: async (xt, t) => (await withSource(xt, t, [0]))[0]!,
      imageOnly: async (xt, t) => (await withSource(xt, t, [1]))[0]!,
      none: noSource,
      batched: async (xt, t, which) => {
        const rows = which.filter((w) => w !== 'none').map((w) => (w === 'full' ? 0 : 1));
        const paired = rows.length ? await withSource(xt, t, rows) : [];
        let k = 0;
        return Promise.all(which.map(async (w) => (w === 'none' ? noSource(xt, t) : paired[k++]!)));
      },
    },
    scales.guidance,
    scales.imageGuidance,
  );
  // The student: one pass with the instruction and the source (image guidance baked in, text
  // guidance baked in or given as its input), pinned alike.
  const studentGuided = studentGuidance(cfg, scales);
  const studentVelocity: Denoiser | undefined = student
    ? async (xt, t) => velocities(await student.predict({ noisy: [xt], t, grid, cond: selectConditioning(cond, [0]), source, mask: maskTokens, ...studentGuided }), xt, t)[0]!
    : undefined;
  const schedule = samplingSchedule(cfg.teacherSteps, noiseShift(m, grid.rows * grid.cols));
  const k = cfg.teacherSteps / cfg.studentSteps;
  const { points, ends } = await trajectory(rng.fillNormal(new Float32Array(source.length)), schedule, velocity, m.prediction, studentVelocity && { k, student: studentVelocity });
  return { points, ...(ends ? { ends } : {}), schedule, grid, cond: selectConditioning(cond, [0]), source, mask: maskTokens ?? new Float32Array(grid.rows * grid.cols * p * p), ...studentGuided };
}

/**
 * The student's training batch from trajectories of one kind and size: every trajectory point
 * x_t (t > 0) with the velocity target (x_t − x_t') / (t − t'), t' the next student-grid time and
 * x_t' the teacher's point there (for a rollout, the end of the segment x_t lies in).
 */
export function studentBatch(runner: ModelRunner, trajectories: Trajectory[], cfg: DistillConfig): Record<string, HostTensor> {
  const m = runner.config;
  const T = cfg.teacherSteps;
  const k = T / cfg.studentSteps;
  const { grid } = trajectories[0]!;
  const edit = trajectories[0]!.source !== undefined;
  const guided = trajectories[0]!.guidance !== undefined;
  const n1 = grid.rows * grid.cols;
  const P = m.patchSize * m.patchSize * 3;
  const pp = m.patchSize * m.patchSize;
  const N = edit ? 2 * n1 : n1;
  const B = trajectories.length * T;
  const image = new Float32Array(B * N * P);
  const velocity = new Float32Array(B * N * P);
  const mask = new Float32Array(B * N * pp);
  const lossMask = new Float32Array(B * N);
  const ts = new Float32Array(B);
  const guidance = new Float32Array(B);
  const Dt = m.text.width;
  const K = m.text.resamplerTokens;
  const condTokens = new Float32Array(B * K * Dt);
  const condPooled = new Float32Array(B * Dt);
  let b = 0;
  for (const tr of trajectories) {
    if (tr.grid.rows !== grid.rows || tr.grid.cols !== grid.cols || (tr.source !== undefined) !== edit || (tr.guidance !== undefined) !== guided) {
      throw new Error('studentBatch: trajectories must share kind, size and whether the student takes the guidance scale');
    }
    for (let i = 0; i < T; i++, b++) {
      const j = (Math.floor(i / k) + 1) * k;
      const t = tr.schedule[i]!;
      // Ending at t = 0 the student's answer is its data estimate (x̂ = x_t − max(t, DEFAULT_T_MIN)·v̂ for
      // x-prediction), so the target divides as the graph does.
      const end = tr.schedule[j]!;
      const dt = end === 0 && m.prediction === 'x' ? Math.max(t, DEFAULT_T_MIN) : t - end;
      const x = tr.points[i]!;
      const target = tr.ends ? tr.ends[j / k - 1]! : tr.points[j]!;
      const base = b * N * P;
      image.set(x, base);
      for (let e = 0; e < n1 * P; e++) velocity[base + e] = (x[e]! - target[e]!) / dt;
      if (edit) {
        image.set(tr.source!, base + n1 * P);
        mask.set(tr.mask!, b * N * pp);
        mask.set(tr.mask!, b * N * pp + n1 * pp);
      }
      lossMask.fill(1, b * N, b * N + n1);
      ts[b] = t;
      guidance[b] = tr.guidance ?? 0;
      condTokens.set(tr.cond.tokens, b * K * Dt);
      condPooled.set(tr.cond.pooled, b * Dt);
    }
  }
  const segments: Segment[] = edit ? [{ grid, segment: 0 }, { grid, segment: 1 }] : [{ grid, segment: 0 }];
  return {
    image: HostTensor.f32(image, [B, N, P]),
    velocity: HostTensor.f32(velocity, [B, N, P]),
    mask: HostTensor.f32(mask, [B, N, pp]),
    loss_mask: HostTensor.f32(lossMask, [B, N]),
    ...layoutFeeds(m, segments),
    t: HostTensor.f32(ts, [B]),
    ...(guided ? { guidance: HostTensor.f32(guidance, [B]) } : {}),
    cond_tokens: HostTensor.f32(condTokens, [B, K, Dt]),
    cond_pooled: HostTensor.f32(condPooled, [B, Dt]),
  };
}
