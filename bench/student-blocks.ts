// `npm run bench -- student-blocks [--model DIR] [--keep K] [--threads 1]`: which of a model's
// transformer blocks a shallower Flash student should keep (DistillConfig.studentBlocks). For every
// set of K blocks (in order) it builds the model with only those blocks — exactly what a student
// starts as — and measures how far its clean-image prediction lands from the whole model's, on
// held-out scenes with their captions, noised to t = 0.3, 0.6 and 0.9 (PSNR in [−1, 1] pixel units; higher is
// closer). Distillation starts from there, so the closest start is the one to distil. Also prints
// each single block dropped.
import { resolve } from 'node:path';
import { type HostTensor, Rng } from '../src/engine/index.ts';
import { composeScene } from '../src/data/compose.ts';
import { flashConfig, studentTensorName } from '../src/model/flash.ts';
import { patchify } from '../src/model/layout.ts';
import { ModelRunner } from '../src/model/runner.ts';
import { type LoadedModel, loadModel } from '../src/model/store.ts';
import { defaultModelDir } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

/** Held-out scenes (seeds 5000…) at 128², with their short captions, noised to each time. */
const SCENES = 6;
const TIMES = [0.3, 0.6, 0.9];

/** The model with only `blocks` (renumbered 0…), the denoiser a student keeping them starts as. */
function keeping(model: LoadedModel, blocks: number[]): LoadedModel {
  const config = flashConfig(model.config, { blocks });
  const weights = new Map<string, HostTensor>();
  for (const [name, t] of model.weights) {
    const own = studentTensorName(name, blocks);
    if (own) weights.set(own, t);
  }
  return { dir: `${model.dir}#blocks=${blocks.join(',')}`, config, info: model.info, tokenizer: model.tokenizer, weights };
}

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - k; first++) for (const rest of subsets(n - first - 1, k - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  return out;
}

export async function run(args: string[]): Promise<void> {
  const modelDir = resolve(option(args, '--model') ?? defaultModelDir());
  const threads = Number(option(args, '--threads') ?? 1);
  const model = loadModel(modelDir);
  const depth = model.config.depth;
  const keep = Number(option(args, '--keep') ?? Math.ceil((2 * depth) / 3));
  if (!Number.isInteger(keep) || keep < 1 || keep >= depth) throw new Error(`--keep must be an integer from 1 to ${depth - 1} (the model has ${depth} blocks), got ${option(args, '--keep')}`);
  const whole = await ModelRunner.create(model, { threads }, { cache: false });
  const p = model.config.patchSize;
  const width = 128;
  const height = 128;
  const grid = { rows: height / p, cols: width / p };
  const n = grid.rows * grid.cols * p * p * 3;
  const scenes = Array.from({ length: SCENES }, (_, i) => composeScene(5000 + i, { width, height, split: 'heldout' }));
  const cond = await whole.encode(scenes.map((sc) => sc.captions.short));
  const rng = new Rng(5);
  const inputs = TIMES.map((t) => ({
    t,
    noisy: scenes.map((sc) => {
      const x = patchify(sc.image, p);
      const eps = rng.fillNormal(new Float32Array(n));
      return x.map((v, i) => (1 - t) * v + t * eps[i]!);
    }),
  }));
  const reference = await Promise.all(inputs.map((i) => whole.predict({ noisy: i.noisy, t: i.t, grid, cond })));
  const psnrOf = async (blocks: number[]): Promise<number> => {
    const runner = await ModelRunner.create(keeping(model, blocks), { threads }, { cache: false, textFrom: whole });
    let sum = 0;
    let count = 0;
    try {
      for (const [k, inp] of inputs.entries()) {
        const out = await runner.predict({ noisy: inp.noisy, t: inp.t, grid, cond });
        out.forEach((o, b) => {
          const ref = reference[k]![b]!;
          for (let i = 0; i < o.length; i++) sum += (o[i]! - ref[i]!) ** 2;
          count += o.length;
        });
      }
    } finally {
      await runner.release();
    }
    return 10 * Math.log10(4 / (sum / count));
  };
  const all = Array.from({ length: depth }, (_, i) => i);
  console.log(`student blocks — ${model.info.id} ${model.info.version} (${modelDir}), ${depth} blocks, ${SCENES} held-out scenes × t ${TIMES.join('/')}, 128²`);
  const single: Record<string, number> = {};
  for (const b of all) {
    const v = await psnrOf(all.filter((x) => x !== b));
    single[b] = +v.toFixed(2);
    console.log(`without block ${b}: ${v.toFixed(2)} dB`);
  }
  const sets: Array<{ blocks: number[]; psnr: number }> = [];
  for (const s of subsets(depth, keep)) sets.push({ blocks: s, psnr: +(await psnrOf(s)).toFixed(2) });
  sets.sort((a, b) => b.psnr - a.psnr);
  console.log(`keeping ${keep} of ${depth}, closest first:`);
  for (const s of sets) console.log(`  [${s.blocks.join(', ')}] ${s.psnr.toFixed(2)} dB`);
  await whole.release();
  console.log(JSON.stringify({ bench: 'student-blocks', model: modelDir, keep, withoutBlock: single, sets }));
}
