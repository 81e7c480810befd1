// Flash: a few-step student distilled from a model (`flowpaint distill`), stored beside the base
// weights in the model directory as `flash.safetensors` (the student's denoiser tensors, float16)
// and a `flash` entry in config.json. The student shares the base model's text encoder and
// tokenizer, so the entry records a fingerprint of the text-encoder weights it was trained with:
// a Flash file left over from other base weights is reported stale and not used.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { asFloat32, castForStorage, type HostTensor, readSafetensors, writeFileAtomic, writeSafetensors } from '../engine/index.ts';
import { fileDigest } from '../engine/graph-cache.ts';
import { type LoadedModel, withWeightsFile } from './store.ts';

export const FLASH_FILE = 'flash.safetensors';

/** The `flash` entry of a model's config.json. */
export const FlashEntry = z.object({
  file: z.literal(FLASH_FILE).default(FLASH_FILE),
  /** The sampling grid the student was trained to jump across (its best step count). */
  steps: z.number().int().min(1).max(64),
  /** The teacher's grid: each student step covers teacherSteps / steps teacher Euler steps. */
  teacherSteps: z.number().int().min(1),
  /** Guidance scales baked in (the teacher's); the student runs one forward pass per step at scale 1. */
  guidance: z.number().min(0).max(30),
  imageGuidance: z.number().min(0).max(30),
  /** sha256 of the base text encoder's weights the student was distilled with (fingerprintText). */
  textFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  /** The teacher as it was: id and version from its config.json. */
  teacher: z.object({ id: z.string(), version: z.string() }),
  /** How it was made: the command, steps, pairs, CPU hours, last loss. */
  training: z.record(z.string(), z.unknown()).optional(),
});
export type FlashEntry = z.infer<typeof FlashEntry>;

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
  const fingerprint = fingerprintText(base.weights);
  if (fingerprint !== entry.textFingerprint) {
    return { kind: 'stale', reason: `${path} was distilled from other base weights (${entry.teacher.id} ${entry.teacher.version}); rerun \`flowpaint distill\` on ${base.dir}` };
  }
  let tensors: Map<string, HostTensor>;
  try {
    tensors = readSafetensors(path).tensors;
  } catch (err) {
    throw new FlashLoadError((err as Error).message);
  }
  const weights = new Map(base.weights);
  for (const [name, t] of base.weights) {
    if (!isStudentTensor(name)) continue;
    const s = tensors.get(name);
    if (!s) throw new FlashLoadError(`${path}: no tensor '${name}' (the base model has it)`);
    if (s.shape.join() !== t.shape.join()) throw new FlashLoadError(`${path}: tensor '${name}' is [${s.shape}] but the base model's is [${t.shape}]`);
    weights.set(name, asFloat32(s));
  }
  for (const name of tensors.keys()) {
    if (!base.weights.has(name)) throw new FlashLoadError(`${path}: tensor '${name}' is not in the base model (config and Flash weights disagree)`);
  }
  const model: LoadedModel = { ...base, weights, info: { ...base.info, version: `${base.info.version}+flash` } };
  // The student's compiled graphs are cached under both files (model/runner.ts).
  if (base.weightsFile) withWeightsFile(model, { path, digest: createHash('sha256').update(`${base.weightsFile.digest}+${fileDigest(path)}`).digest('hex') });
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
