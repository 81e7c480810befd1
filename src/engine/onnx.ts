// Serialises a graph of Tensors to an ONNX ModelProto (opset 21), written by hand on the
// protobuf wire format. Field numbers follow onnx/onnx.proto (IR version 10).
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DTYPE_BYTES, type DType, ONNX_DTYPE, type TypedArray } from './dtype.ts';
import { ProtoWriter } from './proto.ts';
import { type QuantizeOptions, quantizeLinears } from './quantize.ts';
import type { Dim } from './shape.ts';
import { topoSort } from './graph.ts';
import { type Attr, EXTRA_OUTPUT, extraOutputIndex, type Tensor } from './tensor.ts';

export const OPSET = 21;
export const IR_VERSION = 10;

/** What becomes of parameters: baked in (inference) or fed each run (training). */
export type ParamMode = 'initializers' | 'inputs';

export interface GraphSpec {
  /** Named outputs, in order. */
  outputs: Record<string, Tensor>;
  /** Graph inputs in the order to declare them; inputs reachable from outputs but not listed are appended. */
  inputs?: Tensor[];
  paramMode: ParamMode;
  /** Parameter values, needed when paramMode is 'initializers'. */
  weights?: (name: string, t: Tensor) => TypedArray;
  name?: string;
  /** Quantize the linear layers (MatMul by a rank-2 parameter); needs paramMode 'initializers'. */
  quantize?: QuantizeOptions;
}

function tensorBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(name: string, dtype: DType, dims: readonly number[], data: TypedArray, external?: ExternalSink): ProtoWriter {
  const w = new ProtoWriter();
  w.packedInts(1, dims);
  w.int(2, ONNX_DTYPE[dtype]);
  w.string(8, name);
  const expected = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
  if (data.byteLength !== expected) {
    throw new Error(`initializer '${name}': ${data.byteLength} bytes of data for ${dtype}[${dims.join(', ')}] (expected ${expected})`);
  }
  if (external && data.byteLength >= external.threshold) {
    const offset = external.append(tensorBytes(data));
    const entry = (k: string, v: string) => new ProtoWriter().string(1, k).string(2, v);
    w.message(13, entry('location', external.location));
    w.message(13, entry('offset', String(offset)));
    w.message(13, entry('length', String(data.byteLength)));
    w.int(14, 1); // data_location = EXTERNAL
  } else {
    w.bytes(9, tensorBytes(data));
  }
  return w;
}

