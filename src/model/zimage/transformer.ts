// The Z-Image transformer (diffusers' ZImageTransformer2DModel, the "single-stream DiT" of
// Z-Image-Turbo) as an engine graph with the checkpoint's own parameter names. Facts from the
// reference implementation (diffusers 0.42.1):
// - the latents [C, H, W] are cut into 2×2 patches (feature order dy, dx, channel) and embedded by
//   one linear (`all_x_embedder.2-1`); the caption features by RMSNorm + linear (`cap_embedder`);
// - both sequences are padded to a multiple of 32 tokens, and every padding token is replaced, after
//   embedding, by a learned token (`x_pad_token`, `cap_pad_token`); padding is not masked out of
//   attention (for one image there is no mask at all);
// - the timestep (1 − σ, times t_scale) gets a sinusoidal embedding (cos half first) and an MLP
//   (256 → 1024 → min(dim, 256)), the "adaln input" every modulated block reads without an
//   activation; only the final layer applies SiLU before its own linear;
// - a block is pre- and post-normed with RMSNorm around both attention and the SwiGLU feed-forward
//   (w2(silu(w1·x)·w3·x), hidden int(dim/3·8)); modulated blocks scale the pre-norm by (1 + s) and
//   gate the residual by tanh(g), with no shift; unmodulated blocks (the context refiner) do neither;
// - attention: per-head RMS QK-norm (eps 1e-5) then rotary positions over 3 axes with interleaved
//   pairs (theta 256, angles rounded to float32), full attention, scale 1/√head_dim, no biases;
// - order: noise refiner blocks on the image tokens, context refiner blocks on the caption tokens,
//   then the main blocks on [image, caption] (image first), and the final layer
//   (LayerNorm without affine, eps 1e-6, scaled by 1 + linear(silu(adaln))) to 2·2·C values per token.
import { type Tensor, ops as o } from '../../engine/index.ts';
import { InputError } from '../../errors.ts';
import { attendFused, splitHeads } from '../../nn/attention.ts';
import { DiffusersFormatError } from '../diffusers/errors.ts';
import { configFields } from '../diffusers/config-fields.ts';
import { ParamTable } from '../diffusers/params.ts';
import { applyRopeInterleaved, ropeTablesInterleaved } from '../diffusers/rope.ts';

/** The reference's fixed sizes: the timestep MLP's input and hidden widths, the padding multiple. */
const FREQ_DIM = 256;
const T_MID = 1024;
const ADALN_DIM = 256;
export const SEQ_MULTIPLE = 32;
const ATTN_EPS = 1e-5;
const FINAL_EPS = 1e-6;

export interface ZImageTransformerConfig {
  patchSize: number;
  inChannels: number;
  dim: number;
  layers: number;
  refinerLayers: number;
  heads: number;
  normEps: number;
  qkNorm: boolean;
  capFeatDim: number;
  ropeTheta: number;
  tScale: number;
  axesDims: number[];
  axesLens: number[];
}

