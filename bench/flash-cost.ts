// `npm run bench -- flash-cost [--model DIR] [--threads 1] [--reps 15]`: where the CPU time of one
// image goes, Flash (4 steps, one pass each) against the teacher (20 guided steps), at the model's
// native size — #15's cost target is a Flash image at ≤ 1/8 of the teacher's. Whole images, then
// their parts measured alone: the text encoder (prompt + negative), one denoiser call with one row
// (a Flash step) and with two (a guided step: the conditional and unconditional rows go in one
// batch), and the output filter. Everything alternates round by round and the median CPU seconds
// of the rounds are reported, so load that comes and goes on a shared machine falls on all alike.
import os from 'node:os';
import { resolve } from 'node:path';
import { loadFlash } from '../src/model/flash.ts';
import { ModelRunner, selectConditioning } from '../src/model/runner.ts';
import { loadModel } from '../src/model/store.ts';
import { defaultModelDir, FAST_STEPS, loadPipeline } from '../src/pipeline/index.ts';
import { cpuSeconds, median, option } from './lib/util.ts';

const TEACHER_STEPS = 20;

export async function run(args: string[]): Promise<void> {
  const modelDir = resolve(option(args, '--model') ?? defaultModelDir());
  const threads = Number(option(args, '--threads') ?? 1);
  const reps = Number(option(args, '--reps') ?? 15);
  const model = loadModel(modelDir);
  const flash = loadFlash(model);
  if (flash.kind !== 'ready') throw new Error(`${modelDir}: no usable Flash (${flash.kind === 'stale' ? flash.reason : 'no flash.safetensors'}); this benchmark compares Flash with its teacher`);
  const pipe = await loadPipeline({ modelDir, threads });
  // The student as fast requests get it: with the quantization its entry records.
  const student = await ModelRunner.create(flash.model, { threads, ...(flash.entry.quantize ? { quantize: flash.entry.quantize } : {}) }, { textFrom: pipe.runner });
  const native = pipe.info.sizes.native;
  const { width, height } = native;
  const prompt = 'a red apple left of a cat on a blue background';
  const grid = { rows: height / pipe.runner.config.patchSize, cols: width / pipe.runner.config.patchSize };
  const cond = await pipe.runner.encode([prompt, '']);
  const P = pipe.runner.config.patchSize ** 2 * 3;
  const xt = new Float32Array(grid.rows * grid.cols * P).fill(0.1);
  const guidance = flash.entry.guidanceRange ? flash.entry.guidance : undefined;
  const [image] = await pipe.generate({ prompt, width, height, seed: 0, steps: TEACHER_STEPS }); // what the output filter screens: a finished image

  const parts: Record<string, () => Promise<unknown>> = {
    'teacher image (20 guided steps)': () => pipe.generate({ prompt, width, height, seed: 1, steps: TEACHER_STEPS }),
    'Flash image (4 steps)': () => pipe.generate({ prompt, width, height, seed: 1, steps: FAST_STEPS, fast: true }),
    'text encoder (2 prompts)': () => pipe.runner.encode([prompt, '']),
    'guided step (1 call, 2 rows)': () => pipe.runner.predict({ noisy: [xt, xt], t: 0.5, grid, cond }),
    'Flash step (1 call, 1 row)': () => student.predict({ noisy: [xt], t: 0.5, grid, cond: selectConditioning(cond, [0]), guidance }),
    'output filter': () => pipe.screenImage(image!.image),
  };
  const times = new Map<string, number[]>(Object.keys(parts).map((k) => [k, []]));
  try {
    for (let round = 0; round <= reps; round++) {
      for (const [name, f] of Object.entries(parts)) {
        const c0 = cpuSeconds();
        await f();
        if (round > 0) times.get(name)!.push(cpuSeconds() - c0); // round 0 warms up (Flash compiles)
      }
    }
  } finally {
    await student.release();
    await pipe.release();
  }
  const m = Object.fromEntries([...times].map(([k, v]) => [k, median(v)])) as Record<string, number>;
  const teacher = m['teacher image (20 guided steps)']!;
  const fast = m['Flash image (4 steps)']!;
  const guided = m['guided step (1 call, 2 rows)']!;
  const step = m['Flash step (1 call, 1 row)']!;
  const shared = m['text encoder (2 prompts)']! + m['output filter']!;
  console.log(`Flash cost — ${pipe.info.id} ${pipe.info.version} (${modelDir}), ${width}x${height}, ${threads} thread(s), median of ${reps}, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  for (const [k, v] of Object.entries(m)) console.log(`${k.padEnd(34)} ${(v * 1000).toFixed(2).padStart(8)} CPU ms`);
  const ratios = {
    image: fast / teacher,
    denoiser_only: (FAST_STEPS * step) / (TEACHER_STEPS * guided),
    guided_step_over_flash_step: guided / step,
    shared_ms: shared * 1000,
  };
  console.log(`Flash image / teacher image ${ratios.image.toFixed(3)} (target ≤ 0.125); denoiser calls alone ${ratios.denoiser_only.toFixed(3)}`);
  console.log(`a guided step costs ${ratios.guided_step_over_flash_step.toFixed(2)}× a Flash step (2 rows in one call, not 2 passes); text encoder + output filter ${ratios.shared_ms.toFixed(1)} ms, paid by both`);
  console.log(JSON.stringify({ ms: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, +(v * 1000).toFixed(2)])), ratios }));
}
