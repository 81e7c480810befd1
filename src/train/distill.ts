// `flowpaint distill`: step (and guidance) distillation of a model directory into Flash, a student
// that samples in a few steps with one forward pass each. The student starts as the teacher's
// denoiser; the text encoder stays the teacher's (frozen, its conditioning computed once per
// prompt), so Flash is a denoiser-only file beside the base weights.
//
// Each optimizer step draws scenes (or edit pairs) from the composer, runs the teacher's guided
// Euler trajectories for them (distill-teacher.ts) and trains the student on every trajectory point
// towards the teacher's point at the next time of the student's grid; in a share of the steps
// (`rollout`) each of the student's segments starts from the student's own state instead. The
// teacher's guidance is baked in, or with `guidanceRange` drawn per step and given to the student
// as an input, so the student needs no unconditional pass. Runs checkpoint
// atomically every N steps and on Ctrl-C, and resume exactly: everything random about a step
// derives from (seed, step).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SceneStream } from '../data/stream.ts';
import { validateScope, type DataScope } from '../data/scope.ts';
import { type HostTensor, type Quantization, Rng, TrainStep, compileTrainStep, initialTrainState, ops as o, readSafetensors, type Tensor, writeSafetensors } from '../engine/index.ts';
import { InputError } from '../errors.ts';
import { flowMatchingLoss } from '../flow/index.ts';
import { type ModelConfig, guidanceEmbeddingShapes } from '../model/config.ts';
import { type DenoiserInputs, denoise, denoiserInputs } from '../model/denoiser.ts';
import { type FlashEntry, fingerprintText, flashConfig, inGuidanceRange, isStudentTensor, saveFlash, studentTensorName, teacherTensorName } from '../model/flash.ts';
import { modelSizes } from '../model/config.ts';
import { ModelRunner } from '../model/runner.ts';
import { type LoadedModel, loadModel } from '../model/store.ts';
import { Scope, initParams } from '../nn/index.ts';
import { type DistillConfig, distillLearningRate } from './distill-config.ts';
import { type TeacherScales, type Trajectory, editTrajectory, studentBatch, textTrajectories } from './distill-teacher.ts';
import { Ema } from './ema.ts';
import { MetricsLog } from './metrics.ts';

/** The teacher's guidance when neither the config nor the model says (the pipeline's DEFAULT_GUIDANCE). */
const FALLBACK_GUIDANCE = 4;
export const DISTILL_CHECKPOINT = 'checkpoint.safetensors';

export interface StudentGraph {
  scope: Scope;
  loss: Tensor;
  inputs: DenoiserInputs;
}

/**
 * The student's loss: the denoiser on given conditioning (as the inference graph takes it) under
 * flow's flowMatchingLoss, the training graph's own — its prediction turned into a velocity exactly
 * as the sampler does, and the squared error to the target velocity on the target tokens.
 */
export function buildStudentGraph(c: ModelConfig, batch: number): StudentGraph {
  const scope = Scope.root();
  const inputs = denoiserInputs(c, batch, 'N');
  const tokens = o.input('cond_tokens', [batch, c.text.resamplerTokens, c.text.width]);
  const pooled = o.input('cond_pooled', [batch, c.text.width]);
  const pred = denoise(scope.child('denoiser'), c, inputs, { tokens, pooled });
  const P = c.patchSize * c.patchSize * 3;
  const velocity = o.input('velocity', [batch, 'N', P]);
  const lossMask = o.input('loss_mask', [batch, 'N']);
  const loss = flowMatchingLoss({ prediction: c.prediction, noisy: inputs.image, output: pred, t: inputs.t, velocity, lossMask });
  return { scope, loss, inputs };
}

export interface DistillOptions {
  /** The teacher: a model directory. */
  modelDir: string;
  runDir: string;
  config: DistillConfig;
  resume: boolean;
  /** Stop after this many steps in this invocation (the schedule still follows config.steps). */
  maxSteps?: number;
  /** The command line, recorded with the Flash weights. */
  command?: string;
  onProgress?: (p: { step: number; steps: number; loss: number; pairsPerSecond: number }) => void;
  signal?: AbortSignal;
}

export interface DistillResult {
  step: number;
  lastLoss: number;
  checkpoint: string;
  trainSeconds: number;
}

interface RunMeta {
  step: number;
  config: DistillConfig;
  teacher: { dir: string; id: string; version: string; textFingerprint: string };
  scales: TeacherScales;
  data: { t2i: number; edit: number };
  trainSeconds: number;
  command?: string;
}

function mix(seed: number, step: number): number {
  return (Math.imul(seed ^ 0x2545f491, 0x9e3779b1) + Math.imul(step, 0x85ebca6b)) >>> 0;
}

