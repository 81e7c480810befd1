// A small seeded PRNG (SplitMix32 for seeding, xoshiro128** for the stream) for tensors and
// training: initial weights, noise, timesteps, batches. Never Math.random. The data generator has
// its own, DataRng (data/rng.ts), whose stream the training data depends on.
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spareNormal === undefined) return this.boxMuller();
    const v = this.spareNormal;
    this.spareNormal = undefined;
    return v;
  }

  /** A new Box–Muller pair: returns the first value and keeps the second as the spare. */
  private boxMuller(): number {
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** out[i] = mean + std·normal(): the same stream, a pair per boxMuller call (an image's noise is ~50k values). */
  fillNormal(out: Float32Array, std = 1, mean = 0): Float32Array {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.spareNormal !== undefined) out[i++] = mean + std * this.normal();
    while (i < n) {
      out[i++] = mean + std * this.boxMuller();
      if (i < n) out[i++] = mean + std * this.normal(); // the pair's second value, the spare
    }
    return out;
  }

  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** The internal state, to save in a checkpoint and restore with `Rng.fromState`. */
  state(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal ?? NaN];
  }

  static fromState(s: readonly number[]): Rng {
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = s.slice(0, 4).map((v) => v >>> 0) as [number, number, number, number];
    r.spareNormal = Number.isNaN(s[4]) ? undefined : s[4];
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
