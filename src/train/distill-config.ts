// Configuration of `flowpaint distill`: the teacher's and the student's sampling grids, how many
// teacher trajectories feed each optimizer step, and the optimizer. Presets by name, or a JSON
// file that overrides any field of one ({"extends": "small", "steps": 800}).
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { isBlockList } from '../model/flash.ts';

export const DistillConfig = z
  .object({
    name: z.string(),
    seed: z.number().int().nonnegative(),
    /** Euler steps of the teacher's trajectories (its normal sampling). */
    teacherSteps: z.number().int().min(2).max(200),
    /** Steps the student learns to take; must divide teacherSteps (the grids are nested). */
    studentSteps: z.number().int().min(1).max(64),
    /**
     * Teacher trajectories per optimizer step. Each gives teacherSteps training pairs (every point
     * of the trajectory, with the teacher's point at the next student-grid time as its target).
     */
    trajectories: z.number().int().min(1).max(64),
    /** Share of steps whose trajectories are edits (instruction or inpainting) rather than text-to-image. */
    editFraction: z.number().min(0).max(1),
    /** Share of edit trajectories that are inpainting (mask given, pixels outside it pinned). */
    maskFraction: z.number().min(0).max(1),
    /**
     * Share of optimizer steps whose trajectories are rollouts: each segment of the student's grid
     * starts from the student's own state, and the teacher continues from there (distill-teacher.ts).
     */
    rollout: z.number().min(0).max(1),
    /**
     * Steps between refreshed copies of the student that rollouts sample with (a copy is a new
     * inference session). A run resumes exactly when stopped on a multiple of this.
     */
    rolloutEvery: z.number().int().positive(),
    /**
     * Text guidance of the teacher; null: the model's recorded scale (config.json sampling), else 4.
     * With guidanceRange it is the scale a fast request gets when it names none, and must lie in the range.
     */
    guidance: z.number().min(0).max(30).nullable(),
    /**
     * Guidance distillation over a range of text guidance scales [lo, hi] (Meng et al., arXiv
     * 2210.03142): the student takes the scale as an input (ModelConfig.guidanceEmbedding), each
     * optimizer step's teacher trajectories use a scale drawn uniformly from the range, and the
     * student is given that scale. Absent: the one scale `guidance` is baked into the student.
     * 1 ≤ lo < hi ≤ 30: below 1 guidance pushes away from the prompt, which no request wants.
     */
    guidanceRange: z.tuple([z.number(), z.number()]).optional(),
    /**
     * The teacher's transformer blocks the student keeps, in order (absent: all). Each kept block
     * starts as the teacher's; a shallower student costs less per step — at 128² a block is about
     * 0.8 of a one-row call's 6.9 CPU ms (BENCHMARKS.md, "Flash cost") — which is what #15's 1/8
     * of the teacher's image needs beyond step and guidance distillation.
     */
    studentBlocks: z.array(z.number().int().min(0)).min(1).optional(),
    /** Image guidance of the teacher for edits (the pipeline's default is 1.5). */
    imageGuidance: z.number().min(0).max(30),
    steps: z.number().int().positive(),
    lr: z.number().positive(),
    warmupSteps: z.number().int().nonnegative(),
    minLrRatio: z.number().min(0).max(1),
    weightDecay: z.number().min(0),
    maxGradNorm: z.number().min(0),
    beta1: z.number().min(0).max(1),
    beta2: z.number().min(0).max(1),
    emaDecay: z.number().min(0).max(1),
    checkpointEvery: z.number().int().positive(),
    logEvery: z.number().int().positive(),
    /** Compute threads for ONNX Runtime (0 = all cores). */
    threads: z.number().int().nonnegative(),
  })
  .strict()
  .refine((c) => c.teacherSteps % c.studentSteps === 0, { message: 'studentSteps must divide teacherSteps (the student grid is every k-th teacher time)', path: ['studentSteps'] })
  .superRefine((c, ctx) => {
    if (c.guidanceRange && !isGuidanceRange(c.guidanceRange)) {
      const message = `must be [lo, hi] with 1 ≤ lo < hi ≤ 30, got [${c.guidanceRange.join(', ')}] (for one scale, set guidance and leave guidanceRange out)`;
      ctx.addIssue({ code: 'custom', path: ['guidanceRange'], message });
    }
    if (c.studentBlocks && !isBlockList(c.studentBlocks)) {
      ctx.addIssue({ code: 'custom', path: ['studentBlocks'], message: `must be strictly increasing teacher block indices, e.g. [0, 1, 4, 5], got [${c.studentBlocks.join(', ')}]` });
    }
  });
