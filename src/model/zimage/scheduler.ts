// The Z-Image pipeline's schedule on top of the shared flow-match scheduler
// (../diffusers/flow-match.ts): base sigmas torch.linspace(1, 1/n, n) in float32, mu from the
// linear calculate_shift between the scheduler config's (base_image_seq_len, base_shift) and
// (max_image_seq_len, max_shift) — used only when the config turns dynamic shifting on;
// Z-Image-Turbo's turns it off and shifts by a fixed 3 — then a final 0. The transformer is handed
// 1 − σ (the pipeline's (1000 − timestep)/1000), and its output is the negative velocity.
import { type Schedule, type SchedulerConfig, shiftedSchedule } from '../diffusers/flow-match.ts';

const f = Math.fround;

/** calculate_shift: mu on the line through (baseImageSeqLen, baseShift) and (maxImageSeqLen, maxShift), in float64. */
export function calculateShift(imageSeqLen: number, cfg: SchedulerConfig): number {
  const m = (cfg.maxShift - cfg.baseShift) / (cfg.maxImageSeqLen - cfg.baseImageSeqLen);
  const b = cfg.baseShift - m * cfg.baseImageSeqLen;
  return imageSeqLen * m + b;
}

/** torch.linspace(1, 1/n, n) in float32: a float32 step, the first half counted up from 1, the second down from 1/n. */
export function linspaceF32(steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 1) {
    out[0] = 1;
    return out;
  }
  const end = f(1 / steps);
  const step = f(f(end - 1) / (steps - 1));
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = i < half ? f(1 + f(step * i)) : f(end - f(step * (steps - i - 1)));
  return out;
}

/** Sigmas and timesteps for `steps` Euler steps on an image of `imageSeqLen` patch tokens. */
export function zimageSchedule(cfg: SchedulerConfig, steps: number, imageSeqLen: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`scheduler: steps must be a positive integer, got ${steps}`);
  return shiftedSchedule(cfg, linspaceF32(steps), calculateShift(imageSeqLen, cfg));
}

/** What the transformer is given for a step's timestep: (1000 − timestep) / 1000 in float32. */
export function transformerTime(timestep: number): number {
  return f(f(1000 - timestep) / 1000);
}