function valueInfo(name: string, dtype: DType, shape: readonly Dim[]): ProtoWriter {
  const shapeProto = new ProtoWriter();
  for (const d of shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shapeProto.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE[dtype]).message(2, shapeProto);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

function attribute(name: string, a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('int' in a) w.int(3, a.int).int(20, 2);
  else if ('float' in a) w.float(2, a.float).int(20, 1);
  else if ('str' in a) w.string(4, a.str).int(20, 3);
  else if ('ints' in a) w.packedInts(8, a.ints).int(20, 7);
  else w.packedFloats(7, a.floats).int(20, 6);
  return w;
}

/** Receives initializer bytes that go to a side file (models over protobuf's 2 GB limit). */
export interface ExternalSink {
  location: string;
  threshold: number;
  append(bytes: Uint8Array): number;
}

export interface SerializeOptions {
  external?: ExternalSink;
}

export interface SerializedGraph {
  bytes: Uint8Array;
  inputNames: string[];
  outputNames: string[];
  /** Parameters the graph reads, in input order (paramMode 'inputs'). */
  paramInputs: Tensor[];
}

export function serializeGraph(spec: GraphSpec, opts: SerializeOptions = {}): SerializedGraph {
  let outputs = spec.outputs;
  if (spec.quantize && spec.quantize.mode !== 'none') {
    if (spec.paramMode !== 'initializers' || !spec.weights) {
      throw new Error(`serializeGraph: quantize '${spec.quantize.mode}' needs paramMode "initializers" with weights (training graphs stay float32)`);
    }
    outputs = quantizeLinears(outputs, spec.weights, spec.quantize).outputs;
  }
  const outputEntries = Object.entries(outputs);
  if (outputEntries.length === 0) throw new Error('serializeGraph: a graph needs at least one output');
  const topo = topoSort(outputEntries.map(([, t]) => t));

  const names = new Map<number, string>();
  const used = new Set<string>();
  const claim = (t: Tensor, name: string) => {
    if (used.has(name)) throw new Error(`serializeGraph: two tensors are named '${name}'`);
    used.add(name);
    names.set(t.id, name);
  };
  for (const t of [...topo.inputs, ...topo.params]) claim(t, t.name!);
  // Op tensors that are outputs take the output's name, so no copy is needed to expose them.
  const outputAliases: Array<[string, Tensor]> = [];
  for (const [name, t] of outputEntries) {
    if (t.kind === 'op' && !names.has(t.id)) claim(t, name);
    else outputAliases.push([name, t]);
  }
  for (const t of topo.order) if (!names.has(t.id)) claim(t, `${t.kind === 'const' ? 'c' : t.op === EXTRA_OUTPUT ? 'out' : t.op}_${t.id}`);
  const nameOf = (t: Tensor) => names.get(t.id)!;

  const declaredInputs = [...(spec.inputs ?? [])];
  for (const t of declaredInputs) {
    if (t.kind !== 'input') throw new Error(`serializeGraph: ${t} is listed as an input but is not a graph input`);
  }
  for (const t of topo.inputs) if (!declaredInputs.includes(t)) declaredInputs.push(t);
  const paramInputs = spec.paramMode === 'inputs' ? topo.params : [];

  // A node's further outputs (ops.extraOutput: a norm's statistics) are named on the node itself.
  const extras = new Map<number, Tensor[]>();
  for (const t of topo.order) if (t.op === EXTRA_OUTPUT) extras.set(t.inputs[0]!.id, [...(extras.get(t.inputs[0]!.id) ?? []), t]);
  const graph = new ProtoWriter();
  for (const t of topo.order) {
    if (t.kind !== 'op' || t.op === EXTRA_OUTPUT) continue;
    const node = new ProtoWriter();
    for (const i of t.inputs) node.string(1, nameOf(i));
    const outputNames = [nameOf(t)];
    for (const e of extras.get(t.id) ?? []) outputNames[extraOutputIndex(e)] = nameOf(e);
    for (let i = 0; i < outputNames.length; i++) node.string(2, outputNames[i] ?? ''); // '' skips an optional output
    node.string(3, `n${t.id}`);
    node.string(4, t.op);
    if (t.domain) node.string(7, t.domain);
    for (const [k, a] of Object.entries(t.attrs)) node.message(5, attribute(k, a));
    graph.message(1, node);
  }
  for (const [name, t] of outputAliases) {
    graph.message(1, new ProtoWriter().string(1, nameOf(t)).string(2, name).string(3, `out_${name}`).string(4, 'Identity'));
  }
  graph.string(2, spec.name ?? 'flowpaint');
  for (const t of topo.consts) graph.message(5, tensorProto(nameOf(t), t.dtype, t.shape as number[], t.value!, opts.external));
  if (spec.paramMode === 'initializers') {
    if (!spec.weights) throw new Error('serializeGraph: paramMode "initializers" needs weights');
    for (const t of topo.params) {
      graph.message(5, tensorProto(t.name!, t.dtype, t.shape as number[], spec.weights(t.name!, t), opts.external));
    }
  }
  for (const t of [...declaredInputs, ...paramInputs]) graph.message(11, valueInfo(nameOf(t), t.dtype, t.shape));
  for (const [name, t] of outputEntries) graph.message(12, valueInfo(name, t.dtype, t.shape));

  const model = new ProtoWriter().int(1, IR_VERSION).string(2, 'flowpaint').string(3, '0.1.0').message(7, graph);
  model.message(8, new ProtoWriter().string(1, '').int(2, OPSET));
  const domains = new Set(topo.order.map((t) => t.domain).filter((d): d is string => Boolean(d)));
  for (const d of domains) model.message(8, new ProtoWriter().string(1, d).int(2, 1));
  return {
    bytes: model.finish(),
    inputNames: [...declaredInputs, ...paramInputs].map(nameOf),
    outputNames: outputEntries.map(([n]) => n),
    paramInputs,
  };
}

/**
 * Writes a model file. Initializers of `externalThreshold` bytes or more go to `<file>.data`
 * beside it (required past protobuf's 2 GB limit; ORT finds the side file relative to the model).
 */
export function writeOnnxFile(path: string, spec: GraphSpec, externalThreshold = 1 << 30): SerializedGraph {
  const location = `${basename(path)}.data`;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const sink: ExternalSink = {
    location,
    threshold: externalThreshold,
    append(bytes) {
      const offset = size;
      chunks.push(bytes);
      size += bytes.length;
      return offset;
    },
  };
  const graph = serializeGraph(spec, { external: sink });
  if (chunks.length) {
    const fd = openSync(join(dirname(path), location), 'w');
    try {
      for (const c of chunks) writeSync(fd, c);
    } finally {
      closeSync(fd);
    }
  }
  writeFileSync(path, graph.bytes);
  return graph;
}
