// The straight (rectified-flow) path between data and noise, and conversions between what a
// model predicts and the velocity the samplers integrate.
//   x_t = (1 − t)·x0 + t·ε,  t ∈ [0, 1],  t = 1 noise, t = 0 data,
//   v   = dx_t/dt = ε − x0.
// Given x_t and t, any one of {x0, ε, v} determines the others, so a model may predict v or
// x0 ('x') and the rest follows: x0 = x_t − t·v, v = (x_t − x0)/t.
import { checkFinite, checkSameLength, checkUnitInterval } from './check.ts';

/** What a model's output means: the velocity ε − x0, or the clean data x0. */
export type PredictionKind = 'v' | 'x';

/**
 * Floor on t when turning an x-prediction into a velocity. (x_t − x̂)/t multiplies the
 * model's error in x̂ by 1/t, which blows up as t → 0; dividing by max(t, tMin) caps the
 * amplification at 1/tMin (20× for 0.05). Below tMin the velocity is shrunk by t/tMin, so
 * a sampler step that ends at 0 from t < tMin lands a fraction (1 − t/tMin) short of x̂;
 * use the step's predicted data (x̂) as the final image in that case, or keep tMin below the
 * last nonzero schedule time.
 */
export const DEFAULT_T_MIN = 0.05;

/** x_t = (1 − t)·x0 + t·ε. */
export function noisyAt(x0: Float32Array, eps: Float32Array, t: number): Float32Array {
  checkSameLength('x0', x0, 'eps', eps);
  checkUnitInterval('t', t);
  const out = new Float32Array(x0.length);
  const a = 1 - t;
  // Same lengths (checked above), so every read is in range.
  for (let i = 0; i < out.length; i++) out[i] = a * x0[i]! + t * eps[i]!;
  return out;
}

/** The training target for v-prediction: v = ε − x0 (independent of t on the straight path). */
export function velocityTarget(x0: Float32Array, eps: Float32Array): Float32Array {
  checkSameLength('x0', x0, 'eps', eps);
  const out = new Float32Array(x0.length);
  // Same lengths (checked above), so every read is in range.
  for (let i = 0; i < out.length; i++) out[i] = eps[i]! - x0[i]!;
  return out;
}

/** The regression target for a model of the given kind: ε − x0 for 'v', x0 itself for 'x'. */
export function predictionTarget(x0: Float32Array, eps: Float32Array, kind: PredictionKind): Float32Array {
  checkKind(kind);
  if (kind === 'v') return velocityTarget(x0, eps);
  checkSameLength('x0', x0, 'eps', eps);
  return x0;
}

/**
 * The velocity implied by a model output `pred` at (xt, t). For 'v' the output is returned
 * as is (same array, not copied). For 'x' it is (xt − pred) / max(t, tMin); see DEFAULT_T_MIN.
 */
export function toVelocity(
  pred: Float32Array,
  xt: Float32Array,
  t: number,
  kind: PredictionKind,
  tMin = DEFAULT_T_MIN,
): Float32Array {
  checkKind(kind);
  checkSameLength('pred', pred, 'xt', xt);
  checkUnitInterval('t', t);
  if (kind === 'v') return pred;
  if (!(tMin > 0 && tMin <= 1)) throw new RangeError(`tMin must be in (0, 1], got ${tMin}`);
  const inv = 1 / Math.max(t, tMin);
  const out = new Float32Array(xt.length);
  // Same lengths (checked above), so every read is in range.
  for (let i = 0; i < out.length; i++) out[i] = (xt[i]! - pred[i]!) * inv;
  return out;
}

/**
 * The clean-data estimate x̂0 implied by a model output `pred` at (xt, t). For 'x' the output
 * is returned as is (same array); for 'v' it is xt − t·pred.
 */
export function toData(pred: Float32Array, xt: Float32Array, t: number, kind: PredictionKind): Float32Array {
  checkKind(kind);
  checkSameLength('pred', pred, 'xt', xt);
  checkUnitInterval('t', t);
  if (kind === 'x') return pred;
  return dataFromVelocity(xt, t, pred);
}

/** x̂0 = xt − t·v. Lengths are not checked (the `!` below relies on it): callers (the samplers) have already done so. */
export function dataFromVelocity(xt: Float32Array, t: number, v: Float32Array): Float32Array {
  checkFinite('t', t);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < out.length; i++) out[i] = xt[i]! - t * v[i]!;
  return out;
}

function checkKind(kind: string): void {
  if (kind !== 'v' && kind !== 'x') throw new RangeError(`kind must be 'v' or 'x', got ${JSON.stringify(kind)}`);
}
