// A tiny trained model for tests: a few steps of the `tiny` preset, exported as a model
// directory. Cached in the temp folder under a hash of the code that defines the model, so
// test files share one and a change to the model code makes a fresh one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTensor, Rng } from '../engine/index.ts';
import type { ModelConfig } from '../model/config.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import { type LoadedModel, loadModel, saveModel } from '../model/store.ts';
import { initParams } from '../nn/index.ts';
import { TRAIN_PRESETS } from '../train/config.ts';
import { exportRun } from '../train/export.ts';
import { train } from '../train/trainer.ts';

const SOURCES = ['engine', 'nn', 'model', 'model/tokenizer', 'train', 'data', 'testing'];

function codeHash(): string {
  const h = createHash('sha256');
  const root = new URL('..', import.meta.url).pathname;
  for (const dir of SOURCES) {
    for (const f of readdirSync(join(root, dir)).sort()) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) h.update(f).update(readFileSync(join(root, dir, f)));
    }
  }
  return h.digest('hex').slice(0, 16);
}

export const TINY_STEPS = 12;

export async function tinyModelDir(): Promise<string> {
  const dir = join(tmpdir(), `flowpaint-tiny-model-${codeHash()}`);
  if (existsSync(join(dir, 'config.json'))) return dir;
  const work = join(tmpdir(), `flowpaint-tiny-run-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    await train({ config: { ...TRAIN_PRESETS.tiny!, steps: TINY_STEPS, checkpointEvery: TINY_STEPS }, runDir: work, resume: false });
    const staged = `${dir}.staged-${process.pid}`;
    exportRun(work, staged, { id: 'tiny', version: '0' });
    // Another test process may have finished first; either copy is equivalent.
    try {
      renameSync(staged, dir);
    } catch {
      rmSync(staged, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The tiny model with `config` and every weight random (normal, std 0.2), saved in float32 to
 * `dir`: zero-initialised heads would make a comparison of two models' predictions vacuous.
 */
export async function randomTinyModel(dir: string, seed: number, config?: ModelConfig): Promise<LoadedModel> {
  const tiny = loadModel(await tinyModelDir());
  const c = config ?? tiny.config;
  const rng = new Rng(seed);
  const weights = new Map<string, HostTensor>();
  for (const [name, t] of initParams(buildTrainingGraph(c, 1).scope, 1)) {
    if (name.startsWith('layout_head')) continue;
    weights.set(name, HostTensor.f32(rng.fillNormal(new Float32Array(t.size), 0.2), t.shape));
  }
  saveModel(dir, { config: c, info: tiny.info, weights, tokenizer: tiny.tokenizer }, 'float32');
  return loadModel(dir);
}
