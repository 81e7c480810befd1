// Closed-form gradients for composites. Layer norm and RMS norm are built from primitives (so
// every backend runs them and ONNX Runtime fuses their forward pass), but differentiating
// through those primitives emits ~14 full-size elementwise ops per layer norm where the closed
// form needs 5. A builder attaches the closed form to the composite's output; autodiff
// (`grad`) uses it in place of the primitives' rules for the gradient that flows through that
// output. It lives apart from autodiff.ts so that ops.ts can attach rules without importing
// the autodiff (which imports ops.ts).
import type { Tensor } from './tensor.ts';

export interface CustomGradient {
  /**
   * The composite's differentiable inputs. Anything else inside the composite may depend on
   * what is differentiated only through these (a norm's statistics through x; eps not at all);
   * `grad` checks this, and that no tensor it is asked about lies inside, and otherwise falls
   * back to the primitives' rules.
   */
  inputs: readonly Tensor[];
  /** One gradient per input given the output's gradient `g` (undefined where none flows). */
  rule: (g: Tensor) => Array<Tensor | undefined>;
}

const registry = new WeakMap<Tensor, CustomGradient>();

/** Attaches a closed-form gradient to `output` (an op built from `inputs`) and returns it. */
export function defineGradient(output: Tensor, inputs: readonly Tensor[], rule: CustomGradient['rule']): Tensor {
  if (output.kind !== 'op') throw new Error(`defineGradient: ${output} is a ${output.kind}, not an op`);
  if (registry.has(output)) throw new Error(`defineGradient: ${output} already has a gradient`);
  registry.set(output, { inputs: [...inputs], rule });
  return output;
}

export function customGradient(t: Tensor): CustomGradient | undefined {
  return registry.get(t);
}

const held = new WeakSet<Tensor>();

/** Marks `output` (an Identity of some x) as a constant to autodiff: no gradient flows back through it. */
export function holdConstant(output: Tensor): Tensor {
  held.add(output);
  return output;
}

export function isHeldConstant(t: Tensor): boolean {
  return held.has(t);
}
