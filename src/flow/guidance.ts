// Classifier-free guidance as Denoiser wrappers. Each guided velocity is an affine
// combination of conditional velocities whose weights sum to 1, so guiding velocities and
// guiding x-predictions give the same result (the conversion x ↔ v at fixed x_t, t is affine),
// and guidance composes with either prediction kind.
import { at } from '../at.ts';
import { checkFinite, checkSameLength } from './check.ts';
import type { Denoiser } from './sampler.ts';

/**
 * Evaluates several conditions on the same (xt, t) in one call, e.g. as one model batch.
 * `which` lists the conditions needed, in order; return one velocity per entry, same order.
 */
export type BatchedVelocity<C extends string> = (
  xt: Float32Array,
  t: number,
  which: readonly C[],
) => Promise<Float32Array[]>;

export type TextCondition = 'cond' | 'uncond';

export interface TextGuidanceOptions {
  /** Evaluate cond and uncond in one call; used whenever both are needed. */
  batched?: BatchedVelocity<TextCondition>;
  /**
   * Guide only while lo ≤ t ≤ hi; elsewhere the conditional model alone (one pass). Guidance at
   * the noisiest times pulls every seed to the same picture and adds nothing near the end
   * (Kynkäänniemi et al., arXiv 2404.07724). Default: every t.
   */
  interval?: readonly [number, number];
}

/** Whether `interval` is [lo, hi] with 0 ≤ lo ≤ hi ≤ 1 (the noise levels a guidance interval spans). */
export function isGuidanceInterval(interval: readonly number[]): boolean {
  const [lo, hi] = interval;
  return interval.length === 2 && lo !== undefined && hi !== undefined && lo >= 0 && lo <= hi && hi <= 1;
}

/**
 * Text guidance: v = v_u + s·(v_c − v_u). s = 1 is the plain conditional model (the
 * unconditional one is not called); s = 0 is the unconditional model; s > 1 pushes samples
 * toward the prompt at some cost in diversity.
 */
export function textGuidance(
  cond: Denoiser,
  uncond: Denoiser,
  scale: number,
  options: TextGuidanceOptions = {},
): Denoiser {
  checkFinite('scale', scale);
  const guided = combine<TextCondition>({ cond, uncond }, { cond: scale, uncond: 1 - scale }, options.batched);
  const { interval } = options;
  if (!interval) return guided;
  if (!isGuidanceInterval(interval)) throw new RangeError(`guidance interval must satisfy 0 ≤ lo ≤ hi ≤ 1, got [${interval.join(', ')}]`);
  const [lo, hi] = interval;
  return (xt, t) => (t >= lo && t <= hi ? guided(xt, t) : cond(xt, t));
}

/**
 * The three conditionings of an edit model, named by what the model sees besides x_t:
 * - full:      source image and instruction text, v(I, T)
 * - imageOnly: source image, empty text,          v(I, ∅)
 * - none:      neither,                            v(∅, ∅)
 */
export type EditCondition = 'full' | 'imageOnly' | 'none';

export interface EditDenoisers {
  full: Denoiser;
  imageOnly: Denoiser;
  none: Denoiser;
  /** Evaluate the needed conditions in one call; used whenever two or more are needed. */
  batched?: BatchedVelocity<EditCondition>;
}

/**
 * Edit guidance in InstructPix2Pix's form:
 *   v = v(∅,∅) + sI·(v(I,∅) − v(∅,∅)) + sT·(v(I,T) − v(I,∅))
 * imageScale (sI) sets how closely the output follows the source image, textScale (sT) how
 * strongly it follows the instruction. Corners: sT = sI = 1 is `full` alone; sI = 1 leaves
 * `none` uncalled; sT = 0, sI = 1 is `imageOnly` alone; sT = sI = 0 is `none` alone.
 * Written as weights, v = sT·full + (sI − sT)·imageOnly + (1 − sI)·none, and a condition
 * whose weight is exactly 0 is never evaluated.
 */
export function editGuidance(denoisers: EditDenoisers, textScale: number, imageScale: number): Denoiser {
  checkFinite('textScale', textScale);
  checkFinite('imageScale', imageScale);
  const { full, imageOnly, none, batched } = denoisers;
  return combine<EditCondition>(
    { full, imageOnly, none },
    { full: textScale, imageOnly: imageScale - textScale, none: 1 - imageScale },
    batched,
  );
}

// v = Σ weight[c]·v_c over the conditions with nonzero weight.
function combine<C extends string>(
  fns: Record<C, Denoiser>,
  weights: Record<C, number>,
  batched: BatchedVelocity<C> | undefined,
): Denoiser {
  for (const c of Object.keys(fns) as C[]) {
    if (typeof fns[c] !== 'function') throw new TypeError(`guidance: '${c}' must be a function`);
  }
  const needed = (Object.keys(weights) as C[]).filter((c) => weights[c] !== 0);
  return async (xt, t) => {
    let vs: Float32Array[];
    if (batched && needed.length > 1) {
      vs = await batched(xt, t, needed);
      if (vs.length !== needed.length) {
        throw new RangeError(`guidance: batched returned ${vs.length} velocities for ${needed.length} conditions (${needed.join(', ')})`);
      }
    } else {
      vs = await Promise.all(needed.map((c) => fns[c](xt, t)));
    }
    const velocities = needed.map((c, j) => {
      const v = at(vs, j, 'guidance velocities');
      checkSameLength(`velocity for '${c}'`, v, 'xt', xt);
      return { v, w: weights[c] };
    });
    // A single condition with weight 1 is passed through untouched (no copy, no rounding).
    const [only] = velocities;
    if (only && velocities.length === 1 && only.w === 1) return only.v;
    const out = new Float32Array(xt.length);
    for (const { v, w } of velocities) {
      // v and out have xt's length (checked above), so every read is in range.
      for (let i = 0; i < out.length; i++) out[i]! += w * v[i]!;
    }
    return out;
  };
}
