// Z-Image (Z-Image-Turbo) end to end on the engine: prompt → Qwen3 hidden states of the last layer
// but one, real tokens only → flow-match Euler over the VAE's latents [16, H/8, W/8] with the
// Z-Image transformer (handed 1 − σ; its output is the negative velocity) → VAE decode of
// latents / scaling_factor + shift_factor. Classifier-free guidance (for guidance > 0; Turbo uses 0)
// runs the transformer a second time on the negative prompt and takes pos + g·(pos − neg), as the
// reference does. Inpainting pins latent cells to the input's latents re-noised to each step's σ,
// as the reference inpaint pipeline blends them. Each component is compiled when first needed;
// the text encoder is released once the prompts are encoded, before denoising.
import { HostTensor } from '../../engine/index.ts';
import { InputError } from '../../errors.ts';
import { eulerStep } from '../diffusers/flow-match.ts';
import { vaeScale } from '../diffusers/kl-vae.ts';
import { DiffusersModel, type DiffusersModelOptions, pinToNoisePath } from '../diffusers/model.ts';
import { openZImageFolder, type ZImageFolder } from './folder.ts';
import { transformerTime, zimageSchedule } from './scheduler.ts';
import { buildZImageTransformer, padRows, patchify, positionIds, unpatchify, zimageRope } from './transformer.ts';
import { fromEncoderLatents, toDecoderLatents } from './vae.ts';

export type ZImageOptions = DiffusersModelOptions;

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

export class ZImageModel extends DiffusersModel<ZImageFolder> {
  protected readonly label = 'Z-Image';

  /** Opens and checks the folder (configs and safetensors headers only; weights are read when a component is compiled). */
  static open(dir: string, opts: ZImageOptions = {}): ZImageModel {
    return new ZImageModel(openZImageFolder(dir), opts);
  }

  /** Pixels per latent cell along each side (the VAE's 8). */
  get latentScale(): number {
    return vaeScale(this.folder.vae);
  }

  /** Image sides must be multiples of this (16: the VAE's 8 × the transformer's 2×2 patches). */
  get tokenScale(): number {
    return this.latentScale * this.folder.transformer.patchSize;
  }

  protected cacheConfigs(): Record<string, unknown> {
    return { pipeline: 'ZImagePipeline', transformer: this.folder.transformer, textEncoder: this.folder.textEncoder, layer: this.folder.promptLayer, vae: this.folder.vae };
  }

  /**
   * Prompt embeddings: for each prompt, the hidden states [n, hidden] of its n real tokens (padding
   * dropped, as the reference does). Releases the text encoder afterwards unless `keep`.
   */
  async encodePrompts(prompts: string[], keep = false): Promise<Float32Array[]> {
    const { output, masks } = await this.runTextEncoder(prompts, { layers: [this.folder.promptLayer], output: 'hidden' }, keep);
    const hidden = output.f32();
    const L = this.maxSequenceLength;
    const D = this.folder.textEncoder.hidden;
    return masks.map((mask, b) => {
      const rows = mask.flatMap((m, i) => (m ? [i] : []));
      const emb = new Float32Array(rows.length * D);
      rows.forEach((i, r) => emb.set(hidden.subarray((b * L + i) * D, (b * L + i + 1) * D), r * D));
      return emb;
    });
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
    return fromEncoderLatents(await this.encoderMode(pixels, width, height), this.folder.vae);
  }

  /** The pipeline's latents [C, h, w] → image [3, 8h, 8w] in (about) [-1, 1]. */
  async decodeLatents(latents: Float32Array, h: number, w: number): Promise<Float32Array> {
    return this.decode(toDecoderLatents(latents, this.folder.vae), h, w);
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
    this.checkSize(req.width, req.height);
    const guidance = req.guidance ?? 0;
    if (!(guidance >= 0)) throw new InputError(`Z-Image: guidance must be 0 or more, got ${req.guidance}`);
    const C = this.folder.transformer.inChannels;
    const H = req.height / this.latentScale;
    const W = req.width / this.latentScale;
    const noise = this.initialNoise(req.noise, req.seed, [C, H, W]);
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
      if (pinned) pinToNoisePath(x, pinned, clean!, noise, next);
      await req.onStep?.({ step: i + 1, steps: req.steps, predicted: predicted! });
    }
    return x;
  }
}
