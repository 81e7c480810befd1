// Memorisation run: train a model on a handful of fixed scenes, then sample each from noise with
// its caption and measure how closely it comes back (PSNR). The overfit test uses it to show the
// model, loss and sampler fit together; `npm run bench -- prediction` uses it to compare x- and
// v-prediction and timestep distributions on equal terms.
import { composeScene } from '../data/compose.ts';
import type { TextToImageSample } from '../data/stream.ts';
import { DEFAULT_ADAMW, type HostTensor, Rng, TrainStep, compileTrainStep, initialTrainState } from '../engine/index.ts';
import { sampleEuler, samplingSchedule, toVelocity } from '../flow/index.ts';
import { psnrOutside } from '../image/index.ts';
import type { ModelConfig } from '../model/config.ts';
import { buildTrainingGraph } from '../model/graphs.ts';
import { patchify, unpatchify } from '../model/layout.ts';
import { ModelRunner } from '../model/runner.ts';
import { initParams } from '../nn/index.ts';
import { makeBatch } from './batch.ts';
import { trainRunTokenizer } from './tokenizer.ts';

export interface MemoriseOptions {
  model: ModelConfig;
  scenes: number;
  /** Square image side in pixels. */
  size: number;
  steps: number;
  lr: number;
  /** Logit-normal timestep sampling for training. */
  timeMean: number;
  timeStd: number;
  /** Euler steps when sampling each scene back. */
  sampleSteps?: number;
  seed?: number;
}

export interface MemoriseResult {
  losses: number[];
  /** Per scene: PSNR (dB) of the sample drawn with its caption against the scene itself. */
  psnr: number[];
}

export async function memoriseScenes(o: MemoriseOptions): Promise<MemoriseResult> {
  const seed = o.seed ?? 1;
  const { model, size } = o;
  const tokenizer = trainRunTokenizer(seed, model.text.vocabSize, 60, 20);
  const samples: TextToImageSample[] = Array.from({ length: o.scenes }, (_, i) => {
    const c = composeScene(500 + i, { width: size, height: size, split: 'train' });
    return { kind: 't2i', image: c.image, caption: c.captions.short, scene: c.scene, index: i };
  });
  const graph = buildTrainingGraph(model, samples.length);
  const compiled = compileTrainStep({ loss: graph.loss, params: graph.scope.params(), optimizer: { ...DEFAULT_ADAMW, weightDecay: 0 } });
  const stepper = await TrainStep.create(compiled, initialTrainState(initParams(graph.scope, seed + 2)));
  const rng = new Rng(seed + 4);
  const losses: number[] = [];
  let weights: Map<string, HostTensor>;
  try {
    for (let s = 0; s < o.steps; s++) {
      const feeds = makeBatch(samples, rng, { model, tokenizer, maxTextTokens: 64, timeMean: o.timeMean, timeStd: o.timeStd, textDrop: 0, maskFraction: 0, dropImage: false });
      // Short warmup, then a lower rate for the last 30% to settle.
      const lr = o.lr * Math.min(1, (s + 1) / 20) * (s > o.steps * 0.7 ? 0.3 : 1);
      losses.push((await stepper.run(feeds, lr)).loss);
    }
    weights = stepper.state().params;
  } finally {
    await stepper.release();
  }

  const runner = await ModelRunner.create({ dir: 'memory', config: model, info: { id: 'memorise', version: '0' }, weights, tokenizer });
  const side = size / model.patchSize;
  const grid = { rows: side, cols: side };
  const scores: number[] = [];
  try {
    for (const [i, s] of samples.entries()) {
      const cond = await runner.encode([s.caption]);
      const noise = new Rng(seed * 1000 + 100 + i).fillNormal(new Float32Array(patchify(s.image, model.patchSize).length));
      let last: Float32Array = noise;
      const denoise = async (xt: Float32Array, t: number) => toVelocity((await runner.predict({ noisy: [xt], t, grid, cond }))[0]!, xt, t, model.prediction);
      await sampleEuler(noise, samplingSchedule(o.sampleSteps ?? 20), denoise, {
        onStep: (e) => {
          last = e.predictedData;
        },
      });
      scores.push(psnrOutside(unpatchify(last, size, size, model.patchSize), s.image).psnr);
    }
  } finally {
    await runner.release();
  }
  return { losses, psnr: scores };
}
