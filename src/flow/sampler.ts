// ODE samplers for the probability-flow ODE dx/dt = v(x, t), integrated from the first
// schedule time (normally t = 1, pure noise) down to the last (normally t = 0, data).
// They know nothing about models: a Denoiser is any async function giving a velocity.
import { at } from '../at.ts';
import { checkSameLength } from './check.ts';
import { dataFromVelocity, DEFAULT_T_MIN, toVelocity, type PredictionKind } from './path.ts';

/** The velocity v(x_t, t) = d x_t / dt, in the path convention of path.ts. */
export type Denoiser = (xt: Float32Array, t: number) => Promise<Float32Array>;

export interface StepInfo {
  /** 0-based index of the step just completed. */
  step: number;
  /** Total number of steps (schedule.length − 1). */
  steps: number;
  /** The time reached by this step. */
  t: number;
  /** The state x_t after this step: a new array each step, which may be kept but must not be modified. */
  x: Float32Array;
  /**
   * Current estimate of the clean image, x̂0 = x_t − t·v with v the latest velocity evaluation,
   * for streaming previews. For Euler this is exactly the model's own x̂0 at the step's start
   * time; at t = 0 it equals x.
   */
  predictedData: Float32Array;
}

export interface SampleOptions {
  /** Called after each step; may be async (the sampler waits). An error it throws ends sampling. */
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Checked before every model evaluation; when aborted, sampling throws an AbortError. */
  signal?: AbortSignal;
}

/** Thrown when sampling is cancelled through `SampleOptions.signal`. `name` is 'AbortError' as for fetch. */
export class SamplingAbortedError extends Error {
  override name = 'AbortError';
  constructor(step: number, steps: number, options?: { cause?: unknown }) {
    super(`sampling aborted before step ${step + 1} of ${steps}`, options);
  }
}

/** First-order Euler: x ← x + (t_next − t)·v(x, t). One model evaluation per step. */
export function sampleEuler(
  noise: Float32Array,
  schedule: ArrayLike<number>,
  denoise: Denoiser,
  options: SampleOptions = {},
): Promise<Float32Array> {
  return integrate(noise, schedule, denoise, options, false);
}

/**
 * Heun's second-order method (the trapezoidal predictor–corrector): an Euler predictor to
 * t_next, a second evaluation there, and the step taken with the mean of both velocities.
 * Two evaluations per step, except a step that ends at t = 0, which stays Euler: the model
 * is not evaluated at pure data (x-prediction's velocity is undefined there) and the saved
 * evaluation is worth more than the last step's accuracy. Global error stays O(h²) because
 * only one step is first order.
 */
export function sampleHeun(
  noise: Float32Array,
  schedule: ArrayLike<number>,
  denoise: Denoiser,
  options: SampleOptions = {},
): Promise<Float32Array> {
  return integrate(noise, schedule, denoise, options, true);
}

/**
 * A Denoiser from a model that outputs velocity or clean data, converting with
 * `toVelocity` (x-predictions divide by max(t, tMin)).
 */
export function asDenoiser(
  predict: (xt: Float32Array, t: number) => Promise<Float32Array>,
  kind: PredictionKind,
  tMin = DEFAULT_T_MIN,
): Denoiser {
  return async (xt, t) => toVelocity(await predict(xt, t), xt, t, kind, tMin);
}

function checkSchedule(schedule: ArrayLike<number>): void {
  if (schedule.length < 2) {
    throw new RangeError(`schedule must have at least 2 times (1 step), got ${schedule.length}`);
  }
  let previous = Infinity;
  for (let i = 0; i < schedule.length; i++) {
    const t = at(schedule, i, 'schedule');
    if (!(t >= 0 && t <= 1)) throw new RangeError(`schedule[${i}] must be in [0, 1], got ${t}`);
    if (!(t < previous)) {
      throw new RangeError(`schedule must be strictly decreasing, but schedule[${i}] = ${t} >= schedule[${i - 1}] = ${previous}`);
    }
    previous = t;
  }
}

async function integrate(
  noise: Float32Array,
  schedule: ArrayLike<number>,
  denoise: Denoiser,
  { onStep, signal }: SampleOptions,
  heun: boolean,
): Promise<Float32Array> {
  checkSchedule(schedule);
  const steps = schedule.length - 1;
  const n = noise.length;
  let x = new Float32Array(noise); // the caller's noise is never modified

  const evaluate = async (xt: Float32Array, t: number, step: number): Promise<Float32Array> => {
    if (signal?.aborted) throw new SamplingAbortedError(step, steps, { cause: signal.reason });
    const v = await denoise(xt, t);
    checkSameLength('velocity returned by the denoiser', v, 'x', xt);
    return v;
  };

  for (let i = 0; i < steps; i++) {
    const t = at(schedule, i, 'schedule');
    const tNext = at(schedule, i + 1, 'schedule');
    const h = tNext - t; // negative: integrating toward data
    const v1 = await evaluate(x, t, i);
    const euler = new Float32Array(n);
    // x, v1 and v2 have the noise's length (checked in evaluate), so every read is in range.
    for (let k = 0; k < n; k++) euler[k] = x[k]! + h * v1[k]!;

    let latestV = v1;
    if (heun && tNext > 0) {
      const v2 = await evaluate(euler, tNext, i);
      const corrected = new Float32Array(n);
      for (let k = 0; k < n; k++) corrected[k] = x[k]! + 0.5 * h * (v1[k]! + v2[k]!);
      x = corrected;
      latestV = v2;
    } else {
      x = euler;
    }
    if (onStep) {
      await onStep({ step: i, steps, t: tNext, x, predictedData: dataFromVelocity(x, tNext, latestV) });
    }
  }
  return x;
}
