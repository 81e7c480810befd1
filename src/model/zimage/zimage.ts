// Z-Image (Z-Image-Turbo) end to end on the engine: prompt → Qwen3 hidden states of the last layer
// but one, real tokens only → flow-match Euler over the VAE's latents [16, H/8, W/8] with the
// Z-Image transformer (handed 1 − σ; its output is the negative velocity) → VAE decode of
// latents / scaling_factor + shift_factor. Classifier-free guidance (for guidance > 0; Turbo uses 0)
// runs the transformer a second time on the negative prompt and takes pos + g·(pos − neg), as the
// reference does. Inpainting pins latent cells to the input's latents re-noised to each step's σ,
// as the reference inpaint pipeline blends them. Each component is compiled when first needed;
// the text encoder is released once the prompts are encoded, before denoising.
import { type Checkpoint, HostTensor, type Quantization, Rng, type RuntimeOptions, type Session } from '../../engine/index.ts';
import { InputError } from '../../errors.ts';
import { type ComponentGraph, compileComponent } from '../diffusers/compile.ts';
import { eulerStep } from '../diffusers/flow-match.ts';
import { buildVae, vaeScale } from '../diffusers/kl-vae.ts';
import { buildQwen3, qwen3Inputs } from '../diffusers/qwen3.ts';
import { openZImageFolder, type ZImageFolder } from './folder.ts';
import { transformerTime, zimageSchedule } from './scheduler.ts';
import { buildZImageTransformer, padRows, patchify, positionIds, unpatchify, zimageRope } from './transformer.ts';
import { fromEncoderLatents, toDecoderLatents } from './vae.ts';

export interface ZImageOptions {
  threads?: number;
  provider?: RuntimeOptions['provider'];
  /** Linear layers of the text encoder and transformer in int8 or int4 (the VAE stays float32). */
  quantize?: Quantization;
  /** Text tokens per prompt with the chat template (the reference pipeline's 512). */
  maxSequenceLength?: number;
  /** Compiled-component cache folder, or false to compile in memory (see ../diffusers/compile.ts). */
  cache?: string | false;
}

export interface ZImageRequest {
  prompt: string;
  width: number;
  height: number;
  steps: number;
  /** Classifier-free guidance scale; 0 (Turbo's) runs the transformer once per step. */
  guidance?: number;
  /** The negative prompt for guidance (the reference's default: empty). */
  negativePrompt?: string;
  /** Seed for the initial noise (the project's generator); ignored when `noise` is given. */
  seed?: number;
  /** Initial noise [C, H/8, W/8], for reproducing another implementation's run. */
  noise?: Float32Array;
  /**
   * Inpainting: the input image ([3, H, W] in [-1, 1], at the output size) and its latent cells
   * (H/8 × W/8, row-major; 1 = keep) whose latents follow the input's along the noise path.
   */
  inpaint?: { pixels: Float32Array; pinned: Uint8Array };
  /** After each step, with the model's estimate of the clean latents [C, H/8, W/8] at that step (a copy). */
  onStep?: (e: { step: number; steps: number; predicted: Float32Array }) => void | Promise<void>;
  signal?: AbortSignal;
}

export class ZImageModel {
  private transformerSession?: Session;
  private encoderSession?: Session;
  private encoderBatch = 0;
  private decoderSession?: Session;

  private constructor(
    readonly folder: ZImageFolder,
    private readonly opts: ZImageOptions,
  ) {}

  /** Opens and checks the folder (configs and safetensors headers only; weights are read when a component is compiled). */
  static open(dir: string, opts: ZImageOptions = {}): ZImageModel {
    return new ZImageModel(openZImageFolder(dir), opts);
  }

  get maxSequenceLength(): number {
    return this.opts.maxSequenceLength ?? 512;
  }

  /** Pixels per latent cell along each side (the VAE's 8). */
  get latentScale(): number {
    return vaeScale(this.folder.vae);
  }

  /** Image sides must be multiples of this (16: the VAE's 8 × the transformer's 2×2 patches). */
  get tokenScale(): number {
    return this.latentScale * this.folder.transformer.patchSize;
  }

  private compile(component: string, build: () => ComponentGraph, ckpt: Checkpoint, quantize: boolean, shape: unknown = null): Promise<Session> {
    const configs = { pipeline: 'ZImagePipeline', transformer: this.folder.transformer, textEncoder: this.folder.textEncoder, layer: this.folder.promptLayer, vae: this.folder.vae };
    return compileComponent(component, build, ckpt, { runtime: { threads: this.opts.threads, provider: this.opts.provider }, quantize: quantize ? this.opts.quantize : 'none', cache: this.opts.cache, configs }, shape);
  }

