// What every diffusers model flowpaint runs (FLUX.2 [klein], Z-Image) does the same way around its
// own transformer: components compiled when first needed (compile.ts), the Qwen3 text encoder run
// over chat-templated prompts and released before denoising (so its weights and the transformer's
// are not held at the same time), the KL VAE's encoder compiled for one image and dropped, its
// decoder kept for previews and the result, the initial noise checked or drawn, and kept latents
// pinned to the input's noise path during inpainting. Each model's file adds its transformer, its
// latent layout and its sampling loop.
import { type Checkpoint, HostTensor, type Quantization, Rng, type RuntimeOptions, type Session } from '../../engine/index.ts';
import { InputError } from '../../errors.ts';
import { type ComponentGraph, compileComponent } from './compile.ts';
import { buildVae, type KlVaeConfig } from './kl-vae.ts';
import { buildQwen3, type Qwen3Config, qwen3Inputs } from './qwen3.ts';
import type { ChatTokenizer } from './tokenizer.ts';

export interface DiffusersModelOptions {
  threads?: number;
  provider?: RuntimeOptions['provider'];
  /** Linear layers of the text encoder and transformer in int8 or int4 (the VAE stays float32). */
  quantize?: Quantization;
  /** Text tokens per prompt with the chat template (the reference pipelines' 512). */
  maxSequenceLength?: number;
  /**
   * Where compiled components are kept (ONNX with external data; see cache.ts): a folder, or false
   * to compile in memory every time (small models, tests). Default: $FLOWPAINT_CACHE or ~/.cache/flowpaint.
   */
  cache?: string | false;
}

/** The parts of an opened folder (flux2/folder.ts, zimage/folder.ts) this base class works with. */
export interface DiffusersFolderBase {
  textEncoder: Qwen3Config;
  /** 'model.' or '' (see qwen3Prefix). */
  textEncoderPrefix: string;
  tokenizer: ChatTokenizer;
  vae: KlVaeConfig;
  checkpoints: { transformer: Checkpoint; textEncoder: Checkpoint; vae: Checkpoint };
  close(): void;
}

/** How a model reads its text encoder: which Qwen3 layers' outputs, under which graph output name. */
export interface TextEncoderReadout {
  layers: readonly number[];
  /** The compiled graph's output name (part of what a cached graph is; kept per model). */
  output: string;
}

export abstract class DiffusersModel<F extends DiffusersFolderBase> {
  protected transformerSession?: Session;
  private encoderSession?: Session;
  private encoderBatch = 0;
  private decoderSession?: Session;

  protected constructor(
    readonly folder: F,
    protected readonly opts: DiffusersModelOptions,
  ) {}

  /** The model's name in messages ('klein', 'Z-Image'). */
  protected abstract readonly label: string;
  /** Everything besides the weight files that the compiled graphs depend on (the cache key's configs). */
  protected abstract cacheConfigs(): Record<string, unknown>;
  /** Image sides must be positive multiples of this. */
  abstract get tokenScale(): number;

  get maxSequenceLength(): number {
    return this.opts.maxSequenceLength ?? 512;
  }

  protected compile(component: string, build: () => ComponentGraph, ckpt: Checkpoint, quantize: boolean, shape: unknown = null): Promise<Session> {
    const runtime = { threads: this.opts.threads, provider: this.opts.provider };
    return compileComponent(component, build, ckpt, { runtime, quantize: quantize ? this.opts.quantize : 'none', cache: this.opts.cache, configs: this.cacheConfigs() }, shape);
  }

