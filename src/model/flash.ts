// Flash: a few-step student distilled from a model (`flowpaint distill`), stored beside the base
// weights in the model directory as `flash.safetensors` (the student's denoiser tensors, float16)
// and a `flash` entry in config.json. The student shares the base model's text encoder and
// tokenizer, so the entry records a fingerprint of the text-encoder weights it was trained with:
// a Flash file left over from other base weights is reported stale and not used.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { asFloat32, castForStorage, type HostTensor, parseSafetensors, readCheckedSafetensors, safetensorsHeader, writeFileAtomic, writeSafetensors } from '../engine/index.ts';
import { bytesDigest } from '../engine/graph-cache.ts';
import { type ModelConfig, guidanceEmbeddingShapes, withGuidanceInput } from './config.ts';
import { type LoadedModel, storedTensors, tensorShapes, withWeightsFile } from './store.ts';

export const FLASH_FILE = 'flash.safetensors';

/** The `flash` entry of a model's config.json. */
/** Whether a text guidance scale lies in a Flash's distilled range [lo, hi] (false for NaN). */
export function inGuidanceRange(scale: number, [lo, hi]: readonly [number, number]): boolean {
  return scale >= lo && scale <= hi;
}

export const FlashEntry = z.object({
  file: z.literal(FLASH_FILE).default(FLASH_FILE),
  /** The sampling grid the student was trained to jump across (its best step count). */
  steps: z.number().int().min(1).max(64),
  /** The teacher's grid: each student step covers teacherSteps / steps teacher Euler steps. */
  teacherSteps: z.number().int().min(1),
  /**
   * The teacher's text guidance. Without guidanceRange it is baked in: the student runs one forward
   * pass per step at scale 1. With it, it is the scale a fast request gets when it names none.
   */
  guidance: z.number().min(0).max(30),
  /** The teacher's image guidance for edits, baked in either way. */
  imageGuidance: z.number().min(0).max(30),
  /**
   * The text guidance scales [lo, hi] the student was distilled over, taking the scale as an input
   * (ModelConfig.guidanceEmbedding; DistillConfig.guidanceRange). Absent: one scale baked in.
   */
  guidanceRange: z.tuple([z.number().min(0).max(30), z.number().min(0).max(30)]).optional(),
  /**
   * The teacher's transformer blocks the student kept, in order (DistillConfig.studentBlocks):
   * student block i started as teacher block blocks[i]. Absent: all of them.
   */
  blocks: z.array(z.number().int().min(0)).min(1).optional(),
  /**
   * How the student's linear layers run unless a request says otherwise (`--quantize`): int8 cost
   * nothing measurable in quality on 0.9.0's Flash (BENCHMARKS.md, "Flash cost") and makes each
   * pass about a third cheaper on CPUs with int8 dot products. Absent: float32.
   */
  quantize: z.enum(['none', 'int8', 'int4']).optional(),
  /** sha256 of the base text encoder's weights the student was distilled with (fingerprintText). */
  textFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** The teacher as it was: id and version from its config.json. */
  teacher: z.object({ id: z.string(), version: z.string() }),
  /** How it was made: the command, steps, pairs, CPU hours, last loss. */
  training: z.record(z.string(), z.unknown()).optional(),
}).superRefine((e, ctx) => {
  if (!e.guidanceRange) return;
  const [lo, hi] = e.guidanceRange;
  if (lo > hi) ctx.addIssue({ code: 'custom', path: ['guidanceRange'], message: `[${lo}, ${hi}] is not a range (lo > hi)` });
  else if (!inGuidanceRange(e.guidance, e.guidanceRange)) ctx.addIssue({ code: 'custom', path: ['guidance'], message: `the default scale ${e.guidance} is outside guidanceRange [${lo}, ${hi}]` });
}).superRefine((e, ctx) => {
  if (e.blocks && !isBlockList(e.blocks)) ctx.addIssue({ code: 'custom', path: ['blocks'], message: `must be strictly increasing block indices, got [${e.blocks.join(', ')}]` });
});
export type FlashEntry = z.infer<typeof FlashEntry>;

