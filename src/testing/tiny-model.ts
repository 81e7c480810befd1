// A tiny trained model for tests: a few steps of the `tiny` preset, exported as a model
// directory. Cached in the temp folder under a hash of the code that defines the model, so
// test files share one and a change to the model code makes a fresh one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
