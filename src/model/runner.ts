// Runs a loaded model: compiles its text-encoder and denoiser graphs once (weights baked in as
// initializers) and evaluates them on JS arrays. Knows the model's tensors, not sampling.
//
// Building and serialising a graph is a pure function of the config, the weights and the code
// that builds it, so for a model read from a weights file the serialised graph is cached on disk
// (engine/graph-cache.ts) under a key of all three; a start after the first skips building it,
// and makes its session from ONNX Runtime's optimised copy (engine/optimized-session.ts).
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostTensor, type Quantization, type RuntimeOptions, Session, type Tensor, serializeGraph } from '../engine/index.ts';
import { sourceDigest } from '../engine/graph-cache.ts';
import { optimizedSession } from '../engine/optimized-session.ts';
import { InputError } from '../errors.ts';
import { MAX_PROMPT_TOKENS } from './config.ts';
import { type Grid, layoutFeeds, padPrompt, type Segment } from './layout.ts';
import type { LoadedModel } from './store.ts';
import { textRope } from './text-encoder.ts';

/** Conditioning for a batch of prompts: [B, K, Dt] tokens and [B, Dt] pooled vectors. */
export interface Conditioning {
  batch: number;
  tokens: Float32Array;
  pooled: Float32Array;
}

export interface PredictInput {
  /** Target tokens per item: [n, P] each; all items share the grid. */
  noisy: Float32Array[];
  t: number;
  grid: Grid;
  cond: Conditioning;
  /** Clean source patches [n, P] shared by every item (edits), or none. */
  source?: Float32Array;
  /** Mask patches [n, patch²] (inpainting), or none. */
  mask?: Float32Array;
  /**
   * The guidance scale fed to a model that takes it as an input (ModelConfig.guidanceEmbedding: a
   * Flash student distilled over a range of scales): required by such a model, refused by others.
   */
  guidance?: number;
  /**
   * Per item, the model's previous clean estimate of its target tokens [n, P] (ModelConfig.selfCondition);
   * absent items (or all, when omitted) get zeros, "no estimate". Ignored by other models.
   */
  selfCond?: Array<Float32Array | undefined>;
}

/** What goes into a cached graph besides the config and weights: the code under these folders. */
const GRAPH_CODE = ['engine', 'nn', 'model'].map((d) => join(dirname(fileURLToPath(import.meta.url)), '..', d));

type GraphKind = 'text' | 'denoiser';

export interface RunnerOptions {
  /**
   * Compile each graph on its first use instead of now, so a run that needs only one never pays
   * for the other (`generate --fast` with Flash never runs the base model's denoiser).
   */
  lazy?: boolean;
  /** Use this runner's text encoder instead of compiling one (Flash's student: the same text weights, checked by fingerprint). */
  textFrom?: ModelRunner;
  /** Cache folder for compiled graphs (default: cacheRoot()); false builds them every time. */
  cache?: string | false;
}

export class ModelRunner {
  private textSession?: Promise<Session>;
  private denoiserSession?: Promise<Session>;
  /** layoutFeeds per token layout: the rotary tables and position features are the same every step. */
  private readonly layouts = new Map<string, Record<string, HostTensor>>();

  private constructor(
    readonly model: LoadedModel,
    private readonly runtime: RuntimeOptions,
    private readonly options: RunnerOptions,
    /** How the linear layers run: float32 ('none'), int8 or int4 (RuntimeOptions.quantize). */
    readonly quantize: Quantization,
  ) {}

  static async create(model: LoadedModel, opts: RuntimeOptions = {}, options: RunnerOptions = {}): Promise<ModelRunner> {
    const runner = new ModelRunner(model, opts, options, opts.quantize ?? 'none');
    if (!options.lazy) await Promise.all([runner.text(), runner.denoiser()]);
    return runner;
  }

  private text(): Promise<Session> {
    if (this.options.textFrom) return this.options.textFrom.text();
    this.textSession ??= this.compile('text');
    return this.textSession;
  }

  private denoiser(): Promise<Session> {
    this.denoiserSession ??= this.compile('denoiser');
    return this.denoiserSession;
  }

