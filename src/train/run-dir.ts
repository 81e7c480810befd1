// Opening a run directory: decides whether this invocation starts a run, continues one (--resume)
// or fine-tunes an exported model (--init-from), refuses to clobber an existing run, and writes
// what the run keeps beside its checkpoints (config.json, tokenizer.json) before the first step.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedModel, loadModel } from '../model/store.ts';
import { Tokenizer } from '../model/tokenizer/index.ts';
import { InputError } from '../errors.ts';
import { type Checkpoint, hasCheckpoint, loadCheckpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { trainingIn } from './init-from.ts';
import { trainRunTokenizer } from './tokenizer.ts';

export interface RunRequest {
  config: TrainConfig;
  runDir: string;
  resume: boolean;
  /** An exported model directory whose weights and tokenizer start a new run. */
  initFrom?: string;
  /**
   * With resume: continue the checkpoint (weights, optimiser state, EMA, step) under `config`
   * rather than the run's own recipe: a new curriculum stage, or an A/B arm forked from a copy of
   * a run. The model itself must stay the same.
   */
  changeRecipe?: boolean;
}

/** What a run starts from: the config it keeps, and the checkpoint or model it continues, if any. */
export interface RunStart {
  /** The config this run follows: a resumed run's own, never the one passed again. */
  config: TrainConfig;
  resumed?: Checkpoint;
  init?: LoadedModel;
  tokenizer: Tokenizer;
}

export function openRun(req: RunRequest): RunStart {
  const { runDir } = req;
  mkdirSync(runDir, { recursive: true });
  let config = req.config;
  let resumed: Checkpoint | undefined;
  if (req.resume && req.initFrom) {
    throw new InputError('--init-from starts a new run and --resume continues one: pass only one of them');
  }
  if (req.resume) {
    if (!hasCheckpoint(runDir)) throw new InputError(`--resume: no checkpoint in ${runDir}`);
    resumed = loadCheckpoint(runDir);
    if (req.changeRecipe) config = continuedUnder(resumed.config, req.config, runDir);
    else config = resumed.config; // a run keeps the config it started with
  } else if (req.changeRecipe) {
    throw new InputError('--change-recipe continues a checkpoint under a new --config: it needs --resume');
  } else if (hasCheckpoint(runDir)) {
    throw new InputError(`${runDir} already holds a checkpoint: pass --resume to continue it, or choose another --run-dir`);
  }
  const init = req.initFrom ? loadModel(req.initFrom) : undefined;
  if (init) config = { ...config, initFrom: init.dir, prior: trainingIn(init) };
  writeFileSync(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return { config, resumed, init, tokenizer: runTokenizer(runDir, config, init) };
}

/** The new recipe, keeping what the run has already been trained on; refuses a different model. */
function continuedUnder(old: TrainConfig, next: TrainConfig, runDir: string): TrainConfig {
  const a = JSON.stringify(old.model);
  const b = JSON.stringify(next.model);
  if (a !== b) {
    const differing = Object.keys({ ...old.model, ...next.model }).filter(
      (k) => JSON.stringify((old.model as Record<string, unknown>)[k]) !== JSON.stringify((next.model as Record<string, unknown>)[k]),
    );
    throw new InputError(`--change-recipe: the new config's model differs from the one in ${runDir} (model.${differing.join(', model.')}); a checkpoint continues only the model it holds`);
  }
  return { ...next, ...(old.initFrom ? { initFrom: old.initFrom } : {}), ...(old.prior ? { prior: old.prior } : {}) };
}

/**
 * The run's tokenizer: the starting model's (its embedding rows belong to its token ids), the one
 * already in the run directory (a resumed run), or one trained now from the run's seed.
 */
function runTokenizer(runDir: string, config: TrainConfig, init: LoadedModel | undefined): Tokenizer {
  const path = join(runDir, 'tokenizer.json');
  if (init) {
    init.tokenizer.save(path);
    return init.tokenizer;
  }
  if (existsSync(path)) return Tokenizer.fromFile(path);
  const tokenizer = trainRunTokenizer(config.seed, config.model.text.vocabSize, config.tokenizerCorpus.scenes, config.tokenizerCorpus.edits);
  tokenizer.save(path);
  return tokenizer;
}