/** Whether a list of block indices is strictly increasing (each block kept once, in the teacher's order). */
export function isBlockList(blocks: readonly number[]): boolean {
  return blocks.every((b, i) => Number.isInteger(b) && b >= 0 && (i === 0 || b > blocks[i - 1]!));
}

const BLOCK_TENSOR = /^denoiser\.blocks\.(\d+)\./;

/** The teacher's tensor a student tensor starts from: student block i is teacher block blocks[i]. */
export function teacherTensorName(name: string, blocks?: readonly number[]): string {
  return blocks ? name.replace(BLOCK_TENSOR, (_, i: string) => `denoiser.blocks.${blocks[Number(i)]}.`) : name;
}

/** The student's name for a teacher's denoiser tensor, or undefined when the student has none: a dropped block, the self-conditioning input. */
export function studentTensorName(name: string, blocks?: readonly number[]): string | undefined {
  if (name.startsWith('denoiser.self_cond_embed.')) return undefined; // flashConfig: students take no estimate
  const m = BLOCK_TENSOR.exec(name);
  if (!blocks || !m) return name;
  const i = blocks.indexOf(Number(m[1]));
  return i < 0 ? undefined : name.replace(BLOCK_TENSOR, `denoiser.blocks.${i}.`);
}

/**
 * The student's model: the base model with only the kept blocks, taking the guidance scale as an
 * input when it was distilled over a range of scales.
 */
export function flashConfig(base: ModelConfig, student: { guidanceRange?: readonly [number, number]; blocks?: readonly number[] }): ModelConfig {
  if (student.blocks) {
    const over = student.blocks.filter((b) => b >= base.depth);
    if (over.length) throw new Error(`Flash blocks [${student.blocks.join(', ')}]: the base model has blocks 0 to ${base.depth - 1} only`);
  }
  // One pass per step from the noisy image alone: a student keeps no estimate between its few
  // steps (a self-conditioning teacher's is its own sampling detail).
  const config = { ...base, ...(student.blocks ? { depth: student.blocks.length } : {}), selfCondition: false };
  return student.guidanceRange ? withGuidanceInput(config) : config;
}

/** The student's tensors: every denoiser parameter (the text encoder stays the base model's). */
export function isStudentTensor(name: string): boolean {
  return name.startsWith('denoiser.');
}