  /**
   * Prompt embeddings: for each prompt, the hidden states [n, hidden] of its n real tokens (padding
   * dropped, as the reference does). Releases the text encoder afterwards unless `keep`.
   */
  async encodePrompts(prompts: string[], keep = false): Promise<Float32Array[]> {
    const cfg = this.folder.textEncoder;
    const L = this.maxSequenceLength;
    const enc = prompts.map((p) => this.folder.tokenizer.encodePrompt(p, L));
    const B = prompts.length;
    if (!this.encoderSession || this.encoderBatch !== B) {
      await this.releaseTextEncoder();
      this.encoderSession = await this.compile('text_encoder', () => {
        const g = buildQwen3(cfg, { batch: B, length: L }, [this.folder.promptLayer], this.folder.textEncoderPrefix);
        return { outputs: { hidden: g.output }, inputs: [g.inputs.ids, g.inputs.bias, g.inputs.cos, g.inputs.sin], params: g.params };
      }, this.folder.checkpoints.textEncoder, true, { batch: B, length: L });
      this.encoderBatch = B;
    }
    const mask = enc.flatMap((e) => e.mask);
    const { bias, cos, sin } = qwen3Inputs(mask, B, L, cfg);
    const out = await this.encoderSession.run({
      input_ids: HostTensor.i64(enc.flatMap((e) => e.ids), [B, L]),
      attention_bias: HostTensor.f32(bias, [B, 1, L, L]),
      rope_cos: HostTensor.f32(cos, [L, cfg.headDim]),
      rope_sin: HostTensor.f32(sin, [L, cfg.headDim]),
    });
    if (!keep) await this.releaseTextEncoder();
    const hidden = out.hidden!.f32();
    const D = cfg.hidden;
    return enc.map((e, b) => {
      const rows = e.mask.flatMap((m, i) => (m ? [i] : []));
      const emb = new Float32Array(rows.length * D);
      rows.forEach((i, r) => emb.set(hidden.subarray((b * L + i) * D, (b * L + i + 1) * D), r * D));
      return emb;
    });
  }

  async releaseTextEncoder(): Promise<void> {
    await this.encoderSession?.release();
    this.encoderSession = undefined;
  }

  /**
   * One transformer evaluation as the pipeline calls it: latents [C, H, W] (H, W the latent grid),
   * caption features [n, capFeatDim], and the time it is handed (1 − σ; see transformerTime);
   * returns the model's output [C, H, W] (the negative velocity).
   */
  async transformerOutput(latents: Float32Array, height: number, width: number, caption: Float32Array, t: number): Promise<Float32Array> {
    const cfg = this.folder.transformer;
    if (!this.transformerSession) {
      this.transformerSession = await this.compile('transformer', () => {
        const g = buildZImageTransformer(cfg);
        const i = g.inputs;
        return { outputs: { out: g.output }, inputs: [i.x, i.xPad, i.cap, i.capPad, i.t, i.xCos, i.xSin, i.capCos, i.capSin], params: g.params };
      }, this.folder.checkpoints.transformer, true);
    }
    const C = cfg.inChannels;
    const h = height / 2;
    const w = width / 2;
    const pd = 4 * C;
    const capTokens = caption.length / cfg.capFeatDim;
    if (!Number.isInteger(capTokens) || capTokens < 1) throw new Error(`Z-Image: caption has ${caption.length} values, not a positive multiple of ${cfg.capFeatDim}`);
    const x = padRows(patchify(latents, C, height, width), h * w, pd);
    const cap = padRows(caption, capTokens, cfg.capFeatDim);
    const ids = positionIds(h, w, capTokens);
    const xr = zimageRope(ids.image, cfg);
    const cr = zimageRope(ids.caption, cfg);
    const dh = cfg.dim / cfg.heads;
    const out = await this.transformerSession.run({
      x: HostTensor.f32(x.data, [1, x.rows, pd]),
      x_pad: new HostTensor('bool', [1, x.rows, 1], x.pad),
      cap_feats: HostTensor.f32(cap.data, [1, cap.rows, cfg.capFeatDim]),
      cap_pad: new HostTensor('bool', [1, cap.rows, 1], cap.pad),
      t: HostTensor.f32(Float32Array.of(t), [1]),
      x_cos: HostTensor.f32(xr.cos, [x.rows, dh]),
      x_sin: HostTensor.f32(xr.sin, [x.rows, dh]),
      cap_cos: HostTensor.f32(cr.cos, [cap.rows, dh]),
      cap_sin: HostTensor.f32(cr.sin, [cap.rows, dh]),
    });
    return unpatchify(out.out!.f32(), C, h, w);
  }

  /** VAE-encodes an image [3, H, W] in [-1, 1] to the pipeline's latents [C, H/8, W/8] (posterior mode, shifted and scaled). */
  async encodeImage(pixels: Float32Array, width: number, height: number): Promise<Float32Array> {
    const s = this.tokenScale;
    if (width % s || height % s) throw new InputError(`Z-Image: image sides must be multiples of ${s}, got ${width}x${height}`);
    const v = this.folder.vae;
    const session = await this.compile('vae_encoder', () => {
      const g = buildVae(v);
      return { outputs: { mode: g.encode.mode }, inputs: [g.encode.image], params: g.encoderParams };
    }, this.folder.checkpoints.vae, false);
    try {
      const out = await session.run({ image: HostTensor.f32(pixels, [1, 3, height, width]) });
      return fromEncoderLatents(out.mode!.f32(), v);
    } finally {
      await session.release();
    }
  }

