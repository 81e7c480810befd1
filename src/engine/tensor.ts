// A Tensor is a node of the graph being built: an op applied to input tensors, or a leaf
// (a graph input, a parameter, a constant). Tensors are immutable; building an op makes a new one.
import type { DType, TypedArray } from './dtype.ts';
import type { Dim } from './shape.ts';
import { formatShape } from './shape.ts';

/** ONNX attribute values, tagged with their ONNX attribute type. */
export type Attr =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { str: string };
export type Attrs = Record<string, Attr>;

export type TensorKind = 'op' | 'input' | 'param' | 'const';

let nextId = 0;

export class Tensor {
  readonly id = nextId++;
  constructor(
    readonly kind: TensorKind,
    /** The ONNX op type for 'op' tensors; the leaf kind otherwise. */
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly dtype: DType,
    readonly shape: readonly Dim[],
    /** Graph inputs and parameters are addressed by name; other tensors get generated names. */
    readonly name?: string,
    /** The data of a constant. */
    readonly value?: TypedArray,
    /** Operator set domain for ops outside the ONNX standard (e.g. 'com.microsoft'). */
    readonly domain?: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name ?? this.op}${formatShape(this.shape)}:${this.dtype}`;
  }
}

/**
 * The op of a tensor that is another output of its one input's node (ops.extraOutput: a norm
 * kernel's statistics). The ONNX writer names it on that node; it emits no node of its own.
 */
export const EXTRA_OUTPUT = '#output';

/** Which output of its node an EXTRA_OUTPUT tensor is (1, 2, …; output 0 is the node itself). */
export function extraOutputIndex(t: Tensor): number {
  const a = t.attrs.index;
  if (t.op !== EXTRA_OUTPUT || !a || !('int' in a)) throw new Error(`${t} is not an extra output`);
  return a.int;
}