/** transformer/config.json → config, every field checked (the file's name in each message). */
export function parseZImageTransformerConfig(json: Record<string, unknown>, file: string): ZImageTransformerConfig {
  if (json._class_name !== undefined && json._class_name !== 'ZImageTransformer2DModel') {
    throw new DiffusersFormatError(`${file}: _class_name is '${String(json._class_name)}', expected ZImageTransformer2DModel`);
  }
  const { int, positive: num, positiveInts: ints } = configFields(json, file);
  const patches = ints('all_patch_size', [2]);
  const fPatches = ints('all_f_patch_size', [1]);
  if (patches.length !== 1 || patches[0] !== 2 || fPatches.length !== 1 || fPatches[0] !== 1) {
    throw new DiffusersFormatError(`${file}: all_patch_size ${JSON.stringify(patches)} / all_f_patch_size ${JSON.stringify(fPatches)} are not supported (expected [2] and [1], as the pipeline uses)`);
  }
  if (json.siglip_feat_dim != null) throw new DiffusersFormatError(`${file}: siglip_feat_dim is set (the Omni variant); flowpaint runs the text-to-image ZImagePipeline`);
  if (json.qk_norm === false) throw new DiffusersFormatError(`${file}: qk_norm false is not supported (Z-Image normalises queries and keys)`);
  const cfg: ZImageTransformerConfig = {
    patchSize: 2,
    inChannels: int('in_channels', 16),
    dim: int('dim', 3840),
    layers: int('n_layers', 30),
    refinerLayers: int('n_refiner_layers', 2),
    heads: int('n_heads', 30),
    normEps: num('norm_eps', 1e-5),
    qkNorm: true,
    capFeatDim: int('cap_feat_dim', 2560),
    ropeTheta: num('rope_theta', 256),
    tScale: num('t_scale', 1000),
    axesDims: ints('axes_dims', [32, 48, 48]),
    axesLens: ints('axes_lens', [1024, 512, 512]),
  };
  // n_kv_heads is in the config, but the reference builds every attention with n_heads key/value heads.
  if (cfg.heads === 0 || cfg.dim % cfg.heads !== 0) throw new DiffusersFormatError(`${file}: dim ${cfg.dim} is not a multiple of n_heads ${cfg.heads}`);
  const headDim = cfg.dim / cfg.heads;
  if (cfg.axesDims.length !== 3 || cfg.axesLens.length !== 3) throw new DiffusersFormatError(`${file}: axes_dims and axes_lens must have 3 entries (frame, row, column)`);
  if (cfg.axesDims.some((d) => d % 2 !== 0) || cfg.axesDims.reduce((a, b) => a + b, 0) !== headDim) {
    throw new DiffusersFormatError(`${file}: axes_dims [${cfg.axesDims}] must be even and sum to the head dim ${headDim} (dim / n_heads)`);
  }
  return cfg;
}

export function feedForwardDim(dim: number): number {
  // int(dim / 3 * 8) in Python's float arithmetic, which JavaScript's matches.
  return Math.trunc((dim / 3) * 8);
}

export interface ZImageTransformerGraph {
  params: ParamTable;
  /**
   * x [1, N, 4C] patches, xPad [1, N, 1] (true = padding token), cap [1, L, capFeatDim], capPad
   * [1, L, 1], t [1] (1 − σ), and the rotary tables of both sequences ([N, dh], [L, dh]).
   */
  inputs: { x: Tensor; xPad: Tensor; cap: Tensor; capPad: Tensor; t: Tensor; xCos: Tensor; xSin: Tensor; capCos: Tensor; capSin: Tensor };
  /** [1, N + L, 4C]: the first N rows are the image patches' outputs (the caption's are dropped by the caller). */
  output: Tensor;
}

/** Sinusoidal embedding (cos half first) with frequencies rounded as torch computes them in float32. */
function timestepEmbedding(t: Tensor): Tensor {
  const half = FREQ_DIM / 2;
  const f = Math.fround;
  const freqs = new Float32Array(half);
  const c = f(-Math.log(10000));
  for (let i = 0; i < half; i++) freqs[i] = Math.exp(f(f(c * i) / half));
  const args = o.mul(o.unsqueeze(t, 1), o.constant(freqs, [1, half]));
  return o.concat([o.cos(args), o.sin(args)], -1);
}