export type DistillConfig = z.infer<typeof DistillConfig>;

function isGuidanceRange([lo, hi]: readonly [number, number]): boolean {
  return Number.isFinite(lo) && Number.isFinite(hi) && lo >= 1 && lo < hi && hi <= 30;
}

const common = {
  seed: 1,
  editFraction: 0.3,
  maskFraction: 0.5,
  rollout: 0,
  rolloutEvery: 20,
  guidance: null,
  imageGuidance: 1.5,
  minLrRatio: 0.1,
  weightDecay: 0,
  maxGradNorm: 1,
  beta1: 0.9,
  beta2: 0.99,
  threads: 0,
};

export const DISTILL_PRESETS: Record<string, DistillConfig> = {
  /** Tests: a handful of steps on the tiny model family. */
  tiny: DistillConfig.parse({
    ...common,
    name: 'tiny',
    teacherSteps: 8,
    studentSteps: 2,
    trajectories: 2,
    editFraction: 0.5,
    steps: 6,
    lr: 1e-3,
    warmupSteps: 1,
    emaDecay: 0.5,
    checkpointEvery: 2,
    logEvery: 1,
  }),
  /**
   * The shipped small model: the 20-step teacher into a 4-step student. The student starts as the
   * teacher, so a small learning rate and a fast EMA suit a run of minutes to hours.
   */
  small: DistillConfig.parse({
    ...common,
    name: 'small',
    teacherSteps: 20,
    studentSteps: 4,
    trajectories: 2,
    steps: 3000,
    lr: 1e-4,
    warmupSteps: 20,
    emaDecay: 0.99,
    checkpointEvery: 20,
    logEvery: 5,
  }),
};

/** A preset name, or a JSON file with {"extends": preset, ...overrides}. */
export function loadDistillConfig(nameOrPath: string): DistillConfig {
  if (DISTILL_PRESETS[nameOrPath]) return DISTILL_PRESETS[nameOrPath]!;
  if (!existsSync(nameOrPath)) {
    throw new InputError(`--config: '${nameOrPath}' is neither a distillation preset (${Object.keys(DISTILL_PRESETS).join(', ')}) nor a file`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(nameOrPath, 'utf8'));
  } catch (err) {
    throw new InputError(`${nameOrPath}: not valid JSON (${(err as Error).message})`);
  }
  const base = DISTILL_PRESETS[String(raw.extends ?? 'small')];
  if (!base) throw new InputError(`${nameOrPath}: "extends" names no distillation preset (${Object.keys(DISTILL_PRESETS).join(', ')})`);
  const { extends: _, ...overrides } = raw;
  const parsed = DistillConfig.safeParse({ ...base, ...overrides });
  if (!parsed.success) throw new InputError(`${nameOrPath}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Learning rate at a step: linear warmup, then cosine decay to lr·minLrRatio. */
export function distillLearningRate(c: DistillConfig, step: number): number {
  if (step < c.warmupSteps) return (c.lr * (step + 1)) / c.warmupSteps;
  const progress = Math.min(1, (step - c.warmupSteps) / Math.max(1, c.steps - c.warmupSteps));
  const min = c.lr * c.minLrRatio;
  return min + (c.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
