// The three graphs built from one model definition, sharing parameter names:
// - training: text encoder + denoiser + flow-matching loss (one train step with the optimizer),
// - text: prompt → conditioning tokens + pooled vector (run once per prompt),
// - denoiser: one sampling step's model evaluation given the conditioning.
import { type Tensor, ops as o } from '../engine/index.ts';
import { DEFAULT_T_MIN, flowMatchingLoss } from '../flow/index.ts';
import { Scope } from '../nn/index.ts';
import type { ModelConfig } from './config.ts';
import { type DenoiserInputs, denoise, denoiserInputs } from './denoiser.ts';
import { type TextGraphInputs, encodeText, textGraphInputs } from './text-encoder.ts';

/**
 * Kept for modules that still import the clamp from here; its home is flow's DEFAULT_T_MIN
 * (the loss, the batch targets and the samplers all read that one).
 * @deprecated import DEFAULT_T_MIN from src/flow.
 */
export const T_MIN = DEFAULT_T_MIN;

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

export function buildTrainingGraph(c: ModelConfig, batch: number): TrainingGraph {
  const scope = Scope.root();
  const text = textGraphInputs(c.text, batch, 'L');
  const den = denoiserInputs(c, batch, 'N');
  const enc = encodeText(scope.child('text'), c.text, text);
  const pred = denoise(scope.child('denoiser'), c, den, enc);
  const P = c.patchSize * c.patchSize * 3;
  const velocity = o.input('velocity', [batch, 'N', P]);
  const lossMask = o.input('loss_mask', [batch, 'N']);
  const loss = flowMatchingLoss({ prediction: c.prediction, noisy: den.image, output: pred, t: den.t, velocity, lossMask });
  return { scope, loss, text, denoiser: den, velocity, lossMask };
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
