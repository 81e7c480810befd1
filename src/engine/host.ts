// HostTensor: a value on the JS side (a typed array plus dtype and concrete shape), the unit
// that is fed to and read from a session, saved to safetensors, and handed between layers of the app.
import { allocTyped, type DType, type TypedArray } from './dtype.ts';

export class HostTensor<T extends TypedArray = TypedArray> {
  constructor(
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly data: T,
  ) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`HostTensor: ${data.length} values for shape [${shape.join(', ')}]`);
  }

  get size(): number {
    return this.data.length;
  }

  static zeros(shape: readonly number[], dtype: DType = 'float32'): HostTensor {
    return new HostTensor(dtype, shape, allocTyped(dtype, shape.reduce((a, b) => a * b, 1)));
  }

  static f32(data: Float32Array | number[], shape: readonly number[]): HostTensor<Float32Array> {
    return new HostTensor('float32', shape, data instanceof Float32Array ? data : Float32Array.from(data));
  }

  static i64(data: ArrayLike<number> | BigInt64Array, shape: readonly number[]): HostTensor<BigInt64Array> {
    const arr = data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data as ArrayLike<number>, (v) => BigInt(v)));
    return new HostTensor('int64', shape, arr);
  }

  static scalar(v: number): HostTensor<Float32Array> {
    return new HostTensor('float32', [], Float32Array.of(v));
  }

  /** The data as float32 (throws for non-float32 tensors rather than silently converting). */
  f32(): Float32Array {
    if (this.dtype !== 'float32') throw new Error(`HostTensor: expected float32, got ${this.dtype}`);
    return this.data as Float32Array;
  }

  clone(): HostTensor<T> {
    return new HostTensor(this.dtype, [...this.shape], this.data.slice() as T);
  }
}