export function buildZImageTransformer(cfg: ZImageTransformerConfig): ZImageTransformerGraph {
  const p = new ParamTable();
  const D = cfg.dim;
  const H = cfg.heads;
  const dh = D / H;
  const ffn = feedForwardDim(D);
  const adaDim = Math.min(D, ADALN_DIM);
  const patchDim = cfg.patchSize * cfg.patchSize * cfg.inChannels;

  const x = o.input('x', [1, 'N', patchDim]);
  const xPad = o.input('x_pad', [1, 'N', 1], 'bool');
  const cap = o.input('cap_feats', [1, 'L', cfg.capFeatDim]);
  const capPad = o.input('cap_pad', [1, 'L', 1], 'bool');
  const t = o.input('t', [1]);
  const xCos = o.input('x_cos', ['N', dh]);
  const xSin = o.input('x_sin', ['N', dh]);
  const capCos = o.input('cap_cos', ['L', dh]);
  const capSin = o.input('cap_sin', ['L', dh]);

  const rms = (key: string, v: Tensor, width: number, eps: number) => o.rmsNorm(v, p.tensor(key, [width]), eps);

  const tFreq = timestepEmbedding(o.mul(t, cfg.tScale));
  const adaln = p.linear('t_embedder.mlp.2', o.silu(p.linear('t_embedder.mlp.0', tFreq, T_MID, true)), adaDim, true); // [1, adaDim]

  const attention = (k: string, h: Tensor, cos: Tensor, sin: Tensor): Tensor => {
    const q = rms(`${k}.attention.norm_q.weight`, splitHeads(p.linear(`${k}.attention.to_q`, h, D), H), dh, ATTN_EPS);
    const kk = rms(`${k}.attention.norm_k.weight`, splitHeads(p.linear(`${k}.attention.to_k`, h, D), H), dh, ATTN_EPS);
    const v = splitHeads(p.linear(`${k}.attention.to_v`, h, D), H);
    const att = attendFused(applyRopeInterleaved(q, cos, sin), applyRopeInterleaved(kk, cos, sin), v);
    return p.linear(`${k}.attention.to_out.0`, att, D);
  };
  const feedForward = (k: string, h: Tensor): Tensor =>
    p.linear(`${k}.feed_forward.w2`, o.mul(o.silu(p.linear(`${k}.feed_forward.w1`, h, ffn)), p.linear(`${k}.feed_forward.w3`, h, ffn)), D);

  const block = (k: string, h: Tensor, cos: Tensor, sin: Tensor, modulated: boolean): Tensor => {
    const n = (name: string, v: Tensor) => rms(`${k}.${name}.weight`, v, D, cfg.normEps);
    if (!modulated) {
      h = o.add(h, n('attention_norm2', attention(k, n('attention_norm1', h), cos, sin)));
      return o.add(h, n('ffn_norm2', feedForward(k, n('ffn_norm1', h))));
    }
    const [scaleMsa, gateMsa, scaleMlp, gateMlp] = o.split(o.unsqueeze(p.linear(`${k}.adaLN_modulation.0`, adaln, 4 * D, true), 1), -1, 4) as [Tensor, Tensor, Tensor, Tensor];
    h = o.add(h, o.mul(o.tanh(gateMsa), n('attention_norm2', attention(k, o.mul(n('attention_norm1', h), o.add(scaleMsa, 1)), cos, sin))));
    return o.add(h, o.mul(o.tanh(gateMlp), n('ffn_norm2', feedForward(k, o.mul(n('ffn_norm1', h), o.add(scaleMlp, 1))))));
  };

  // Image tokens: embed, padding → x_pad_token, noise refiner.
  let img = o.where(xPad, p.tensor('x_pad_token', [1, D]), p.linear('all_x_embedder.2-1', x, D, true));
  for (let i = 0; i < cfg.refinerLayers; i++) img = block(`noise_refiner.${i}`, img, xCos, xSin, true);
  // Caption tokens: RMSNorm + linear, padding → cap_pad_token, context refiner.
  const capEmb = p.linear('cap_embedder.1', rms('cap_embedder.0.weight', cap, cfg.capFeatDim, cfg.normEps), D, true);
  let txt = o.where(capPad, p.tensor('cap_pad_token', [1, D]), capEmb);
  for (let i = 0; i < cfg.refinerLayers; i++) txt = block(`context_refiner.${i}`, txt, capCos, capSin, false);

  let u = o.concat([img, txt], 1);
  const cos = o.concat([xCos, capCos], 0);
  const sin = o.concat([xSin, capSin], 0);
  for (let i = 0; i < cfg.layers; i++) u = block(`layers.${i}`, u, cos, sin, true);

  const scale = o.unsqueeze(o.add(p.linear('all_final_layer.2-1.adaLN_modulation.1', o.silu(adaln), D, true), 1), 1);
  const out = p.linear('all_final_layer.2-1.linear', o.mul(o.layerNorm(u, undefined, undefined, FINAL_EPS), scale), patchDim, true);
  return { params: p, inputs: { x, xPad, cap, capPad, t, xCos, xSin, capCos, capSin }, output: out };
}