  /** The pipeline's latents [C, h, w] → image [3, 8h, 8w] in (about) [-1, 1]. */
  async decodeLatents(latents: Float32Array, h: number, w: number): Promise<Float32Array> {
    const v = this.folder.vae;
    if (!this.decoderSession) {
      this.decoderSession = await this.compile('vae_decoder', () => {
        const g = buildVae(v);
        return { outputs: { image: g.decode.image }, inputs: [g.decode.latents], params: g.decoderParams };
      }, this.folder.checkpoints.vae, false);
    }
    const out = await this.decoderSession.run({ latents: HostTensor.f32(toDecoderLatents(latents, v), [1, v.latentChannels, h, w]) });
    return out.image!.f32();
  }

  /** A step's clean estimate (onStep's `predicted`) decoded for a preview: pixels [3, height, width]. */
  decodePreview(predicted: Float32Array, width: number, height: number): Promise<Float32Array> {
    const s = this.latentScale;
    return this.decodeLatents(predicted, height / s, width / s);
  }

  /** Text-to-image (or inpainting). Returns pixels [3, H, W] in (about) [-1, 1]. */
  async generate(req: ZImageRequest): Promise<Float32Array> {
    const latents = await this.sample(req);
    const s = this.latentScale;
    return this.decodeLatents(latents, req.height / s, req.width / s);
  }

  /** The sampling loop of generate, up to the final latents [C, H/8, W/8]. */
  async sample(req: ZImageRequest): Promise<Float32Array> {
    const s = this.tokenScale;
    if (req.width % s || req.height % s || req.width < s || req.height < s) {
      throw new InputError(`Z-Image: width and height must be positive multiples of ${s}, got ${req.width}x${req.height}`);
    }
    const guidance = req.guidance ?? 0;
    if (!(guidance >= 0)) throw new InputError(`Z-Image: guidance must be 0 or more, got ${req.guidance}`);
    const C = this.folder.transformer.inChannels;
    const H = req.height / this.latentScale;
    const W = req.width / this.latentScale;
    let noise = req.noise;
    if (noise && noise.length !== C * H * W) throw new InputError(`Z-Image: noise has ${noise.length} values, expected ${C}×${H}×${W}`);
    if (!noise) noise = new Rng(req.seed ?? 0).fillNormal(new Float32Array(C * H * W));
    const x = noise.slice();

    let pinned: Uint32Array | undefined;
    let clean: Float32Array | undefined;
    if (req.inpaint) {
      if (req.inpaint.pinned.length !== H * W) throw new InputError(`Z-Image: pinned has ${req.inpaint.pinned.length} latent cells, expected ${W}×${H}`);
      clean = await this.encodeImage(req.inpaint.pixels, req.width, req.height);
      const cells: number[] = [];
      req.inpaint.pinned.forEach((keep, i) => keep && cells.push(i));
      pinned = Uint32Array.from({ length: cells.length * C }, (_, k) => (k % C) * H * W + cells[Math.floor(k / C)]!);
    }

    const [text, negative] = await this.encodePrompts(guidance > 0 ? [req.prompt, req.negativePrompt ?? ''] : [req.prompt]);
    const sched = zimageSchedule(this.folder.scheduler, req.steps, (H / 2) * (W / 2));
    for (let i = 0; i < req.steps; i++) {
      req.signal?.throwIfAborted();
      const sigma = sched.sigmas[i]!;
      const next = sched.sigmas[i + 1]!;
      const t = transformerTime(sched.timesteps[i]!);
      let out = await this.transformerOutput(x, H, W, text!, t);
      if (guidance > 0) {
        const neg = await this.transformerOutput(x, H, W, negative!, t);
        out = out.map((p, k) => p + guidance * (p - neg[k]!));
      }
      const v = out.map((o) => -o);
      const predicted = req.onStep ? x.map((xi, k) => xi - sigma * v[k]!) : undefined;
      eulerStep(x, v, sigma, next);
      if (pinned) {
        // The kept cells follow the input along the same noise path: (1 − σ)·input + σ·noise.
        for (const k of pinned) x[k] = (1 - next) * clean![k]! + next * noise[k]!;
      }
      await req.onStep?.({ step: i + 1, steps: req.steps, predicted: predicted! });
    }
    return x;
  }

  async release(): Promise<void> {
    await this.releaseTextEncoder();
    await this.transformerSession?.release();
    await this.decoderSession?.release();
    this.transformerSession = this.decoderSession = undefined;
    this.folder.close();
  }
}
