// The flow-match Euler schedule of a diffusers FLUX.2 [klein] folder (`scheduler/scheduler_config.json`,
// FlowMatchEulerDiscreteScheduler), as the klein pipeline drives it: sigmas linspace(1, 1/n, n),
// shifted by a resolution- and step-dependent mu ("empirical mu", fitted by Black Forest Labs),
// then a final 0. The timestep the transformer sees is sigma (the pipeline divides ×1000 away).
// Arithmetic follows the reference's dtypes (sigmas are float32 there) so values agree to the bit
// or within one float32 rounding.
import { Flux2FormatError } from './errors.ts';

export interface SchedulerConfig {
  numTrainTimesteps: number;
  /** Resolution-dependent shift from mu (klein: true). */
  useDynamicShifting: boolean;
  timeShiftType: 'exponential' | 'linear';
  /** The fixed shift when dynamic shifting is off. */
  shift: number;
}

const UNSUPPORTED: Array<[string, (v: unknown) => boolean]> = [
  ['use_karras_sigmas', (v) => v === true],
  ['use_exponential_sigmas', (v) => v === true],
  ['use_beta_sigmas', (v) => v === true],
  ['invert_sigmas', (v) => v === true],
  ['stochastic_sampling', (v) => v === true],
  ['shift_terminal', (v) => v !== null && v !== undefined && v !== 0],
];

/** Reads scheduler_config.json's fields; options this sampler does not implement are refused by name. */
export function parseSchedulerConfig(json: Record<string, unknown>, file: string): SchedulerConfig {
  if (json._class_name !== undefined && json._class_name !== 'FlowMatchEulerDiscreteScheduler') {
    throw new Flux2FormatError(`${file}: _class_name is '${String(json._class_name)}', expected FlowMatchEulerDiscreteScheduler`);
  }
  for (const [key, bad] of UNSUPPORTED) {
    if (bad(json[key])) throw new Flux2FormatError(`${file}: ${key} = ${JSON.stringify(json[key])} is not supported (flowpaint implements plain flow-match Euler)`);
  }
  const kind = json.time_shift_type ?? 'exponential';
  if (kind !== 'exponential' && kind !== 'linear') throw new Flux2FormatError(`${file}: time_shift_type '${String(kind)}' is not exponential or linear`);
  const num = (key: string, dflt: number) => {
    const v = json[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Flux2FormatError(`${file}: ${key} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    numTrainTimesteps: num('num_train_timesteps', 1000),
    useDynamicShifting: json.use_dynamic_shifting === true,
    timeShiftType: kind,
    shift: num('shift', 1),
  };
}

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

export interface Schedule {
  /** steps + 1 noise levels, from 1 (pure noise) down to the final 0. */
  sigmas: Float32Array;
  /** sigma × numTrainTimesteps for each step (what diffusers calls timesteps). */
  timesteps: Float32Array;
  mu: number;
}

const f = Math.fround;

/** Sigmas and timesteps for `steps` Euler steps on an image of `imageSeqLen` latent tokens. */
export function kleinSchedule(cfg: SchedulerConfig, steps: number, imageSeqLen: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`scheduler: steps must be a positive integer, got ${steps}`);
  const mu = empiricalMu(imageSeqLen, steps);
  const sigmas = new Float32Array(steps + 1);
  const timesteps = new Float32Array(steps);
  const emu = f(Math.exp(mu));
  for (let i = 0; i < steps; i++) {
    // np.linspace(1, 1/n, n) in float64, then stored as float32.
    const s = f(steps === 1 ? 1 : 1 + (i * (1 / steps - 1)) / (steps - 1));
    let shifted: number;
    if (cfg.useDynamicShifting) {
      const r = f(f(1 / s) - 1); // (1/t - 1) ** 1
      shifted = cfg.timeShiftType === 'exponential' ? f(emu / f(emu + r)) : f(f(mu) / f(f(mu) + r));
    } else {
      shifted = f(f(cfg.shift * s) / f(1 + f((cfg.shift - 1) * s)));
    }
    sigmas[i] = shifted;
    timesteps[i] = f(shifted * cfg.numTrainTimesteps);
  }
  sigmas[steps] = 0;
  return { sigmas, timesteps, mu };
}

/** One Euler step of the flow ODE: x + (sigma_next − sigma)·v, in place on `x`. */
export function eulerStep(x: Float32Array, velocity: Float32Array, sigma: number, sigmaNext: number): void {
  if (x.length !== velocity.length) throw new Error(`eulerStep: ${x.length} latent values but ${velocity.length} velocity values`);
  const dt = f(sigmaNext - sigma);
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + dt * velocity[i]!;
}
