// Parameters are declared where they are used: a layer asks its Scope for a named weight with a
// shape and an initializer. The Scope records the declarations; `initParams` then makes values
// from a seed. Each weight's values depend only on the seed and its name, never on build order.
import { createHash } from 'node:crypto';
import { HostTensor, Rng, type Tensor, ops as o } from '../engine/index.ts';

export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number };

export const normal = (std: number): Init => ({ kind: 'normal', std });
export const zeros: Init = { kind: 'zeros' };
export const ones: Init = { kind: 'ones' };

interface Declared {
  tensor: Tensor;
  init: Init;
}

/** Holds every parameter declared under it; child scopes prefix names ("blocks.3.attn.q"). */
export class Scope {
  private constructor(
    private readonly registry: Map<string, Declared>,
    readonly prefix: string,
  ) {}

  static root(): Scope {
    return new Scope(new Map(), '');
  }

  child(name: string | number): Scope {
    return new Scope(this.registry, this.prefix ? `${this.prefix}.${name}` : String(name));
  }

  /** The parameter `name` under this scope; declaring it twice returns the same tensor (weight sharing). */
  param(name: string, shape: number[], init: Init): Tensor {
    const full = this.prefix ? `${this.prefix}.${name}` : name;
    const seen = this.registry.get(full);
    if (seen) {
      if (seen.tensor.shape.join() !== shape.join()) {
        throw new Error(`parameter '${full}' declared as [${seen.tensor.shape}] and again as [${shape}]`);
      }
      return seen.tensor;
    }
    const tensor = o.param(full, shape);
    this.registry.set(full, { tensor, init });
    return tensor;
  }

  /** Every parameter declared so far, in declaration order. */
  params(): Tensor[] {
    return [...this.registry.values()].map((d) => d.tensor);
  }

  declarations(): ReadonlyMap<string, Declared> {
    return this.registry;
  }

  /** Total number of parameter values declared. */
  count(): number {
    let n = 0;
    for (const d of this.registry.values()) n += (d.tensor.shape as number[]).reduce((a, b) => a * b, 1);
    return n;
  }
}

function nameSeed(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}:${name}`).digest().readUInt32LE(0);
}

/**
 * Fresh values for every parameter declared in `scope`, or only those `only` selects. Each value
 * depends on (seed, name) alone, so a subset gets the values the whole would.
 */
export function initParams(scope: Scope, seed: number, only: (name: string) => boolean = () => true): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, { tensor, init }] of scope.declarations()) {
    if (!only(name)) continue;
    const shape = tensor.shape as number[];
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    switch (init.kind) {
      case 'normal':
        new Rng(nameSeed(seed, name)).fillNormal(data, init.std);
        break;
      case 'ones':
        data.fill(1);
        break;
      case 'constant':
        data.fill(init.value);
        break;
      case 'zeros':
        break;
    }
    out.set(name, new HostTensor('float32', shape, data));
  }
  return out;
}
