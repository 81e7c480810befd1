// The flow-matching training loss, as graph ops: the model's output turned into a velocity
// (directly for v-prediction; (x_t − x̂)/max(t, T_MIN) for x-prediction, as "Back to Basics"
// takes it) and its squared error against the target velocity, averaged over the tokens that
// count. The same clamp as the array-side path (path.ts), so the two cannot drift apart.
import { type Tensor, ops as o } from '../engine/index.ts';
import { DEFAULT_T_MIN, type PredictionKind } from './path.ts';

export interface FlowLossInputs {
  prediction: PredictionKind;
  /** [B, N, P] the noisy tokens x_t the model was given. */
  noisy: Tensor;
  /** [B, N, P] the model's output: x̂ for 'x', v̂ for 'v'. */
  output: Tensor;
  /** [B] the timestep of each sample. */
  t: Tensor;
  /** [B, N, P] the target velocity (ε − x0; for 'x' below T_MIN, the clamped form: see train/batch.ts). */
  velocity: Tensor;
  /** [B, N] 1 on tokens that count (target tokens), 0 elsewhere (source tokens, padding). */
  lossMask: Tensor;
  /** For 'x': the clamp on t in the implied velocity (default DEFAULT_T_MIN); the batch's target must use the same. */
  tMin?: number;
}

/** The velocity the model's output implies, [B, N, P]. */
export function impliedVelocity(prediction: PredictionKind, noisy: Tensor, output: Tensor, t: Tensor, tMin = DEFAULT_T_MIN): Tensor {
  if (prediction === 'v') return output;
  const batch = noisy.shape[0]!;
  return o.div(o.sub(noisy, output), o.reshape(o.maximum(t, tMin), [batch, 1, 1]));
}

/** Mean squared velocity error per token, averaged over the tokens the mask keeps (a scalar). */
export function flowMatchingLoss(x: FlowLossInputs): Tensor {
  const diff = o.sub(impliedVelocity(x.prediction, x.noisy, x.output, x.t, x.tMin), x.velocity);
  const perToken = o.mean(o.mul(diff, diff), [-1]);
  return o.div(o.sum(o.mul(perToken, x.lossMask)), o.maximum(o.sum(x.lossMask), 1));
}
