// The runtime: ONNX Runtime sessions made from serialised graphs, with execution-provider choice
// and thread count. A session is compiled once and then run for every step or image: the model
// runner and the training step each hold theirs for their lifetime.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { DType, TypedArray } from './dtype.ts';
import { HostTensor } from './host.ts';
import { serializeGraph, type SerializedGraph } from './onnx.ts';
import type { Quantization } from './quantize.ts';
import type { Tensor } from './tensor.ts';

export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt' | 'dml' | 'coreml' | 'webgpu';

export interface RuntimeOptions {
  provider?: ExecutionProvider;
  /** Intra-op threads; default: every core. */
  threads?: number;
  /** Write ONNX Runtime's per-node profile to files starting with this path (see bench --profile). */
  profilePrefix?: string;
  /**
   * Let idle compute threads spin waiting for work (ONNX Runtime's default). Off, they sleep:
   * a little slower alone, much faster when other processes share the cores. Default: on, unless
   * the environment sets FLOWPAINT_ORT_SPINNING=0.
   */
  spinning?: boolean;
  /**
   * Quantize the linear layers of graphs compiled with baked-in weights (the model runner's):
   * 'int8' (dynamic activation quantization) or 'int4' (4-bit weight blocks). Default 'none'.
   * Session.create takes an already-serialised graph, so callers pass this on to serializeGraph.
   */
  quantize?: Quantization;
}

/**
 * How a session reads its graph (optimized-session.ts): ONNX Runtime's graph optimisation 'all'
 * for a graph as the engine built it, or 'disabled' for one ONNX Runtime optimised and saved
 * before; and where to save the optimised graph, if anywhere.
 */
export interface SessionLoad {
  optimization?: 'all' | 'disabled';
  saveOptimizedTo?: string;
}

/** The ONNX Runtime build the sessions run on (part of the key of anything it saved). */
export const ORT_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

function spinningDefault(): boolean {
  return process.env.FLOWPAINT_ORT_SPINNING !== '0';
}

/** Engine dtypes ONNX Runtime's JS binding takes (bfloat16 has no JS representation there). */
const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32',
  float16: 'float16',
  int64: 'int64',
  int32: 'int32',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

const ENGINE_TYPES = Object.fromEntries(Object.entries(ORT_TYPES).map(([engine, ortType]) => [ortType, engine])) as Record<string, DType>;

export function toOrt(t: HostTensor): ort.Tensor {
  const type = ORT_TYPES[t.dtype];
  if (!type) throw new Error(`runtime: dtype ${t.dtype} cannot be fed to ONNX Runtime`);
  return new ort.Tensor(type, t.data as never, t.shape as number[]);
}

export function fromOrt(t: ort.Tensor): HostTensor {
  const dtype = ENGINE_TYPES[t.type];
  if (!dtype) throw new Error(`runtime: ONNX Runtime returned unsupported type ${t.type}`);
  return new HostTensor(dtype, [...t.dims], t.data as TypedArray);
}

/** Providers whose libraries are present: bundled ones, plus CUDA/TensorRT once their files are installed. */
export function availableProviders(): string[] {
  return ort.listSupportedBackends()
    .filter((b) => b.bundled || existsSync(join(ortBinDir(), `libonnxruntime_providers_${b.name}.so`)))
    .map((b) => b.name);
}

/** onnxruntime-node's folder of native libraries, where optional providers' libraries go. */
export function ortBinDir(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
}

export class Session {
  private constructor(
    /** The ORT session, for callers that manage their own ort.Tensors (training-state double buffers). */
    readonly raw: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  static async create(graph: SerializedGraph | Uint8Array | string, opts: RuntimeOptions = {}, load: SessionLoad = {}): Promise<Session> {
    const provider = opts.provider ?? 'cpu';
    if (!availableProviders().includes(provider)) {
      throw new Error(
        `execution provider '${provider}' is not available here (available: ${availableProviders().join(', ')}); ` +
          `for CUDA run \`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install\` (see README, "GPU")`,
      );
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: load.optimization ?? 'all',
      intraOpNumThreads: opts.threads ?? 0,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: (opts.spinning ?? spinningDefault()) ? '1' : '0' } } },
      ...(opts.profilePrefix ? { enableProfiling: true, profileFilePrefix: opts.profilePrefix } : {}),
      // Saving at level 'all' makes ONNX Runtime warn on stderr that the file may hold hardware-
      // specific layouts; the saver keys the file to this machine's CPU (optimized-session.ts),
      // so the warning would only be noise in the CLI's output. Errors still show.
      ...(load.saveOptimizedTo ? { optimizedModelFilePath: load.saveOptimizedTo, logSeverityLevel: 3 as const } : {}),
    };
    let session: ort.InferenceSession;
    try {
      if (typeof graph === 'string') session = await ort.InferenceSession.create(graph, options);
      else session = await ort.InferenceSession.create(graph instanceof Uint8Array ? graph : graph.bytes, options);
    } catch (err) {
      throw new Error(`runtime: ONNX Runtime rejected the graph on '${provider}': ${(err as Error).message}`);
    }
    return new Session(session, session.inputNames, session.outputNames);
  }

  /** Runs the graph. Every declared input must be fed; returns every output (or those asked for). */
  async run(feeds: Record<string, HostTensor>, outputs?: string[]): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of this.inputNames) {
      const t = feeds[name];
      if (!t) throw new Error(`runtime: input '${name}' was not fed (inputs: ${this.inputNames.join(', ')})`);
      ortFeeds[name] = toOrt(t);
    }
    const result = outputs ? await this.raw.run(ortFeeds, outputs) : await this.raw.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(result)) out[k] = fromOrt(v);
    return out;
  }

  async release(): Promise<void> {
    await this.raw.release();
  }
}

/** Builds, compiles and runs a graph once (tests, tools). Params are not allowed: feed inputs. */
export async function evaluate(
  outputs: Record<string, Tensor>,
  feeds: Record<string, HostTensor>,
  opts: RuntimeOptions = {},
): Promise<Record<string, HostTensor>> {
  const session = await Session.create(serializeGraph({ outputs, paramMode: 'inputs' }), opts);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