  private async compile(kind: GraphKind): Promise<Session> {
    const { model } = this;
    const build = () => this.buildGraph(kind);
    // Only a model that holds a file's weights as read (see LoadedModel.weightsFile).
    const file = model.weightsFile;
    if (this.options.cache === false || !file) return Session.create(await build(), this.runtime);
    const slot = `runner-${createHash('sha256').update(resolve(file.path)).digest('hex').slice(0, 16)}-${kind}-${this.quantize}`;
    const key = { format: 1, kind, quantize: this.quantize, config: model.config, weights: file.digest, code: sourceDigest(GRAPH_CODE) };
    return (await optimizedSession({ slot, key, ...(this.options.cache ? { root: this.options.cache } : {}) }, build, this.runtime)).session;
  }

  /** The serialised graph as built from the config and weights (a start that finds it in the cache never builds it). */
  private async buildGraph(kind: GraphKind): Promise<Uint8Array> {
    const { model } = this;
    // Imported here, not at the top: the graph builders (nn layers, the denoiser's blocks) are
    // needed only when the cache lacks the graph, and loading them costs every start.
    const { buildDenoiserGraph, buildTextGraph } = await import('./graphs.ts');
    const weight = (name: string) => {
      const t = model.weights.get(name);
      if (!t) throw new InputError(`model ${model.dir}: weights.safetensors has no tensor '${name}' (config and weights disagree)`);
      return t.data;
    };
    const text = kind === 'text' ? buildTextGraph(model.config) : undefined;
    const den = text ? undefined : buildDenoiserGraph(model.config);
    const outputs: Record<string, Tensor> = text ? { tokens: text.tokens, pooled: text.pooled } : { prediction: den!.prediction };
    for (const p of (text ?? den!).scope.params()) {
      const t = model.weights.get(p.name!);
      if (t && t.shape.join() !== p.shape.join()) {
        throw new InputError(`model ${model.dir}: tensor '${p.name}' is [${t.shape}] in the weights but [${p.shape}] in the config`);
      }
    }
    return serializeGraph({ outputs, paramMode: 'initializers', weights: weight, quantize: { mode: this.quantize } }).bytes;
  }

  get config() {
    return this.model.config;
  }

  /** Token ids for a prompt, with <bos>; the empty string is the unconditional prompt. */
  tokenize(prompt: string): Int32Array {
    const ids = this.model.tokenizer.encode(prompt, { addBos: true, specialTokens: 'text' });
    if (ids.length - 1 > MAX_PROMPT_TOKENS) {
      throw new InputError(`prompt is ${(ids.length - 1).toLocaleString('en-US')} tokens; the limit is ${MAX_PROMPT_TOKENS.toLocaleString('en-US')}`);
    }
    return ids;
  }

  async encode(prompts: string[]): Promise<Conditioning> {
    const c = this.config.text;
    const ids = prompts.map((p) => this.tokenize(p));
    const w = c.window;
    const L = Math.max(w, Math.ceil(Math.max(...ids.map((x) => x.length)) / w) * w);
    const B = prompts.length;
    const all = new BigInt64Array(B * L);
    const keep = new Float32Array(B * L);
    ids.forEach((x, b) => {
      const p = padPrompt(x, w, this.model.tokenizer.padId, L);
      all.set(p.ids, b * L);
      keep.set(p.keep, b * L);
    });
    const rope = textRope(c);
    const dh = c.width / c.heads;
    const out = await (await this.text()).run({
      text_ids: new HostTensor('int64', [B, L], all),
      text_keep: HostTensor.f32(keep, [B, L]),
      text_rope_cos: HostTensor.f32(rope.cos, [w, dh]),
      text_rope_sin: HostTensor.f32(rope.sin, [w, dh]),
    });
    return { batch: B, tokens: out.tokens!.f32(), pooled: out.pooled!.f32() };
  }

