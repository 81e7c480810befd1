// Timesteps for training and sampling. Conventions: t = 1 is pure noise, t = 0 is data.
import type { Rng } from '../engine/index.ts';
import { checkFinite, checkPositive, checkUnitInterval } from './check.ts';

/** The part of the engine's `Rng` the flow code draws from. */
export type FlowRng = Pick<Rng, 'uniform' | 'normal'>;

export interface LogitNormalOptions {
  /** Mean of the underlying normal; the median of t is sigmoid(mean). Default 0 (median 0.5). */
  mean?: number;
  /** Standard deviation of the underlying normal. Default 1. */
  std?: number;
}

// Float32 can represent 1 − 2^-24 but sigmoid(z) rounds to exactly 1 for z ≳ 17 and to
// denormals for z ≲ −87. Keeping t strictly inside (0, 1) matters: t = 0 makes the
// x-prediction conversion divide by zero and t = 1 makes the v-prediction data estimate
// meaningless. The clamp touches only samples beyond ~14 standard deviations at std = 1.
const T_EDGE = 1e-6;

/**
 * n training timesteps t = sigmoid(mean + std·z), z ~ N(0, 1) (SD3's logit-normal sampling).
 * It puts more training on the middle of the path, where the velocity is hardest to predict,
 * and less on the ends, where it is nearly determined by x_t alone.
 */
export function sampleLogitNormal(rng: FlowRng, n: number, options: LogitNormalOptions = {}): Float32Array {
  const { mean = 0, std = 1 } = options;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  checkFinite('mean', mean);
  if (!(std >= 0 && Number.isFinite(std))) throw new RangeError(`std must be a finite number >= 0, got ${std}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = 1 / (1 + Math.exp(-(mean + std * rng.normal())));
    out[i] = Math.min(1 - T_EDGE, Math.max(T_EDGE, t));
  }
  return out;
}

/**
 * SD3's timestep shift: t' = shift·t / (1 + (shift − 1)·t). It maps 0 → 0 and 1 → 1, is
 * monotone, and for shift > 1 moves every interior t toward 1 (more noise). Larger images
 * carry more redundant signal, so at equal t they look less noisy; shifting spends more
 * of the training and sampling budget at high noise, where the global layout is decided.
 * Equivalently it multiplies the noise-to-signal ratio by `shift`:
 * t'/(1 − t') = shift · t/(1 − t). A shift below 1 moves t toward 0.
 */
export function shiftTimestep(t: number, shift: number): number {
  checkPositive('shift', shift);
  checkUnitInterval('t', t);
  if (shift === 1) return t;
  return (shift * t) / (1 + (shift - 1) * t);
}

/** `shiftTimestep` applied to every entry; returns a new array. */
export function shiftTimesteps(ts: Float32Array, shift: number): Float32Array {
  checkPositive('shift', shift);
  return ts.map((t) => shiftTimestep(t, shift));
}

export interface ResolutionShiftOptions {
  /** Token count at (and below) which `baseShift` applies. Default 256 (e.g. 256² px, 16 px per token). */
  baseTokens?: number;
  baseShift?: number;
  /** Token count at (and above) which `maxShift` applies. Default 4096 (about 1 MP at 16 px per token). */
  maxTokens?: number;
  maxShift?: number;
}

/**
 * The timestep shift for an image of `numImageTokens` tokens.
 *
 * Rule: log(shift) is linear in log(tokens) between (baseTokens, baseShift) and
 * (maxTokens, maxShift), clamped outside that range; i.e. a power law
 * shift = baseShift · (tokens / baseTokens)^k with k = log(maxShift/baseShift) / log(maxTokens/baseTokens).
 *
 * Why this form: SD3's argument for the shift is that an image with n times as many pixels
 * (at the same content) needs its noise-to-signal ratio scaled by about √n to look equally
 * noisy, a power law in the pixel ratio. A power law is scale-free: doubling the token count
 * multiplies the shift by the same factor whether going 256 → 512 or 2048 → 4096. FLUX's
 * rule (log-shift linear in the token count itself) instead changes the shift very little
 * between small sizes and very much between large ones, and extrapolates without bound.
 * With the defaults (1 at 256 tokens, 3 at 4096) k = log 3 / log 16 ≈ 0.40, a little
 * gentler than SD3's √ (k = 0.5). Clamping keeps tiny test images unshifted and stops
 * panoramas beyond the largest trained size from being pushed to all-noise schedules.
 */
export function resolutionShift(numImageTokens: number, options: ResolutionShiftOptions = {}): number {
  const { baseTokens = 256, baseShift = 1, maxTokens = 4096, maxShift = 3 } = options;
  checkPositive('numImageTokens', numImageTokens);
  checkPositive('baseTokens', baseTokens);
  checkPositive('maxTokens', maxTokens);
  checkPositive('baseShift', baseShift);
  checkPositive('maxShift', maxShift);
  if (!(maxTokens > baseTokens)) {
    throw new RangeError(`maxTokens (${maxTokens}) must be greater than baseTokens (${baseTokens})`);
  }
  if (numImageTokens <= baseTokens) return baseShift;
  if (numImageTokens >= maxTokens) return maxShift;
  const a = Math.log(numImageTokens / baseTokens) / Math.log(maxTokens / baseTokens);
  return Math.exp((1 - a) * Math.log(baseShift) + a * Math.log(maxShift));
}

/**
 * The sampling times for `steps` steps: steps + 1 entries from exactly 1 down to exactly 0,
 * uniform in t before the shift, then shifted (shift > 1 takes smaller steps near t = 1).
 */
export function samplingSchedule(steps: number, shift = 1): Float32Array {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be an integer >= 1, got ${steps}`);
  checkPositive('shift', shift);
  const out = new Float32Array(steps + 1);
  for (let i = 0; i <= steps; i++) out[i] = shiftTimestep(1 - i / steps, shift);
  // 1 − i/steps is exact at both ends, and the shift fixes 0 and 1, but say so explicitly.
  out[0] = 1;
  out[steps] = 0;
  return out;
}
