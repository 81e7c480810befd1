// `npm run bench -- generate [--model DIR] [--threads N]`: seconds per image with the shipped model
// at 256×256 and 1024×1024, at the default step count and in the few-step mode, and peak memory.
import os from 'node:os';
import { DEFAULT_STEPS, FAST_STEPS, loadPipeline } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const pipe = await loadPipeline({ modelDir: option(args, '--model'), threads });
  const prompt = 'a red apple left of a cat on a blue background';
  await pipe.generate({ prompt, width: 256, height: 256, steps: 1, seed: 0 }); // warm-up: sessions, filters
  const cases = [
    { key: 's_256', size: 256, steps: DEFAULT_STEPS },
    { key: 's_256_fast', size: 256, steps: FAST_STEPS },
    { key: 's_1024_fast', size: 1024, steps: FAST_STEPS },
    { key: 's_1024', size: 1024, steps: DEFAULT_STEPS },
  ];
  const result: Record<string, number> = {};
  console.log(`generate benchmark — model ${pipe.info.id} ${pipe.info.version}, ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`);
  for (const c of cases) {
    const t0 = performance.now();
    await pipe.generate({ prompt, width: c.size, height: c.size, steps: c.steps, seed: 1 });
    const s = (performance.now() - t0) / 1000;
    result[c.key] = +s.toFixed(2);
    console.log(`${c.size}x${c.size}  ${String(c.steps).padStart(2)} steps  ${s.toFixed(2).padStart(8)} s/image`);
  }
  await pipe.release();
  result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`peak RSS ${result.peak_rss_mb} MB`);
  console.log(JSON.stringify(result));
}
