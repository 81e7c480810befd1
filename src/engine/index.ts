// The engine: TypeScript tensor graphs, serialised to ONNX and run by ONNX Runtime,
// with reverse-mode autodiff and an in-graph optimizer for training.
export * from './dtype.ts';
export * from './shape.ts';
export { Tensor, type Attr, type Attrs } from './tensor.ts';
export * as ops from './ops.ts';
export { grad, unbroadcast, type GradOptions } from './autodiff.ts';
export { defineGradient, type CustomGradient } from './custom-gradient.ts';
export { adamw, DEFAULT_ADAMW, type AdamWConfig } from './optim.ts';
export { serializeGraph, OPSET, type GraphSpec, type SerializedGraph } from './onnx.ts';
export { topoSort, type TopoGraph } from './graph.ts';
export { Session, availableProviders, evaluate, ortBinDir, type RuntimeOptions, type ExecutionProvider } from './runtime.ts';
export { DEVICES, type Device, DeviceError, parseDevice, providerFor, requestedDevice, resolveProvider } from './device.ts';
export { HostTensor } from './host.ts';
export { TrainStep, compileTrainStep, initialTrainState, type TrainState, type StepResult } from './train-step.ts';
export * from './safetensors.ts';
export { Rng } from './random.ts';
export {
  QUANTIZATIONS,
  dequantizeInt4,
  dequantizeInt8,
  int4MatMul,
  int8MatMul,
  parseQuantization,
  quantizeInt4,
  quantizeInt8,
  quantizeLinears,
  rewriteGraph,
  type Int4Weight,
  type Int8Weight,
  type Quantization,
  type QuantizeOptions,
} from './quantize.ts';
export { Checkpoint, SafetensorsReader, type ReadOptions, type TensorInfo } from './checkpoint.ts';
