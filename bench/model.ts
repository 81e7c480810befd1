// `npm run bench -- model [--config small] [--threads N]`: the denoiser's forward time per sampling
// step at 256² and 1024², training samples/s at 128² (one text window and three) and 256², and the text encoder's time and peak
// memory at 1,024 and 32,768 tokens (memory must grow linearly with prompt length).
import os from 'node:os';
import { HostTensor, Rng, Session, TrainStep, compileTrainStep, initialTrainState, serializeGraph } from '../src/engine/index.ts';
import { PRESETS, type ModelConfig } from '../src/model/config.ts';
import { buildDenoiserGraph, buildTextGraph, buildTrainingGraph } from '../src/model/graphs.ts';
import { layoutFeeds, padPrompt } from '../src/model/layout.ts';
import { textRope } from '../src/model/text-encoder.ts';
import { initParams } from '../src/nn/index.ts';
import { DEFAULT_ADAMW } from '../src/engine/index.ts';
import { option, timeRuns } from './lib/util.ts';

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * Times the denoiser's forward pass per sampling step (one image, no guidance batch, fused
 * attention, random weights) at square sizes. One session serves every size. Also used by the
 * autoencoder benchmark, which compares it with the autoencoder's encode and decode.
 */
export async function denoiserStepTimer(c: ModelConfig, threads: number, rng = new Rng(0)): Promise<{ stepMs(side: number, reps: number): Promise<number>; release(): Promise<void> }> {
  const dg = buildDenoiserGraph(c);
  const dw = initParams(dg.scope, 1);
  const den = await Session.create(serializeGraph({ outputs: { p: dg.prediction }, paramMode: 'initializers', weights: (n) => dw.get(n)!.data }), { threads });
  const K = c.text.resamplerTokens;
  const dh = c.width / c.heads;
  const P = c.patchSize * c.patchSize * 3;
  return {
    async stepMs(side, reps) {
      const grid = { rows: side / c.patchSize, cols: side / c.patchSize };
      const N = grid.rows * grid.cols;
      const feeds = {
        image: HostTensor.f32(rng.fillNormal(new Float32Array(N * P)), [1, N, P]),
        mask: HostTensor.zeros([1, N, c.patchSize * c.patchSize]),
        ...layoutFeeds(c, [{ grid, segment: 0 }]),
        t: HostTensor.f32([0.5], [1]),
        cond_tokens: HostTensor.f32(rng.fillNormal(new Float32Array(K * c.text.width)), [1, K, c.text.width]),
        cond_pooled: HostTensor.f32(rng.fillNormal(new Float32Array(c.text.width)), [1, c.text.width]),
      };
      return timeRuns(() => den.run(feeds), reps);
    },
    release: () => den.release(),
  };
}

