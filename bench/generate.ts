// `npm run bench -- generate [--model DIR] [--threads N]`: seconds per image with the shipped model
// at 256×256 and 1024×1024, at the default step count and in the few-step mode (Flash when the model
// has it), and peak memory. Each case also reports the process's CPU seconds (`<key>_cpu`, all
// threads): on a machine that other work keeps busy, the wall seconds stretch and the CPU seconds
// stay close to what the image costs (on an idle machine, about wall × the threads kept busy).
import os from 'node:os';
import { DEFAULT_STEPS, FAST_STEPS, loadPipeline } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

export async function run(args: string[]): Promise<void> {
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const pipe = await loadPipeline({ modelDir: option(args, '--model'), threads });
  const prompt = 'a red apple left of a cat on a blue background';
  await pipe.generate({ prompt, width: 256, height: 256, steps: 1, seed: 0 }); // warm-up: sessions, filters
  const cases = [
    { key: 's_256', size: 256, steps: DEFAULT_STEPS, fast: false },
    { key: 's_256_fast', size: 256, steps: FAST_STEPS, fast: true },
    { key: 's_1024_fast', size: 1024, steps: FAST_STEPS, fast: true },
    { key: 's_1024', size: 1024, steps: DEFAULT_STEPS, fast: false },
  ];
  const result: Record<string, number> = {};
  console.log(`generate benchmark — model ${pipe.info.id} ${pipe.info.version}, ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`);
  for (const c of cases) {
    // The fast cases are the product's fast mode: Flash when the model has it (its first call compiles it: warm it).
    if (c.fast) await pipe.generate({ prompt, width: 256, height: 256, steps: 1, seed: 0, fast: true });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await pipe.generate({ prompt, width: c.size, height: c.size, steps: c.steps, seed: 1, fast: c.fast });
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const cpu = (used.user + used.system) / 1e6;
    result[c.key] = +s.toFixed(2);
    result[`${c.key}_cpu`] = +cpu.toFixed(2);
    console.log(`${c.size}x${c.size}  ${String(c.steps).padStart(2)} steps${c.fast ? (pipe.flash ? ' (Flash)' : ' (fast, no Flash)') : ''}  ${s.toFixed(2).padStart(8)} s/image  ${cpu.toFixed(2).padStart(8)} CPU s`);
  }
  await pipe.release();
  result.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(`peak RSS ${result.peak_rss_mb} MB`);
  console.log(JSON.stringify(result));
}