/** The teacher's data scope: the classes and art it was trained on (recorded at export), else everything. */
function teacherScope(m: LoadedModel): DataScope {
  const data = (m.info.training as Record<string, unknown> | undefined)?.data;
  if (!data || typeof data !== 'object') return {};
  try {
    validateScope(data as DataScope);
    return data as DataScope;
  } catch {
    return {};
  }
}

export function teacherScales(cfg: DistillConfig, m: LoadedModel): TeacherScales {
  return { guidance: cfg.guidance ?? m.sampling?.guidance ?? FALLBACK_GUIDANCE, imageGuidance: cfg.imageGuidance };
}

/**
 * The student's model: the teacher's with the blocks the run keeps, taking the guidance scale as an
 * input when the run distils a range of scales.
 */
export function studentConfig(cfg: DistillConfig, teacher: ModelConfig): ModelConfig {
  try {
    return flashConfig(teacher, { guidanceRange: cfg.guidanceRange, blocks: cfg.studentBlocks });
  } catch (err) {
    throw new InputError(`studentBlocks: ${(err as Error).message}`);
  }
}

/**
 * The student's starting weights for every parameter of its graph: the teacher's denoiser (student
 * block i from teacher block blocks[i]), and the guidance embedding (which the teacher lacks)
 * freshly initialised — its last layer zero, so a student that keeps every block starts as
 * exactly the teacher's function.
 */
export function studentStartWeights(scope: Scope, teacher: LoadedModel, seed: number, blocks?: readonly number[]): Map<string, HostTensor> {
  const added = guidanceEmbeddingShapes(teacher.config);
  const fresh = initParams(scope, seed, (name) => added.has(name) && !teacher.weights.has(name));
  const start = new Map<string, HostTensor>();
  for (const p of scope.params()) {
    const w = teacher.weights.get(teacherTensorName(p.name!, blocks)) ?? fresh.get(p.name!);
    if (!w || w.shape.join() !== p.shape.join()) throw new InputError(`${teacher.dir}: tensor '${p.name}' is missing or has another shape than the config says`);
    start.set(p.name!, w);
  }
  return start;
}

/** One optimizer step's teacher scales: with guidanceRange, a text scale drawn uniformly from the range. */
function stepScales(cfg: DistillConfig, scales: TeacherScales, rng: Rng): TeacherScales {
  if (!cfg.guidanceRange) return scales;
  const [lo, hi] = cfg.guidanceRange;
  return { ...scales, guidance: lo + (hi - lo) * rng.uniform() };
}