export async function run(args: string[]): Promise<void> {
  const c = PRESETS[option(args, '--config') ?? 'small']!;
  const threads = Number(option(args, '--threads') ?? os.availableParallelism());
  const rng = new Rng(0);
  const out: Record<string, number> = {};
  console.log(`model benchmark — ${c.name}, ${threads} threads, ${os.cpus()[0]?.model ?? 'cpu'}`);

  // Text encoder: time and peak RSS (measured in order, 1k then 32k, so the second peak includes the first).
  const tg = buildTextGraph(c);
  const tw = initParams(tg.scope, 1);
  const text = await Session.create(serializeGraph({ outputs: { tokens: tg.tokens, pooled: tg.pooled }, paramMode: 'initializers', weights: (n) => tw.get(n)!.data }), { threads });
  const tr = textRope(c.text);
  const dht = c.text.width / c.text.heads;
  for (const n of [1024, 32768]) {
    const p = padPrompt(Array.from({ length: n }, (_, i) => 4 + (i % 200)), c.text.window, 0);
    const feeds = {
      text_ids: new HostTensor('int64', [1, p.length], p.ids),
      text_keep: HostTensor.f32(p.keep, [1, p.length]),
      text_rope_cos: HostTensor.f32(tr.cos, [c.text.window, dht]),
      text_rope_sin: HostTensor.f32(tr.sin, [c.text.window, dht]),
    };
    const before = rssMb();
    const ms = await timeRuns(() => text.run(feeds), 2);
    out[`text_ms_${n}`] = +ms.toFixed(1);
    out[`text_peak_rss_mb_${n}`] = rssMb();
    console.log(`text encoder ${String(n).padStart(6)} tokens  ${ms.toFixed(1).padStart(8)} ms   peak RSS ${rssMb()} MB (was ${before})`);
  }
  await text.release();

  // Denoiser forward per sampling step (one image, no guidance batch).
  const den = await denoiserStepTimer(c, threads, rng);
  for (const side of [256, 1024]) {
    const ms = await den.stepMs(side, side === 256 ? 5 : 2);
    out[`denoiser_ms_${side}`] = +ms.toFixed(1);
    console.log(`denoiser forward ${side}x${side} (${(side / c.patchSize) ** 2} tokens)  ${ms.toFixed(1).padStart(8)} ms/step`);
  }
  await den.release();

  // Training throughput (one-run steps on random data of the right shapes).
  const B = 8;
  const K = c.text.resamplerTokens;
  const dh = c.width / c.heads;
  const P = c.patchSize * c.patchSize * 3;
  const g = buildTrainingGraph(c, B);
  const compiled = compileTrainStep({ loss: g.loss, params: g.scope.params(), optimizer: DEFAULT_ADAMW });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(g.scope, 1)), { threads });
  // 128² at one text window and at three (192 tokens, a long description): a batch pays for its
  // longest prompt, which is why the data stream keeps long descriptions in batches of their own.
  // The cases take turns, one step each, and each reports its median: on a shared machine the
  // ratios between them hold even when the absolute times drift.
  const w = c.text.window;
  const cases = ([[128, w], [128, 3 * w], [256, w]] as const).map(([side, L]) => {
    const grid = { rows: side / c.patchSize, cols: side / c.patchSize };
    const N = grid.rows * grid.cols;
    const batch = {
      image: HostTensor.f32(rng.fillNormal(new Float32Array(B * N * P)), [B, N, P]),
      velocity: HostTensor.f32(rng.fillNormal(new Float32Array(B * N * P)), [B, N, P]),
      mask: HostTensor.zeros([B, N, c.patchSize * c.patchSize]),
      loss_mask: HostTensor.f32(new Float32Array(B * N).fill(1), [B, N]),
      ...layoutFeeds(c, [{ grid, segment: 0 }]),
      t: HostTensor.f32(new Float32Array(B).fill(0.5), [B]),
      text_ids: HostTensor.i64(new Array(B * L).fill(5), [B, L]),
      text_keep: HostTensor.f32(new Float32Array(B * L).fill(1), [B, L]),
      text_rope_cos: HostTensor.f32(tr.cos, [w, dht]),
      text_rope_sin: HostTensor.f32(tr.sin, [w, dht]),
    };
    return { side, L, batch, ms: [] as number[] };
  });
  for (const k of cases) await stepper.run(k.batch, 1e-4); // warm-up
  for (let r = 0; r < 5; r++) {
    for (const k of cases) {
      const t0 = performance.now();
      await stepper.run(k.batch, 1e-4);
      k.ms.push(performance.now() - t0);
    }
  }
  for (const { side, L, ms } of cases) {
    const median = ms.sort((x, y) => x - y)[Math.floor(ms.length / 2)]!;
    const sps = (B * 1000) / median;
    out[`train_samples_per_s_${side}${L === w ? '' : `_text${L}`}`] = +sps.toFixed(2);
    console.log(`training ${side}x${side}, batch ${B}, ${L} text tokens  ${median.toFixed(0).padStart(8)} ms/step  ${sps.toFixed(1)} samples/s`);
  }
  await stepper.release();
  console.log(JSON.stringify(out));
}
