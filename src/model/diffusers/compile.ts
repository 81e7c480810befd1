// Turning a component's engine graph and its checkpoint into an ONNX Runtime session, the same way
// for every diffusers pipeline: weights read tensor by tensor as the graph is serialised, linear
// layers quantized when asked, and the result kept in the compiled-component cache (cache.ts)
// unless the caller compiles in memory (small models, tests).
import { type Checkpoint, type GraphSpec, type Quantization, type RuntimeOptions, Session, serializeGraph, type Tensor } from '../../engine/index.ts';
import { cachedOnnx, cacheKey } from './cache.ts';
import type { ParamTable } from './params.ts';

export interface CompileOptions {
  runtime: RuntimeOptions;
  /** int8/int4 for the graph's linear layers, or none. */
  quantize: Quantization | 'none' | undefined;
  /** The cache folder, or false to compile in memory; undefined: the default cache root. */
  cache: string | false | undefined;
  /** Everything the graph depends on besides the weight files (configs); part of the cache key. */
  configs: Record<string, unknown>;
}

export interface ComponentGraph {
  outputs: Record<string, Tensor>;
  inputs: Tensor[];
  params: ParamTable;
}

/** A session for `component` built by `build` with weights from `ckpt`; `shape` names fixed input sizes for the cache key. */
export async function compileComponent(component: string, build: () => ComponentGraph, ckpt: Checkpoint, opts: CompileOptions, shape: unknown = null): Promise<Session> {
  const mode = opts.quantize && opts.quantize !== 'none' ? opts.quantize : 'none';
  const spec = (): GraphSpec => {
    const g = build();
    return { outputs: g.outputs, inputs: g.inputs, paramMode: 'initializers', weights: g.params.weights(ckpt), quantize: mode !== 'none' ? { mode } : undefined };
  };
  if (opts.cache === false) return Session.create(serializeGraph(spec()), opts.runtime);
  const key = cacheKey({ component, files: ckpt.files, extra: { configs: opts.configs, shape, quantize: mode } });
  return Session.create(cachedOnnx(key, spec, opts.cache), opts.runtime);
}
