// Exponential moving average of the weights, kept on the JS side: the EMA weights are what ships.
import { HostTensor } from '../engine/index.ts';

export class Ema {
  constructor(
    readonly decay: number,
    readonly values: Map<string, Float32Array>,
  ) {}

  static from(params: Map<string, HostTensor>, decay: number): Ema {
    const values = new Map<string, Float32Array>();
    for (const [k, t] of params) values.set(k, Float32Array.from(t.f32()));
    return new Ema(decay, values);
  }

  /** ema ← ema·d + p·(1 − d), with d warmed up as (1 + n)/(10 + n) so early weights fade fast. */
  update(params: Map<string, Float32Array>, step: number): void {
    const d = Math.min(this.decay, (1 + step) / (10 + step));
    const k = 1 - d;
    for (const [name, p] of params) {
      const e = this.values.get(name);
      if (!e) throw new Error(`ema: no average for parameter '${name}'`);
      for (let i = 0; i < e.length; i++) e[i] = e[i]! * d + p[i]! * k;
    }
  }

  tensors(shapes: Map<string, readonly number[]>): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [k, v] of this.values) out.set(k, new HostTensor('float32', shapes.get(k)!, v));
    return out;
  }
}