  /** One model evaluation for a batch of items (one per conditioning row). Returns [n, P] per item. */
  async predict(inp: PredictInput): Promise<Float32Array[]> {
    const m = this.config;
    const B = inp.noisy.length;
    if (B !== inp.cond.batch) throw new Error(`predict: ${B} items but conditioning for ${inp.cond.batch}`);
    const n1 = inp.grid.rows * inp.grid.cols;
    const P = m.patchSize * m.patchSize * 3;
    const pp = m.patchSize * m.patchSize;
    const segments: Segment[] = inp.source ? [{ grid: inp.grid, segment: 0 }, { grid: inp.grid, segment: 1 }] : [{ grid: inp.grid, segment: 0 }];
    const N = inp.source ? 2 * n1 : n1;
    const image = new Float32Array(B * N * P);
    const mask = new Float32Array(B * N * pp);
    for (let b = 0; b < B; b++) {
      image.set(inp.noisy[b]!, b * N * P);
      if (inp.source) image.set(inp.source, b * N * P + n1 * P);
      if (inp.mask) {
        mask.set(inp.mask, b * N * pp);
        if (inp.source) mask.set(inp.mask, b * N * pp + n1 * pp);
      }
    }
    if (m.guidanceEmbedding !== (inp.guidance !== undefined)) {
      throw new Error(m.guidanceEmbedding ? `predict: model ${this.model.dir} takes the guidance scale as an input; none given` : `predict: model ${this.model.dir} has no guidance input`);
    }
    const K = m.text.resamplerTokens;
    const out = await (await this.denoiser()).run({
      image: HostTensor.f32(image, [B, N, P]),
      mask: HostTensor.f32(mask, [B, N, pp]),
      ...this.layout(segments),
      t: HostTensor.f32(new Float32Array(B).fill(inp.t), [B]),
      ...(inp.guidance !== undefined ? { guidance: HostTensor.f32(new Float32Array(B).fill(inp.guidance), [B]) } : {}),
      cond_tokens: HostTensor.f32(inp.cond.tokens, [B, K, m.text.width]),
      cond_pooled: HostTensor.f32(inp.cond.pooled, [B, m.text.width]),
      ...(m.selfCondition ? { self_cond: HostTensor.f32(selfCondFeed(inp.selfCond, B, N, P, n1 * P), [B, N, P]) } : {}),
    });
    const pred = out.prediction!.f32();
    return Array.from({ length: B }, (_, b) => pred.slice(b * N * P, b * N * P + n1 * P));
  }

  /** The layout feeds for these segments, computed once per layout (ONNX Runtime only reads its inputs). */
  private layout(segments: Segment[]): Record<string, HostTensor> {
    const key = JSON.stringify(segments);
    let feeds = this.layouts.get(key);
    if (!feeds) {
      if (this.layouts.size >= 64) this.layouts.clear(); // a server sees many sizes; keep the map small
      this.layouts.set(key, (feeds = layoutFeeds(this.config, segments)));
    }
    return feeds;
  }

  /** Releases the sessions this runner compiled (a shared text encoder stays with its owner). */
  async release(): Promise<void> {
    const own = [this.textSession, this.denoiserSession];
    this.textSession = undefined;
    this.denoiserSession = undefined;
    for (const s of own) await (await s?.catch(() => undefined))?.release();
  }
}

/** [B, N·P] self-conditioning input: item b's estimate on its first n1·P values (the target tokens), zeros elsewhere. */
function selfCondFeed(estimates: Array<Float32Array | undefined> | undefined, B: number, N: number, P: number, targetValues: number): Float32Array {
  const feed = new Float32Array(B * N * P);
  for (let b = 0; b < B; b++) {
    const e = estimates?.[b];
    if (!e) continue;
    if (e.length !== targetValues) throw new Error(`predict: self-conditioning estimate ${b} has ${e.length} values, expected ${targetValues}`);
    feed.set(e, b * N * P);
  }
  return feed;
}

/** Rows [i] of a conditioning batch, repeated/selected into a new batch (e.g. cond and uncond pairs). */
export function selectConditioning(c: Conditioning, rows: number[]): Conditioning {
  const kt = c.tokens.length / c.batch;
  const kp = c.pooled.length / c.batch;
  const tokens = new Float32Array(rows.length * kt);
  const pooled = new Float32Array(rows.length * kp);
  rows.forEach((r, i) => {
    tokens.set(c.tokens.subarray(r * kt, (r + 1) * kt), i * kt);
    pooled.set(c.pooled.subarray(r * kp, (r + 1) * kp), i * kp);
  });
  return { batch: rows.length, tokens, pooled };
}
