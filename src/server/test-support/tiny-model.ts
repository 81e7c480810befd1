// A real (tiny, barely trained) model for end-to-end tests: a few training steps of the tiny
// preset, exported as a model directory. Takes seconds; the images mean nothing, the plumbing
// is real.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRAIN_PRESETS } from '../../train/config.ts';
import { exportRun, train } from '../../train/trainer.ts';

export async function makeTinyModel(parent = mkdtempSync(join(tmpdir(), 'fp-tiny-'))): Promise<string> {
  const runDir = join(parent, 'run');
  const modelDir = join(parent, 'model');
  await train({ config: { ...TRAIN_PRESETS.tiny, steps: 6 }, runDir, resume: false });
  exportRun(runDir, modelDir, { id: 'tiny', version: '0' });
  return modelDir;
}