  /**
   * The text encoder's output for the chat-templated, padded prompts ([B, L, ·], L =
   * maxSequenceLength) with each prompt's attention mask. Releases the encoder afterwards unless `keep`.
   */
  protected async runTextEncoder(prompts: string[], readout: TextEncoderReadout, keep: boolean): Promise<{ output: HostTensor; masks: number[][] }> {
    const cfg = this.folder.textEncoder;
    const L = this.maxSequenceLength;
    const enc = prompts.map((p) => this.folder.tokenizer.encodePrompt(p, L));
    const B = prompts.length;
    if (!this.encoderSession || this.encoderBatch !== B) {
      await this.releaseTextEncoder();
      this.encoderSession = await this.compile('text_encoder', () => {
        const g = buildQwen3(cfg, { batch: B, length: L }, readout.layers, this.folder.textEncoderPrefix);
        return { outputs: { [readout.output]: g.output }, inputs: [g.inputs.ids, g.inputs.bias, g.inputs.cos, g.inputs.sin], params: g.params };
      }, this.folder.checkpoints.textEncoder, true, { batch: B, length: L });
      this.encoderBatch = B;
    }
    const { bias, cos, sin } = qwen3Inputs(enc.flatMap((e) => e.mask), B, L, cfg);
    const out = await this.encoderSession.run({
      input_ids: HostTensor.i64(enc.flatMap((e) => e.ids), [B, L]),
      attention_bias: HostTensor.f32(bias, [B, 1, L, L]),
      rope_cos: HostTensor.f32(cos, [L, cfg.headDim]),
      rope_sin: HostTensor.f32(sin, [L, cfg.headDim]),
    });
    if (!keep) await this.releaseTextEncoder();
    return { output: out[readout.output]!, masks: enc.map((e) => e.mask) };
  }

  async releaseTextEncoder(): Promise<void> {
    await this.encoderSession?.release();
    this.encoderSession = undefined;
  }

  /** The VAE posterior's mode [latentChannels, H/8, W/8] of an image [3, H, W] in [-1, 1]; the encoder is released afterwards (one image per run). */
  protected async encoderMode(pixels: Float32Array, width: number, height: number): Promise<Float32Array> {
    const s = this.tokenScale;
    if (width % s || height % s) throw new InputError(`${this.label}: image sides must be multiples of ${s}, got ${width}x${height}`);
    const session = await this.compile('vae_encoder', () => {
      const g = buildVae(this.folder.vae);
      return { outputs: { mode: g.encode.mode }, inputs: [g.encode.image], params: g.encoderParams };
    }, this.folder.checkpoints.vae, false);
    try {
      const out = await session.run({ image: HostTensor.f32(pixels, [1, 3, height, width]) });
      return out.mode!.f32();
    } finally {
      await session.release();
    }
  }

  /** The VAE decoder on latents [latentChannels, h, w] as vae.decode takes them → image [3, 8h, 8w]; kept for the next call. */
  protected async decode(latents: Float32Array, h: number, w: number): Promise<Float32Array> {
    const v = this.folder.vae;
    if (!this.decoderSession) {
      this.decoderSession = await this.compile('vae_decoder', () => {
        const g = buildVae(v);
        return { outputs: { image: g.decode.image }, inputs: [g.decode.latents], params: g.decoderParams };
      }, this.folder.checkpoints.vae, false);
    }
    const out = await this.decoderSession.run({ latents: HostTensor.f32(latents, [1, v.latentChannels, h, w]) });
    return out.image!.f32();
  }

  /** Checks a request's size: positive multiples of tokenScale. */
  protected checkSize(width: number, height: number): void {
    const s = this.tokenScale;
    if (width % s || height % s || width < s || height < s) {
      throw new InputError(`${this.label}: width and height must be positive multiples of ${s}, got ${width}x${height}`);
    }
  }

  /** The request's initial noise (checked against `dims`) or, without one, standard normal noise from `seed`. */
  protected initialNoise(noise: Float32Array | undefined, seed: number | undefined, dims: number[]): Float32Array {
    const n = dims.reduce((a, b) => a * b, 1);
    if (noise && noise.length !== n) throw new InputError(`${this.label}: noise has ${noise.length} values, expected ${dims.join('×')}`);
    return noise ?? new Rng(seed ?? 0).fillNormal(new Float32Array(n));
  }

  async release(): Promise<void> {
    await this.releaseTextEncoder();
    await this.transformerSession?.release();
    await this.decoderSession?.release();
    this.transformerSession = this.decoderSession = undefined;
    this.folder.close();
  }
}

/**
 * Inpainting's pin after a step to sigma `next`: the kept elements follow the input's clean latents
 * along the run's own noise path, (1 − σ)·clean + σ·noise (the reference inpaint pipelines'
 * scale_noise blend), so the last step (σ = 0) leaves them exactly the input's.
 */
export function pinToNoisePath(x: Float32Array, kept: Uint32Array, clean: Float32Array, noise: Float32Array, next: number): void {
  for (const k of kept) x[k] = (1 - next) * clean[k]! + next * noise[k]!;
}
