// Walks over a built graph. The ONNX writer, autodiff and the quantize rewrite all need the
// same dependency order, so it lives here rather than in any one of them.
import type { Tensor } from './tensor.ts';

export interface TopoGraph {
  /** Every reachable tensor, inputs before users. */
  order: Tensor[];
  inputs: Tensor[];
  params: Tensor[];
  consts: Tensor[];
}

/** Reachable tensors from the outputs, in dependency order (iterative: graphs can be very deep). */
export function topoSort(outputs: Tensor[]): TopoGraph {
  const order: Tensor[] = [];
  const state = new Map<number, 1 | 2>(); // 1 = on stack, 2 = done
  for (const root of outputs) {
    const stack: Array<[Tensor, number]> = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [t, i] = top;
      if (i === 0) {
        if (state.get(t.id) === 2) {
          stack.pop();
          continue;
        }
        state.set(t.id, 1);
      }
      if (i < t.inputs.length) {
        top[1] = i + 1;
        const child = t.inputs[i]!;
        if (state.get(child.id) !== 2) stack.push([child, 0]);
        continue;
      }
      stack.pop();
      if (state.get(t.id) !== 2) {
        state.set(t.id, 2);
        order.push(t);
      }
    }
  }
  return {
    order,
    inputs: order.filter((t) => t.kind === 'input'),
    params: order.filter((t) => t.kind === 'param'),
    consts: order.filter((t) => t.kind === 'const'),
  };
}
