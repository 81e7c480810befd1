// Parameters of a graph built for a checkpoint someone else trained: each graph parameter is declared
// with the checkpoint key it comes from and how to lay it out. Linear weights are stored by PyTorch
// as [out, in]; the graph multiplies x·W with W as [in, out] (the layout the engine's quantization
// rewrite recognises), so they are transposed once, when read. Values are read from the checkpoint
// only when the graph is serialised, one tensor at a time, converted to float32.
import { type Checkpoint, type Tensor, ops as o } from '../../engine/index.ts';
import { DiffusersFormatError } from './errors.ts';

interface Source {
  key: string;
  /** The shape stored in the checkpoint. */
  stored: readonly number[];
  transpose: boolean;
}

export class ParamTable {
  private readonly sources = new Map<string, Source>();
  private readonly tensors = new Map<string, Tensor>();

  /** A tensor stored as-is (norm weights, conv kernels, biases). */
  tensor(key: string, shape: number[]): Tensor {
    return this.declare(key, shape, shape, false);
  }

  /** nn.Linear's weight [out, in], as the graph's [in, out]. */
  linearWeight(key: string, inDim: number, outDim: number): Tensor {
    return this.declare(key, [inDim, outDim], [outDim, inDim], true);
  }

  /** x·Wᵀ (+ b) for an nn.Linear stored under `prefix` (`prefix.weight`, `prefix.bias`). */
  linear(prefix: string, x: Tensor, outDim: number, bias = false): Tensor {
    const inDim = x.shape[x.rank - 1];
    if (typeof inDim !== 'number') throw new Error(`linear ${prefix}: input's last dim must be static, got ${x}`);
    const y = o.matmul(x, this.linearWeight(`${prefix}.weight`, inDim, outDim));
    return bias ? o.add(y, this.tensor(`${prefix}.bias`, [outDim])) : y;
  }

  keys(): string[] {
    return [...this.sources.keys()];
  }

  private declare(key: string, graphShape: number[], stored: number[], transpose: boolean): Tensor {
    const seen = this.tensors.get(key);
    if (seen) {
      if (seen.shape.join() !== graphShape.join()) throw new Error(`parameter '${key}' declared as [${seen.shape}] and again as [${graphShape}]`);
      return seen;
    }
    const t = o.param(key, graphShape);
    this.tensors.set(key, t);
    this.sources.set(key, { key, stored, transpose });
    return t;
  }

  /**
   * Checks that the checkpoint holds every declared tensor with the declared shape (and nothing the
   * graph would silently ignore, when `strict`), before any value is read: a mismatched folder
   * fails here, naming the file, the key and both shapes.
   */
  check(ckpt: Checkpoint, what: string, opts: { strict?: boolean; ignore?: (key: string) => boolean } = {}): void {
    for (const s of this.sources.values()) {
      if (!ckpt.has(s.key)) throw new DiffusersFormatError(`${ckpt.source}: ${what} has no tensor '${s.key}' (expected shape [${s.stored.join(', ')}])`);
      const info = ckpt.info(s.key);
      if (info.shape.join() !== s.stored.join()) {
        throw new DiffusersFormatError(`${info.file}: ${what} tensor '${s.key}' has shape [${info.shape.join(', ')}], expected [${s.stored.join(', ')}] from the folder's config.json`);
      }
    }
    if (opts.strict) {
      const extra = ckpt.names().filter((n) => !this.sources.has(n) && !(opts.ignore?.(n) ?? false));
      if (extra.length > 0) {
        throw new DiffusersFormatError(`${ckpt.source}: ${what} has ${extra.length} tensor(s) the config does not account for, e.g. '${extra.slice(0, 3).join("', '")}' (config.json and weights disagree)`);
      }
    }
  }

  /** serializeGraph's `weights` callback: reads (and transposes) a parameter's values when the graph is written. */
  weights(ckpt: Checkpoint): (name: string) => Float32Array {
    return (name) => {
      const s = this.sources.get(name);
      if (!s) throw new Error(`ParamTable: no parameter '${name}'`);
      const data = ckpt.read(s.key, { dtype: 'float32', shape: s.stored }).data as Float32Array;
      return s.transpose ? transpose2d(data, s.stored[0]!, s.stored[1]!) : data;
    };
  }
}

/** [rows, cols] row-major → [cols, rows]. Blocked so large matrices stay cache-friendly. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    for (let c0 = 0; c0 < cols; c0 += B) {
      const r1 = Math.min(rows, r0 + B);
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = a[r * cols + c]!;
    }
  }
  return out;
}
