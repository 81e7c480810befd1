// `npm run bench -- prediction [--steps 1500]`: x- versus v-prediction, and the timestep
// distribution, measured as how well a model memorises 8 fixed 64² scenes in a fixed number of
// steps (PSNR of each scene sampled back from noise with its caption; higher is better). Two
// widths: 64 (narrower than a 192-value patch, the regime of the shipped model's 768-value
// patches at width 192) and 192 (as wide as a patch).
import { PRESETS } from '../src/model/config.ts';
import { memoriseScenes } from '../src/train/memorise.ts';
import { option } from './lib/util.ts';

const CASES = [
  { prediction: 'x', width: 64, timeMean: 0.8, timeStd: 0.8 },
  { prediction: 'x', width: 64, timeMean: 0, timeStd: 1 },
  { prediction: 'v', width: 64, timeMean: 0.8, timeStd: 0.8 },
  { prediction: 'x', width: 192, timeMean: 0.8, timeStd: 0.8 },
  { prediction: 'v', width: 192, timeMean: 0.8, timeStd: 0.8 },
] as const;

export async function run(args: string[]): Promise<void> {
  const steps = Number(option(args, '--steps') ?? 1500);
  console.log(`prediction benchmark — tiny family, 8 scenes at 64², ${steps} steps each, 20 Euler steps to sample`);
  console.log('pred  width  timesteps (mean, std)   mean PSNR  worst PSNR  seconds');
  const results = [];
  for (const c of CASES) {
    const t0 = performance.now();
    const model = { ...PRESETS.tiny!, width: c.width, heads: c.width / 16, prediction: c.prediction };
    const r = await memoriseScenes({ model, scenes: 8, size: 64, steps, lr: 3e-3, timeMean: c.timeMean, timeStd: c.timeStd });
    const mean = r.psnr.reduce((a, b) => a + b, 0) / r.psnr.length;
    const worst = Math.min(...r.psnr);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`${c.prediction.padEnd(6)}${String(c.width).padEnd(7)}${`(${c.timeMean}, ${c.timeStd})`.padEnd(24)}${mean.toFixed(1).padStart(9)}${worst.toFixed(1).padStart(12)}${seconds.toFixed(0).padStart(9)}`);
    results.push({ ...c, mean_psnr: +mean.toFixed(2), worst_psnr: +worst.toFixed(2) });
  }
  console.log(JSON.stringify({ bench: 'prediction', steps, results }));
}