export async function distill(opts: DistillOptions): Promise<DistillResult> {
  const { runDir } = opts;
  mkdirSync(runDir, { recursive: true });
  const ckPath = join(runDir, DISTILL_CHECKPOINT);
  const teacher = loadModel(opts.modelDir);
  const fingerprint = fingerprintText(teacher.weights);
  let cfg = opts.config;
  let resumed: { meta: RunMeta; tensors: Map<string, HostTensor> } | undefined;
  if (opts.resume) {
    if (!existsSync(ckPath)) throw new InputError(`--resume: no distillation checkpoint in ${runDir}`);
    resumed = readDistillCheckpoint(runDir);
    // A run keeps the config it started with (runs from before rollouts had none).
    const stored: Partial<DistillConfig> = resumed.meta.config;
    cfg = { rollout: 0, rolloutEvery: 20, ...stored } as DistillConfig;
    if (resumed.meta.teacher.textFingerprint !== fingerprint) {
      throw new InputError(`--resume: ${runDir} distils other weights (${resumed.meta.teacher.id} ${resumed.meta.teacher.version} from ${resumed.meta.teacher.dir}); start a new --run-dir for ${opts.modelDir}`);
    }
  } else if (existsSync(ckPath)) {
    throw new InputError(`${runDir} already holds a distillation checkpoint: pass --resume to continue it, or choose another --run-dir`);
  }
  const scales = resumed?.meta.scales ?? teacherScales(cfg, teacher);
  if (cfg.guidanceRange && !inGuidanceRange(scales.guidance, cfg.guidanceRange)) {
    // The recorded scale is what a fast request gets when it names none (FlashEntry.guidance).
    throw new InputError(`guidanceRange [${cfg.guidanceRange.join(', ')}] must include the teacher's guidance ${scales.guidance} (the config's guidance, else the model's recorded scale), the Flash default`);
  }
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify({ ...cfg, teacher: opts.modelDir }, null, 2)}\n`);

  const runner = await ModelRunner.create(teacher, { threads: cfg.threads || undefined });
  const B = cfg.trajectories * cfg.teacherSteps;
  const studentModel = studentConfig(cfg, teacher.config);
  const graph = buildStudentGraph(studentModel, B);
  const params = graph.scope.params();
  const start = studentStartWeights(graph.scope, teacher, cfg.seed, cfg.studentBlocks);
  const compiled = compileTrainStep({ loss: graph.loss, params, optimizer: { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm } });
  const state = resumed ? stateFrom(resumed) : initialTrainState(start);
  const stepper = await TrainStep.create(compiled, state, { threads: cfg.threads || undefined });
  const shapes = new Map([...state.params].map(([k, t]) => [k, t.shape]));
  const ema = resumed ? new Ema(cfg.emaDecay, groupOf(resumed.tensors, 'ema', (t) => Float32Array.from(t.f32()))) : Ema.from(state.params, cfg.emaDecay);

  const { buckets } = modelSizes(teacher.config);
  const streamOpts = { split: 'train' as const, buckets, batchSize: cfg.trajectories, scope: teacherScope(teacher) };
  const t2i = new SceneStream({ ...streamOpts, seed: cfg.seed, editFraction: 0 });
  const edits = new SceneStream({ ...streamOpts, seed: cfg.seed + 7919, editFraction: 1 });
  if (resumed) {
    t2i.seek(resumed.meta.data.t2i);
    edits.seek(resumed.meta.data.edit);
  }
  const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
  let trainSeconds = resumed?.meta.trainSeconds ?? 0;
  const teacherInfo = { dir: opts.modelDir, id: teacher.info.id, version: teacher.info.version, textFingerprint: fingerprint };
  const checkpoint = () =>
    writeDistillCheckpoint(runDir, stepper.state(), ema.tensors(shapes), {
      step: stepper.step,
      config: cfg,
      teacher: teacherInfo,
      scales,
      data: { t2i: t2i.position(), edit: edits.position() },
      trainSeconds,
      command: opts.command ?? resumed?.meta.command,
    });

  // Rollouts sample with a copy of the student, refreshed every rolloutEvery steps.
  let student: { runner: ModelRunner; from: number } | undefined;
  const studentRunner = async (at: number): Promise<ModelRunner> => {
    const from = at - (at % cfg.rolloutEvery);
    if (student?.from === from) return student.runner;
    await student?.runner.release();
    const weights = new Map(teacher.weights);
    for (const [name, t] of stepper.state().params) weights.set(name, t);
    const model: LoadedModel = { dir: teacher.dir, config: studentModel, info: teacher.info, tokenizer: teacher.tokenizer, weights };
    student = { runner: await ModelRunner.create(model, { threads: cfg.threads || undefined }, { lazy: true, cache: false }), from };
    return student.runner;
  };

  let step = stepper.step;
  let lastLoss = NaN;
  const stopAt = Math.min(cfg.steps, opts.maxSteps !== undefined ? step + opts.maxSteps : cfg.steps);
  try {
    while (step < stopAt && !opts.signal?.aborted) {
      const t0 = performance.now();
      const rng = new Rng(mix(cfg.seed, step));
      const isEdit = rng.uniform() < cfg.editFraction;
      // Drawn only when rollouts are on, so runs without them keep their random sequence.
      const rolloutStudent = cfg.rollout > 0 && rng.uniform() < cfg.rollout ? await studentRunner(step) : undefined;
      // Likewise drawn only with guidanceRange; the step's trajectories share the scale, so the
      // teacher's guided calls stay batched across them.
      const guided = stepScales(cfg, scales, rng);
      let trajectories: Trajectory[];
      if (isEdit) {
        trajectories = [];
        for (const s of edits.nextBatch()) trajectories.push(await editTrajectory(runner, s, rng.uniform() < cfg.maskFraction, rng, cfg, guided, rolloutStudent));
      } else {
        trajectories = await textTrajectories(runner, t2i.nextBatch(), rng, cfg, guided, rolloutStudent);
      }
      const teacherSeconds = (performance.now() - t0) / 1000;
      const r = await stepper.run(studentBatch(runner, trajectories, cfg), distillLearningRate(cfg, step));
      if (!Number.isFinite(r.loss)) throw new Error(`distillation diverged at step ${step}: loss is ${r.loss} (the last checkpoint is intact)`);
      ema.update(stepper.paramViews(), step);
      step = stepper.step;
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      lastLoss = r.loss;
      if (step % cfg.logEvery === 0) {
        log.write({ step, loss: r.loss, grad_norm: r.gradNorm, kind: isEdit ? 'edit' : 't2i', ...(rolloutStudent ? { rollout: true } : {}), ...(cfg.guidanceRange ? { guidance: +guided.guidance.toFixed(3) } : {}), teacher_s: +teacherSeconds.toFixed(2), step_s: +seconds.toFixed(2), train_s: +trainSeconds.toFixed(1) });
      }
      opts.onProgress?.({ step, steps: cfg.steps, loss: r.loss, pairsPerSecond: B / seconds });
      if (step % cfg.checkpointEvery === 0) checkpoint();
    }
    if (step % cfg.checkpointEvery !== 0 || step === 0) checkpoint();
  } finally {
    await stepper.release();
    await runner.release();
    await student?.runner.release();
  }
  return { step, lastLoss, checkpoint: ckPath, trainSeconds };
}

function groupOf<T>(tensors: Map<string, HostTensor>, group: string, f: (t: HostTensor) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, t] of tensors) if (k.startsWith(`${group}/`)) out.set(k.slice(group.length + 1), f(t));
  return out;
}

function stateFrom(r: { meta: RunMeta; tensors: Map<string, HostTensor> }) {
  const id = (t: HostTensor) => t;
  return { step: r.meta.step, params: groupOf(r.tensors, 'param', id), m: groupOf(r.tensors, 'm', id), v: groupOf(r.tensors, 'v', id) };
}

function writeDistillCheckpoint(dir: string, state: { params: Map<string, HostTensor>; m: Map<string, HostTensor>; v: Map<string, HostTensor> }, ema: Map<string, HostTensor>, meta: RunMeta): void {
  const tensors = new Map<string, HostTensor>();
  for (const [k, t] of state.params) tensors.set(`param/${k}`, t);
  for (const [k, t] of state.m) tensors.set(`m/${k}`, t);
  for (const [k, t] of state.v) tensors.set(`v/${k}`, t);
  for (const [k, t] of ema) tensors.set(`ema/${k}`, t);
  writeSafetensors(join(dir, DISTILL_CHECKPOINT), tensors, { flowpaint_distill: JSON.stringify(meta) });
}

export function readDistillCheckpoint(dir: string): { meta: RunMeta; tensors: Map<string, HostTensor> } {
  const path = join(dir, DISTILL_CHECKPOINT);
  if (!existsSync(path)) throw new InputError(`${dir}: no distillation checkpoint (${DISTILL_CHECKPOINT})`);
  const { tensors, metadata } = readSafetensors(path);
  if (!metadata.flowpaint_distill) throw new InputError(`${path}: not a distillation checkpoint (a training run's? use \`flowpaint export\` for those)`);
  return { meta: JSON.parse(metadata.flowpaint_distill) as RunMeta, tensors };
}

