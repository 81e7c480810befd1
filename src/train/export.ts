// `flowpaint export`: a run's checkpoint as a model directory (what `generate --model` loads) —
// the EMA weights, the tokenizer, the training record (this run and, across --init-from
// generations, everything before it) and the recipe beside the weights.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../engine/index.ts';
import { type SamplingDefaults, saveModel } from '../model/store.ts';
import { Tokenizer } from '../model/tokenizer/index.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { continuationRecipe } from './config.ts';

export interface ExportInfo {
  id: string;
  version: string;
  command?: string;
  sampling?: SamplingDefaults;
  /** 'ema' (default) is what ships; 'raw' judges a short run, whose EMA still mostly holds its starting weights. */
  weights?: 'ema' | 'raw';
}

/** Writes the EMA (or raw) weights of a run's checkpoint as a model directory (what `generate --model` loads). */
export function exportRun(runDir: string, outDir: string, info: ExportInfo): void {
  const ck = loadCheckpoint(runDir);
  const tokenizer = Tokenizer.fromFile(join(runDir, 'tokenizer.json'));
  const metrics = join(runDir, 'metrics.jsonl');
  const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n') : [];
  const last = lines.length ? JSON.parse(lines[lines.length - 1]!) : {};
  const run = { steps: ck.state.step, samples: ck.state.step * ck.config.batchSize, cpuHours: ck.trainSeconds / 3600 };
  const prior = ck.config.prior ?? { steps: 0, samples: 0, cpuHours: 0 };
  const [native] = [...ck.config.buckets].sort((a, b) => Math.abs(Math.log(a.width / a.height)) - Math.abs(Math.log(b.width / b.height)));
  saveModel(outDir, {
    config: { ...ck.config.model, sizes: { native: native!, buckets: ck.config.buckets } },
    info: {
      id: info.id,
      version: info.version,
      training: {
        command: info.command ?? `flowpaint train --config ${join(runDir, 'config.json')} --run-dir ${runDir}`,
        preset: ck.config.name,
        ...(ck.config.initFrom ? { init_from: ck.config.initFrom } : {}),
        steps: run.steps,
        samples: run.samples,
        cpu_hours: +run.cpuHours.toFixed(2),
        final_loss: last.loss,
        // Everything these weights have been trained on, across --init-from generations.
        total: {
          steps: prior.steps + run.steps,
          samples: prior.samples + run.samples,
          cpu_hours: +(prior.cpuHours + run.cpuHours).toFixed(2),
        },
        data: ck.config.data,
        ...(info.weights === 'raw' ? { weights: 'raw (not the EMA)' } : {}),
      },
    },
    weights: info.weights === 'raw' ? ck.state.params : ck.ema,
    tokenizer,
    ...(info.sampling ? { sampling: info.sampling } : {}),
  });
  // The recipe beside the weights, at the schedule's remainder: `train --config DIR/train.json
  // --init-from DIR` continues the run where it stopped.
  const { prior: _prior, initFrom: _initFrom, ...recipe } = continuationRecipe(ck.config, ck.state.step);
  writeFileAtomic(join(outDir, 'train.json'), new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`));
}
