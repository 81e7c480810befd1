// The three graphs built from one model definition, sharing parameter names:
// - training: text encoder + denoiser + flow-matching loss, and optionally the layout loss (one
//   train step with the optimizer),
// - text: prompt → conditioning tokens + pooled vector (run once per prompt),
// - denoiser: one sampling step's model evaluation given the conditioning.
import { type Tensor, ops as o } from '../engine/index.ts';
import { flowMatchingLoss } from '../flow/index.ts';
import { Scope, layerNorm, linear } from '../nn/index.ts';
import type { ModelConfig } from './config.ts';
import { type DenoiserInputs, denoise, denoiserInputs, targetTokens } from './denoiser.ts';
import { type TextEncoding, type TextGraphInputs, encodeText, textGraphInputs } from './text-encoder.ts';

export interface TrainingGraph {
  scope: Scope;
  loss: Tensor;
  text: TextGraphInputs;
  denoiser: DenoiserInputs;
  /** [B, N, P] flow velocity target (see makeBatch: ε − x0, clamped below DEFAULT_T_MIN for x-prediction; source tokens are masked out). */
  velocity: Tensor;
  /** [B, N] 1 on tokens that count in the loss (target tokens), 0 elsewhere. */
  lossMask: Tensor;
}

export interface LayoutLoss {
  /** Weight of the layout head's cross-entropy beside the flow loss. */
  weight: number;
  /** Label counts: classes and colours (train/layout-labels.ts). */
  classes: number;
  colors: number;
}

/** The block whose image tokens the layout head reads: the middle of the stack. */
export function layoutTapBlock(c: ModelConfig): number {
  return Math.max(0, Math.floor(c.depth / 2) - 1);
}

/**
 * Training graph. With `layout`, a linear head on the middle block's image tokens predicts each
 * token's object class and colour (inputs layout_class, layout_color: one-hot [B, N, C];
 * layout_mask: [B, N]) and its cross-entropy joins the loss. The head lives outside the denoiser's
 * scope: the inference graphs never build it. `lossTMin`: the x-prediction loss's clamp on t
 * (TrainConfig.lossTMin; the batch's velocity target must be made with the same).
 */
export function buildTrainingGraph(c: ModelConfig, batch: number, layout?: LayoutLoss, lossTMin?: number): TrainingGraph {
  const scope = Scope.root();
  const text = textGraphInputs(c.text, batch, 'L');
  // The self-conditioning estimate is made inside the graph, not fed (see selfConditionEstimate).
  const { selfCond: _fedAtInference, ...den } = denoiserInputs(c, batch, 'N');
  const enc = encodeText(scope.child('text'), c.text, text);
  let tapped: Tensor | undefined;
  const tap = layoutTapBlock(c);
  const selfCond = c.selfCondition ? selfConditionEstimate(scope, c, den, enc, batch) : undefined;
  const pred = denoise(scope.child('denoiser'), c, { ...den, selfCond }, enc, layout ? { onBlock: (i, img) => { if (i === tap) tapped = img; } } : {});
  const P = c.patchSize * c.patchSize * 3;
  const velocity = o.input('velocity', [batch, 'N', P]);
  const lossMask = o.input('loss_mask', [batch, 'N']);
  let loss = flowMatchingLoss({ prediction: c.prediction, noisy: den.image, output: pred, t: den.t, velocity, lossMask, tMin: lossTMin });
  if (layout && tapped) loss = o.add(loss, o.mul(layoutCrossEntropy(scope.child('layout_head'), tapped, batch, layout), layout.weight));
  return { scope, loss, text, denoiser: den, velocity, lossMask };
}

/**
 * ModelConfig.selfCondition in training: a first pass of the same denoiser without an estimate
 * gives the clean-image estimate x̂ (velocity models: x_t − t·v), held constant for autodiff, kept
 * on the target tokens only and for the samples whose `self_cond_keep` [B] is 1 (the batch draws
 * half of them): the other half learn to draw with no estimate, as the first sampling step must.
 */
function selfConditionEstimate(scope: Scope, c: ModelConfig, den: DenoiserInputs, enc: TextEncoding, batch: number): Tensor {
  const first = denoise(scope.child('denoiser'), c, den, enc);
  const t = o.reshape(den.t, [batch, 1, 1]);
  const estimate = c.prediction === 'x' ? first : o.sub(den.image, o.mul(t, first));
  const keep = o.reshape(o.input('self_cond_keep', [batch]), [batch, 1, 1]);
  return o.mul(o.stopGradient(estimate), o.mul(targetTokens(den.segment), keep));
}

function layoutCrossEntropy(s: Scope, img: Tensor, batch: number, layout: LayoutLoss): Tensor {
  const mask = o.input('layout_mask', [batch, 'N']);
  const h = layerNorm(s.child('ln'), img, { affine: false });
  const term = (name: string, count: number) => {
    const target = o.input(`layout_${name}`, [batch, 'N', count]);
    const logp = o.logSoftmax(linear(s.child(name), h, count));
    return o.neg(o.sum(o.mul(target, logp), [-1])); // [B, N]
  };
  const perToken = o.add(term('class', layout.classes), term('color', layout.colors));
  return o.div(o.sum(o.mul(perToken, mask)), o.maximum(o.sum(mask), 1));
}

export interface TextGraph {
  scope: Scope;
  inputs: TextGraphInputs;
  tokens: Tensor;
  pooled: Tensor;
}

export function buildTextGraph(c: ModelConfig): TextGraph {
  const scope = Scope.root();
  const inputs = textGraphInputs(c.text, 'B', 'L');
  const enc = encodeText(scope.child('text'), c.text, inputs);
  return { scope, inputs, tokens: enc.tokens, pooled: enc.pooled };
}

export interface DenoiserGraph {
  scope: Scope;
  inputs: DenoiserInputs;
  condTokens: Tensor;
  condPooled: Tensor;
  /** [B, N, P] what the model predicts (x or v, per config). */
  prediction: Tensor;
}

export function buildDenoiserGraph(c: ModelConfig): DenoiserGraph {
  const scope = Scope.root();
  const inputs = denoiserInputs(c, 'B', 'N');
  const condTokens = o.input('cond_tokens', ['B', c.text.resamplerTokens, c.text.width]);
  const condPooled = o.input('cond_pooled', ['B', c.text.width]);
  const prediction = denoise(scope.child('denoiser'), c, inputs, { tokens: condTokens, pooled: condPooled }, { fusedAttention: true });
  return { scope, inputs, condTokens, condPooled, prediction };
}