/**
 * Writes a run's EMA student into a model directory as Flash (flash.safetensors + the config.json
 * entry). The directory must hold the teacher's weights: the student reuses its text encoder.
 */
export function exportFlash(runDir: string, modelDir?: string, opts: { quantize?: Quantization } = {}): { path: string; entry: FlashEntry } {
  const { meta, tensors } = readDistillCheckpoint(runDir);
  const dir = modelDir ?? meta.teacher.dir;
  const base = loadModel(dir);
  if (fingerprintText(base.weights) !== meta.teacher.textFingerprint) {
    throw new InputError(`${dir}: its text encoder is not the one ${runDir} was distilled with (${meta.teacher.id} ${meta.teacher.version}); distil this model instead`);
  }
  const student = groupOf(tensors, 'ema', (t) => t);
  for (const name of base.weights.keys()) {
    const own = isStudentTensor(name) ? studentTensorName(name, meta.config.studentBlocks) : undefined;
    if (own && !student.has(own)) throw new InputError(`${runDir}: the student has no tensor '${own}' that ${dir} needs`);
  }
  const metrics = join(runDir, 'metrics.jsonl');
  const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n').filter(Boolean) : [];
  const last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as { loss?: number }) : {};
  const c = meta.config;
  const entry: FlashEntry = {
    file: 'flash.safetensors',
    steps: c.studentSteps,
    teacherSteps: c.teacherSteps,
    guidance: meta.scales.guidance,
    imageGuidance: meta.scales.imageGuidance,
    ...(c.guidanceRange ? { guidanceRange: c.guidanceRange } : {}),
    ...(c.studentBlocks ? { blocks: c.studentBlocks } : {}),
    ...(opts.quantize ? { quantize: opts.quantize } : {}),
    textFingerprint: meta.teacher.textFingerprint,
    teacher: { id: meta.teacher.id, version: meta.teacher.version },
    training: {
      command: meta.command ?? `flowpaint distill ${meta.teacher.dir} --run-dir ${runDir}`,
      preset: c.name,
      steps: meta.step,
      of_steps: c.steps,
      pairs: meta.step * c.trajectories * c.teacherSteps,
      cpu_hours: +(meta.trainSeconds / 3600).toFixed(2),
      final_loss: last.loss,
    },
  };
  return { path: saveFlash(dir, student, entry), entry };
}
