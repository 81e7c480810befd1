// The klein pipeline's schedule on top of the shared flow-match scheduler (../diffusers/flow-match.ts):
// base sigmas linspace(1, 1/n, n) (numpy, float64, then float32) shifted by a resolution- and
// step-dependent mu ("empirical mu", fitted by Black Forest Labs), then a final 0. The timestep
// the transformer sees is sigma (the pipeline divides ×1000 away).
import { type Schedule, type SchedulerConfig, shiftedSchedule } from '../diffusers/flow-match.ts';

/**
 * The klein pipeline's mu for an image of `imageSeqLen` latent tokens sampled in `steps` steps: two
 * linear fits in sequence length (for 10 and 200 steps) interpolated linearly in the step count,
 * or the 200-step fit alone past 4,300 tokens. Constants from diffusers' compute_empirical_mu.
 */
export function empiricalMu(imageSeqLen: number, steps: number): number {
  const [a1, b1] = [8.73809524e-5, 1.89833333];
  const [a2, b2] = [0.00016927, 0.45666666];
  if (imageSeqLen > 4300) return a2 * imageSeqLen + b2;
  const m200 = a2 * imageSeqLen + b2;
  const m10 = a1 * imageSeqLen + b1;
  const a = (m200 - m10) / 190;
  const b = m200 - 200 * a;
  return a * steps + b;
}

/** Sigmas and timesteps for `steps` Euler steps on an image of `imageSeqLen` latent tokens. */
export function kleinSchedule(cfg: SchedulerConfig, steps: number, imageSeqLen: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`scheduler: steps must be a positive integer, got ${steps}`);
  const base = new Float32Array(steps);
  // np.linspace(1, 1/n, n) in float64, then stored as float32.
  for (let i = 0; i < steps; i++) base[i] = steps === 1 ? 1 : 1 + (i * (1 / steps - 1)) / (steps - 1);
  return shiftedSchedule(cfg, base, empiricalMu(imageSeqLen, steps));
}
