// FLUX.2 [klein] end to end on the engine: prompt → Qwen3 hidden states → flow-match Euler over
// 2×2-packed VAE latents with the FLUX.2 transformer → VAE decode. Editing appends the reference
// image's latent tokens to the image sequence at time coordinate 10 (as the reference pipeline
// does); the transformer's output for them is dropped. Step-distilled klein runs without
// classifier-free guidance. Each component is compiled when first needed; the text encoder is
// released once the prompt is encoded, before denoising, so its weights and the transformer's are
// not held at the same time.
import { HostTensor } from '../../engine/index.ts';
import { InputError } from '../../errors.ts';
import { eulerStep } from '../diffusers/flow-match.ts';
import { DiffusersModel, type DiffusersModelOptions, pinToNoisePath } from '../diffusers/model.ts';
import { KLEIN_HIDDEN_LAYERS, type KleinFolder, openKleinFolder } from './folder.ts';
import { kleinSchedule } from './scheduler.ts';
import { buildTransformer, ropeTables4 } from './transformer.ts';
import { denormalizeUnpatchify, packTokens, patchifyNormalize, unpackTokens, vaeScale } from './vae.ts';

export type KleinOptions = DiffusersModelOptions;

export interface KleinRequest {
  prompt: string;
  width: number;
  height: number;
  steps: number;
  /** Seed for the initial noise (the project's generator); ignored when `noise` is given. */
  seed?: number;
  /** Initial noise [4·latentChannels, H/16, W/16], for reproducing another implementation's run. */
  noise?: Float32Array;
  /** Reference image for editing: [3, h, w] in [-1, 1], sides multiples of 16. */
  reference?: { pixels: Float32Array; width: number; height: number };
  /**
   * Inpainting: latent cells (the VAE's grid, H/8 × W/8 for FLUX.2, row-major; 1 = keep) whose
   * latents stay the reference's. After every step they are set to the reference re-noised to the
   * step's sigma with the run's own initial noise, so the model paints the rest around them, and
   * the last step leaves them exactly the reference's latents. Needs `reference` at the same size.
   */
  pinned?: Uint8Array;
  /** After each step, with the model's estimate of the clean tokens [N, C] at that step (a copy). */
  onStep?: (e: { step: number; steps: number; predicted: Float32Array }) => void | Promise<void>;
  signal?: AbortSignal;
}

/** The final packed tokens of a sampling run and their grid. */
export interface KleinSample {
  tokens: Float32Array;
  h: number;
  w: number;
}

/** The reference pipeline's time coordinate for the first reference image. */
const REFERENCE_T = 10;

export class KleinModel extends DiffusersModel<KleinFolder> {
  protected readonly label = 'klein';
  private bnMean?: Float32Array;
  private bnVar?: Float32Array;

  /** Opens and checks the folder (configs and safetensors headers only; weights are read when a component is compiled). */
  static open(dir: string, opts: KleinOptions = {}): KleinModel {
    return new KleinModel(openKleinFolder(dir), opts);
  }

  /** Pixels per packed latent token along each side (16 for FLUX.2: the VAE's 8 × the 2×2 packing). */
  get tokenScale(): number {
    return 2 * vaeScale(this.folder.vae);
  }

  protected cacheConfigs(): Record<string, unknown> {
    return { transformer: this.folder.transformer, textEncoder: this.folder.textEncoder, vae: this.folder.vae };
  }

  /** Prompt embeddings [B, L, 3·hidden] for each prompt (stacked Qwen3 hidden states). Releases the text encoder afterwards unless `keep`. */
  async encodePrompts(prompts: string[], keep = false): Promise<HostTensor> {
    return (await this.runTextEncoder(prompts, { layers: KLEIN_HIDDEN_LAYERS, output: 'prompt_embeds' }, keep)).output;
  }

  /**
   * One transformer evaluation: velocity [N, C] for the N image tokens. `image` holds N tokens
   * (+ reference tokens after them), `ids` their (T, H, W, L) positions, `text` [L, 3·hidden].
   */
  async velocity(image: Float32Array, ids: Int32Array, nImage: number, text: Float32Array, sigma: number): Promise<Float32Array> {
    const cfg = this.folder.transformer;
    if (!this.transformerSession) {
      this.transformerSession = await this.compile('transformer', () => {
        const g = buildTransformer(cfg);
        return { outputs: { velocity: g.output }, inputs: [g.inputs.hidden, g.inputs.text, g.inputs.timestep, g.inputs.ropeCos, g.inputs.ropeSin], params: g.params };
      }, this.folder.checkpoints.transformer, true);
    }
    const C = cfg.inChannels;
    const N = image.length / C;
    const L = text.length / cfg.jointAttentionDim;
    // Text positions (0, 0, 0, l) first, then the image tokens' own.
    const all = new Int32Array((L + N) * 4);
    for (let l = 0; l < L; l++) all[l * 4 + 3] = l;
    all.set(ids, L * 4);
    const { cos, sin } = ropeTables4(all, L + N, cfg.axesDimsRope, cfg.ropeTheta);
    const out = await this.transformerSession.run({
      hidden_states: HostTensor.f32(image, [1, N, C]),
      encoder_hidden_states: HostTensor.f32(text, [1, L, cfg.jointAttentionDim]),
      // The pipeline hands the transformer timestep/1000 with timestep = sigma·1000 in float32.
      timestep: HostTensor.f32(Float32Array.of(Math.fround(Math.fround(sigma * 1000) / 1000)), [1]),
      rope_cos: HostTensor.f32(cos, [L + N, cfg.headDim]),
      rope_sin: HostTensor.f32(sin, [L + N, cfg.headDim]),
    });
    return out.velocity!.f32().slice(0, nImage * C);
  }