// ---------------------------------------------------------------- host side: patches, padding, positions

/** Rounds a token count up to the reference's multiple of 32. */
export function padded(n: number): number {
  return Math.ceil(n / SEQ_MULTIPLE) * SEQ_MULTIPLE;
}

/**
 * Latents [C, 2h, 2w] → patch tokens [h·w, 4C], feature (dy·2 + dx)·C + c, tokens row-major — the
 * reference's patchify with F = 1.
 */
export function patchify(lat: Float32Array, c: number, h2: number, w2: number): Float32Array {
  if (h2 % 2 || w2 % 2) throw new Error(`patchify: latent ${h2}×${w2} is not divisible by 2`);
  const h = h2 / 2;
  const w = w2 / 2;
  const out = new Float32Array(lat.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = (y * w + x) * 4 * c;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          for (let ch = 0; ch < c; ch++) out[base + (dy * 2 + dx) * c + ch] = lat[(ch * h2 + 2 * y + dy) * w2 + 2 * x + dx]!;
        }
      }
    }
  }
  return out;
}

/** The inverse of patchify: the first h·w tokens [*, 4C] → latents [C, 2h, 2w]. */
export function unpatchify(tokens: Float32Array, c: number, h: number, w: number): Float32Array {
  const h2 = 2 * h;
  const w2 = 2 * w;
  const out = new Float32Array(c * h2 * w2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const base = (y * w + x) * 4 * c;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          for (let ch = 0; ch < c; ch++) out[(ch * h2 + 2 * y + dy) * w2 + 2 * x + dx] = tokens[base + (dy * 2 + dx) * c + ch]!;
        }
      }
    }
  }
  return out;
}

/** `rows` × `width` values padded to `padded(rows)` rows by repeating the last row (as the reference does; the model replaces them), with the padding mask. */
export function padRows(values: Float32Array, rows: number, width: number): { data: Float32Array; pad: Uint8Array; rows: number } {
  if (rows < 1 || values.length !== rows * width) throw new Error(`padRows: ${values.length} values for ${rows} rows of ${width}`);
  const total = padded(rows);
  const data = new Float32Array(total * width);
  data.set(values);
  const last = values.subarray((rows - 1) * width);
  for (let r = rows; r < total; r++) data.set(last, r * width);
  const pad = new Uint8Array(total);
  pad.fill(1, rows);
  return { data, pad, rows: total };
}

/**
 * Position ids (frame, row, column) of both sequences for an image of h×w patch tokens and a
 * caption of `capTokens` tokens: caption token k (padding included) at (1 + k, 0, 0); image token
 * (y, x) at (L + 1, y, x) with L the padded caption length; image padding at (0, 0, 0).
 */
export function positionIds(h: number, w: number, capTokens: number): { image: Int32Array; caption: Int32Array } {
  const L = padded(capTokens);
  const caption = new Int32Array(L * 3);
  for (let k = 0; k < L; k++) caption[k * 3] = 1 + k;
  const image = new Int32Array(padded(h * w) * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (y * w + x) * 3;
      image[k] = L + 1;
      image[k + 1] = y;
      image[k + 2] = x;
    }
  }
  return { image, caption };
}

/** cos/sin tables for Z-Image position ids (angles rounded to float32, as its RopeEmbedder). */
export function zimageRope(ids: Int32Array, cfg: ZImageTransformerConfig): { cos: Float32Array; sin: Float32Array } {
  const n = ids.length / 3;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      // The reference looks positions up in tables of axes_lens rows: past them it has no angle.
      if (ids[i * 3 + a]! >= cfg.axesLens[a]!) {
        throw new InputError(`Z-Image: position ${ids[i * 3 + a]} on axis ${a} is past the transformer's axes_lens [${cfg.axesLens}] (prompt too long or image too large for this model)`);
      }
    }
  }
  return ropeTablesInterleaved(ids, n, cfg.axesDims, cfg.ropeTheta, true);
}