/** sha256 over the text encoder's tensors (name, shape, float32 bytes) in name order. */
export function fingerprintText(weights: Map<string, HostTensor>): string {
  const h = createHash('sha256');
  for (const name of [...weights.keys()].filter((n) => !isStudentTensor(n)).sort()) {
    const t = asFloat32(weights.get(name)!);
    const data = t.f32();
    h.update(`${name}:${t.shape.join('x')};`);
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

export type FlashStatus =
  | { kind: 'absent' }
  | { kind: 'stale'; reason: string }
  | { kind: 'ready'; entry: FlashEntry; model: LoadedModel };

/** The raw `flash` entry of DIR/config.json, if any (loadModel's schema does not carry it). */
function readEntry(dir: string): unknown {
  const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  return raw.flash;
}

/**
 * The Flash student of a loaded model: the base model with its denoiser tensors replaced.
 * A model directory without a flash entry is 'absent'; a broken entry or file is an error naming
 * it; a student distilled from other text-encoder weights is 'stale' (with the reason).
 */
export function loadFlash(base: LoadedModel): FlashStatus {
  const raw = readEntry(base.dir);
  if (raw === undefined) return { kind: 'absent' };
  const parsed = FlashEntry.safeParse(raw);
  const configPath = join(base.dir, 'config.json');
  if (!parsed.success) throw new FlashLoadError(`${configPath}: the flash entry is not valid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  const entry = parsed.data;
  const path = join(base.dir, entry.file);
  if (!existsSync(path)) throw new FlashLoadError(`${configPath} declares Flash weights but ${path} is missing (rerun \`flowpaint distill-export\`, or remove the flash entry)`);
  // The text encoder's tensors as stored, not the whole model made float32: the start of a
  // `generate --fast` whose graphs are cached reads no other weights (BENCHMARKS.md, "Cold start").
  const fingerprint = fingerprintText(storedTensors(base, (name) => !isStudentTensor(name)));
  if (fingerprint !== entry.textFingerprint) {
    return { kind: 'stale', reason: `${path} was distilled from other base weights (${entry.teacher.id} ${entry.teacher.version}); rerun \`flowpaint distill\` on ${base.dir}` };
  }
  // Read once and checked against the base model's tensors by the headers now; the tensors are
  // made (float32) when the student's weights are first read, which a start that finds the
  // student's graph in the cache never does.
  let stored: Uint8Array | undefined;
  let shapes: Map<string, readonly number[]>;
  try {
    stored = readCheckedSafetensors(path);
    shapes = new Map(safetensorsHeader(stored, path).entries.map((e) => [e.name, e.shape]));
  } catch (err) {
    throw new FlashLoadError((err as Error).message);
  }
  // A student has the base model's denoiser tensors (those of the blocks it kept, renumbered), and
  // when it takes the guidance scale as an input the guidance embedding's.
  let config: ModelConfig;
  try {
    config = flashConfig(base.config, entry);
  } catch (err) {
    throw new FlashLoadError(`${configPath}: ${(err as Error).message}`);
  }
  const studentShapes = new Map<string, readonly number[]>();
  for (const [name, shape] of tensorShapes(base)) {
    const own = isStudentTensor(name) ? studentTensorName(name, entry.blocks) : undefined;
    if (own) studentShapes.set(own, shape);
  }
  const added = entry.guidanceRange ? guidanceEmbeddingShapes(config) : new Map<string, number[]>();
  for (const [name, shape] of added) studentShapes.set(name, shape);
  for (const [name, shape] of studentShapes) {
    const s = shapes.get(name);
    const owner = added.has(name) ? 'its guidance embedding' : 'the base model';
    if (!s) throw new FlashLoadError(`${path}: no tensor '${name}' (${owner} has it)`);
    if (s.join() !== shape.join()) throw new FlashLoadError(`${path}: tensor '${name}' is [${s}] but ${owner}'s is [${shape}]`);
  }
  for (const name of shapes.keys()) {
    if (!studentShapes.has(name)) throw new FlashLoadError(`${path}: tensor '${name}' is not in the base model (config and Flash weights disagree)`);
  }
  const digest = bytesDigest(stored);
  let weights: Map<string, HostTensor> | undefined;
  // Built field by field: a spread of `base` would read its weights (a getter in loadModel's).
  const model: LoadedModel = {
    dir: base.dir,
    config,
    info: { ...base.info, version: `${base.info.version}+flash` },
    tokenizer: base.tokenizer,
    ...(base.sampling ? { sampling: base.sampling } : {}),
    get weights() {
      if (!weights) {
        weights = new Map([...base.weights].filter(([name]) => !isStudentTensor(name)));
        for (const [name, t] of parseSafetensors(stored!, path, isStudentTensor).tensors) weights.set(name, asFloat32(t));
        stored = undefined;
      }
      return weights;
    },
  };
  // The student's compiled graphs are cached under both files (model/runner.ts).
  if (base.weightsFile) withWeightsFile(model, { path, digest: createHash('sha256').update(`${base.weightsFile.digest}+${digest}`).digest('hex') });
  return { kind: 'ready', entry, model };
}

/**
 * Writes a student into a model directory: flash.safetensors (denoiser tensors, float16) and the
 * config.json entry, each atomically; every other field of config.json is kept as it was.
 */
export function saveFlash(dir: string, student: Map<string, HostTensor>, entry: FlashEntry): string {
  const stored = new Map<string, HostTensor>();
  for (const [name, t] of student) if (isStudentTensor(name)) stored.set(name, castForStorage(t, 'float16'));
  if (stored.size === 0) throw new Error('saveFlash: no denoiser tensors to write');
  const path = join(dir, FLASH_FILE);
  writeSafetensors(path, stored, { format: 'flowpaint-flash', teacher: `${entry.teacher.id} ${entry.teacher.version}` });
  const configPath = join(dir, 'config.json');
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  raw.flash = FlashEntry.parse(entry);
  writeFileAtomic(configPath, new TextEncoder().encode(`${JSON.stringify(raw, null, 2)}\n`));
  return path;
}

export class FlashLoadError extends Error {
  override name = 'InputError';
}
