// `npm run bench -- train-step [--config models/candidate/train.json] [--steps 6] [--threads 1]`:
// one recipe's training step compiled two ways in one process — gradients through the
// primitives of every composite (the step as built before session 13) and with the closed-form
// gradients composites attach (the default) — run alternately on the same batch, so that a
// loaded, noisy machine slows both alike. Reports medians of wall and CPU time per step and
// new÷old, and checks the first step's loss and gradient norm agree.
import { BatchSource } from '../src/train/batch-source.ts';
import { loadTrainConfig } from '../src/train/config.ts';
import { LAYOUT_CLASSES, LAYOUT_COLORS } from '../src/train/layout-labels.ts';
import { Tokenizer } from '../src/model/tokenizer/index.ts';
import { buildTrainingGraph } from '../src/model/graphs.ts';
import { TrainStep, compileTrainStep, initialTrainState } from '../src/engine/index.ts';
import { initParams } from '../src/nn/index.ts';
import { dirname, join } from 'node:path';
import { median } from './lib/util.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
}


export async function run(args: string[]): Promise<void> {
  const configPath = arg(args, '--config', 'models/candidate/train.json');
  const steps = Number(arg(args, '--steps', '6'));
  const threads = Number(arg(args, '--threads', '1'));
  const cfg = loadTrainConfig(configPath);
  const tok = Tokenizer.fromFile(join(dirname(configPath), 'tokenizer.json'));
  const { feeds } = new BatchSource(cfg, tok).next(0);
  const layout = cfg.layoutLossWeight > 0 ? { weight: cfg.layoutLossWeight, classes: LAYOUT_CLASSES, colors: LAYOUT_COLORS } : undefined;
  const optimizer = { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm };
  const make = async (improved: boolean) => {
    const graph = buildTrainingGraph(cfg.model, cfg.batchSize, layout);
    const compiled = compileTrainStep({ loss: graph.loss, params: graph.scope.params(), optimizer, grad: { closedForms: improved, joinSlices: improved } });
    return TrainStep.create(compiled, initialTrainState(initParams(graph.scope, cfg.seed)), { threads });
  };
  const arms = { old: await make(false), new: await make(true) };
  const times = { old: { wall: [] as number[], cpu: [] as number[] }, new: { wall: [] as number[], cpu: [] as number[] } };
  const first: Record<string, { loss: number; gradNorm: number }> = {};
  for (let i = 0; i <= steps; i++) {
    // Alternate which arm goes first, so neither always follows the other.
    const order = i % 2 ? (['new', 'old'] as const) : (['old', 'new'] as const);
    for (const name of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await arms[name].run(feeds, 1e-4);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (i === 0) first[name] = r; // the first step allocates: not timed
      else {
        times[name].wall.push(wall);
        times[name].cpu.push((c.user + c.system) / 1000);
      }
      console.log(`step ${i} ${name}: wall ${wall.toFixed(0)} ms, cpu ${((c.user + c.system) / 1000).toFixed(0)} ms`);
    }
  }
  for (const a of Object.values(arms)) await a.release();
  const row = (k: 'wall' | 'cpu') => ({ old: median(times.old[k]), new: median(times.new[k]), ratio: median(times.new[k]) / median(times.old[k]) });
  const wall = row('wall');
  const cpu = row('cpu');
  console.log(`first step: loss ${first.old!.loss} vs ${first.new!.loss}, grad norm ${first.old!.gradNorm} vs ${first.new!.gradNorm}`);
  console.log(`median of ${steps} steps each: wall ${wall.old.toFixed(0)} → ${wall.new.toFixed(0)} ms (new÷old ${wall.ratio.toFixed(3)}), cpu ${cpu.old.toFixed(0)} → ${cpu.new.toFixed(0)} ms (new÷old ${cpu.ratio.toFixed(3)})`);
  console.log(JSON.stringify({ bench: 'train-step', config: configPath, threads, steps, wall, cpu, first }));
}
