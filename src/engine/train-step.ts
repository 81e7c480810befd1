// One training step as one session run: the loss graph, its gradients and the AdamW update are
// compiled together. The step takes params, optimizer state, batch, learning rate and step number,
// and returns new params, new state and the loss. Two sets of state buffers are swapped between
// steps (outputs are written into preallocated arrays), so a training loop allocates nothing per step.
import * as ort from 'onnxruntime-node';
import { type GradOptions, grad } from './autodiff.ts';
import { HostTensor } from './host.ts';
import { serializeGraph, type SerializedGraph } from './onnx.ts';
import * as o from './ops.ts';
import { type AdamWConfig, adamw } from './optim.ts';
import { type RuntimeOptions, Session, toOrt } from './runtime.ts';
import type { Tensor } from './tensor.ts';

export interface TrainStepSpec {
  loss: Tensor;
  /** The parameters to train (every param the loss reads, unless some are meant to stay frozen). */
  params: Tensor[];
  optimizer: AdamWConfig;
  /** Which params get weight decay; default: those of rank ≥ 2 (matrices, embeddings). */
  decays?: (p: Tensor) => boolean;
  /** Extra scalar outputs for logging (per-term losses, accuracies). */
  metrics?: Record<string, Tensor>;
  /** How the gradients are built (default: with the closed forms composites attach). */
  grad?: GradOptions;
}

export interface CompiledTrainStep {
  graph: SerializedGraph;
  paramNames: string[];
  batchInputNames: string[];
  metricNames: string[];
}

export function compileTrainStep(spec: TrainStepSpec): CompiledTrainStep {
  const lr = o.input('lr', []);
  const step = o.input('step', []);
  const grads = grad(spec.loss, spec.params, spec.grad);
  const decays = spec.decays ?? ((p: Tensor) => p.rank >= 2);
  const opt = adamw(spec.params, grads, spec.optimizer, lr, step, decays);
  const outputs: Record<string, Tensor> = { loss: spec.loss, grad_norm: opt.gradNorm };
  const metricNames = Object.keys(spec.metrics ?? {});
  for (const [k, t] of Object.entries(spec.metrics ?? {})) outputs[`metric.${k}`] = t;
  spec.params.forEach((p, i) => {
    outputs[`${p.name}.next`] = opt.newParams[i]!;
    outputs[`${p.name}.m.next`] = opt.newM[i]!;
    outputs[`${p.name}.v.next`] = opt.newV[i]!;
  });
  const graph = serializeGraph({ outputs, paramMode: 'inputs', inputs: [lr, step, ...opt.m, ...opt.v] });
  const paramNames = spec.params.map((p) => p.name!);
  const stateNames = new Set(['lr', 'step', ...paramNames, ...paramNames.flatMap((n) => [`${n}.m`, `${n}.v`])]);
  return { graph, paramNames, batchInputNames: graph.inputNames.filter((n) => !stateNames.has(n)), metricNames };
}

/** Parameters and optimizer state: everything a checkpoint needs besides the data position. */
export interface TrainState {
  step: number;
  params: Map<string, HostTensor>;
  m: Map<string, HostTensor>;
  v: Map<string, HostTensor>;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  metrics: Record<string, number>;
}

type Buffers = Map<string, ort.Tensor>;

export class TrainStep {
  private current: Buffers;
  private spare: Buffers;
  private stepCount: number;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly compiled: CompiledTrainStep,
    state: TrainState,
  ) {
    this.stepCount = state.step;
    this.current = this.buffersFrom(state, false);
    this.spare = this.buffersFrom(state, true);
  }

  static async create(compiled: CompiledTrainStep, state: TrainState, opts: RuntimeOptions = {}): Promise<TrainStep> {
    const session = await Session.create(compiled.graph, opts);
    return new TrainStep(session.raw, compiled, state);
  }

  private buffersFrom(state: TrainState, blank: boolean): Buffers {
    const b: Buffers = new Map();
    for (const name of this.compiled.paramNames) {
      for (const [suffix, src] of [['', state.params], ['.m', state.m], ['.v', state.v]] as const) {
        const t = src.get(name);
        if (!t) throw new Error(`train step: state has no ${suffix ? `optimizer ${suffix.slice(1)} for` : 'value for'} parameter '${name}'`);
        const data = blank ? new Float32Array(t.size) : Float32Array.from(t.f32());
        b.set(name + suffix, new ort.Tensor('float32', data, t.shape as number[]));
      }
    }
    return b;
  }

  get step(): number {
    return this.stepCount;
  }

  /** Runs one step on `batch` at learning rate `lr`; state advances in place. */
  async run(batch: Record<string, HostTensor>, lr: number): Promise<StepResult> {
    const feeds: Record<string, ort.Tensor> = {
      lr: new ort.Tensor('float32', Float32Array.of(lr), []),
      step: new ort.Tensor('float32', Float32Array.of(this.stepCount + 1), []),
    };
    for (const name of this.compiled.batchInputNames) {
      const t = batch[name];
      if (!t) throw new Error(`train step: batch input '${name}' missing (needs ${this.compiled.batchInputNames.join(', ')})`);
      feeds[name] = toOrt(t);
    }
    for (const [k, t] of this.current) feeds[k] = t;
    const fetches: Record<string, ort.Tensor | null> = { loss: null, grad_norm: null };
    for (const m of this.compiled.metricNames) fetches[`metric.${m}`] = null;
    for (const [k, t] of this.spare) fetches[`${k}.next`] = t;
    const out = await this.session.run(feeds, fetches);
    [this.current, this.spare] = [this.spare, this.current];
    this.stepCount++;
    const metrics: Record<string, number> = {};
    for (const m of this.compiled.metricNames) metrics[m] = Number(out[`metric.${m}`]!.data[0]);
    return { loss: Number(out.loss!.data[0]), gradNorm: Number(out.grad_norm!.data[0]), metrics };
  }

  /** Live views of the current parameter values (valid until the next run; do not modify). */
  paramViews(): Map<string, Float32Array> {
    const m = new Map<string, Float32Array>();
    for (const name of this.compiled.paramNames) m.set(name, this.current.get(name)!.data as Float32Array);
    return m;
  }

  /** A copy of the current state (for checkpoints and evaluation). */
  state(): TrainState {
    const pick = (suffix: string) => {
      const m = new Map<string, HostTensor>();
      for (const name of this.compiled.paramNames) {
        const t = this.current.get(name + suffix)!;
        m.set(name, new HostTensor('float32', [...t.dims], (t.data as Float32Array).slice()));
      }
      return m;
    };
    return { step: this.stepCount, params: pick(''), m: pick('.m'), v: pick('.v') };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Fresh optimizer state (zero moments) for the given parameters. */
export function initialTrainState(params: Map<string, HostTensor>): TrainState {
  const zeros = new Map<string, HostTensor>();
  const zeros2 = new Map<string, HostTensor>();
  for (const [k, t] of params) {
    zeros.set(k, HostTensor.zeros(t.shape));
    zeros2.set(k, HostTensor.zeros(t.shape));
  }
  return { step: 0, params, m: zeros, v: zeros2 };
}
