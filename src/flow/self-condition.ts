// Self-conditioning at sampling time (ModelConfig.selfCondition): every branch of one sample —
// conditional, unconditional, image-only, none — is given back the clean estimate it made at the
// previous step. A branch's first step, and every step of a model without the input, has none.
import { dataFromVelocity, type PredictionKind } from './path.ts';

export class EstimateMemory {
  private readonly last = new Map<string, Float32Array>();

  /** `enabled`: the model takes a self-conditioning input; otherwise the memory keeps nothing. */
  constructor(private readonly enabled: boolean) {}

  /** The previous estimates of the branches `keys`, in order (undefined before a branch's first step); undefined when disabled. */
  recall(keys: readonly string[]): Array<Float32Array | undefined> | undefined {
    return this.enabled ? keys.map((k) => this.last.get(k)) : undefined;
  }

  /** Keeps branch `key`'s clean estimate from its prediction at (xt, t): x itself, or xt − t·v. */
  remember(key: string, pred: Float32Array, xt: Float32Array, t: number, kind: PredictionKind): void {
    if (this.enabled) this.last.set(key, kind === 'x' ? pred : dataFromVelocity(xt, t, pred));
  }
}
