// `npm run bench -- train-step [--config models/candidate/train.json] [--steps 6] [--threads 1] [--compare CHECKOUT]`:
// one recipe's training step, timed. With --compare, the same step as another checkout of the
// project builds it (e.g. a `git worktree` of an older commit, with node_modules) is compiled in
// the same process and the two run alternately on the same batch, so that a loaded, noisy machine
// slows both alike; the report gives medians of wall and CPU time per step, this÷that, and the
// first step's loss and gradient norm from each (the graphs may differ; the maths should not).
import { dirname, join, resolve } from 'node:path';
import { median, option } from './lib/util.ts';

interface Arm {
  run(step: number): Promise<{ loss: number; gradNorm: number }>;
  release(): Promise<void>;
}

/** The training step as the project at `root` builds it, on the recipe's first batch. */
async function compileArm(root: string, configPath: string, threads: number): Promise<Arm> {
  const src = join(root, 'src');
  const { BatchSource } = await import(join(src, 'train/batch-source.ts'));
  const { loadTrainConfig } = await import(join(src, 'train/config.ts'));
  const { LAYOUT_CLASSES, LAYOUT_COLORS } = await import(join(src, 'train/layout-labels.ts'));
  const { Tokenizer } = await import(join(src, 'model/tokenizer/index.ts'));
  const { buildTrainingGraph } = await import(join(src, 'model/graphs.ts'));
  const { TrainStep, compileTrainStep, initialTrainState } = await import(join(src, 'engine/index.ts'));
  const { initParams } = await import(join(src, 'nn/index.ts'));
  const cfg = loadTrainConfig(configPath);
  const tok = Tokenizer.fromFile(join(dirname(configPath), 'tokenizer.json'));
  const { feeds } = new BatchSource(cfg, tok).next(0);
  const layout = cfg.layoutLossWeight > 0 ? { weight: cfg.layoutLossWeight, classes: LAYOUT_CLASSES, colors: LAYOUT_COLORS } : undefined;
  const optimizer = { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm };
  const graph = buildTrainingGraph(cfg.model, cfg.batchSize, layout);
  const compiled = compileTrainStep({ loss: graph.loss, params: graph.scope.params(), optimizer });
  const step = await TrainStep.create(compiled, initialTrainState(initParams(graph.scope, cfg.seed)), { threads });
  return { run: () => step.run(feeds, 1e-4), release: () => step.release() };
}

export async function run(args: string[]): Promise<void> {
  const configPath = resolve(option(args, '--config') ?? 'models/candidate/train.json');
  const steps = Number(option(args, '--steps') ?? 6);
  const threads = Number(option(args, '--threads') ?? 1);
  const compare = option(args, '--compare');
  const arms: Record<string, Arm> = { this: await compileArm(resolve(import.meta.dirname, '..'), configPath, threads) };
  if (compare) arms[compare] = await compileArm(resolve(compare), configPath, threads);
  const names = Object.keys(arms);
  const times = Object.fromEntries(names.map((n) => [n, { wall: [] as number[], cpu: [] as number[] }]));
  const first: Record<string, { loss: number; gradNorm: number }> = {};
  try {
    for (let i = 0; i <= steps; i++) {
      // Alternate which arm goes first, so neither always follows the other.
      for (const name of i % 2 ? [...names].reverse() : names) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const r = await arms[name]!.run(i);
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        const cpu = (c.user + c.system) / 1000;
        if (i === 0) first[name] = { loss: r.loss, gradNorm: r.gradNorm }; // the first step allocates: not timed
        else {
          times[name]!.wall.push(wall);
          times[name]!.cpu.push(cpu);
        }
        console.log(`step ${i} ${name}: wall ${wall.toFixed(0)} ms, cpu ${cpu.toFixed(0)} ms`);
      }
    }
  } finally {
    for (const a of Object.values(arms)) await a.release();
  }
  const medians = Object.fromEntries(names.map((n) => [n, { wall: median(times[n]!.wall), cpu: median(times[n]!.cpu) }]));
  for (const n of names) console.log(`${n}: median of ${steps} steps wall ${medians[n]!.wall.toFixed(0)} ms, cpu ${medians[n]!.cpu.toFixed(0)} ms; first step loss ${first[n]!.loss}, grad norm ${first[n]!.gradNorm}`);
  const ratio = compare ? { wall: medians.this!.wall / medians[compare]!.wall, cpu: medians.this!.cpu / medians[compare]!.cpu } : undefined;
  if (ratio) console.log(`this ÷ ${compare}: wall ${ratio.wall.toFixed(3)}, cpu ${ratio.cpu.toFixed(3)}`);
  console.log(JSON.stringify({ bench: 'train-step', config: configPath, threads, steps, medians, first, ...(ratio ? { ratio } : {}) }));
}
