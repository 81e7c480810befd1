// The flow-match Euler schedule of a diffusers folder (`scheduler/scheduler_config.json`,
// FlowMatchEulerDiscreteScheduler) given the base sigmas a pipeline passes to it: each pipeline
// picks its own base sigmas and mu (klein: float64 linspace and an empirical mu; Z-Image: float32
// linspace and the linear calculate_shift), the scheduler shifts them — by mu when dynamic shifting
// is on, else by the config's fixed shift — and appends a final 0. Arithmetic follows the
// reference's dtypes (sigmas are float32 numpy arrays there, Python scalars weak) so values agree
// to the bit or within one float32 rounding.
import { DiffusersFormatError } from './errors.ts';
import { configFields } from './config-fields.ts';

export interface SchedulerConfig {
  numTrainTimesteps: number;
  /** Resolution-dependent shift from mu. */
  useDynamicShifting: boolean;
  timeShiftType: 'exponential' | 'linear';
  /** The fixed shift when dynamic shifting is off. */
  shift: number;
  /** calculate_shift's line through (baseImageSeqLen, baseShift) and (maxImageSeqLen, maxShift). */
  baseShift: number;
  maxShift: number;
  baseImageSeqLen: number;
  maxImageSeqLen: number;
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
    throw new DiffusersFormatError(`${file}: _class_name is '${String(json._class_name)}', expected FlowMatchEulerDiscreteScheduler`);
  }
  for (const [key, bad] of UNSUPPORTED) {
    if (bad(json[key])) throw new DiffusersFormatError(`${file}: ${key} = ${JSON.stringify(json[key])} is not supported (flowpaint implements plain flow-match Euler)`);
  }
  const kind = json.time_shift_type ?? 'exponential';
  if (kind !== 'exponential' && kind !== 'linear') throw new DiffusersFormatError(`${file}: time_shift_type '${String(kind)}' is not exponential or linear`);
  // diffusers writes null for unset optional fields; the scheduler then uses its default.
  const num = configFields(json, file).finite;
  const cfg: SchedulerConfig = {
    numTrainTimesteps: num('num_train_timesteps', 1000),
    useDynamicShifting: json.use_dynamic_shifting === true,
    timeShiftType: kind,
    shift: num('shift', 1),
    baseShift: num('base_shift', 0.5),
    maxShift: num('max_shift', 1.15),
    baseImageSeqLen: num('base_image_seq_len', 256),
    maxImageSeqLen: num('max_image_seq_len', 4096),
  };
  if (cfg.maxImageSeqLen === cfg.baseImageSeqLen) throw new DiffusersFormatError(`${file}: base_image_seq_len and max_image_seq_len are both ${cfg.baseImageSeqLen}`);
  return cfg;
}

export interface Schedule {
  /** steps + 1 noise levels, from about 1 (pure noise) down to the final 0. */
  sigmas: Float32Array;
  /** sigma × numTrainTimesteps for each step (what diffusers calls timesteps). */
  timesteps: Float32Array;
  mu: number;
}

const f = Math.fround;

/** set_timesteps(sigmas=base, mu=mu): the base sigmas (float32) shifted, timesteps, and the final 0. */
export function shiftedSchedule(cfg: SchedulerConfig, base: Float32Array, mu: number): Schedule {
  const steps = base.length;
  if (steps < 1) throw new Error('scheduler: at least one sigma is needed');
  const sigmas = new Float32Array(steps + 1);
  const timesteps = new Float32Array(steps);
  const emu = f(Math.exp(mu));
  for (let i = 0; i < steps; i++) {
    const s = base[i]!;
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

/** The clean latents a flow-matching velocity points at, x − σ·v, as a new array (step previews). */
export function cleanEstimate(x: Float32Array, velocity: Float32Array, sigma: number): Float32Array {
  return x.map((xi, k) => xi - sigma * velocity[k]!);
}