  private bn(): { mean: Float32Array; variance: Float32Array } {
    const vck = this.folder.checkpoints.vae;
    this.bnMean ??= vck.read('bn.running_mean', { dtype: 'float32' }).data as Float32Array;
    this.bnVar ??= vck.read('bn.running_var', { dtype: 'float32' }).data as Float32Array;
    return { mean: this.bnMean, variance: this.bnVar };
  }

  /** VAE-encodes an image [3, H, W] in [-1, 1] to normalised packed tokens [H/16·W/16, 4·latentChannels]. */
  async encodeImage(pixels: Float32Array, width: number, height: number): Promise<Float32Array> {
    const mode = await this.encoderMode(pixels, width, height);
    const v = this.folder.vae;
    const s = this.tokenScale;
    const h = height / (s / 2);
    const w = width / (s / 2);
    const { mean, variance } = this.bn();
    const z = patchifyNormalize(mode, v.latentChannels, h, w, mean, variance, v.batchNormEps);
    return packTokens(z, 4 * v.latentChannels, h / 2, w / 2);
  }

  /** Packed normalised tokens [h·w, 4·latentChannels] → image [3, 16h, 16w] in (about) [-1, 1]. */
  async decodeTokens(tokens: Float32Array, h: number, w: number): Promise<Float32Array> {
    const v = this.folder.vae;
    const { mean, variance } = this.bn();
    const c4 = 4 * v.latentChannels;
    return this.decode(denormalizeUnpatchify(unpackTokens(tokens, c4, h, w), c4, h, w, mean, variance, v.batchNormEps), 2 * h, 2 * w);
  }

  /** Text-to-image, or an edit when `reference` is given. Returns pixels [3, H, W] in (about) [-1, 1]. */
  async generate(req: KleinRequest): Promise<Float32Array> {
    const { tokens, h, w } = await this.sample(req);
    return this.decodeTokens(tokens, h, w);
  }

  /** The sampling loop of generate, up to the final packed tokens (before the VAE decodes them). */
  async sample(req: KleinRequest): Promise<KleinSample> {
    this.checkSize(req.width, req.height);
    const s = this.tokenScale;
    const C = this.folder.transformer.inChannels;
    const h = req.height / s;
    const w = req.width / s;
    const N = h * w;
    const x = packTokens(this.initialNoise(req.noise, req.seed, [C, h, w]), C, h, w);

    // Image positions (0, row, col, 0); a reference's (10, row, col, 0) after them.
    let refTokens: Float32Array = new Float32Array(0);
    let refIds: Int32Array = new Int32Array(0);
    if (req.reference) {
      const r = req.reference;
      refTokens = await this.encodeImage(r.pixels, r.width, r.height);
      refIds = gridIds(r.height / s, r.width / s, REFERENCE_T);
    }
    const pin = req.pinned ? this.pinnedElements(req, h, w) : undefined;
    const start = pin ? x.slice() : undefined;
    const ids = new Int32Array((N + refIds.length / 4) * 4);
    ids.set(gridIds(h, w, 0));
    ids.set(refIds, N * 4);

    const text = (await this.encodePrompts([req.prompt])).f32();
    const sched = kleinSchedule(this.folder.scheduler, req.steps, N);
    const input = new Float32Array(x.length + refTokens.length);
    for (let i = 0; i < req.steps; i++) {
      req.signal?.throwIfAborted();
      const sigma = sched.sigmas[i]!;
      const next = sched.sigmas[i + 1]!;
      input.set(x);
      input.set(refTokens, x.length);
      const v = await this.velocity(input, ids, N, text, sigma);
      // The clean estimate x − σ·v, taken before the step moves x (previews only; copied).
      const predicted = req.onStep ? x.map((xi, k) => xi - sigma * v[k]!) : undefined;
      eulerStep(x, v, sigma, next);
      if (pin) pinToNoisePath(x, pin, refTokens, start!, next);
      await req.onStep?.({ step: i + 1, steps: req.steps, predicted: predicted! });
    }
    return { tokens: x, h, w };
  }

  /**
   * The packed-token elements of the pinned latent cells. A packed token (y, x) holds channel
   * c·4 + dy·2 + dx of latent cell (2y + dy, 2x + dx) (vae.ts, patchifyNormalize).
   */
  private pinnedElements(req: KleinRequest, h: number, w: number): Uint32Array {
    const cells = req.pinned!;
    const r = req.reference;
    if (!r || r.width !== req.width || r.height !== req.height) {
      throw new InputError('klein: inpainting (pinned latents) needs the reference image at the output size');
    }
    const H = 2 * h;
    const W = 2 * w;
    if (cells.length !== H * W) throw new InputError(`klein: pinned has ${cells.length} latent cells, expected ${W}×${H}`);
    const C = this.folder.transformer.inChannels;
    const out: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < C; k++) {
          const dy = (k >> 1) & 1;
          const dx = k & 1;
          if (cells[(2 * y + dy) * W + 2 * x + dx]) out.push((y * w + x) * C + k);
        }
      }
    }
    return Uint32Array.from(out);
  }
}

/** (t, row, col, 0) for every position of an h×w grid, row-major. */
export function gridIds(h: number, w: number, t: number): Int32Array {
  const ids = new Int32Array(h * w * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (y * w + x) * 4;
      ids[k] = t;
      ids[k + 1] = y;
      ids[k + 2] = x;
    }
  }
  return ids;
}
